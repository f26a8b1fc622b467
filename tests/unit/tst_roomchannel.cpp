// SPDX-License-Identifier: MIT
#include "chatvalidation.h"
#include "isotime.h"
#include "roomchannel.h"
#include "sessionfakes.h"
#include "topics.h"

#include <QJsonArray>
#include <QTest>

using namespace chatter::testing;
using chatter::Message;

namespace {

const QString Lobby = QStringLiteral("chatter:room:lobby");

//! The fakes with `chatter:room:*` routed to RoomChannel, as the server routes it.
struct Fixture : SessionFixture
{
    Fixture() { sessions.router.add<RoomChannel>(chatter::topics::RoomPattern); }

    //! Joins the lobby with join_ref "1" and forgets what the join sent (presence included).
    FakeConnection &joined(const QString &user)
    {
        FakeConnection &client = connect(user);
        client.join(Lobby, "1");
        channels.flushAllPresenceDiffs();
        for (FakeConnection &c : clients)
            c.take();
        return client;
    }
    int members() { return channels.presence().memberCount(Lobby).keys; }
    RoomDirectory::Room room(const QString &name = QStringLiteral("lobby"))
    {
        for (const RoomDirectory::Room &r : channels.directory().rooms())
            if (r.name == name)
                return r;
        return {};
    }
};

//! The ids of a history page ({"messages": [...], "more": ...}).
QList<qint64> idsOf(const QJsonValue &page)
{
    QList<qint64> ids;
    for (const QJsonValue &m : page.toObject().value("messages").toArray())
        ids.append(m.toObject().value("id").toInteger());
    return ids;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> ids;
    for (qint64 id = first; id <= last; ++id)
        ids.append(id);
    return ids;
}

QJsonObject replyOf(const Message &m)
{
    return m.payload.toObject();
}

//! The first meta of `key` in a presence_state or in a diff's joins or leaves.
QJsonObject metaOf(const QJsonObject &presences, const QString &key)
{
    return presences.value(key).toObject().value("metas").toArray().at(0).toObject();
}

//! A `presence_diff` payload with one meta on one side ("joins" or "leaves").
QJsonObject diffOf(const QString &side, const QString &key, const QJsonObject &meta)
{
    QJsonObject diff{{"joins", QJsonObject()}, {"leaves", QJsonObject()}};
    diff.insert(side, QJsonObject{{key, QJsonObject{{"metas", QJsonArray{meta}}}}});
    return diff;
}

} // namespace

class tst_RoomChannel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void joinRefusesABadRoomName_data();
    void joinRefusesABadRoomName();
    void joinReplyCarriesHistory_data();
    void joinReplyCarriesHistory();
    void newMessageWithABadBody_data();
    void newMessageWithABadBody();
    void newMessageIsBroadcastOnceCommitted();
    void newMessageThatFailsIsNotBroadcast();
    void repliesAfterANewMessageWaitForItsCommit();
    void historyPaging_data();
    void historyPaging();
    void typingReachesTheOthers_data();
    void typingReachesTheOthers();
    void status_data();
    void status();
    void afterJoinPushesStateAndQueuesAJoin();
    void endingQueuesALeave_data();
    void endingQueuesALeave();
    void directoryCountsMembers();
    void publishCommittedMarksSystemMessages_data();
    void publishCommittedMarksSystemMessages();
    void replyToMustBeOfThisConversation();
    void replyCarriesTheQuote();
    void editAndDeleteRights_data();
    void editAndDeleteRights();
    void changesAreBroadcastOnceCommitted();
    void joinCarriesChanges();
    void dmTopicsUseTheirConversationKey();
    void conversationKeys();
};

void tst_RoomChannel::joinRefusesABadRoomName_data()
{
    QTest::addColumn<QString>("room");
    QTest::newRow("empty") << "";
    QTest::newRow("space") << "a b";
    QTest::newRow("slash") << "a/b";
    QTest::newRow("65 characters") << QString(65, 'x');
}

void tst_RoomChannel::joinRefusesABadRoomName()
{
    QFETCH(QString, room);
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    const QString topic = chatter::topics::room(room);
    ann.join(topic, "1");
    QCOMPARE(wires(ann.take()),
             QStringList{wire(Message::reply("1", "1", topic, "error",
                                             QJsonObject{{"reason", "invalid room name"}}))});
    QVERIFY(ann.session().topics().isEmpty());
    QCOMPARE(f.channels.presence().memberCount(topic).keys, 0);
    QVERIFY(f.channels.queuedDiffs.isEmpty());
}

