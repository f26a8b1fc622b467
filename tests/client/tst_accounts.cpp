// SPDX-License-Identifier: MIT
// The desktop client's identity against the real engine over loopback: the account API
// client, a ChatSession that connects with a session token, a revoked token reported as such,
// presence roles and the admin channel.
#include "accounttestutil.h"
#include "adminchannel.h"
#include "chatsession.h"
#include "membermodel.h"
#include "messagemodel.h"
#include "phoenixchannel.h"
#include "phoenixsocket.h"
#include "servertestutil.h"
#include "sessiontestutil.h"

#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace chatter::client;
using sessiontest::bodies;

namespace {

const QString Password = QStringLiteral("correct horse battery");

QString authorOf(const MessageModel *model, const QString &body)
{
    for (int row = 0; model && row < model->rowCount(); ++row) {
        if (model->at(row).body == body)
            return model->at(row).user;
    }
    return {};
}

//! A session connected with `identity` (or as the bare guest `nick`) with `room` joined.
std::unique_ptr<ChatSession> joined(const TestServer &server, const Identity &identity,
                                    const QString &room, const QString &nick = {})
{
    auto session = std::make_unique<ChatSession>(fastOptions());
    QSignalSpy joinedSpy(session.get(), &ChatSession::roomJoined);
    if (identity.isValid())
        session->connectToServer(server.address(), identity);
    else
        session->connectToServer(server.address(), nick);
    session->joinRoom(room);
    if (!joinedSpy.wait(10000))
        return nullptr;
    return session;
}

QString roleIn(const MemberModel *members, const QString &nick)
{
    for (int row = 0; members && row < members->rowCount(); ++row) {
        const QModelIndex index = members->index(row);
        if (index.data(MemberModel::NickRole).toString() == nick)
            return index.data(MemberModel::AccountRole).toString();
    }
    return QStringLiteral("<absent>");
}

} // namespace

class tst_Accounts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void baseUrl_data();
    void baseUrl();
    void bearerSubprotocolIsPhoenixJs();
    void registerSignInAndWrongPassword();
    void guestSession();
    void signOutRevokesTheToken();
    void changePasswordRevokesOtherSessions();
    void tooManyFailuresSayWhenToRetry();
    void sessionSpeaksAsItsNickname();
    void httpsWithAPinnedCertificate();
    void revokedTokenIsReported();
    void expiredTokenAtConnectIsReported();
    void presenceCarriesRoles();
    void adminChannelKicksBansAndPosts();
    void nonAdminHasNoAdminChannel();
};

void tst_Accounts::initTestCase()
{
    // Certificate pins live in QSettings: a test's own, never the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_accounts"));
    QSettings().clear();
}

void tst_Accounts::baseUrl_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("url");
    QTest::newRow("host:port") << "localhost:4000"
                               << "http://localhost:4000";
    QTest::newRow("host only") << "chat.lan"
                               << "http://chat.lan:4000";
    QTest::newRow("wss") << "wss://chat.lan:4443/socket"
                         << "https://chat.lan:4443";
    QTest::newRow("https") << "https://chat.lan"
                           << "https://chat.lan:4000";
}

void tst_Accounts::baseUrl()
{
    QFETCH(QString, server);
    QFETCH(QString, url);
    QCOMPARE(AccountClient::baseUrlFor(server).toString(), url);
}

void tst_Accounts::bearerSubprotocolIsPhoenixJs()
{
    // phoenix.js: "base64url.bearer.phx." + the token in base64 without padding; base64url
    // here so the entry is a valid HTTP token (no '/', '+' or '=').
    const QString token = QStringLiteral("a-b_c?>");
    const QString entry = PhoenixSocket::bearerSubprotocol(token);
    QVERIFY(entry.startsWith(QStringLiteral("base64url.bearer.phx.")));
    const QByteArray encoded = entry.mid(21).toLatin1();
    QVERIFY(!encoded.contains('=') && !encoded.contains('/') && !encoded.contains('+'));
    QCOMPARE(QString::fromUtf8(QByteArray::fromBase64(encoded, QByteArray::Base64UrlEncoding)),
             token);
}

