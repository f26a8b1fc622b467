// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <mutex>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

class QSqlDatabase;

namespace chatter::server {

class MessageStore;

//! The stored bans (table `bans`, docs/identity.md), checked at every connect: by account, by
//! nickname keys (a look-alike of a banned nickname is banned too) and by address. The bans in
//! force are kept in memory, loaded at engine start; every change is written through the store
//! (on its thread) so bans outlive restarts. Thread-safe: workers check, admins change. The
//! store jobs it queues use it, so it must outlive them: the engine stops its store thread
//! before it deletes its Bans.
class Bans
{
public:
    struct Ban
    {
        qint64 id = 0;
        QString target;   //!< what was banned, as the admin named it (a nickname or address)
        QStringList keys; //!< nickname keys (NicknamePolicy); empty for an address ban
        qint64 accountId = 0;
        QString address; //!< empty for a nickname ban
        QString reason;
        QString createdBy;
        QDateTime createdAt;
        QDateTime until; //!< null: until lifted

        bool activeAt(const QDateTime &now) const { return until.isNull() || until > now; }
    };

    //! The bans in force (not lifted, not expired) in `db`; `lastId` gets the highest id used.
    static Expected<QList<Ban>> load(QSqlDatabase &db, qint64 *lastId);
    //! Replaces the bans in memory and writes every later change through `store` (null: memory
    //! only, for tests). SQLite: new bans get ids after `lastId` (one process writes bans).
    //! PostgreSQL (several nodes write bans): the database gives the id (`RETURNING`); until
    //! its insert ran a new ban has a provisional negative id, which a lift in between follows.
    void attach(MessageStore *store, QList<Ban> active, qint64 lastId);
    //! Replaces the bans in memory with `loaded` (read again from the store: another node or the
    //! command line changed them), keeping new ones whose insert has not run yet; returns the
    //! bans that memory did not hold before (to close their sockets). Store thread.
    QList<Ban> reload(QList<Ban> loaded);
    //! Stops writing through the store (it is about to go); the bans in memory stay.
    void detach();

    //! Bans the nickname `target` and its look-alikes (and the account that owns one of its
    //! keys, looked up in the store). A null `until` bans until lifted.
    Ban banNickname(const QString &target, const QString &reason, const QString &createdBy,
                    const QDateTime &until);
    Ban banAddress(const QHostAddress &address, const QString &reason, const QString &createdBy,
                   const QDateTime &until);
    //! Lifts every ban in force on `target`'s keys (a nickname) or on it as an address; how many.
    int liftTarget(const QString &target);
    //! Lifts one ban by id; false when no such ban is in force.
    bool lift(qint64 id);
    //! The bans in force, oldest first.
    QList<Ban> active() const;

    //! Fails with the reason when `nickname` (of account `accountId`, 0 for a guest) from
    //! `address` may not connect now.
    Expected<void> check(const QString &nickname, const QHostAddress &address,
                         qint64 accountId = 0) const;

    //! The form addresses are stored and compared in (IPv4 without its ::ffff: prefix).
    static QString addressKey(const QHostAddress &address);

private:
    Ban add(Ban ban);
    void storeLifted(const QList<qint64> &ids);
    void setAccount(qint64 banId, qint64 accountId);
    //! The stored id of a ban (its own when stored, or what its provisional id became).
    qint64 storedId(qint64 id) const;

    mutable std::mutex m_mutex;
    QList<Ban> m_bans; //!< in force or expired since; lifted ones are dropped
    qint64 m_lastId = 0;
    qint64 m_lastProvisionalId = 0;    //!< PostgreSQL: negative, counting down
    QHash<qint64, qint64> m_storedIds; //!< provisional id → the database's
    bool m_databaseIds = false;
    MessageStore *m_store = nullptr;
};

} // namespace chatter::server
