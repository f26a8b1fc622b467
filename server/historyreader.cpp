// SPDX-License-Identifier: MIT
#include "historyreader.h"

#include "fileurls.h"
#include "logging.h"
#include "roomheads.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <limits>

namespace chatter::server {
namespace {

// Every page reads these, `m` being the message and `p` its parent (for the quote): a join on
// the primary key, no extra query.
constexpr QLatin1StringView MessageColumns(
    "m.id, m.\"user\", m.body, m.at, m.reply_to, m.edited_at, m.deleted, p.\"user\", p.body, "
    "p.deleted "
    "FROM messages m LEFT JOIN messages p ON p.id = m.reply_to ");

StoredMessage messageFrom(const QSqlQuery &q, const QString &room)
{
    StoredMessage m{q.value(0).toLongLong(), room, q.value(1).toString(), q.value(2).toString(),
                    q.value(3).toString()};
    m.replyTo = q.value(4).toLongLong();
    m.editedAt = q.value(5).toString();
    m.deleted = q.value(6).toBool();
    if (m.replyTo > 0 && !q.value(7).isNull())
        m.quote =
            Quote{q.value(7).toString(), Quote::cut(q.value(8).toString()), q.value(9).toBool()};
    return m;
}

//! Ends a cached statement's read when it goes out of scope: a statement left stepping keeps
//! its read transaction, and with it a WAL snapshot that checkpoints cannot pass.
class StatementReset
{
public:
    explicit StatementReset(QSqlQuery &q) : m_q(q) {}
    ~StatementReset() { m_q.finish(); }
    StatementReset(const StatementReset &) = delete;
    StatementReset &operator=(const StatementReset &) = delete;

private:
    QSqlQuery &m_q;
};

// `"user"` quoted (unquoted it is CURRENT_USER on PostgreSQL: every message would count) and
// the subquery named (PostgreSQL requires it): inventory HR4.
const QString CountAfterSql =
    QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE room = ? AND id > ? AND "
                   "\"user\" <> ? LIMIT ?) AS t");

} // namespace

HistoryReader::HistoryReader(StoreLocation location, const FileUrlSigner *signer,
                             const RoomHeads *heads)
    : m_dialect(std::move(location)),
      m_connectionName(QStringLiteral("chatter-read-%1").arg(quintptr(this))), m_signer(signer),
      m_heads(heads)
{}

HistoryReader::~HistoryReader()
{
    m_statements.clear();
    m_unprepared = QSqlQuery();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool HistoryReader::ensureOpen()
{
    // PostgreSQL: a connection whose server went away stays "open" in Qt and fails every
    // statement. After a failed read it is probed; a dead one is dropped and opened again, at
    // most once a second (meanwhile reads fail at once), with its statements prepared anew.
    if (m_open && std::exchange(m_readFailed, false) && m_dialect.isPostgres()) {
        bool answers = false;
        {
            QSqlQuery probe(QSqlDatabase::database(m_connectionName, false));
            answers = probe.exec(QStringLiteral("SELECT 1"));
        }
        if (!answers) {
            qCWarning(lcChannel).noquote() << "history reader: connection to PostgreSQL lost";
            m_statements.clear();
            m_unprepared = QSqlQuery();
            QSqlDatabase::database(m_connectionName, false).close();
            m_open = false;
        }
    }
    if (m_open)
        return true;
    if (m_failedAt.isValid() && m_failedAt.elapsed() < RetryMs)
        return false;
    QSqlDatabase::removeDatabase(m_connectionName); // what a failed attempt left
    if (const auto opened = m_dialect.open(m_connectionName, SqlDialect::Role::Reader); !opened) {
        qCCritical(lcChannel).noquote() << "cannot open history for reading:" << opened.error();
        m_failedAt.start();
        return false;
    }
    return m_open = true;
}

std::optional<QSqlDatabase> HistoryReader::connection()
{
    if (!ensureOpen())
        return std::nullopt;
    return QSqlDatabase::database(m_connectionName, false);
}

bool HistoryReader::run(QSqlQuery &q)
{
    if (q.exec())
        return true;
    m_readFailed = true;
    return false;
}

HistoryPage HistoryReader::query(const QString &sql, const QString &room, qint64 id, int limit,
                                 bool newestFirst)
{
    HistoryPage page;
    if (!ensureOpen())
        return page;
    QSqlQuery &q = statement(sql);
    const StatementReset reset(q);
    q.addBindValue(room);
    if (id >= 0)
        q.addBindValue(id);
    q.addBindValue(limit + 1); // one extra row tells whether there is more
    if (!run(q)) {
        qCWarning(lcChannel).noquote() << "history query failed:" << q.lastError().text();
        return page;
    }
    readPage(q, room, page);
    if (page.messages.size() > limit) {
        page.more = true;
        page.messages.removeLast();
    }
    if (newestFirst)
        std::reverse(page.messages.begin(), page.messages.end());
    attachReactions(page.messages);
    attachFiles(page.messages);
    return page;
}

void HistoryReader::readPage(QSqlQuery &q, const QString &room, HistoryPage &page)
{
    while (q.next())
        page.messages.append(messageFrom(q, room));
}

namespace {

//! A page's messages by id, and the range of their ids: what a per-page query over a table
//! keyed by message id (reactions, message_files) needs.
struct PageIds
{
    enum Which
    {
        AllMessages,
        SkipDeleted
    };
    QHash<qint64, qsizetype> row; //!< id → position in the page
    qint64 low = std::numeric_limits<qint64>::max();
    qint64 high = 0;
};

PageIds pageIds(const QList<StoredMessage> &messages, PageIds::Which which)
{
    PageIds ids;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        if (which == PageIds::SkipDeleted && messages.at(i).deleted)
            continue;
        const qint64 id = messages.at(i).id;
        ids.row.insert(id, i);
        ids.low = std::min(ids.low, id);
        ids.high = std::max(ids.high, id);
    }
    return ids;
}

} // namespace

