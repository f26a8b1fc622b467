// SPDX-License-Identifier: MIT
#include "v2serializer.h"

#include "binarycodec.h"
#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace chatter {

namespace jsonwire {
namespace {

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

//! QJsonDocument is lenient inside strings: it accepts raw control characters and unknown
//! escapes such as `\q`. RFC 8259 does not, and neither does Phoenix, so check strings first.
bool stringsAreStrict(QByteArrayView text)
{
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (!inString) {
            inString = c == '"';
            continue;
        }
        if (c == '"') {
            inString = false;
        } else if (uchar(c) < 0x20) {
            return false;
        } else if (c == '\\') {
            if (++i >= text.size())
                return false;
            const char e = text[i];
            if (e == 'u') {
                if (i + 4 >= text.size() || !isHex(text[i + 1]) || !isHex(text[i + 2]) ||
                    !isHex(text[i + 3]) || !isHex(text[i + 4]))
                    return false;
                i += 4;
            } else if (!QByteArrayView("\"\\/bfnrt").contains(e)) {
                return false;
            }
        }
    }
    return true;
}

} // namespace

Expected<QJsonValue> parse(QByteArrayView utf8)
{
    if (!stringsAreStrict(utf8))
        return failure(QStringLiteral("invalid JSON: bad character or escape in a string"));
    // QJsonDocument only parses objects and arrays at the top level, which is all Phoenix
    // frames ever are; a scalar frame is malformed either way.
    QJsonParseError parseError;
    const auto doc = QJsonDocument::fromJson(utf8.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return failure(QStringLiteral("invalid JSON: %1").arg(parseError.errorString()));
    if (doc.isArray())
        return QJsonValue(doc.array());
    return QJsonValue(doc.object());
}

bool isValidRef(const QJsonValue &ref)
{
    return ref.isNull() || ref.isString() || ref.isDouble();
}

QByteArray compact(const QJsonValue &value)
{
    QByteArray json = value.isArray()
                          ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                          : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    // Qt's JSON reader drops a U+FEFF that begins a string when it comes as raw UTF-8 (it takes
    // it for a byte-order mark), so Qt peers (the desktop client, this decoder) would read a
    // different text than was sent; escaped it survives every reader. Outside strings compact
    // JSON is ASCII, so every such sequence is inside a string. Found by fuzz_v2serializer.
    if (json.contains("\xEF\xBB\xBF"))
        json.replace("\xEF\xBB\xBF", "\\ufeff");
    return json;
}

} // namespace jsonwire

DecodeResult V2Serializer::decodeText(QByteArrayView utf8) const
{
    const auto parsed = jsonwire::parse(utf8);
    if (!parsed)
        return failure(parsed.error());
    const QJsonValue &value = *parsed;
    if (!value.isArray())
        return failure(QStringLiteral("frame is not a JSON array"));
    return decodeArray(value.toArray());
}

DecodeResult V2Serializer::decodeArray(const QJsonArray &array)
{
    // Extra trailing elements are allowed and ignored, as Phoenix does.
    if (array.size() < 5)
        return failure(QStringLiteral("frame has %1 elements, 5 expected").arg(array.size()));
    const QJsonValue joinRef = array.at(0);
    const QJsonValue ref = array.at(1);
    if (!jsonwire::isValidRef(joinRef) || !jsonwire::isValidRef(ref))
        return failure(QStringLiteral("join_ref and ref must be strings or null"));
    if (!array.at(2).isString() || !array.at(3).isString())
        return failure(QStringLiteral("topic and event must be strings"));

    Message m;
    m.joinRef = joinRef;
    m.ref = ref;
    m.topic = array.at(2).toString();
    m.event = array.at(3).toString();
    m.payload = array.at(4);
    return m;
}

DecodeResult V2Serializer::decodeBinary(QByteArrayView bytes) const
{
    return binarycodec::decodeClientPush(bytes);
}

EncodeResult V2Serializer::encode(const Message &message) const
{
    if (message.binary)
        return binarycodec::encode(message);
    if (!message.payloadJson.isEmpty()) {
        QByteArray text;
        text.reserve(message.payloadJson.size() + message.topic.size() + message.event.size() + 32);
        text.append('[');
        jsontext::appendValue(text, message.joinRef);
        text.append(',');
        jsontext::appendValue(text, message.ref);
        text.append(',');
        jsontext::appendString(text, message.topic);
        text.append(',');
        jsontext::appendString(text, message.event);
        text.append(',');
        text.append(message.payloadJson);
        text.append(']');
        return Frame::makeText(std::move(text));
    }
    const QJsonArray array{message.joinRef, message.ref, message.topic, message.event,
                           message.payload};
    return Frame::makeText(jsonwire::compact(array));
}

} // namespace chatter
