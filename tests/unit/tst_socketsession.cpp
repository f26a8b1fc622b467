// SPDX-License-Identifier: MIT
#include "sessionfakes.h"

#include <QTest>

using namespace chatter::testing;
using chatter::Message;

namespace {

//! What the test channels did, for the tests to look at; cleared before every test.
struct Script
{
    QList<ReplyHandle> deferred;
    QStringList terminated;             //!< "<topic> <reason>"
    QHash<QString, quint64> channelIds; //!< "<user> <topic>" → id of the newest channel
    QStringList afterJoins;             //!< "<topic> <channel id>", in order
} script;

//! A channel whose behaviour the client chooses: by its join payload and by event name.
class ScriptedChannel final : public Channel
{
public:
    using Channel::Channel;

    JoinResult join(const QJsonValue &payload) override
    {
        const QJsonObject p = payload.toObject();
        script.channelIds.insert(connectInfo().user + ' ' + topic(), id());
        if (p.contains("refuse"))
            return JoinResult::refuse(p.value("refuse").toString());
        if (p.value("crash").toBool())
            throw ChannelCrash("crashed in join");
        m_chatty = p.value("chatty").toBool();
        m_crashAfterJoin = p.value("crash_after_join").toBool();
        if (m_chatty) {
            push("in_join", {});
            broadcast("in_join_broadcast", {});
        }
        return JoinResult::accept(QJsonObject{{"joined", topic()}});
    }
    void afterJoin() override
    {
        script.afterJoins.append(topic() + ' ' + QString::number(id()));
        if (m_crashAfterJoin)
            throw ChannelCrash("crashed after join");
        if (m_chatty)
            push("after_join", {});
    }
    QSet<QString> intercepts() const override { return {"out"}; }
    void handleOut(const QString &event, const QJsonObject &payload) override
    {
        if (payload.value("crash_for").toString() == connectInfo().user)
            throw ChannelCrash("crashed in handleOut");
        push(event, payload);
    }
    HandleResult handleIn(const InboundEvent &in) override
    {
        const QJsonObject p = in.payload.toObject();
        if (in.event == "echo")
            return HandleResult::replyWith(ChannelReply::ok(in.payload));
        if (in.event == "defer") {
            script.deferred.append(in.replyHandle);
            return HandleResult::deferReply();
        }
        if (in.event == "crash")
            throw ChannelCrash("crashed in handleIn");
        if (in.event == "broadcast") {
            broadcast(p.value("event").toString(), p);
            return HandleResult::noReply();
        }
        if (in.event == "broadcast_then_reply") {
            // Uses the channel after its own broadcast, which may have made it crash.
            broadcast(p.value("event").toString(), p);
            return HandleResult::replyWith(ChannelReply::ok(QJsonObject{{"topic", topic()}}));
        }
        if (in.event == "broadcast_from") {
            broadcastFrom(p.value("event").toString(), p);
            return HandleResult::noReply();
        }
        if (in.event == "stop")
            return HandleResult::stopChannel(ChannelReply::ok(QJsonObject{{"bye", true}}));
        return HandleResult::replyWith(ChannelReply::error("unknown event"));
    }
    void terminate(const QString &reason) override
    {
        script.terminated.append(topic() + ' ' + reason);
    }

private:
    bool m_chatty = false;
    bool m_crashAfterJoin = false;
};

//! The fakes with `test:*` routed to ScriptedChannel.
struct Fixture : SessionFixture
{
    explicit Fixture(const ServerConfig &config = {}) : SessionFixture(config)
    {
        sessions.router.add<ScriptedChannel>("test:*");
    }
};

//! ann on test:a and test:b, bob on test:a, their join replies read.
void annOnTwoTopicsBobOnOne(FakeConnection &ann, FakeConnection &bob)
{
    ann.join("test:a", "1");
    ann.join("test:b", "2");
    bob.join("test:a", "1");
    ann.take();
    bob.take();
}

} // namespace

