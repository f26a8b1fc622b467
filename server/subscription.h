// SPDX-License-Identifier: MIT
#pragma once

#include "message.h"

#include <QList>
#include <QSet>
#include <QString>

#include <memory>

namespace chatter::server {

class Channel;
class SocketSession;

//! One joined topic of one socket as the fan-out sees it. Owned by the socket's session (its
//! entry for the topic), registered with the worker's fan-out while joined, and touched only
//! on that worker's thread. Holding the delivery state here lets a broadcast reach a
//! subscriber without any lookup.
struct Subscription
{
    SocketSession *session = nullptr;
    Channel *channel = nullptr;
    //! Frames for the topic that wait while `joining`; null when none does (almost always: a
    //! list held inline cost every joined topic 16 bytes more).
    std::unique_ptr<QList<Frame>> pendingFrames;
    //! The channel's intercepts(), read once at the join.
    QSet<QString> intercepts;
    //! Until the join reply is on the wire; frames for the topic wait in `pendingFrames`.
    bool joining = true;
};

} // namespace chatter::server
