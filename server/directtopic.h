// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"
#include "topics.h"

#include <QLatin1StringView>
#include <QString>

#include <functional>
#include <optional>

namespace chatter::server::directtopic {

//! A direct conversation between two registered accounts: `chatter:dm:<a>:<b>`, both
//! nicknames case-folded and sorted by code point (docs/conversations.md). Its conversation key
//! in storage is `dm:<a>:<b>` (topics::conversationKey).
inline constexpr QLatin1StringView Prefix = topics::DmPrefix;
inline constexpr QLatin1StringView Pattern = topics::DmPattern;

//! The two case-folded nicknames of a DM topic, in topic order.
struct Pair
{
    QString first;
    QString second;
};

//! The DM topic of two nicknames (any case, any order); empty when they fold to the same one.
QString of(const QString &a, const QString &b);
//! The two names of `topic` when it is spelled exactly as of() spells it, else nothing: case
//! folded, sorted, two different non-empty names without `:`.
std::optional<Pair> parse(const QString &topic);
//! `dm:<a>:<b>` for `chatter:dm:<a>:<b>`; empty for anything else.
inline QString keyOf(const QString &topic)
{
    return topic.startsWith(Prefix) ? topics::conversationKey(topic) : QString();
}
//! `chatter:dm:<a>:<b>` for `dm:<a>:<b>`; empty for anything else.
inline QString topicOf(const QString &key)
{
    return topics::isDmKey(key) ? topics::conversationTopic(key) : QString();
}
//! Whether a conversation key is a DM's.
inline bool isKey(const QString &key)
{
    return topics::isDmKey(key);
}

//! The registered nickname (display form) of the account whose nickname folds exactly to
//! `folded` (no look-alike folding), or nothing.
using DisplayOf = std::function<std::optional<QString>(const QString &folded)>;

//! Who may join `topic`: the two accounts it names, nobody else. `joiner` is the joining
//! socket's nickname, `registered` whether it speaks for an account. Returns the other side's
//! registered nickname, or the refusal: "forbidden" (a guest, someone not named, a topic not
//! spelled exactly, oneself) or "no such account" (the other side is not registered).
Expected<QString> checkJoin(const QString &topic, const QString &joiner, bool registered,
                            const DisplayOf &displayOf);

} // namespace chatter::server::directtopic
