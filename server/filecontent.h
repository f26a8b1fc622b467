// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

namespace chatter::server {

//! The content of uploaded files on disk, once per SHA-256: `<root>/<2 hex>/<64 hex>` and its
//! thumbnail beside it (`….thumb`). Only paths and file operations; which content is still
//! referred to is the database's business (MessageStore's retention). Any thread.
class FileContent
{
public:
    explicit FileContent(QString root);

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
