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

Expected<SearchQuery> SearchQuery::parse(const QString &text)
{
    if (text.size() > MaxLength)
        return failure(QStringLiteral("query too long"));
    SearchQuery query;
    QStringList terms;
    for (const Token &token : tokenize(text)) {
        if (token.phrase) {
            terms.append(quoted(token.text));
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
        if (stars > 0 && stem.size() >= MinPrefix)
            terms.append(quoted(stem) + QLatin1Char('*'));
        else
            terms.append(quoted(stem));
    }
    query.match = terms.join(QLatin1Char(' '));
    if (query.match.isEmpty() && query.from.isEmpty() && query.in.isEmpty())
        return failure(QStringLiteral("empty query"));
    return query;
}

} // namespace chatter::server
