// SPDX-License-Identifier: MIT
#include "adminactions.h"
#include "adminchannel.h"
#include "bans.h"
#include "chatvalidation.h"
#include "nicknamepolicy.h"
#include "roomchannel.h"
#include "sessionfakes.h"
#include "topics.h"

#include <QTest>

using namespace chatter::testing;
using chatter::Message;

namespace {

const QString Admin = QStringLiteral("chatter:admin");
const QString Lobby = QStringLiteral("chatter:room:lobby");

//! AdminActions over the fixture's clients and real (unstored) Bans. A kick's answer waits for
//! finishKicks(), as the engine's comes back from the other workers later.
class FakeAdminActions final : public AdminActions
{
public:
    struct Audited
    {
        QString actor;
        QString action;
        QString target;
        QString detail;
    };

    explicit FakeAdminActions(SessionFixture &fixture) : m_fixture(fixture) {}

    Bans bans;
    QList<Audited> audit;

    void kick(const QString &user, const AdminActor &by,
              std::function<void(int closed)> done) override
    {
        record(by, QStringLiteral("kick"), user, {});
        m_kicks.append([this, user, done] { done(close(user)); });
    }
    QDateTime ban(const QString &user, int minutes, const QString &reason,
                  const AdminActor &by) override
    {
        const QDateTime until =
            minutes ? QDateTime::currentDateTimeUtc().addSecs(minutes * 60) : QDateTime();
        bans.banNickname(user, reason, by.nickname, until);
        record(by, QStringLiteral("ban"), user, reason);
        close(user);
        return until;
    }
    int unban(const QString &user, const AdminActor &by) override
    {
        const int lifted = bans.liftTarget(user);
        if (lifted)
            record(by, QStringLiteral("unban"), user, {});
        return lifted;
    }
    void record(const AdminActor &by, const QString &action, const QString &target,
                const QString &detail) override
    {
        audit.append({by.nickname, action, target, detail});
    }

    void finishKicks()
    {
        for (const auto &finish : std::exchange(m_kicks, {}))
            finish();
    }

private:
    //! What Worker::closeIdentity does, over the fixture's clients.
    int close(const QString &user)
    {
        const QStringList keys = NicknamePolicy::keys(user).keys();
        int closed = 0;
        for (FakeConnection &client : m_fixture.clients) {
            bool shared = false;
            for (const QString &key : NicknamePolicy::keys(client.info().user).keys())
                shared = shared || keys.contains(key);
            if (shared && !client.isClosing()) {
                client.closeWith(1001, QStringLiteral("kicked"));
                ++closed;
            }
        }
        return closed;
    }

    SessionFixture &m_fixture;
    QList<std::function<void()>> m_kicks;
};

struct Fixture : SessionFixture
{
    FakeAdminActions actions{*this};

    Fixture()
    {
        sessions.router.add<RoomChannel>(chatter::topics::RoomPattern);
        sessions.router.add(
            chatter::topics::Admin,
            [this](SocketSession &session, ChannelContext &context, const QString &topic) {
                return std::make_unique<AdminChannel>(session, context, topic, actions);
            });
    }

    //! An admin socket that joined chatter:admin with join_ref "1".
    FakeConnection &admin(const QString &user = QStringLiteral("root"))
    {
        FakeConnection &client = connect(user, "desktop", "admin");
        client.join(Admin, "1");
        const QList<Message> joined = client.take();
        if (joined.size() != 1 || joined.first().payload.toObject().value("status") != "ok")
            qFatal("the admin could not join chatter:admin");
        return client;
    }
};

//! The reply to the push with ref "2" on chatter:admin, as `[status, response]` JSON.
QString replyTo(FakeConnection &client)
{
    const QList<Message> messages = client.take();
    for (const Message &m : messages) {
        if (m.event == "phx_reply" && m.ref == QJsonValue("2"))
            return json(QJsonDocument(m.payload.toObject()).toJson());
    }
    return QStringLiteral("no reply in %1").arg(wires(messages).join(' '));
}

QString reply(const char *status, const QJsonObject &response)
{
    return json(QJsonDocument(QJsonObject{{"status", status}, {"response", response}}).toJson());
}

} // namespace

class tst_AdminChannel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void joinIsForAdminsOnly_data();
    void joinIsForAdminsOnly();
    void kickClosesEverySocketOfTheIdentity();
    void banIsStoredAndClosesTheSockets();
    void banUntilLifted();
    void unbanLiftsOrSaysNotBanned();
    void systemMessageArrivesInTheRoom();
    void badPayloadsGetErrors_data();
    void badPayloadsGetErrors();
};

void tst_AdminChannel::joinIsForAdminsOnly_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("guest") << "guest" << false;
    QTest::newRow("member") << "member" << false;
    QTest::newRow("admin") << "admin" << true;
}

