// SPDX-License-Identifier: MIT
#include "accountdirectory.h"
#include "connectinfo.h"
#include "nicknamepolicy.h"
#include "schema.h"
#include "sessiontokens.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace chatter::server;

//! AccountDirectory: who holds a nickname (accounts, guest sessions and their hold, bare
//! guests per address), expiry, coalesced last-use writes, and the round trip through SQLite.
class tst_AccountDirectory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void holder_data();
    void holder();
    void bareGuestsAreCountedOutOnClose();
    void guestHoldRunsFromTheLastClose();
    void accountSessionsExpire();
    void lastUseIsWrittenAtMostOncePerInterval();
    void storedAndLoadedAgain();
};

namespace {

const QDateTime Now = QDateTime(QDate(2026, 1, 10), QTime(12, 0), Qt::UTC);
const QHostAddress Here(QStringLiteral("10.0.0.1"));
const QHostAddress There(QStringLiteral("10.0.0.2"));

QStringList keysOf(const QString &nickname)
{
    return NicknamePolicy::keys(nickname).keys();
}

AccountDirectory::Session guestSession(const QByteArray &hash, const QString &nickname,
                                       const QDateTime &created)
{
    AccountDirectory::Session s;
    s.hash = hash;
    s.kind = QStringLiteral("guest");
    s.display = nickname;
    s.keys = keysOf(nickname);
    s.createdAt = s.lastUsed = s.lastWritten = created;
    return s;
}

ConnectInfo socketOf(const QString &nickname, const QHostAddress &from,
                     const QByteArray &session = {})
{
    ConnectInfo info;
    info.user = nickname;
    info.setKeys(keysOf(nickname));
    info.peerAddress = from;
    info.sessionHash = session;
    return info;
}

//! alice registered; gus a guest session; bea a bare guest connected from Here.
void populate(AccountDirectory &directory)
{
    AccountDirectory::Account alice;
    alice.id = 1;
    alice.display = QStringLiteral("alice");
    alice.role = QStringLiteral("member");
    alice.keys = keysOf(alice.display);
    directory.putAccount(alice);
    directory.putSession(guestSession("gus-session", QStringLiteral("gus"), Now.addSecs(-30)));
    QVERIFY(directory.attach(socketOf(QStringLiteral("bea"), Here), Now));
}

} // namespace

void tst_AccountDirectory::holder_data()
{
    QTest::addColumn<QString>("nickname");
    QTest::addColumn<QByteArray>("session");
    QTest::addColumn<QHostAddress>("from");
    QTest::addColumn<int>("holder");
    using H = AccountDirectory::Holder;
    QTest::newRow("free") << "carl" << QByteArray() << There << int(H::Nobody);
    QTest::newRow("registered") << "alice" << QByteArray() << There << int(H::Account);
    QTest::newRow("registered, by case") << "ALICE" << QByteArray() << There << int(H::Account);
    QTest::newRow("registered, by shape") << "aIice" << QByteArray() << There << int(H::Account);
    QTest::newRow("registered, fullwidth")
        << QString::fromUtf8("ａlice") << QByteArray() << There << int(H::Account);
    QTest::newRow("guest session") << "gus" << QByteArray() << Here << int(H::GuestSession);
    QTest::newRow("guest session, its own")
        << "gus" << QByteArray("gus-session") << Here << int(H::Nobody);
    QTest::newRow("bare guest, another address")
        << "bea" << QByteArray() << There << int(H::BareGuest);
    QTest::newRow("bare guest, same address") << "bea" << QByteArray() << Here << int(H::Nobody);
    QTest::newRow("bare guest, same address as mapped IPv6")
        << "bea" << QByteArray() << QHostAddress(QStringLiteral("::ffff:10.0.0.1"))
        << int(H::Nobody);
    QTest::newRow("bare guest, an IPv6 address")
        << "bea" << QByteArray() << QHostAddress(QStringLiteral("fd00::10.0.0.1"))
        << int(H::BareGuest);
    QTest::newRow("bare guest, any address (registration)")
        << "BEA" << QByteArray() << QHostAddress() << int(H::BareGuest);
}

void tst_AccountDirectory::holder()
{
    QFETCH(QString, nickname);
    QFETCH(QByteArray, session);
    QFETCH(QHostAddress, from);
    QFETCH(int, holder);
    AccountDirectory directory(30, 10);
    populate(directory);
    QCOMPARE(int(directory.holder(keysOf(nickname), session, from, Now)), holder);
}

void tst_AccountDirectory::bareGuestsAreCountedOutOnClose()
{
    AccountDirectory directory(30, 10);
    const ConnectInfo first = socketOf(QStringLiteral("bea"), Here);
    const ConnectInfo tab = socketOf(QStringLiteral("bea"), Here);
    QVERIFY(directory.attach(first, Now));
    QVERIFY(directory.attach(tab, Now));
    // Counting is final: another address that passed the handshake meanwhile is turned away.
    QVERIFY(!directory.attach(socketOf(QStringLiteral("Bea"), There), Now));
    directory.detach(first, Now);
    QCOMPARE(directory.holder(keysOf(QStringLiteral("bea")), {}, There, Now),
             AccountDirectory::Holder::BareGuest);
    directory.detach(tab, Now);
    QCOMPARE(directory.holder(keysOf(QStringLiteral("bea")), {}, There, Now),
             AccountDirectory::Holder::Nobody);
    QVERIFY(directory.attach(socketOf(QStringLiteral("bea"), There), Now));
}

