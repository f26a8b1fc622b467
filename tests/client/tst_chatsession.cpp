// SPDX-License-Identifier: MIT
// ChatSession and its models against the real engine over loopback: two users in one process.
#include "accountclient.h"
#include "chatsession.h"
#include "membermodel.h"
#include "messagemodel.h"
#include "personalchannel.h"
#include "phoenixsocket.h"
#include "roomdirectorymodel.h"
#include "roomlistmodel.h"
#include "roomsession.h"
#include "servertestutil.h"
#include "sessiontestutil.h"

#include <QSignalSpy>
#include <QTest>

using namespace chatter::client;

using namespace sessiontest;

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

//! A server whose accounts are cheap to make (Argon2id at its minimum cost).
bool startWithAccounts(TestServer &server)
{
    server.config().minimumPasswordCost = true;
    return server.start();
}

int rowOfBody(const MessageModel *model, const QString &body)
{
    for (int row = 0; model && row < model->rowCount(); ++row) {
        if (model->at(row).body == body)
            return row;
    }
    return -1;
}

//! Waits for a request's answer; the reason when refused, empty when ok, "timeout" otherwise.
QString answerOf(const std::function<void(ChatSession::Done)> &request)
{
    std::optional<QString> reason;
    request([&reason](bool ok, const QString &why) { reason = ok ? QString() : why; });
    if (!QTest::qWaitFor([&reason] { return reason.has_value(); }, 10000))
        return QStringLiteral("timeout");
    return *reason;
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
    void repliesCarryTheirQuote();
    void editsAndDeletionsReachEveryone();
    void reactionsToggle();
    void changesMadeWhileAwayApplyOnRejoin();
    void directMessageOpenedWithOpenDm();
    void readMarkersFollowAcrossDevices();
    void mentionOfSomeoneElsewhereIsPushed();
    void groupsAndPrivateRoomsWithInvitations();
    void muteFollowsAcrossDevices();
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
    // The server's rule (docs/conversations.md): only `@nick` or `@here` is a mention.
    QTest::newRow("at") << "@bob ping" << true;
    QTest::newRow("case") << "@BOB: look" << true;
    QTest::newRow("punctuation") << "thanks, @bob." << true;
    QTest::newRow("here") << "@here standup" << true;
    QTest::newRow("bare name") << "hi bob" << false;
    QTest::newRow("inside a word") << "@bobby" << false;
    QTest::newRow("nick-suffix") << "@bob-2 is here" << false;
    QTest::newRow("address") << "mail bob@example.com" << false;
    QTest::newRow("in code") << "`@bob`" << false;
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

    alice->sendMessage("hello @bob");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")), QStringList{"hello @bob"}, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")), QStringList{"hello @bob"}, 10000);
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

void tst_ChatSession::repliesCarryTheirQuote()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(alice && bob);
    alice->sendMessage("the parent message");
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(bob->messages("lobby"), "the parent message") >= 0, 10000);
    const MessageModel *bobLines = bob->messages("lobby");
    const qint64 parent = bobLines->at(rowOfBody(bobLines, "the parent message")).id;

    QVERIFY(bob->sendMessage("lobby", "a reply", parent));
    const MessageModel *aliceLines = alice->messages("lobby");
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(aliceLines, "a reply") >= 0, 10000);
    const QModelIndex reply = aliceLines->index(rowOfBody(aliceLines, "a reply"));
    QCOMPARE(reply.data(MessageModel::ReplyToRole).toLongLong(), parent);
    QCOMPARE(reply.data(MessageModel::QuoteUserRole).toString(), QStringLiteral("alice"));
    QCOMPARE(reply.data(MessageModel::QuoteBodyRole).toString(),
             QStringLiteral("the parent message"));

    // Another room's message is no parent here: refused, nothing sent.
    QSignalSpy failed(bob.get(), &ChatSession::sendFailed);
    QVERIFY(bob->sendMessage("lobby", "bad reply", parent + 1000));
    QVERIFY(failed.wait(10000));
    QVERIFY2(failed.first().at(1).toString().contains("reply_to"),
             qPrintable(failed.first().at(1).toString()));
}

