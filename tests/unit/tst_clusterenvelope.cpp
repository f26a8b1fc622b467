// SPDX-License-Identifier: MIT
// The cluster envelope (server/clusterenvelope.*): the byte layout of docs/cluster.md, round
// trips of every type with binary-safe frames, building one from a Broadcast's cached frame,
// and everything decode() refuses, including every truncation of a valid envelope. Also keeps
// the fuzz harness's seed corpus equal to what the encoder writes.
#include "broadcast.h"
#include "clusterenvelope.h"
#include "v2serializer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QtEndian>
#include <QTest>

using chatter::Frame;
using chatter::Message;
using chatter::Serializer;
using chatter::V2Serializer;
using chatter::server::Broadcast;
using chatter::server::ClusterEnvelope;
using Type = ClusterEnvelope::Type;

Q_DECLARE_METATYPE(ClusterEnvelope::Type)

namespace {

const QUuid Node(QStringLiteral("{6f1c2b7e-3a41-4d2e-9b58-0c7d9e1f2a34}"));
const QByteArray NodeBytes = QByteArray::fromHex("6f1c2b7e3a414d2e9b580c7d9e1f2a34");

QByteArray be64(quint64 value)
{
    QByteArray bytes(8, '\0');
    qToBigEndian<quint64>(value, bytes.data());
    return bytes;
}

QByteArray v2Frame(const Message &message)
{
    const auto frame = V2Serializer().encode(message);
    Q_ASSERT(frame && !frame->binary);
    return frame->data;
}

QByteArray roomFrame()
{
    return v2Frame(Message::broadcast(
        QStringLiteral("chatter:room:lobby"), QStringLiteral("new_msg"),
        {{QStringLiteral("id"), 42}, {QStringLiteral("body"), QStringLiteral("hello")}}));
}

ClusterEnvelope envelope(Type type, const QByteArray &frame, quint64 channel = 0, quint64 id = 0,
                         quint64 prevId = 0)
{
    ClusterEnvelope e;
    e.type = type;
    e.originNode = Node;
    e.originChannel = channel;
    e.id = id;
    e.prevId = prevId;
    e.frame = frame;
    return e;
}

//! A header written by hand from the table in docs/cluster.md, not by the encoder.
QByteArray header(quint8 version, quint8 type, QByteArray node = NodeBytes, quint64 channel = 0)
{
    return QByteArray("CH") + char(version) + char(type) + node + be64(channel);
}

QByteArray ordered(quint8 type, quint64 id, quint64 prevId, quint64 channel = 0)
{
    return header(1, type, NodeBytes, channel) + be64(id) + be64(prevId);
}

//! The seeds of tests/fuzz/corpus/fuzz_clusterenvelope: valid envelopes of every type, made by
//! the encoder, and two it must refuse.
QList<std::pair<QString, QByteArray>> seeds()
{
    const QByteArray frame = roomFrame();
    const QByteArray valid = envelope(Type::RoomMessage, frame, 0, 42, 41).encode();
    QByteArray version2 = valid;
    version2[2] = 2;
    return {
        {QStringLiteral("room-message"), valid},
        {QStringLiteral("change"),
         envelope(Type::Change,
                  v2Frame(Message::broadcast(QStringLiteral("chatter:room:lobby"),
                                             QStringLiteral("reactions"), {})),
                  0, 7, 5)
             .encode()},
        {QStringLiteral("presence-diff"),
         envelope(Type::PresenceDiff,
                  v2Frame(Message::broadcastJson(QStringLiteral("chatter:room:lobby"),
                                                 QStringLiteral("presence_diff"),
                                                 R"({"joins":{"ann":{"metas":[]}},"leaves":{}})")))
             .encode()},
        {QStringLiteral("other-excluded-channel"),
         envelope(Type::Other,
                  v2Frame(Message::broadcast(QStringLiteral("chatter:room:lobby"),
                                             QStringLiteral("typing"), {})),
                  77)
             .encode()},
        {QStringLiteral("utf8-nul"),
         envelope(Type::Other,
                  R"([null,null,"chatter:room:l\u00f6bby","new_msg",{"body":"a\u0000b ö 🦊"}])")
             .encode()},
        {QStringLiteral("version-2"), version2},
        {QStringLiteral("truncated"), valid.first(valid.size() - 1)},
    };
}

//! QVERIFY2 evaluates its message even when the check passes: error() only on a failure.
template <typename T> QString reasonOf(const chatter::Expected<T> &result)
{
    return result ? QString() : result.error();
}

} // namespace