void HistoryReader::attachReactions(QList<StoredMessage> &messages)
{
    if (messages.isEmpty())
        return;
    // One range query over the page's ids (the reactions key starts with the message id);
    // rows of other conversations' messages in that range are skipped.
    const PageIds ids = pageIds(messages, PageIds::AllMessages);
    QSqlQuery &q = statement(
        QStringLiteral("SELECT message_id, emoji, \"user\" FROM reactions "
                       "WHERE message_id BETWEEN ? AND ? ORDER BY message_id, emoji, \"user\""));
    const StatementReset reset(q);
    q.addBindValue(ids.low);
    q.addBindValue(ids.high);
    if (!run(q)) {
        qCWarning(lcChannel).noquote() << "reactions query failed:" << q.lastError().text();
        return;
    }
    while (q.next()) {
        const auto at = ids.row.constFind(q.value(0).toLongLong());
        if (at == ids.row.cend())
            continue;
        Reactions &reactions = messages[*at].reactions;
        const QString emoji = q.value(1).toString();
        if (reactions.isEmpty() || reactions.last().first != emoji)
            reactions.append({emoji, {}});
        reactions.last().second.append(q.value(2).toString());
    }
}

namespace {

constexpr QLatin1StringView FileColumns(
    "f.id, f.sha256, f.name, f.type, f.size, f.width, f.height, f.thumb_type, f.thumb_width, "
    "f.thumb_height, f.uploader ");

HistoryReader::FileRow fileRowFrom(const QSqlQuery &q, int first)
{
    HistoryReader::FileRow row;
    row.id = q.value(first).toString();
    row.sha256 = q.value(first + 1).toString().toLatin1();
    row.name = q.value(first + 2).toString();
    row.type = q.value(first + 3).toString();
    row.size = q.value(first + 4).toLongLong();
    row.width = q.value(first + 5).toInt();
    row.height = q.value(first + 6).toInt();
    row.thumbType = q.value(first + 7).toString().toLatin1();
    row.thumbWidth = q.value(first + 8).toInt();
    row.thumbHeight = q.value(first + 9).toInt();
    row.uploader = q.value(first + 10).toString();
    return row;
}

} // namespace

void HistoryReader::attachFiles(QList<StoredMessage> &messages)
{
    if (messages.isEmpty())
        return;
    const PageIds ids = pageIds(messages, PageIds::SkipDeleted);
    if (ids.row.isEmpty())
        return;
    // One range query over the page's ids, as for reactions (message_files is keyed by
    // message id and position).
    QSqlQuery &q =
        statement(QLatin1StringView("SELECT mf.message_id, ") + FileColumns +
                  QLatin1StringView("FROM message_files mf JOIN files f ON f.id = mf.file_id "
                                    "WHERE mf.message_id BETWEEN ? AND ? AND f.removed = 0 "
                                    "ORDER BY mf.message_id, mf.position"));
    const StatementReset reset(q);
    q.addBindValue(ids.low);
    q.addBindValue(ids.high);
    if (!run(q)) {
        qCWarning(lcChannel).noquote() << "attachments query failed:" << q.lastError().text();
        return;
    }
    while (q.next()) {
        const auto at = ids.row.constFind(q.value(0).toLongLong());
        if (at != ids.row.cend())
            messages[*at].attachments.append(attachmentOf(fileRowFrom(q, 1), m_signer));
    }
}