void tst_RoomChannel::joinReplyCarriesHistory_data()
{
    // The lobby's messages get ids 1..stored; another room's come after them.
    QTest::addColumn<int>("stored");
    QTest::addColumn<QJsonObject>("payload");
    QTest::addColumn<QList<qint64>>("ids");
    QTest::addColumn<bool>("more");

    QTest::newRow("no history") << 0 << QJsonObject() << QList<qint64>() << false;
    QTest::newRow("recent") << 3 << QJsonObject() << range(1, 3) << false;
    QTest::newRow("recent: the newest 50") << 55 << QJsonObject() << range(6, 55) << true;
    QTest::newRow("backfill after last_seen_id")
        << 5 << QJsonObject{{"last_seen_id", 2}} << range(3, 5) << false;
    QTest::newRow("backfill from 0")
        << 5 << QJsonObject{{"last_seen_id", 0}} << range(1, 5) << false;
    QTest::newRow("backfill: nothing new")
        << 5 << QJsonObject{{"last_seen_id", 5}} << QList<qint64>() << false;
    QTest::newRow("backfill: at most 1000")
        << 1002 << QJsonObject{{"last_seen_id", 1}} << range(2, 1001) << true;
    QTest::newRow("last_seen_id as a string: recent")
        << 3 << QJsonObject{{"last_seen_id", "2"}} << range(1, 3) << false;
    QTest::newRow("negative last_seen_id: recent")
        << 3 << QJsonObject{{"last_seen_id", -1}} << range(1, 3) << false;
    QTest::newRow("fractional last_seen_id: recent")
        << 3 << QJsonObject{{"last_seen_id", 1.5}} << range(1, 3) << false;
}

void tst_RoomChannel::joinReplyCarriesHistory()
{
    QFETCH(int, stored);
    QFETCH(QJsonObject, payload);
    QFETCH(QList<qint64>, ids);
    QFETCH(bool, more);

    Fixture f;
    QCOMPARE(f.channels.store("lobby", stored, "bob"), range(1, stored));
    f.channels.store("elsewhere", 3);

    FakeConnection &ann = f.connect("ann");
    ann.join(Lobby, "1", payload);
    const QList<Message> received = ann.take();
    QVERIFY(!received.isEmpty());
    const QJsonObject reply = replyOf(received.first());
    QCOMPARE(reply.value("status").toString(), QString("ok"));
    const QJsonObject page = reply.value("response").toObject();
    QCOMPARE(idsOf(page), ids);
    QCOMPARE(page.value("more").toBool(), more);
    if (!ids.isEmpty()) {
        const QJsonObject first = page.value("messages").toArray().first().toObject();
        QCOMPARE(first.value("user").toString(), QString("bob"));
        QCOMPARE(first.value("body").toString(), QStringLiteral("m%1").arg(ids.first()));
        QVERIFY(!first.value("at").toString().isEmpty());
    }
}

void tst_RoomChannel::newMessageWithABadBody_data()
{
    QTest::addColumn<QJsonObject>("payload");
    QTest::addColumn<QString>("reason");

    QTest::newRow("missing") << QJsonObject() << "body missing";
    QTest::newRow("null") << QJsonObject{{"body", QJsonValue()}} << "body missing";
    QTest::newRow("a number") << QJsonObject{{"body", 5}} << "body must be a string";
    QTest::newRow("blank") << QJsonObject{{"body", " \n "}} << "body is empty";
    QTest::newRow("too long") << QJsonObject{{"body",
                                              QString(chatter::validation::MaxBodyLength + 1, 'x')}}
                              << "body too long";
}

void tst_RoomChannel::newMessageWithABadBody()
{
    QFETCH(QJsonObject, payload);
    QFETCH(QString, reason);

    Fixture f;
    FakeConnection &ann = f.joined("ann");
    FakeConnection &bob = f.joined("bob");
    ann.send("1", "2", Lobby, "new_msg", payload);
    QCOMPARE(wires(ann.take()), QStringList{wire(Message::reply("1", "2", Lobby, "error",
                                                                QJsonObject{{"reason", reason}}))});
    QVERIFY(f.channels.appends.isEmpty());
    QVERIFY(bob.take().isEmpty());
}

