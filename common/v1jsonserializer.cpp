// SPDX-License-Identifier: MIT
#include "v1jsonserializer.h"

#include "events.h"
#include "jsontext.h"
#include "v2serializer.h"

#include <QJsonObject>

namespace chatter {

DecodeResult V1JsonSerializer::decodeText(QByteArrayView utf8) const
{
    const auto parsed = jsonwire::parse(utf8);
    if (!parsed)
        return failure(parsed.error());
    const QJsonValue &value = *parsed;
    if (!value.isObject())
        return failure(QStringLiteral("frame is not a JSON object"));
    const QJsonObject object = value.toObject();
    for (const char *key : {"topic", "event", "payload", "ref"}) {
        if (!object.contains(QLatin1StringView(key)))
            return failure(QStringLiteral("missing key \"%1\"").arg(QLatin1StringView(key)));
    }
    const QJsonValue ref = object.value(QLatin1StringView("ref"));
    const QJsonValue joinRef = object.value(QLatin1StringView("join_ref"));
    if (!jsonwire::isValidRef(ref) || !(joinRef.isUndefined() || jsonwire::isValidRef(joinRef)))
        return failure(QStringLiteral("join_ref and ref must be strings or null"));
    const QJsonValue topic = object.value(QLatin1StringView("topic"));
    const QJsonValue event = object.value(QLatin1StringView("event"));
    if (!topic.isString() || !event.isString())
        return failure(QStringLiteral("topic and event must be strings"));

    Message m;
    m.ref = ref;
    m.topic = topic.toString();
    m.event = event.toString();
    m.payload = object.value(QLatin1StringView("payload"));
    m.joinRef = joinRef.isUndefined() ? QJsonValue(QJsonValue::Null) : joinRef;
    if (m.event == events::Join && m.joinRef.isNull())
        m.joinRef = m.ref;
    return m;
}

DecodeResult V1JsonSerializer::decodeBinary(QByteArrayView) const
{
    return failure(QStringLiteral("binary frames need vsn 2.0.0"));
}

EncodeResult V1JsonSerializer::encode(const Message &message) const
{
    if (message.binary)
        return failure(QStringLiteral("binary payloads need vsn 2.0.0"));
    if (!message.payloadJson.isEmpty()) {
        QByteArray text;
        text.reserve(message.payloadJson.size() + message.topic.size() + message.event.size() + 48);
        // Keys in QJsonObject's (sorted) order, as the object form below writes them.
        text.append("{\"event\":");
        jsontext::appendString(text, message.event);
        text.append(",\"payload\":");
        text.append(message.payloadJson);
        text.append(",\"ref\":");
        jsontext::appendValue(text, message.ref);
        text.append(",\"topic\":");
        jsontext::appendString(text, message.topic);
        text.append('}');
        return Frame::makeText(std::move(text));
    }
    const QJsonObject object{{QStringLiteral("topic"), message.topic},
                             {QStringLiteral("event"), message.event},
                             {QStringLiteral("payload"), message.payload},
                             {QStringLiteral("ref"), message.ref}};
    return Frame::makeText(jsonwire::compact(object));
}

} // namespace chatter
