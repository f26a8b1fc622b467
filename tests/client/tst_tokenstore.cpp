// SPDX-License-Identifier: MIT
// Where session tokens are kept: the settings file, and the system keychain through QtKeychain
// against a real Secret Service (gnome-keyring-daemon on a private D-Bus, started by
// with-secret-service.sh). CMake runs each function as its own test, in its own environment:
// `keychain` inside the Secret Service wrapper, `fallsBackWithoutKeychain` with no D-Bus.
#include "tokenstore.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <optional>

using namespace chatter::client;

namespace {

const QString Server = QStringLiteral("127.0.0.1:4000");
const QString Token = QStringLiteral("kq3V0b7yV1YtDq1pZc4yS7Qm2a9d8Hc6uJx5wLr0fEo");

std::unique_ptr<TokenStore> chosenStore()
{
    std::unique_ptr<TokenStore> chosen;
    bool done = false;
    QObject context;
    TokenStore::choose(
        [&](std::unique_ptr<TokenStore> store) {
            chosen = std::move(store);
            done = true;
        },
        &context);
    // A D-Bus call that times out takes 25 s; the test's own limit is longer.
    if (!QTest::qWaitFor([&] { return done; }, 60000))
        return nullptr;
    return chosen;
}

std::optional<QString> loaded(TokenStore &store, const QString &server)
{
    std::optional<QString> out;
    store.load(server, [&](const QString &token) { out = token; });
    (void)QTest::qWaitFor([&] { return out.has_value(); }, 30000);
    return out;
}

bool finished(const std::function<void(TokenStore::Done)> &call, QString *error = nullptr)
{
    std::optional<bool> out;
    call([&](bool ok, const QString &why) {
        out = ok;
        if (error)
            *error = why;
    });
    (void)QTest::qWaitFor([&] { return out.has_value(); }, 30000);
    return out.value_or(false);
}

QByteArray settingsFileBytes()
{
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class tst_TokenStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void settingsFile();
    void keychain();
    void fallsBackWithoutKeychain();
};

void tst_TokenStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_tokenstore"));
    QSettings().clear();
}

void tst_TokenStore::settingsFile()
{
    SettingsTokenStore store;
    QCOMPARE(store.kind(), TokenStore::Kind::SettingsFile);
    QVERIFY2(store.where().contains(QSettings().fileName()), qPrintable(store.where()));
    QCOMPARE(loaded(store, Server), QString());
    QVERIFY(finished([&](TokenStore::Done d) { store.save(Server, Token, d); }));
    QCOMPARE(loaded(store, Server), Token);
    // One token per server.
    QCOMPARE(loaded(store, QStringLiteral("other:4000")), QString());
    QVERIFY(settingsFileBytes().contains(Token.toUtf8()));
    // A fresh store (the next start of the client) finds it.
    SettingsTokenStore again;
    QCOMPARE(loaded(again, Server), Token);
    QVERIFY(finished([&](TokenStore::Done d) { store.remove(Server, d); }));
    QCOMPARE(loaded(again, Server), QString());
    QVERIFY(!settingsFileBytes().contains(Token.toUtf8()));
}

void tst_TokenStore::keychain()
{
    const auto store = chosenStore();
    QVERIFY(store);
    QCOMPARE(store->kind(), TokenStore::Kind::Keychain);
    QVERIFY2(store->where().contains(QStringLiteral("keychain")), qPrintable(store->where()));
    QCOMPARE(loaded(*store, Server), QString());
    QString error;
    QVERIFY2(finished([&](TokenStore::Done d) { store->save(Server, Token, d); }, &error),
             qPrintable(error));
    QCOMPARE(loaded(*store, Server), Token);
    QCOMPARE(loaded(*store, QStringLiteral("other:4000")), QString());
    // Nothing of it in the settings file.
    QVERIFY(!settingsFileBytes().contains(Token.toUtf8()));
    KeychainTokenStore again;
    QCOMPARE(loaded(again, Server), Token);
    QVERIFY2(finished([&](TokenStore::Done d) { store->remove(Server, d); }, &error),
             qPrintable(error));
    QCOMPARE(loaded(again, Server), QString());
    // Removing what is not there is no failure (sign out twice, say).
    QVERIFY(finished([&](TokenStore::Done d) { store->remove(Server, d); }));
}

void tst_TokenStore::fallsBackWithoutKeychain()
{
    const auto store = chosenStore();
    QVERIFY(store);
    QCOMPARE(store->kind(), TokenStore::Kind::SettingsFile);
    QVERIFY(finished([&](TokenStore::Done d) { store->save(Server, Token, d); }));
    QCOMPARE(loaded(*store, Server), Token);
    QVERIFY(finished([&](TokenStore::Done d) { store->remove(Server, d); }));
}

QTEST_GUILESS_MAIN(tst_TokenStore)
#include "tst_tokenstore.moc"
