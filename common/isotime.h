// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace chatter::isotime {

//! `ms` since the epoch as the wire's timestamps spell it, "2026-12-05T12:54:15.123Z": what
//! QDateTime::toString(Qt::ISODateWithMs) gives for a UTC time, for years 0001–9999, at a
//! fraction of its cost (every message and every presence meta carries one).
QString fromMsecs(qint64 ms);
//! The current time in that form.
QString now();
//! The inverse: ms since the epoch of a wire timestamp. The form fromMsecs() writes is read
//! directly; any other ISO 8601 text goes through QDateTime. 0 for text that is no time.
qint64 toMsecs(QStringView text);

} // namespace chatter::isotime
