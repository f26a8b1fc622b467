// SPDX-License-Identifier: MIT
#include "requesthead.h"

#include <QList>

namespace chatter::server {

bool RequestHead::headerHasToken(const QByteArray &lowerName, const QByteArray &token) const
{
    for (const QByteArray &part : header(lowerName).split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

RequestHead::Status RequestHead::parse(const QByteArray &buffer, RequestHead *out)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return Status::Incomplete;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1."))
        return Status::Invalid;

    RequestHead head;
    head.method = requestLine.at(0);
    head.version = requestLine.at(2);
    const QByteArray target = requestLine.at(1);
    if (!target.startsWith('/'))
        return Status::Invalid;
    const qsizetype question = target.indexOf('?');
    head.path = QString::fromUtf8(question < 0 ? target : target.left(question));
    head.query = question < 0 ? QString() : QString::fromUtf8(target.mid(question + 1));

    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return Status::Invalid;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        auto it = head.headers.find(name);
        if (it == head.headers.end())
            head.headers.insert(name, value);
        else
            it->append(", ").append(value);
    }
    head.size = end + 4;
    *out = std::move(head);
    return Status::Complete;
}

} // namespace chatter::server