class tst_SocketSession : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();

    void heartbeatIsAnswered_data();
    void heartbeatIsAnswered();
    void unmatchedTopic_data();
    void unmatchedTopic();
    void joinReplyComesFirst();
    void joinWaitsForItsTopicWithWhatCameAfter();
    void duplicateJoinClosesTheOldJoin_data();
    void duplicateJoinClosesTheOldJoin();
    void staleJoinRefIsDropped_data();
    void staleJoinRefIsDropped();
    void joinReplyEchoesTheJoinRef_data();
    void joinReplyEchoesTheJoinRef();
    void leave_data();
    void leave();
    void refusedJoinIsNotSubscribed();
    void crashInJoin();
    void crashInHandleIn();
    void crashInAfterJoin();
    void crashInHandleOutHitsOnlyThatTopic();
    void crashInOwnBroadcastWaitsForTheHandler();
    void stopRepliesThenCloses();
    void deferredRepliesKeepRequestOrder_data();
    void deferredRepliesKeepRequestOrder();
    void rejoinBehindADeferredReplyFinishesEachJoinOnce();
    void inputPausesAndResumesWithOutstandingReplies();
    void channelCap_data();
    void channelCap();
    void floodIsRateLimited();
    void broadcastFromSkipsOnlyTheSendersChannel();
    void removeFromTopicCloses();
};

void tst_SocketSession::init()
{
    script = {};
}

void tst_SocketSession::heartbeatIsAnswered_data()
{
    QTest::addColumn<QJsonValue>("joinRef");
    QTest::addColumn<QJsonValue>("ref");
    QTest::addColumn<QString>("expected");

    QTest::newRow("string ref") << QJsonValue() << QJsonValue("7")
                                << json(R"([null,"7","phoenix","phx_reply",
                                           {"status":"ok","response":{}}])");
    QTest::newRow("numeric ref") << QJsonValue() << QJsonValue(42)
                                 << json(R"([null,42,"phoenix","phx_reply",
                                            {"status":"ok","response":{}}])");
    QTest::newRow("join_ref is not echoed")
        << QJsonValue("3") << QJsonValue("8")
        << json(R"([null,"8","phoenix","phx_reply",{"status":"ok","response":{}}])");
}

void tst_SocketSession::heartbeatIsAnswered()
{
    QFETCH(QJsonValue, joinRef);
    QFETCH(QJsonValue, ref);
    QFETCH(QString, expected);

    Fixture f;
    FakeConnection &ann = f.connect("ann");
    QVERIFY(!ann.session().lastHeartbeat().isValid());
    ann.send(joinRef, ref, "phoenix", "heartbeat");
    QCOMPARE(wires(ann.take()), QStringList{expected});
    QVERIFY(ann.session().lastHeartbeat().isValid());
}

void tst_SocketSession::unmatchedTopic_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("event");
    QTest::addColumn<QJsonValue>("joinRef");
    QTest::addColumn<QString>("expected");

    QTest::newRow("join of a topic no route matches")
        << "nope:1"
        << "phx_join" << QJsonValue("1") << json(R"([null,"2","nope:1","phx_reply",
                   {"status":"error","response":{"reason":"unmatched topic"}}])");
    QTest::newRow("push to a topic never joined")
        << "test:a"
        << "echo" << QJsonValue("1") << json(R"([null,"2","test:a","phx_reply",
                   {"status":"error","response":{"reason":"unmatched topic"}}])");
    QTest::newRow("push with a null join_ref")
        << "test:a"
        << "echo" << QJsonValue() << json(R"([null,"2","test:a","phx_reply",
                   {"status":"error","response":{"reason":"unmatched topic"}}])");
}

void tst_SocketSession::unmatchedTopic()
{
    QFETCH(QString, topic);
    QFETCH(QString, event);
    QFETCH(QJsonValue, joinRef);
    QFETCH(QString, expected);

    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.send(joinRef, "2", topic, event);
    QCOMPARE(wires(ann.take()), QStringList{expected});
    QVERIFY(ann.session().topics().isEmpty());
}

void tst_SocketSession::joinReplyComesFirst()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    // The channel pushes and broadcasts inside join(), and pushes again in afterJoin().
    ann.join("test:a", "1", {{"chatty", true}});
    QCOMPARE(wires(ann.take()), json({R"(["1","1","test:a","phx_reply",
                      {"status":"ok","response":{"joined":"test:a"}}])",
                                      R"(["1",null,"test:a","in_join",{}])",
                                      R"([null,null,"test:a","in_join_broadcast",{}])",
                                      R"(["1",null,"test:a","after_join",{}])"}));
    QCOMPARE(ann.session().topics(), QStringList{"test:a"});
    QVERIFY(f.sessions.recorded(EngineEvent::Kind::Join));
}

