// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QString>

namespace chatter::server::datadircopy {

//! What beside `chatter.db` a data directory holds that a restore needs (docs/operations.md):
//! the key that signs file URLs, the uploaded files (content-addressed, never changed once
//! written), and the certificate of `--tls-self-signed`.
inline const QString FileUrlKey = QStringLiteral("file-url.key");
inline const QString Files = QStringLiteral("files");
inline const QString Tls = QStringLiteral("tls");
inline const QString Database = QStringLiteral("chatter.db");

struct Totals
{
    qint64 files = 0;
    qint64 bytes = 0;
};

//! Copies the file `from` to `to` (replaced), with `from`'s permissions (the TLS key and the
//! file-URL key are 0600), and syncs it to disk.
Expected<void> copyFile(const QString &from, const QString &to);

//! Copies the directory tree `from` into `to` (made as needed). With `keepExisting` a file
//! already at its place in `to` is left as it is (uploaded files are named by their SHA-256).
Expected<Totals> copyTree(const QString &from, const QString &to, bool keepExisting);

//! Syncs the directory `dir`, so a rename into it survives a power cut.
void syncDirectory(const QString &dir);

} // namespace chatter::server::datadircopy
