// SPDX-License-Identifier: MIT
#pragma once

#include "topics.h"

#include <QString>

//! How the client names a conversation (docs/conversations.md): a room by its name, a DM by its
//! storage key `dm:<a>:<b>` (room names cannot contain `:`, so the two never collide). Topics
//! come from the server (open_dm, the personal topic) and map back and forth here.
namespace chatter::client::conversations {

inline constexpr QLatin1StringView DmTopicPrefix("chatter:dm:");
inline constexpr QLatin1StringView DmKeyPrefix("dm:");
inline constexpr QLatin1StringView PersonalTopicPrefix("chatter:user:");

inline bool isDm(const QString &key)
{
    return key.startsWith(DmKeyPrefix);
}

//! The key of a room or DM topic, empty for any other topic.
inline QString keyOf(const QString &topic)
{
    if (topic.startsWith(topics::RoomPrefix))
        return topic.sliced(topics::RoomPrefix.size());
    if (topic.startsWith(DmTopicPrefix))
        return DmKeyPrefix + topic.sliced(DmTopicPrefix.size());
    return {};
}

inline QString topicOf(const QString &key)
{
    if (isDm(key))
        return DmTopicPrefix + key.sliced(DmKeyPrefix.size());
    return topics::room(key);
}

} // namespace chatter::client::conversations
