// SPDX-License-Identifier: MIT
#pragma once

#include <QLabel>
#include <QTimer>

namespace chatter::client {
class ChatSession;
}

namespace chatter::ui {

//! The status bar's connection state: "Connected to … as …", "Connecting…", or why the last
//! attempt failed and a countdown to the next ("refused, retrying in 3 s…").
class ConnectionStatusLabel : public QLabel
{
    Q_OBJECT
public:
    explicit ConnectionStatusLabel(client::ChatSession *session, QWidget *parent = nullptr);

    //! A failure, in words for a person rather than Qt's socket error text.
    static QString describeError(const QString &error);

private:
    void refresh();

    client::ChatSession *m_session;
    QTimer m_countdown;
};

} // namespace chatter::ui
