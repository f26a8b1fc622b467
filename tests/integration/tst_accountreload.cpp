// SPDX-License-Identifier: MIT
#include "accountdirectory.h"
#include "engine.h"
#include "nicknamepolicy.h"
#include "sessiontokens.h"
#include "testclient.h"
#include "testengineconfig.h"

#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace chatter::server;

//! The command line changes accounts from another process while the server runs
//! (docs/identity.md): here another database connection plays that process. Its commits must
//! take effect without a restart, and sockets of sessions it removes must close.
class tst_AccountReload : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void changesFromAnotherConnectionTakeEffect();
};

void tst_AccountReload::changesFromAnotherConnectionTakeEffect()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    const QStringList keys = NicknamePolicy::keys(QStringLiteral("dora")).keys();
    QVERIFY(!engine.accounts().accountByKeys(keys));

    QSqlDatabase cli = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("cli"));
    cli.setDatabaseName(engine.databasePath());
    QVERIFY(cli.open());
    QSqlQuery(cli).exec(QStringLiteral("PRAGMA busy_timeout=5000"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    AccountDirectory::Account dora;
    dora.display = QStringLiteral("dora");
    dora.role = QStringLiteral("admin");
    dora.keys = keys;
    dora.passwordHash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA";
    const sessiontokens::Token token = sessiontokens::generate();
    QVERIFY(cli.transaction());
    const auto id = AccountDirectory::insertAccount(cli, dora, now);
    QVERIFY(id);
    AccountDirectory::Session session;
    session.hash = token.hash;
    session.kind = QStringLiteral("account");
    session.accountId = *id;
    session.display = dora.display;
    session.keys = keys;
    session.createdAt = session.lastUsed = session.lastWritten = now;
    QVERIFY(AccountDirectory::insertSession(cli, session));
    QVERIFY(cli.commit());

    // Seen within the store thread's look at PRAGMA data_version (every 2 s).
    QTRY_VERIFY_WITH_TIMEOUT(engine.accounts().accountByKeys(keys).has_value(), 8000);
    TestClient owner;
    QVERIFY(
        owner.openUrl(QUrl(QStringLiteral("ws://127.0.0.1:%1/socket/websocket?vsn=2.0.0&session=%2")
                               .arg(engine.port())
                               .arg(token.text))));
    QVERIFY(!owner.join(QStringLiteral("chatter:room:reload")).isEmpty());

    // Revoked there (account removed): the socket closes, the session is refused.
    QVERIFY(AccountDirectory::deleteSessionsOf(cli, *id, {}));
    QVERIFY(owner.waitClosed(8000));
    QCOMPARE(owner.closeCode(), 1008);
    QVERIFY(!engine.accounts().session(token.hash, QDateTime::currentDateTimeUtc()));
    cli.close();
    engine.stop();
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(
        QStringLiteral("chatter.*.info=false\nchatter.*.warning=false"));
    tst_AccountReload test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_accountreload.moc"
