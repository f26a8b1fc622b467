// SPDX-License-Identifier: MIT
#include "binarycodec.h"
#include "jsontext.h"
#include "serializer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace chatter;

Q_DECLARE_METATYPE(chatter::Message)

namespace {

//! The reason a decode or encode failed, or nothing when it worked (for failure messages).
template <typename T> QString whyNot(const Expected<T> &result)
{
    return result ? QString() : result.error();
}

} // namespace

class tst_Serializer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void vsnNegotiation_data();
    void vsnNegotiation();
    void v2DecodesValidFrames_data();
    void v2DecodesValidFrames();
    void v2RejectsMalformed_data();
    void v2RejectsMalformed();
    void v2EncodesExactBytes_data();
    void v2EncodesExactBytes();
    void v2TextRoundTrip();
    void textRoundTripKeepsLeadingFeff();
    void payloadTextEncodesLikeTheObject_data();
    void payloadTextEncodesLikeTheObject();
    void v1DecodeAndEncode();
    void v1JoinWithoutJoinRefUsesRef();
    void v1RejectsMalformed_data();
    void v1RejectsMalformed();
    void binaryClientPush();
    void binaryRejectsMalformed_data();
    void binaryRejectsMalformed();
    void binaryServerLayouts();
    void binaryRefusesLongFields_data();
    void binaryRefusesLongFields();
    void binaryRoundTripUtf8();
    void binaryKeepsLeadingFeff();
};

static const Serializer *v1()
{
    return Serializer::forVersion(Serializer::Version::V1);
}
static const Serializer *v2()
{
    return Serializer::forVersion(Serializer::Version::V2);
}

void tst_Serializer::vsnNegotiation_data()
{
    QTest::addColumn<QString>("vsn");
    QTest::addColumn<int>("version"); // 0: refused
    QTest::newRow("absent") << QString() << 1;
    QTest::newRow("1.0.0") << "1.0.0" << 1;
    QTest::newRow("1.0.9") << "1.0.9" << 1;
    QTest::newRow("2.0.0") << "2.0.0" << 2;
    QTest::newRow("2.0.1") << "2.0.1" << 2;
    QTest::newRow("2.1.0") << "2.1.0" << 0;
    QTest::newRow("3.0.0") << "3.0.0" << 0;
    QTest::newRow("123.1.1") << "123.1.1" << 0;
    QTest::newRow("abc") << "abc" << 0;
    QTest::newRow("empty") << "" << 0;
}

void tst_Serializer::vsnNegotiation()
{
    QFETCH(QString, vsn);
    QFETCH(int, version);
    const Serializer *s = Serializer::forVsn(vsn);
    if (version == 0)
        QVERIFY(!s);
    else
        QCOMPARE(int(s->version()), version);
}

void tst_Serializer::v2DecodesValidFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("event");
    QTest::addColumn<QString>("payload");
    QTest::newRow("join") << QByteArray(R"(["1","1","chatter:room:lobby","phx_join",{"a":1}])")
                          << "chatter:room:lobby"
                          << "phx_join"
                          << R"({"a":1})";
    QTest::newRow("heartbeat") << QByteArray(R"([null,"5","phoenix","heartbeat",{}])") << "phoenix"
                               << "heartbeat"
                               << "{}";
    QTest::newRow("extra elements ignored")
        << QByteArray(R"(["1","2","t","e",{"x":[1,2]},"extra",7])") << "t"
        << "e"
        << R"({"x":[1,2]})";
    QTest::newRow("array payload") << QByteArray(R"(["1","2","t","e",[1]])") << "t"
                                   << "e"
                                   << "[1]";
    QTest::newRow("escapes") << QByteArray(R"(["1","2","a\"\\\/\b\f\n\r\t\u00e9","e",{}])")
                             << QStringLiteral("a\"\\/\b\f\n\r\t\u00e9") << "e"
                             << "{}";
    QTest::newRow("unicode topic")
        << QByteArray("[\"1\",\"2\",\"r\xc3\xa4um\",\"e\",{}]") << "r\u00e4um"
        << "e"
        << "{}";
}

