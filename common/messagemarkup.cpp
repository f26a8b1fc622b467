// SPDX-License-Identifier: MIT
#include "messagemarkup.h"

#include <QSet>

namespace chatter::markup {
namespace {

const QLatin1StringView Fence("```");

//! The code point that ends just before `i` (0 at the start).
char32_t codePointBefore(const QString &s, qsizetype i)
{
    if (i <= 0)
        return 0;
    const QChar low = s.at(i - 1);
    if (low.isLowSurrogate() && i >= 2 && s.at(i - 2).isHighSurrogate())
        return QChar::surrogateToUcs4(s.at(i - 2), low);
    return low.unicode();
}

//! The code point that starts at `i` (0 past the end), and how many code units it takes.
char32_t codePointAt(const QString &s, qsizetype i, int *units = nullptr)
{
    if (units)
        *units = 1;
    if (i >= s.size())
        return 0;
    const QChar high = s.at(i);
    if (high.isHighSurrogate() && i + 1 < s.size() && s.at(i + 1).isLowSurrogate()) {
        if (units)
            *units = 2;
        return QChar::surrogateToUcs4(high, s.at(i + 1));
    }
    return high.unicode();
}

bool isWordChar(char32_t c)
{
    return c != 0 && (QChar::isLetterOrNumber(c) || c == U'_');
}

bool isNickChar(char32_t c)
{
    return isWordChar(c) || c == U'.' || c == U'-';
}

class InlineParser
{
public:
    InlineParser(const QString &s, QList<Token> &out) : m_s(s), m_out(out) {}

    void run()
    {
        qsizetype i = 0;
        while (i < m_s.size()) {
            const qsizetype next = tryToken(i);
            if (next > i) {
                i = next;
                continue;
            }
            int units = 1;
            codePointAt(m_s, i, &units);
            m_text += QStringView(m_s).mid(i, units);
            i += units;
        }
        flushText();
    }

private:
    //! The position after a token that starts at `i`, or `i` when none does.
    qsizetype tryToken(qsizetype i)
    {
        const QChar c = m_s.at(i);
        if (c == u'`')
            return code(i);
        if (c == u'*') {
            if (const qsizetype end = strong(i); end > i)
                return end;
            return emphasis(i);
        }
        if (c == u'h' || c == u'H')
            return link(i);
        if (c == u'@')
            return mention(i);
        return i;
    }

    qsizetype code(qsizetype i)
    {
        for (qsizetype j = i + 1; j < m_s.size(); ++j) {
            const QChar c = m_s.at(j);
            if (c == u'\n')
                return i;
            if (c == u'`')
                return j > i + 1 ? emit(Token::Kind::Code, i + 1, j, j + 1) : i;
        }
        return i;
    }

    //! Inner text of strong/emphasis: not empty, no line break, no space at either end.
    static bool plainInner(QStringView inner)
    {
        return !inner.isEmpty() && !inner.contains(u'\n') && !inner.front().isSpace() &&
               !inner.back().isSpace();
    }

    qsizetype strong(qsizetype i)
    {
        if (!QStringView(m_s).mid(i).startsWith(u"**"))
            return i;
        const qsizetype close = m_s.indexOf(QLatin1StringView("**"), i + 2);
        if (close < 0 || !plainInner(QStringView(m_s).mid(i + 2, close - i - 2)))
            return i;
        return emit(Token::Kind::Strong, i + 2, close, close + 2);
    }

    qsizetype emphasis(qsizetype i)
    {
        if (isLetterOrDigit(codePointBefore(m_s, i)))
            return i;
        const qsizetype close = m_s.indexOf(u'*', i + 1);
        if (close < 0 || !plainInner(QStringView(m_s).mid(i + 1, close - i - 1)) ||
            isLetterOrDigit(codePointAt(m_s, close + 1)))
            return i;
        return emit(Token::Kind::Em, i + 1, close, close + 1);
    }

    static bool isLetterOrDigit(char32_t c) { return c != 0 && QChar::isLetterOrNumber(c); }

