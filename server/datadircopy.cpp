// SPDX-License-Identifier: MIT
#include "datadircopy.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <fcntl.h>
#include <unistd.h>

namespace chatter::server::datadircopy {

Expected<void> copyFile(const QString &from, const QString &to)
{
    QFile source(from);
    if (!source.open(QIODevice::ReadOnly))
        return failure(QStringLiteral("%1: %2").arg(from, source.errorString()));
    QFile target(to);
    if (!target.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return failure(QStringLiteral("%1: %2").arg(to, target.errorString()));
    // Permissions first, so a key is never readable by others, not even while it is written.
    if (!target.setPermissions(source.permissions()))
        return failure(QStringLiteral("%1: cannot set its permissions").arg(to));
    QByteArray buffer(256 * 1024, Qt::Uninitialized);
    for (;;) {
        const qint64 read = source.read(buffer.data(), buffer.size());
        if (read < 0)
            return failure(QStringLiteral("%1: %2").arg(from, source.errorString()));
        if (read == 0)
            break;
        if (target.write(buffer.constData(), read) != read)
            return failure(QStringLiteral("%1: %2").arg(to, target.errorString()));
    }
    if (!target.flush() || ::fsync(target.handle()) != 0)
        return failure(QStringLiteral("%1: cannot write it to disk").arg(to));
    return {};
}

Expected<Totals> copyTree(const QString &from, const QString &to, bool keepExisting)
{
    Totals totals;
    const QDir root(from);
    QDirIterator it(from, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo file = it.nextFileInfo();
        // An upload still being written (FileContent's temporary name); its row comes later.
        if (file.fileName().contains(QLatin1StringView(".tmp-")))
            continue;
        const QString target = QDir(to).filePath(root.relativeFilePath(file.filePath()));
        if (keepExisting && QFileInfo::exists(target))
            continue;
        if (!QDir().mkpath(QFileInfo(target).path()))
            return failure(QStringLiteral("cannot create %1").arg(QFileInfo(target).path()));
        if (auto copied = copyFile(file.filePath(), target); !copied)
            return failure(copied.error());
        ++totals.files;
        totals.bytes += file.size();
    }
    return totals;
}

void syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

} // namespace chatter::server::datadircopy