class TestClusterEnvelope : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layout();
    void roundTrip_data();
    void roundTrip();
    void unorderedTypesCarryNoIds();
    void fromBroadcast_data();
    void fromBroadcast();
    void fromBroadcastRefuses_data();
    void fromBroadcastRefuses();
    void refuses_data();
    void refuses();
    void truncated_data();
    void truncated();
    void seedCorpus();
};

// The exact bytes of the table in docs/cluster.md, both ways.
void TestClusterEnvelope::layout()
{
    const QByteArray frame = roomFrame();
    const QByteArray expected =
        QByteArray::fromHex("434801"                           // "CH", version 1
                            "01"                               // room message
                            "6f1c2b7e3a414d2e9b580c7d9e1f2a34" // origin node
                            "0000000000000007"                 // origin channel 7
                            "000000000000002a"                 // id 42
                            "0000000000000029") +              // prev_id 41
        frame;
    QCOMPARE(envelope(Type::RoomMessage, frame, 7, 42, 41).encode(), expected);

    const auto decoded = ClusterEnvelope::decode(expected);
    QVERIFY2(decoded, qPrintable(reasonOf(decoded)));
    QCOMPARE(decoded->type, Type::RoomMessage);
    QCOMPARE(decoded->originNode, Node);
    QCOMPARE(decoded->originChannel, quint64(7));
    QCOMPARE(decoded->id, quint64(42));
    QCOMPARE(decoded->prevId, quint64(41));
    QCOMPARE(decoded->frame, frame);

    const QByteArray plain = QByteArray::fromHex("43480104"
                                                 "6f1c2b7e3a414d2e9b580c7d9e1f2a34"
                                                 "0000000000000000") +
                             frame;
    QCOMPARE(envelope(Type::Other, frame).encode(), plain);
    QCOMPARE(ClusterEnvelope::decode(plain)->frame, frame);
}

void TestClusterEnvelope::roundTrip_data()
{
    QTest::addColumn<Type>("type");
    QTest::addColumn<quint64>("channel");
    QTest::addColumn<quint64>("id");
    QTest::addColumn<quint64>("prevId");
    QTest::addColumn<QByteArray>("frame");

    const QByteArray room = roomFrame();
    QTest::newRow("room message") << Type::RoomMessage << quint64(0) << quint64(42) << quint64(41)
                                  << room;
    QTest::newRow("room message, first in its room")
        << Type::RoomMessage << quint64(0) << quint64(1) << quint64(0) << room;
    QTest::newRow("room message, a gap before it")
        << Type::RoomMessage << quint64(3) << quint64(1000) << quint64(17) << room;
    QTest::newRow("room message, largest ids")
        << Type::RoomMessage << ~quint64(0) << ~quint64(0) << ~quint64(0) - 1 << room;
    QTest::newRow("change") << Type::Change << quint64(0) << quint64(7) << quint64(5)
                            << v2Frame(Message::broadcast(
                                   QStringLiteral("chatter:room:lobby"),
                                   QStringLiteral("msg_edited"),
                                   {{QStringLiteral("seq"), 7}, {QStringLiteral("id"), 42}}));
    QTest::newRow("presence diff")
        << Type::PresenceDiff << quint64(0) << quint64(0) << quint64(0)
        << v2Frame(Message::broadcastJson(QStringLiteral("chatter:room:lobby"),
                                          QStringLiteral("presence_diff"),
                                          R"({"joins":{},"leaves":{"ann":{"metas":[]}}})"));
    QTest::newRow("other, an excluded channel")
        << Type::Other << quint64(0x0102030405060708) << quint64(0) << quint64(0)
        << v2Frame(Message::broadcast(QStringLiteral("chatter:user:ann"), QStringLiteral("typing"),
                                      {}));
    // Binary safety: the header has NUL bytes; frames with UTF-8 and \u0000 escapes must come
    // back byte for byte, not as Qt would write them again.
    QTest::newRow("UTF-8 and escapes, as written by hand")
        << Type::RoomMessage << quint64(0) << quint64(9) << quint64(8)
        << QByteArray(
               R"([null,null,"chatter:room:l\u00f6bby","new_msg",)"
               R"({"body":"a\u0000b\u0000","who":"Zoë 日本 🦊","x":[1,2.5,true,null]}])");
    QTest::newRow("a NUL character in the payload, as the encoder writes it")
        << Type::Other << quint64(0) << quint64(0) << quint64(0)
        << v2Frame(Message::broadcast(
               QStringLiteral("chatter:room:ü"), QStringLiteral("room_update"),
               {{QStringLiteral("body"), QString(QChar(0)) + QStringLiteral("ö\u00A0\u2028")}}));
}

