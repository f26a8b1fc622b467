// SPDX-License-Identifier: MIT
#include "filerange.h"

#include <algorithm>

namespace chatter::server {

FileRange::FileRange(const QString &path, qint64 first, qint64 length)
    : m_file(path), m_first(first), m_length(length)
{}

bool FileRange::open(OpenMode mode)
{
    if (mode != ReadOnly || !m_file.open(ReadOnly) || m_file.size() < m_first + m_length)
        return false;
    return QIODevice::open(mode);
}

void FileRange::close()
{
    m_file.close();
    QIODevice::close();
}

qint64 FileRange::readData(char *data, qint64 maxSize)
{
    const qint64 left = m_length - pos();
    if (left <= 0)
        return -1;
    if (!m_file.seek(m_first + pos()))
        return -1;
    return m_file.read(data, std::min(maxSize, left));
}

} // namespace chatter::server
