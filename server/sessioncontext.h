// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"

#include <QString>

#include <memory>

namespace chatter::server {

class Channel;
class SocketSession;
struct ConnectInfo;
struct ServerConfig;
struct Subscription;

//! What a socket's protocol state (SocketSession) needs from the thread it lives on: the
//! configuration, channels for topics, the local fan-out table and the event log. Each worker
//! provides one; tests provide small fakes.
class SessionContext
{
public:
    virtual ~SessionContext() = default;

    virtual const ServerConfig &config() const = 0;
    //! A new channel for `topic` on `session`, or null when no route matches.
    virtual std::unique_ptr<Channel> createChannel(SocketSession &session,
                                                   const QString &topic) = 0;
    //! Adds a joined topic to the local fan-out; `subscription` stays valid until unsubscribed.
    virtual void subscribe(Subscription &subscription) = 0;
    virtual void unsubscribe(Subscription &subscription) = 0;
    //! Logs an event and hands it to the monitor's event stream.
    virtual void record(EngineEvent::Kind kind, const ConnectInfo &info, const QString &topic,
                        const QString &text) = 0;
    //! In a cluster, a join must not read history before this node receives the topic's
    //! broadcasts from the other nodes (docs/cluster.md, "Subscribe only where needed"). True:
    //! go on now. False: the topic is being subscribed; the connection's session gets
    //! resumeAfterTopicWait() on its thread once it is (or after a short wait without).
    virtual bool awaitTopic(const QString &topic, quint64 connectionId)
    {
        Q_UNUSED(topic);
        Q_UNUSED(connectionId);
        return true;
    }
    //! A message was answered "rate limited" instead of handled (counted for /metrics).
    virtual void noteRateLimited() {}
};

} // namespace chatter::server