void TestClusterEnvelope::roundTrip()
{
    QFETCH(Type, type);
    QFETCH(quint64, channel);
    QFETCH(quint64, id);
    QFETCH(quint64, prevId);
    QFETCH(QByteArray, frame);

    const QByteArray bytes = envelope(type, frame, channel, id, prevId).encode();
    QCOMPARE(bytes.size(), (ClusterEnvelope::isOrdered(type) ? ClusterEnvelope::OrderedHeaderSize
                                                             : ClusterEnvelope::HeaderSize) +
                               frame.size());
    QVERIFY(bytes.endsWith(frame));

    const auto decoded = ClusterEnvelope::decode(bytes);
    QVERIFY2(decoded, qPrintable(reasonOf(decoded)));
    QCOMPARE(decoded->type, type);
    QCOMPARE(decoded->originNode, Node);
    QCOMPARE(decoded->originChannel, channel);
    QCOMPARE(decoded->id, id);
    QCOMPARE(decoded->prevId, prevId);
    QCOMPARE(decoded->frame, frame);
    QCOMPARE(decoded->encode(), bytes);

    // The Message is the V2 decoder's reading of the same bytes, marked as a broadcast.
    const auto expected = V2Serializer().decodeText(frame);
    QVERIFY(expected);
    const Message &m = decoded->message;
    QCOMPARE(m.kind, Message::Kind::Broadcast);
    QVERIFY(m.joinRef.isNull() && m.ref.isNull());
    QCOMPARE(m.topic, expected->topic);
    QCOMPARE(m.event, expected->event);
    QCOMPARE(m.payload, expected->payload);
    QVERIFY(!m.topic.isEmpty());
}

// id and prev_id exist on the wire for ordered types only; whatever an unordered envelope holds
// there is not written, and reads back as 0.
void TestClusterEnvelope::unorderedTypesCarryNoIds()
{
    for (const Type type : {Type::PresenceDiff, Type::Other}) {
        const QByteArray bytes = envelope(type, roomFrame(), 5, 42, 41).encode();
        QCOMPARE(bytes.size(), ClusterEnvelope::HeaderSize + roomFrame().size());
        QCOMPARE(bytes.at(ClusterEnvelope::HeaderSize), '[');
        const auto decoded = ClusterEnvelope::decode(bytes);
        QVERIFY2(decoded, qPrintable(reasonOf(decoded)));
        QCOMPARE(decoded->id, quint64(0));
        QCOMPARE(decoded->prevId, quint64(0));
        QCOMPARE(decoded->originChannel, quint64(5));
    }
}

