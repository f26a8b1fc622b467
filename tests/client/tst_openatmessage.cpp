// SPDX-License-Identifier: MIT
// Search and opening a conversation at a message (docs/files-and-search.md) with the client
// library against the real engine over loopback: `search` on the personal and room topics,
// `history {around}`, paging forward with `history {after}` back to the live end, and live
// messages that arrive while the window is elsewhere in history.
#include "accountclient.h"
#include "chatsession.h"
#include "messagemodel.h"
#include "personalchannel.h"
#include "roomsession.h"
#include "search.h"
#include "searchresultsmodel.h"
#include "servertestutil.h"
#include "sessiontestutil.h"

#include <QSignalSpy>
#include <QTest>

using namespace chatter::client;

using namespace sessiontest;

namespace {

qint64 idOf(const MessageModel *model, const QString &body)
{
    for (int row = 0; model && row < model->rowCount(); ++row) {
        if (model->at(row).body == body)
            return model->at(row).id;
    }
    return 0;
}

//! "m<first>" … "m<last>".
QStringList numbered(int first, int last)
{
    QStringList out;
    for (int i = first; i <= last; ++i)
        out << QStringLiteral("m%1").arg(i);
    return out;
}

//! Alice posts m1 … m<count> to `room`; true once her own model holds them all.
bool post(ChatSession *alice, const QString &room, int count)
{
    for (int i = 1; i <= count; ++i)
        alice->sendMessage(room, QStringLiteral("m%1").arg(i));
    return QTest::qWaitFor(
        [&] { return bodies(alice->messages(room)).endsWith(QStringLiteral("m%1").arg(count)); },
        30000);
}

//! Pages forward until the room is back at the live end (bounded).
bool pageToTheEnd(ChatSession *session, const QString &room)
{
    QSignalSpy newer(session, &ChatSession::newerLoaded);
    for (int page = 0; page < 20 && session->isDetached(room); ++page) {
        const qsizetype before = newer.size();
        session->loadNewer(room);
        if (!QTest::qWaitFor([&] { return newer.size() > before; }, 10000))
            return false;
    }
    return !session->isDetached(room);
}

//! The search's result ids in the model's order (groups, then their results).
QList<qint64> resultIds(const SearchResultsModel *model)
{
    QList<qint64> ids;
    for (int group = 0; group < model->rowCount(); ++group) {
        const QModelIndex parent = model->index(group, 0);
        for (int row = 0; row < model->rowCount(parent); ++row)
            ids << model->index(row, 0, parent).data(SearchResultsModel::IdRole).toLongLong();
    }
    return ids;
}

} // namespace

class tst_OpenAtMessage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aHeldMessageIsOnlyRevealed();
    void anOldMessageOpensInItsWindow();
    void liveMessagesWhileDetachedWaitForTheLiveEnd();
    void sendingWhileDetachedReturnsToTheLiveEnd();
    void aRejoinWhileDetachedCatchesUpFromTheLiveEnd();
    void aForeignIdIsRefusedAndTheRoomStaysLive();
    void openingBeforeTheJoinWaitsForIt();
    void searchEverywhereGroupsByConversation();
    void searchPagesWithTheCursor();
    void aGuestSearchesTheConversation();
};

void tst_OpenAtMessage::aHeldMessageIsOnlyRevealed()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    QVERIFY(post(alice.get(), "lobby", 20));
    RoomSession *room = alice->room("lobby");
    const qint64 id = idOf(room->messages(), "m5");
    QSignalSpy opened(room, &RoomSession::openedAt);
    QSignalSpy reset(room->messages(), &QAbstractItemModel::modelReset);
    room->openAt(id);
    // At once, without a request: the message is in the model already.
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.first().first().toLongLong(), id);
    QCOMPARE(reset.size(), 0);
    QVERIFY(!room->isDetached());
    QCOMPARE(bodies(room->messages()), numbered(1, 20));
}