void tst_RoomChannel::newMessageIsBroadcastOnceCommitted()
{
    Fixture f;
    FakeConnection &ann = f.joined("ann");
    FakeConnection &bob = f.joined("bob");
    ann.send("1", "2", Lobby, "new_msg", QJsonObject{{"body", "hello"}});

    // Durable first: nothing goes out before the commit.
    QVERIFY(ann.take().isEmpty());
    QVERIFY(bob.take().isEmpty());
    QCOMPARE(f.channels.appends.size(), 1);
    const StoredMessage appended = f.channels.appends.first().message;
    QCOMPARE(appended.room, QString("lobby"));
    QCOMPARE(appended.user, QString("ann"));
    QCOMPARE(appended.body, QString("hello"));

    const qint64 id = f.channels.commit();
    const QList<Message> toAnn = ann.take();
    QCOMPARE(toAnn.size(), 2);
    // The room's broadcast, the sender's own copy included, then the sender's ok.
    const Message broadcast = toAnn.at(0);
    QCOMPARE(broadcast.event, QString("new_msg"));
    QCOMPARE(broadcast.joinRef, QJsonValue());
    const QJsonObject payload = broadcast.payload.toObject();
    QCOMPARE(payload.value("id").toInteger(), id);
    QCOMPARE(payload.value("user").toString(), QString("ann"));
    QCOMPARE(payload.value("body").toString(), QString("hello"));
    QCOMPARE(payload.value("at").toString(), appended.at);
    QVERIFY(!payload.contains("system"));
    QCOMPARE(wire(toAnn.at(1)),
             wire(Message::reply("1", "2", Lobby, "ok", QJsonObject{{"id", id}})));
    QCOMPARE(wires(bob.take()), QStringList{wire(broadcast)});

    QCOMPARE(idsOf(f.channels.history().recent("lobby", 10).toJson()), QList<qint64>{id});
    QCOMPARE(f.room().lastMessageId, id);
    QCOMPARE(f.room().messageCount, qint64(1));
}

void tst_RoomChannel::newMessageThatFailsIsNotBroadcast()
{
    Fixture f;
    FakeConnection &ann = f.joined("ann");
    FakeConnection &bob = f.joined("bob");
    ann.send("1", "2", Lobby, "new_msg", QJsonObject{{"body", "hello"}});
    QVERIFY(ann.take().isEmpty());

    f.channels.fail();
    QCOMPARE(
        wires(ann.take()),
        QStringList{wire(Message::reply("1", "2", Lobby, "error",
                                        QJsonObject{{"reason", "could not store the message"}}))});
    QVERIFY(bob.take().isEmpty());
    for (const Message &m : std::as_const(f.channels.published))
        QVERIFY(m.event != "new_msg");
    QCOMPARE(f.room().messageCount, qint64(0));
}

void tst_RoomChannel::repliesAfterANewMessageWaitForItsCommit()
{
    Fixture f;
    FakeConnection &ann = f.joined("ann");
    ann.send("1", "2", Lobby, "new_msg", QJsonObject{{"body", "hello"}});
    ann.send("1", "3", Lobby, "ping", QJsonObject{{"n", 1}});
    QVERIFY(ann.take().isEmpty());

    const qint64 id = f.channels.commit();
    const QList<Message> received = ann.take();
    QCOMPARE(received.size(), 3);
    QCOMPARE(received.at(0).event, QString("new_msg"));
    QCOMPARE(wire(received.at(1)),
             wire(Message::reply("1", "2", Lobby, "ok", QJsonObject{{"id", id}})));
    QCOMPARE(wire(received.at(2)),
             wire(Message::reply("1", "3", Lobby, "ok", QJsonObject{{"n", 1}})));
}

void tst_RoomChannel::historyPaging_data()
{
    // The lobby holds messages 1..120.
    QTest::addColumn<QJsonObject>("payload");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QList<qint64>>("ids");
    QTest::addColumn<bool>("more");

    const QString badBefore = "before must be a message id";
    const QString badLimit = "limit must be a positive number";
    QTest::newRow("newest 50 by default") << QJsonObject() << QString() << range(71, 120) << true;
    QTest::newRow("before") << QJsonObject{{"before", 11}} << QString() << range(1, 10) << false;
    QTest::newRow("before and limit")
        << QJsonObject{{"before", 11}, {"limit", 3}} << QString() << range(8, 10) << true;
    QTest::newRow("limit capped at 100")
        << QJsonObject{{"limit", 1000}} << QString() << range(21, 120) << true;
    QTest::newRow("nothing before the first")
        << QJsonObject{{"before", 1}} << QString() << QList<qint64>() << false;
    QTest::newRow("before as a string")
        << QJsonObject{{"before", "11"}} << badBefore << QList<qint64>() << false;
    QTest::newRow("negative before")
        << QJsonObject{{"before", -1}} << badBefore << QList<qint64>() << false;
    QTest::newRow("fractional before")
        << QJsonObject{{"before", 2.5}} << badBefore << QList<qint64>() << false;
    QTest::newRow("null before") << QJsonObject{{"before", QJsonValue()}} << badBefore
                                 << QList<qint64>() << false;
    QTest::newRow("zero limit") << QJsonObject{{"limit", 0}} << badLimit << QList<qint64>()
                                << false;
    QTest::newRow("negative limit")
        << QJsonObject{{"limit", -5}} << badLimit << QList<qint64>() << false;
    QTest::newRow("limit as a string")
        << QJsonObject{{"limit", "10"}} << badLimit << QList<qint64>() << false;
    QTest::newRow("fractional limit")
        << QJsonObject{{"limit", 1.5}} << badLimit << QList<qint64>() << false;
}

