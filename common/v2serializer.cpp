// SPDX-License-Identifier: MIT
#include "v2serializer.h"

#include "binarycodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace chatter {

namespace jsonwire {

QJsonValue parse(QByteArrayView utf8, QString *error)
{
    // QJsonDocument only parses objects and arrays at the top level, which is all Phoenix
    // frames ever are; a scalar frame is malformed either way.
    QJsonParseError parseError;
    const auto doc = QJsonDocument::fromJson(utf8.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("invalid JSON: %1").arg(parseError.errorString());
        return QJsonValue(QJsonValue::Undefined);
    }
    if (doc.isArray())
        return doc.array();
    return doc.object();
}

bool isValidRef(const QJsonValue &ref)
{
    return ref.isNull() || ref.isString() || ref.isDouble();
}

QByteArray compact(const QJsonValue &value)
{
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
}

} // namespace jsonwire

DecodeResult V2Serializer::decodeText(QByteArrayView utf8) const
{
    QString error;
    const QJsonValue value = jsonwire::parse(utf8, &error);
    if (value.isUndefined())
        return DecodeResult::fail(error);
    if (!value.isArray())
        return DecodeResult::fail(QStringLiteral("frame is not a JSON array"));
    const QJsonArray array = value.toArray();
    // Extra trailing elements are allowed and ignored, as Phoenix does.
    if (array.size() < 5)
        return DecodeResult::fail(QStringLiteral("frame has %1 elements, 5 expected").arg(array.size()));
    const QJsonValue joinRef = array.at(0);
    const QJsonValue ref = array.at(1);
    if (!jsonwire::isValidRef(joinRef) || !jsonwire::isValidRef(ref))
        return DecodeResult::fail(QStringLiteral("join_ref and ref must be strings or null"));
    if (!array.at(2).isString() || !array.at(3).isString())
        return DecodeResult::fail(QStringLiteral("topic and event must be strings"));

    Message m;
    m.joinRef = joinRef;
    m.ref = ref;
    m.topic = array.at(2).toString();
    m.event = array.at(3).toString();
    m.payload = array.at(4);
    return DecodeResult::ok(std::move(m));
}

DecodeResult V2Serializer::decodeBinary(QByteArrayView bytes) const
{
    return binarycodec::decodeClientPush(bytes);
}

EncodeResult V2Serializer::encode(const Message &message) const
{
    if (message.binary)
        return binarycodec::encode(message);
    const QJsonArray array{message.joinRef, message.ref, message.topic, message.event,
                           message.payload};
    return {Frame::makeText(jsonwire::compact(array)), {}};
}

} // namespace chatter
