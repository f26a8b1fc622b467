// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArray>
#include <QStringList>

#include <memory>
#include <optional>

class QIODevice;
class QSqlDatabase;

namespace chatter::server {

//! Where the content of uploaded files lies, once per SHA-256 (docs/files-and-search.md,
//! docs/cluster.md "Files"): on disk beside SQLite (FileContent) or in PostgreSQL's
//! `file_chunks` (FileChunks), picked by the StoreLocation. The upload path, retention and
//! serving call only this, at the points where the two differ: disk writes outside the row's
//! transaction and deletes after retention's commit; PostgreSQL writes and deletes in those
//! transactions. Implementations are immutable: any thread, each method on the thread it names.
class FileContentStore
{
public:
    enum class Variant
    {
        File = 0, //!< the `variant` column of file_chunks
        Thumb = 1
    };

    virtual ~FileContentStore() = default;

    //! The file thread, before the row's transaction: disk writes the content here, off the
    //! store thread.
    virtual Expected<void> stage(const QByteArray &sha256Hex, const QByteArray &content,
                                 const QByteArray &thumb) const = 0;
    //! The store thread, in the row's transaction after its INSERT: the content must exist
    //! when the transaction commits.
    virtual Expected<void> keep(QSqlDatabase &db, const QByteArray &sha256Hex,
                                const QByteArray &content, const QByteArray &thumb) const = 0;
    //! The store thread, after the row's transaction was rolled back: what stage() wrote goes
    //! again unless a row has it.
    virtual void abandon(QSqlDatabase &db, const QByteArray &sha256Hex) const = 0;

    //! Whether retention calls removeUnused() inside the transaction that marks rows removed
    //! (true) or after its commit.
    virtual bool removesInTransaction() const = 0;
    //! The store thread, retention: removes the content of those of `hashes` no kept row has.
    //! The number removed, or a failure (then the transaction is rolled back).
    virtual Expected<int> removeUnused(QSqlDatabase &db, const QStringList &hashes) const = 0;

    //! The worker thread: the size of the content, nullopt when there is none. `connection`
    //! is the worker's database connection (HistoryReader), used while the device is read.
    virtual std::optional<qint64> sizeOf(const QString &connection, const QByteArray &sha256Hex,
                                         Variant variant) const = 0;
    //! The worker thread: `length` bytes from `first` as a device of their own (position 0 is
    //! byte `first`), open for reading, or null.
    virtual std::unique_ptr<QIODevice> open(const QString &connection, const QByteArray &sha256Hex,
                                            Variant variant, qint64 first, qint64 length) const = 0;
};

} // namespace chatter::server