void tst_Accounts::registerSignInAndWrongPassword()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());

    const auto made =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    QCOMPARE(made.status, 201);
    QCOMPARE(made.identity.user, QStringLiteral("alice"));
    QCOMPARE(made.identity.role, QStringLiteral("member"));
    QCOMPARE(made.identity.token.size(), 43);

    const auto again =
        waitFor([&](auto done) { accounts.registerAccount("ALICE", Password, done); });
    QCOMPARE(again.status, 409);
    QVERIFY2(again.describe().contains(QStringLiteral("taken")), qPrintable(again.describe()));

    const auto tooShort =
        waitFor([&](auto done) { accounts.registerAccount("bob", "short", done); });
    QCOMPARE(tooShort.status, 400);
    QVERIFY(!tooShort.describe().isEmpty());

    const auto signedIn = waitFor([&](auto done) { accounts.signIn("alice", Password, done); });
    QCOMPARE(signedIn.status, 200);
    QCOMPARE(signedIn.identity.user, QStringLiteral("alice"));
    QVERIFY(!signedIn.identity.token.isEmpty());
    QVERIFY(signedIn.identity.token != made.identity.token);

    const auto wrong =
        waitFor([&](auto done) { accounts.signIn("alice", "not the password", done); });
    QCOMPARE(wrong.status, 401);
    QVERIFY(wrong.identity.token.isEmpty());
    QVERIFY(!wrong.describe().isEmpty());

    const auto who = waitFor([&](auto done) { accounts.whoAmI(signedIn.identity.token, done); });
    QCOMPARE(who.status, 200);
    QCOMPARE(who.identity.user, QStringLiteral("alice"));
    QCOMPARE(who.identity.kind, QStringLiteral("account"));
}

void tst_Accounts::guestSession()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    QCOMPARE(waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); }).status,
             201);
    const auto guest = waitFor([&](auto done) { accounts.enterAsGuest("visitor", done); });
    QCOMPARE(guest.status, 201);
    QCOMPARE(guest.identity.role, QStringLiteral("guest"));
    QVERIFY(guest.identity.isGuest());
    const auto who = waitFor([&](auto done) { accounts.whoAmI(guest.identity.token, done); });
    QCOMPARE(who.identity.kind, QStringLiteral("guest"));
    // A registered nickname is nobody's guest name.
    const auto taken = waitFor([&](auto done) { accounts.enterAsGuest("alice", done); });
    QCOMPARE(taken.status, 409);
}

void tst_Accounts::signOutRevokesTheToken()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    const auto made =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    QCOMPARE(made.status, 201);
    const QString token = made.identity.token;
    QCOMPARE(waitFor([&](auto done) { accounts.whoAmI(token, done); }).status, 200);
    QCOMPARE(waitFor([&](auto done) { accounts.signOut(token, done); }).status, 200);
    QCOMPARE(waitFor([&](auto done) { accounts.whoAmI(token, done); }).status, 401);
    QCOMPARE(waitFor([&](auto done) { accounts.signOut(token, done); }).status, 401);
}

void tst_Accounts::changePasswordRevokesOtherSessions()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    const QString here = waitFor([&](auto done) {
                             accounts.registerAccount("alice", Password, done);
                         }).identity.token;
    const QString elsewhere =
        waitFor([&](auto done) { accounts.signIn("alice", Password, done); }).identity.token;
    QVERIFY(!here.isEmpty() && !elsewhere.isEmpty());

    const auto wrongOld = waitFor(
        [&](auto done) { accounts.changePassword(here, "not it at all", "new password!", done); });
    QCOMPARE(wrongOld.status, 401);
    const auto changed =
        waitFor([&](auto done) { accounts.changePassword(here, Password, "new password!", done); });
    QCOMPARE(changed.status, 200);
    QCOMPARE(waitFor([&](auto done) { accounts.whoAmI(here, done); }).status, 200);
    QCOMPARE(waitFor([&](auto done) { accounts.whoAmI(elsewhere, done); }).status, 401);
    QCOMPARE(waitFor([&](auto done) { accounts.signIn("alice", Password, done); }).status, 401);
    QCOMPARE(waitFor([&](auto done) { accounts.signIn("alice", "new password!", done); }).status,
             200);
}

void tst_Accounts::tooManyFailuresSayWhenToRetry()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    QCOMPARE(waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); }).status,
             201);
    // Five tries per address, then one per 30 s (docs/identity.md); bounded at 12.
    AccountResult last;
    for (int i = 0; i < 12 && last.status != 429; ++i)
        last = waitFor([&](auto done) { accounts.signIn("alice", "wrong password", done); });
    QCOMPARE(last.status, 429);
    QVERIFY(last.retryAfterSeconds > 0);
    QVERIFY2(last.describe().contains(QString::number(last.retryAfterSeconds)),
             qPrintable(last.describe()));
}

