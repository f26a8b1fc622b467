// SPDX-License-Identifier: MIT
// The message markup (common/messagemarkup) on arbitrary text: the server scans every body
// with an `@` for mentions, so it must take anything. Invariants: no two text tokens in a row,
// only blocks may be empty, inline tokens stay on one line, mentions and links start as their
// rule says, and the mentioned names are mention tokens.
#include "fuzzcheck.h"
#include "messagemarkup.h"

using chatter::markup::Token;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    const QString body = QString::fromUtf8(chatter::fuzz::bytesOf(data, size));
    const QList<Token> tokens = chatter::markup::tokenize(body);
    QStringList mentions;
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        const Token &token = tokens.at(i);
        FUZZ_CHECK(token.kind == Token::Kind::Pre || !token.text.isEmpty());
        if (i > 0)
            FUZZ_CHECK(
                !(token.kind == Token::Kind::Text && tokens.at(i - 1).kind == Token::Kind::Text));
        switch (token.kind) {
        case Token::Kind::Code:
        case Token::Kind::Strong:
        case Token::Kind::Em:
            FUZZ_CHECK(!token.text.contains(u'\n'));
            break;
        case Token::Kind::Link:
            FUZZ_CHECK(token.text.startsWith(QLatin1StringView("http"), Qt::CaseInsensitive));
            FUZZ_CHECK(!token.text.contains(u' '));
            break;
        case Token::Kind::Mention:
            FUZZ_CHECK(token.text.size() > 1 && token.text.front() == u'@');
            mentions.append(token.text.sliced(1).toCaseFolded());
            break;
        case Token::Kind::Text:
        case Token::Kind::Pre:
            break;
        }
    }
    for (const QString &name : chatter::markup::mentionedNames(body))
        FUZZ_CHECK(mentions.contains(name.toCaseFolded()));
    FUZZ_CHECK(chatter::markup::tokenize(body) == tokens);
    return 0;
}
