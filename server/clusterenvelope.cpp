// SPDX-License-Identifier: MIT
#include "clusterenvelope.h"

#include "broadcast.h"
#include "v2serializer.h"
#include "websocketreader.h"

#include <QtEndian>

namespace chatter::server {

namespace {

constexpr qsizetype VersionOffset = 2;
constexpr qsizetype TypeOffset = 3;
constexpr qsizetype NodeOffset = 4;
constexpr qsizetype NodeSize = 16;
constexpr qsizetype ChannelOffset = 20;
constexpr qsizetype IdOffset = 28;
constexpr qsizetype PrevIdOffset = 36;

void appendBigEndian(QByteArray &out, quint64 value)
{
    char bytes[8];
    qToBigEndian<quint64>(value, bytes);
    out.append(bytes, sizeof bytes);
}

quint64 readBigEndian(QByteArrayView bytes, qsizetype offset)
{
    return qFromBigEndian<quint64>(bytes.data() + offset);
}

bool knownType(quint8 type)
{
    return type >= quint8(ClusterEnvelope::Type::RoomMessage) &&
           type <= quint8(ClusterEnvelope::Type::Other);
}

//! The checks both ends make on the sequencer's numbers: the room's previous id is below this
//! one (ids increase in commit order; 0 is "no message before it").
Expected<void> checkOrder(quint64 id, quint64 prevId)
{
    if (id == 0)
        return failure(QStringLiteral("an ordered envelope needs an id above 0"));
    if (prevId >= id)
        return failure(QStringLiteral("prev_id %1 is not below id %2").arg(prevId).arg(id));
    return {};
}

//! The frame as V2Serializer reads it, and stricter: exactly one 5-element array with nothing
//! around it (the bytes go to clients untouched), valid UTF-8, and no refs (a broadcast).
Expected<Message> decodeFrame(QByteArrayView frame)
{
    if (frame.isEmpty())
        return failure(QStringLiteral("the envelope has no frame"));
    if (frame.front() != '[' || frame.back() != ']')
        return failure(QStringLiteral("the frame is not one JSON array with nothing around it"));
    if (!isValidUtf8(frame))
        return failure(QStringLiteral("the frame is not valid UTF-8"));
    const auto parsed = jsonwire::parse(frame);
    if (!parsed)
        return failure(QStringLiteral("the frame: %1").arg(parsed.error()));
    if (!parsed->isArray())
        return failure(QStringLiteral("the frame is not a JSON array"));
    const QJsonArray array = parsed->toArray();
    if (array.size() != 5)
        return failure(QStringLiteral("the frame has %1 elements, 5 expected").arg(array.size()));
    auto message = V2Serializer::decodeArray(array);
    if (!message)
        return failure(QStringLiteral("the frame: %1").arg(message.error()));
    if (!message->joinRef.isNull() || !message->ref.isNull())
        return failure(QStringLiteral("the frame has refs; a broadcast has none"));
    message->kind = Message::Kind::Broadcast;
    return message;
}

} // namespace

QByteArray ClusterEnvelope::encode() const
{
    QByteArray out;
    out.reserve(OrderedHeaderSize + frame.size());
    out.append(Magic, 2);
    out.append(char(Version));
    out.append(char(type));
    out.append(originNode.toRfc4122());
    appendBigEndian(out, originChannel);
    if (isOrdered(type)) {
        appendBigEndian(out, id);
        appendBigEndian(out, prevId);
    }
    out.append(frame);
    return out;
}

Expected<ClusterEnvelope> ClusterEnvelope::decode(QByteArrayView bytes)
{
    if (bytes.size() < HeaderSize)
        return failure(QStringLiteral("envelope of %1 bytes, shorter than its %2-byte header")
                           .arg(bytes.size())
                           .arg(HeaderSize));
    if (bytes.first(2) != QByteArrayView(Magic, 2))
        return failure(QStringLiteral("not a cluster envelope: it starts with %1, not \"CH\"")
                           .arg(QString::fromLatin1(bytes.first(2).toByteArray().toHex())));
    const auto version = quint8(bytes[VersionOffset]);
    if (version != Version)
        return failure(QStringLiteral("unknown envelope version %1 (this node reads %2)")
                           .arg(version)
                           .arg(Version));
    const auto type = quint8(bytes[TypeOffset]);
    if (!knownType(type))
        return failure(QStringLiteral("unknown envelope type %1").arg(type));

    ClusterEnvelope envelope;
    envelope.type = Type(type);
    envelope.originNode = QUuid::fromRfc4122(bytes.sliced(NodeOffset, NodeSize));
    if (envelope.originNode.isNull())
        return failure(QStringLiteral("the envelope's origin node is the null id"));
    envelope.originChannel = readBigEndian(bytes, ChannelOffset);
    qsizetype frameOffset = HeaderSize;
    if (isOrdered(envelope.type)) {
        if (bytes.size() < OrderedHeaderSize)
            return failure(QStringLiteral("ordered envelope of %1 bytes, shorter than its "
                                          "%2-byte header with id and prev_id")
                               .arg(bytes.size())
                               .arg(OrderedHeaderSize));
        envelope.id = readBigEndian(bytes, IdOffset);
        envelope.prevId = readBigEndian(bytes, PrevIdOffset);
        if (const auto order = checkOrder(envelope.id, envelope.prevId); !order)
            return failure(order.error());
        frameOffset = OrderedHeaderSize;
    }
    const QByteArrayView frame = bytes.sliced(frameOffset);
    auto message = decodeFrame(frame);
    if (!message)
        return failure(message.error());
    envelope.frame = frame.toByteArray();
    envelope.message = std::move(*message);
    return envelope;
}

Expected<ClusterEnvelope> ClusterEnvelope::fromBroadcast(Type type, const QUuid &originNode,
                                                         const Broadcast &broadcast, quint64 id,
                                                         quint64 prevId)
{
    if (originNode.isNull())
        return failure(QStringLiteral("the origin node is the null id"));
    if (isOrdered(type)) {
        if (const auto order = checkOrder(id, prevId); !order)
            return failure(order.error());
    } else if (id != 0 || prevId != 0) {
        return failure(QStringLiteral("only room messages and changes carry id and prev_id"));
    }
    const Message &message = broadcast.message();
    if (message.binary)
        return failure(QStringLiteral("a binary broadcast has no V2 JSON frame to publish"));
    if (!message.joinRef.isNull() || !message.ref.isNull())
        return failure(QStringLiteral("a broadcast with refs cannot be published"));
    const Serializer *v2 = Serializer::forVersion(Serializer::Version::V2);
    const Frame *frame = broadcast.frameFor(v2);
    if (!frame)
        return failure(broadcast.encodeError(v2));

    ClusterEnvelope envelope;
    envelope.type = type;
    envelope.originNode = originNode;
    envelope.originChannel = broadcast.excludedChannel();
    envelope.id = id;
    envelope.prevId = prevId;
    envelope.frame = frame->data; // shared with the Broadcast's cache, not encoded again
    envelope.message = message;
    return envelope;
}

} // namespace chatter::server
