// SPDX-License-Identifier: MIT
// Reserved Phoenix names and Chatter's own event names. Append only: these are wire vocabulary.
#pragma once

#include <QLatin1StringView>

namespace chatter::events {

inline constexpr QLatin1StringView Join("phx_join");
inline constexpr QLatin1StringView Leave("phx_leave");
inline constexpr QLatin1StringView Reply("phx_reply");
inline constexpr QLatin1StringView Error("phx_error");
inline constexpr QLatin1StringView Close("phx_close");
inline constexpr QLatin1StringView Heartbeat("heartbeat");
inline constexpr QLatin1StringView PhoenixTopic("phoenix");
inline constexpr QLatin1StringView PresenceState("presence_state");
inline constexpr QLatin1StringView PresenceDiff("presence_diff");
inline constexpr QLatin1StringView Disconnect("disconnect");

// Chatter's chat contract on top of Phoenix.
inline constexpr QLatin1StringView NewMessage("new_msg");
inline constexpr QLatin1StringView Ping("ping");
inline constexpr QLatin1StringView Typing("typing");
inline constexpr QLatin1StringView History("history");
//! Full-text search on room, DM and personal topics (docs/files-and-search.md).
inline constexpr QLatin1StringView Search("search");
inline constexpr QLatin1StringView Status("status");
inline constexpr QLatin1StringView RoomUpdate("room_update");
// Replies, edits, deletions and reactions (docs/conversations.md).
inline constexpr QLatin1StringView EditMessage("edit_msg");
inline constexpr QLatin1StringView DeleteMessage("delete_msg");
inline constexpr QLatin1StringView React("react");
inline constexpr QLatin1StringView MessageEdited("msg_edited");
inline constexpr QLatin1StringView MessageDeleted("msg_deleted");
inline constexpr QLatin1StringView Reactions("reactions");

// Conversations (docs/conversations.md): on rooms and DMs,
inline constexpr QLatin1StringView Read("read");
inline constexpr QLatin1StringView Mute("mute");
inline constexpr QLatin1StringView SetPrivate("set_private");
inline constexpr QLatin1StringView Invite("invite");
inline constexpr QLatin1StringView Remove("remove");
// on the personal topic, from the client,
inline constexpr QLatin1StringView OpenDm("open_dm");
inline constexpr QLatin1StringView CreateGroup("create_group");
// and pushed on it.
inline constexpr QLatin1StringView Dm("dm");
inline constexpr QLatin1StringView Mention("mention");
inline constexpr QLatin1StringView Unread("unread");
inline constexpr QLatin1StringView Muted("muted");
inline constexpr QLatin1StringView RoomInvited("room_invited");
inline constexpr QLatin1StringView RoomRemoved("room_removed");

} // namespace chatter::events

namespace chatter::presence {

//! The fields Phoenix.Presence puts in every meta.
inline constexpr QLatin1StringView PhxRef("phx_ref");
inline constexpr QLatin1StringView PhxRefPrev("phx_ref_prev");

} // namespace chatter::presence
