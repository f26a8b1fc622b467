// SPDX-License-Identifier: MIT
#include "directtopic.h"

#include <QList>

namespace chatter::server::directtopic {
namespace {

//! By code point, as the contract says: QString's operator< compares UTF-16 code units, which
//! orders characters above U+FFFF before U+E000..U+FFFF.
bool codePointLess(const QString &a, const QString &b)
{
    const QList<uint> ua = a.toUcs4();
    const QList<uint> ub = b.toUcs4();
    return std::lexicographical_compare(ua.begin(), ua.end(), ub.begin(), ub.end());
}

} // namespace

QString of(const QString &a, const QString &b)
{
    QString first = a.toCaseFolded();
    QString second = b.toCaseFolded();
    if (first == second || first.isEmpty() || second.isEmpty())
        return {};
    if (codePointLess(second, first))
        std::swap(first, second);
    return Prefix + first + QLatin1Char(':') + second;
}

std::optional<Pair> parse(const QString &topic)
{
    if (!topic.startsWith(Prefix))
        return std::nullopt;
    const QStringView rest = QStringView(topic).sliced(Prefix.size());
    const qsizetype colon = rest.indexOf(QLatin1Char(':'));
    if (colon <= 0 || colon == rest.size() - 1)
        return std::nullopt;
    Pair pair{rest.first(colon).toString(), rest.sliced(colon + 1).toString()};
    if (pair.second.contains(QLatin1Char(':')))
        return std::nullopt;
    if (of(pair.first, pair.second) != topic)
        return std::nullopt;
    return pair;
}

Expected<QString> checkJoin(const QString &topic, const QString &joiner, bool registered,
                            const DisplayOf &displayOf)
{
    const QString forbidden = QStringLiteral("forbidden");
    const std::optional<Pair> pair = parse(topic);
    if (!pair || !registered)
        return failure(forbidden);
    const QString self = joiner.toCaseFolded();
    if (self != pair->first && self != pair->second)
        return failure(forbidden);
    const QString &other = self == pair->first ? pair->second : pair->first;
    const std::optional<QString> display = displayOf(other);
    if (!display)
        return failure(QStringLiteral("no such account"));
    return *display;
}

} // namespace chatter::server::directtopic
