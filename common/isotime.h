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

} // namespace chatter::isotime
