// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

namespace chatter::client {
struct ChatMessage;
}

namespace chatter::ui {

//! Colours of the message list and the body as the small HTML subset the message delegate
//! renders. The body goes through common/messagemarkup's tokens (docs/conversations.md,
//! Formatting); every character of user text is escaped, only the markup made here is HTML.
class MessageFormatter
{
public:
    //! The browser client's nickHue() (resources/web/util.js): FNV-1a over UTF-16 units, mod 360.
    static int nickHue(const QString &nickname);
    //! A stable colour per nickname (its nickHue), as light or dark as it takes to read at
    //! 4.5:1 (WCAG AA) on `background`.
    static QColor nickColor(const QString &nickname, const QColor &background = Qt::white);
    //! The avatar circle: the nickname's hue, dark enough for white initials at 4.5:1 on it.
    static QColor avatarColor(const QString &nickname);
    //! One or two letters for the avatar: the first letters of the first two parts of the
    //! name (split at `_ . -` and spaces), else its first letter; upper case.
    static QString initials(const QString &nickname);
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
    //! Links: the palette's own link colour is not always readable on its base (dark themes).
    static QColor linkColor(const QPalette &palette);
    //! Mentions of others and the "you" mark: the accent as text, 4.5:1 on base.
    static QColor accentInk(const QPalette &palette);
    //! The body as HTML from its markup tokens: Text escaped (line breaks as `<br>`, my
    //! nickname as a whole word highlighted), Code in `<code>`, Pre in `<pre>`, Strong in `<b>`,
    //! Em in `<i>`, Link in `<a href>`, Mention in `<span class="mention">` (mine highlighted).
    static QString bodyHtml(const QString &body, const QString &myNickname,
                            const QPalette &palette = QPalette());
    //! What the delegate lays out under the header: the body, then "(edited)" (an anchor
    //! EditedAnchor, for its tooltip) and the not-sent note of a pending message.
    static QString messageHtml(const client::ChatMessage &message, const QString &myNickname,
                               const QPalette &palette = QPalette());
    //! The first link in `body` as the markup finds it, empty if none (Enter opens it).
    static QString firstLink(const QString &body);

    //! The href of the "(edited)" mark: hovering it shows when; it is not a link to open.
    static inline const QString EditedAnchor = QStringLiteral("chatter:edited");
};

} // namespace chatter::ui
