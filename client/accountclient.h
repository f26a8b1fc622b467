// SPDX-License-Identifier: MIT
#pragma once

#include "certificatepins.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace chatter::client {

//! Who a session token speaks for: the server's answer to a sign-in, a registration, a guest
//! entry or `GET /api/sessions`.
struct Identity
{
    QString user;  //!< the display form of the nickname, as others see it
    QString token; //!< the session token (empty for `GET /api/sessions`, which has it)
    QString role;  //!< "member", "admin" or "guest"
    QString kind;  //!< "account" or "guest" (only `GET /api/sessions` says)
    //! `chatter:user:<nick>` for registered accounts: the personal topic, spelled by the server
    //! (docs/conversations.md); empty for guests and servers without conversations.
    QString personalTopic;

    bool isValid() const { return !user.isEmpty(); }
    bool isAdmin() const { return role == QLatin1String("admin"); }
    bool isGuest() const { return role == QLatin1String("guest"); }
    //! A registered account (member or admin): DMs, the personal topic, stored read state.
    bool isRegistered() const { return isValid() && !isGuest() && !token.isEmpty(); }
};

//! The answer to one account request.
struct AccountResult
{
    //! The HTTP status; 0 when there was none (refused, unreachable, untrusted certificate).
    int status = 0;
    //! The server's `{"error": …}`, or what went wrong on the way, for humans; empty on success.
    QString error;
    //! `Retry-After` of a 429, in seconds; 0 otherwise.
    int retryAfterSeconds = 0;
    Identity identity;
    //! Set when an https server showed a certificate neither verified nor pinned.
    UntrustedCertificate certificate;
    bool untrustedCertificate = false;

    bool ok() const { return status >= 200 && status < 300; }
    //! One sentence for the user: the server's reason with what the status means.
    QString describe() const;
};

//! The account HTTP API of one Chatter server (docs/identity.md): register, sign in, guest
//! entry, sign out, change password, "who am I". JSON in and out over QNetworkAccessManager;
//! https certificates are verified as usual or accepted when pinned (CertificatePins), as the
//! socket does. Lives on the thread that created it (the GUI thread); callbacks run there, and
//! never after the client is destroyed (its replies die with it).
class AccountClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const AccountResult &)>;

    explicit AccountClient(QObject *parent = nullptr);
    ~AccountClient() override;

    //! `server` as ChatSession takes it: `host`, `host:port` or a ws://, wss://, http:// or
    //! https:// URL (wss means https); the port defaults to 4000.
    void setServer(const QString &server);
    QUrl baseUrl() const { return m_base; }
    static QUrl baseUrlFor(const QString &server);
    void setCertificatePins(CertificatePins *pins) { m_pins = pins; }

    void registerAccount(const QString &user, const QString &password, Callback done);
    void signIn(const QString &user, const QString &password, Callback done);
    void enterAsGuest(const QString &user, Callback done);
    //! Revokes the session of `token`; its sockets are closed by the server.
    void signOut(const QString &token, Callback done);
    void changePassword(const QString &token, const QString &oldPassword,
                        const QString &newPassword, Callback done);
    //! `GET /api/sessions`: whom `token` speaks for; 401 when it was revoked or has expired.
    void whoAmI(const QString &token, Callback done);

private:
    void send(const QByteArray &verb, const QString &path, const QString &token,
              const QJsonObject &body, bool hasBody, Callback done);
    void finish(QNetworkReply *reply, const Callback &done);

    QNetworkAccessManager *m_network;
    QUrl m_base;
    CertificatePins *m_pins = nullptr;
};

} // namespace chatter::client
