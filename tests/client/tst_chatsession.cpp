// SPDX-License-Identifier: MIT
// ChatSession and its models against the real engine over loopback: two users in one process.
#include "chatsession.h"
#include "membermodel.h"
#include "messagemodel.h"
#include "phoenixsocket.h"
#include "roomdirectorymodel.h"
#include "roomlistmodel.h"
#include "servertestutil.h"

#include <QSignalSpy>
#include <QTest>

using namespace chatter::client;

namespace {

QStringList systemLines(const MessageModel *model)
{
    QStringList out;
    for (int row = 0; model && row < model->rowCount(); ++row) {
        if (model->at(row).isSystem())
            out << model->at(row).body;
    }
    return out;
}

int pendingRows(const MessageModel *model)
{
    int count = 0;
    for (int row = 0; model && row < model->rowCount(); ++row)
        count += model->index(row).data(MessageModel::PendingRole).toBool() ? 1 : 0;
    return count;
}

QStringList bodies(const MessageModel *model)
{
    QStringList out;
    for (int row = 0; row < model->rowCount(); ++row) {
        if (!model->at(row).isSystem())
            out << model->at(row).body;
    }
    return out;
}

//! A session connected as `nick` with `room` joined (and current).
std::unique_ptr<ChatSession> joinedSession(const TestServer &server, const QString &nick,
                                           const QString &room)
{
    auto session = std::make_unique<ChatSession>(fastOptions());
    QSignalSpy joined(session.get(), &ChatSession::roomJoined);
    session->connectToServer(server.address(), nick);
    session->joinRoom(room);
    if (!joined.wait(10000))
        return nullptr;
    return session;
}

} // namespace

class tst_ChatSession : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void endpointFor_data();
    void endpointFor();
    void mentions_data();
    void mentions();
    void chatBetweenTwoSessions();
    void unreadCountsForRoomsNotInView();
    void typingReachesTheOthers();
    void presenceFollowsJoinsAndLeaves();
    void invalidRoomNameIsRefusedLocally();
    void restartLosesNoMessages();
    void messagesSentWhileAwayArriveOnRejoin();
    void olderHistoryPages();
    void serverRestartAddsNoLeftAndJoinedLines_data();
    void serverRestartAddsNoLeftAndJoinedLines();
    void messagesTypedOfflineWaitAsPending_data();
    void messagesTypedOfflineWaitAsPending();
    void connectingAgainReplacesTheRoomModels();
    void leavingTheLastRoomLeavesNoCurrentRoom();
    void roomDirectoryListsTheServersRooms();
};

void tst_ChatSession::endpointFor_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("url");
    QTest::newRow("host:port") << "localhost:4000"
                               << "ws://localhost:4000/socket";
    QTest::newRow("host only") << "chat.lan"
                               << "ws://chat.lan:4000/socket";
    QTest::newRow("spaces") << "  10.0.0.2:4100 "
                            << "ws://10.0.0.2:4100/socket";
    QTest::newRow("ws url") << "ws://h:1/socket"
                            << "ws://h:1/socket";
    QTest::newRow("http url") << "http://h:5"
                              << "ws://h:5/socket";
}

void tst_ChatSession::endpointFor()
{
    QFETCH(QString, server);
    QFETCH(QString, url);
    QCOMPARE(ChatSession::endpointFor(server).toString(), url);
}

void tst_ChatSession::mentions_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<bool>("mentions");
    QTest::newRow("plain") << "hi bob" << true;
    QTest::newRow("case") << "BOB: look" << true;
    QTest::newRow("punctuation") << "thanks, bob." << true;
    QTest::newRow("at") << "@bob ping" << true;
    QTest::newRow("inside a word") << "bobby" << false;
    QTest::newRow("nick-suffix") << "bob-2 is here" << false;
    QTest::newRow("absent") << "hello" << false;
}

void tst_ChatSession::mentions()
{
    QFETCH(QString, body);
    QFETCH(bool, mentions);
    QCOMPARE(ChatMessage::mentions(body, QStringLiteral("bob")), mentions);
}

void tst_ChatSession::chatBetweenTwoSessions()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(alice && bob);
    QCOMPARE(alice->connectionState(), ChatSession::ConnectionState::Connected);

    alice->sendMessage("hello bob");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")), QStringList{"hello bob"}, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")), QStringList{"hello bob"}, 10000);
    const MessageModel *bobView = bob->messages("lobby");
    const int row = bobView->rowCount() - 1;
    QCOMPARE(bobView->at(row).user, QStringLiteral("alice"));
    QVERIFY(!bobView->at(row).own);
    QVERIFY(bobView->at(row).mention);
    QVERIFY(bobView->at(row).id > 0);
    const MessageModel *aliceView = alice->messages("lobby");
    QVERIFY(aliceView->at(aliceView->rowCount() - 1).own);
}