void tst_Accounts::sessionSpeaksAsItsNickname()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    const auto made =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    QCOMPARE(made.status, 201);

    auto alice = joined(server, made.identity, "lobby");
    QVERIFY2(alice, "the session's socket did not connect and join");
    QCOMPARE(alice->nickname(), QStringLiteral("alice"));
    QCOMPARE(alice->socket()->authToken(), made.identity.token);
    auto bob = joined(server, {}, "lobby", "bob");
    QVERIFY(bob);
    alice->sendMessage("signed in");
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->messages("lobby")), QStringList{"signed in"}, 10000);
    QCOMPARE(authorOf(bob->messages("lobby"), "signed in"), QStringLiteral("alice"));

    // Without the token the same nickname is refused: it is registered.
    ChatSession impostor(fastOptions());
    QSignalSpy scheduled(&impostor, &ChatSession::reconnectScheduled);
    impostor.connectToServer(server.address(), QStringLiteral("alice"));
    QVERIFY(scheduled.wait(10000));
    QVERIFY(impostor.connectionState() != ChatSession::ConnectionState::Connected);
    QCOMPARE(impostor.socket()->lastRefusalStatus(), 403);
}

void tst_Accounts::httpsWithAPinnedCertificate()
{
    TestServer server;
    server.setTlsSelfSigned(true);
    QVERIFY(server.start());
    const QString hostPort = QStringLiteral("127.0.0.1:%1").arg(server.port());
    const QString address = QStringLiteral("https://") + hostPort;
    CertificatePins pins;
    AccountClient accounts;
    accounts.setCertificatePins(&pins);
    accounts.setServer(address);
    QCOMPARE(accounts.baseUrl().scheme(), QStringLiteral("https"));

    // Not verified, not pinned: refused, with the certificate for the user to judge.
    const auto refused =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    QVERIFY(refused.untrustedCertificate);
    QCOMPARE(refused.status, 0);
    QCOMPARE(refused.certificate.hostPort, hostPort);
    QCOMPARE(refused.certificate.fingerprint, server.engine()->tlsFingerprint());

    // Pinned: the API and then the socket (with the token) go through.
    pins.pin(hostPort, refused.certificate.fingerprint);
    const auto made =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    QCOMPARE(made.status, 201);
    ChatSession alice(fastOptions());
    QSignalSpy joinedSpy(&alice, &ChatSession::roomJoined);
    alice.connectToServer(address, made.identity);
    alice.joinRoom("tls");
    QVERIFY(joinedSpy.wait(10000));
    QCOMPARE(alice.nickname(), QStringLiteral("alice"));
    pins.forget(hostPort);
}

void tst_Accounts::revokedTokenIsReported()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    const auto made =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    QCOMPARE(made.status, 201);
    auto alice = joined(server, made.identity, "lobby");
    QVERIFY(alice);
    QSignalSpy expired(alice.get(), &ChatSession::sessionExpired);

    // Signed out elsewhere (another device, the same token): the server closes the socket and
    // refuses the token from now on.
    QCOMPARE(waitFor([&](auto done) { accounts.signOut(made.identity.token, done); }).status, 200);
    QVERIFY(expired.wait(15000));
    QVERIFY(!expired.first().first().toString().isEmpty());
    QCOMPARE(alice->connectionState(), ChatSession::ConnectionState::Disconnected);
    QCOMPARE(alice->reconnectRemainingMs(), -1);
    QVERIFY(alice->identity().token.isEmpty());
}

void tst_Accounts::expiredTokenAtConnectIsReported()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    const auto made =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    QCOMPARE(made.status, 201);
    QCOMPARE(waitFor([&](auto done) { accounts.signOut(made.identity.token, done); }).status, 200);

    ChatSession alice(fastOptions());
    QSignalSpy expired(&alice, &ChatSession::sessionExpired);
    alice.connectToServer(server.address(), made.identity);
    QVERIFY(expired.wait(15000));
    QCOMPARE(alice.connectionState(), ChatSession::ConnectionState::Disconnected);
    QCOMPARE(alice.reconnectRemainingMs(), -1);
}

