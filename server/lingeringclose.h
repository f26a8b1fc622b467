// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QTimer>

class QSocketNotifier;

namespace chatter::server {

//! Closes a TCP connection without losing the last frame written to it.
//!
//! Closing a socket that still has unread input makes the kernel answer with a RST, which can
//! overtake the close frame just written: a client still sending (say, the rest of an
//! oversized frame) would see 1006 instead of 1009/1011/1012. This sends FIN after what was
//! written, then reads and discards until the client closes too, for at most a bounded time.
class LingeringClose final : public QObject
{
    Q_OBJECT
public:
    //! Takes ownership of `descriptor`, whose output must already be written.
    static void start(int descriptor, QObject *parent, int maxMs = 2000);
    //! How many are lingering now, in the whole process.
    static int liveCount();
    ~LingeringClose() override;

private:
    LingeringClose(int descriptor, QObject *parent, int maxMs);
    void drain();
    void finish();

    int m_descriptor;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_deadline;
};

} // namespace chatter::server
