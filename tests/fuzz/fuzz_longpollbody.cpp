// SPDX-License-Identifier: MIT
// Long-poll POST bodies as the session splits them into frames; the first byte picks the
// Content-Type. Invariants: a body that is not ndjson is one text frame, unchanged; an ndjson
// body gives one frame per non-empty line up to the cap, text frames are whole lines and
// binary frames are the base64 decoding of theirs. Every frame then goes through the V2
// decoder, as the session does.
#include "fuzzcheck.h"
#include "longpollbody.h"
#include "v2serializer.h"

#include <algorithm>

using chatter::server::LongPollFrame;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    if (size < 1)
        return 0;
    static constexpr const char *ContentTypes[] = {
        "application/x-ndjson",     "application/x-ndjson; charset=utf-8",
        " application/x-ndjson ;x", "application/json",
        "text/plain;charset=UTF-8", "",
        "APPLICATION/X-NDJSON",
    };
    const QByteArrayView contentType(ContentTypes[data[0] % std::size(ContentTypes)]);
    // The high nibble: the frame cap (0 is the session's 100).
    const int maxFrames = (data[0] >> 4) == 0 ? 100 : (data[0] >> 4);
    const QByteArray body = chatter::fuzz::bytesOf(data + 1, size - 1).toByteArray();

    const QList<LongPollFrame> frames =
        chatter::server::splitLongPollBody(contentType, body, maxFrames);
    FUZZ_CHECK(frames.size() <= maxFrames);
    if (!contentType.trimmed().startsWith("application/x-ndjson")) {
        FUZZ_CHECK(frames.size() == 1 && frames.first().data == body && !frames.first().binary);
    } else {
        QList<QByteArray> lines;
        for (const QByteArray &raw : body.split('\n')) {
            const QByteArray line = raw.endsWith('\r') ? raw.chopped(1) : raw;
            if (!line.isEmpty())
                lines.append(line);
        }
        FUZZ_CHECK(frames.size() == std::min<qsizetype>(lines.size(), maxFrames));
        for (qsizetype i = 0; i < frames.size(); ++i) {
            const LongPollFrame &frame = frames.at(i);
            if (frame.binary) {
                FUZZ_CHECK(!lines.at(i).startsWith('['));
                FUZZ_CHECK(QByteArray::fromBase64(lines.at(i)) == frame.data);
            } else {
                FUZZ_CHECK(frame.data == lines.at(i));
            }
        }
    }

    const chatter::V2Serializer serializer;
    for (const LongPollFrame &frame : frames) {
        const auto decoded =
            frame.binary ? serializer.decodeBinary(frame.data) : serializer.decodeText(frame.data);
        if (decoded)
            FUZZ_CHECK(decoded->binary == frame.binary);
    }
    return 0;
}
