// SPDX-License-Identifier: MIT
#include "bans.h"

#include "logging.h"
#include "messagestore.h"
#include "nicknamepolicy.h"

#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

namespace chatter::server {
namespace {

QString timeText(const QDateTime &at)
{
    return at.isNull() ? QString() : at.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime timeOf(const QVariant &value)
{
    return value.isNull() ? QDateTime()
                          : QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

//! The text columns are NOT NULL; a null QString would bind as NULL.
QString column(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

bool sharesKey(const QStringList &a, const QStringList &b)
{
    for (const QString &key : a)
        if (b.contains(key))
            return true;
    return false;
}

} // namespace

QString Bans::addressKey(const QHostAddress &address)
{
    // An IPv4 client may show up as ::ffff:a.b.c.d on a dual-stack socket.
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : address.toString();
}

Expected<QList<Bans::Ban>> Bans::load(QSqlDatabase &db, qint64 *lastId)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM bans")) || !query.next())
        return failure(query.lastError().text());
    *lastId = query.value(0).toLongLong();
    // Expired bans are filtered here rather than in SQL: `until` is ISO text with milliseconds,
    // compared as a time, not as a string.
    if (!query.exec(QStringLiteral(
            "SELECT id, target, keys, account_id, address, reason, created_by, created_at, until "
            "FROM bans WHERE lifted_at IS NULL ORDER BY id")))
        return failure(query.lastError().text());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<Ban> bans;
    while (query.next()) {
        Ban ban;
        ban.id = query.value(0).toLongLong();
        ban.target = query.value(1).toString();
        ban.keys = query.value(2).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        ban.accountId = query.value(3).toLongLong();
        ban.address = query.value(4).toString();
        ban.reason = query.value(5).toString();
        ban.createdBy = query.value(6).toString();
        ban.createdAt = timeOf(query.value(7));
        ban.until = timeOf(query.value(8));
        if (ban.activeAt(now))
            bans.append(std::move(ban));
    }
    return bans;
}

void Bans::attach(MessageStore *store, QList<Ban> active, qint64 lastId)
{
    std::scoped_lock locker(m_mutex);
    m_store = store;
    m_bans = std::move(active);
    m_lastId = lastId;
    m_databaseIds = store && store->dialect().returnsIds();
}

QList<Bans::Ban> Bans::reload(QList<Ban> loaded)
{
    std::scoped_lock locker(m_mutex);
    QSet<qint64> known;
    for (const Ban &ban : std::as_const(m_bans))
        known.insert(ban.id);
    QList<Ban> added;
    for (const Ban &ban : std::as_const(loaded))
        if (!known.contains(ban.id))
            added.append(ban);
    for (const Ban &ban : std::as_const(m_bans))
        if (ban.id < 0)
            loaded.append(ban);
    m_bans = std::move(loaded);
    return added;
}

void Bans::detach()
{
    std::scoped_lock locker(m_mutex);
    m_store = nullptr;
}

Bans::Ban Bans::banNickname(const QString &target, const QString &reason, const QString &createdBy,
                            const QDateTime &until)
{
    Ban ban;
    ban.target = target;
    ban.keys = NicknamePolicy::keys(target).keys();
    ban.reason = reason;
    ban.createdBy = createdBy;
    ban.until = until;
    return add(std::move(ban));
}

Bans::Ban Bans::banAddress(const QHostAddress &address, const QString &reason,
                           const QString &createdBy, const QDateTime &until)
{
    Ban ban;
    ban.address = addressKey(address);
    ban.target = ban.address;
    ban.reason = reason;
    ban.createdBy = createdBy;
    ban.until = until;
    return add(std::move(ban));
}

Bans::Ban Bans::add(Ban ban)
{
    ban.createdAt = QDateTime::currentDateTimeUtc();
    MessageStore *store = nullptr;
    {
        std::scoped_lock locker(m_mutex);
        ban.id = m_databaseIds ? --m_lastProvisionalId : ++m_lastId;
        m_bans.append(ban);
        store = m_store;
    }
    qCInfo(lcIdentity).noquote() << "ban" << ban.id << "of" << ban.target << "by" << ban.createdBy
                                 << "until"
                                 << (ban.until.isNull() ? QStringLiteral("lifted")
                                                        : timeText(ban.until));
    if (!store)
        return ban;
    store->run([this, ban](QSqlDatabase &db) {
        // The account that owns one of the keys is banned too: by id, whatever nickname it
        // signs in with later.
        qint64 accountId = 0;
        if (!ban.keys.isEmpty()) {
            QSqlQuery lookup(db);
            lookup.prepare(QStringLiteral("SELECT account_id FROM account_keys WHERE key IN "
                                          "(?, ?) LIMIT 1"));
            lookup.addBindValue(ban.keys.value(0));
            lookup.addBindValue(ban.keys.value(ban.keys.size() - 1));
            if (lookup.exec() && lookup.next())
                accountId = lookup.value(0).toLongLong();
        }
        QSqlQuery insert(db);
        const bool provisional = ban.id < 0;
        insert.prepare(provisional ? QStringLiteral("INSERT INTO bans (target, keys, account_id, "
                                                    "address, reason, created_by, created_at, "
                                                    "until) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                                                    "RETURNING id")
                                   : QStringLiteral("INSERT INTO bans (id, target, keys, "
                                                    "account_id, address, reason, created_by, "
                                                    "created_at, until) VALUES (?, ?, ?, ?, ?, ?, "
                                                    "?, ?, ?)"));
        if (!provisional)
            insert.addBindValue(ban.id);
        insert.addBindValue(column(ban.target));
        insert.addBindValue(column(ban.keys.join(QLatin1Char(' '))));
        insert.addBindValue(accountId ? QVariant(accountId)
                                      : QVariant(QMetaType::fromType<qint64>()));
        insert.addBindValue(ban.address.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                                  : QVariant(ban.address));
        insert.addBindValue(column(ban.reason));
        insert.addBindValue(column(ban.createdBy));
        insert.addBindValue(timeText(ban.createdAt));
        insert.addBindValue(ban.until.isNull() ? QVariant(QMetaType::fromType<QString>())
                                               : QVariant(timeText(ban.until)));
        if (!insert.exec()) {
            qCWarning(lcIdentity).noquote()
                << "cannot store ban" << ban.id << insert.lastError().text();
            return;
        }
        qint64 id = ban.id;
        if (provisional && insert.next()) {
            id = insert.value(0).toLongLong();
            std::scoped_lock locker(m_mutex);
            m_storedIds.insert(ban.id, id);
            for (Ban &held : m_bans)
                if (held.id == ban.id)
                    held.id = id;
        }
        if (accountId)
            setAccount(id, accountId);
    });
    return ban;
}

void Bans::setAccount(qint64 banId, qint64 accountId)
{
    std::scoped_lock locker(m_mutex);
    for (Ban &ban : m_bans)
        if (ban.id == banId)
            ban.accountId = accountId;
}

int Bans::liftTarget(const QString &target)
{
    QHostAddress address;
    const bool isAddress = address.setAddress(target);
    const QStringList keys = isAddress ? QStringList() : NicknamePolicy::keys(target).keys();
    const QString addressText = isAddress ? addressKey(address) : QString();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<qint64> lifted;
    {
        std::scoped_lock locker(m_mutex);
        m_bans.removeIf([&](const Ban &ban) {
            const bool matches = isAddress ? ban.address == addressText : sharesKey(ban.keys, keys);
            if (!matches || !ban.activeAt(now))
                return false;
            lifted.append(ban.id);
            return true;
        });
    }
    storeLifted(lifted);
    return int(lifted.size());
}

bool Bans::lift(qint64 id)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<qint64> lifted;
    {
        std::scoped_lock locker(m_mutex);
        m_bans.removeIf([&](const Ban &ban) {
            if (ban.id != id || !ban.activeAt(now))
                return false;
            lifted.append(ban.id);
            return true;
        });
    }
    storeLifted(lifted);
    return !lifted.isEmpty();
}

void Bans::storeLifted(const QList<qint64> &ids)
{
    MessageStore *store = nullptr;
    {
        std::scoped_lock locker(m_mutex);
        store = m_store;
    }
    if (ids.isEmpty() || !store)
        return;
    const QString at = timeText(QDateTime::currentDateTimeUtc());
    // After the inserts queued before it: a provisional id has its stored one by then.
    store->run([this, ids, at](QSqlDatabase &db) {
        QSqlQuery update(db);
        update.prepare(QStringLiteral("UPDATE bans SET lifted_at = ? WHERE id = ?"));
        for (const qint64 provisionalOrStored : ids) {
            const qint64 id = storedId(provisionalOrStored);
            update.addBindValue(at);
            update.addBindValue(id);
            if (!update.exec())
                qCWarning(lcIdentity).noquote()
                    << "cannot store the lifting of ban" << id << update.lastError().text();
        }
    });
}

qint64 Bans::storedId(qint64 id) const
{
    std::scoped_lock locker(m_mutex);
    return m_storedIds.value(id, id);
}

QList<Bans::Ban> Bans::active() const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    std::scoped_lock locker(m_mutex);
    QList<Ban> bans;
    for (const Ban &ban : m_bans)
        if (ban.activeAt(now))
            bans.append(ban);
    return bans;
}

Expected<void> Bans::check(const QString &nickname, const QHostAddress &address,
                           qint64 accountId) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString addressText = addressKey(address);
    QStringList keys; // computed (ICU) only when a nickname ban exists
    std::scoped_lock locker(m_mutex);
    for (const Ban &ban : m_bans) {
        if (!ban.activeAt(now))
            continue;
        const QString until = ban.until.isNull()
                                  ? QStringLiteral("until lifted")
                                  : QStringLiteral("until %1").arg(ban.until.toString(Qt::ISODate));
        if (!ban.address.isEmpty()) {
            if (ban.address == addressText)
                return failure(QStringLiteral("address banned %1").arg(until));
            continue;
        }
        if (accountId != 0 && ban.accountId == accountId)
            return failure(QStringLiteral("account banned %1").arg(until));
        if (keys.isEmpty())
            keys = NicknamePolicy::keys(nickname).keys();
        if (sharesKey(ban.keys, keys))
            return failure(QStringLiteral("nickname banned %1").arg(until));
    }
    return {};
}

} // namespace chatter::server