void tst_ChatSession::editsAndDeletionsReachEveryone()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(alice && bob);
    alice->sendMessage("typo hree");
    alice->sendMessage("to be deleted");
    const MessageModel *aliceLines = alice->messages("lobby");
    const MessageModel *bobLines = bob->messages("lobby");
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(bobLines, "to be deleted") >= 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(aliceLines, "to be deleted") >= 0, 10000);
    const qint64 typo = aliceLines->at(rowOfBody(aliceLines, "typo hree")).id;
    const qint64 doomed = aliceLines->at(rowOfBody(aliceLines, "to be deleted")).id;
    QCOMPARE(aliceLines->lastOwnEditableRow(), rowOfBody(aliceLines, "to be deleted"));

    QCOMPARE(answerOf([&](auto done) { alice->editMessage("lobby", typo, "typo here", done); }),
             QString());
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(bobLines, "typo here") >= 0, 10000);
    const QModelIndex edited = bobLines->index(bobLines->rowOfId(typo));
    QCOMPARE(edited.data(MessageModel::BodyRole).toString(), QStringLiteral("typo here"));
    QVERIFY(edited.data(MessageModel::EditedAtRole).toDateTime().isValid());
    QCOMPARE(rowOfBody(bobLines, "typo hree"), -1);

    // Someone else's message is not bob's to change.
    QCOMPARE(answerOf([&](auto done) { bob->editMessage("lobby", typo, "mine now", done); }),
             QStringLiteral("forbidden"));
    QCOMPARE(answerOf([&](auto done) { bob->deleteMessage("lobby", typo, done); }),
             QStringLiteral("forbidden"));

    const int rowsBefore = bobLines->rowCount();
    QCOMPARE(answerOf([&](auto done) { alice->deleteMessage("lobby", doomed, done); }), QString());
    QTRY_VERIFY_WITH_TIMEOUT(
        bobLines->index(bobLines->rowOfId(doomed)).data(MessageModel::DeletedRole).toBool(), 10000);
    // The line stays, as a placeholder, so paging keeps its place.
    QCOMPARE(bobLines->rowCount(), rowsBefore);
    QCOMPARE(rowOfBody(bobLines, "to be deleted"), -1);
    QCOMPARE(aliceLines->lastOwnEditableRow(), aliceLines->rowOfId(typo));
}

void tst_ChatSession::reactionsToggle()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(alice && bob);
    alice->sendMessage("react to me");
    const MessageModel *aliceLines = alice->messages("lobby");
    const MessageModel *bobLines = bob->messages("lobby");
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(bobLines, "react to me") >= 0, 10000);
    const qint64 id = bobLines->at(rowOfBody(bobLines, "react to me")).id;
    const auto reactions = [](const MessageModel *model, qint64 message) {
        QStringList out;
        const QModelIndex index = model->index(model->rowOfId(message));
        for (const QVariant &chip : index.data(MessageModel::ReactionsRole).toList()) {
            const QVariantMap map = chip.toMap();
            QStringList users = map.value("users").toStringList();
            users.sort();
            out << map.value("emoji").toString() + "=" + users.join(",") +
                       (map.value("mine").toBool() ? "*" : "");
        }
        return out;
    };

    QCOMPARE(answerOf([&](auto done) { bob->toggleReaction("lobby", id, "👍", done); }), QString());
    QTRY_COMPARE_WITH_TIMEOUT(reactions(aliceLines, id), QStringList{"👍=bob"}, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(reactions(bobLines, id), QStringList{"👍=bob*"}, 10000);
    QCOMPARE(answerOf([&](auto done) { alice->toggleReaction("lobby", id, "👍", done); }),
             QString());
    QTRY_COMPARE_WITH_TIMEOUT(reactions(bobLines, id), QStringList{"👍=alice,bob*"}, 10000);
    // Toggling again takes bob's back.
    QCOMPARE(answerOf([&](auto done) { bob->toggleReaction("lobby", id, "👍", done); }), QString());
    QTRY_COMPARE_WITH_TIMEOUT(reactions(aliceLines, id), QStringList{"👍=alice*"}, 10000);
    QCOMPARE(answerOf([&](auto done) { bob->toggleReaction("lobby", id, "not an emoji", done); }),
             QStringLiteral("invalid emoji"));
}