void tst_Serializer::v2DecodesValidFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, topic);
    QFETCH(QString, event);
    QFETCH(QString, payload);
    const DecodeResult r = v2()->decodeText(frame);
    QVERIFY2(r.has_value(), qPrintable(whyNot(r)));
    QCOMPARE(r->topic, topic);
    QCOMPARE(r->event, event);
    const QByteArray expected = payload.toUtf8();
    const QJsonDocument doc = QJsonDocument::fromJson(expected);
    QCOMPARE(r->payload, doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
}

void tst_Serializer::v2RejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not json") << QByteArray("hello");
    QTest::newRow("truncated") << QByteArray(R"(["1","1","t","e",{)");
    QTest::newRow("object") << QByteArray(R"({"topic":"t"})");
    QTest::newRow("four elements") << QByteArray(R"(["1","1","t","e"])");
    QTest::newRow("empty array") << QByteArray("[]");
    QTest::newRow("numeric topic") << QByteArray(R"(["1","1",5,"e",{}])");
    QTest::newRow("null event") << QByteArray(R"(["1","1","t",null,{}])");
    QTest::newRow("object ref") << QByteArray(R"(["1",{},"t","e",{}])");
    QTest::newRow("bool join_ref") << QByteArray(R"([true,"1","t","e",{}])");
    QTest::newRow("scalar") << QByteArray("42");
    QTest::newRow("deep nesting") << QByteArray(10000, '[') + QByteArray(10000, ']');
    QTest::newRow("unknown escape") << QByteArray(R"([null,"1\q","phoenix","heartbeat",{}])");
    QTest::newRow("raw control char")
        << QByteArray("[null,\"1\x01\",\"phoenix\",\"heartbeat\",{}]");
    QTest::newRow("short unicode escape") << QByteArray(R"([null,"\u12","t","e",{}])");
    QTest::newRow("trailing garbage") << QByteArray(R"(["1","1","t","e",{}]xx)");
}

void tst_Serializer::v2RejectsMalformed()
{
    QFETCH(QByteArray, frame);
    const DecodeResult r = v2()->decodeText(frame);
    QVERIFY(!r.has_value());
    QVERIFY(!r.error().isEmpty());
}

void tst_Serializer::v2EncodesExactBytes_data()
{
    QTest::addColumn<Message>("message");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("heartbeat reply")
        << Message::reply(QJsonValue::Null, QStringLiteral("1"), QStringLiteral("phoenix"),
                          QStringLiteral("ok"))
        << QByteArray(R"([null,"1","phoenix","phx_reply",{"response":{},"status":"ok"}])");
    QTest::newRow("unmatched topic")
        << Message::reply(
               QJsonValue::Null, QStringLiteral("3"), QStringLiteral("nope"),
               QStringLiteral("error"),
               QJsonObject{{QStringLiteral("reason"), QStringLiteral("unmatched topic")}})
        << QByteArray(
               R"([null,"3","nope","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}])");
    QTest::newRow("broadcast") << Message::broadcast(
                                      QStringLiteral("t"), QStringLiteral("new_msg"),
                                      {{QStringLiteral("body"), QStringLiteral("hi")}})
                               << QByteArray(R"([null,null,"t","new_msg",{"body":"hi"}])");
    QTest::newRow("push") << Message::push(QStringLiteral("4"), QStringLiteral("t"),
                                           QStringLiteral("ev"), {})
                          << QByteArray(R"(["4",null,"t","ev",{}])");
    QTest::newRow("close") << Message::channelControl(QStringLiteral("4"), QStringLiteral("t"),
                                                      QStringLiteral("phx_close"))
                           << QByteArray(R"(["4","4","t","phx_close",{}])");
}

