// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QTimer>

class QSocketNotifier;
class QTcpSocket;

namespace chatter::server {

//! Keeps a closing TCP connection readable for a moment after Qt lets go of it.
//!
//! QWebSocket closes its TCP socket right after writing the close frame. If the client is still
//! sending (say, the rest of an oversized frame), the kernel answers the unread bytes with a
//! RST, which can overtake the close frame: the client sees 1006 instead of 1009/1011/1012.
//! Holding a duplicate descriptor, this sends FIN only after Qt has flushed, then reads and
//! discards until the client closes too, for at most a bounded time.
class LingeringClose final : public QObject
{
    Q_OBJECT
public:
    //! Duplicates `socket`'s descriptor now; call while QWebSocket is about to close it.
    static void attach(QTcpSocket *socket, int maxMs = 2000);
    ~LingeringClose() override;

private:
    LingeringClose(int descriptor, QTcpSocket *socket, int maxMs);
    void startDraining();
    void drain();
    void finish();

    int m_descriptor;
    int m_maxMs;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_deadline;
};

} // namespace chatter::server
