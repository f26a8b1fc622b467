// SPDX-License-Identifier: MIT
#include "monitorpalette.h"

#include <algorithm>

namespace chatter::monitor::MonitorPalette {

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

namespace {
QColor adjusted(QColor color, const QPalette &palette)
{
    // A highlight meant for white text on a light theme can be too deep to read as a thin
    // line on a dark background, and a pale one vanishes on white.
    if (isDark(palette) && color.lightnessF() < 0.55)
        return color.lighter(140);
    if (!isDark(palette) && color.lightnessF() > 0.65)
        return color.darker(140);
    return color;
}
} // namespace

QColor accent(const QPalette &palette)
{
    return adjusted(palette.color(QPalette::Highlight), palette);
}

QColor secondaryAccent(const QPalette &palette)
{
    QColor link = palette.color(QPalette::Link);
    // Some styles make Link and Highlight the same hue; turn it towards green, which
    // reads as "traffic" rather than "error".
    if (std::abs(link.hslHue() - palette.color(QPalette::Highlight).hslHue()) < 30)
        link = QColor::fromHsl((link.hslHue() + 290) % 360, std::max(link.hslSaturation(), 120),
                               link.lightness());
    return adjusted(link, palette);
}

QColor warning(const QPalette &palette)
{
    // Saturation borrowed from the highlight keeps it in the theme's register (muted themes
    // get a muted red); lightness is what keeps it legible.
    const int saturation = std::clamp(palette.color(QPalette::Highlight).hslSaturation(), 140, 220);
    return QColor::fromHsl(4, saturation, isDark(palette) ? 170 : 105);
}

QColor translucent(QColor color, double alpha)
{
    color.setAlphaF(float(alpha));
    return color;
}

QColor band(const QPalette &palette)
{
    const QColor window = palette.color(QPalette::Window);
    return isDark(palette) ? window.lighter(118) : window.darker(104);
}

} // namespace chatter::monitor::MonitorPalette