void tst_Serializer::v2EncodesExactBytes()
{
    QFETCH(Message, message);
    QFETCH(QByteArray, bytes);
    const EncodeResult r = v2()->encode(message);
    QVERIFY(r.has_value());
    QVERIFY(!r->binary);
    QCOMPARE(r->data, bytes);
    QCOMPARE(r->text, QString::fromUtf8(bytes));
}

void tst_Serializer::v2TextRoundTrip()
{
    Message m = Message::push(QStringLiteral("7"), QStringLiteral("chatter:room:x"),
                              QStringLiteral("new_msg"),
                              {{QStringLiteral("body"), QStringLiteral("h\u00e9llo \"quoted\"")}});
    m.ref = QStringLiteral("9");
    const DecodeResult r = v2()->decodeText(v2()->encode(m)->data);
    QVERIFY(r.has_value());
    QCOMPARE(r->joinRef, m.joinRef);
    QCOMPARE(r->ref, m.ref);
    QCOMPARE(r->topic, m.topic);
    QCOMPARE(r->event, m.event);
    QCOMPARE(r->payload, m.payload);
}

// Qt's JSON reader drops a raw U+FEFF at the start of a string (found by the fuzz harnesses):
// text that begins with one, in a key, a value, the topic or the event, must come back whole.
void tst_Serializer::textRoundTripKeepsLeadingFeff()
{
    const QString feff(QChar(0xFEFF));
    Message m = Message::push(QStringLiteral("7"), feff + QStringLiteral("t"), feff,
                              {{feff, feff + QStringLiteral("body")}, {QStringLiteral("x"), feff}});
    m.ref = QStringLiteral("9");
    for (const Serializer *serializer : {v1(), v2()}) {
        const EncodeResult encoded = serializer->encode(m);
        QVERIFY(encoded.has_value());
        QVERIFY(!encoded->data.contains("\xEF\xBB\xBF"));
        const DecodeResult r = serializer->decodeText(encoded->data);
        QVERIFY2(r.has_value(), qPrintable(whyNot(r)));
        QCOMPARE(r->topic, m.topic);
        QCOMPARE(r->event, m.event);
        QCOMPARE(r->payload, m.payload);
        QCOMPARE(encoded->text, QString::fromUtf8(encoded->data));
    }
}

void tst_Serializer::payloadTextEncodesLikeTheObject_data()
{
    // A payload written as text (jsontext) must reach every reader as the object would.
    QTest::addColumn<QString>("text");
    QTest::addColumn<QJsonValue>("joinRef");
    QTest::addColumn<bool>("sameBytes"); //!< also byte for byte what QJsonDocument writes
    QTest::newRow("plain") << QStringLiteral("hello") << QJsonValue(QStringLiteral("7")) << true;
    QTest::newRow("quotes and backslash")
        << QStringLiteral("say \"hi\" \\ bye") << QJsonValue(QStringLiteral("7")) << true;
    QTest::newRow("named escapes")
        << QStringLiteral("a\nb\tc\rd\be\ff") << QJsonValue(QJsonValue::Null) << true;
    QTest::newRow("other controls")
        << QStringLiteral("x\u0001y\u001fz\u0000") << QJsonValue(12) << false;
    QTest::newRow("non-ASCII") << QStringLiteral("h\u00e9llo \u4e16\u754c \U0001F600 \u2028")
                               << QJsonValue(QStringLiteral("1")) << true;
    QTest::newRow("byte order mark") << QStringLiteral("\ufeffat the start, \ufeff inside")
                                     << QJsonValue(QStringLiteral("1")) << true;
    QTest::newRow("unpaired surrogates")
        << QStringLiteral("a") + QChar(0xD800) + QStringLiteral("b") + QChar(0xDC00)
        << QJsonValue(QStringLiteral("1")) << true;
    QTest::newRow("empty") << QString() << QJsonValue(QStringLiteral("1")) << true;
}

