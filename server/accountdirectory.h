// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVarLengthArray>

#include <array>
#include <optional>
#include <shared_mutex>

class QSqlDatabase;

namespace chatter::server {

struct ConnectInfo;

//! Who owns which nickname (docs/identity.md): the accounts and sessions of the database, held
//! in memory so that a connect never waits for SQLite, plus who is connected under which
//! nickname key right now (guest sessions, bare guests).
//!
//! Thread-safe (one std::shared_mutex): workers read it at every connect and count sockets in
//! and out. The stored part changes only on the store thread, right after the commit that
//! made the change (or after a reload when another process, the command line, changed the
//! database), so memory never shows what the database does not hold.
class AccountDirectory
{
public:
    struct Account
    {
        qint64 id = 0;
        QString display;
        QString role; //!< "member" or "admin"
        QStringList keys;
        QByteArray passwordHash;
    };
    struct Session
    {
        QByteArray hash; //!< SHA-256 of the token
        QString kind;    //!< "account" or "guest"
        qint64 accountId = 0;
        QString display;
        QStringList keys;
        QDateTime createdAt;
        QDateTime lastUsed;
        QDateTime lastWritten; //!< last_used_at as stored
    };
    //! Who holds a nickname, as seen by somebody who wants it.
    enum class Holder
    {
        Nobody,
        Account,      //!< registered (it or a look-alike)
        GuestSession, //!< a guest session holds it (connected, or within its hold)
        BareGuest,    //!< a bare guest is connected with it (from another address)
    };

    AccountDirectory(int sessionDays, int guestHoldMinutes);

    //! Reads accounts and sessions from `db` and replaces the stored part of the directory
    //! (live sockets stay counted); returns the hashes of sessions that are gone. Store thread.
    Expected<QList<QByteArray>> load(QSqlDatabase &db);

    std::optional<Account> account(qint64 id) const;
    std::optional<Account> accountByKeys(const QStringList &keys) const;
    //! A session that may be used now: known, not expired (an expired one is left for
    //! takeExpired() to delete).
    std::optional<Session> session(const QByteArray &hash, const QDateTime &now) const;

    //! Who, other than the asker, holds any of `keys` now. `session` is the asker's own
    //! session (empty for a bare guest), `address` where a bare guest connects from (null for
    //! anyone else: then bare guests from every address count).
    Holder holder(const QStringList &keys, const QByteArray &session, const QHostAddress &address,
                  const QDateTime &now) const;
    static QString reason(Holder holder);

    //! A socket with this identity connected / closed (every transport, on its worker).
    //! attach() fails for a bare guest whose nickname another address took in the meantime.
    bool attach(const ConnectInfo &info, const QDateTime &now);
    void detach(const ConnectInfo &info, const QDateTime &now);
    //! Sockets open now under this session.
    int liveSockets(const QByteArray &session) const;

    // After a commit, on the store thread.
    void putAccount(const Account &account);
    void setPassword(qint64 accountId, const QByteArray &passwordHash);
    void putSession(const Session &session);
    void removeSession(const QByteArray &hash);
    //! Whether memory holds this session (expired or not).
    bool knowsSession(const QByteArray &hash) const;
    //! Removes every session of the account but `except`; returns their hashes.
    QList<QByteArray> removeSessionsOf(qint64 accountId, const QByteArray &except);

    //! Sessions to delete now: account sessions unused for the session days, guest sessions
    //! without sockets past their hold.
    QList<QByteArray> expired(const QDateTime &now) const;
    //! (hash, last used) of sessions whose stored last_used_at is more than `coalesceSecs`
    //! behind; marks them written. Connects update memory only: this is the write.
    QList<std::pair<QByteArray, QDateTime>> takeDueTouches(const QDateTime &now,
                                                           qint64 coalesceSecs);

    // Store-thread helpers: each runs in the caller's transaction.
    static Expected<qint64> insertAccount(QSqlDatabase &db, const Account &account,
                                          const QDateTime &now);
    static Expected<void> insertSession(QSqlDatabase &db, const Session &session);
    //! One stored session (another writer made it: docs/cluster.md); nullopt when it is not
    //! there (deleted meanwhile).
    static Expected<std::optional<Session>> readSession(QSqlDatabase &db, const QByteArray &hash);
    static Expected<std::optional<Account>> readAccount(QSqlDatabase &db, qint64 id);
    static Expected<void> deleteSession(QSqlDatabase &db, const QByteArray &hash);
    static Expected<void> deleteSessionsOf(QSqlDatabase &db, qint64 accountId,
                                           const QByteArray &except);
    static Expected<void> updatePassword(QSqlDatabase &db, qint64 accountId,
                                         const QByteArray &passwordHash);
    static Expected<void> touchAccount(QSqlDatabase &db, qint64 accountId, const QDateTime &now);

private:
    bool guestHolds(const Session &session, const QDateTime &now) const;
    //! An address as 16 bytes, IPv4 in its mapped IPv6 form: held per bare guest socket and
    //! only compared, so no text (which cost ~40 bytes per socket and a format per connect).
    using AddressBytes = std::array<quint8, 16>;
    static AddressBytes addressBytes(const QHostAddress &address);

    const qint64 m_sessionSecs;
    const qint64 m_guestHoldSecs;
    mutable std::shared_mutex m_mutex;
    QHash<qint64, Account> m_accounts;
    QHash<QString, qint64> m_accountKeys;
    QHash<QByteArray, Session> m_sessions;
    QHash<QString, QByteArray> m_guestKeys; //!< key → guest session
    QHash<QByteArray, int> m_liveSessions;  //!< session → sockets open now
    //! Bare guest sockets open now from one address under one key.
    struct BareSockets
    {
        AddressBytes address;
        int count = 0;
    };
    //! key → its bare guests, almost always from one address: kept inline, because a nested
    //! QHash allocated about 1.5 KiB per connected nickname (bench/run.sh rss_per_conn_kb).
    QHash<QString, QVarLengthArray<BareSockets, 1>> m_liveBare;
};

} // namespace chatter::server
