// SPDX-License-Identifier: MIT
#include "accountdirectory.h"

#include "sqldialect.h"

#include "connectinfo.h"

#include <algorithm>
#include <mutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

namespace chatter::server {
namespace {

QString stamp(const QDateTime &at)
{
    return at.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime parseStamp(const QString &text)
{
    QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!at.isValid())
        at = QDateTime::fromString(text, Qt::ISODate);
    at.setTimeSpec(Qt::UTC);
    return at;
}

Expected<void> execute(QSqlQuery &query)
{
    if (query.exec())
        return {};
    return failure(query.lastError().text());
}

const QLatin1StringView
    SessionColumns("token_hash, kind, account_id, display, keys, created_at, last_used_at");

//! A row of SessionColumns.
AccountDirectory::Session sessionFrom(const QSqlQuery &query)
{
    AccountDirectory::Session s;
    s.hash = query.value(0).toByteArray();
    s.kind = query.value(1).toString();
    s.accountId = query.value(2).toLongLong();
    s.display = query.value(3).toString();
    s.keys = query.value(4).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    s.createdAt = parseStamp(query.value(5).toString());
    s.lastUsed = s.lastWritten = parseStamp(query.value(6).toString());
    return s;
}

} // namespace

AccountDirectory::AccountDirectory(int sessionDays, int guestHoldMinutes)
    : m_sessionSecs(qint64(sessionDays) * 24 * 3600), m_guestHoldSecs(qint64(guestHoldMinutes) * 60)
{}

Expected<QList<QByteArray>> AccountDirectory::load(QSqlDatabase &db)
{
    QHash<qint64, Account> accounts;
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT id, display, role, password_hash FROM accounts")))
        return failure(query.lastError().text());
    while (query.next()) {
        Account a;
        a.id = query.value(0).toLongLong();
        a.display = query.value(1).toString();
        a.role = query.value(2).toString();
        a.passwordHash = query.value(3).toByteArray();
        accounts.insert(a.id, a);
    }
    QHash<QString, qint64> keys;
    if (!query.exec(QStringLiteral("SELECT key, account_id FROM account_keys")))
        return failure(query.lastError().text());
    while (query.next()) {
        const qint64 id = query.value(1).toLongLong();
        if (auto it = accounts.find(id); it != accounts.end()) {
            keys.insert(query.value(0).toString(), id);
            it->keys.append(query.value(0).toString());
        }
    }
    QHash<QByteArray, Session> sessions;
    if (!query.exec(QStringLiteral("SELECT %1 FROM sessions").arg(SessionColumns)))
        return failure(query.lastError().text());
    while (query.next()) {
        const Session s = sessionFrom(query);
        if (s.kind == QLatin1String("account") && !accounts.contains(s.accountId))
            continue; // its account was removed
        sessions.insert(s.hash, s);
    }

    std::unique_lock locker(m_mutex);
    QList<QByteArray> gone;
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it) {
        auto now = sessions.find(it.key());
        if (now == sessions.end()) {
            gone.append(it.key());
            continue;
        }
        // Connects since the last write are newer than what the database says.
        if (it->lastUsed > now->lastUsed)
            now->lastUsed = it->lastUsed;
    }
    m_accounts = std::move(accounts);
    m_accountKeys = std::move(keys);
    m_sessions = std::move(sessions);
    m_guestKeys.clear();
    for (const Session &s : std::as_const(m_sessions)) {
        if (s.kind == QLatin1String("guest")) {
            for (const QString &key : s.keys)
                m_guestKeys.insert(key, s.hash);
        }
    }
    return gone;
}

std::optional<AccountDirectory::Account> AccountDirectory::account(qint64 id) const
{
    std::shared_lock locker(m_mutex);
    const auto it = m_accounts.constFind(id);
    if (it == m_accounts.cend())
        return std::nullopt;
    return *it;
}

std::optional<AccountDirectory::Account>
AccountDirectory::accountByKeys(const QStringList &keys) const
{
    std::shared_lock locker(m_mutex);
    for (const QString &key : keys) {
        if (const auto it = m_accountKeys.constFind(key); it != m_accountKeys.cend())
            return m_accounts.value(*it);
    }
    return std::nullopt;
}

