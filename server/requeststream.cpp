// SPDX-License-Identifier: MIT
#include "requeststream.h"

namespace chatter::server {
namespace {

//! A chunk-size line: hex digits, optional extensions. Longer lines are no honest client's.
constexpr qsizetype MaxChunkLine = 1024;

//! Content-Length as RFC 9110 allows it: digits only; -1 for anything else or an overflow.
qint64 contentLength(const QByteArray &value)
{
    if (value.isEmpty() || value.size() > 18)
        return -1;
    qint64 length = 0;
    for (const char c : value) {
        if (c < '0' || c > '9')
            return -1;
        length = length * 10 + (c - '0');
    }
    return length;
}

} // namespace

RequestStream::RequestStream(qsizetype maxHead, BodyLimit bodyLimit)
    : m_maxHead(maxHead), m_bodyLimit(std::move(bodyLimit))
{}

int RequestStream::httpStatus(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Fine:
        return 200;
    case Verdict::Invalid:
        return 400;
    case Verdict::HeadTooLarge:
        return 431;
    case Verdict::BodyTooLarge:
        return 413;
    }
    return 400;
}

RequestStream::Verdict RequestStream::feed(QByteArrayView bytes)
{
    qsizetype i = 0;
    const qsizetype n = bytes.size();
    while (i < n) {
        if (m_phase == Phase::Between) {
            // Empty lines before a request line are allowed (RFC 9112 §2.2).
            if (bytes[i] == '\r' || bytes[i] == '\n') {
                ++i;
                continue;
            }
            m_phase = Phase::Head;
            m_buffer.clear();
        }
        if (m_phase == Phase::Head) {
            // Appends up to the end of the head, looking for the blank line only in what is new
            // (and the three bytes before it).
            const qsizetype from = std::max<qsizetype>(0, m_buffer.size() - 3);
            const qsizetype room = m_maxHead - m_buffer.size();
            const qsizetype take = std::min(n - i, room);
            m_buffer.append(bytes.sliced(i, take));
            const qsizetype end = m_buffer.indexOf("\r\n\r\n", from);
            if (end < 0) {
                i += take;
                if (m_buffer.size() >= m_maxHead)
                    return Verdict::HeadTooLarge;
                continue;
            }
            const qsizetype used = end + 4 - (m_buffer.size() - take);
            m_buffer.truncate(end + 4);
            i += used;
            if (const Verdict v = headComplete(); v != Verdict::Fine)
                return v;
            continue;
        }
        // Phase::Body
        switch (m_body) {
        case Body::Length:
        case Body::ChunkData: {
            const qint64 take = std::min<qint64>(m_remaining, n - i);
            i += take;
            m_remaining -= take;
            if (m_remaining == 0) {
                if (m_body == Body::Length)
                    finishRequest();
                else
                    m_body = Body::ChunkEnd;
            }
            break;
        }
        case Body::ChunkEnd:
            // Exactly CRLF after a chunk's data.
            m_buffer.append(bytes[i++]);
            if (m_buffer.size() == 2) {
                if (m_buffer != "\r\n")
                    return Verdict::Invalid;
                m_buffer.clear();
                m_body = Body::ChunkSize;
            }
            break;
        case Body::ChunkSize:
        case Body::Trailer: {
            const char c = bytes[i++];
            m_buffer.append(c);
            if (m_body == Body::Trailer && ++m_trailerBytes > m_maxHead)
                return Verdict::HeadTooLarge;
            if (c != '\n') {
                if (m_body == Body::ChunkSize && m_buffer.size() > MaxChunkLine)
                    return Verdict::Invalid;
                continue;
            }
            if (m_body == Body::ChunkSize) {
                if (const Verdict v = chunkSizeLine(); v != Verdict::Fine)
                    return v;
            } else {
                const bool last = m_buffer == "\r\n" || m_buffer == "\n";
                m_buffer.clear();
                if (last)
                    finishRequest();
            }
            break;
        }
        }
    }
    return Verdict::Fine;
}

RequestStream::Verdict RequestStream::headComplete()
{
    RequestHead head;
    if (RequestHead::parse(m_buffer, &head) != RequestHead::Status::Complete)
        return Verdict::Invalid;
    m_head = std::move(head);
    m_buffer.clear();
    m_bodyBytes = 0;
    m_trailerBytes = 0;
    m_limit = m_bodyLimit ? m_bodyLimit(m_head) : 0;
    const QByteArray transferEncoding = m_head.header("transfer-encoding");
    const QByteArray length = m_head.header("content-length");
    if (!transferEncoding.isEmpty()) {
        // Both framings at once is how requests are smuggled past proxies (RFC 9112 §6.3).
        if (!length.isEmpty())
            return Verdict::Invalid;
        if (transferEncoding.trimmed().toLower() != "chunked")
            return Verdict::Invalid;
        m_phase = Phase::Body;
        m_body = Body::ChunkSize;
        return Verdict::Fine;
    }
    if (length.isEmpty()) {
        finishRequest();
        return Verdict::Fine;
    }
    // Repeats were joined with ", " by the head parser; they would have to agree.
    const qint64 declared = contentLength(length);
    if (declared < 0)
        return Verdict::Invalid;
    if (declared > m_limit)
        return Verdict::BodyTooLarge;
    if (declared == 0) {
        finishRequest();
        return Verdict::Fine;
    }
    m_phase = Phase::Body;
    m_body = Body::Length;
    m_remaining = declared;
    return Verdict::Fine;
}

RequestStream::Verdict RequestStream::chunkSizeLine()
{
    QByteArray line = m_buffer.trimmed();
    m_buffer.clear();
    if (const qsizetype semicolon = line.indexOf(';'); semicolon >= 0)
        line.truncate(semicolon);
    line = line.trimmed();
    if (line.isEmpty() || line.size() > 15)
        return line.isEmpty() ? Verdict::Invalid : Verdict::BodyTooLarge;
    bool ok = false;
    const qint64 size = line.toLongLong(&ok, 16);
    if (!ok || size < 0)
        return Verdict::Invalid;
    m_bodyBytes += size;
    if (m_bodyBytes > m_limit)
        return Verdict::BodyTooLarge;
    if (size == 0) {
        m_body = Body::Trailer;
        return Verdict::Fine;
    }
    m_body = Body::ChunkData;
    m_remaining = size;
    return Verdict::Fine;
}

void RequestStream::finishRequest()
{
    m_phase = Phase::Between;
    m_buffer.clear();
    ++m_completed;
}

} // namespace chatter::server
