// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArrayView>
#include <QString>

#include <mutex>

namespace chatter::server {

//! `--log-file PATH`: log lines appended to PATH; when the next line would take it past
//! `maxBytes`, PATH becomes PATH.1 (PATH.1 becomes PATH.2, and so on; the oldest beyond `keep`
//! is removed) and a new PATH is begun. Lines are never split between two files.
//! Thread-safe: Qt's message handler calls write() from whichever thread logs.
class RotatingLogFile
{
public:
    RotatingLogFile(QString path, qint64 maxBytes, int keep);
    ~RotatingLogFile();
    RotatingLogFile(const RotatingLogFile &) = delete;
    RotatingLogFile &operator=(const RotatingLogFile &) = delete;

    //! Opens (or creates) PATH for appending; the size it has counts toward the first rotation.
    Expected<void> open();
    //! Appends `line` (which carries its own line end). Nothing is written before open(), or
    //! after a rotation failed to open a new file.
    void write(QByteArrayView line);

    const QString &path() const { return m_path; }

private:
    void rotate();

    const QString m_path;
    const qint64 m_maxBytes;
    const int m_keep;
    std::mutex m_mutex;
    int m_fd = -1;     // guarded by m_mutex
    qint64 m_size = 0; // guarded by m_mutex
};

} // namespace chatter::server
