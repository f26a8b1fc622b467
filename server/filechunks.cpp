// SPDX-License-Identifier: MIT
#include "filechunks.h"

#include "chunkrange.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace chatter::server {

namespace {

//! The lock both an upload and retention take on a SHA-256, released with their transaction.
bool lockContent(QSqlDatabase &db, const QString &sha256Hex)
{
    QSqlQuery lock(db);
    lock.prepare(QStringLiteral("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))"));
    lock.addBindValue(sha256Hex);
    return lock.exec();
}

Expected<void> insertChunks(QSqlDatabase &db, const QString &sha256Hex, int variant,
                            const QByteArray &bytes)
{
    QSqlQuery exists(db);
    exists.prepare(
        QStringLiteral("SELECT 1 FROM file_chunks WHERE sha256 = ? AND variant = ? AND n = 0"));
    exists.addBindValue(sha256Hex);
    exists.addBindValue(variant);
    if (!exists.exec())
        return failure(exists.lastError().text());
    // The same bytes uploaded before: their chunks are there, whole (written in one
    // transaction).
    if (exists.next())
        return {};
    QSqlQuery insert(db);
    insert.prepare(
        QStringLiteral("INSERT INTO file_chunks (sha256, variant, n, data) VALUES (?, ?, ?, ?)"));
    for (qint64 n = 0; n * FileChunks::ChunkBytes < bytes.size(); ++n) {
        insert.bindValue(0, sha256Hex);
        insert.bindValue(1, variant);
        insert.bindValue(2, n);
        insert.bindValue(3, bytes.mid(n * FileChunks::ChunkBytes, FileChunks::ChunkBytes));
        if (!insert.exec())
            return failure(insert.lastError().text());
    }
    return {};
}

} // namespace

Expected<void> FileChunks::keep(QSqlDatabase &db, const QByteArray &sha256Hex,
                                const QByteArray &content, const QByteArray &thumb) const
{
    const QString hash = QString::fromLatin1(sha256Hex);
    if (!lockContent(db, hash))
        return failure(QStringLiteral("cannot lock the content of %1").arg(hash));
    if (auto stored = insertChunks(db, hash, int(Variant::File), content); !stored)
        return stored;
    if (!thumb.isEmpty())
        return insertChunks(db, hash, int(Variant::Thumb), thumb);
    return {};
}

Expected<int> FileChunks::removeUnused(QSqlDatabase &db, const QStringList &hashes) const
{
    // In one order on every node: two retention passes lock the same hashes without deadlock.
    QStringList ordered = hashes;
    std::sort(ordered.begin(), ordered.end());
    QSqlQuery stillUsed(db);
    stillUsed.prepare(QStringLiteral("SELECT 1 FROM files WHERE sha256 = ? AND removed = 0"));
    QSqlQuery drop(db);
    drop.prepare(QStringLiteral("DELETE FROM file_chunks WHERE sha256 = ?"));
    int deleted = 0;
    for (const QString &hash : std::as_const(ordered)) {
        // Under the lock an upload of the same bytes has either committed its row (seen here:
        // each statement reads what was committed before it) or not yet checked for chunks
        // (it writes them again after this commit).
        if (!lockContent(db, hash))
            return failure(QStringLiteral("cannot lock the content of %1").arg(hash));
        stillUsed.bindValue(0, hash);
        if (!stillUsed.exec())
            return failure(stillUsed.lastError().text());
        const bool used = stillUsed.next();
        stillUsed.finish();
        if (used)
            continue;
        drop.bindValue(0, hash);
        if (!drop.exec())
            return failure(drop.lastError().text());
        if (drop.numRowsAffected() > 0)
            ++deleted;
    }
    return deleted;
}

std::optional<qint64> FileChunks::sizeOf(const QString &connection, const QByteArray &sha256Hex,
                                         Variant variant) const
{
    // octet_length of an uncompressed TOAST value reads its pointer, not its data.
    QSqlQuery query(QSqlDatabase::database(connection, false));
    query.prepare(QStringLiteral("SELECT count(*), coalesce(sum(octet_length(data)), 0) "
                                 "FROM file_chunks WHERE sha256 = ? AND variant = ?"));
    query.addBindValue(QString::fromLatin1(sha256Hex));
    query.addBindValue(int(variant));
    if (!query.exec() || !query.next() || query.value(0).toLongLong() == 0)
        return std::nullopt;
    return query.value(1).toLongLong();
}

std::unique_ptr<QIODevice> FileChunks::open(const QString &connection, const QByteArray &sha256Hex,
                                            Variant variant, qint64 first, qint64 length) const
{
    auto device = std::make_unique<ChunkRange>(connection, sha256Hex, int(variant), ChunkBytes,
                                               first, length);
    if (!device->open(QIODevice::ReadOnly))
        return nullptr;
    return device;
}

} // namespace chatter::server
