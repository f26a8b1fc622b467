// SPDX-License-Identifier: MIT
// The RFC 6455 reader on arbitrary client bytes. Invariants: a message never exceeds the
// limit, text is valid UTF-8, nothing is reported after the reader stops, control payloads fit
// in 125 bytes, the bytes held back stay bounded by the limit, and the same stream cut into
// arbitrary reads yields exactly the same events as in one read.
#include "fuzzcheck.h"
#include "websocketreader.h"

#include <QList>

#include <algorithm>

using chatter::server::WebSocketReader;
using chatter::server::WebSocketReaderSink;

namespace {

class RecordingSink final : public WebSocketReaderSink
{
public:
    RecordingSink(qint64 limit, int stopAfter) : m_limit(limit), m_stopAfter(stopAfter) {}

    bool onMessage(QByteArrayView payload, bool binary) override
    {
        FUZZ_CHECK(!m_ended);
        FUZZ_CHECK(payload.size() <= m_limit);
        FUZZ_CHECK(binary || chatter::server::isValidUtf8(payload));
        events.append((binary ? "B:" : "T:") + payload.toByteArray());
        return ++m_messages != m_stopAfter;
    }
    bool onPing(QByteArrayView payload) override
    {
        FUZZ_CHECK(!m_ended);
        FUZZ_CHECK(payload.size() <= 125);
        events.append("PING:" + payload.toByteArray());
        return true;
    }
    bool onPong() override
    {
        FUZZ_CHECK(!m_ended);
        events.append("PONG");
        return true;
    }
    void onClose(quint16 code, QByteArrayView reason) override
    {
        FUZZ_CHECK(!m_ended);
        FUZZ_CHECK(code == 1005 || (code >= 1000 && code < 5000));
        FUZZ_CHECK(reason.size() <= 123);
        FUZZ_CHECK(chatter::server::isValidUtf8(reason));
        m_ended = true;
        events.append("CLOSE:" + QByteArray::number(code) + ':' + reason.toByteArray());
    }
    void onProtocolError(quint16 code, const char *what) override
    {
        FUZZ_CHECK(!m_ended);
        FUZZ_CHECK(code == 1002 || code == 1007 || code == 1009);
        m_ended = true;
        events.append("ERROR:" + QByteArray::number(code) + ':' + what);
    }

    QList<QByteArray> events;

private:
    qint64 m_limit;
    int m_stopAfter;
    int m_messages = 0;
    bool m_ended = false;
};

//! Feeds `stream` in reads of the given sizes (cycled; 0 means all at once).
QList<QByteArray> run(QByteArrayView stream, qint64 limit, int stopAfter,
                      const QList<int> &readSizes)
{
    WebSocketReader reader(limit);
    RecordingSink sink(limit, stopAfter);
    QByteArray copy = stream.toByteArray(); // the reader unmasks in place
    qsizetype pos = 0;
    int turn = 0;
    while (pos < copy.size()) {
        const int want = readSizes.isEmpty() ? 0 : readSizes.at(turn++ % readSizes.size());
        const qsizetype n =
            want == 0 ? copy.size() - pos : std::min<qsizetype>(want, copy.size() - pos);
        // A fresh buffer per read, as a socket read gives: the reader may keep no pointer.
        QByteArray chunk = copy.mid(pos, n);
        const bool more = reader.feed(chunk.data(), chunk.size(), sink);
        FUZZ_CHECK(more == !reader.isStopped());
        // At most one unfinished frame (header 14, payload within the limit or a control
        // frame's 125) and one unfinished message (within the limit) are held.
        FUZZ_CHECK(reader.bufferedBytes() <= limit + 14 + std::max<qint64>(limit, 125));
        pos += n;
        if (!more) {
            QByteArray rest = copy.mid(pos);
            FUZZ_CHECK(!reader.feed(rest.data(), rest.size(), sink));
            break;
        }
    }
    // Whether a fragmented message is left open (its fragment deadline runs) depends on the
    // bytes only, not on how they were cut into reads.
    if (!reader.isStopped() && reader.isMessageOpen())
        sink.events.append("OPEN");
    return sink.events;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    if (size < 3)
        return 0;
    // Byte 0: the message limit (small ones make 1009 reachable); byte 1: after how many
    // messages the sink stops the reader (0: never); byte 2: seeds the read sizes.
    static constexpr qint64 Limits[] = {1, 2, 7, 125, 126, 200, 1000, 65535, 65536, 1 << 20};
    const qint64 limit = Limits[data[0] % std::size(Limits)];
    const int stopAfter = data[1] % 8;
    QList<int> readSizes;
    for (unsigned seed = data[2], i = 0; i < 7; ++i) {
        seed = seed * 1103515245u + 12345u;
        readSizes.append(int(1 + (seed >> 16) % 17));
    }
    const QByteArrayView stream = chatter::fuzz::bytesOf(data + 3, size - 3);

    const QList<QByteArray> whole = run(stream, limit, stopAfter, {});
    const QList<QByteArray> pieces = run(stream, limit, stopAfter, readSizes);
    FUZZ_CHECK(whole == pieces);
    const QList<QByteArray> bytes = run(stream, limit, stopAfter, {1});
    FUZZ_CHECK(whole == bytes);
    return 0;
}
