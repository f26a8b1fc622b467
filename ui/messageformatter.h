// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
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
    //! A stable, readable colour per nickname (a hue from a hash of the name).
    static QColor nickColor(const QString &nickname);
    //! The body as HTML: escaped text, clickable http(s) links, my nickname highlighted.
    static QString bodyHtml(const QString &body, const QString &myNickname);
    //! The whole line: time, nickname, body; or a grey italic line for joins and leaves.
    static QString lineHtml(const client::ChatMessage &message, const QString &myNickname);
    //! The first http(s) link in `body`, empty if none (Enter on a message opens it).
    static QString firstLink(const QString &body);
};

} // namespace chatter::ui