void tst_SocketSession::joinWaitsForItsTopicWithWhatCameAfter()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.join("test:b", "1");
    ann.take();
    f.sessions.unreadyTopics = {"test:a", "test:c"};

    // The join waits; what the client sends after it waits behind it (a push to a joined
    // topic, another join that must wait too); heartbeats are answered meanwhile.
    ann.join("test:a", "2");
    ann.send("1", "3", "test:b", "echo", QJsonObject{{"n", 1}});
    ann.join("test:c", "4");
    ann.send(QJsonValue(), "5", "phoenix", "heartbeat");
    QCOMPARE(wires(ann.take()), json({R"([null,"5","phoenix","phx_reply",
                                         {"status":"ok","response":{}}])"}));
    QCOMPARE(f.sessions.awaited, QStringList{"test:a"});
    QCOMPARE(ann.session().topics(), QStringList{"test:b"});

    // test:a is ready; test:c is not yet: the echo runs, then the join of test:c waits.
    f.sessions.unreadyTopics = {"test:c"};
    ann.session().resumeAfterTopicWait();
    QCOMPARE(wires(ann.take()), json({R"(["2","2","test:a","phx_reply",
                                         {"status":"ok","response":{"joined":"test:a"}}])",
                                      R"(["1","3","test:b","phx_reply",
                                         {"status":"ok","response":{"n":1}}])"}));
    QCOMPARE(f.sessions.awaited, (QStringList{"test:a", "test:c"}));

    // A wait that ends without the topic ready (Redis away) still lets the join go on.
    ann.session().resumeAfterTopicWait();
    QCOMPARE(wires(ann.take()), json({R"(["4","4","test:c","phx_reply",
                                         {"status":"ok","response":{"joined":"test:c"}}])"}));
    QCOMPARE(ann.session().topics(), (QStringList{"test:a", "test:b", "test:c"}));
    // Nothing waits any more: a late resume does nothing.
    ann.session().resumeAfterTopicWait();
    QVERIFY(ann.take().isEmpty());
}

void tst_SocketSession::duplicateJoinClosesTheOldJoin_data()
{
    QTest::addColumn<QJsonObject>("payload");
    QTest::addColumn<QString>("reply");
    QTest::addColumn<QStringList>("topics");

    QTest::newRow("accepted") << QJsonObject() << json(R"(["2","2","test:a","phx_reply",
                                         {"status":"ok","response":{"joined":"test:a"}}])")
                              << QStringList{"test:a"};
    QTest::newRow("refused") << QJsonObject{{"refuse", "no"}}
                             << json(R"(["2","2","test:a","phx_reply",
                                        {"status":"error","response":{"reason":"no"}}])")
                             << QStringList();
    QTest::newRow("crashed") << QJsonObject{{"crash", true}}
                             << json(R"(["2","2","test:a","phx_reply",
                                        {"status":"error","response":{"reason":"join crashed"}}])")
                             << QStringList();
}

void tst_SocketSession::duplicateJoinClosesTheOldJoin()
{
    QFETCH(QJsonObject, payload);
    QFETCH(QString, reply);
    QFETCH(QStringList, topics);

    Fixture f;
    FakeConnection &ann = f.connect("ann");
    FakeConnection &bob = f.connect("bob");
    ann.join("test:a", "1");
    bob.join("test:a", "1");
    ann.take();
    bob.take();

    ann.join("test:a", "2", payload);
    // The new join's reply first, then the old instance's close: phoenix.js, which already
    // tracks join_ref 2, ignores a close for 1.
    QCOMPARE(wires(ann.take()), QStringList({reply, json(R"(["1","1","test:a","phx_close",{}])")}));
    QCOMPARE(script.terminated, QStringList{"test:a duplicate_join"});
    QCOMPARE(ann.session().topics(), topics);

    // Exactly one subscription is left (or none): a broadcast arrives once.
    bob.send("1", "5", "test:a", "broadcast", QJsonObject{{"event", "shout"}});
    QCOMPARE(ann.take().size(), topics.size());
}

