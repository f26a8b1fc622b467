// SPDX-License-Identifier: MIT
#include "channelrouter.h"

namespace chatter::server {

void ChannelRouter::add(const QString &pattern, Factory factory)
{
    m_routes.emplace_back(TopicPattern(pattern), std::move(factory));
}

std::unique_ptr<Channel> ChannelRouter::create(SocketSession &session, ChannelContext &context,
                                               const QString &topic) const
{
    for (const auto &[pattern, factory] : m_routes) {
        if (pattern.matches(topic))
            return factory(session, context, topic);
    }
    return nullptr;
}

bool ChannelRouter::matches(const QString &topic) const
{
    for (const auto &route : m_routes) {
        if (route.first.matches(topic))
            return true;
    }
    return false;
}

} // namespace chatter::server
