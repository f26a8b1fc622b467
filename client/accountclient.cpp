// SPDX-License-Identifier: MIT
#include "accountclient.h"

#include "chatsession.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslError>

namespace chatter::client {

namespace {

//! Enough for every answer of the account API; a bigger body is not Chatter's.
constexpr qint64 MaxAnswerBytes = 64 * 1024;
constexpr int RequestTimeoutMs = 15'000;

} // namespace

QString AccountResult::describe() const
{
    if (ok())
        return {};
    if (untrustedCertificate)
        return error;
    switch (status) {
    case 0:
        return error;
    case 401:
        return error.isEmpty() ? AccountClient::tr("wrong nickname or password") : error;
    case 403:
        return AccountClient::tr("refused: %1")
            .arg(error.isEmpty() ? AccountClient::tr("not allowed") : error);
    case 409:
        // The server's reason usually says "taken" itself ("nickname taken").
        if (error.contains(QLatin1String("taken"), Qt::CaseInsensitive))
            return error;
        return AccountClient::tr("taken: %1")
            .arg(error.isEmpty() ? AccountClient::tr("that nickname belongs to someone else")
                                 : error);
    case 429:
        return retryAfterSeconds > 0 ? AccountClient::tr("too many attempts; try again in %n s",
                                                         nullptr, retryAfterSeconds)
                                     : AccountClient::tr("too many attempts; try again later");
    default:
        return error.isEmpty() ? AccountClient::tr("the server answered HTTP %1").arg(status)
                               : error;
    }
}

AccountClient::AccountClient(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this))
{
    // Every request is answered quickly or not at all; a dead server must not hang the dialog.
    m_network->setTransferTimeout(RequestTimeoutMs);
}

AccountClient::~AccountClient() = default;

QUrl AccountClient::baseUrlFor(const QString &server)
{
    QUrl url = ChatSession::endpointFor(server);
    url.setScheme(url.scheme() == QLatin1String("wss") ? QStringLiteral("https")
                                                       : QStringLiteral("http"));
    url.setPath(QString());
    url.setQuery(QString());
    return url;
}

void AccountClient::setServer(const QString &server)
{
    m_base = baseUrlFor(server);
}

void AccountClient::registerAccount(const QString &user, const QString &password, Callback done)
{
    send("POST", QStringLiteral("/api/accounts"), {},
         {{QStringLiteral("user"), user}, {QStringLiteral("password"), password}}, true,
         std::move(done));
}

void AccountClient::signIn(const QString &user, const QString &password, Callback done)
{
    send("POST", QStringLiteral("/api/sessions"), {},
         {{QStringLiteral("user"), user}, {QStringLiteral("password"), password}}, true,
         std::move(done));
}

void AccountClient::enterAsGuest(const QString &user, Callback done)
{
    send("POST", QStringLiteral("/api/guests"), {}, {{QStringLiteral("user"), user}}, true,
         std::move(done));
}

void AccountClient::signOut(const QString &token, Callback done)
{
    send("DELETE", QStringLiteral("/api/sessions"), token, {}, false, std::move(done));
}

void AccountClient::changePassword(const QString &token, const QString &oldPassword,
                                   const QString &newPassword, Callback done)
{
    send("POST", QStringLiteral("/api/accounts/password"), token,
         {{QStringLiteral("old_password"), oldPassword},
          {QStringLiteral("new_password"), newPassword}},
         true, std::move(done));
}

void AccountClient::whoAmI(const QString &token, Callback done)
{
    send("GET", QStringLiteral("/api/sessions"), token, {}, false, std::move(done));
}

void AccountClient::send(const QByteArray &verb, const QString &path, const QString &token,
                         const QJsonObject &body, bool hasBody, Callback done)
{
    QUrl url = m_base;
    url.setPath(path);
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    // Passwords are in the body: never into a cache, never through a redirect.
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = nullptr;
    if (hasBody) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        reply = m_network->sendCustomRequest(request, verb,
                                             QJsonDocument(body).toJson(QJsonDocument::Compact));
    } else {
        reply = m_network->sendCustomRequest(request, verb);
    }
    CertificatePins::judgeReply(reply, m_pins, CertificatePins::hostPortOf(m_base, 443));
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, done = std::move(done)] { finish(reply, done); });
}

void AccountClient::finish(QNetworkReply *reply, const Callback &done)
{
    reply->deleteLater();
    AccountResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (const auto untrusted = CertificatePins::untrustedOf(reply)) {
        result.status = 0;
        result.untrustedCertificate = true;
        result.certificate = *untrusted;
        result.error =
            result.certificate.changed()
                ? tr("the certificate of %1 has changed since it was trusted; "
                     "refusing to connect")
                      .arg(result.certificate.hostPort)
                : tr("the certificate of %1 is not trusted").arg(result.certificate.hostPort);
        done(result);
        return;
    }
    const QByteArray bytes = reply->read(MaxAnswerBytes);
    const QJsonObject answer = QJsonDocument::fromJson(bytes).object();
    if (result.status == 0) {
        result.error = reply->errorString();
    } else if (!result.ok()) {
        result.error = answer.value(QLatin1String("error")).toString();
        if (result.status == 429)
            result.retryAfterSeconds = reply->rawHeader("Retry-After").trimmed().toInt();
    } else {
        result.identity.user = answer.value(QLatin1String("user")).toString();
        result.identity.token = answer.value(QLatin1String("token")).toString();
        result.identity.role = answer.value(QLatin1String("role")).toString();
        result.identity.kind = answer.value(QLatin1String("kind")).toString();
        result.identity.personalTopic = answer.value(QLatin1String("personal_topic")).toString();
    }
    done(result);
}

} // namespace chatter::client