bool AccountDirectory::guestHolds(const Session &session, const QDateTime &now) const
{
    // A session nobody has connected with yet gets a minute to do so, whatever the hold.
    constexpr qint64 FirstConnectSecs = 60;
    if (m_liveSessions.value(session.hash) > 0 || session.lastUsed.secsTo(now) < m_guestHoldSecs)
        return true;
    return session.lastUsed == session.createdAt &&
           session.createdAt.secsTo(now) < FirstConnectSecs;
}

std::optional<AccountDirectory::Session> AccountDirectory::session(const QByteArray &hash,
                                                                   const QDateTime &now) const
{
    std::shared_lock locker(m_mutex);
    const auto it = m_sessions.constFind(hash);
    if (it == m_sessions.cend())
        return std::nullopt;
    if (it->kind == QLatin1String("guest") ? !guestHolds(*it, now)
                                           : it->lastUsed.secsTo(now) >= m_sessionSecs)
        return std::nullopt;
    return *it;
}

AccountDirectory::AddressBytes AccountDirectory::addressBytes(const QHostAddress &address)
{
    AddressBytes bytes{};
    bool isV4 = false;
    if (const quint32 v4 = address.toIPv4Address(&isV4); isV4) {
        bytes[10] = bytes[11] = 0xff;
        for (int i = 0; i < 4; ++i)
            bytes[size_t(12 + i)] = quint8(v4 >> (24 - 8 * i));
        return bytes;
    }
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    std::copy(std::begin(v6.c), std::end(v6.c), bytes.begin());
    return bytes;
}

AccountDirectory::Holder AccountDirectory::holder(const QStringList &keys,
                                                  const QByteArray &session,
                                                  const QHostAddress &address,
                                                  const QDateTime &now) const
{
    std::shared_lock locker(m_mutex);
    const auto ownIt = session.isEmpty() ? m_sessions.cend() : m_sessions.constFind(session);
    const Session *own = ownIt == m_sessions.cend() ? nullptr : &*ownIt;
    const bool anyAddress = address.isNull(); // held by any bare guest, whatever its address
    const AddressBytes from = addressBytes(address);
    for (const QString &key : keys) {
        if (const auto it = m_accountKeys.constFind(key); it != m_accountKeys.cend()) {
            if (!own || own->accountId != *it)
                return Holder::Account;
        }
        if (const auto it = m_guestKeys.constFind(key);
            it != m_guestKeys.cend() && *it != session) {
            if (const auto s = m_sessions.constFind(*it);
                s != m_sessions.cend() && guestHolds(*s, now))
                return Holder::GuestSession;
        }
        if (const auto it = m_liveBare.constFind(key); it != m_liveBare.cend()) {
            for (const BareSockets &bare : *it) {
                if (bare.count > 0 && (anyAddress || bare.address != from))
                    return Holder::BareGuest;
            }
        }
    }
    return Holder::Nobody;
}

QString AccountDirectory::reason(Holder holder)
{
    switch (holder) {
    case Holder::Nobody:
        return {};
    case Holder::Account:
        return QStringLiteral("nickname registered");
    case Holder::GuestSession:
    case Holder::BareGuest:
        return QStringLiteral("nickname in use");
    }
    return {};
}

bool AccountDirectory::attach(const ConnectInfo &info, const QDateTime &now)
{
    std::unique_lock locker(m_mutex);
    if (!info.sessionHash.isEmpty()) {
        ++m_liveSessions[info.sessionHash];
        if (auto it = m_sessions.find(info.sessionHash); it != m_sessions.end())
            it->lastUsed = now;
        return true;
    }
    // A bare guest: checked at the handshake, and once more here, where counting makes it
    // final (two addresses may have passed the handshake at the same moment).
    const AddressBytes from = addressBytes(info.peerAddress);
    for (const QString &key : info.keys()) {
        if (const auto it = m_liveBare.constFind(key); it != m_liveBare.cend()) {
            for (const BareSockets &bare : *it) {
                if (bare.count > 0 && bare.address != from)
                    return false;
            }
        }
    }
    for (const QString &key : info.keys()) {
        auto &bares = m_liveBare[key];
        auto mine = std::find_if(bares.begin(), bares.end(),
                                 [&](const BareSockets &bare) { return bare.address == from; });
        if (mine == bares.end())
            bares.append(BareSockets{from, 1});
        else
            ++mine->count;
    }
    return true;
}