void tst_SocketSession::joinReplyEchoesTheJoinRef_data()
{
    // The channel keeps the join ref for the frames it sends later (phx_close here): a string
    // as phoenix.js sends, a number, or the request's ref when it came as null.
    QTest::addColumn<QJsonValue>("joinRef");
    QTest::addColumn<QString>("wireRef");
    QTest::newRow("text") << QJsonValue("3") << R"("3")";
    QTest::newRow("number") << QJsonValue(7) << "7";
    QTest::newRow("integer beyond 2^53")
        << QJsonValue(qint64(9007199254740993)) << "9007199254740993";
    QTest::newRow("fraction") << QJsonValue(2.5) << "2.5";
    QTest::newRow("null") << QJsonValue() << R"("9")";
}

void tst_SocketSession::joinReplyEchoesTheJoinRef()
{
    QFETCH(QJsonValue, joinRef);
    QFETCH(QString, wireRef);
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.send(joinRef, "9", "test:a", "phx_join");
    ann.send(joinRef.isNull() ? QJsonValue("9") : joinRef, "10", "test:a", "phx_leave");
    const QStringList expected{
        QStringLiteral(
            R"([%1,"9","test:a","phx_reply",{"response":{"joined":"test:a"},"status":"ok"}])")
            .arg(wireRef),
        QStringLiteral(R"([%1,"10","test:a","phx_reply",{"response":{},"status":"ok"}])")
            .arg(wireRef),
        QStringLiteral(R"([%1,%1,"test:a","phx_close",{}])").arg(wireRef)};
    QCOMPARE(wires(ann.take()), expected);
}

void tst_SocketSession::staleJoinRefIsDropped_data()
{
    QTest::addColumn<QString>("event");
    QTest::addColumn<QJsonValue>("joinRef");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("stillJoined");

    const QString echoReply =
        json(R"(["2","5","test:a","phx_reply",{"status":"ok","response":{}}])");
    QTest::newRow("push with the old join_ref")
        << "echo" << QJsonValue("1") << QStringList() << true;
    QTest::newRow("leave with the old join_ref")
        << "phx_leave" << QJsonValue("1") << QStringList() << true;
    QTest::newRow("push with the current join_ref")
        << "echo" << QJsonValue("2") << QStringList{echoReply} << true;
    QTest::newRow("push with a null join_ref")
        << "echo" << QJsonValue() << QStringList{echoReply} << true;
    QTest::newRow("leave with the current join_ref")
        << "phx_leave" << QJsonValue("2")
        << json({R"(["2","5","test:a","phx_reply",{"status":"ok","response":{}}])",
                 R"(["2","2","test:a","phx_close",{}])"})
        << false;
}

void tst_SocketSession::staleJoinRefIsDropped()
{
    QFETCH(QString, event);
    QFETCH(QJsonValue, joinRef);
    QFETCH(QStringList, expected);
    QFETCH(bool, stillJoined);

    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.join("test:a", "1");
    ann.join("test:a", "2");
    ann.take();

    ann.send(joinRef, "5", "test:a", event);
    QCOMPARE(wires(ann.take()), expected);
    QCOMPARE(ann.session().topics().contains("test:a"), stillJoined);
}

void tst_SocketSession::leave_data()
{
    QTest::addColumn<bool>("joined");
    QTest::addColumn<QJsonValue>("joinRef");
    QTest::addColumn<QStringList>("expected");

    const QStringList replyAndClose =
        json({R"(["1","3","test:a","phx_reply",{"status":"ok","response":{}}])",
              R"(["1","1","test:a","phx_close",{}])"});
    QTest::newRow("matching join_ref") << true << QJsonValue("1") << replyAndClose;
    QTest::newRow("null join_ref") << true << QJsonValue() << replyAndClose;
    // Leaving what is not joined: ok, echoing the request's join_ref, and no close.
    QTest::newRow("topic not joined")
        << false << QJsonValue("7")
        << json({R"(["7","3","test:a","phx_reply",{"status":"ok","response":{}}])"});
}

