// SPDX-License-Identifier: MIT
// What the chat contract accepts. Each check fails with the reason sent to the client.
#pragma once

#include "expected.h"

#include <QJsonValue>
#include <QString>

namespace chatter::validation {

inline constexpr int MaxNicknameLength = 32;
inline constexpr int MaxRoomNameLength = 64;
inline constexpr int MaxBodyLength = 4000;
//! A reaction's emoji, in UTF-16 code units (a flag or a family sequence is several).
inline constexpr int MaxEmojiLength = 32;
//! Distinct emoji on one message.
inline constexpr int MaxReactionEmoji = 20;

//! 1–32 letters or digits of any script, or `_ . -`.
Expected<void> checkNickname(const QJsonValue &nickname);
//! `[A-Za-z0-9._-]{1,64}`, the part of the topic after `chatter:room:`.
Expected<void> checkRoomName(const QString &room);
//! A non-blank string of at most MaxBodyLength characters.
Expected<void> checkBody(const QJsonValue &body);
//! A reaction: a string of 1–MaxEmojiLength UTF-16 code units without whitespace or control
//! characters ("invalid emoji"). Not a check that it is an emoji: Unicode adds them yearly.
Expected<void> checkEmoji(const QJsonValue &emoji);
//! The `client` connect parameter: absent, or one of desktop, web, mobile, bot. It goes into
//! every presence meta, so it is a short word from a fixed list, not free text.
Expected<void> checkClientKind(const QJsonValue &client);

} // namespace chatter::validation
