// SPDX-License-Identifier: MIT
// The small markup of message bodies (docs/conversations.md, "Formatting"): code, code
// blocks, strong, emphasis, links and mentions. One parser for the server (who is mentioned)
// and the desktop client (what to paint); the browser's port in resources/web/markup.js passes
// the same cases (tests/data/markup-cases.json).
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace chatter::markup {

struct Token
{
    enum class Kind
    {
        Text,    //!< plain text, line breaks included
        Code,    //!< `inline code`, verbatim
        Pre,     //!< a fenced code block's lines, verbatim, without the fences
        Strong,  //!< **strong**
        Em,      //!< *emphasis*
        Link,    //!< an http(s) URL
        Mention, //!< `@name`, the `@` included
    };
    Kind kind = Kind::Text;
    QString text;

    friend bool operator==(const Token &, const Token &) = default;
};

//! The body as tokens, in order; adjacent text is one token. The tokens' text is what a reader
//! sees: markup characters and fence lines are gone, everything else is kept verbatim.
QList<Token> tokenize(const QString &body);

//! The names mentioned with `@` (without it), each once (case-insensitively), in order of
//! first appearance; mentions inside code are not mentions. `here` is returned like a name.
QStringList mentionedNames(const QString &body);

//! The body as one line of plain text, for quotes and notifications: the tokens' text, a
//! block's lines among it, every run of whitespace one space (the browser's markup.js
//! plainText does the same).
QString plainText(const QString &body);

//! The wire name of a token kind as the shared test cases spell it: text, code, pre, strong,
//! em, link, mention.
QString kindName(Token::Kind kind);

} // namespace chatter::markup
