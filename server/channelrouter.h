// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"
#include "topicpattern.h"

#include <functional>
#include <memory>
#include <vector>

namespace chatter::server {

//! Maps topic patterns to channel factories, first match wins (Phoenix's `channel "room:*"`).
class ChannelRouter
{
public:
    using Factory = std::function<std::unique_ptr<Channel>(SocketSession &, ChannelContext &,
                                                           const QString &topic)>;

    void add(const QString &pattern, Factory factory);
    //! A route to channels of type `T`, constructed as `T(session, context, topic)`.
    template <typename T> void add(const QString &pattern)
    {
        add(pattern, [](SocketSession &session, ChannelContext &context, const QString &topic) {
            return std::make_unique<T>(session, context, topic);
        });
    }
    //! A new channel for `topic`, or null when no route matches ("unmatched topic").
    std::unique_ptr<Channel> create(SocketSession &session, ChannelContext &context,
                                    const QString &topic) const;
    //! Whether a route matches `topic` (create() would make a channel).
    bool matches(const QString &topic) const;

private:
    std::vector<std::pair<TopicPattern, Factory>> m_routes;
};

} // namespace chatter::server