void tst_RoomChannel::historyPaging()
{
    QFETCH(QJsonObject, payload);
    QFETCH(QString, error);
    QFETCH(QList<qint64>, ids);
    QFETCH(bool, more);

    Fixture f;
    f.channels.store("lobby", 120);
    FakeConnection &ann = f.joined("ann");
    ann.send("1", "2", Lobby, "history", payload);
    const QList<Message> received = ann.take();
    QCOMPARE(received.size(), 1);
    const QJsonObject reply = replyOf(received.first());
    if (!error.isEmpty()) {
        QCOMPARE(wire(received.first()),
                 wire(Message::reply("1", "2", Lobby, "error", QJsonObject{{"reason", error}})));
        return;
    }
    QCOMPARE(reply.value("status").toString(), QString("ok"));
    QCOMPARE(idsOf(reply.value("response")), ids);
    QCOMPARE(reply.value("response").toObject().value("more").toBool(), more);
}

void tst_RoomChannel::typingReachesTheOthers_data()
{
    QTest::addColumn<QJsonObject>("payload");
    QTest::addColumn<bool>("typing");
    QTest::newRow("started") << QJsonObject{{"typing", true}} << true;
    QTest::newRow("stopped") << QJsonObject{{"typing", false}} << false;
    QTest::newRow("no flag: typing") << QJsonObject() << true;
}

void tst_RoomChannel::typingReachesTheOthers()
{
    QFETCH(QJsonObject, payload);
    QFETCH(bool, typing);

    Fixture f;
    FakeConnection &ann = f.joined("ann");
    FakeConnection &bob = f.joined("bob");
    FakeConnection &cat = f.joined("cat");
    ann.send("1", "2", Lobby, "typing", payload);

    const QString expected =
        wire(Message::broadcast(Lobby, "typing", QJsonObject{{"user", "ann"}, {"typing", typing}}));
    QVERIFY(ann.take().isEmpty()); // neither its own typing nor a reply
    QCOMPARE(wires(bob.take()), QStringList{expected});
    QCOMPARE(wires(cat.take()), QStringList{expected});
}

void tst_RoomChannel::status_data()
{
    QTest::addColumn<QJsonValue>("status");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("online") << QJsonValue("online") << true;
    QTest::newRow("away") << QJsonValue("away") << true;
    QTest::newRow("busy") << QJsonValue("busy") << true;
    QTest::newRow("unknown") << QJsonValue("asleep") << false;
    QTest::newRow("upper case") << QJsonValue("AWAY") << false;
    QTest::newRow("a number") << QJsonValue(1) << false;
    QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << false;
}

void tst_RoomChannel::status()
{
    QFETCH(QJsonValue, status);
    QFETCH(bool, accepted);

    Fixture f;
    FakeConnection &ann = f.joined("ann");
    FakeConnection &bob = f.joined("bob");
    const QString joinedRef =
        metaOf(f.channels.presence().list(Lobby), "ann").value("phx_ref").toString();
    const qsizetype diffsBefore = f.channels.queuedDiffs.size();

    QJsonObject payload;
    if (!status.isUndefined())
        payload.insert("status", status);
    ann.send("1", "2", Lobby, "status", payload);
    const QList<Message> toAnn = ann.take();
    if (!accepted) {
        QCOMPARE(wires(toAnn),
                 QStringList{wire(Message::reply(
                     "1", "2", Lobby, "error",
                     QJsonObject{{"reason", "status must be online, away, busy or dnd"}}))});
        QCOMPARE(f.channels.queuedDiffs.size(), diffsBefore);
        QVERIFY(bob.take().isEmpty());
        return;
    }
    // The diff is out before the reply: once told ok, the client sees its new status.
    QCOMPARE(toAnn.size(), 2);
    QCOMPARE(toAnn.at(0).event, QString("presence_diff"));
    QCOMPARE(wire(toAnn.at(1)), wire(Message::reply("1", "2", Lobby, "ok")));
    const QJsonObject diff = toAnn.at(0).payload.toObject();
    const QJsonObject joined = metaOf(diff.value("joins").toObject(), "ann");
    QCOMPARE(joined.value("status"), status);
    QCOMPARE(joined.value("phx_ref_prev").toString(), joinedRef);
    QCOMPARE(metaOf(diff.value("leaves").toObject(), "ann").value("phx_ref").toString(), joinedRef);
    QCOMPARE(wires(bob.take()), QStringList{wire(toAnn.at(0))});
    QCOMPARE(metaOf(f.channels.presence().list(Lobby), "ann").value("status"), status);
}