void tst_ChatSession::changesMadeWhileAwayApplyOnRejoin()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(alice && bob);
    alice->sendMessage("will change");
    alice->sendMessage("will go");
    alice->sendMessage("will get a reaction");
    const MessageModel *aliceLines = alice->messages("lobby");
    const MessageModel *bobLines = bob->messages("lobby");
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(bobLines, "will get a reaction") >= 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(aliceLines, "will get a reaction") >= 0, 10000);
    const qint64 changed = aliceLines->at(rowOfBody(aliceLines, "will change")).id;
    const qint64 gone = aliceLines->at(rowOfBody(aliceLines, "will go")).id;
    const qint64 reacted = aliceLines->at(rowOfBody(aliceLines, "will get a reaction")).id;

    // Bob is away while alice edits, deletes and reacts: no broadcast reaches him.
    bob->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(bob->connectionState(), ChatSession::ConnectionState::Disconnected,
                              10000);
    QCOMPARE(answerOf([&](auto done) { alice->editMessage("lobby", changed, "changed", done); }),
             QString());
    QCOMPARE(answerOf([&](auto done) { alice->deleteMessage("lobby", gone, done); }), QString());
    QCOMPARE(answerOf([&](auto done) { alice->toggleReaction("lobby", reacted, "🎉", done); }),
             QString());
    QCOMPARE(rowOfBody(bobLines, "will change"), bobLines->rowOfId(changed));

    // The rejoin sends last_change_seq and applies the `changes` of the reply.
    QSignalSpy rejoined(bob.get(), &ChatSession::roomJoined);
    bob->socket()->open();
    QVERIFY(rejoined.wait(10000));
    QTRY_COMPARE_WITH_TIMEOUT(bobLines->at(bobLines->rowOfId(changed)).body,
                              QStringLiteral("changed"), 10000);
    QVERIFY(bobLines->at(bobLines->rowOfId(changed)).editedAt.isValid());
    QVERIFY(bobLines->at(bobLines->rowOfId(gone)).deleted);
    QCOMPARE(bobLines->at(bobLines->rowOfId(reacted)).reactions.size(), 1);
    QCOMPARE(bobLines->at(bobLines->rowOfId(reacted)).reactions.first().first, QStringLiteral("🎉"));
}

void tst_ChatSession::directMessageOpenedWithOpenDm()
{
    TestServer server;
    QVERIFY(startWithAccounts(server));
    const Identity aliceId = registered(server, "Alice");
    const Identity bobId = registered(server, "bob");
    QVERIFY(aliceId.isValid() && bobId.isValid());
    QCOMPARE(aliceId.personalTopic, QStringLiteral("chatter:user:alice"));
    auto alice = signedIn(server, aliceId, "lobby");
    auto bob = signedIn(server, bobId, "lobby");
    QVERIFY(alice && bob);

    std::optional<std::pair<QString, QString>> opened;
    alice->openDirectMessage("BOB", [&](const QString &key, const QString &error) {
        opened = std::pair{key, error};
    });
    QTRY_VERIFY_WITH_TIMEOUT(opened.has_value(), 10000);
    QCOMPARE(opened->second, QString());
    const QString key = opened->first;
    QCOMPARE(key, QStringLiteral("dm:alice:bob"));
    QCOMPARE(alice->currentRoom(), key);
    QCOMPARE(alice->rooms()->kind(key), RoomListModel::Kind::Direct);
    QCOMPARE(alice->titleOf(key), QStringLiteral("bob"));
    QTRY_COMPARE_WITH_TIMEOUT(
        alice->rooms()->index(alice->rooms()->rowOf(key)).data(RoomListModel::StatusRole).toInt(),
        int(RoomListModel::Status::Joined), 10000);

    // Bob is in #lobby: the DM shows up in his list through the personal topic, unread.
    QSignalSpy received(bob.get(), &ChatSession::messageReceived);
    QVERIFY(alice->sendMessage(key, "psst, bob"));
    QTRY_VERIFY_WITH_TIMEOUT(bob->rooms()->rowOf(key) >= 0, 10000);
    QCOMPARE(bob->rooms()->kind(key), RoomListModel::Kind::Direct);
    QCOMPARE(bob->titleOf(key), QStringLiteral("Alice"));
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages(key)), QStringList{"psst, bob"}, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bob->rooms()->unread(key), 1, 10000);
    QVERIFY(!received.isEmpty());
    QCOMPARE(received.first().at(0).toString(), key);
    QCOMPARE(bob->currentRoom(), QStringLiteral("lobby"));
    // Bob's side joined while alice was there: a DM says nothing of it.
    QTRY_COMPARE_WITH_TIMEOUT(alice->members(key)->rowCount(), 2, 10000);
    QCOMPARE(systemLines(alice->messages(key)), QStringList());

    // Refusals are said: oneself, and a nickname that is no account.
    const auto refusal = [&](const QString &user) {
        std::optional<QString> error;
        alice->openDirectMessage(user, [&](const QString &, const QString &why) { error = why; });
        return QTest::qWaitFor([&] { return error.has_value(); }, 10000) ? *error : "timeout";
    };
    QCOMPARE(refusal("alice"), QStringLiteral("forbidden"));
    QCOMPARE(refusal("nobody"), QStringLiteral("no such account"));
}