void tst_ChatSession::unreadCountsForRoomsNotInView()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(alice && bob);
    QSignalSpy bobJoined(bob.get(), &ChatSession::roomJoined);
    bob->joinRoom("dev");
    QVERIFY(bobJoined.wait(10000));
    QCOMPARE(bob->currentRoom(), QStringLiteral("lobby"));

    QSignalSpy aliceJoined(alice.get(), &ChatSession::roomJoined);
    alice->joinRoom("dev");
    QVERIFY(aliceJoined.wait(10000));
    QSignalSpy received(bob.get(), &ChatSession::messageReceived);
    alice->sendMessage("dev", "one");
    alice->sendMessage("dev", "two");
    alice->sendMessage("lobby", "in view");
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 3, 10000);
    QCOMPARE(bob->rooms()->unread("dev"), 2);
    QCOMPARE(bob->rooms()->unread("lobby"), 0);
    const QModelIndex dev = bob->rooms()->index(bob->rooms()->rowOf("dev"));
    QCOMPARE(dev.data(RoomListModel::UnreadRole).toInt(), 2);
    QVERIFY(!dev.data(RoomListModel::CurrentRole).toBool());

    bob->setCurrentRoom("dev");
    QCOMPARE(bob->rooms()->unread("dev"), 0);
    QVERIFY(dev.data(RoomListModel::CurrentRole).toBool());
    // Own messages never count as unread.
    bob->sendMessage("lobby", "mine");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")).size(), 2, 10000);
    QCOMPARE(bob->rooms()->unread("lobby"), 0);
}

void tst_ChatSession::typingReachesTheOthers()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(alice && bob);
    QSignalSpy typing(bob.get(), &ChatSession::typingChanged);
    alice->noteTyping();
    QVERIFY(typing.wait(10000));
    QCOMPARE(bob->typingUsers("lobby"), QStringList{"alice"});
    // Sending ends typing for everyone.
    alice->sendMessage("done");
    QTRY_VERIFY_WITH_TIMEOUT(bob->typingUsers("lobby").isEmpty(), 10000);
    QVERIFY(alice->typingUsers("lobby").isEmpty());
}

void tst_ChatSession::presenceFollowsJoinsAndLeaves()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    MemberModel *members = alice->members("lobby");
    // The server pushes presence_state after every join; without it the member list stays empty.
    QVERIFY2(QTest::qWaitFor([&] { return members->rowCount() > 0; }, 5000),
             "no presence_state within 5 s of the join reply: the member list is empty");
    QCOMPARE(members->nicknames(), QStringList{"alice"});

    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(bob);
    QTRY_COMPARE_WITH_TIMEOUT(members->nicknames(), QStringList({"alice", "bob"}), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bob->members("lobby")->nicknames(), QStringList({"alice", "bob"}),
                              10000);
    const QModelIndex bobRow = members->index(1);
    QCOMPARE(bobRow.data(MemberModel::ClientsRole).toStringList(), QStringList{"desktop"});

    // A join line for bob, then a leave line when he goes.
    const MessageModel *lines = alice->messages("lobby");
    QTRY_VERIFY_WITH_TIMEOUT(lines->rowCount() > 0 &&
                                 lines->at(lines->rowCount() - 1).kind == ChatMessage::Kind::Joined,
                             10000);
    bob->leaveRoom("lobby");
    QTRY_COMPARE_WITH_TIMEOUT(members->nicknames(), QStringList{"alice"}, 10000);
    QCOMPARE(lines->at(lines->rowCount() - 1).kind, ChatMessage::Kind::Left);
    QCOMPARE(lines->at(lines->rowCount() - 1).user, QStringLiteral("bob"));
}

void tst_ChatSession::invalidRoomNameIsRefusedLocally()
{
    ChatSession session(fastOptions());
    QSignalSpy error(&session, &ChatSession::roomError);
    QVERIFY(!session.joinRoom("no spaces"));
    QCOMPARE(error.size(), 1);
    QCOMPARE(error.first().at(1).toString(), QStringLiteral("invalid room name"));
    QCOMPARE(session.rooms()->rowCount(), 0);
}