void tst_RoomChannel::afterJoinPushesStateAndQueuesAJoin()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann", "web");
    ann.join(Lobby, "1");
    const QList<Message> received = ann.take();
    QCOMPARE(received.size(), 2);
    QCOMPARE(replyOf(received.at(0)).value("status").toString(), QString("ok"));
    const Message state = received.at(1);
    QCOMPARE(state.event, QString("presence_state"));
    QCOMPARE(state.joinRef, QJsonValue("1"));
    QCOMPARE(state.payload.toObject().keys(), QStringList{"ann"});
    const QJsonObject meta = metaOf(state.payload.toObject(), "ann");
    QCOMPARE(meta.value("status").toString(), QString("online"));
    QCOMPARE(meta.value("client").toString(), QString("web"));
    QVERIFY(!meta.value("online_at").toString().isEmpty());
    QVERIFY(!meta.value("phx_ref").toString().isEmpty());

    QCOMPARE(f.channels.queuedDiffs.size(), 1);
    QCOMPARE(f.channels.queuedDiffs.at(0).topic, Lobby);
    QCOMPARE(f.channels.queuedDiffs.at(0).diff, diffOf("joins", "ann", meta));
    QCOMPARE(f.members(), 1);

    // The next member's state has both; the others learn of the join from the diff.
    f.channels.flushAllPresenceDiffs();
    ann.take();
    FakeConnection &bob = f.connect("bob");
    bob.join(Lobby, "1");
    const QList<Message> toBob = bob.take();
    QCOMPARE(toBob.size(), 2);
    QCOMPARE(toBob.at(1).payload.toObject().keys(), (QStringList{"ann", "bob"}));
    f.channels.flushAllPresenceDiffs();
    const QList<Message> toAnn = ann.take();
    QCOMPARE(toAnn.size(), 1);
    QCOMPARE(toAnn.at(0).event, QString("presence_diff"));
    QCOMPARE(toAnn.at(0).payload.toObject().value("joins").toObject().keys(), QStringList{"bob"});
}

void tst_RoomChannel::endingQueuesALeave_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("leave") << "leave";
    QTest::newRow("socket closed") << "closed";
    QTest::newRow("removed by the server") << "removed";
    QTest::newRow("joined again") << "rejoin";
}

void tst_RoomChannel::endingQueuesALeave()
{
    QFETCH(QString, how);

    Fixture f;
    FakeConnection &ann = f.joined("ann");
    f.joined("bob");
    const QJsonObject joined = metaOf(f.channels.presence().list(Lobby), "ann");
    const qsizetype diffsBefore = f.channels.queuedDiffs.size();
    QCOMPARE(f.room().members, 2);

    if (how == "leave")
        ann.send("1", "2", Lobby, "phx_leave");
    else if (how == "closed")
        f.disconnect(ann);
    else if (how == "removed")
        QVERIFY(ann.session().removeFromTopic(Lobby, "kicked"));
    else
        ann.join(Lobby, "2");

    const QList<FakeChannelContext::Diff> diffs = f.channels.queuedDiffs.mid(diffsBefore);
    QVERIFY(!diffs.isEmpty());
    // The leave carries the meta that joined, phx_ref and all.
    QCOMPARE(diffs.at(0).topic, Lobby);
    QCOMPARE(diffs.at(0).diff, diffOf("leaves", "ann", joined));
    if (how == "rejoin") {
        QCOMPARE(diffs.size(), 2);
        QCOMPARE(diffs.at(1).diff.value("joins").toObject().keys(), QStringList{"ann"});
        QCOMPARE(f.room().members, 2);
        return;
    }
    QCOMPARE(diffs.size(), 1);
    QCOMPARE(f.channels.presence().list(Lobby).keys(), QStringList{"bob"});
    QCOMPARE(f.room().members, 1);
}

void tst_RoomChannel::directoryCountsMembers()
{
    Fixture f;
    QCOMPARE(f.room().members, 0);
    FakeConnection &ann = f.joined("ann");
    QCOMPARE(f.room().members, 1);
    FakeConnection &bob = f.joined("bob");
    QCOMPARE(f.room().members, 2);
    // A second tab of the same nickname is one member.
    FakeConnection &annAgain = f.joined("ann");
    QCOMPARE(f.room().members, 2);
    f.disconnect(annAgain);
    QCOMPARE(f.room().members, 2);
    ann.send("1", "2", Lobby, "phx_leave");
    QCOMPARE(f.room().members, 1);
    f.disconnect(bob);
    QCOMPARE(f.room().members, 0);
    QCOMPARE(f.members(), 0);
}