void tst_AccountDirectory::guestHoldRunsFromTheLastClose()
{
    AccountDirectory directory(30, 10);
    directory.putSession(guestSession("g", QStringLiteral("gus"), Now));
    const QStringList keys = keysOf(QStringLiteral("gus"));
    const ConnectInfo socket = socketOf(QStringLiteral("gus"), Here, "g");
    QVERIFY(directory.attach(socket, Now));
    // Connected for an hour: held throughout.
    const QDateTime closed = Now.addSecs(3600);
    QCOMPARE(directory.holder(keys, {}, There, closed), AccountDirectory::Holder::GuestSession);
    directory.detach(socket, closed);
    QCOMPARE(directory.holder(keys, {}, There, closed.addSecs(9 * 60)),
             AccountDirectory::Holder::GuestSession);
    QVERIFY(directory.session("g", closed.addSecs(9 * 60)));
    QCOMPARE(directory.holder(keys, {}, There, closed.addSecs(10 * 60)),
             AccountDirectory::Holder::Nobody);
    QVERIFY(!directory.session("g", closed.addSecs(10 * 60)));
    QCOMPARE(directory.expired(closed.addSecs(10 * 60)), QList<QByteArray>{"g"});
}

void tst_AccountDirectory::accountSessionsExpire()
{
    AccountDirectory directory(30, 10);
    AccountDirectory::Session s;
    s.hash = "a";
    s.kind = QStringLiteral("account");
    s.accountId = 1;
    s.createdAt = s.lastUsed = s.lastWritten = Now;
    directory.putSession(s);
    QVERIFY(directory.session("a", Now.addDays(29)));
    QVERIFY(!directory.session("a", Now.addDays(30)));
    QCOMPARE(directory.expired(Now.addDays(30)), QList<QByteArray>{"a"});
    // Use pushes it back.
    const ConnectInfo socket = socketOf(QStringLiteral("alice"), Here, "a");
    QVERIFY(directory.attach(socket, Now.addDays(29)));
    directory.detach(socket, Now.addDays(29));
    QVERIFY(directory.session("a", Now.addDays(58)));
    QVERIFY(directory.expired(Now.addDays(58)).isEmpty());
}

void tst_AccountDirectory::lastUseIsWrittenAtMostOncePerInterval()
{
    AccountDirectory directory(30, 10);
    AccountDirectory::Session s;
    s.hash = "a";
    s.kind = QStringLiteral("account");
    s.accountId = 1;
    s.createdAt = s.lastUsed = s.lastWritten = Now;
    directory.putSession(s);
    const ConnectInfo socket = socketOf(QStringLiteral("alice"), Here, "a");
    // Many connects within the minute: nothing to write yet.
    for (int i = 1; i <= 50; ++i) {
        QVERIFY(directory.attach(socket, Now.addSecs(i)));
        directory.detach(socket, Now.addSecs(i));
    }
    QVERIFY(directory.takeDueTouches(Now.addSecs(59), 60).isEmpty());
    const auto due = directory.takeDueTouches(Now.addSecs(60), 60);
    QCOMPARE(due.size(), 1);
    QCOMPARE(due.first().second, Now.addSecs(50));
    QVERIFY(directory.takeDueTouches(Now.addSecs(61), 60).isEmpty());
}

void tst_AccountDirectory::storedAndLoadedAgain()
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("t"));
    db.setDatabaseName(QStringLiteral(":memory:"));
    QVERIFY(db.open());
    QVERIFY(schema::migrate(db));
    AccountDirectory::Account alice;
    alice.display = QStringLiteral("alice");
    alice.role = QStringLiteral("admin");
    alice.keys = keysOf(alice.display);
    alice.passwordHash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA";
    const auto id = AccountDirectory::insertAccount(db, alice, Now);
    QVERIFY(id);
    // A second account with a look-alike key is refused by the table itself.
    AccountDirectory::Account copy = alice;
    copy.display = QStringLiteral("ALICE");
    QVERIFY(!AccountDirectory::insertAccount(db, copy, Now));
    const sessiontokens::Token token = sessiontokens::generate();
    AccountDirectory::Session s;
    s.hash = token.hash;
    s.kind = QStringLiteral("account");
    s.accountId = *id;
    s.display = alice.display;
    s.keys = alice.keys;
    s.createdAt = s.lastUsed = s.lastWritten = Now;
    QVERIFY(AccountDirectory::insertSession(db, s));

    AccountDirectory directory(30, 10);
    const auto gone = directory.load(db);
    QVERIFY(gone);
    QVERIFY(gone->isEmpty());
    const auto loaded = directory.accountByKeys(keysOf(QStringLiteral("aIice")));
    QVERIFY(loaded);
    QCOMPARE(loaded->role, QStringLiteral("admin"));
    QCOMPARE(loaded->passwordHash, alice.passwordHash);
    const auto session = directory.session(sessiontokens::hashOf(token.text), Now.addDays(1));
    QVERIFY(session);
    QCOMPARE(session->accountId, *id);

    // Removed by another process (the command line): the reload says which sessions are gone.
    QVERIFY(AccountDirectory::deleteSessionsOf(db, *id, {}));
    const auto after = directory.load(db);
    QVERIFY(after);
    QCOMPARE(*after, QList<QByteArray>{token.hash});
    QVERIFY(!directory.session(token.hash, Now));
}

QTEST_GUILESS_MAIN(tst_AccountDirectory)
#include "tst_accountdirectory.moc"