    qsizetype link(qsizetype i)
    {
        const QStringView rest = QStringView(m_s).mid(i);
        qsizetype scheme = 0;
        if (rest.startsWith(u"https://", Qt::CaseInsensitive))
            scheme = 8;
        else if (rest.startsWith(u"http://", Qt::CaseInsensitive))
            scheme = 7;
        if (scheme == 0 || isWordChar(codePointBefore(m_s, i)))
            return i;
        qsizetype end = i + scheme;
        while (end < m_s.size()) {
            const QChar c = m_s.at(end);
            if (c.isSpace() || c == u'<' || c == u'>' || c == u'"')
                break;
            ++end;
        }
        // Trailing punctuation usually ends the sentence, not the link; a ")" stays only when
        // the URL opened one itself (Wikipedia-style links).
        for (;;) {
            const QChar last = m_s.at(end - 1);
            const QStringView url = QStringView(m_s).mid(i, end - i);
            if (QStringView(u".,;:!?'*").contains(last))
                --end;
            else if (last == u')' && url.count(u'(') < url.count(u')'))
                --end;
            else
                break;
        }
        if (end - i <= scheme)
            return i;
        return emit(Token::Kind::Link, i, end, end);
    }

    qsizetype mention(qsizetype i)
    {
        if (isWordChar(codePointBefore(m_s, i)))
            return i;
        qsizetype end = i + 1;
        while (end < m_s.size()) {
            int units = 1;
            if (!isNickChar(codePointAt(m_s, end, &units)))
                break;
            end += units;
        }
        while (end > i + 1 && (m_s.at(end - 1) == u'.' || m_s.at(end - 1) == u'-'))
            --end;
        if (end == i + 1)
            return i;
        return emit(Token::Kind::Mention, i, end, end);
    }

    qsizetype emit(Token::Kind kind, qsizetype from, qsizetype to, qsizetype next)
    {
        flushText();
        m_out.append({kind, m_s.mid(from, to - from)});
        return next;
    }

    void flushText()
    {
        if (m_text.isEmpty())
            return;
        if (!m_out.isEmpty() && m_out.back().kind == Token::Kind::Text)
            m_out.back().text += m_text;
        else
            m_out.append({Token::Kind::Text, m_text});
        m_text.clear();
    }

    const QString &m_s;
    QList<Token> &m_out;
    QString m_text;
};

bool isClosingFence(QStringView line)
{
    return line.startsWith(Fence) && line.sliced(Fence.size()).trimmed().isEmpty();
}

} // namespace

QList<Token> tokenize(const QString &body)
{
    QList<Token> tokens;
    const QStringList lines = body.split(u'\n');
    QStringList prose; // lines outside blocks, parsed together so that text spans line breaks
    auto flushProse = [&] {
        if (prose.isEmpty())
            return;
        InlineParser(prose.join(u'\n'), tokens).run();
        prose.clear();
    };
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &line = lines.at(i);
        if (!line.startsWith(Fence)) {
            prose.append(line);
            continue;
        }
        flushProse();
        const QStringView opening = QStringView(line).sliced(Fence.size());
        // ```one line``` is a block of its own line.
        if (opening.size() > Fence.size() && opening.endsWith(Fence)) {
            tokens.append({Token::Kind::Pre, opening.chopped(Fence.size()).toString()});
            continue;
        }
        QStringList block;
        for (++i; i < lines.size() && !isClosingFence(lines.at(i)); ++i)
            block.append(lines.at(i));
        tokens.append({Token::Kind::Pre, block.join(u'\n')});
    }
    flushProse();
    return tokens;
}

QStringList mentionedNames(const QString &body)
{
    QStringList names;
    if (!body.contains(u'@'))
        return names;
    QSet<QString> seen;
    for (const Token &token : tokenize(body)) {
        if (token.kind != Token::Kind::Mention)
            continue;
        const QString name = token.text.sliced(1);
        if (!seen.contains(name.toCaseFolded())) {
            seen.insert(name.toCaseFolded());
            names.append(name);
        }
    }
    return names;
}

QString plainText(const QString &body)
{
    QString text;
    for (const Token &token : tokenize(body)) {
        if (token.kind == Token::Kind::Pre)
            text += QLatin1Char(' ') + token.text + QLatin1Char(' ');
        else
            text += token.text;
    }
    return text.simplified();
}

QString kindName(Token::Kind kind)
{
    switch (kind) {
    case Token::Kind::Text:
        return QStringLiteral("text");
    case Token::Kind::Code:
        return QStringLiteral("code");
    case Token::Kind::Pre:
        return QStringLiteral("pre");
    case Token::Kind::Strong:
        return QStringLiteral("strong");
    case Token::Kind::Em:
        return QStringLiteral("em");
    case Token::Kind::Link:
        return QStringLiteral("link");
    case Token::Kind::Mention:
        return QStringLiteral("mention");
    }
    return {};
}

} // namespace chatter::markup
