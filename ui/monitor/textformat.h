// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace chatter::monitor::TextFormat {

//! "512 B", "8.2 KB", "1.4 MB": compact enough for a table cell.
QString bytes(qint64 bytes);
//! A rate with one decimal below 10 ("8.5"), none above ("1,234").
QString rate(double value);
//! "::ffff:10.0.0.5:5123" → "10.0.0.5:5123": a v4 client of a dual-stack listener, as people
//! write it.
QString peer(const QString &peer);

} // namespace chatter::monitor::TextFormat
