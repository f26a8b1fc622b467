// SPDX-License-Identifier: MIT
#include "filecontent.h"

#include "filerange.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlQuery>

#include <fcntl.h>
#include <unistd.h>

namespace chatter::server {

FileContent::FileContent(QString root) : m_root(std::move(root)) {}

QString FileContent::pathOf(const QByteArray &sha256Hex) const
{
    return m_root + QLatin1Char('/') + QString::fromLatin1(sha256Hex.left(2)) + QLatin1Char('/') +
           QString::fromLatin1(sha256Hex);
}

QString FileContent::thumbPathOf(const QByteArray &sha256Hex) const
{
    return pathOf(sha256Hex) + QStringLiteral(".thumb");
}

Expected<void> FileContent::store(const QString &path, const QByteArray &bytes)
{
    const QFileInfo info(path);
    if (info.exists() && info.size() == bytes.size())
        return {};
    const QString dir = info.absolutePath();
    if (!QDir().mkpath(dir))
        return failure(QStringLiteral("cannot create %1").arg(dir));
    const QString temporary =
        path + QStringLiteral(".tmp-%1").arg(QRandomGenerator::system()->generate64(), 0, 16);
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly) ||
        file.write(bytes) != bytes.size() || !file.flush() || ::fsync(file.handle()) != 0) {
        const QString why = file.errorString();
        file.remove();
        return failure(QStringLiteral("cannot write %1: %2").arg(temporary, why));
    }
    file.close();
    if (::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) !=
        0) {
        QFile::remove(temporary);
        return failure(QStringLiteral("cannot rename %1").arg(temporary));
    }
    // The rename is durable once its directory is.
    if (const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY);
        fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    return {};
}

void FileContent::remove(const QByteArray &sha256Hex) const
{
    QFile::remove(pathOf(sha256Hex));
    QFile::remove(thumbPathOf(sha256Hex));
}

Expected<void> FileContent::stage(const QByteArray &sha256Hex, const QByteArray &content,
                                  const QByteArray &thumb) const
{
    auto stored = store(pathOf(sha256Hex), content);
    if (stored && !thumb.isEmpty())
        stored = store(thumbPathOf(sha256Hex), thumb);
    return stored;
}

Expected<void> FileContent::keep(QSqlDatabase &, const QByteArray &sha256Hex,
                                 const QByteArray &content, const QByteArray &thumb) const
{
    // Retention may have removed the same bytes (another upload's, no longer referred to)
    // between the file thread's write and this row: then they are written again.
    if (!QFile::exists(pathOf(sha256Hex)))
        if (auto stored = store(pathOf(sha256Hex), content); !stored)
            return stored;
    if (!thumb.isEmpty() && !QFile::exists(thumbPathOf(sha256Hex)))
        return store(thumbPathOf(sha256Hex), thumb);
    return {};
}

void FileContent::abandon(QSqlDatabase &db, const QByteArray &sha256Hex) const
{
    QSqlQuery used(db);
    used.prepare(QStringLiteral("SELECT 1 FROM files WHERE sha256 = ? AND removed = 0"));
    used.addBindValue(QString::fromLatin1(sha256Hex));
    if (used.exec() && !used.next())
        remove(sha256Hex);
}

Expected<int> FileContent::removeUnused(QSqlDatabase &db, const QStringList &hashes) const
{
    // After retention's commit. An upload of the same bytes that is being written now inserts
    // its row on the store thread, later, and writes the content again if it is gone (keep()).
    QSqlQuery stillUsed(db);
    stillUsed.prepare(QStringLiteral("SELECT 1 FROM files WHERE sha256 = ? AND removed = 0"));
    int deleted = 0;
    for (const QString &hash : hashes) {
        stillUsed.bindValue(0, hash);
        if (!stillUsed.exec())
            continue;
        const bool used = stillUsed.next();
        stillUsed.finish();
        if (!used) {
            remove(hash.toLatin1());
            ++deleted;
        }
    }
    return deleted;
}

std::optional<qint64> FileContent::sizeOf(const QString &, const QByteArray &sha256Hex,
                                          Variant variant) const
{
    const QFileInfo info(variant == Variant::Thumb ? thumbPathOf(sha256Hex) : pathOf(sha256Hex));
    if (!info.isFile())
        return std::nullopt;
    return info.size();
}

std::unique_ptr<QIODevice> FileContent::open(const QString &, const QByteArray &sha256Hex,
                                             Variant variant, qint64 first, qint64 length) const
{
    const QString path = variant == Variant::Thumb ? thumbPathOf(sha256Hex) : pathOf(sha256Hex);
    std::unique_ptr<QIODevice> device;
    // The whole file is the file itself, which Qt streams as the socket drains.
    if (first == 0 && QFileInfo(path).size() == length)
        device = std::make_unique<QFile>(path);
    else
        device = std::make_unique<FileRange>(path, first, length);
    if (!device->open(QIODevice::ReadOnly))
        return nullptr;
    return device;
}

} // namespace chatter::server
