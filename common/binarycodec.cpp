// SPDX-License-Identifier: MIT
#include "binarycodec.h"

#include <QStringDecoder>

namespace chatter::binarycodec {
namespace {

constexpr int MaxFieldBytes = 255;

QByteArray refBytes(const QJsonValue &ref)
{
    if (ref.isString())
        return ref.toString().toUtf8();
    if (ref.isDouble())
        return QByteArray::number(ref.toDouble(), 'g', 17);
    return {};
}

QJsonValue refValue(QByteArrayView bytes)
{
    // A null ref travels as an empty field, so empty decodes back to null.
    if (bytes.isEmpty())
        return QJsonValue::Null;
    return QString::fromUtf8(bytes);
}

bool isValidUtf8(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    [[maybe_unused]] const QString text = decoder.decode(bytes);
    return !decoder.hasError();
}

} // namespace

DecodeResult decodeClientPush(QByteArrayView bytes)
{
    constexpr qsizetype HeaderSize = 5;
    if (bytes.isEmpty())
        return failure(QStringLiteral("empty binary frame"));
    const auto kind = quint8(bytes[0]);
    if (kind != quint8(Message::Kind::Push))
        return failure(QStringLiteral("unexpected binary kind %1").arg(kind));
    if (bytes.size() < HeaderSize)
        return failure(QStringLiteral("truncated binary header"));
    const qsizetype joinRefLen = quint8(bytes[1]);
    const qsizetype refLen = quint8(bytes[2]);
    const qsizetype topicLen = quint8(bytes[3]);
    const qsizetype eventLen = quint8(bytes[4]);
    if (bytes.size() < HeaderSize + joinRefLen + refLen + topicLen + eventLen)
        return failure(QStringLiteral("truncated binary fields"));

    qsizetype pos = HeaderSize;
    auto take = [&](qsizetype len) {
        const auto part = bytes.sliced(pos, len);
        pos += len;
        return part;
    };
    const auto joinRef = take(joinRefLen);
    const auto ref = take(refLen);
    const auto topic = take(topicLen);
    const auto event = take(eventLen);
    if (!isValidUtf8(joinRef) || !isValidUtf8(ref) || !isValidUtf8(topic) || !isValidUtf8(event))
        return failure(QStringLiteral("binary header field is not UTF-8"));
    if (topic.isEmpty() || event.isEmpty())
        return failure(QStringLiteral("binary frame without topic or event"));

    Message m;
    m.kind = Message::Kind::Push;
    m.joinRef = refValue(joinRef);
    m.ref = refValue(ref);
    m.topic = QString::fromUtf8(topic);
    m.event = QString::fromUtf8(event);
    m.binaryPayload = bytes.sliced(pos).toByteArray();
    m.binary = true;
    return m;
}

EncodeResult encode(const Message &message)
{
    const QByteArray joinRef = refBytes(message.joinRef);
    const QByteArray ref = refBytes(message.ref);
    const QByteArray topic = message.topic.toUtf8();
    const QByteArray event =
        (message.kind == Message::Kind::Reply ? message.replyStatus : message.event).toUtf8();
    for (const QByteArray *field : {&joinRef, &ref, &topic, &event}) {
        if (field->size() > MaxFieldBytes)
            return failure(QStringLiteral("field too long"));
    }

    QByteArray out;
    out.reserve(5 + joinRef.size() + ref.size() + topic.size() + event.size() +
                message.binaryPayload.size());
    out.append(char(message.kind));
    switch (message.kind) {
    case Message::Kind::Push:
        out.append(char(joinRef.size())).append(char(topic.size())).append(char(event.size()));
        out.append(joinRef).append(topic).append(event);
        break;
    case Message::Kind::Reply:
        out.append(char(joinRef.size())).append(char(ref.size()));
        out.append(char(topic.size())).append(char(event.size()));
        out.append(joinRef).append(ref).append(topic).append(event);
        break;
    case Message::Kind::Broadcast:
        out.append(char(topic.size())).append(char(event.size()));
        out.append(topic).append(event);
        break;
    }
    out.append(message.binaryPayload);
    return Frame::makeBinary(std::move(out));
}

} // namespace chatter::binarycodec