void tst_SocketSession::leave()
{
    QFETCH(bool, joined);
    QFETCH(QJsonValue, joinRef);
    QFETCH(QStringList, expected);

    Fixture f;
    FakeConnection &ann = f.connect("ann");
    FakeConnection &bob = f.connect("bob");
    bob.join("test:a", "1");
    if (joined)
        ann.join("test:a", "1");
    ann.take();

    ann.send(joinRef, "3", "test:a", "phx_leave");
    QCOMPARE(wires(ann.take()), expected);
    QVERIFY(ann.session().topics().isEmpty());
    QCOMPARE(script.terminated, joined ? QStringList{"test:a left"} : QStringList());

    // Gone for good: not subscribed, and pushes are unmatched.
    bob.send("1", "4", "test:a", "broadcast", QJsonObject{{"event", "shout"}});
    ann.send("1", "5", "test:a", "echo");
    QCOMPARE(wires(ann.take()), json({R"([null,"5","test:a","phx_reply",
                      {"status":"error","response":{"reason":"unmatched topic"}}])"}));
}

void tst_SocketSession::refusedJoinIsNotSubscribed()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    FakeConnection &bob = f.connect("bob");
    bob.join("test:a", "1");
    bob.take();

    ann.join("test:a", "1", {{"refuse", "not for you"}});
    QCOMPARE(wires(ann.take()), json({R"(["1","1","test:a","phx_reply",
                                         {"status":"error","response":{"reason":"not for you"}}])"}));
    QVERIFY(ann.session().topics().isEmpty());
    QVERIFY(f.sessions.recorded(EngineEvent::Kind::Refused));

    bob.send("1", "2", "test:a", "broadcast", QJsonObject{{"event", "shout"}});
    QCOMPARE(bob.take().size(), 1);
    QVERIFY(ann.take().isEmpty());
}

void tst_SocketSession::crashInJoin()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    FakeConnection &bob = f.connect("bob");
    bob.join("test:a", "1");
    bob.take();

    ann.join("test:a", "1", {{"crash", true}});
    QCOMPARE(wires(ann.take()), json({R"(["1","1","test:a","phx_reply",
                                         {"status":"error","response":{"reason":"join crashed"}}])"}));
    QVERIFY(ann.session().topics().isEmpty());
    QVERIFY(f.sessions.recorded(EngineEvent::Kind::ProtocolError));

    bob.send("1", "2", "test:a", "broadcast", QJsonObject{{"event", "shout"}});
    QVERIFY(ann.take().isEmpty());
}

void tst_SocketSession::crashInHandleIn()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.join("test:a", "1");
    ann.join("test:b", "2");
    ann.take();

    ann.send("1", "3", "test:a", "crash");
    QCOMPARE(wires(ann.take()),
             json({R"(["1","1","test:a","phx_error",{"reason":"channel_crash"}])"}));
    QCOMPARE(ann.session().topics(), QStringList{"test:b"});
    QCOMPARE(script.terminated, QStringList{"test:a crashed"});

    ann.send("1", "4", "test:a", "echo");
    ann.send("2", "5", "test:b", "echo");
    QCOMPARE(wires(ann.take()),
             json({R"([null,"4","test:a","phx_reply",
                      {"status":"error","response":{"reason":"unmatched topic"}}])",
                   R"(["2","5","test:b","phx_reply",{"status":"ok","response":{}}])"}));
}

void tst_SocketSession::crashInAfterJoin()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.join("test:a", "1", {{"crash_after_join", true}});
    QCOMPARE(wires(ann.take()),
             json({R"(["1","1","test:a","phx_reply",
                      {"status":"ok","response":{"joined":"test:a"}}])",
                   R"(["1","1","test:a","phx_error",{"reason":"channel_crash"}])"}));
    QVERIFY(ann.session().topics().isEmpty());
}

void tst_SocketSession::crashInHandleOutHitsOnlyThatTopic()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    FakeConnection &bob = f.connect("bob");
    annOnTwoTopicsBobOnOne(ann, bob);

    // "out" is intercepted: each subscriber's handleOut runs, and ann's throws.
    bob.send("1", "3", "test:a", "broadcast", QJsonObject{{"event", "out"}, {"crash_for", "ann"}});
    QVERIFY(ann.take().isEmpty()); // the crash waits for the end of the delivery
    QCoreApplication::sendPostedEvents();
    QCOMPARE(wires(ann.take()),
             json({R"(["1","1","test:a","phx_error",{"reason":"channel_crash"}])"}));
    QCOMPARE(wires(bob.take()),
             json({R"(["1",null,"test:a","out",{"event":"out","crash_for":"ann"}])"}));
    QCOMPARE(ann.session().topics(), QStringList{"test:b"});

    // The socket and its other topic carry on; the crashed topic gets nothing more.
    bob.send("1", "4", "test:a", "broadcast", QJsonObject{{"event", "shout"}});
    ann.send("2", "5", "test:b", "echo");
    QCOMPARE(wires(ann.take()),
             json({R"(["2","5","test:b","phx_reply",{"status":"ok","response":{}}])"}));
    QCOMPARE(bob.take().size(), 1);
}

