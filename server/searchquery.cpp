// SPDX-License-Identifier: MIT
#include "searchquery.h"

namespace chatter::server {
namespace {

//! One piece of the typed query: a word (perhaps `from:x`, `in:x` or `x*`) or a phrase.
struct Token
{
    QString text;
    bool phrase = false;
};

QList<Token> tokenize(const QString &text)
{
    QList<Token> tokens;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        if (text.at(i).isSpace()) {
            ++i;
            continue;
        }
        if (text.at(i) == QLatin1Char('"')) {
            // A phrase runs to the next quote, or to the end if the user never closed it.
            const qsizetype close = text.indexOf(QLatin1Char('"'), i + 1);
            const qsizetype end = close < 0 ? n : close;
            const QString inner = text.mid(i + 1, end - i - 1).simplified();
            if (!inner.isEmpty())
                tokens.append({inner, true});
            i = close < 0 ? n : close + 1;
            continue;
        }
        qsizetype end = i;
        while (end < n && !text.at(end).isSpace() && text.at(end) != QLatin1Char('"'))
            ++end;
        tokens.append({text.mid(i, end - i), false});
        i = end;
    }
    return tokens;
}

} // namespace

QString SearchQuery::quoted(const QString &term)
{
    QString escaped = term;
    escaped.replace(QLatin1Char('"'), QLatin1StringView("\"\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

QString SearchQuery::prefixLexeme(const QString &stem)
{
    QString escaped;
    escaped.reserve(stem.size() + 4);
    for (const QChar c : stem) {
        if (c == QLatin1Char('\\'))
            escaped.append(QLatin1StringView("\\\\"));
        else if (c == QLatin1Char('\''))
            escaped.append(QLatin1StringView("''"));
        else
            escaped.append(c);
    }
    return QLatin1Char('\'') + escaped + QLatin1StringView("':*");
}

SearchQuery::Bound SearchQuery::tsquery() const
{
    Bound bound;
    QStringList parts;
    for (const Term &term : terms) {
        if (term.prefix) {
            parts.append(QStringLiteral("to_tsquery('chatter_search', ?)"));
            bound.values.append(prefixLexeme(term.text));
        } else {
            parts.append(QStringLiteral("phraseto_tsquery('chatter_search', ?)"));
            bound.values.append(term.text);
        }
    }
    bound.sql = parts.join(QLatin1StringView(" && "));
    return bound;
}

Expected<SearchQuery> SearchQuery::parse(const QString &text)
{
    if (text.size() > MaxLength)
        return failure(QStringLiteral("query too long"));
    SearchQuery query;
    for (const Token &token : tokenize(text)) {
        if (token.phrase) {
            query.terms.append({token.text, false});
            continue;
        }
        const QString &word = token.text;
        if (word.startsWith(QLatin1StringView("from:"), Qt::CaseInsensitive)) {
            QString nick = word.sliced(5);
            if (nick.startsWith(QLatin1Char('@')))
                nick.remove(0, 1);
            if (!nick.isEmpty()) {
                const QString folded = nick.toCaseFolded();
                if (!query.from.contains(folded))
                    query.from.append(folded);
                continue;
            }
        } else if (word.startsWith(QLatin1StringView("in:"), Qt::CaseInsensitive)) {
            const QString place = word.sliced(3);
            Place p;
            if (place.startsWith(QLatin1Char('@'))) {
                p = {Place::Kind::Direct, place.sliced(1).toCaseFolded()};
            } else {
                p = {Place::Kind::Room,
                     place.startsWith(QLatin1Char('#')) ? place.sliced(1) : place};
            }
            if (!p.name.isEmpty()) {
                if (!query.in.contains(p))
                    query.in.append(p);
                continue;
            }
        }
        // Everything else is a word, even `from:` with no name after it.
        QString stem = word;
        int stars = 0;
        while (stem.endsWith(QLatin1Char('*'))) {
            stem.chop(1);
            ++stars;
        }
        if (stem.isEmpty())
            continue; // `*` alone says nothing
        query.terms.append({stem, stars > 0 && stem.size() >= MinPrefix});
    }
    QStringList fts5;
    for (const Term &term : query.terms)
        fts5.append(term.prefix ? quoted(term.text) + QLatin1Char('*') : quoted(term.text));
    query.match = fts5.join(QLatin1Char(' '));
    if (query.match.isEmpty() && query.from.isEmpty() && query.in.isEmpty())
        return failure(QStringLiteral("empty query"));
    return query;
}

} // namespace chatter::server