void tst_RoomChannel::publishCommittedMarksSystemMessages_data()
{
    QTest::addColumn<bool>("system");
    QTest::newRow("system") << true;
    QTest::newRow("member") << false;
}

void tst_RoomChannel::publishCommittedMarksSystemMessages()
{
    QFETCH(bool, system);

    Fixture f;
    FakeConnection &ann = f.joined("ann");
    const StoredMessage message{7, "lobby", "system", "restarting", "2024-01-02T03:04:05.006Z"};
    QVERIFY(RoomChannel::publishCommitted(f.channels, message, system));

    QJsonObject expected = message.toJson();
    if (system)
        expected.insert("system", true);
    QCOMPARE(wires(ann.take()), QStringList{wire(Message::broadcast(Lobby, "new_msg", expected))});
    QCOMPARE(f.room().lastMessageId, qint64(7));
    QCOMPARE(chatter::isotime::fromMsecs(f.room().lastActivityMs), message.at);
}

namespace {

//! The `reason` of the error reply in `messages`, or an empty string.
QString refusalIn(const QList<Message> &messages)
{
    for (const Message &m : messages)
        if (m.event == "phx_reply" && replyOf(m).value("status") == "error")
            return replyOf(m).value("response").toObject().value("reason").toString();
    return {};
}

std::optional<Message> eventIn(const QList<Message> &messages, const QString &event)
{
    for (const Message &m : messages)
        if (m.event == event)
            return m;
    return std::nullopt;
}

} // namespace

void tst_RoomChannel::replyToMustBeOfThisConversation()
{
    Fixture f;
    FakeConnection &ann = f.joined("ann");
    const qint64 elsewhere = f.channels.store("other", 1).first();
    const qint64 here = f.channels.store("lobby", 1).first();
    const QString reason = "reply_to is not a message of this conversation";
    for (const QJsonValue &replyTo :
         {QJsonValue(elsewhere), QJsonValue(here + 100), QJsonValue("1"), QJsonValue(-1),
          QJsonValue(0), QJsonValue(1.5)}) {
        ann.send("1", "2", Lobby, "new_msg", QJsonObject{{"body", "re"}, {"reply_to", replyTo}});
        QCOMPARE(refusalIn(ann.take()), reason);
    }
    QVERIFY(f.channels.appends.isEmpty());
    // null is no reply at all.
    ann.send("1", "3", Lobby, "new_msg", QJsonObject{{"body", "re"}, {"reply_to", QJsonValue()}});
    QCOMPARE(f.channels.appends.size(), 1);
    QCOMPARE(f.channels.appends.first().message.replyTo, qint64(0));
}

void tst_RoomChannel::replyCarriesTheQuote()
{
    Fixture f;
    FakeConnection &ann = f.joined("ann");
    FakeConnection &bob = f.joined("bob");
    // 139 letters and an emoji: the quote stops before the emoji rather than split it.
    const QString parentBody = QString(139, 'x') + QStringLiteral("\U0001F600 and more");
    ann.send("1", "2", Lobby, "new_msg", QJsonObject{{"body", parentBody}});
    const qint64 parent = f.channels.commit();
    ann.take();
    bob.take();
    bob.send("1", "2", Lobby, "new_msg", QJsonObject{{"body", "re"}, {"reply_to", parent}});
    QCOMPARE(f.channels.appends.first().message.author, QString("k:bob"));
    const qint64 id = f.channels.commit();
    const std::optional<Message> broadcast = eventIn(ann.take(), "new_msg");
    QVERIFY(broadcast);
    const QJsonObject payload = replyOf(*broadcast);
    QCOMPARE(payload.value("id").toInteger(), id);
    QCOMPARE(payload.value("reply_to").toInteger(), parent);
    const QJsonObject quote{{"user", "ann"}, {"body", QString(139, 'x')}};
    QCOMPARE(payload.value("quote").toObject(), quote);
    const HistoryPage page = f.channels.history().recent("lobby", 10);
    QCOMPARE(page.messages.size(), 2);
    QCOMPARE(page.messages.at(1).toJson(), payload);
}