void AccountDirectory::detach(const ConnectInfo &info, const QDateTime &now)
{
    std::unique_lock locker(m_mutex);
    if (!info.sessionHash.isEmpty()) {
        auto it = m_liveSessions.find(info.sessionHash);
        if (it != m_liveSessions.end() && --*it <= 0)
            m_liveSessions.erase(it);
        // A guest's hold runs from its last socket's close.
        if (auto s = m_sessions.find(info.sessionHash); s != m_sessions.end())
            s->lastUsed = now;
        return;
    }
    const AddressBytes from = addressBytes(info.peerAddress);
    for (const QString &key : info.keys()) {
        auto it = m_liveBare.find(key);
        if (it == m_liveBare.end())
            continue;
        auto mine = std::find_if(it->begin(), it->end(),
                                 [&](const BareSockets &bare) { return bare.address == from; });
        if (mine != it->end() && --mine->count <= 0)
            it->erase(mine);
        if (it->isEmpty())
            m_liveBare.erase(it);
    }
}

int AccountDirectory::liveSockets(const QByteArray &session) const
{
    std::shared_lock locker(m_mutex);
    return m_liveSessions.value(session);
}

void AccountDirectory::putAccount(const Account &account)
{
    std::unique_lock locker(m_mutex);
    m_accounts.insert(account.id, account);
    for (const QString &key : account.keys)
        m_accountKeys.insert(key, account.id);
}

void AccountDirectory::setPassword(qint64 accountId, const QByteArray &passwordHash)
{
    std::unique_lock locker(m_mutex);
    if (auto it = m_accounts.find(accountId); it != m_accounts.end())
        it->passwordHash = passwordHash;
}

void AccountDirectory::putSession(const Session &session)
{
    std::unique_lock locker(m_mutex);
    m_sessions.insert(session.hash, session);
    if (session.kind == QLatin1String("guest")) {
        for (const QString &key : session.keys)
            m_guestKeys.insert(key, session.hash);
    }
}

bool AccountDirectory::knowsSession(const QByteArray &hash) const
{
    std::shared_lock locker(m_mutex);
    return m_sessions.contains(hash);
}

Expected<std::optional<AccountDirectory::Session>>
AccountDirectory::readSession(QSqlDatabase &db, const QByteArray &hash)
{
    QSqlQuery query(db);
    query.prepare(
        QStringLiteral("SELECT %1 FROM sessions WHERE token_hash = ?").arg(SessionColumns));
    query.addBindValue(hash);
    if (!query.exec())
        return failure(query.lastError().text());
    if (!query.next())
        return std::optional<Session>();
    return std::optional<Session>(sessionFrom(query));
}

Expected<std::optional<AccountDirectory::Account>> AccountDirectory::readAccount(QSqlDatabase &db,
                                                                                 qint64 id)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT display, role, password_hash FROM accounts WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec())
        return failure(query.lastError().text());
    if (!query.next())
        return std::optional<Account>();
    Account a;
    a.id = id;
    a.display = query.value(0).toString();
    a.role = query.value(1).toString();
    a.passwordHash = query.value(2).toByteArray();
    query.prepare(QStringLiteral("SELECT key FROM account_keys WHERE account_id = ?"));
    query.addBindValue(id);
    if (!query.exec())
        return failure(query.lastError().text());
    while (query.next())
        a.keys.append(query.value(0).toString());
    return std::optional<Account>(a);
}

void AccountDirectory::removeSession(const QByteArray &hash)
{
    std::unique_lock locker(m_mutex);
    const Session gone = m_sessions.take(hash);
    for (const QString &key : gone.keys) {
        if (m_guestKeys.value(key) == hash)
            m_guestKeys.remove(key);
    }
}

QList<QByteArray> AccountDirectory::removeSessionsOf(qint64 accountId, const QByteArray &except)
{
    std::unique_lock locker(m_mutex);
    QList<QByteArray> removed;
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        if (it->kind == QLatin1String("account") && it->accountId == accountId &&
            it.key() != except) {
            removed.append(it.key());
            it = m_sessions.erase(it);
        } else {
            ++it;
        }
    }
    return removed;
}

