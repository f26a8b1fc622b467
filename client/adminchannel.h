// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace chatter::client {

class PhoenixChannel;
class PhoenixSocket;

//! The answer to one admin push.
struct AdminReply
{
    bool ok = false;
    QJsonObject response; //!< `{closed: N}`, `{until}`, `{id}` …
    QString error;        //!< the server's reason, or "timeout"; empty when ok
};

//! An admin's `chatter:admin` channel (docs/identity.md): kick, ban, unban, system messages.
//! Joined when the session's identity is an admin; the server refuses anyone else's join
//! ("forbidden"). Owned by ChatSession, which makes one per socket; GUI thread.
class AdminChannel : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const AdminReply &)>;

    explicit AdminChannel(PhoenixSocket *socket, QObject *parent = nullptr);
    ~AdminChannel() override;

    bool isJoined() const { return m_joined; }

    //! Closes every socket of `user` (by skeleton).
    void kick(const QString &user, Done done);
    //! A stored ban of `user` for `minutes` (0: until lifted); closes its sockets.
    void ban(const QString &user, int minutes, const QString &reason, Done done);
    void unban(const QString &user, Done done);
    //! A message from "system" in `room`.
    void postSystemMessage(const QString &room, const QString &body, Done done);

Q_SIGNALS:
    void joinedChanged(bool joined);
    //! The join was refused (not an admin after all: `reason` is "forbidden").
    void refused(const QString &reason);

private:
    void send(const QString &event, const QJsonObject &payload, Done done);
    void setJoined(bool joined);

    QPointer<PhoenixChannel> m_channel;
    bool m_joined = false;
};

} // namespace chatter::client