void tst_Accounts::presenceCarriesRoles()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    const auto member =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    const auto guest = waitFor([&](auto done) { accounts.enterAsGuest("visitor", done); });
    QCOMPARE(member.status, 201);
    QCOMPARE(guest.status, 201);
    auto alice = joined(server, member.identity, "lobby");
    auto visitor = joined(server, guest.identity, "lobby");
    QVERIFY(alice && visitor);
    const MemberModel *members = alice->members("lobby");
    QTRY_COMPARE_WITH_TIMEOUT(roleIn(members, "visitor"), QStringLiteral("guest"), 10000);
    QCOMPARE(roleIn(members, "alice"), QStringLiteral("member"));
}

void tst_Accounts::adminChannelKicksBansAndPosts()
{
    TestServer server;
    QVERIFY(addAccountWithCli(server.dataDir(), "root", Password, true));
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    const auto admin = waitFor([&](auto done) { accounts.signIn("root", Password, done); });
    QCOMPARE(admin.status, 200);
    QCOMPARE(admin.identity.role, QStringLiteral("admin"));
    auto root = joined(server, admin.identity, "lobby");
    QVERIFY(root);
    QVERIFY(root->admin());
    QTRY_VERIFY_WITH_TIMEOUT(root->admin()->isJoined(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(roleIn(root->members("lobby"), "root"), QStringLiteral("admin"),
                              10000);

    const auto bobMade =
        waitFor([&](auto done) { accounts.registerAccount("bob", Password, done); });
    auto bob = joined(server, bobMade.identity, "lobby");
    QVERIFY(bob);

    auto adminCall = [](const std::function<void(AdminChannel::Done)> &call) {
        std::optional<AdminReply> out;
        call([&out](const AdminReply &reply) { out = reply; });
        (void)QTest::qWaitFor([&out] { return out.has_value(); }, 15000);
        return out.value_or(AdminReply{false, {}, QStringLiteral("no reply")});
    };

    // System message: everyone in the room sees it.
    const auto posted = adminCall(
        [&](auto done) { root->admin()->postSystemMessage("lobby", "maintenance at six", done); });
    QVERIFY2(posted.ok, qPrintable(posted.error));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const MessageModel *m = bob->messages("lobby");
            for (int row = 0; m && row < m->rowCount(); ++row) {
                if (m->at(row).body == QLatin1String("maintenance at six"))
                    return true;
            }
            return false;
        }(),
        10000);

    // Kick: bob's socket is closed (it reconnects; a kick is no ban).
    QSignalSpy bobState(bob.get(), &ChatSession::connectionStateChanged);
    const auto kicked = adminCall([&](auto done) { root->admin()->kick("bob", done); });
    QVERIFY2(kicked.ok, qPrintable(kicked.error));
    QVERIFY(kicked.response.value("closed").toInt() >= 1);
    QTRY_VERIFY_WITH_TIMEOUT(!bobState.isEmpty(), 10000);

    // Ban: bob cannot sign in; unban lifts it; unbanning again says so.
    const auto banned =
        adminCall([&](auto done) { root->admin()->ban("bob", 10, "spamming", done); });
    QVERIFY2(banned.ok, qPrintable(banned.error));
    QCOMPARE(waitFor([&](auto done) { accounts.signIn("bob", Password, done); }).status, 403);
    const auto lifted = adminCall([&](auto done) { root->admin()->unban("bob", done); });
    QVERIFY2(lifted.ok, qPrintable(lifted.error));
    QCOMPARE(waitFor([&](auto done) { accounts.signIn("bob", Password, done); }).status, 200);
    const auto notBanned = adminCall([&](auto done) { root->admin()->unban("bob", done); });
    QVERIFY(!notBanned.ok);
    QCOMPARE(notBanned.error, QStringLiteral("not banned"));
}

void tst_Accounts::nonAdminHasNoAdminChannel()
{
    TestServer server;
    QVERIFY(server.start());
    AccountClient accounts;
    accounts.setServer(server.address());
    const auto made =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    auto alice = joined(server, made.identity, "lobby");
    QVERIFY(alice);
    QVERIFY(!alice->admin());
    // And the server refuses it anyway: a member's own attempt at the topic.
    PhoenixChannel *attempt = alice->socket()->channel(QStringLiteral("chatter:admin"));
    QSignalSpy refused(attempt, &PhoenixChannel::joinRefused);
    attempt->join();
    QVERIFY(refused.wait(10000));
    QCOMPARE(refused.first().first().toJsonObject().value("reason").toString(),
             QStringLiteral("forbidden"));
}

QTEST_GUILESS_MAIN(tst_Accounts)
#include "tst_accounts.moc"
