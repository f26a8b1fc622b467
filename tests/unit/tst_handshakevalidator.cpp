// SPDX-License-Identifier: MIT
#include "handshakevalidator.h"
#include "nicknamepolicy.h"
#include "sessiontokens.h"

#include <QTest>

using namespace chatter::server;

class tst_HandshakeValidator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decisions_data();
    void decisions();
    void acceptedInfo();
    void authTokenDecoding_data();
    void authTokenDecoding();
    void identity_data();
    void identity();
};

static QByteArray request(const QByteArray &method, const QByteArray &query,
                          const QByteArray &extra = {}, bool upgrade = true)
{
    QByteArray r = method + " /socket/websocket?" + query + " HTTP/1.1\r\nHost: chat.lan:4000\r\n";
    if (upgrade)
        r += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
             "dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n";
    return r + extra + "\r\n";
}

void tst_HandshakeValidator::decisions_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("status");
    QTest::newRow("ok v2") << request("GET", "vsn=2.0.0&user=ann") << "" << 101;
    QTest::newRow("ok v1 implied") << request("GET", "user=ann") << "" << 101;
    QTest::newRow("post") << request("POST", "vsn=2.0.0&user=ann") << "" << 400;
    QTest::newRow("vsn 3") << request("GET", "vsn=3.0.0&user=ann") << "" << 403;
    QTest::newRow("vsn abc") << request("GET", "vsn=abc&user=ann") << "" << 403;
    QTest::newRow("no user") << request("GET", "vsn=2.0.0") << "" << 403;
    QTest::newRow("bad user") << request("GET", "vsn=2.0.0&user=a%20b") << "" << 403;
    QTest::newRow("nested user") << request("GET", "vsn=2.0.0&user[id]=5") << "" << 403;
    QTest::newRow("evil origin") << request("GET", "vsn=2.0.0&user=a",
                                            "Origin: https://evil.example\r\n")
                                 << "" << 403;
    QTest::newRow("own origin") << request("GET", "vsn=2.0.0&user=a",
                                           "Origin: http://chat.lan:4000\r\n")
                                << "" << 101;
    QTest::newRow("unknown subprotocol")
        << request("GET", "vsn=2.0.0&user=a", "Sec-WebSocket-Protocol: mqtt\r\n") << "" << 403;
    QTest::newRow("phoenix subprotocol")
        << request("GET", "vsn=2.0.0&user=a", "Sec-WebSocket-Protocol: phoenix\r\n") << "" << 101;
    QTest::newRow("no upgrade") << request("GET", "vsn=2.0.0&user=a", {}, false) << "" << 400;
    QTest::newRow("ws version 8")
        << QByteArray(
               "GET /socket/websocket?user=a HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: k\r\nSec-WebSocket-Version: 8\r\n\r\n")
        << "" << 400;
    QTest::newRow("token missing") << request("GET", "vsn=2.0.0&user=a") << "s3cret" << 403;
    QTest::newRow("token wrong") << request("GET", "vsn=2.0.0&user=a&token=nope") << "s3cret"
                                 << 403;
    QTest::newRow("token in query")
        << request("GET", "vsn=2.0.0&user=a&token=s3cret") << "s3cret" << 101;
    QTest::newRow("token prefix only")
        << request("GET", "vsn=2.0.0&user=a&token=s3c") << "s3cret" << 403;
    QTest::newRow("token longer") << request("GET", "vsn=2.0.0&user=a&token=s3cret2") << "s3cret"
                                  << 403;
    QTest::newRow("right token after a wrong one")
        << request("GET", "vsn=2.0.0&user=a&token=nope&token=s3cret") << "s3cret" << 101;
    QTest::newRow("unknown client kind")
        << request("GET", "vsn=2.0.0&user=a&client=evil") << "" << 403;
    QTest::newRow("client kind web") << request("GET", "vsn=2.0.0&user=a&client=web") << "" << 101;
    QTest::newRow("token as authToken")
        << request("GET", "vsn=2.0.0&user=a",
                   "Sec-WebSocket-Protocol: phoenix, base64url.bearer.phx.czNjcmV0\r\n")
        << "s3cret" << 101;
    QTest::newRow("access_token param")
        << request("GET", "vsn=2.0.0&user=a&access_token=s3cret") << "s3cret" << 101;
    QTest::newRow("access_token param wrong")
        << request("GET", "vsn=2.0.0&user=a&access_token=s3cre") << "s3cret" << 403;
}

