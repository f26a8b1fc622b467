// SPDX-License-Identifier: MIT
// Chatter's topic names and the socket-id rule: wire vocabulary shared by server, clients and
// the monitor. Append only.
#pragma once

#include <QLatin1StringView>
#include <QString>

namespace chatter::topics {

//! A chat room: `chatter:room:<name>`.
inline constexpr QLatin1StringView RoomPrefix("chatter:room:");
inline constexpr QLatin1StringView RoomPattern("chatter:room:*");
//! The room directory: every room with its member count, and `room_update`s.
inline constexpr QLatin1StringView Rooms("chatter:rooms");
//! Administration (admin accounts only): kick, ban, unban, system messages.
inline constexpr QLatin1StringView Admin("chatter:admin");
//! A direct conversation between two accounts: `chatter:dm:<a>:<b>` (docs/conversations.md).
inline constexpr QLatin1StringView DmPrefix("chatter:dm:");
inline constexpr QLatin1StringView DmPattern("chatter:dm:*");
//! A DM's conversation key starts with this; room names cannot contain `:`.
inline constexpr QLatin1StringView DmKeyPrefix("dm:");
//! The protocol test channel, mounted only with `--diagnostics`.
inline constexpr QLatin1StringView DiagnosticPattern("chatter:diag:*");

inline QString room(const QString &name)
{
    return RoomPrefix + name;
}

//! The room name of a room topic, or an empty string for any other topic.
inline QString roomName(const QString &topic)
{
    return topic.startsWith(RoomPrefix) ? topic.sliced(RoomPrefix.size()) : QString();
}

//! The conversation key a topic is stored under: a room topic's room name, `dm:<a>:<b>` for
//! `chatter:dm:<a>:<b>`, an empty string for any other topic. History, backfill, replies,
//! edits and reactions are keyed by it, so rooms and DMs share them.
inline QString conversationKey(const QString &topic)
{
    if (topic.startsWith(RoomPrefix))
        return topic.sliced(RoomPrefix.size());
    if (topic.startsWith(DmPrefix))
        return DmKeyPrefix + topic.sliced(DmPrefix.size());
    return {};
}

//! Whether a conversation key is a DM's (which the room directory never lists).
inline bool isDmKey(const QString &key)
{
    return key.startsWith(DmKeyPrefix);
}

//! The topic of a conversation key: the inverse of conversationKey().
inline QString conversationTopic(const QString &key)
{
    if (isDmKey(key))
        return DmPrefix + key.sliced(DmKeyPrefix.size());
    return room(key);
}

//! Phoenix's socket id (`id/1` of a UserSocket): a `disconnect` broadcast for it closes every
//! socket of that user.
inline QString socketId(const QString &user)
{
    return QLatin1StringView("user_socket:") + user;
}

//! The personal topic of a registered account: `chatter:user:<nick>`, the nickname
//! case-folded (docs/conversations.md). Only that account's own sockets may join it.
inline constexpr QLatin1StringView UserPrefix("chatter:user:");
inline constexpr QLatin1StringView UserPattern("chatter:user:*");

//! The personal topic of the account whose nickname is `display`.
inline QString user(const QString &display)
{
    return UserPrefix + display.toCaseFolded();
}

} // namespace chatter::topics
