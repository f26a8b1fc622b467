// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QSocketNotifier;

namespace chatter::server {

//! Turns SIGTERM and SIGINT into a Qt signal on the main thread (self-pipe), so shutdown runs
//! as ordinary event-loop code and can close every socket with 1012.
class UnixSignals : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace chatter::server
