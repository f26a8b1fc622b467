// SPDX-License-Identifier: MIT
// Chatter's one style for expected failures (bad input, refused requests, a store that could
// not commit): a function returns its value or the reason it has none, and never throws for
// them. Exceptions are kept for bugs inside a channel, which Phoenix turns into phx_error.
#pragma once

#include <QString>

#include <expected>

namespace chatter {

//! A `T`, or the reason (for a log line or an error reply) why there is none.
template <typename T = void> using Expected = std::expected<T, QString>;

//! The failed outcome: `return failure(QStringLiteral("why"));`.
inline std::unexpected<QString> failure(QString reason)
{
    return std::unexpected<QString>(std::move(reason));
}

} // namespace chatter
