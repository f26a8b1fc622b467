// SPDX-License-Identifier: MIT
#pragma once

#include "filecontentstore.h"

namespace chatter::server {

//! The content of uploaded files in PostgreSQL's `file_chunks` (docs/cluster.md "Files"), so
//! that any node serves any file with nothing shared but the database: 256 KiB chunks per
//! SHA-256 and variant, written in the upload row's transaction if that SHA-256 has none yet,
//! deleted in retention's transaction when no kept row has them. Both take
//! `pg_advisory_xact_lock(hashtextextended(sha256, 0))`, so one node's retention and another's
//! upload of the same bytes cannot interleave. Served chunk by chunk (ChunkRange). Immutable:
//! any thread.
class FileChunks : public FileContentStore
{
public:
    static constexpr qint64 ChunkBytes = 256 * 1024;

    Expected<void> stage(const QByteArray &, const QByteArray &, const QByteArray &) const override
    {
        return {};
    }
    Expected<void> keep(QSqlDatabase &db, const QByteArray &sha256Hex, const QByteArray &content,
                        const QByteArray &thumb) const override;
    //! The rollback took the chunks with it.
    void abandon(QSqlDatabase &, const QByteArray &) const override {}
    bool removesInTransaction() const override { return true; }
    Expected<int> removeUnused(QSqlDatabase &db, const QStringList &hashes) const override;
    std::optional<qint64> sizeOf(const QString &connection, const QByteArray &sha256Hex,
                                 Variant variant) const override;
    std::unique_ptr<QIODevice> open(const QString &connection, const QByteArray &sha256Hex,
                                    Variant variant, qint64 first, qint64 length) const override;
};

} // namespace chatter::server
