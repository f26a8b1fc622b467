// SPDX-License-Identifier: MIT
#include "multipart.h"

#include <QList>
#include <QUrl>

namespace chatter::server::multipart {
namespace {

//! Parameters of a header value such as `form-data; name="file"; filename="a b.png"`.
QList<std::pair<QByteArray, QByteArray>> parameters(QByteArrayView value)
{
    QList<std::pair<QByteArray, QByteArray>> result;
    qsizetype i = value.indexOf(';');
    while (i >= 0 && i < value.size()) {
        ++i; // past ';'
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t'))
            ++i;
        const qsizetype eq = value.indexOf('=', i);
        if (eq < 0)
            break;
        const QByteArray key = value.sliced(i, eq - i).trimmed().toByteArray().toLower();
        i = eq + 1;
        QByteArray v;
        if (i < value.size() && value[i] == '"') {
            for (++i; i < value.size() && value[i] != '"'; ++i) {
                if (value[i] == '\\' && i + 1 < value.size())
                    ++i;
                v.append(value[i]);
            }
            const qsizetype next = value.indexOf(';', i);
            i = next;
        } else {
            const qsizetype next = value.indexOf(';', i);
            v = (next < 0 ? value.sliced(i) : value.sliced(i, next - i)).trimmed().toByteArray();
            i = next;
        }
        result.append({key, v});
    }
    return result;
}

} // namespace

QByteArray boundaryOf(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray mediaType =
        (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
    if (mediaType != "multipart/form-data")
        return {};
    for (const auto &[key, value] : parameters(contentType)) {
        // RFC 2046: 1 to 70 characters.
        if (key == "boundary" && !value.isEmpty() && value.size() <= 70)
            return value;
    }
    return {};
}

Expected<Part> find(const QByteArray &body, const QByteArray &boundary, const QByteArray &field)
{
    if (boundary.isEmpty())
        return failure(QStringLiteral("no multipart boundary"));
    const QByteArray delimiter = "--" + boundary;
    // The first delimiter may open the body or follow a preamble line.
    qsizetype at = body.startsWith(delimiter) ? 0 : body.indexOf("\r\n" + delimiter);
    if (at < 0)
        return failure(QStringLiteral("no multipart delimiter"));
    if (at > 0 || !body.startsWith(delimiter))
        at += 2;
    const QByteArray next = "\r\n" + delimiter;
    for (;;) {
        at += delimiter.size();
        if (body.mid(at, 2) == "--")
            break; // the closing delimiter
        // Transport padding, then the line's end.
        while (at < body.size() && (body[at] == ' ' || body[at] == '\t'))
            ++at;
        if (body.mid(at, 2) != "\r\n")
            return failure(QStringLiteral("malformed multipart delimiter"));
        at += 2;
        const qsizetype headersEnd = body.indexOf("\r\n\r\n", at);
        const qsizetype blankFirst = body.mid(at, 2) == "\r\n" ? at : -1;
        if (headersEnd < 0 && blankFirst < 0)
            return failure(QStringLiteral("unterminated multipart headers"));
        const qsizetype contentStart = blankFirst >= 0 ? at + 2 : headersEnd + 4;
        const QByteArray headers = blankFirst >= 0 ? QByteArray() : body.mid(at, headersEnd - at);
        // A delimiter is the boundary on a line of its own (or closing): content may contain
        // the boundary followed by anything else.
        qsizetype contentEnd = body.indexOf(next, contentStart);
        while (contentEnd >= 0) {
            const QByteArray after = body.mid(contentEnd + next.size(), 2);
            if (after == "--" || after == "\r\n" || after.startsWith(' ') || after.startsWith('\t'))
                break;
            contentEnd = body.indexOf(next, contentEnd + 1);
        }
        if (contentEnd < 0)
            return failure(QStringLiteral("unterminated multipart part"));
        Part part;
        for (const QByteArray &line : headers.split('\n')) {
            const QByteArray trimmed = line.trimmed();
            const qsizetype colon = trimmed.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = trimmed.left(colon).trimmed().toLower();
            const QByteArray value = trimmed.mid(colon + 1).trimmed();
            if (name == "content-type") {
                const qsizetype semicolon = value.indexOf(';');
                part.type = (semicolon < 0 ? value : value.left(semicolon)).trimmed().toLower();
            } else if (name == "content-disposition") {
                QString extended;
                for (const auto &[key, v] : parameters(value)) {
                    if (key == "name") {
                        part.name = v;
                    } else if (key == "filename") {
                        part.filename = QString::fromUtf8(v);
                        part.hasFilename = true;
                    } else if (key == "filename*" && v.toLower().startsWith("utf-8''")) {
                        extended = QString::fromUtf8(QByteArray::fromPercentEncoding(v.mid(7)));
                    }
                }
                if (!extended.isEmpty()) {
                    part.filename = extended;
                    part.hasFilename = true;
                }
            }
        }
        if (part.name == field) {
            part.body = body.mid(contentStart, contentEnd - contentStart);
            return part;
        }
        at = contentEnd + 2;
    }
    return failure(QStringLiteral("no part named %1").arg(QString::fromUtf8(field)));
}

} // namespace chatter::server::multipart