std::optional<HistoryReader::FileRow> HistoryReader::file(const QString &id)
{
    if (!ensureOpen())
        return std::nullopt;
    QSqlQuery &q = statement(QLatin1StringView("SELECT ") + FileColumns +
                             QLatin1StringView("FROM files f WHERE f.id = ? AND f.removed = 0"));
    const StatementReset reset(q);
    q.addBindValue(id);
    if (!run(q) || !q.next())
        return std::nullopt;
    return fileRowFrom(q, 0);
}

Expected<QList<Attachment>> HistoryReader::uploads(const QStringList &ids, const QString &uploader)
{
    QList<Attachment> found;
    for (const QString &id : ids) {
        const auto row = file(id);
        if (!row || row->uploader != uploader || uploader.isEmpty())
            return failure(QStringLiteral("no such file"));
        found.append(attachmentOf(*row, m_signer));
    }
    return found;
}

Attachment HistoryReader::attachmentOf(const FileRow &row, const FileUrlSigner *signer)
{
    Attachment a;
    a.id = row.id;
    a.name = row.name;
    a.type = row.type;
    a.size = row.size;
    a.width = row.width;
    a.height = row.height;
    if (!row.thumbType.isEmpty()) {
        a.thumbWidth = row.thumbWidth;
        a.thumbHeight = row.thumbHeight;
    }
    if (signer) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        a.url = signer->url(row.id, row.name, FileUrlSigner::Variant::File, now);
        if (!row.thumbType.isEmpty())
            a.thumbUrl = signer->url(row.id, {}, FileUrlSigner::Variant::Thumb, now);
    }
    return a;
}

HistoryReader::UploadUse HistoryReader::uploadedSince(const QString &uploader, const QString &since)
{
    if (!ensureOpen())
        return {};
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    return uploadedSince(db, uploader, since);
}

HistoryReader::UploadUse HistoryReader::uploadedSince(QSqlDatabase &db, const QString &uploader,
                                                      const QString &since)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT COALESCE(SUM(size), 0), MIN(created_at) FROM files "
                             "WHERE uploader = ? AND created_at >= ?"));
    q.addBindValue(uploader);
    q.addBindValue(since);
    if (!q.exec() || !q.next())
        return {};
    return {q.value(0).toLongLong(), q.value(1).toString()};
}

HistoryPage HistoryReader::recent(const QString &room, int limit)
{
    if (m_heads && m_heads->of(room).lastMessageId == 0)
        return {};
    return query(QLatin1StringView("SELECT ") + MessageColumns +
                     QLatin1StringView("WHERE m.room = ? ORDER BY m.id DESC LIMIT ?"),
                 room, -1, limit, true);
}

HistoryPage HistoryReader::after(const QString &room, qint64 lastSeenId, int limit)
{
    if (m_heads && lastSeenId >= m_heads->of(room).lastMessageId)
        return {};
    return query(QLatin1StringView("SELECT ") + MessageColumns +
                     QLatin1StringView("WHERE m.room = ? AND m.id > ? ORDER BY m.id ASC LIMIT ?"),
                 room, lastSeenId, limit, false);
}

HistoryPage HistoryReader::before(const QString &room, qint64 beforeId, int limit)
{
    return query(QLatin1StringView("SELECT ") + MessageColumns +
                     QLatin1StringView("WHERE m.room = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?"),
                 room, beforeId, limit, true);
}

std::optional<StoredMessage> HistoryReader::message(qint64 id)
{
    if (!ensureOpen())
        return std::nullopt;
    QSqlQuery &q = statement(QStringLiteral(
        "SELECT room, \"user\", body, at, author, deleted, edited_at FROM messages WHERE id = ?"));
    const StatementReset reset(q);
    q.addBindValue(id);
    if (!run(q) || !q.next())
        return std::nullopt;
    StoredMessage m{id, q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                    q.value(3).toString()};
    m.author = q.value(4).toString();
    m.deleted = q.value(5).toBool();
    m.editedAt = q.value(6).toString();
    return m;
}

qint64 HistoryReader::changeSeq(const QString &room)
{
    if (m_heads)
        return m_heads->of(room).lastChangeSeq;
    if (!ensureOpen())
        return 0;
    QSqlQuery &q = statement(QStringLiteral("SELECT MAX(seq) FROM changes WHERE room = ?"));
    const StatementReset reset(q);
    q.addBindValue(room);
    return run(q) && q.next() ? q.value(0).toLongLong() : 0;
}