void tst_Serializer::payloadTextEncodesLikeTheObject()
{
    QFETCH(QString, text);
    QFETCH(QJsonValue, joinRef);
    QFETCH(bool, sameBytes);
    const QString topic = QStringLiteral("chatter:room:") + text;
    const QString event = QStringLiteral("presence_state");
    const Message object = Message::push(
        joinRef, topic, event, {{QStringLiteral("a"), text}, {text, QStringLiteral("k")}});
    QByteArray payload("{");
    // Keys in QJsonObject's order: "a" before any text that is not empty and sorts after it.
    const bool textFirst = text < QStringLiteral("a");
    const auto field = [&](const QString &key, const QString &value) {
        chatter::jsontext::appendString(payload, key);
        payload.append(':');
        chatter::jsontext::appendString(payload, value);
    };
    if (textFirst)
        field(text, QStringLiteral("k"));
    else
        field(QStringLiteral("a"), text);
    payload.append(',');
    if (textFirst)
        field(QStringLiteral("a"), text);
    else
        field(text, QStringLiteral("k"));
    payload.append('}');
    const Message written = Message::pushJson(joinRef, topic, event, payload);

    for (const Serializer *serializer : {v1(), v2()}) {
        const EncodeResult fromObject = serializer->encode(object);
        const EncodeResult fromText = serializer->encode(written);
        QVERIFY(fromObject.has_value() && fromText.has_value());
        if (sameBytes)
            QCOMPARE(fromText->data, fromObject->data);
        QCOMPARE(fromText->text, QString::fromUtf8(fromText->data));
        QVERIFY(!fromText->data.contains("\xEF\xBB\xBF"));
        const DecodeResult a = serializer->decodeText(fromObject->data);
        const DecodeResult b = serializer->decodeText(fromText->data);
        QVERIFY2(b.has_value(), qPrintable(whyNot(b) + QString::fromUtf8(fromText->data)));
        QVERIFY(a.has_value());
        QCOMPARE(b->topic, a->topic);
        QCOMPARE(b->event, a->event);
        QCOMPARE(b->ref, a->ref);
        QCOMPARE(b->payload, a->payload);
        if (serializer == v2())
            QCOMPARE(b->joinRef, a->joinRef);
    }
}

void tst_Serializer::v1DecodeAndEncode()
{
    const DecodeResult r =
        v1()->decodeText(R"({"topic":"t","event":"e","payload":{"a":1},"ref":"2","join_ref":"1"})");
    QVERIFY(r.has_value());
    QCOMPARE(r->joinRef, QJsonValue(QStringLiteral("1")));
    const EncodeResult e = v1()->encode(Message::reply(QStringLiteral("1"), QStringLiteral("2"),
                                                       QStringLiteral("t"), QStringLiteral("ok")));
    QVERIFY(e.has_value());
    const QJsonObject object = QJsonDocument::fromJson(e->data).object();
    QCOMPARE(object.keys(), (QStringList{"event", "payload", "ref", "topic"}));
    QVERIFY(!object.contains(QLatin1String("join_ref")));
    QCOMPARE(object.value(QLatin1String("ref")).toString(), QStringLiteral("2"));
    QVERIFY(!v1()->encode(Message::binaryBroadcast(QStringLiteral("t"), QStringLiteral("e"), "x"))
                 .has_value());
}

void tst_Serializer::v1JoinWithoutJoinRefUsesRef()
{
    const DecodeResult r =
        v1()->decodeText(R"({"topic":"t","event":"phx_join","payload":{},"ref":"12"})");
    QVERIFY(r.has_value());
    QCOMPARE(r->joinRef, QJsonValue(QStringLiteral("12")));
    const DecodeResult push =
        v1()->decodeText(R"({"topic":"t","event":"x","payload":{},"ref":13})");
    QVERIFY(push.has_value());
    QVERIFY(push->joinRef.isNull());
    QCOMPARE(push->ref.toInt(), 13);
}