void tst_OpenAtMessage::anOldMessageOpensInItsWindow()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    QVERIFY(post(alice.get(), "lobby", 200));
    const qint64 target = idOf(alice->messages("lobby"), "m40");
    QVERIFY(target > 0);

    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(bob);
    QCOMPARE(bodies(bob->messages("lobby")), numbered(151, 200));
    QSignalSpy opened(bob.get(), &ChatSession::openedAt);
    QSignalSpy detached(bob.get(), &ChatSession::detachedChanged);
    bob->openAtMessage("lobby", target);
    QVERIFY(opened.wait(10000));
    QCOMPARE(opened.first().at(1).toLongLong(), target);
    // The window: 25 before m40, m40 and 24 after it (the message counts towards the 50), and
    // nothing of the live end.
    QCOMPARE(bodies(bob->messages("lobby")), numbered(15, 64));
    QVERIFY(bob->isDetached("lobby"));
    QCOMPARE(detached.size(), 1);
    QVERIFY(detached.first().at(1).toBool());
    QVERIFY(bob->hasOlder("lobby"));
    QVERIFY(bob->messages("lobby")->rowOfId(target) >= 0);

    // Older pages still come before the window.
    QSignalSpy older(bob.get(), &ChatSession::olderLoaded);
    bob->loadOlder("lobby");
    QVERIFY(older.wait(10000));
    QCOMPARE(bodies(bob->messages("lobby")), numbered(1, 64));

    // Newer pages, until the window reaches the live end.
    QVERIFY(pageToTheEnd(bob.get(), "lobby"));
    QCOMPARE(bodies(bob->messages("lobby")), numbered(1, 200));
    QCOMPARE(detached.size(), 2);
    QVERIFY(!detached.last().at(1).toBool());

    // Back at the live end, a new message goes to the bottom as ever.
    alice->sendMessage("lobby", "after");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")).last(), QStringLiteral("after"),
                              10000);
}

void tst_OpenAtMessage::liveMessagesWhileDetachedWaitForTheLiveEnd()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    QVERIFY(post(alice.get(), "lobby", 120));
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(bob);
    bob->setAttentive(false);
    QSignalSpy opened(bob.get(), &ChatSession::openedAt);
    bob->openAtMessage("lobby", idOf(alice->messages("lobby"), "m30"));
    QVERIFY(opened.wait(10000));
    QVERIFY(bob->isDetached("lobby"));
    const QStringList window = bodies(bob->messages("lobby"));
    QCOMPARE(window, numbered(5, 54));

    // Live messages while detached: announced and counted, but not put into the window.
    QSignalSpy received(bob.get(), &ChatSession::messageReceived);
    const int unreadBefore = bob->room("lobby")->unreadCount();
    alice->sendMessage("lobby", "live one");
    alice->sendMessage("lobby", "live two");
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 10000);
    QCOMPARE(received.at(0).at(1).value<ChatMessage>().body, QStringLiteral("live one"));
    QCOMPARE(bob->room("lobby")->unreadCount(), unreadBefore + 2);
    // An edit of a held message while away from the live end reaches it too.
    QTRY_VERIFY_WITH_TIMEOUT(idOf(alice->messages("lobby"), "live two") > 0, 10000);
    QString editError = QStringLiteral("pending");
    alice->editMessage("lobby", idOf(alice->messages("lobby"), "live two"), "live two, edited",
                       [&](bool ok, const QString &why) { editError = ok ? QString() : why; });
    QTRY_COMPARE_WITH_TIMEOUT(editError, QString(), 10000);
    QTest::qWait(200);
    QCOMPARE(bodies(bob->messages("lobby")), window);

    // Paging forward: every message once, in order, the live ones last as they are now.
    QVERIFY(pageToTheEnd(bob.get(), "lobby"));
    QCOMPARE(bodies(bob->messages("lobby")), numbered(5, 120) << "live one"
                                                              << "live two, edited");
    QCOMPARE(received.size(), 2);
}

void tst_OpenAtMessage::sendingWhileDetachedReturnsToTheLiveEnd()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    QVERIFY(post(alice.get(), "lobby", 150));
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(bob);
    QSignalSpy opened(bob.get(), &ChatSession::openedAt);
    bob->openAtMessage("lobby", idOf(alice->messages("lobby"), "m20"));
    QVERIFY(opened.wait(10000));
    QVERIFY(bob->isDetached("lobby"));
    bob->sendMessage("lobby", "from bob");
    QTRY_VERIFY_WITH_TIMEOUT(!bob->isDetached("lobby"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")), numbered(101, 150) << "from bob",
                              10000);
}

