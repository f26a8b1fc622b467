// SPDX-License-Identifier: MIT
#include "binarycodec.h"

#include <QStringDecoder>

#include <optional>

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

//! A header field's text, or nothing when it is not UTF-8. Every byte counts: a field that
//! starts with EF BB BF keeps its U+FEFF (QString::fromUtf8 would drop it as a byte-order mark,
//! so an event of just those bytes decoded as an empty event; found by fuzz_v2serializer).
std::optional<QString> fieldText(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless |
                                                     QStringDecoder::Flag::ConvertInitialBom);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

QJsonValue refValue(const QString &text)
{
    // A null ref travels as an empty field, so empty decodes back to null.
    if (text.isEmpty())
        return QJsonValue::Null;
    return text;
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
    const auto joinRefText = fieldText(joinRef);
    const auto refText = fieldText(ref);
    const auto topicText = fieldText(topic);
    const auto eventText = fieldText(event);
    if (!joinRefText || !refText || !topicText || !eventText)
        return failure(QStringLiteral("binary header field is not UTF-8"));
    if (topicText->isEmpty() || eventText->isEmpty())
        return failure(QStringLiteral("binary frame without topic or event"));

    Message m;
    m.kind = Message::Kind::Push;
    m.joinRef = refValue(*joinRefText);
    m.ref = refValue(*refText);
    m.topic = *topicText;
    m.event = *eventText;
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