void tst_Serializer::v1RejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::newRow("array") << QByteArray(R"(["1","1","t","e",{}])");
    QTest::newRow("missing ref") << QByteArray(R"({"topic":"t","event":"e","payload":{}})");
    QTest::newRow("missing payload") << QByteArray(R"({"topic":"t","event":"e","ref":"1"})");
    QTest::newRow("null topic") << QByteArray(
        R"({"topic":null,"event":"e","payload":{},"ref":"1"})");
    QTest::newRow("not json") << QByteArray("{");
}

void tst_Serializer::v1RejectsMalformed()
{
    QFETCH(QByteArray, frame);
    QVERIFY(!v1()->decodeText(frame).has_value());
    QVERIFY(!v1()->decodeBinary(QByteArray("\0\0\0\1\1te", 8)).has_value());
}

void tst_Serializer::binaryClientPush()
{
    QByteArray frame;
    frame.append(char(0)).append(char(2)).append(char(1)).append(char(3)).append(char(4));
    frame.append("12").append("3").append("top").append("ping").append(
        QByteArray("\x00\xff\x10", 3));
    const DecodeResult r = v2()->decodeBinary(frame);
    QVERIFY2(r.has_value(), qPrintable(whyNot(r)));
    QVERIFY(r->binary);
    QCOMPARE(r->joinRef, QJsonValue(QStringLiteral("12")));
    QCOMPARE(r->ref, QJsonValue(QStringLiteral("3")));
    QCOMPARE(r->topic, QStringLiteral("top"));
    QCOMPARE(r->event, QStringLiteral("ping"));
    QCOMPARE(r->binaryPayload, QByteArray("\x00\xff\x10", 3));
}

void tst_Serializer::binaryRejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("kind 1 from client") << QByteArray("\x01\x00\x00\x01\x01te", 7);
    QTest::newRow("kind 2 from client") << QByteArray("\x02\x01\x01te", 5);
    QTest::newRow("kind 7") << QByteArray("\x07\x00\x00\x01\x01te", 7);
    QTest::newRow("short header") << QByteArray("\x00\x01\x01", 3);
    QTest::newRow("fields past end") << QByteArray("\x00\x05\x05\x05\x05"
                                                   "abc",
                                                   8);
    QTest::newRow("no topic") << QByteArray("\x00\x00\x00\x00\x01"
                                            "e",
                                            6);
    QTest::newRow("bad utf8 topic") << QByteArray("\x00\x00\x00\x01\x01\xff"
                                                  "e",
                                                  7);
}

void tst_Serializer::binaryRejectsMalformed()
{
    QFETCH(QByteArray, frame);
    const DecodeResult r = v2()->decodeBinary(frame);
    QVERIFY(!r.has_value());
    QVERIFY(!r.error().isEmpty());
}

void tst_Serializer::binaryServerLayouts()
{
    const QByteArray payload("\x01\x02", 2);
    const auto push = v2()->encode(Message::binaryPush(QStringLiteral("jr"), QStringLiteral("t"),
                                                       QStringLiteral("ev"), payload));
    QVERIFY(push.has_value() && push->binary);
    QCOMPARE(push->data, QByteArray("\x00\x02\x01\x02"
                                    "jr"
                                    "t"
                                    "ev"
                                    "\x01\x02",
                                    11));

    const auto reply =
        v2()->encode(Message::binaryReply(QStringLiteral("1"), QStringLiteral("22"),
                                          QStringLiteral("t"), QStringLiteral("ok"), payload));
    QVERIFY(reply.has_value() && reply->binary);
    QCOMPARE(reply->data, QByteArray("\x01\x01\x02\x01\x02"
                                     "1"
                                     "22"
                                     "t"
                                     "ok"
                                     "\x01\x02",
                                     13));

    const auto nullRefs = v2()->encode(Message::binaryReply(
        QJsonValue::Null, QJsonValue::Null, QStringLiteral("t"), QStringLiteral("ok"), {}));
    QCOMPARE(nullRefs->data, QByteArray("\x01\x00\x00\x01\x02"
                                        "t"
                                        "ok",
                                        8));

    const auto broadcast =
        v2()->encode(Message::binaryBroadcast(QStringLiteral("t"), QStringLiteral("ev"), payload));
    QVERIFY(broadcast.has_value() && broadcast->binary);
    QCOMPARE(broadcast->data, QByteArray("\x02\x01\x02"
                                         "t"
                                         "ev"
                                         "\x01\x02",
                                         8));
}

