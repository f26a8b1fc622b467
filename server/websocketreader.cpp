// SPDX-License-Identifier: MIT
#include "websocketreader.h"

#include <QStringDecoder>

#include <cstring>
#include <utility>

namespace chatter::server {

namespace {

enum Opcode : int
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA
};

void unmask(char *data, quint64 length, const uchar *key)
{
    // Eight bytes at a time: payloads are unmasked once each, but every byte of every frame is.
    quint32 key32;
    std::memcpy(&key32, key, 4);
    const quint64 key64 = (quint64(key32) << 32) | key32;
    quint64 i = 0;
    for (; i + 8 <= length; i += 8) {
        quint64 word;
        std::memcpy(&word, data + i, 8);
        word ^= key64;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < length; ++i)
        data[i] = char(data[i] ^ key[i & 3]);
}

bool isAscii(QByteArrayView bytes)
{
    const char *p = bytes.data();
    qsizetype n = bytes.size();
    for (; n >= 8; p += 8, n -= 8) {
        quint64 word;
        std::memcpy(&word, p, 8);
        if (word & 0x8080808080808080ull)
            return false;
    }
    for (; n > 0; ++p, --n) {
        if (uchar(*p) & 0x80)
            return false;
    }
    return true;
}

bool isValidCloseCode(quint16 code)
{
    // RFC 6455 §7.4: 1004-1006 and 1015 are never sent; 1016-2999 are reserved.
    if (code >= 3000 && code <= 4999)
        return true;
    return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

} // namespace

bool isValidUtf8(QByteArrayView bytes)
{
    if (isAscii(bytes))
        return true;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder.decode(bytes);
    return !decoder.hasError();
}

bool WebSocketReader::feed(char *data, qsizetype size, WebSocketReaderSink &sink)
{
    if (m_stopped)
        return false;
    if (m_partial.isEmpty()) {
        const qsizetype used = parse(data, size, sink);
        if (!m_stopped && used < size)
            m_partial = QByteArray(data + used, size - used);
    } else {
        m_partial.append(data, size);
        const qsizetype used = parse(m_partial.data(), m_partial.size(), sink);
        if (m_stopped || used == m_partial.size())
            m_partial = QByteArray(); // releases the memory, not just the size
        else
            m_partial.remove(0, used);
    }
    return !m_stopped;
}

qsizetype WebSocketReader::parse(char *data, qsizetype size, WebSocketReaderSink &sink)
{
    qsizetype pos = 0;
    while (size - pos >= 2) {
        const auto *p = reinterpret_cast<const uchar *>(data + pos);
        const qsizetype available = size - pos;
        const bool fin = p[0] & 0x80;
        const int opcode = p[0] & 0x0f;
        quint64 length = p[1] & 0x7f;
        qsizetype header = 2;
        if (length == 126) {
            if (available < 4)
                break;
            length = (quint64(p[2]) << 8) | p[3];
            header = 4;
        } else if (length == 127) {
            if (available < 10)
                break;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | p[i];
            header = 10;
        }
        if (p[0] & 0x70)
            return fail(1002, "reserved bits set", sink), pos;
        if (!(p[1] & 0x80))
            return fail(1002, "unmasked client frame", sink), pos;
        if (opcode >= Close) {
            if (opcode > Pong)
                return fail(1002, "unknown control opcode", sink), pos;
            if (!fin || length > 125)
                return fail(1002, "fragmented or oversized control frame", sink), pos;
        } else {
            if (opcode > Binary)
                return fail(1002, "unknown data opcode", sink), pos;
            if (opcode == Continuation && m_messageOpcode == 0)
                return fail(1002, "continuation without a message", sink), pos;
            if (opcode != Continuation && m_messageOpcode != 0)
                return fail(1002, "new message inside a fragmented one", sink), pos;
            if (length > quint64(m_maxMessageBytes - m_message.size()))
                return fail(1009, "message too big", sink), pos;
        }
        header += 4;
        if (available < header || quint64(available - header) < length)
            break;
        char *payload = data + pos + header;
        unmask(payload, length, p + header - 4);
        pos += header + qsizetype(length);
        if (!dispatch(opcode, fin, QByteArrayView(payload, qsizetype(length)), sink)) {
            m_stopped = true;
            break;
        }
    }
    return pos;
}

bool WebSocketReader::dispatch(int opcode, bool fin, QByteArrayView payload,
                               WebSocketReaderSink &sink)
{
    switch (opcode) {
    case Text:
    case Binary:
        if (fin)
            return deliver(opcode, payload, sink);
        m_messageOpcode = quint8(opcode);
        m_message = payload.toByteArray();
        return true;
    case Continuation: {
        m_message.append(payload);
        if (!fin)
            return true;
        const QByteArray message = std::exchange(m_message, {});
        const int messageOpcode = std::exchange(m_messageOpcode, 0);
        return deliver(messageOpcode, message, sink);
    }
    case Ping:
        return sink.onPing(payload);
    case Pong:
        return sink.onPong();
    case Close: {
        if (payload.isEmpty()) {
            sink.onClose(1005, {});
            return false;
        }
        if (payload.size() == 1)
            return fail(1002, "close frame with a one-byte payload", sink);
        const quint16 code = quint16((uchar(payload[0]) << 8) | uchar(payload[1]));
        if (!isValidCloseCode(code))
            return fail(1002, "invalid close code", sink);
        const QByteArrayView reason = payload.sliced(2);
        if (!isValidUtf8(reason))
            return fail(1007, "close reason is not UTF-8", sink);
        sink.onClose(code, reason);
        return false;
    }
    }
    return fail(1002, "unknown opcode", sink);
}

bool WebSocketReader::deliver(int opcode, QByteArrayView payload, WebSocketReaderSink &sink)
{
    if (opcode == Text && !isValidUtf8(payload))
        return fail(1007, "text message is not UTF-8", sink);
    return sink.onMessage(payload, opcode == Binary);
}

bool WebSocketReader::fail(quint16 code, const char *what, WebSocketReaderSink &sink)
{
    // m_partial may hold the frame being parsed; feed() releases it.
    m_stopped = true;
    m_message = QByteArray();
    sink.onProtocolError(code, what);
    return false;
}

} // namespace chatter::server