QList<QByteArray> AccountDirectory::expired(const QDateTime &now) const
{
    std::shared_lock locker(m_mutex);
    QList<QByteArray> hashes;
    for (const Session &s : std::as_const(m_sessions)) {
        const bool guest = s.kind == QLatin1String("guest");
        if (guest ? !guestHolds(s, now)
                  : s.lastUsed.secsTo(now) >= m_sessionSecs && !m_liveSessions.value(s.hash))
            hashes.append(s.hash);
    }
    return hashes;
}

QList<std::pair<QByteArray, QDateTime>> AccountDirectory::takeDueTouches(const QDateTime &now,
                                                                         qint64 coalesceSecs)
{
    std::unique_lock locker(m_mutex);
    QList<std::pair<QByteArray, QDateTime>> due;
    for (Session &s : m_sessions) {
        // A socket open all along is in use all along.
        if (m_liveSessions.value(s.hash) > 0)
            s.lastUsed = now;
        if (s.lastUsed > s.lastWritten && s.lastWritten.secsTo(now) >= coalesceSecs) {
            s.lastWritten = s.lastUsed;
            due.append({s.hash, s.lastUsed});
        }
    }
    return due;
}

Expected<qint64> AccountDirectory::insertAccount(QSqlDatabase &db, const Account &account,
                                                 const QDateTime &now)
{
    // The id by RETURNING where the store has it (PostgreSQL: inventory AD4).
    const bool returning = SqlDialect::of(db).returnsIds();
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO accounts (display, password_hash, role, "
                                  "created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)") +
                   (returning ? QStringLiteral(" RETURNING id") : QString()));
    insert.addBindValue(account.display);
    insert.addBindValue(QString::fromLatin1(account.passwordHash));
    insert.addBindValue(account.role);
    insert.addBindValue(stamp(now));
    insert.addBindValue(stamp(now));
    if (auto done = execute(insert); !done)
        return failure(done.error());
    const qint64 id = !returning      ? insert.lastInsertId().toLongLong()
                      : insert.next() ? insert.value(0).toLongLong()
                                      : 0;
    if (id <= 0)
        return failure(QStringLiteral("the new account has no id"));
    QSqlQuery key(db);
    key.prepare(QStringLiteral("INSERT INTO account_keys (key, account_id) VALUES (?, ?)"));
    for (const QString &k : account.keys) {
        key.addBindValue(k);
        key.addBindValue(id);
        if (auto done = execute(key); !done)
            return failure(done.error());
    }
    return id;
}

Expected<void> AccountDirectory::insertSession(QSqlDatabase &db, const Session &session)
{
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO sessions (token_hash, account_id, kind, display, "
                                  "keys, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(session.hash);
    insert.addBindValue(session.accountId > 0 ? QVariant(session.accountId)
                                              : QVariant(QMetaType(QMetaType::LongLong)));
    insert.addBindValue(session.kind);
    insert.addBindValue(session.display);
    insert.addBindValue(session.keys.join(QLatin1Char(' ')));
    insert.addBindValue(stamp(session.createdAt));
    insert.addBindValue(stamp(session.lastUsed));
    return execute(insert);
}

Expected<void> AccountDirectory::deleteSession(QSqlDatabase &db, const QByteArray &hash)
{
    QSqlQuery remove(db);
    remove.prepare(QStringLiteral("DELETE FROM sessions WHERE token_hash = ?"));
    remove.addBindValue(hash);
    return execute(remove);
}

Expected<void> AccountDirectory::deleteSessionsOf(QSqlDatabase &db, qint64 accountId,
                                                  const QByteArray &except)
{
    QSqlQuery remove(db);
    remove.prepare(QStringLiteral(
        "DELETE FROM sessions WHERE account_id = ? AND token_hash IS DISTINCT FROM ?"));
    remove.addBindValue(accountId);
    remove.addBindValue(except);
    return execute(remove);
}

Expected<void> AccountDirectory::updatePassword(QSqlDatabase &db, qint64 accountId,
                                                const QByteArray &passwordHash)
{
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE accounts SET password_hash = ? WHERE id = ?"));
    update.addBindValue(QString::fromLatin1(passwordHash));
    update.addBindValue(accountId);
    return execute(update);
}

Expected<void> AccountDirectory::touchAccount(QSqlDatabase &db, qint64 accountId,
                                              const QDateTime &now)
{
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE accounts SET last_seen_at = ? WHERE id = ?"));
    update.addBindValue(stamp(now));
    update.addBindValue(accountId);
    return execute(update);
}

} // namespace chatter::server
