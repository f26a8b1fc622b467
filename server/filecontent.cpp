// SPDX-License-Identifier: MIT
#include "filecontent.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

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

} // namespace chatter::server
