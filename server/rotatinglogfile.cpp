// SPDX-License-Identifier: MIT
#include "rotatinglogfile.h"

#include <QFile>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chatter::server {
namespace {

QByteArray encoded(const QString &path, int generation)
{
    return QFile::encodeName(
        generation == 0 ? path : path + QLatin1Char('.') + QString::number(generation));
}

int openForAppend(const QString &path)
{
    return ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                  0640);
}

} // namespace

RotatingLogFile::RotatingLogFile(QString path, qint64 maxBytes, int keep)
    : m_path(std::move(path)), m_maxBytes(maxBytes), m_keep(keep)
{}

RotatingLogFile::~RotatingLogFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Expected<void> RotatingLogFile::open()
{
    std::scoped_lock locker(m_mutex);
    const int fd = openForAppend(m_path);
    if (fd < 0)
        return failure(
            QStringLiteral("%1: %2").arg(m_path, QString::fromLocal8Bit(strerror(errno))));
    struct stat info
    {
    };
    m_size = ::fstat(fd, &info) == 0 ? qint64(info.st_size) : 0;
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
    return {};
}

void RotatingLogFile::write(QByteArrayView line)
{
    std::scoped_lock locker(m_mutex);
    // A line longer than the limit still goes whole into a file of its own.
    if (m_size > 0 && m_size + line.size() > m_maxBytes)
        rotate();
    if (m_fd < 0)
        return;
    const char *data = line.data();
    qsizetype left = line.size();
    while (left > 0) {
        const ssize_t written = ::write(m_fd, data, size_t(left));
        if (written < 0 && errno == EINTR)
            continue;
        // A full disk loses log lines, never the server: nothing else is done about it here.
        if (written <= 0)
            return;
        data += written;
        left -= written;
        m_size += written;
    }
}

void RotatingLogFile::rotate()
{
    ::close(m_fd);
    m_fd = -1;
    if (m_keep == 0) {
        ::unlink(encoded(m_path, 0).constData());
    } else {
        // PATH.(keep) is the oldest kept; renaming over it removes the one before.
        for (int generation = m_keep - 1; generation >= 0; --generation)
            ::rename(encoded(m_path, generation).constData(),
                     encoded(m_path, generation + 1).constData());
    }
    m_fd = openForAppend(m_path);
    m_size = 0;
    if (m_fd < 0)
        std::fprintf(stderr, "chatter-server: cannot open the log file %s again: %s\n",
                     encoded(m_path, 0).constData(), strerror(errno));
}

} // namespace chatter::server