HistoryPage HistoryReader::changes(const QString &room, qint64 lastSeenId, qint64 afterSeq,
                                   int limit)
{
    HistoryPage page;
    if ((m_heads && afterSeq >= m_heads->of(room).lastChangeSeq) || !ensureOpen())
        return page;
    QSqlQuery &q =
        statement(QLatin1StringView("SELECT ") + MessageColumns +
                  QLatin1StringView("JOIN changes c ON c.message_id = m.id WHERE c.room = ? AND "
                                    "c.seq > ? AND m.id <= ? ORDER BY c.seq ASC LIMIT ?"));
    const StatementReset reset(q);
    q.addBindValue(room);
    q.addBindValue(afterSeq);
    q.addBindValue(lastSeenId);
    q.addBindValue(limit + 1);
    if (!run(q)) {
        qCWarning(lcChannel).noquote() << "changes query failed:" << q.lastError().text();
        return page;
    }
    readPage(q, room, page);
    if (page.messages.size() > limit) {
        page.more = true;
        page.messages.removeLast();
    }
    attachReactions(page.messages);
    attachFiles(page.messages);
    return page;
}

QList<HistoryReader::RoomRow> HistoryReader::rooms()
{
    QList<RoomRow> rows;
    if (!ensureOpen())
        return rows;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(QStringLiteral(
            "SELECT name, last_message_id, last_activity_at, message_count FROM rooms "
            "WHERE name NOT LIKE 'dm:%'"))) {
        m_readFailed = true;
        return rows;
    }
    while (q.next())
        rows.append({q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toString(),
                     q.value(3).toLongLong()});
    return rows;
}

std::optional<HistoryReader::RoomRow> HistoryReader::room(const QString &name)
{
    if (!ensureOpen())
        return std::nullopt;
    QSqlQuery &q = statement(
        QStringLiteral("SELECT name, last_message_id, last_activity_at, message_count FROM "
                       "rooms WHERE name = ?"));
    const StatementReset reset(q);
    q.addBindValue(name);
    if (!run(q) || !q.next())
        return std::nullopt;
    return RoomRow{q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toString(),
                   q.value(3).toLongLong()};
}

QList<HistoryReader::RoomRow> HistoryReader::directRooms(const QString &folded)
{
    QList<RoomRow> rows;
    if (!ensureOpen())
        return rows;
    // Keys are `dm:<a>:<b>`: the name is either side (SqlDialect::directRooms).
    const QString first = QStringLiteral("dm:") + folded + QLatin1Char(':');
    const QString second = QLatin1Char(':') + folded;
    QSqlQuery &q = statement(m_dialect.directRooms());
    const StatementReset reset(q);
    q.addBindValue(first);
    q.addBindValue(first);
    q.addBindValue(second);
    q.addBindValue(second);
    q.addBindValue(first);
    q.addBindValue(first);
    if (!run(q))
        return rows;
    while (q.next())
        rows.append({q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toString(),
                     q.value(3).toLongLong()});
    return rows;
}

int HistoryReader::countAfter(const QString &room, qint64 afterId, const QString &exceptUser,
                              int cap)
{
    if ((m_heads && afterId >= m_heads->of(room).lastMessageId) || !ensureOpen())
        return 0;
    QSqlQuery &q = statement(CountAfterSql);
    const StatementReset reset(q);
    return countAfter(q, room, afterId, exceptUser, cap);
}

int HistoryReader::countAfter(QSqlDatabase &db, const QString &room, qint64 afterId,
                              const QString &exceptUser, int cap)
{
    QSqlQuery q(db);
    q.prepare(CountAfterSql);
    return countAfter(q, room, afterId, exceptUser, cap);
}

int HistoryReader::countAfter(QSqlQuery &q, const QString &room, qint64 afterId,
                              const QString &exceptUser, int cap)
{
    q.addBindValue(room);
    q.addBindValue(afterId);
    q.addBindValue(exceptUser);
    q.addBindValue(cap);
    return q.exec() && q.next() ? q.value(0).toInt() : 0;
}

QSqlQuery &HistoryReader::statement(const QString &sql)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        QSqlQuery q(QSqlDatabase::database(m_connectionName));
        q.setForwardOnly(true);
        if (!q.prepare(sql)) {
            // Not kept: its exec() fails and says why, and the next call prepares it again.
            m_unprepared = std::move(q);
            return m_unprepared;
        }
        it = m_statements.emplace(sql, std::move(q)).first;
    }
    return it->second;
}

} // namespace chatter::server
