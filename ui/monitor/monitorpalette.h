// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QPalette>

namespace chatter::monitor {

//! Colours derived from the desktop's palette, never fixed: the monitor follows light and dark
//! themes because every accent is a variation of a palette role.
namespace MonitorPalette {

//! True when the window background is dark (a dark desktop theme).
bool isDark(const QPalette &palette);
//! The line colour of a chart: the highlight, lifted on dark backgrounds so it stays visible.
QColor accent(const QPalette &palette);
//! A second chart colour, distinct from accent(): the link colour, adjusted the same way.
QColor secondaryAccent(const QPalette &palette);
//! Text for trouble (refusals, protocol errors): a red whose lightness follows the theme, so
//! it reads on light and dark bases alike.
QColor warning(const QPalette &palette);
//! `color` with `alpha` (0..1), for fills under a line.
QColor translucent(QColor color, double alpha);
//! A background one step away from the window colour: the header band.
QColor band(const QPalette &palette);

} // namespace MonitorPalette
} // namespace chatter::monitor