void tst_HandshakeValidator::decisions()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, token);
    QFETCH(int, status);
    ServerConfig config;
    config.accessToken = token;
    RequestHead head;
    QCOMPARE(RequestHead::parse(raw, &head), RequestHead::Status::Complete);
    const auto decision = HandshakeValidator(config).validate(head);
    QCOMPARE(decision.status, status);
    QCOMPARE(decision.logReason.isEmpty(), status == 101);
}

void tst_HandshakeValidator::acceptedInfo()
{
    RequestHead head;
    RequestHead::parse(request("GET", "&vsn=2.0.0&user=ann&client=desktop&meta[id]=5",
                               "Sec-WebSocket-Protocol: phoenix, base64url.bearer.phx.dG9rZW4\r\n"),
                       &head);
    // The params and the auth token are kept only for the diagnostics channel, which echoes
    // them; every other server forgets them after the handshake.
    const auto plain = HandshakeValidator(ServerConfig()).validate(head);
    QCOMPARE(plain.status, 101);
    QCOMPARE(plain.info.clientKind, QStringLiteral("desktop"));
    QVERIFY(plain.info.params.isEmpty());
    QVERIFY(plain.info.authToken.isNull());

    ServerConfig diagnostics;
    diagnostics.diagnostics = true;
    const auto decision = HandshakeValidator(diagnostics).validate(head);
    QCOMPARE(decision.status, 101);
    QCOMPARE(decision.info.user, QStringLiteral("ann"));
    QCOMPARE(decision.info.clientKind, QStringLiteral("desktop"));
    QCOMPARE(decision.info.authToken, QStringLiteral("token"));
    QCOMPARE(decision.info.socketId(), QStringLiteral("user_socket:ann"));
    QVERIFY(decision.info.phoenixSubprotocol);
    QCOMPARE(int(decision.info.serializer->version()), 2);
    QCOMPARE(decision.info.params.value(QLatin1String("meta"))
                 .toObject()
                 .value(QLatin1String("id"))
                 .toString(),
             QStringLiteral("5"));
}

void tst_HandshakeValidator::authTokenDecoding_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("token");
    QTest::newRow("padded-free standard")
        << QByteArray("phoenix, base64url.bearer.phx.dG9rZW4") << "token";
    QTest::newRow("standard alphabet") << QByteArray("phoenix, base64url.bearer.phx.Pz8_") << "???";
    QTest::newRow("url-safe alphabet") << QByteArray("phoenix,base64url.bearer.phx.Pz8/") << "???";
    QTest::newRow("none") << QByteArray("phoenix") << QString();
    QTest::newRow("two bearers") << QByteArray("base64url.bearer.phx.YQ, base64url.bearer.phx.Yg")
                                 << QString();
}

void tst_HandshakeValidator::authTokenDecoding()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, token);
    QCOMPARE(HandshakeValidator::authTokenFromSubprotocols(header, nullptr), token);
}

namespace {

QStringList keysOf(const QString &nickname)
{
    return NicknamePolicy::keys(nickname).keys();
}

} // namespace

void tst_HandshakeValidator::identity_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("authToken"); //!< a name from identity(), or a literal
    QTest::addColumn<QString>("peer");
    QTest::addColumn<bool>("accountsRequired");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("role");
    const QString here = QStringLiteral("10.0.0.1");
    const QString there = QStringLiteral("10.0.0.2");
    QTest::newRow("session param") << "session=@alice"
                                   << "" << there << false << 101 << "alice"
                                   << "admin";
    QTest::newRow("authToken") << ""
                               << "@alice" << there << false << 101 << "alice"
                               << "admin";
    QTest::newRow("session, user repeats it by case") << "user=ALICE&session=@alice"
                                                      << "" << there << false << 101 << "alice"
                                                      << "admin";
    QTest::newRow("session, user names another") << "user=bob&session=@alice"
                                                 << "" << there << false << 403 << ""
                                                 << "";
    QTest::newRow("authToken, user names another") << "user=bob"
                                                   << "@alice" << there << false << 403 << ""
                                                   << "";
    QTest::newRow("unknown token") << "user=carl&session=nope"
                                   << "" << there << false << 403 << ""
                                   << "";
    QTest::newRow("expired session") << "session=@old"
                                     << "" << there << false << 403 << ""
                                     << "";
    QTest::newRow("guest session") << "session=@gus"
                                   << "" << there << false << 101 << "gus"
                                   << "guest";
    QTest::newRow("bare, registered") << "user=alice"
                                      << "" << there << false << 403 << ""
                                      << "";
    QTest::newRow("bare, look-alike by shape") << "user=aIice"
                                               << "" << there << false << 403 << ""
                                               << "";
    QTest::newRow("bare, fullwidth") << "user=%EF%BD%81lice"
                                     << "" << there << false << 403 << ""
                                     << "";
    QTest::newRow("bare, mixed scripts") << "user=%D1%95ystem"
                                         << "" << there << false << 403 << ""
                                         << "";
    QTest::newRow("bare, reserved") << "user=system"
                                    << "" << there << false << 403 << ""
                                    << "";
    QTest::newRow("bare, held by a guest session") << "user=GUS"
                                                   << "" << here << false << 403 << ""
                                                   << "";
    QTest::newRow("bare, held from another address") << "user=bea"
                                                     << "" << there << false << 403 << ""
                                                     << "";
    QTest::newRow("bare, held from this address") << "user=bea"
                                                  << "" << here << false << 101 << "bea"
                                                  << "guest";
    QTest::newRow("bare, free") << "user=carl"
                                << "" << there << false << 101 << "carl"
                                << "guest";
    QTest::newRow("required: bare") << "user=carl"
                                    << "" << there << true << 403 << ""
                                    << "";
    QTest::newRow("required: guest session") << "session=@gus"
                                             << "" << there << true << 403 << ""
                                             << "";
    QTest::newRow("required: account") << "session=@alice"
                                       << "" << there << true << 101 << "alice"
                                       << "admin";
}

