// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QIODevice>
#include <QString>

namespace chatter::server {

//! A byte range of content in PostgreSQL's `file_chunks` as a device (position 0 is the
//! range's first byte), the counterpart of FileRange: QHttpServerResponder streams it as the
//! socket drains, and each 256 KiB chunk the range touches is one query on the worker's
//! connection, when it is first read. Read-only; lives on the worker's thread (which owns the
//! connection), owned by whoever streams it (Qt, once handed over).
class ChunkRange : public QIODevice
{
    Q_OBJECT
public:
    ChunkRange(QString connection, QByteArray sha256Hex, int variant, qint64 chunkBytes,
               qint64 first, qint64 length);

    bool open(OpenMode mode) override;
    bool isSequential() const override { return false; }
    qint64 size() const override { return m_length; }
    bool seek(qint64 pos) override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    bool fetch(qint64 n);

    QString m_connection;
    QByteArray m_sha256Hex;
    int m_variant;
    qint64 m_chunkBytes;
    qint64 m_first;
    qint64 m_length;
    qint64 m_at = 0; //!< where the next readData() reads, in the range
    qint64 m_chunkIndex = -1;
    QByteArray m_chunk;
};

} // namespace chatter::server
