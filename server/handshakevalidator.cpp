// SPDX-License-Identifier: MIT
#include "handshakevalidator.h"

#include "chatvalidation.h"
#include "connectparams.h"
#include "nicknamepolicy.h"
#include "secretcompare.h"
#include "sessiontokens.h"
#include "topics.h"

#include <QUrlQuery>

namespace chatter::server {
namespace {

constexpr QByteArrayView BearerPrefix("base64url.bearer.phx.");

HandshakeValidator::Decision refuse(int status, QString why, QByteArray body = {},
                                    RefusalReason reason = RefusalReason::BadRequest)
{
    HandshakeValidator::Decision d;
    d.status = status;
    d.reason = reason;
    d.logReason = std::move(why);
    d.body = std::move(body);
    return d;
}

} // namespace

HandshakeValidator::HandshakeValidator(const ServerConfig &config, const Bans *bans,
                                       const ServerNames *names, const AccountDirectory *accounts)
    : m_origins(config.allowedOrigins, config.publicHosts), m_accessToken(config.accessToken),
      m_scheme(config.tlsEnabled() ? QStringLiteral("https") : QStringLiteral("http")),
      m_bans(bans), m_names(names), m_accounts(accounts),
      m_accountsRequired(config.accountsRequired), m_keepParams(config.diagnostics)
{}

bool HandshakeValidator::hostAllowed(const QString &host) const
{
    // No Host at all is no browser's request (browsers always send one), so no rebinding page.
    return !m_names || m_origins.allowsAny() || host.isEmpty() || m_names->isOwnHost(host);
}

bool HandshakeValidator::originAllowed(const QString &origin, const QString &host,
                                       QString *why) const
{
    if (!m_origins.allows(origin, host, m_scheme)) {
        if (why)
            *why = QStringLiteral("origin %1 not allowed (request sent to %2)").arg(origin, host);
        return false;
    }
    // A DNS rebinding page is its own origin, so the Origin check passes: its Host gives it
    // away, as a name this server does not have.
    if (!hostAllowed(host)) {
        if (why)
            *why = QStringLiteral("host %1 is not one of this server's names (see --public-host)")
                       .arg(host);
        return false;
    }
    return true;
}

QString HandshakeValidator::authTokenFromSubprotocols(const QByteArray &header,
                                                      QList<QByteArray> *rest)
{
    QList<QByteArray> bearers;
    for (const QByteArray &raw : header.split(',')) {
        const QByteArray entry = raw.trimmed();
        if (entry.isEmpty())
            continue;
        if (entry.startsWith(BearerPrefix))
            bearers.append(entry.mid(BearerPrefix.size()));
        else if (rest)
            rest->append(entry);
    }
    if (bearers.size() != 1)
        return {};
    // Decode leniently: phoenix.js sends btoa() output without padding, others may use base64url.
    const auto decoded = QByteArray::fromBase64Encoding(
        bearers.first(), QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (decoded)
        return QString::fromUtf8(*decoded);
    const auto urlDecoded = QByteArray::fromBase64Encoding(
        bearers.first(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    return urlDecoded ? QString::fromUtf8(*urlDecoded) : QString();
}

HandshakeValidator::Decision HandshakeValidator::validate(const RequestHead &head,
                                                          const QHostAddress &peer) const
{
    if (head.method != "GET")
        return refuse(
            400,
            QStringLiteral("method %1 on the socket path").arg(QString::fromLatin1(head.method)));

    QList<QByteArray> subprotocols;
    const QString authToken =
        authTokenFromSubprotocols(head.header("sec-websocket-protocol"), &subprotocols);
    Decision d = validateConnect(head.query, QString::fromUtf8(head.header("origin")),
                                 QString::fromUtf8(head.header("host")), authToken, peer);
    if (d.status != 101)
        return d;
    if (!subprotocols.isEmpty()) {
        if (!subprotocols.contains("phoenix"))
            return refuse(403, QStringLiteral("no supported subprotocol offered"));
        d.info.phoenixSubprotocol = true;
    }
    if (!head.headerHasToken("connection", "upgrade"))
        return refuse(400, QStringLiteral("not an upgrade request"),
                      "'connection' header must contain 'upgrade'");
    if (!head.headerHasToken("upgrade", "websocket"))
        return refuse(400, QStringLiteral("not a websocket upgrade"),
                      "'upgrade' header must contain 'websocket'");
    if (head.header("sec-websocket-version") != "13")
        return refuse(400, QStringLiteral("unsupported websocket version"),
                      "'sec-websocket-version' header must equal '13'");
    if (head.header("sec-websocket-key").isEmpty())
        return refuse(400, QStringLiteral("missing sec-websocket-key"),
                      "'sec-websocket-key' header is missing");
    return d;
}

HandshakeValidator::Decision HandshakeValidator::validateConnect(const QString &query,
                                                                 const QString &origin,
                                                                 const QString &host,
                                                                 const QString &authToken,
                                                                 const QHostAddress &peer) const
{
    if (QString why; !originAllowed(origin, host, &why))
        return refuse(403, why, {}, RefusalReason::Origin);

    Decision d;
    d.info.authToken = authToken;
    d.info.params = connectparams::parse(query);
    const QJsonValue vsn = d.info.params.value(QLatin1StringView("vsn"));
    d.info.serializer = Serializer::forVsn(vsn.isString() ? vsn.toString() : QString());
    if (!d.info.serializer || (!vsn.isUndefined() && !vsn.isString()))
        return refuse(403, QStringLiteral("unsupported vsn %1").arg(vsn.toString()));

    // The session token: the `session` param, else phoenix.js authToken. With --access-token,
    // an authToken equal to it is an older client's access token, not a session.
    const QJsonValue sessionParam = d.info.params.value(QLatin1StringView("session"));
    if (!sessionParam.isUndefined() && !sessionParam.isString())
        return refuse(403, QStringLiteral("connect refused: session must be a string"), {},
                      RefusalReason::Session);
    QString sessionToken = sessionParam.toString();
    if (!m_accessToken.isEmpty()) {
        const QByteArray expected = m_accessToken.toUtf8();
        // Any `token` value counts: phoenix.js long-poll appends its session token after the
        // app's own, and the last duplicate is what the params show.
        QStringList candidates =
            QUrlQuery(query).allQueryItemValues(QStringLiteral("token"), QUrl::FullyDecoded);
        candidates +=
            QUrlQuery(query).allQueryItemValues(QStringLiteral("access_token"), QUrl::FullyDecoded);
        // Every candidate is compared, in constant time: no early exit tells which one matched.
        const bool legacyAuthToken = secretsEqual(d.info.authToken.toUtf8(), expected);
        bool matched = legacyAuthToken;
        for (const QString &token : std::as_const(candidates))
            matched = secretsEqual(token.toUtf8(), expected) || matched;
        if (!matched)
            return refuse(403, QStringLiteral("connect refused: wrong or missing token"), {},
                          RefusalReason::Token);
        if (sessionToken.isEmpty() && !legacyAuthToken)
            sessionToken = d.info.authToken;
    } else if (sessionToken.isEmpty()) {
        sessionToken = d.info.authToken;
    }

    identify(d, sessionToken, peer);
    if (d.status != 101)
        return d;
    if (m_bans) {
        if (const auto allowed = m_bans->check(d.info.user, peer, d.info.accountId); !allowed)
            return refuse(403, QStringLiteral("connect refused: %1").arg(allowed.error()), {},
                          RefusalReason::Ban);
    }
    const QJsonValue client = d.info.params.value(QLatin1StringView("client"));
    if (const auto valid = validation::checkClientKind(client); !valid)
        return refuse(403, QStringLiteral("connect refused: %1").arg(valid.error()));
    d.info.clientKind = client.toString();
    if (!m_keepParams) {
        // Read above and not again: only the diagnostics channel echoes them. Kept, they
        // cost every connection ~0.3 KiB (a JSON object) and the token's characters.
        d.info.params = {};
        d.info.authToken = QString();
    }
    return d;
}

void HandshakeValidator::identify(Decision &d, const QString &sessionToken,
                                  const QHostAddress &peer) const
{
    const QJsonValue user = d.info.params.value(QLatin1StringView("user"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (m_accounts && !sessionToken.isEmpty()) {
        const QByteArray hash = sessiontokens::hashOf(sessionToken);
        auto session = m_accounts->session(hash, now);
        std::optional<AccountDirectory::Account> storedAccount;
        if (!session && m_storedSessions) {
            if (auto stored = m_storedSessions(hash)) {
                session = std::move(stored->session);
                storedAccount = std::move(stored->account);
            }
        }
        if (!session) {
            d = refuse(403, QStringLiteral("connect refused: unknown or expired session"), {},
                       RefusalReason::Session);
            return;
        }
        // The nickname is the session's; a `user` param may only repeat it.
        if (!user.isUndefined()) {
            const QStringList asked = NicknamePolicy::keys(user.toString()).keys();
            if (!std::any_of(asked.cbegin(), asked.cend(),
                             [&](const QString &key) { return session->keys.contains(key); })) {
                d = refuse(403,
                           QStringLiteral("connect refused: user %1 is not this session's "
                                          "nickname %2")
                               .arg(user.toString(), session->display),
                           {}, RefusalReason::Session);
                return;
            }
        }
        const bool guest = session->kind == QLatin1String("guest");
        if (guest && m_accountsRequired) {
            d = refuse(403, QStringLiteral("connect refused: accounts required"), {},
                       RefusalReason::AccountsRequired);
            return;
        }
        d.info.user = session->display;
        d.info.setKeys(session->keys);
        d.info.sessionHash = hash;
        d.info.accountId = session->accountId;
        d.info.role = QStringLiteral("guest");
        if (!guest) {
            auto account = m_accounts->account(session->accountId);
            if (!account)
                account = std::move(storedAccount);
            if (!account) {
                d = refuse(403, QStringLiteral("connect refused: unknown or expired session"), {},
                           RefusalReason::Session);
                return;
            }
            d.info.user = account->display;
            d.info.role = account->role;
        }
        return;
    }

    // A bare guest: the nickname the client asks for, if nobody else holds it.
    if (const auto valid = validation::checkNickname(user); !valid) {
        d = refuse(403, QStringLiteral("connect refused: %1").arg(valid.error()), {},
                   RefusalReason::Nickname);
        return;
    }
    if (!m_accounts) {
        const NicknamePolicy::Verdict keys = NicknamePolicy::keys(user.toString());
        d.info.user = user.toString();
        d.info.setKeys(keys.keys());
        return;
    }
    if (m_accountsRequired) {
        d = refuse(403, QStringLiteral("connect refused: accounts required"), {},
                   RefusalReason::AccountsRequired);
        return;
    }
    const auto verdict = NicknamePolicy::examine(user.toString());
    if (!verdict) {
        d = refuse(403, QStringLiteral("connect refused: %1").arg(verdict.error()), {},
                   RefusalReason::Nickname);
        return;
    }
    const auto holder = m_accounts->holder(verdict->keys(), {}, peer, now);
    if (holder != AccountDirectory::Holder::Nobody) {
        d = refuse(403,
                   QStringLiteral("connect refused: %1 (%2)")
                       .arg(AccountDirectory::reason(holder), verdict->display),
                   {}, RefusalReason::Nickname);
        return;
    }
    d.info.user = verdict->display;
    d.info.setKeys(verdict->keys());
}

} // namespace chatter::server