void tst_AdminChannel::joinIsForAdminsOnly()
{
    QFETCH(QString, role);
    QFETCH(bool, accepted);
    Fixture f;
    FakeConnection &client = f.connect("someone", "desktop", role);
    client.join(Admin, "1");
    const QList<Message> messages = client.take();
    QCOMPARE(messages.size(), 1);
    QCOMPARE(wire(messages.first()),
             wire(accepted ? Message::reply("1", "1", Admin, "ok", QJsonObject())
                           : Message::reply("1", "1", Admin, "error",
                                            QJsonObject{{"reason", "forbidden"}})));
}

void tst_AdminChannel::kickClosesEverySocketOfTheIdentity()
{
    Fixture f;
    FakeConnection &admin = f.admin();
    // Two tabs of troll, and two look-alikes (case, a capital I for an l); nice stays.
    FakeConnection &tab1 = f.connect("troll");
    FakeConnection &tab2 = f.connect("troll");
    FakeConnection &upper = f.connect("TROLL");
    FakeConnection &shape = f.connect("troIl");
    FakeConnection &nice = f.connect("nice");
    admin.send("1", "2", Admin, "kick", QJsonObject{{"user", "troll"}});
    // The count comes from every worker: the reply waits for it.
    QVERIFY(admin.take().isEmpty());
    f.actions.finishKicks();
    QCOMPARE(replyTo(admin), reply("ok", QJsonObject{{"closed", 4}}));
    for (FakeConnection *c : {&tab1, &tab2, &upper, &shape})
        QCOMPARE(c->closeCodes, QList<quint16>{1001});
    QVERIFY(nice.closeCodes.isEmpty());
    QVERIFY(admin.closeCodes.isEmpty());
    QCOMPARE(f.actions.audit.size(), 1);
    QCOMPARE(f.actions.audit.first().actor, QString("root"));
    QCOMPARE(f.actions.audit.first().action, QString("kick"));
    QCOMPARE(f.actions.audit.first().target, QString("troll"));
}

void tst_AdminChannel::banIsStoredAndClosesTheSockets()
{
    Fixture f;
    FakeConnection &admin = f.admin();
    FakeConnection &troll = f.connect("troll");
    admin.send("1", "2", Admin, "ban",
               QJsonObject{{"user", "troll"}, {"minutes", 10}, {"reason", "spam"}});
    const QList<Message> messages = admin.take();
    QCOMPARE(messages.size(), 1);
    const QJsonObject payload = messages.first().payload.toObject();
    QCOMPARE(payload.value("status").toString(), QString("ok"));
    const QDateTime until = QDateTime::fromString(
        payload.value("response").toObject().value("until").toString(), Qt::ISODateWithMs);
    QVERIFY(until.isValid());
    QVERIFY(until > QDateTime::currentDateTimeUtc().addSecs(9 * 60));
    QCOMPARE(troll.closeCodes, QList<quint16>{1001});
    const QHostAddress peer(QHostAddress::LocalHost);
    QVERIFY(!f.actions.bans.check("troll", peer));
    QVERIFY(!f.actions.bans.check("TroII", peer)); // a look-alike
    QVERIFY(f.actions.bans.check("nice", peer));
    QCOMPARE(f.actions.bans.active().first().reason, QString("spam"));
    QCOMPARE(f.actions.bans.active().first().createdBy, QString("root"));
    QCOMPARE(f.actions.audit.last().action, QString("ban"));
}

void tst_AdminChannel::banUntilLifted()
{
    Fixture f;
    FakeConnection &admin = f.admin();
    admin.send("1", "2", Admin, "ban", QJsonObject{{"user", "troll"}, {"minutes", 0}});
    QCOMPARE(replyTo(admin), reply("ok", QJsonObject{{"until", QJsonValue()}}));
    QVERIFY(f.actions.bans.active().first().until.isNull());
    QVERIFY(!f.actions.bans.check("troll", QHostAddress(QHostAddress::LocalHost)));
}

void tst_AdminChannel::unbanLiftsOrSaysNotBanned()
{
    Fixture f;
    FakeConnection &admin = f.admin();
    admin.send("1", "2", Admin, "unban", QJsonObject{{"user", "troll"}});
    QCOMPARE(replyTo(admin), reply("error", QJsonObject{{"reason", "not banned"}}));
    admin.send("1", "3", Admin, "ban", QJsonObject{{"user", "troll"}, {"minutes", 5}});
    admin.take();
    // Lifted by a look-alike of the name banned: the same identity.
    admin.send("1", "2", Admin, "unban", QJsonObject{{"user", "TROLL"}});
    QCOMPARE(replyTo(admin), reply("ok", QJsonObject()));
    QVERIFY(f.actions.bans.check("troll", QHostAddress(QHostAddress::LocalHost)));
    QCOMPARE(f.actions.audit.last().action, QString("unban"));
}