void tst_ChatSession::readMarkersFollowAcrossDevices()
{
    TestServer server;
    QVERIFY(startWithAccounts(server));
    const Identity aliceId = registered(server, "alice");
    const Identity bobId = registered(server, "bob");
    QVERIFY(aliceId.isValid() && bobId.isValid());
    // Alice on two devices (one session token), both looking at #other, not at #lobby.
    auto phone = signedIn(server, aliceId, "other");
    auto desk = signedIn(server, aliceId, "other");
    auto bob = signedIn(server, bobId, "lobby");
    QVERIFY(phone && desk && bob);
    for (ChatSession *device : {phone.get(), desk.get()}) {
        QSignalSpy joined(device, &ChatSession::roomJoined);
        device->joinRoom("lobby");
        QVERIFY(joined.wait(10000));
        QCOMPARE(device->currentRoom(), QStringLiteral("other"));
    }
    bob->sendMessage("lobby", "one");
    bob->sendMessage("lobby", "two");
    bob->sendMessage("lobby", "three");
    QTRY_COMPARE_WITH_TIMEOUT(phone->rooms()->unread("lobby"), 3, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(desk->rooms()->unread("lobby"), 3, 10000);

    // Reading on the phone moves the stored marker; the desk hears it on the personal topic.
    phone->setCurrentRoom("lobby");
    QCOMPARE(phone->rooms()->unread("lobby"), 0);
    QTRY_COMPARE_WITH_TIMEOUT(desk->rooms()->unread("lobby"), 0, 10000);
    QCOMPARE(desk->room("lobby")->lastReadId(), phone->messages("lobby")->lastId());

    // The phone, looking at #lobby, reads "four" as it comes: the desk hears that too.
    bob->sendMessage("lobby", "four");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(phone->messages("lobby")).size(), 4, 10000);
    QCOMPARE(phone->rooms()->unread("lobby"), 0);
    QTRY_COMPARE_WITH_TIMEOUT(desk->room("lobby")->lastReadId(), phone->messages("lobby")->lastId(),
                              10000);
    QCOMPARE(desk->rooms()->unread("lobby"), 0);

    // Nobody looking (the phone's window scrolled back, say): new messages count on both, and
    // a third device starts from the stored marker, with the join reply's count.
    phone->setAttentive(false);
    bob->sendMessage("lobby", "five");
    bob->sendMessage("lobby", "six");
    QTRY_COMPARE_WITH_TIMEOUT(phone->rooms()->unread("lobby"), 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(desk->rooms()->unread("lobby"), 2, 10000);
    auto laptop = signedIn(server, aliceId, "other");
    QVERIFY(laptop);
    QSignalSpy joined(laptop.get(), &ChatSession::roomJoined);
    laptop->joinRoom("lobby");
    QVERIFY(joined.wait(10000));
    QCOMPARE(laptop->rooms()->unread("lobby"), 2);
}

void tst_ChatSession::mentionOfSomeoneElsewhereIsPushed()
{
    TestServer server;
    QVERIFY(startWithAccounts(server));
    const Identity aliceId = registered(server, "alice");
    const Identity bobId = registered(server, "bob");
    QVERIFY(aliceId.isValid() && bobId.isValid());
    auto alice = signedIn(server, aliceId, "lobby");
    auto bob = signedIn(server, bobId, "dev");
    QVERIFY(alice && bob);
    // Alice is not in #dev; her personal topic still tells her.
    QSignalSpy mentioned(alice.get(), &ChatSession::mentionReceived);
    bob->sendMessage("dev", "@alice can you look at this?");
    QVERIFY(mentioned.wait(10000));
    QCOMPARE(mentioned.first().at(0).toString(), QStringLiteral("dev"));
    const auto message = mentioned.first().at(1).value<ChatMessage>();
    QCOMPARE(message.user, QStringLiteral("bob"));
    QVERIFY(message.mention);
    QVERIFY(message.body.contains("look at this"));
}

void tst_ChatSession::groupsAndPrivateRoomsWithInvitations()
{
    TestServer server;
    QVERIFY(startWithAccounts(server));
    const Identity aliceId = registered(server, "alice");
    const Identity bobId = registered(server, "bob");
    const Identity carolId = registered(server, "carol");
    QVERIFY(aliceId.isValid() && bobId.isValid() && carolId.isValid());
    auto alice = signedIn(server, aliceId, "lobby");
    auto bob = signedIn(server, bobId, "lobby");
    auto carol = signedIn(server, carolId, "lobby");
    QVERIFY(alice && bob && carol);

    // A group: listed for every member, titled by the others, joined at once.
    std::optional<std::pair<QString, QString>> made;
    alice->createGroup({"bob", "carol"}, [&](const QString &key, const QString &error) {
        made = std::pair{key, error};
    });
    QTRY_VERIFY_WITH_TIMEOUT(made.has_value(), 10000);
    QCOMPARE(made->second, QString());
    const QString group = made->first;
    QVERIFY2(group.startsWith("g."), qPrintable(group));
    QCOMPARE(alice->currentRoom(), group);
    QCOMPARE(alice->rooms()->kind(group), RoomListModel::Kind::Group);
    QCOMPARE(alice->titleOf(group), QStringLiteral("bob, carol"));
    QTRY_VERIFY_WITH_TIMEOUT(bob->rooms()->rowOf(group) >= 0, 10000);
    QCOMPARE(bob->rooms()->kind(group), RoomListModel::Kind::Group);
    QCOMPARE(bob->titleOf(group), QStringLiteral("alice, carol"));
    QTRY_VERIFY_WITH_TIMEOUT(bob->room(group) && bob->room(group)->isJoined(), 10000);
    alice->sendMessage(group, "hello group");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(carol->messages(group)), QStringList{"hello group"}, 10000);

    // A private room: others are refused until invited.
    QVERIFY(alice->createPrivateRoom("secret"));
    QTRY_VERIFY_WITH_TIMEOUT(alice->room("secret") && alice->room("secret")->isJoined(), 10000);
    QVERIFY(alice->room("secret")->privateInfo().isPrivate);
    QCOMPARE(alice->rooms()->kind("secret"), RoomListModel::Kind::PrivateRoom);
    QSignalSpy refused(bob.get(), &ChatSession::roomError);
    bob->joinRoom("secret");
    QVERIFY(refused.wait(10000));
    QCOMPARE(refused.first().at(1).toString(), QStringLiteral("forbidden"));
    bob->leaveRoom("secret");

    QCOMPARE(answerOf([&](auto done) { alice->invite("secret", "bob", done); }), QString());
    QTRY_VERIFY_WITH_TIMEOUT(bob->room("secret") && bob->room("secret")->isJoined(), 10000);
    QCOMPARE(bob->rooms()->kind("secret"), RoomListModel::Kind::PrivateRoom);
    // Only the owner invites.
    QCOMPARE(answerOf([&](auto done) { bob->invite("secret", "carol", done); }),
             QStringLiteral("forbidden"));

    // Removed by the owner: gone from bob's list, and he hears why.
    QSignalSpy removed(bob.get(), &ChatSession::removedFromRoom);
    QCOMPARE(answerOf([&](auto done) { alice->room("secret")->removeMember("bob", done); }),
             QString());
    QTRY_COMPARE_WITH_TIMEOUT(removed.size(), 1, 10000);
    QCOMPARE(removed.first().at(0).toString(), QStringLiteral("secret"));
    QTRY_COMPARE_WITH_TIMEOUT(bob->rooms()->rowOf("secret"), -1, 10000);
}