void TestClusterEnvelope::fromBroadcast_data()
{
    QTest::addColumn<Type>("type");
    QTest::addColumn<quint64>("id");
    QTest::addColumn<quint64>("prevId");
    QTest::addColumn<quint64>("excluded");
    QTest::addColumn<bool>("json"); //!< payloadJson rather than a QJsonObject

    QTest::newRow("room message") << Type::RoomMessage << quint64(42) << quint64(41) << quint64(0)
                                  << false;
    QTest::newRow("change") << Type::Change << quint64(3) << quint64(0) << quint64(0) << false;
    QTest::newRow("presence diff")
        << Type::PresenceDiff << quint64(0) << quint64(0) << quint64(0) << true;
    QTest::newRow("other, broadcast_from")
        << Type::Other << quint64(0) << quint64(0) << quint64(12) << false;
}

void TestClusterEnvelope::fromBroadcast()
{
    QFETCH(Type, type);
    QFETCH(quint64, id);
    QFETCH(quint64, prevId);
    QFETCH(quint64, excluded);
    QFETCH(bool, json);

    const QString topic = QStringLiteral("chatter:room:lobby");
    const QString event = QStringLiteral("some_event");
    const auto broadcast = Broadcast::create(
        json ? Message::broadcastJson(topic, event, R"({"joins":{},"leaves":{}})")
             : Message::broadcast(topic, event, {{QStringLiteral("body"), QStringLiteral("hé")}}),
        excluded);

    const auto built = ClusterEnvelope::fromBroadcast(type, Node, *broadcast, id, prevId);
    QVERIFY2(built, qPrintable(reasonOf(built)));
    const Frame *cached = broadcast->frameFor(Serializer::forVersion(Serializer::Version::V2));
    QVERIFY(cached);
    // Encoded once: the envelope holds the Broadcast's own cached bytes, not a new encoding.
    QVERIFY(built->frame.constData() == cached->data.constData());
    QCOMPARE(built->type, type);
    QCOMPARE(built->originNode, Node);
    QCOMPARE(built->originChannel, excluded);
    QCOMPARE(built->id, id);
    QCOMPARE(built->prevId, prevId);
    QCOMPARE(built->message.topic, topic);

    const auto decoded = ClusterEnvelope::decode(built->encode());
    QVERIFY2(decoded, qPrintable(reasonOf(decoded)));
    QCOMPARE(decoded->frame, cached->data);
    QCOMPARE(decoded->originChannel, excluded);
    QCOMPARE(decoded->id, id);
    QCOMPARE(decoded->prevId, prevId);
    QCOMPARE(decoded->message.topic, topic);
    QCOMPARE(decoded->message.event, event);
}

void TestClusterEnvelope::fromBroadcastRefuses_data()
{
    QTest::addColumn<Type>("type");
    QTest::addColumn<QUuid>("node");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<quint64>("id");
    QTest::addColumn<quint64>("prevId");
    QTest::addColumn<QString>("error");

    QTest::newRow("binary broadcast")
        << Type::Other << Node << true << quint64(0) << quint64(0) << "binary broadcast";
    QTest::newRow("room message without ids")
        << Type::RoomMessage << Node << false << quint64(0) << quint64(0) << "id above 0";
    QTest::newRow("change with prev_id = id")
        << Type::Change << Node << false << quint64(5) << quint64(5) << "not below id";
    QTest::newRow("room message with prev_id > id")
        << Type::RoomMessage << Node << false << quint64(5) << quint64(9) << "not below id";
    QTest::newRow("presence diff with ids")
        << Type::PresenceDiff << Node << false << quint64(5) << quint64(4) << "carry id";
    QTest::newRow("null origin") << Type::Other << QUuid() << false << quint64(0) << quint64(0)
                                 << "null id";
}