void tst_SocketSession::crashInOwnBroadcastWaitsForTheHandler()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    FakeConnection &bob = f.connect("bob");
    annOnTwoTopicsBobOnOne(ann, bob);

    // ann's own handleOut throws inside her broadcast, while her handleIn is still running:
    // the handler finishes with its channel intact, and the topic crashes after it.
    ann.send("1", "3", "test:a", "broadcast_then_reply",
             QJsonObject{{"event", "out"}, {"crash_for", "ann"}});
    QCOMPARE(
        wires(ann.take()),
        json({R"(["1","3","test:a","phx_reply",{"status":"ok","response":{"topic":"test:a"}}])"}));
    QCOMPARE(ann.session().topics().size(), 2);
    QCoreApplication::sendPostedEvents();
    QCOMPARE(wires(ann.take()),
             json({R"(["1","1","test:a","phx_error",{"reason":"channel_crash"}])"}));
    QCOMPARE(ann.session().topics(), QStringList{"test:b"});
    QCOMPARE(wires(bob.take()),
             json({R"(["1",null,"test:a","out",{"event":"out","crash_for":"ann"}])"}));
}

void tst_SocketSession::stopRepliesThenCloses()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.join("test:a", "1");
    ann.take();

    ann.send("1", "2", "test:a", "stop");
    QCOMPARE(wires(ann.take()),
             json({R"(["1","2","test:a","phx_reply",{"status":"ok","response":{"bye":true}}])",
                   R"(["1","1","test:a","phx_close",{}])"}));
    QVERIFY(ann.session().topics().isEmpty());
    QCOMPARE(script.terminated, QStringList{"test:a stopped"});
}

void tst_SocketSession::deferredRepliesKeepRequestOrder_data()
{
    // Requests after the join: "d" a deferred reply, "e" an echo, "l" a leave. `completion`:
    // the order in which the deferred ones are completed (indexes among the deferred).
    QTest::addColumn<QString>("requests");
    QTest::addColumn<QList<int>>("completion");

    QTest::newRow("a reply behind a deferred one") << "de" << QList<int>{0};
    QTest::newRow("completed in order") << "dde" << QList<int>{0, 1};
    QTest::newRow("completed out of order") << "dde" << QList<int>{1, 0};
    QTest::newRow("a leave behind a deferred reply") << "dl" << QList<int>{0};
    QTest::newRow("a deferred reply between two echoes") << "ede" << QList<int>{0};
}

void tst_SocketSession::rejoinBehindADeferredReplyFinishesEachJoinOnce()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.join("test:a", "1");
    ann.send("1", "2", "test:a", "defer");
    // Both joins of test:b are answered behind the deferred reply; the first channel is gone
    // by then, and its successor (often at the same address) must be finished only once.
    ann.join("test:b", "3");
    ann.send("3", "4", "test:b", "phx_leave");
    ann.join("test:b", "5");
    const quint64 second = script.channelIds.value("ann test:b");
    QCOMPARE(script.afterJoins.size(), 1); // test:a's, before anything was deferred

    f.channels.completeReply(script.deferred.at(0), ChannelReply::ok());
    QCOMPARE(script.afterJoins,
             QStringList({script.afterJoins.first(), "test:b " + QString::number(second)}));
    QCOMPARE(ann.session().topics().size(), 2);
}