void tst_HandshakeValidator::identity()
{
    QFETCH(QString, query);
    QFETCH(QString, authToken);
    QFETCH(QString, peer);
    QFETCH(bool, accountsRequired);
    QFETCH(int, status);
    QFETCH(QString, user);
    QFETCH(QString, role);

    // alice: an admin account with a session; old: her session unused for 31 days; gus: a
    // guest session; bea: a bare guest connected from 10.0.0.1.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    AccountDirectory directory(30, 10);
    AccountDirectory::Account alice;
    alice.id = 7;
    alice.display = QStringLiteral("alice");
    alice.role = QStringLiteral("admin");
    alice.keys = keysOf(alice.display);
    directory.putAccount(alice);
    QHash<QString, QString> tokens;
    auto addSession = [&](const QString &name, const QString &kind, qint64 account,
                          const QString &display, const QDateTime &used) {
        const sessiontokens::Token token = sessiontokens::generate();
        AccountDirectory::Session s;
        s.hash = token.hash;
        s.kind = kind;
        s.accountId = account;
        s.display = display;
        s.keys = keysOf(display);
        s.createdAt = s.lastUsed = s.lastWritten = used;
        directory.putSession(s);
        tokens.insert(QLatin1Char('@') + name, token.text);
    };
    addSession(QStringLiteral("alice"), QStringLiteral("account"), 7, alice.display, now);
    addSession(QStringLiteral("old"), QStringLiteral("account"), 7, alice.display,
               now.addDays(-31));
    addSession(QStringLiteral("gus"), QStringLiteral("guest"), 0, QStringLiteral("gus"), now);
    ConnectInfo bea;
    bea.user = QStringLiteral("bea");
    bea.setKeys(keysOf(bea.user));
    bea.peerAddress = QHostAddress(QStringLiteral("10.0.0.1"));
    QVERIFY(directory.attach(bea, now));

    for (auto it = tokens.cbegin(); it != tokens.cend(); ++it) {
        query.replace(it.key(), it.value());
        authToken.replace(it.key(), it.value());
    }
    ServerConfig config;
    config.accountsRequired = accountsRequired;
    const HandshakeValidator validator(config, nullptr, nullptr, &directory);
    const auto decision = validator.validateConnect(QStringLiteral("vsn=2.0.0&") + query, {}, {},
                                                    authToken, QHostAddress(peer));
    QVERIFY2(decision.status == status, qPrintable(decision.logReason));
    if (status != 101)
        return;
    QCOMPARE(decision.info.user, user);
    QCOMPARE(decision.info.role, role);
    QCOMPARE(decision.info.socketId(), QStringLiteral("user_socket:") + user);
    QCOMPARE(decision.info.keys(), keysOf(user));
    QCOMPARE(decision.info.sessionHash.isEmpty(),
             !query.contains(QLatin1String("session=")) && authToken.isEmpty());
    QCOMPARE(decision.info.accountId, role == QLatin1String("guest") ? 0 : 7);
}

QTEST_GUILESS_MAIN(tst_HandshakeValidator)
#include "tst_handshakevalidator.moc"
