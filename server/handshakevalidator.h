// SPDX-License-Identifier: MIT
#pragma once

#include "accountdirectory.h"
#include "bans.h"
#include "connectinfo.h"
#include "originpolicy.h"
#include "refusalcounts.h"
#include "requesthead.h"
#include "serverconfig.h"
#include "servernames.h"

#include <functional>
#include <optional>

namespace chatter::server {

//! Runs Phoenix's connect checks on a request head before anything is upgraded, in Phoenix's
//! order (method, origin, subprotocol, vsn, connect, upgrade headers), so that every refusal is
//! a real HTTP status: phoenix.js cannot see it, but curl, proxies and logs can.
class HandshakeValidator
{
public:
    //! Without `names`, any Host is taken as the server's own; without `accounts`, nobody
    //! owns a nickname (every connect is a bare guest that nothing is checked against).
    explicit HandshakeValidator(const ServerConfig &config, const Bans *bans = nullptr,
                                const ServerNames *names = nullptr,
                                const AccountDirectory *accounts = nullptr);

    struct Decision
    {
        int status = 101;  //!< 101 to proceed, else the HTTP status to answer with
        QByteArray body;   //!< for refusals
        QString logReason; //!< why, for the log line
        RefusalReason reason = RefusalReason::BadRequest; //!< why, for /metrics
        ConnectInfo info;                                 //!< valid when status is 101
    };

    Decision validate(const RequestHead &head, const QHostAddress &peer = {}) const;

    //! A session (and its account) read from the database, not from memory.
    struct StoredIdentity
    {
        AccountDirectory::Session session;
        std::optional<AccountDirectory::Account> account;
    };
    using StoredSessions = std::function<std::optional<StoredIdentity>(const QByteArray &hash)>;
    //! In a cluster another node may have made the session a moment ago, before this node's
    //! change feed told it: a session memory does not know is looked for there before the
    //! connect is refused (docs/cluster.md). Called on the validating thread.
    void setStoredSessions(StoredSessions lookup) { m_storedSessions = std::move(lookup); }
    //! The checks every transport shares: origin, vsn, access token, identity (a session
    //! token from `authToken` or the `session` param, else a bare guest's nickname; see
    //! docs/identity.md). `authToken` is what the client sent as phoenix.js `authToken` (null
    //! when absent).
    Decision validateConnect(const QString &query, const QString &origin, const QString &host,
                             const QString &authToken, const QHostAddress &peer = {}) const;

    //! The Origin is the one the request was sent to (or an allowed one), and the Host one
    //! of the server's own names; `why` says what failed.
    bool originAllowed(const QString &origin, const QString &host, QString *why = nullptr) const;
    //! Whether `host` (a Host header) names this server, unless --allowed-origins is "*".
    bool hostAllowed(const QString &host) const;

    //! The token from a phoenix.js `authToken` subprotocol entry, or null.
    static QString authTokenFromSubprotocols(const QByteArray &header, QList<QByteArray> *rest);

private:
    //! Fills `d.info`'s identity from the session token or the `user` param, or refuses.
    void identify(Decision &d, const QString &sessionToken, const QHostAddress &peer) const;

    OriginPolicy m_origins;
    QString m_accessToken;
    //! How browsers reach the server: with TLS the port serves nothing in the clear, so a
    //! page's Origin is https:// (wss:// upgrades carry the page's Origin too).
    QString m_scheme;
    const Bans *m_bans;
    const ServerNames *m_names;
    const AccountDirectory *m_accounts;
    bool m_accountsRequired;
    StoredSessions m_storedSessions;
    bool m_keepParams; //!< --diagnostics: its channel echoes the params and auth token
};

} // namespace chatter::server