void tst_OpenAtMessage::aRejoinWhileDetachedCatchesUpFromTheLiveEnd()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    QVERIFY(post(alice.get(), "lobby", 120));
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(bob);
    QSignalSpy opened(bob.get(), &ChatSession::openedAt);
    bob->openAtMessage("lobby", idOf(alice->messages("lobby"), "m10"));
    QVERIFY(opened.wait(10000));
    const QStringList window = bodies(bob->messages("lobby"));
    QCOMPARE(window, numbered(1, 34));

    // The server restarts; bob's rejoin must ask for what came after the live end he had
    // (m120), not after his window (m34): nothing old is news, nothing new is lost.
    QSignalSpy received(bob.get(), &ChatSession::messageReceived);
    QSignalSpy bobRejoined(bob.get(), &ChatSession::roomJoined);
    QSignalSpy aliceRejoined(alice.get(), &ChatSession::roomJoined);
    QVERIFY(server.restart());
    QVERIFY(aliceRejoined.wait(10000));
    alice->sendMessage("lobby", "while bob was away");
    QTRY_VERIFY_WITH_TIMEOUT(!bobRejoined.isEmpty(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 10000);
    QCOMPARE(received.first().at(1).value<ChatMessage>().body,
             QStringLiteral("while bob was away"));
    QVERIFY(bob->isDetached("lobby"));
    QCOMPARE(bodies(bob->messages("lobby")), window);

    QVERIFY(pageToTheEnd(bob.get(), "lobby"));
    QCOMPARE(bodies(bob->messages("lobby")), numbered(1, 120) << "while bob was away");
    QCOMPARE(received.size(), 1);
}

void tst_OpenAtMessage::aForeignIdIsRefusedAndTheRoomStaysLive()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "elsewhere");
    QVERIFY(alice);
    QVERIFY(post(alice.get(), "elsewhere", 3));
    QVERIFY(alice->joinRoom("lobby"));
    QTRY_VERIFY_WITH_TIMEOUT(alice->room("lobby")->isJoined(), 10000);
    alice->sendMessage("lobby", "here");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")), QStringList{"here"}, 10000);
    QSignalSpy failed(alice.get(), &ChatSession::openFailed);
    // An id of another conversation is no message of this one.
    alice->room("lobby")->openAt(idOf(alice->messages("elsewhere"), "m2"));
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.first().at(2).toString(), QStringLiteral("no such message"));
    QVERIFY(!alice->isDetached("lobby"));
    alice->sendMessage("lobby", "still live");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")), (QStringList{"here", "still live"}),
                              10000);
}

void tst_OpenAtMessage::openingBeforeTheJoinWaitsForIt()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "archive");
    QVERIFY(alice);
    QVERIFY(post(alice.get(), "archive", 90));
    const qint64 target = idOf(alice->messages("archive"), "m3");
    auto bob = joinedSession(server, "bob", "lobby");
    QVERIFY(bob);
    QSignalSpy opened(bob.get(), &ChatSession::openedAt);
    // Not joined yet: the result's conversation is joined, made current and opened there.
    bob->openAtMessage("archive", target);
    QCOMPARE(bob->currentRoom(), QStringLiteral("archive"));
    QVERIFY(opened.wait(10000));
    QCOMPARE(opened.first().at(0).toString(), QStringLiteral("archive"));
    QCOMPARE(bodies(bob->messages("archive")), numbered(1, 27));
    QVERIFY(bob->isDetached("archive"));
    QVERIFY(!bob->hasOlder("archive"));
}

