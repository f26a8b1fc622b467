// SPDX-License-Identifier: MIT
#include "connectparams.h"

#include <QStringList>
#include <QUrl>

namespace chatter::connectparams {
namespace {

QString decode(QStringView part)
{
    QString text = part.toString();
    text.replace(QLatin1Char('+'), QLatin1Char(' '));
    return QUrl::fromPercentEncoding(text.toUtf8());
}

//! "a[b][c]" → {"a","b","c"}; a malformed bracket sequence keeps the raw key whole.
QStringList splitKey(const QString &key)
{
    const qsizetype open = key.indexOf(QLatin1Char('['));
    if (open <= 0)
        return {key};
    QStringList path{key.left(open)};
    qsizetype pos = open;
    while (pos < key.size()) {
        if (key.at(pos) != QLatin1Char('['))
            return {key};
        const qsizetype close = key.indexOf(QLatin1Char(']'), pos);
        if (close < 0)
            return {key};
        path.append(key.mid(pos + 1, close - pos - 1));
        pos = close + 1;
    }
    return path;
}

void insertPath(QJsonObject &object, const QStringList &path, qsizetype index, const QString &value)
{
    const QString &key = path.at(index);
    if (index == path.size() - 1) {
        object.insert(key, value);
        return;
    }
    QJsonObject child = object.value(key).toObject();
    insertPath(child, path, index + 1, value);
    object.insert(key, child);
}

} // namespace

QJsonObject parse(QStringView query)
{
    constexpr int MaxDepth = 8;
    QJsonObject params;
    for (QStringView pair : query.split(QLatin1Char('&'))) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        const QString key = decode(eq < 0 ? pair : pair.left(eq));
        const QString value = eq < 0 ? QString() : decode(pair.mid(eq + 1));
        if (key.isEmpty())
            continue;
        QStringList path = splitKey(key);
        // "ids[]" appends in Plug; keep it simple and treat an empty segment as a plain key.
        if (path.size() > MaxDepth || path.contains(QString()))
            path = {key};
        insertPath(params, path, 0, value);
    }
    return params;
}

} // namespace chatter::connectparams