void tst_SocketSession::deferredRepliesKeepRequestOrder()
{
    QFETCH(QString, requests);
    QFETCH(QList<int>, completion);

    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.join("test:a", "1");
    ann.take();

    QStringList expected;
    QList<qsizetype> deferredAt; //!< where each deferred reply belongs in `expected`
    int ref = 10;
    for (QChar request : requests) {
        const QString r = QString::number(++ref);
        const char *reply = R"(["1","%1","test:a","phx_reply",{"status":"ok","response":%2}])";
        if (request == 'd') {
            ann.send("1", r, "test:a", "defer");
            deferredAt.append(expected.size());
            expected.append(
                json(QString::fromUtf8(reply).arg(r, R"({"r":")" + r + "\"}").toUtf8()));
        } else if (request == 'e') {
            ann.send("1", r, "test:a", "echo");
            expected.append(json(QString::fromUtf8(reply).arg(r, "{}").toUtf8()));
        } else {
            ann.send("1", r, "test:a", "phx_leave");
            expected.append(json(QString::fromUtf8(reply).arg(r, "{}").toUtf8()));
            expected.append(json(R"(["1","1","test:a","phx_close",{}])"));
        }
    }

    // After each completion, everything up to the first deferred reply still outstanding is
    // out, and nothing behind it.
    QStringList received = wires(ann.take());
    QCOMPARE(received, expected.mid(0, deferredAt.first()));
    QSet<int> completed;
    for (int i : completion) {
        const ReplyHandle &handle = script.deferred.at(i);
        f.channels.completeReply(handle, ChannelReply::ok(QJsonObject{{"r", handle.ref}}));
        completed.insert(i);
        qsizetype released = expected.size();
        for (int k = 0; k < deferredAt.size(); ++k) {
            if (!completed.contains(k)) {
                released = deferredAt.at(k);
                break;
            }
        }
        received += wires(ann.take());
        QCOMPARE(received, expected.mid(0, released));
    }
}

void tst_SocketSession::inputPausesAndResumesWithOutstandingReplies()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.join("test:a", "1");
    ann.take();

    for (int i = 0; i < 255; ++i)
        ann.send("1", QString::number(i), "test:a", "defer");
    QVERIFY(ann.inputPaused.isEmpty());
    ann.send("1", "255", "test:a", "defer");
    QCOMPARE(ann.inputPaused, QList<bool>{true});

    // Reading resumes once no more than 64 requests are outstanding.
    for (int i = 0; i < 256 - 64 - 1; ++i)
        f.channels.completeReply(script.deferred.at(i), ChannelReply::ok());
    QCOMPARE(ann.inputPaused, QList<bool>{true});
    f.channels.completeReply(script.deferred.at(256 - 64 - 1), ChannelReply::ok());
    QCOMPARE(ann.inputPaused, (QList<bool>{true, false}));

    for (int i = 256 - 64; i < 256; ++i)
        f.channels.completeReply(script.deferred.at(i), ChannelReply::ok());
    const QList<Message> replies = ann.take();
    QCOMPARE(replies.size(), 256);
    for (int i = 0; i < 256; ++i)
        QCOMPARE(replies.at(i).ref, QJsonValue(QString::number(i)));
    QCOMPARE(ann.inputPaused, (QList<bool>{true, false}));
}

void tst_SocketSession::channelCap_data()
{
    QTest::addColumn<int>("cap");
    QTest::newRow("default (100)") << 0;
    QTest::newRow("configured (3)") << 3;
}