void tst_RoomChannel::editAndDeleteRights_data()
{
    QTest::addColumn<QString>("writer"); // who stored the message: ann or system
    QTest::addColumn<QString>("actor");
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("event");
    QTest::addColumn<QString>("refusal"); // empty: allowed
    QTest::newRow("author edits") << "ann"
                                  << "ann"
                                  << "guest"
                                  << "edit_msg"
                                  << "";
    QTest::newRow("author deletes") << "ann"
                                    << "ann"
                                    << "guest"
                                    << "delete_msg"
                                    << "";
    QTest::newRow("other edits") << "ann"
                                 << "bob"
                                 << "guest"
                                 << "edit_msg"
                                 << "forbidden";
    QTest::newRow("other deletes") << "ann"
                                   << "bob"
                                   << "member"
                                   << "delete_msg"
                                   << "forbidden";
    QTest::newRow("admin edits") << "ann"
                                 << "root"
                                 << "admin"
                                 << "edit_msg"
                                 << "";
    QTest::newRow("admin deletes") << "ann"
                                   << "root"
                                   << "admin"
                                   << "delete_msg"
                                   << "";
    QTest::newRow("admin edits system") << "system"
                                        << "root"
                                        << "admin"
                                        << "edit_msg"
                                        << "forbidden";
    QTest::newRow("admin deletes system") << "system"
                                          << "root"
                                          << "admin"
                                          << "delete_msg"
                                          << "";
    QTest::newRow("member deletes system") << "system"
                                           << "bob"
                                           << "member"
                                           << "delete_msg"
                                           << "forbidden";
}

void tst_RoomChannel::editAndDeleteRights()
{
    QFETCH(QString, writer);
    QFETCH(QString, actor);
    QFETCH(QString, role);
    QFETCH(QString, event);
    QFETCH(QString, refusal);

    Fixture f;
    qint64 id = 0;
    if (writer == "system") {
        id = f.channels.store("lobby", 1, "system").first();
    } else {
        FakeConnection &author = f.joined(writer);
        author.send("1", "2", Lobby, "new_msg", QJsonObject{{"body", "first"}});
        id = f.channels.commit();
    }
    FakeConnection &client = f.connect(actor, "desktop", role);
    client.join(Lobby, "1");
    client.take();
    client.send("1", "2", Lobby, event, QJsonObject{{"id", id}, {"body", "second"}});
    if (!refusal.isEmpty()) {
        QCOMPARE(refusalIn(client.take()), refusal);
        QCOMPARE(f.channels.changesPending, 0);
        return;
    }
    QVERIFY(client.take().isEmpty()); // after the commit only
    f.channels.waitForChanges();
    const QList<Message> received = client.take();
    QCOMPARE(refusalIn(received), QString());
    const std::optional<Message> broadcast =
        eventIn(received, event == "edit_msg" ? "msg_edited" : "msg_deleted");
    QVERIFY(broadcast);
    QCOMPARE(replyOf(*broadcast).value("id").toInteger(), id);
    const QJsonObject stored = f.channels.history().recent("lobby", 1).messages.first().toJson();
    if (event == "edit_msg") {
        QCOMPARE(stored.value("body").toString(), QString("second"));
        QCOMPARE(stored.value("edited_at"), replyOf(*broadcast).value("edited_at"));
    } else {
        QCOMPARE(stored, (QJsonObject{{"id", id}, {"deleted", true}}));
    }
}

void tst_RoomChannel::changesAreBroadcastOnceCommitted()
{
    Fixture f;
    FakeConnection &ann = f.joined("ann");
    FakeConnection &bob = f.joined("bob");
    ann.send("1", "2", Lobby, "new_msg", QJsonObject{{"body", "hi"}});
    const qint64 id = f.channels.commit();
    ann.take();
    bob.take();

    bob.send("1", "3", Lobby, "react", QJsonObject{{"id", id}, {"emoji", "+1"}, {"on", true}});
    QVERIFY(bob.take().isEmpty());
    f.channels.waitForChanges();
    const QList<Message> toBob = bob.take();
    QCOMPARE(toBob.size(), 2);
    const QJsonObject set{{"id", id}, {"reactions", QJsonObject{{"+1", QJsonArray{"bob"}}}}};
    QCOMPARE(wire(toBob.at(0)), wire(Message::broadcast(Lobby, "reactions", set)));
    QCOMPARE(wire(toBob.at(1)), wire(Message::reply("1", "3", Lobby, "ok", QJsonObject())));
    QCOMPARE(wires(ann.take()), QStringList{wire(toBob.at(0))});

    // Twice is one reaction: ok, no broadcast.
    bob.send("1", "4", Lobby, "react", QJsonObject{{"id", id}, {"emoji", "+1"}, {"on", true}});
    f.channels.waitForChanges();
    QCOMPARE(wires(bob.take()),
             QStringList{wire(Message::reply("1", "4", Lobby, "ok", QJsonObject()))});
    QVERIFY(ann.take().isEmpty());

    bob.send("1", "5", Lobby, "react", QJsonObject{{"id", id}, {"emoji", "a b"}});
    QCOMPARE(refusalIn(bob.take()), QString("invalid emoji"));
    bob.send("1", "6", Lobby, "react", QJsonObject{{"id", id}, {"emoji", "x"}, {"on", "yes"}});
    QCOMPARE(refusalIn(bob.take()), QString("on must be true or false"));
    bob.send("1", "7", Lobby, "react", QJsonObject{{"id", id + 5}, {"emoji", "x"}});
    QCOMPARE(refusalIn(bob.take()), QString("no such message"));
}