void TestClusterEnvelope::fromBroadcastRefuses()
{
    QFETCH(Type, type);
    QFETCH(QUuid, node);
    QFETCH(bool, binary);
    QFETCH(quint64, id);
    QFETCH(quint64, prevId);
    QFETCH(QString, error);

    const QString topic = QStringLiteral("chatter:room:lobby");
    const auto broadcast = Broadcast::create(
        binary ? Message::binaryBroadcast(topic, QStringLiteral("blob"), QByteArray("\0\1", 2))
               : Message::broadcast(topic, QStringLiteral("typing"), {}));
    const auto built = ClusterEnvelope::fromBroadcast(type, node, *broadcast, id, prevId);
    QVERIFY(!built);
    QVERIFY2(built.error().contains(error), qPrintable(built.error()));
}

void TestClusterEnvelope::refuses_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error"); //!< a part of the reason

    const QByteArray frame = roomFrame();
    const QByteArray valid = ordered(1, 42, 41) + frame;
    QVERIFY(ClusterEnvelope::decode(valid));
    const QByteArray plain = header(1, 4);
    QVERIFY(ClusterEnvelope::decode(plain + frame));

    QTest::newRow("empty") << QByteArray() << "shorter than its 28-byte header";
    QTest::newRow("wrong magic") << QByteArray("XH" + valid.sliced(2)) << "not a cluster envelope";
    QTest::newRow("lower-case magic")
        << QByteArray("ch" + valid.sliced(2)) << "not a cluster envelope";
    QTest::newRow("version 0") << header(0, 1) + be64(2) + be64(1) + frame
                               << "unknown envelope version 0";
    QTest::newRow("version 2") << header(2, 1) + be64(2) + be64(1) + frame
                               << "unknown envelope version 2";
    QTest::newRow("type 0") << header(1, 0) + frame << "unknown envelope type 0";
    QTest::newRow("type 5") << header(1, 5) + frame << "unknown envelope type 5";
    QTest::newRow("type 255") << header(1, 255) + frame << "unknown envelope type 255";
    QTest::newRow("null origin") << header(1, 4, QByteArray(16, '\0')) + frame << "null id";
    QTest::newRow("room message without ids, short frame") << header(1, 1) + "[0]"
                                                           << "shorter than its 44-byte header";
    QTest::newRow("change without ids, short frame") << header(1, 2) + "[0]"
                                                     << "44-byte header";
    // Laid out as an unordered type: the frame's first 16 bytes are taken for the ids, and
    // what is left is not a frame.
    QTest::newRow("room message without ids") << header(1, 1) + frame << "";
    QTest::newRow("change without ids") << header(1, 2) + frame << "";
    QTest::newRow("id 0") << ordered(1, 0, 0) + frame << "id above 0";
    QTest::newRow("prev_id = id") << ordered(2, 7, 7) + frame << "prev_id 7 is not below id 7";
    QTest::newRow("prev_id > id") << ordered(1, 7, 9) + frame << "prev_id 9 is not below id 7";
    QTest::newRow("no frame, unordered") << plain << "no frame";
    QTest::newRow("no frame, ordered") << ordered(1, 42, 41) << "no frame";
    QTest::newRow("frame is an object") << plain + R"({"topic":"t"})"
                                        << "one JSON array";
    QTest::newRow("frame is a string") << plain + R"("[x]")"
                                       << "one JSON array";
    QTest::newRow("frame not JSON") << plain + R"([null,null,"t","e",{])"
                                    << "invalid JSON";
    QTest::newRow("4 elements") << plain + R"([null,null,"t","e"])"
                                << "4 elements, 5 expected";
    QTest::newRow("6 elements") << plain + R"([null,null,"t","e",{},1])"
                                << "6 elements, 5 expected";
    QTest::newRow("empty array") << plain + "[]"
                                 << "0 elements";
    QTest::newRow("topic a number") << plain + R"([null,null,1,"e",{}])"
                                    << "topic and event must be strings";
    QTest::newRow("event null") << plain + R"([null,null,"t",null,{}])"
                                << "topic and event must be strings";
    QTest::newRow("join_ref set") << plain + R"(["1",null,"t","e",{}])"
                                  << "has refs";
    QTest::newRow("ref set") << plain + R"([null,7,"t","e",{}])"
                             << "has refs";
    QTest::newRow("ref an object") << plain + R"([null,{},"t","e",{}])"
                                   << "join_ref and ref must be strings or null";
    QTest::newRow("trailing garbage") << plain + frame + "x"
                                      << "nothing around it";
    QTest::newRow("trailing NUL") << plain + frame + QByteArray(1, '\0') << "nothing around it";
    QTest::newRow("trailing newline") << plain + frame + "\n"
                                      << "nothing around it";
    QTest::newRow("leading space") << plain + " " + frame << "nothing around it";
    QTest::newRow("a second array") << plain + frame + "[]"
                                    << "invalid JSON";
    QTest::newRow("garbage after ordered frame") << valid + "}"
                                                 << "nothing around it";
    QTest::newRow("invalid UTF-8") << plain + "[null,null,\"t\",\"\xff\",{}]"
                                   << "UTF-8";
    QTest::newRow("overlong UTF-8") << plain + "[null,null,\"t\",\"\xc0\xaf\",{}]"
                                    << "UTF-8";
    QTest::newRow("surrogate in UTF-8") << plain + "[null,null,\"t\",\"\xed\xa0\x80\",{}]"
                                        << "UTF-8";
    QTest::newRow("raw control character") << plain + "[null,null,\"t\",\"a\tb\",{}]"
                                           << "invalid JSON";
    QTest::newRow("unknown escape") << plain + R"([null,null,"t","a\qb",{}])"
                                    << "invalid JSON";
}