void tst_ChatSession::muteFollowsAcrossDevices()
{
    TestServer server;
    QVERIFY(startWithAccounts(server));
    const Identity aliceId = registered(server, "alice");
    QVERIFY(aliceId.isValid());
    auto phone = signedIn(server, aliceId, "lobby");
    auto desk = signedIn(server, aliceId, "lobby");
    QVERIFY(phone && desk);
    QVERIFY(!desk->isMuted("lobby"));

    QCOMPARE(answerOf([&](auto done) { phone->setMuted("lobby", true, done); }), QString());
    QVERIFY(phone->isMuted("lobby"));
    // The other device hears it on the personal topic, a new one from its join reply.
    QTRY_VERIFY_WITH_TIMEOUT(desk->isMuted("lobby"), 10000);
    auto laptop = signedIn(server, aliceId, "lobby");
    QVERIFY(laptop);
    QVERIFY(laptop->isMuted("lobby"));
    QCOMPARE(answerOf([&](auto done) { desk->setMuted("lobby", false, done); }), QString());
    QTRY_VERIFY_WITH_TIMEOUT(!phone->isMuted("lobby") && !laptop->isMuted("lobby"), 10000);
}

QTEST_GUILESS_MAIN(tst_ChatSession)
#include "tst_chatsession.moc"