void tst_SocketSession::channelCap()
{
    QFETCH(int, cap);
    ServerConfig config;
    if (cap)
        config.maxChannelsPerSocket = cap;
    else
        cap = 100;
    QCOMPARE(config.maxChannelsPerSocket, cap);

    Fixture f(config);
    FakeConnection &ann = f.connect("ann");
    for (int i = 0; i < cap; ++i)
        ann.join(QStringLiteral("test:%1").arg(i), QString::number(i));
    QCOMPARE(ann.take().size(), cap);
    QCOMPARE(ann.session().topics().size(), cap);

    ann.join("test:more", "x");
    QCOMPARE(wires(ann.take()), json({R"(["x","x","test:more","phx_reply",
                      {"status":"error","response":{"reason":"too many channels joined"}}])"}));
    QCOMPARE(ann.session().topics().size(), cap);

    // Joining a topic it holds again replaces that one: still within the cap.
    ann.join("test:0", "y");
    QCOMPARE(
        wires(ann.take()),
        json({R"(["y","y","test:0","phx_reply",{"status":"ok","response":{"joined":"test:0"}}])",
              R"(["0","0","test:0","phx_close",{}])"}));

    // After a leave there is room again.
    ann.send("1", "l", "test:1", "phx_leave");
    ann.join("test:more", "z");
    QCOMPARE(ann.take().last().payload.toObject().value("status").toString(), QString("ok"));
    QCOMPARE(ann.session().topics().size(), cap);
}

void tst_SocketSession::floodIsRateLimited()
{
    ServerConfig config;
    config.maxMessagesPerSecond = 1;
    config.messageBurst = 3;
    Fixture f(config);
    FakeConnection &ann = f.connect("ann");
    FakeConnection &bob = f.connect("bob");
    bob.join("test:a", "1");
    bob.take();

    ann.join("test:a", "1");
    ann.send("1", "2", "test:a", "echo");
    ann.send("1", "3", "test:a", "echo");
    QCOMPARE(ann.take().size(), 3);

    // Over the burst: answered, not processed, so nothing is broadcast.
    ann.send("1", "4", "test:a", "broadcast", QJsonObject{{"event", "shout"}});
    QCOMPARE(wires(ann.take()), json({R"(["1","4","test:a","phx_reply",
                                         {"status":"error","response":{"reason":"rate limited"}}])"}));
    QVERIFY(bob.take().isEmpty());
    QVERIFY(f.sessions.recorded(EngineEvent::Kind::ProtocolError));

    // Heartbeats are free.
    ann.send(QJsonValue(), "5", "phoenix", "heartbeat");
    QCOMPARE(wires(ann.take()),
             json({R"([null,"5","phoenix","phx_reply",{"status":"ok","response":{}}])"}));
}

void tst_SocketSession::broadcastFromSkipsOnlyTheSendersChannel()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    FakeConnection &bob = f.connect("bob");
    FakeConnection &cat = f.connect("cat");
    for (FakeConnection *c : {&ann, &bob, &cat}) {
        c->join("test:a", "1");
        c->join("test:b", "2");
        c->take();
    }
    const QString shout = json(R"([null,null,"test:a","shout",{"event":"shout"}])");

    ann.send("1", "3", "test:a", "broadcast_from", QJsonObject{{"event", "shout"}});
    QVERIFY(ann.take().isEmpty());
    QCOMPARE(wires(bob.take()), QStringList{shout});
    QCOMPARE(wires(cat.take()), QStringList{shout});

    bob.send("1", "3", "test:a", "broadcast_from", QJsonObject{{"event", "shout"}});
    QCOMPARE(wires(ann.take()), QStringList{shout});
    QVERIFY(bob.take().isEmpty());
    QCOMPARE(wires(cat.take()), QStringList{shout});

    // A plain broadcast reaches its sender too.
    ann.send("1", "4", "test:a", "broadcast", QJsonObject{{"event", "shout"}});
    for (FakeConnection *c : {&ann, &bob, &cat})
        QCOMPARE(wires(c->take()), QStringList{shout});

    // The skip names a channel, not a client or a topic: once ann joined again, a broadcast
    // from her old channel reaches her new one.
    const quint64 oldChannel = script.channelIds.value("ann test:a");
    ann.join("test:a", "5");
    ann.take();
    QVERIFY(script.channelIds.value("ann test:a") != oldChannel);
    QVERIFY(f.channels.publish(Broadcast::create(
        Message::broadcast("test:a", "shout", {{"event", "shout"}}), oldChannel)));
    QCOMPARE(wires(ann.take()), QStringList{shout});
    QCOMPARE(wires(bob.take()), QStringList{shout});
}

void tst_SocketSession::removeFromTopicCloses()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    FakeConnection &bob = f.connect("bob");
    annOnTwoTopicsBobOnOne(ann, bob);

    QVERIFY(ann.session().removeFromTopic("test:a", "kicked"));
    QCOMPARE(wires(ann.take()), json({R"(["1","1","test:a","phx_close",{}])"}));
    QCOMPARE(script.terminated, QStringList{"test:a kicked"});
    QCOMPARE(ann.session().topics(), QStringList{"test:b"});

    QVERIFY(!ann.session().removeFromTopic("test:a", "kicked"));
    QVERIFY(!ann.session().removeFromTopic("test:zzz", "kicked"));
    bob.send("1", "3", "test:a", "broadcast", QJsonObject{{"event", "shout"}});
    QVERIFY(ann.take().isEmpty());
}

QTEST_GUILESS_MAIN(tst_SocketSession)
#include "tst_socketsession.moc"
