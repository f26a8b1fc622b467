// SPDX-License-Identifier: MIT
#include "searchsnippet.h"

#include <QRegularExpression>

namespace chatter::server {

SearchSnippet SearchSnippet::fromMarked(const QString &marked, const QString &body)
{
    SearchSnippet snippet;
    const bool trusted = !body.contains(Open) && !body.contains(Close);
    snippet.text.reserve(marked.size());
    int start = -1;
    for (const QChar c : marked) {
        if (c == Open) {
            start = int(snippet.text.size());
        } else if (c == Close) {
            if (start >= 0 && snippet.text.size() > start)
                snippet.highlights.append({start, int(snippet.text.size()) - start});
            start = -1;
        } else {
            snippet.text.append(c);
        }
    }
    if (!trusted)
        snippet.highlights.clear();
    return snippet;
}

SearchSnippet SearchSnippet::fromHeadline(const QString &marked, const QString &body)
{
    SearchSnippet snippet = fromMarked(marked, body);
    const qsizetype at = body.indexOf(snippet.text);
    if (snippet.text.isEmpty() || at < 0)
        return snippet; // not a piece of the body as it is (a marker in the body): left as is
    const qsizetype end = at + snippet.text.size();
    if (!QStringView(body).left(at).trimmed().isEmpty()) {
        snippet.text.prepend(QChar(0x2026));
        for (auto &highlight : snippet.highlights)
            ++highlight.first;
    }
    if (!QStringView(body).sliced(end).trimmed().isEmpty())
        snippet.text.append(QChar(0x2026));
    return snippet;
}

SearchSnippet SearchSnippet::leading(const QString &body)
{
    SearchSnippet snippet;
    static const QRegularExpression space(QStringLiteral("\\s+"));
    const QString text = body.simplified();
    qsizetype at = 0;
    for (int words = 0; words < Words; ++words) {
        const QRegularExpressionMatch gap = space.match(text, at);
        if (!gap.hasMatch()) {
            snippet.text = text;
            return snippet;
        }
        at = gap.capturedEnd();
        if (words == Words - 1) {
            snippet.text = text.left(gap.capturedStart()) + QChar(0x2026);
            return snippet;
        }
    }
    snippet.text = text;
    return snippet;
}

QJsonArray SearchSnippet::highlightsJson() const
{
    QJsonArray list;
    for (const auto &[start, length] : highlights)
        list.append(QJsonArray{start, length});
    return list;
}

} // namespace chatter::server
