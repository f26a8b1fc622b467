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

//! Phoenix's socket id (`id/1` of a UserSocket): a `disconnect` broadcast for it closes every
//! socket of that user.
inline QString socketId(const QString &user)
{
    return QLatin1StringView("user_socket:") + user;
}

} // namespace chatter::topics
