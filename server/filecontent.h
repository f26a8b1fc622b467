// SPDX-License-Identifier: MIT
#pragma once

#include "filecontentstore.h"

#include <QByteArray>
#include <QString>

namespace chatter::server {

//! The content of uploaded files on disk, once per SHA-256: `<root>/<2 hex>/<64 hex>` and its
//! thumbnail beside it (`….thumb`), the store beside SQLite. Written on the file thread before
//! the row's transaction (and again in it if retention removed the same bytes meanwhile),
//! removed after retention's commit. Which content is still referred to is the database's
//! business (MessageStore's retention). Immutable: any thread.
class FileContent : public FileContentStore
{
public:
    explicit FileContent(QString root);

    Expected<void> stage(const QByteArray &sha256Hex, const QByteArray &content,
                         const QByteArray &thumb) const override;
    Expected<void> keep(QSqlDatabase &db, const QByteArray &sha256Hex, const QByteArray &content,
                        const QByteArray &thumb) const override;
    void abandon(QSqlDatabase &db, const QByteArray &sha256Hex) const override;
    bool removesInTransaction() const override { return false; }
    Expected<int> removeUnused(QSqlDatabase &db, const QStringList &hashes) const override;
    std::optional<qint64> sizeOf(const QString &connection, const QByteArray &sha256Hex,
                                 Variant variant) const override;
    std::unique_ptr<QIODevice> open(const QString &connection, const QByteArray &sha256Hex,
                                    Variant variant, qint64 first, qint64 length) const override;

    const QString &root() const { return m_root; }
    //! The path of the content with this SHA-256 (64 lower-case hex digits).
    QString pathOf(const QByteArray &sha256Hex) const;
    QString thumbPathOf(const QByteArray &sha256Hex) const;
    //! Writes `bytes` to `path` unless a file of that size is there already (the same content
    //! uploaded before): a temporary name, fsync, rename, fsync of the directory.
    static Expected<void> store(const QString &path, const QByteArray &bytes);
    //! Removes the content and thumbnail of this SHA-256.
    void remove(const QByteArray &sha256Hex) const;

private:
    QString m_root;
};

} // namespace chatter::server