void tst_AdminChannel::systemMessageArrivesInTheRoom()
{
    Fixture f;
    FakeConnection &ann = f.connect("ann");
    ann.join(Lobby, "1");
    f.channels.flushAllPresenceDiffs();
    ann.take();
    FakeConnection &admin = f.admin();
    f.channels.flushAllPresenceDiffs();
    ann.take();
    admin.send("1", "2", Admin, "system", QJsonObject{{"room", "lobby"}, {"body", "noon"}});
    // Durable first, as a member's message: the reply and the broadcast follow the commit.
    QVERIFY(admin.take().isEmpty());
    QCOMPARE(f.channels.appends.size(), 1);
    QCOMPARE(f.channels.appends.first().message.user, QString("system"));
    const qint64 id = f.channels.commit();
    QCOMPARE(replyTo(admin), reply("ok", QJsonObject{{"id", id}}));
    const QList<Message> toAnn = ann.take();
    QCOMPARE(toAnn.size(), 1);
    QCOMPARE(toAnn.first().event, QString("new_msg"));
    const QJsonObject message = toAnn.first().payload.toObject();
    QCOMPARE(message.value("user").toString(), QString("system"));
    QCOMPARE(message.value("body").toString(), QString("noon"));
    QCOMPARE(message.value("system").toBool(), true);
    QCOMPARE(f.actions.audit.last().action, QString("system"));
    QCOMPARE(f.actions.audit.last().target, QString("lobby"));
}

void tst_AdminChannel::badPayloadsGetErrors_data()
{
    QTest::addColumn<QString>("event");
    QTest::addColumn<QJsonValue>("payload");
    QTest::addColumn<QString>("reason");
    const QString minutes("minutes must be a whole number from 0 (until lifted) to 527040");
    QTest::newRow("not an object")
        << "kick" << QJsonValue(QJsonArray{1}) << "payload must be an object";
    QTest::newRow("kick without user") << "kick" << QJsonValue(QJsonObject()) << "user is required";
    QTest::newRow("kick number") << "kick" << QJsonValue(QJsonObject{{"user", 5}})
                                 << "user is required";
    QTest::newRow("kick bad nickname")
        << "kick" << QJsonValue(QJsonObject{{"user", "a b"}})
        << chatter::validation::checkNickname(QString("a b")).error();
    QTest::newRow("ban without minutes")
        << "ban" << QJsonValue(QJsonObject{{"user", "troll"}}) << minutes;
    QTest::newRow("ban negative") << "ban"
                                  << QJsonValue(QJsonObject{{"user", "troll"}, {"minutes", -1}})
                                  << minutes;
    QTest::newRow("ban fraction") << "ban"
                                  << QJsonValue(QJsonObject{{"user", "troll"}, {"minutes", 1.5}})
                                  << minutes;
    QTest::newRow("ban text") << "ban"
                              << QJsonValue(QJsonObject{{"user", "troll"}, {"minutes", "5"}})
                              << minutes;
    QTest::newRow("ban too long") << "ban"
                                  << QJsonValue(QJsonObject{{"user", "troll"}, {"minutes", 527041}})
                                  << minutes;
    QTest::newRow("ban reason number")
        << "ban" << QJsonValue(QJsonObject{{"user", "troll"}, {"minutes", 1}, {"reason", 3}})
        << "reason must be a string";
    QTest::newRow("ban reason long")
        << "ban"
        << QJsonValue(QJsonObject{{"user", "troll"}, {"minutes", 1}, {"reason", QString(501, 'x')}})
        << "reason is longer than 500 characters";
    QTest::newRow("unban without user")
        << "unban" << QJsonValue(QJsonObject()) << "user is required";
    QTest::newRow("system without room")
        << "system" << QJsonValue(QJsonObject{{"body", "x"}}) << "room is required";
    QTest::newRow("system bad room")
        << "system" << QJsonValue(QJsonObject{{"room", "no room"}, {"body", "x"}})
        << chatter::validation::checkRoomName("no room").error();
    QTest::newRow("system blank body")
        << "system" << QJsonValue(QJsonObject{{"room", "lobby"}, {"body", "  "}})
        << chatter::validation::checkBody(QJsonValue("  ")).error();
    QTest::newRow("unknown event") << "shout" << QJsonValue(QJsonObject()) << "unknown event";
}

void tst_AdminChannel::badPayloadsGetErrors()
{
    QFETCH(QString, event);
    QFETCH(QJsonValue, payload);
    QFETCH(QString, reason);
    Fixture f;
    FakeConnection &admin = f.admin();
    FakeConnection &troll = f.connect("troll");
    admin.send("1", "2", Admin, event, payload);
    QCOMPARE(replyTo(admin), reply("error", QJsonObject{{"reason", reason}}));
    f.actions.finishKicks();
    QVERIFY(troll.closeCodes.isEmpty());
    QVERIFY(f.actions.bans.active().isEmpty());
    QVERIFY(f.channels.appends.isEmpty());
    QVERIFY(f.actions.audit.isEmpty());
}

QTEST_GUILESS_MAIN(tst_AdminChannel)
#include "tst_adminchannel.moc"