void TestClusterEnvelope::refuses()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    const auto decoded = ClusterEnvelope::decode(bytes);
    QVERIFY2(!decoded, "decoded what must be refused");
    QVERIFY(!decoded.error().isEmpty());
    QVERIFY2(decoded.error().contains(error), qPrintable(decoded.error()));
}

void TestClusterEnvelope::truncated_data()
{
    QTest::addColumn<QByteArray>("bytes");
    for (const auto &[name, bytes] : seeds()) {
        if (ClusterEnvelope::decode(bytes))
            QTest::newRow(qPrintable(name)) << bytes;
    }
}

// Every prefix of a valid envelope is refused cleanly (the frame runs to the end of the
// payload, so a cut anywhere, even inside the frame, must show).
void TestClusterEnvelope::truncated()
{
    QFETCH(QByteArray, bytes);
    QVERIFY(ClusterEnvelope::decode(bytes));
    for (qsizetype size = 0; size < bytes.size(); ++size) {
        const auto decoded = ClusterEnvelope::decode(bytes.first(size));
        QVERIFY2(!decoded,
                 qPrintable(QStringLiteral("%1 of %2 bytes decoded").arg(size).arg(bytes.size())));
        QVERIFY(!decoded.error().isEmpty());
    }
}

// The committed seeds are the encoder's output; CHATTER_WRITE_SEEDS=1 writes them again.
void TestClusterEnvelope::seedCorpus()
{
    const QDir dir(QStringLiteral(CHATTER_ENVELOPE_SEEDS));
    const bool write = qEnvironmentVariableIntValue("CHATTER_WRITE_SEEDS") == 1;
    if (write)
        QVERIFY(dir.mkpath(QStringLiteral(".")));
    for (const auto &[name, bytes] : seeds()) {
        QFile file(dir.filePath(name));
        if (write) {
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QCOMPARE(file.write(bytes), bytes.size());
            continue;
        }
        QVERIFY2(file.open(QIODevice::ReadOnly),
                 qPrintable(file.fileName() + QStringLiteral(": run with CHATTER_WRITE_SEEDS=1")));
        QCOMPARE(file.readAll(), bytes);
    }
}

QTEST_GUILESS_MAIN(TestClusterEnvelope)
#include "tst_clusterenvelope.moc"
