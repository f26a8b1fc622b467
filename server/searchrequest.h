// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"
#include "searcher.h"

#include <optional>

namespace chatter::server {

class ChannelContext;

//! The `search` event of room, DM and personal topics (docs/files-and-search.md): checks the
//! payload, hands the search to the search thread and completes the deferred reply when the
//! results come back. The channel says what may be read (`scope`).
namespace searchrequest {

inline constexpr int DefaultLimit = 20;
inline constexpr int MaxLimit = 50;

HandleResult handle(ChannelContext &context, const InboundEvent &in, const QString &topic,
                    Searcher::Scope scope);

//! Where a page starts, carried by the opaque cursor. The cursor is tied to the topic and the
//! query it was made for (a digest of both), and says nothing of what may be read.
struct Cursor
{
    qint64 offset = 0;   //!< ranked results to skip
    qint64 beforeId = 0; //!< filters only: messages older than this
};
QString encodeCursor(const Cursor &cursor, const QString &topic, const QString &query);
//! The cursor, or nothing when it was not made for this topic and query or was altered.
std::optional<Cursor> decodeCursor(const QString &text, const QString &topic, const QString &query);

} // namespace searchrequest
} // namespace chatter::server
