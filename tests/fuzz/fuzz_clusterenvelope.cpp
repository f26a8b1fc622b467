// SPDX-License-Identifier: MIT
// The cluster envelope decoder (server/clusterenvelope.*) on arbitrary PUBLISH payloads, as
// another node (or anything else on the Redis) could send. Invariants: what decodes encodes
// back to the input byte for byte (the layout has one spelling); its frame is one JSON array
// in valid UTF-8 that the V2 decoder reads as the same broadcast, without refs; ordered types
// carry id > 0 and prev_id < id, unordered ones none; the origin is never the null id; every
// shorter prefix is refused; and the decoded message, broadcast again on this node, makes an
// envelope that decodes to the same topic, event and numbers.
#include "broadcast.h"
#include "clusterenvelope.h"
#include "fuzzcheck.h"
#include "v2serializer.h"
#include "websocketreader.h"

using chatter::Message;
using chatter::V2Serializer;
using chatter::server::Broadcast;
using chatter::server::ClusterEnvelope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    const QByteArrayView input = chatter::fuzz::bytesOf(data, size);
    const auto decoded = ClusterEnvelope::decode(input);
    if (!decoded) {
        FUZZ_CHECK(!decoded.error().isEmpty());
        return 0;
    }
    const ClusterEnvelope &e = *decoded;
    FUZZ_CHECK(e.encode() == input);
    FUZZ_CHECK(!e.originNode.isNull());
    if (ClusterEnvelope::isOrdered(e.type))
        FUZZ_CHECK(e.id > 0 && e.prevId < e.id);
    else
        FUZZ_CHECK(e.id == 0 && e.prevId == 0);

    FUZZ_CHECK(e.frame.startsWith('[') && e.frame.endsWith(']'));
    FUZZ_CHECK(chatter::server::isValidUtf8(e.frame));
    FUZZ_CHECK(input.endsWith(e.frame));
    const auto v2 = V2Serializer().decodeText(e.frame);
    FUZZ_CHECK(v2.has_value());
    FUZZ_CHECK(v2->joinRef.isNull() && v2->ref.isNull());
    FUZZ_CHECK(e.message.kind == Message::Kind::Broadcast);
    FUZZ_CHECK(e.message.topic == v2->topic && e.message.event == v2->event);

    for (const qsizetype cut : {qsizetype(0), input.size() / 2, input.size() - 1})
        FUZZ_CHECK(!ClusterEnvelope::decode(input.first(cut)));

    const auto broadcast = Broadcast::create(e.message, e.originChannel);
    const auto again =
        ClusterEnvelope::fromBroadcast(e.type, e.originNode, *broadcast, e.id, e.prevId);
    FUZZ_CHECK(again.has_value());
    const auto redecoded = ClusterEnvelope::decode(again->encode());
    FUZZ_CHECK(redecoded.has_value());
    FUZZ_CHECK(redecoded->type == e.type && redecoded->originChannel == e.originChannel);
    FUZZ_CHECK(redecoded->id == e.id && redecoded->prevId == e.prevId);
    FUZZ_CHECK(redecoded->message.topic == e.message.topic);
    FUZZ_CHECK(redecoded->message.event == e.message.event);
    return 0;
}
