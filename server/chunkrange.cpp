// SPDX-License-Identifier: MIT
#include "chunkrange.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <cstring>

namespace chatter::server {

ChunkRange::ChunkRange(QString connection, QByteArray sha256Hex, int variant, qint64 chunkBytes,
                       qint64 first, qint64 length)
    : m_connection(std::move(connection)), m_sha256Hex(std::move(sha256Hex)), m_variant(variant),
      m_chunkBytes(chunkBytes), m_first(first), m_length(length)
{}

bool ChunkRange::open(OpenMode mode)
{
    if (mode != ReadOnly)
        return false;
    m_at = 0;
    return QIODevice::open(mode);
}

bool ChunkRange::seek(qint64 pos)
{
    if (pos < 0 || pos > m_length || !QIODevice::seek(pos))
        return false;
    m_at = pos;
    return true;
}

bool ChunkRange::fetch(qint64 n)
{
    if (n == m_chunkIndex)
        return true;
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(
        QStringLiteral("SELECT data FROM file_chunks WHERE sha256 = ? AND variant = ? AND n = ?"));
    query.addBindValue(QString::fromLatin1(m_sha256Hex));
    query.addBindValue(m_variant);
    query.addBindValue(n);
    if (!query.exec() || !query.next()) {
        m_chunkIndex = -1;
        m_chunk.clear();
        return false;
    }
    m_chunk = query.value(0).toByteArray();
    m_chunkIndex = n;
    return true;
}

qint64 ChunkRange::readData(char *data, qint64 maxSize)
{
    const qint64 left = m_length - m_at;
    if (left <= 0)
        return -1;
    const qint64 at = m_first + m_at;
    const qint64 offset = at % m_chunkBytes;
    if (!fetch(at / m_chunkBytes) || offset >= m_chunk.size())
        return -1;
    const qint64 count = std::min({maxSize, left, m_chunk.size() - offset});
    std::memcpy(data, m_chunk.constData() + offset, size_t(count));
    m_at += count;
    return count;
}

} // namespace chatter::server
