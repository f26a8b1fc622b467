// SPDX-License-Identifier: MIT
// The V2 binary layout (phoenix-protocol.md §2.5). Invariants: a client push that decodes is
// re-encoded by the client layout to exactly the input bytes (nothing is lost or invented), and
// the server's encoding of the same fields, as push, reply and broadcast, parses back by the
// server layout to the same fields and payload.
#include "binarycodec.h"
#include "fuzzcheck.h"

#include <QList>

using chatter::Message;

namespace {

QByteArray refBytes(const QJsonValue &ref)
{
    FUZZ_CHECK(ref.isNull() || ref.isString());
    return ref.toString().toUtf8();
}

//! A client push in the client layout: kind 0, four lengths, four fields, payload.
QByteArray clientPush(const Message &m)
{
    const QByteArray joinRef = refBytes(m.joinRef);
    const QByteArray ref = refBytes(m.ref);
    const QByteArray topic = m.topic.toUtf8();
    const QByteArray event = m.event.toUtf8();
    QByteArray out(1, '\0');
    for (const QByteArray *field : {&joinRef, &ref, &topic, &event}) {
        FUZZ_CHECK(field->size() <= 255);
        out.append(char(field->size()));
    }
    return out + joinRef + ref + topic + event + m.binaryPayload;
}

//! Reads a server frame: kind, then the lengths that kind has, the fields, the payload.
QList<QByteArray> serverFields(const QByteArray &frame, Message::Kind kind)
{
    const int count = kind == Message::Kind::Reply ? 4 : kind == Message::Kind::Push ? 3 : 2;
    FUZZ_CHECK(frame.size() >= 1 + count);
    FUZZ_CHECK(quint8(frame[0]) == quint8(kind));
    QList<QByteArray> fields;
    qsizetype pos = 1 + count;
    for (int i = 0; i < count; ++i) {
        const qsizetype len = quint8(frame[1 + i]);
        FUZZ_CHECK(pos + len <= frame.size());
        fields.append(frame.mid(pos, len));
        pos += len;
    }
    fields.append(frame.mid(pos));
    return fields;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    const QByteArrayView input = chatter::fuzz::bytesOf(data, size);
    const auto decoded = chatter::binarycodec::decodeClientPush(input);
    if (!decoded)
        return 0;
    const Message &m = *decoded;
    FUZZ_CHECK(m.binary && m.kind == Message::Kind::Push);
    FUZZ_CHECK(clientPush(m) == input);

    const QByteArray joinRef = refBytes(m.joinRef);
    const QByteArray ref = refBytes(m.ref);
    const QByteArray topic = m.topic.toUtf8();
    const QByteArray event = m.event.toUtf8();

    Message push = Message::binaryPush(m.joinRef, m.topic, m.event, m.binaryPayload);
    const auto pushed = chatter::binarycodec::encode(push);
    FUZZ_CHECK(pushed.has_value() && pushed->binary);
    FUZZ_CHECK(serverFields(pushed->data, Message::Kind::Push) ==
               QList<QByteArray>({joinRef, topic, event, m.binaryPayload}));

    Message reply = Message::binaryReply(m.joinRef, m.ref, m.topic, m.event, m.binaryPayload);
    const auto replied = chatter::binarycodec::encode(reply);
    FUZZ_CHECK(replied.has_value() && replied->binary);
    FUZZ_CHECK(serverFields(replied->data, Message::Kind::Reply) ==
               QList<QByteArray>({joinRef, ref, topic, event, m.binaryPayload}));

    Message broadcast = Message::binaryBroadcast(m.topic, m.event, m.binaryPayload);
    const auto broadcasted = chatter::binarycodec::encode(broadcast);
    FUZZ_CHECK(broadcasted.has_value() && broadcasted->binary);
    FUZZ_CHECK(serverFields(broadcasted->data, Message::Kind::Broadcast) ==
               QList<QByteArray>({topic, event, m.binaryPayload}));
    return 0;
}