void tst_ChatSession::restartLosesNoMessages()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(alice && bob);
    alice->sendMessage("before");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")), QStringList{"before"}, 10000);

    QSignalSpy aliceState(alice.get(), &ChatSession::connectionStateChanged);
    QSignalSpy bobRejoined(bob.get(), &ChatSession::roomJoined);
    server.stop();
    QTRY_COMPARE_WITH_TIMEOUT(alice->connectionState(), ChatSession::ConnectionState::Reconnecting,
                              10000);
    // Sent while the server is down: buffered by the channel, delivered after the rejoin.
    alice->sendMessage("during");
    QVERIFY(server.start());
    QTRY_COMPARE_WITH_TIMEOUT(alice->connectionState(), ChatSession::ConnectionState::Connected,
                              10000);
    QTRY_VERIFY_WITH_TIMEOUT(!bobRejoined.isEmpty(), 10000);
    QVERIFY(bobRejoined.first().at(1).toBool()); // a rejoin, not a first join
    alice->sendMessage("after");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")),
                              QStringList({"before", "during", "after"}), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")),
                              QStringList({"before", "during", "after"}), 10000);
}

void tst_ChatSession::messagesSentWhileAwayArriveOnRejoin()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(alice && bob);
    alice->sendMessage("seen");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")), QStringList{"seen"}, 10000);

    // Bob goes offline for a while; his rejoin asks for everything after his last id.
    bob->socket()->close();
    alice->sendMessage("missed 1");
    alice->sendMessage("missed 2");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")).size(), 3, 10000);
    QSignalSpy rejoined(bob.get(), &ChatSession::roomJoined);
    bob->socket()->open();
    QVERIFY(rejoined.wait(10000));
    QVERIFY2(bodies(bob->messages("lobby")).size() > 1,
             "the rejoin reply carried none of the messages after last_seen_id");
    QCOMPARE(bodies(bob->messages("lobby")), QStringList({"seen", "missed 1", "missed 2"}));
}

void tst_ChatSession::olderHistoryPages()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    // 60 messages: a fresh join gets the newest 50 and "more".
    for (int i = 1; i <= 60; ++i)
        alice->sendMessage(QStringLiteral("m%1").arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")).size(), 60, 20000);

    auto carol = joinedSession(server, "carol", "lobby");
    QVERIFY(carol);
    const QStringList first = bodies(carol->messages("lobby"));
    QVERIFY2(!first.isEmpty(), "the join reply carried no history of the room's 60 messages");
    QCOMPARE(first.size(), 50);
    QCOMPARE(first.first(), QStringLiteral("m11"));
    QVERIFY(carol->canLoadOlder("lobby"));
    QSignalSpy older(carol.get(), &ChatSession::olderLoaded);
    carol->loadOlder("lobby");
    QVERIFY(older.wait(10000));
    QCOMPARE(older.first().at(1).toInt(), 10);
    QCOMPARE(bodies(carol->messages("lobby")).first(), QStringLiteral("m1"));
    QVERIFY(!carol->canLoadOlder("lobby"));
}

void tst_ChatSession::serverRestartAddsNoLeftAndJoinedLines_data()
{
    QTest::addColumn<bool>("bobReturns");
    QTest::addColumn<QStringList>("linesAfterRestart");
    QTest::newRow("everyone reconnects") << true << QStringList();
    QTest::newRow("bob does not come back") << false << QStringList{"bob left"};
}

