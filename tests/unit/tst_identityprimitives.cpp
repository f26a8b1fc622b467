// SPDX-License-Identifier: MIT
// The building blocks of identity: look-alike nicknames (ICU), password hashes (libsodium
// Argon2id) and session tokens.
#include "nicknamepolicy.h"
#include "passwords.h"
#include "sessiontokens.h"

#include <QSet>
#include <QTest>

#include <atomic>
#include <latch>
#include <QTest>
#include <thread>
#include <vector>

using namespace chatter::server;

class tst_IdentityPrimitives : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void examinedOnManyThreadsAtOnce(); // first: the reserved names' first use
    void sameIdentity_data();
    void sameIdentity();
    void refused_data();
    void refused();
    void displayIsNfkc();
    void passwordHashes();
    void passwordRules_data();
    void passwordRules();
    void sessionTokens();
};

static bool shareKey(const NicknamePolicy::Verdict &a, const NicknamePolicy::Verdict &b)
{
    for (const QString &key : a.keys()) {
        if (b.keys().contains(key))
            return true;
    }
    return false;
}

void tst_IdentityPrimitives::sameIdentity_data()
{
    QTest::addColumn<QString>("registered");
    QTest::addColumn<QString>("other");
    QTest::addColumn<bool>("same");
    QTest::newRow("itself") << "alice"
                            << "alice" << true;
    QTest::newRow("case") << "alice"
                          << "ALICE" << true;
    QTest::newRow("capital I for l") << "alice"
                                     << "aIice" << true;
    QTest::newRow("fullwidth a") << "alice" << QStringLiteral("\uff41lice") << true;
    QTest::newRow("all-Cyrillic look-alike")
        << "ace" << QStringLiteral("\u0430\u0441\u0435") << true;
    QTest::newRow("rn for m") << "mike"
                              << "rnike" << true;
    QTest::newRow("digit 0 for o") << "bob"
                                   << "b0b" << true;
    QTest::newRow("different") << "alice"
                               << "alicia" << false;
    QTest::newRow("umlaut is not plain") << QStringLiteral("j\u00fcrgen") << "jurgen" << false;
}

void tst_IdentityPrimitives::sameIdentity()
{
    QFETCH(QString, registered);
    QFETCH(QString, other);
    QFETCH(bool, same);
    const auto first = NicknamePolicy::examine(registered);
    QVERIFY2(first, qPrintable(first ? QString() : first.error()));
    // The other may itself be refused (mixed scripts); its keys still find the registered one.
    QCOMPARE(shareKey(*first, NicknamePolicy::keys(other)), same);
}

void tst_IdentityPrimitives::refused_data()
{
    QTest::addColumn<QString>("nickname");
    QTest::addColumn<QString>("reason");
    QTest::newRow("Cyrillic s in system") << QStringLiteral("\u0455ystem") << "mixes scripts";
    QTest::newRow("Cyrillic a in alice") << QStringLiteral("\u0430lice") << "mixes scripts";
    QTest::newRow("system") << "system"
                            << "reserved";
    QTest::newRow("SYSTEM") << "SYSTEM"
                            << "reserved";
    QTest::newRow("admin") << "admin"
                           << "reserved";
    QTest::newRow("Admin") << "Admin"
                           << "reserved";
    QTest::newRow("adrnin") << "adrnin"
                            << "reserved";
    QTest::newRow("fullwidth admin") << QStringLiteral("\uff41dmin") << "reserved";
    QTest::newRow("space") << "a b"
                           << "invalid";
    QTest::newRow("empty") << ""
                           << "missing";
    QTest::newRow("too long") << QString(40, QLatin1Char('x')) << "too long";
}

void tst_IdentityPrimitives::refused()
{
    QFETCH(QString, nickname);
    QFETCH(QString, reason);
    const auto verdict = NicknamePolicy::examine(nickname);
    QVERIFY(!verdict);
    QVERIFY2(verdict.error().contains(reason), qPrintable(verdict.error()));
}

void tst_IdentityPrimitives::displayIsNfkc()
{
    const auto verdict = NicknamePolicy::examine(QStringLiteral("\uff21lice"));
    QVERIFY(verdict);
    QCOMPARE(verdict->display, QStringLiteral("Alice"));
    const auto greek = NicknamePolicy::examine(QStringLiteral("\u03b1\u03b8\u03b7\u03bd\u03ac"));
    QVERIFY2(greek, "a single-script non-Latin nickname is fine");
}

void tst_IdentityPrimitives::passwordHashes()
{
    const auto hash = passwords::hash(QStringLiteral("correct horse"), passwords::minimumCost());
    QVERIFY(hash);
    QVERIFY2(hash->startsWith("$argon2id$"), hash->constData());
    QVERIFY(!hash->contains("correct horse"));
    QVERIFY(passwords::verify(*hash, QStringLiteral("correct horse")));
    QVERIFY(!passwords::verify(*hash, QStringLiteral("correct horsf")));
    QVERIFY(!passwords::verify(QByteArray("$argon2id$garbage"), QStringLiteral("correct horse")));
    QVERIFY(!passwords::verify(QByteArray(), QString()));
    // Salted: the same password hashes differently each time.
    const auto again = passwords::hash(QStringLiteral("correct horse"), passwords::minimumCost());
    QVERIFY(again && *again != *hash);
}

void tst_IdentityPrimitives::passwordRules_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("7") << 7 << false;
    QTest::newRow("8") << 8 << true;
    QTest::newRow("256") << 256 << true;
    QTest::newRow("257") << 257 << false;
}

void tst_IdentityPrimitives::passwordRules()
{
    QFETCH(int, length);
    QFETCH(bool, accepted);
    QCOMPARE(bool(passwords::checkNew(QString(length, QLatin1Char('p')))), accepted);
}

void tst_IdentityPrimitives::sessionTokens()
{
    QSet<QString> seen;
    for (int i = 0; i < 100; ++i) {
        const sessiontokens::Token token = sessiontokens::generate();
        QCOMPARE(token.text.size(), 43); // 256 bits in base64url without padding
        QVERIFY(!seen.contains(token.text));
        seen.insert(token.text);
        QCOMPARE(token.hash.size(), 32);
        QCOMPARE(token.hash, sessiontokens::hashOf(token.text));
        QVERIFY(!token.hash.contains(token.text.toLatin1()));
    }
}

// Every worker examines nicknames at connect: the policy's shared data (the reserved names) must
// stay read-only. utf16() on the shared QStringLiterals wrote to them on their first use, and
// two workers' first connects freed one's copy under the other's read (ASan, in the JS suite).
// The window is the first use in a process only, so this starts the threads together at it; the
// ASan stage runs it (TSan cannot see the write: it is inside Debian's uninstrumented Qt).
void tst_IdentityPrimitives::examinedOnManyThreadsAtOnce()
{
    std::atomic<int> refused{0};
    std::latch start(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&refused, &start, t] {
            start.arrive_and_wait();
            for (int i = 0; i < 200; ++i) {
                const auto verdict = NicknamePolicy::examine(
                    i % 2 ? QStringLiteral("admin") : QStringLiteral("ann%1").arg(t));
                if (!verdict)
                    ++refused;
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(refused.load(), 4 * 100); // "admin" is reserved, the others are free
}

QTEST_GUILESS_MAIN(tst_IdentityPrimitives)
#include "tst_identityprimitives.moc"