void tst_RoomChannel::joinCarriesChanges()
{
    Fixture f;
    FakeConnection &ann = f.joined("ann");
    for (int i = 0; i < 3; ++i) {
        ann.send("1", "2", Lobby, "new_msg", QJsonObject{{"body", QString::number(i)}});
        f.channels.commit();
    }
    const QList<qint64> ids = range(1, 3);
    FakeConnection &bob = f.connect("bob");
    bob.join(Lobby, "1", QJsonObject{{"last_seen_id", 3}, {"last_change_seq", 0}});
    QJsonObject joined = replyOf(bob.take().first()).value("response").toObject();
    QCOMPARE(joined.value("change_seq").toInteger(), 0);
    QCOMPARE(joined.value("changes").toArray(), QJsonArray());
    QCOMPARE(joined.value("changes_more").toBool(true), false);

    ann.send("1", "3", Lobby, "delete_msg", QJsonObject{{"id", ids.at(1)}});
    ann.send("1", "4", Lobby, "edit_msg", QJsonObject{{"id", ids.at(0)}, {"body", "zero"}});
    f.channels.waitForChanges();
    FakeConnection &carl = f.connect("carl");
    carl.join(Lobby, "1", QJsonObject{{"last_seen_id", 3}, {"last_change_seq", 0}});
    joined = replyOf(carl.take().first()).value("response").toObject();
    const QJsonArray changes = joined.value("changes").toArray();
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes.at(0).toObject(), (QJsonObject{{"id", ids.at(1)}, {"deleted", true}}));
    QCOMPARE(changes.at(1).toObject().value("body").toString(), QString("zero"));
    const qint64 seq = joined.value("change_seq").toInteger();
    QVERIFY(seq >= 2);

    // Without last_change_seq: change_seq only.
    FakeConnection &dan = f.connect("dan");
    dan.join(Lobby, "1", QJsonObject{{"last_seen_id", 3}});
    joined = replyOf(dan.take().first()).value("response").toObject();
    QVERIFY(!joined.contains("changes"));
    QCOMPARE(joined.value("change_seq").toInteger(), seq);
}

void tst_RoomChannel::dmTopicsUseTheirConversationKey()
{
    Fixture f;
    f.sessions.router.add<RoomChannel>(chatter::topics::DmPattern);
    const QString topic = "chatter:dm:ann:bob";
    FakeConnection &ann = f.connectAccount("ann", 1);
    FakeConnection &bob = f.connectAccount("bob", 2);
    // A guest of a DM's name is not its account.
    FakeConnection &guest = f.connect("carol");
    guest.join("chatter:dm:ann:carol", "1");
    QCOMPARE(replyOf(guest.take().first()).value("status").toString(), QString("error"));
    ann.join(topic, "1");
    bob.join(topic, "1");
    ann.take();
    bob.take();
    ann.send("1", "2", topic, "new_msg", QJsonObject{{"body", "psst"}});
    QCOMPARE(f.channels.appends.first().message.room, QString("dm:ann:bob"));
    const qint64 id = f.channels.commit();
    const std::optional<Message> broadcast = eventIn(bob.take(), "new_msg");
    QVERIFY(broadcast);
    QCOMPARE(broadcast->topic, topic);
    QCOMPARE(idsOf(f.channels.history().recent("dm:ann:bob", 5).toJson()), QList<qint64>{id});
    bob.send("1", "2", topic, "react", QJsonObject{{"id", id}, {"emoji", "ok"}});
    f.channels.waitForChanges();
    QVERIFY(eventIn(ann.take(), "reactions"));
    // Never in the room directory, nor in the stored directory rows.
    QVERIFY(f.channels.directory().rooms().isEmpty());
    QVERIFY(f.channels.history().rooms().isEmpty());
}

void tst_RoomChannel::conversationKeys()
{
    using namespace chatter::topics;
    QCOMPARE(conversationKey("chatter:room:lobby"), QString("lobby"));
    QCOMPARE(conversationKey("chatter:dm:ann:bob"), QString("dm:ann:bob"));
    QCOMPARE(conversationKey("chatter:rooms"), QString());
    QCOMPARE(conversationKey("chatter:user:ann"), QString());
    QCOMPARE(conversationTopic("lobby"), QString("chatter:room:lobby"));
    QCOMPARE(conversationTopic("dm:ann:bob"), QString("chatter:dm:ann:bob"));
    QVERIFY(isDmKey("dm:ann:bob"));
    QVERIFY(!isDmKey("lobby"));
}

QTEST_GUILESS_MAIN(tst_RoomChannel)
#include "tst_roomchannel.moc"