void tst_Serializer::binaryRefusesLongFields_data()
{
    QTest::addColumn<Message>("message");
    QTest::addColumn<bool>("encodable");
    const QString at255(255, QLatin1Char('t'));
    const QString over255(256, QLatin1Char('t'));
    // 128 two-byte characters: 128 characters but 256 bytes, so the limit is in bytes.
    const QString multibyte(128, QChar(0x00e9));
    QTest::newRow("topic 255") << Message::binaryBroadcast(at255, QStringLiteral("e"), {}) << true;
    QTest::newRow("topic 256") << Message::binaryBroadcast(over255, QStringLiteral("e"), {})
                               << false;
    QTest::newRow("event 256") << Message::binaryPush(QStringLiteral("1"), QStringLiteral("t"),
                                                      over255, {})
                               << false;
    QTest::newRow("join_ref 256") << Message::binaryPush(over255, QStringLiteral("t"),
                                                         QStringLiteral("e"), {})
                                  << false;
    QTest::newRow("utf8 bytes 256")
        << Message::binaryBroadcast(multibyte, QStringLiteral("e"), {}) << false;
}

void tst_Serializer::binaryRefusesLongFields()
{
    QFETCH(Message, message);
    QFETCH(bool, encodable);
    const EncodeResult r = v2()->encode(message);
    QCOMPARE(bool(r.has_value()), encodable);
    if (!encodable)
        QCOMPARE(r.error(), QStringLiteral("field too long"));
}

void tst_Serializer::binaryRoundTripUtf8()
{
    // A client push re-encoded as a server reply keeps every UTF-8 byte of the topic.
    const QByteArray topic = QStringLiteral("chatter:room:caf\u00e9").toUtf8();
    QByteArray frame;
    frame.append(char(0))
        .append(char(1))
        .append(char(1))
        .append(char(topic.size()))
        .append(char(4));
    frame.append("1").append("2").append(topic).append("ping").append("xyz");
    const DecodeResult in = v2()->decodeBinary(frame);
    QVERIFY(in.has_value());
    const auto out = v2()->encode(Message::binaryReply(in->joinRef, in->ref, in->topic,
                                                       QStringLiteral("ok"), in->binaryPayload));
    QVERIFY(out.has_value());
    QVERIFY(out->data.contains(topic));
    QVERIFY(out->data.endsWith("okxyz"));
}

// Header fields are decoded byte for byte: EF BB BF at the start of a field is U+FEFF, not a
// byte-order mark to drop, so an event of just those bytes is not an empty event (found by
// tests/fuzz/fuzz_v2serializer), and a topic starting with them round-trips.
void tst_Serializer::binaryKeepsLeadingFeff()
{
    const QByteArray feff = "\xEF\xBB\xBF";
    const QByteArray frame =
        QByteArray("\x00\x03\x00\x04\x03", 5) + feff + feff + "t" + feff + "payload";
    const DecodeResult in = v2()->decodeBinary(frame);
    QVERIFY2(in.has_value(), qPrintable(whyNot(in)));
    const QString text(QChar(0xFEFF));
    QCOMPARE(in->joinRef, QJsonValue(text));
    QCOMPARE(in->ref, QJsonValue(QJsonValue::Null));
    QCOMPARE(in->topic, text + QStringLiteral("t"));
    QCOMPARE(in->event, text);
    QCOMPARE(in->binaryPayload, QByteArray("payload"));
}

QTEST_GUILESS_MAIN(tst_Serializer)
#include "tst_serializer.moc"