void tst_ChatSession::serverRestartAddsNoLeftAndJoinedLines()
{
    QFETCH(bool, bobReturns);
    QFETCH(QStringList, linesAfterRestart);
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    // Bob joins a moment later, so his reconnect schedule is not alice's.
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(bob);
    QTRY_COMPARE_WITH_TIMEOUT(alice->members("lobby")->rowCount(), 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(systemLines(alice->messages("lobby")), QStringList{"bob joined"},
                              10000);

    QSignalSpy aliceRejoined(alice.get(), &ChatSession::roomJoined);
    server.stop();
    QTRY_COMPARE_WITH_TIMEOUT(alice->connectionState(), ChatSession::ConnectionState::Reconnecting,
                              10000);
    if (!bobReturns)
        bob.reset();
    QVERIFY(server.start());
    QTRY_VERIFY_WITH_TIMEOUT(!aliceRejoined.isEmpty(), 10000);
    if (bobReturns) {
        QTRY_COMPARE_WITH_TIMEOUT(bob->connectionState(), ChatSession::ConnectionState::Connected,
                                  10000);
        QTRY_COMPARE_WITH_TIMEOUT(alice->members("lobby")->rowCount(), 2, 10000);
        // A held "left" would show when the settle window ends: wait it out, then look.
        QTest::qWait(fastOptions().rejoinSettleMs + 300);
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(systemLines(alice->messages("lobby")).size() > 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(alice->members("lobby")->rowCount(), 1, 10000);
    }
    QCOMPARE(systemLines(alice->messages("lobby")), QStringList{"bob joined"} + linesAfterRestart);
}

void tst_ChatSession::messagesTypedOfflineWaitAsPending_data()
{
    QTest::addColumn<bool>("connectAgain");
    QTest::newRow("the session reconnects by itself") << false;
    QTest::newRow("the user connects again (Chat › Connect…)") << true;
}

void tst_ChatSession::messagesTypedOfflineWaitAsPending()
{
    QFETCH(bool, connectAgain);
    TestServer server;
    QVERIFY(server.start());
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(bob);
    server.stop();
    bob.reset();

    // Alice starts while the server is down: her room cannot be joined yet.
    ChatSession alice(fastOptions());
    alice.connectToServer(server.address(), "alice");
    QVERIFY(alice.joinRoom("lobby"));
    QTRY_COMPARE_WITH_TIMEOUT(alice.connectionState(), ChatSession::ConnectionState::Reconnecting,
                              10000);
    QVERIFY(alice.sendMessage("typed offline 1"));
    QVERIFY(alice.sendMessage("typed offline 2"));
    QCOMPARE(pendingRows(alice.messages("lobby")), 2);
    QCOMPARE(bodies(alice.messages("lobby")), QStringList({"typed offline 1", "typed offline 2"}));

    QVERIFY(server.start());
    if (connectAgain)
        alice.connectToServer(server.address(), "alice");
    bob = joinedSession(server, "bob", "lobby");
    QVERIFY(bob);
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")),
                              QStringList({"typed offline 1", "typed offline 2"}), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice.messages("lobby")),
                              QStringList({"typed offline 1", "typed offline 2"}), 10000);
    QCOMPARE(pendingRows(alice.messages("lobby")), 0);
}

void tst_ChatSession::connectingAgainReplacesTheRoomModels()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    alice->sendMessage("hello");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")), QStringList{"hello"}, 10000);
    QSignalSpy replaced(alice.get(), &ChatSession::roomModelsReplaced);
    QSignalSpy joined(alice.get(), &ChatSession::roomJoined);
    alice->connectToServer(server.address(), "alice2");
    QCOMPARE(replaced.size(), 1);
    QVERIFY(joined.wait(10000));
    // The new models carry the room's history and hear new messages.
    QCOMPARE(bodies(alice->messages("lobby")), QStringList{"hello"});
    alice->sendMessage("again");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")), QStringList({"hello", "again"}),
                              10000);
}

void tst_ChatSession::leavingTheLastRoomLeavesNoCurrentRoom()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    QSignalSpy current(alice.get(), &ChatSession::currentRoomChanged);
    alice->leaveRoom("lobby");
    QCOMPARE(current.size(), 1);
    QCOMPARE(current.first().at(0).toString(), QString());
    QCOMPARE(alice->currentRoom(), QString());
}

void tst_ChatSession::roomDirectoryListsTheServersRooms()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    QSignalSpy joined(alice.get(), &ChatSession::roomJoined);
    alice->joinRoom("dev");
    QVERIFY(joined.wait(10000));
    alice->sendMessage("dev", "first in dev");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("dev")), QStringList{"first in dev"}, 10000);

    ChatSession bob(fastOptions());
    bob.connectToServer(server.address(), "bob");
    RoomDirectoryModel *directory = bob.directory();
    QSignalSpy loaded(directory, &RoomDirectoryModel::loaded);
    directory->setWatching(true);
    QVERIFY(loaded.wait(10000));
    const auto cell = [directory](const QString &room, int column) {
        const int row = directory->rowOf(room);
        return row < 0 ? QVariant() : directory->index(row, column).data();
    };
    QVERIFY2(directory->rowOf("lobby") >= 0 && directory->rowOf("dev") >= 0,
             "the directory does not list the rooms alice is in");
    QCOMPARE(cell("dev", RoomDirectoryModel::MembersColumn).toInt(), 1);
    QCOMPARE(cell("dev", RoomDirectoryModel::MessagesColumn).toInt(), 1);
    QCOMPARE(cell("dev", RoomDirectoryModel::NameColumn).toString(), QStringLiteral("#dev"));

    // Live: a new room and a new member show up without asking again.
    auto carol = joinedSession(server, "carol", "fresh");
    QVERIFY(carol);
    QTRY_VERIFY_WITH_TIMEOUT(directory->rowOf("fresh") >= 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(cell("fresh", RoomDirectoryModel::MembersColumn).toInt(), 1, 10000);
    directory->setWatching(false);
    QVERIFY(!directory->isWatching());
}

QTEST_GUILESS_MAIN(tst_ChatSession)
#include "tst_chatsession.moc"
