// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

namespace chatter::client {
struct ChatMessage;
}

namespace chatter::ui {

//! Turns a message into the small HTML subset the message delegate renders. User text is
//! always escaped: only the markup made here (links, mention highlight, colours) is HTML.
class MessageFormatter
{
public:
    //! A stable colour per nickname (a hue from a hash of the name), as light or dark as it
    //! takes to read at 4.5:1 (WCAG AA) on `background`.
    static QColor nickColor(const QString &nickname, const QColor &background = Qt::white);
    //! WCAG contrast ratio of two colours, 1 to 21.
    static double contrast(const QColor &a, const QColor &b);
    //! Whether `palette` paints text light on dark.
    static bool isDark(const QPalette &palette);
    //! Secondary text (times, joins and leaves): between text and base, still 4.5:1 on base.
    static QColor dimColor(const QPalette &palette);
    //! `base` moved `amount` (0–1) of the way towards `tint`, channel by channel.
    static QColor blend(const QColor &base, const QColor &tint, float amount);
    //! Errors and limits: a red that reads at AA on a light or a dark background.
    static QColor alarmColor(bool onDark);
    //! The body as HTML: escaped text, clickable http(s) links, my nickname highlighted.
    static QString bodyHtml(const QString &body, const QString &myNickname,
                            const QPalette &palette = QPalette());
    //! Links: the palette's own link colour is not always readable on its base (dark themes).
    static QColor linkColor(const QPalette &palette);
    //! The whole line: time, nickname, body; or a dim italic line for joins and leaves.
    //! Colours follow `palette`; lines after the first (wrapped, or after a newline in the
    //! body) start `hangingIndentPx` to the right, under the body rather than under the time.
    static QString lineHtml(const client::ChatMessage &message, const QString &myNickname,
                            const QPalette &palette = QPalette(), int hangingIndentPx = 0);
    //! The first http(s) link in `body`, empty if none (Enter on a message opens it).
    static QString firstLink(const QString &body);
};

} // namespace chatter::ui
