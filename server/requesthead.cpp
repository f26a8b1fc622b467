// SPDX-License-Identifier: MIT
#include "requesthead.h"

#include <QList>

namespace chatter::server {
namespace {

//! RFC 9110 §5.6.2: what a method and a header name are made of.
bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool alnum =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && !QByteArrayView("!#$%&'*+-.^_`|~").contains(c))
            return false;
    }
    return true;
}

//! No control character but horizontal tab (RFC 9110 §5.5).
bool hasControl(QByteArrayView text)
{
    for (const char c : text) {
        if ((uchar(c) < 0x20 && c != '\t') || c == 0x7f)
            return true;
    }
    return false;
}

} // namespace

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
    if (requestLine.size() != 3)
        return Status::Invalid;

    RequestHead head;
    head.method = requestLine.at(0);
    head.version = requestLine.at(2);
    const QByteArray target = requestLine.at(1);
    if (!isToken(head.method) || !target.startsWith('/') || hasControl(target) ||
        (head.version != "HTTP/1.1" && head.version != "HTTP/1.0"))
        return Status::Invalid;
    const qsizetype question = target.indexOf('?');
    head.path = QString::fromUtf8(question < 0 ? target : target.left(question));
    head.query = question < 0 ? QString() : QString::fromUtf8(target.mid(question + 1));

    // Strict where HTTP parsers differ, because QHttpServer parses these bytes again behind
    // the front door, and both must see the same requests with the same headers: a bare CR,
    // a folded line, whitespace before the colon, or a blank line ending the head early (bare
    // LFs) are refused, not read one way here and another way there (RFC 9112 §2.2, §5.1, §5.2).
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArrayView line = lines.at(i);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty() || line.startsWith(' ') || line.startsWith('\t'))
            return Status::Invalid;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return Status::Invalid;
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        if (!isToken(name) || hasControl(value))
            return Status::Invalid;
        const QByteArray lowerName = name.toByteArray().toLower();
        auto it = head.headers.find(lowerName);
        if (it == head.headers.end())
            head.headers.insert(lowerName, value.toByteArray());
        else
            it->append(", ").append(value);
    }
    head.size = end + 4;
    *out = std::move(head);
    return Status::Complete;
}

} // namespace chatter::server
