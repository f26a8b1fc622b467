// SPDX-License-Identifier: MIT
// vsn 1.0.0 on arbitrary text frames. Invariants: whatever decodes also encodes, as valid
// UTF-8 (a browser closes the socket on anything else), and decoding that encoding gives the
// same topic, event, payload and ref back; encoding is then a fixed point. Binary frames are
// always refused.
#include "fuzzcheck.h"
#include "v1jsonserializer.h"
#include "websocketreader.h"

#include "events.h"

using chatter::Message;
using chatter::V1JsonSerializer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    const V1JsonSerializer serializer;
    const QByteArrayView input = chatter::fuzz::bytesOf(data, size);
    FUZZ_CHECK(!serializer.decodeBinary(input));

    const auto decoded = serializer.decodeText(input);
    if (!decoded) {
        FUZZ_CHECK(!decoded.error().isEmpty());
        return 0;
    }
    const Message &m = *decoded;
    FUZZ_CHECK(!m.binary);
    FUZZ_CHECK(m.ref.isNull() || m.ref.isString() || m.ref.isDouble());
    // A join without join_ref takes its ref as the channel's join_ref.
    if (m.event == chatter::events::Join)
        FUZZ_CHECK(m.joinRef == m.ref || !m.joinRef.isNull());

    const auto encoded = serializer.encode(m);
    FUZZ_CHECK(encoded.has_value());
    FUZZ_CHECK(!encoded->binary);
    FUZZ_CHECK(chatter::server::isValidUtf8(encoded->data));
    FUZZ_CHECK(encoded->text.toUtf8() == encoded->data);

    // The server's frame carries the client's four keys, so it decodes as well, to the same.
    const auto again = serializer.decodeText(encoded->data);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->topic == m.topic);
    FUZZ_CHECK(again->event == m.event);
    const auto reencoded = serializer.encode(*again);
    FUZZ_CHECK(reencoded.has_value());
    // Qt keeps a raw U+FEFF that begins a string in its storage (and sorts and compares keys
    // by it) but drops it when the string is read or written, so the first round normalises
    // such input; from then on every round must be exact.
    if (!input.contains("\xEF\xBB\xBF")) {
        FUZZ_CHECK(again->payload == m.payload);
        FUZZ_CHECK(reencoded->data == encoded->data);
    }
    const auto third = serializer.decodeText(reencoded->data);
    FUZZ_CHECK(third.has_value() && third->payload == again->payload);
    const auto thirdEncoded = serializer.encode(*third);
    FUZZ_CHECK(thirdEncoded.has_value() && thirdEncoded->data == reencoded->data);
    return 0;
}
