// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QSocketNotifier;

namespace chatter::server {

//! Turns SIGTERM and SIGINT (shutdown) and SIGHUP (reload the TLS certificate) into Qt signals
//! on the main thread (self-pipe), so they run as ordinary event-loop code: shutdown can close
//! every socket with 1012.
class UnixSignals : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminationRequested(int signal);
    void reloadRequested();

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace chatter::server
