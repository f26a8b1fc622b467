// SPDX-License-Identifier: MIT
#pragma once

#include <QFile>
#include <QIODevice>

namespace chatter::server {

//! A byte range of a file as a device of its own (position 0 is the range's first byte), so
//! that QHttpServerResponder streams a `206` from disk as it does a whole file, instead of the
//! range being read into memory. Read-only; owned by whoever streams it (Qt, once handed over).
class FileRange : public QIODevice
{
    Q_OBJECT
public:
    FileRange(const QString &path, qint64 first, qint64 length);

    bool open(OpenMode mode) override;
    void close() override;
    bool isSequential() const override { return false; }
    qint64 size() const override { return m_length; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QFile m_file;
    qint64 m_first;
    qint64 m_length;
};

} // namespace chatter::server