void tst_OpenAtMessage::searchEverywhereGroupsByConversation()
{
    TestServer server;
    server.config().minimumPasswordCost = true;
    QVERIFY(server.start());
    const Identity aliceId = registered(server, "alice");
    QVERIFY(aliceId.isValid());
    auto alice = signedIn(server, aliceId, "general");
    QVERIFY(alice);
    QVERIFY(alice->joinRoom("ops"));
    QTRY_VERIFY_WITH_TIMEOUT(alice->room("ops") && alice->room("ops")->isJoined(), 10000);
    alice->sendMessage("general", "the deploy log from friday");
    alice->sendMessage("general", "lunch at noon");
    alice->sendMessage("ops", "deploy finished without errors");
    alice->sendMessage("general", "who broke the deploy");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("general")).size(), 3, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("ops")).size(), 1, 10000);

    Search *search = alice->search();
    QVERIFY(search->canSearchEverywhere());
    QSignalSpy loaded(search, &Search::pageLoaded);
    QSignalSpy failed(search, &Search::failed);
    QVERIFY(search->start("deploy", Search::Scope::Everywhere, "general"));
    QVERIFY(loaded.wait(10000));
    QCOMPARE(failed.size(), 0);
    const SearchResultsModel *results = search->results();
    QCOMPARE(results->resultCount(), 3);
    QCOMPARE(results->groupCount(), 2);
    QStringList rooms;
    for (int row = 0; row < results->rowCount(); ++row)
        rooms << results->index(row, 0).data(SearchResultsModel::RoomRole).toString();
    rooms.sort();
    QCOMPARE(rooms, (QStringList{"general", "ops"}));
    // Every highlight is the word searched for, wherever it sits in the snippet.
    for (int group = 0; group < results->rowCount(); ++group) {
        const QModelIndex parent = results->index(group, 0);
        for (int row = 0; row < results->rowCount(parent); ++row) {
            const SearchResult *result = results->resultAt(results->index(row, 0, parent));
            QVERIFY(!result->highlights.isEmpty());
            for (const auto &[start, length] : result->highlights)
                QCOMPARE(result->snippet.mid(start, length).toLower(), QStringLiteral("deploy"));
        }
    }
    QVERIFY(!search->canFetchMore());

    // "this conversation" only.
    QVERIFY(search->start("deploy", Search::Scope::Conversation, "ops"));
    QVERIFY(loaded.wait(10000));
    QCOMPARE(results->resultCount(), 1);
    QCOMPARE(results->index(0, 0).data(SearchResultsModel::RoomRole).toString(),
             QStringLiteral("ops"));

    // The server's refusals come through.
    QVERIFY(search->start(QString(301, QLatin1Char('x')), Search::Scope::Everywhere));
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.first().first().toString(), QStringLiteral("query too long"));
}

void tst_OpenAtMessage::searchPagesWithTheCursor()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    for (int i = 1; i <= Search::PageSize + 5; ++i)
        alice->sendMessage("lobby", QStringLiteral("needle number %1").arg(i));
    alice->sendMessage("lobby", "haystack");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")).size(), Search::PageSize + 6, 20000);
    Search *search = alice->search();
    QSignalSpy loaded(search, &Search::pageLoaded);
    QVERIFY(search->start("needle", Search::Scope::Conversation, "lobby"));
    QVERIFY(loaded.wait(10000));
    QCOMPARE(loaded.last().first().toInt(), Search::PageSize);
    QVERIFY(search->canFetchMore());
    search->fetchMore();
    QVERIFY(loaded.wait(10000));
    QCOMPARE(loaded.last().first().toInt(), 5);
    const QList<qint64> ids = resultIds(search->results());
    QCOMPARE(ids.size(), Search::PageSize + 5);
    QCOMPARE(QSet<qint64>(ids.cbegin(), ids.cend()).size(), ids.size());
    QVERIFY(!search->canFetchMore());
    QCOMPARE(search->results()->groupCount(), 1);
}

void tst_OpenAtMessage::aGuestSearchesTheConversation()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, "alice", "lobby");
    QVERIFY(alice);
    alice->sendMessage("lobby", "guests can search too");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(alice->messages("lobby")).size(), 1, 10000);
    Search *search = alice->search();
    // No personal topic: "everywhere" is the conversation given.
    QVERIFY(!search->canSearchEverywhere());
    QSignalSpy loaded(search, &Search::pageLoaded);
    QVERIFY(search->start("search", Search::Scope::Everywhere, "lobby"));
    QVERIFY(loaded.wait(10000));
    QCOMPARE(search->results()->resultCount(), 1);
    const SearchResult *result =
        search->results()->resultAt(search->results()->index(0, 0, search->results()->index(0, 0)));
    QCOMPARE(result->room, QStringLiteral("lobby"));
    QCOMPARE(result->user, QStringLiteral("alice"));
    QCOMPARE(result->id, idOf(alice->messages("lobby"), "guests can search too"));
}

QTEST_GUILESS_MAIN(tst_OpenAtMessage)
#include "tst_openatmessage.moc"
