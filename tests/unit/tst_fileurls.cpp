// SPDX-License-Identifier: MIT
// Signed file URLs (docs/files-and-search.md): what is signed, what a changed byte does, when a
// URL expires, and the key file.
#include "fileurls.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

#include <sys/stat.h>

using chatter::server::FileUrlSigner;
using Variant = FileUrlSigner::Variant;
using Check = FileUrlSigner::Check;

namespace {

const QByteArray Key(32, 'k');
constexpr qint64 Hour = 3'600'000;
constexpr qint64 Now = qint64(1'765'000'000) * 1000;

struct Parsed
{
    QString id, last, exp, sig;
};
Parsed parse(const QString &url)
{
    const QUrl u(url);
    const QStringList parts = u.path().split(QLatin1Char('/'));
    const QUrlQuery q(u);
    return {parts.value(2), parts.value(3), q.queryItemValue(QStringLiteral("exp")),
            q.queryItemValue(QStringLiteral("sig"))};
}

} // namespace

class tst_FileUrls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void urlShape();
    void check_data();
    void check();
    void expiry();
    void keyFile();
};

void tst_FileUrls::urlShape()
{
    const FileUrlSigner signer(Key, 24 * Hour);
    const QString url =
        signer.url(QStringLiteral("abc"), QStringLiteral("a b/ü.png"), Variant::File, Now);
    QVERIFY2(url.startsWith(QStringLiteral("/files/abc/a%20b%2F%C3%BC.png?exp=")), qPrintable(url));
    const Parsed p = parse(url);
    QCOMPARE(p.sig.size(), 43); // 32 bytes, base64url without padding
    QVERIFY(!p.sig.contains(QLatin1Char('=')) && !p.sig.contains(QLatin1Char('+')));
    const QString thumb =
        signer.url(QStringLiteral("abc"), QStringLiteral("x.png"), Variant::Thumb, Now);
    QVERIFY(thumb.startsWith(QStringLiteral("/files/abc/thumb?exp=")));
    QVERIFY(parse(thumb).sig != p.sig);
    // The same key signs the same way (URLs survive a restart); another key does not.
    QCOMPARE(FileUrlSigner(Key, 24 * Hour)
                 .url(QStringLiteral("abc"), QStringLiteral("a b/ü.png"), Variant::File, Now),
             url);
    QVERIFY(FileUrlSigner(QByteArray(32, 'j'), 24 * Hour)
                .url(QStringLiteral("abc"), QStringLiteral("a b/ü.png"), Variant::File, Now) !=
            url);
}

void tst_FileUrls::check_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("variant");
    QTest::addColumn<QString>("exp");
    QTest::addColumn<QString>("sig");
    QTest::addColumn<int>("expected");
    const FileUrlSigner signer(Key, 24 * Hour);
    const Parsed p =
        parse(signer.url(QStringLiteral("abc"), QStringLiteral("f"), Variant::File, Now));
    QString flipped = p.sig;
    flipped[5] = flipped[5] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
    const int file = int(Variant::File), thumb = int(Variant::Thumb);
    QTest::newRow("as signed") << p.id << file << p.exp << p.sig << int(Check::Ok);
    QTest::newRow("one character changed")
        << p.id << file << p.exp << flipped << int(Check::Forbidden);
    QTest::newRow("cut short") << p.id << file << p.exp << p.sig.left(42) << int(Check::Forbidden);
    QTest::newRow("no signature") << p.id << file << p.exp << QString() << int(Check::Forbidden);
    QTest::newRow("later exp") << p.id << file << QString::number(p.exp.toLongLong() + 1) << p.sig
                               << int(Check::Forbidden);
    QTest::newRow("exp with a leading zero")
        << p.id << file << (QLatin1Char('0') + p.exp) << p.sig << int(Check::Forbidden);
    QTest::newRow("no exp") << p.id << file << QString() << p.sig << int(Check::Forbidden);
    QTest::newRow("other id") << QStringLiteral("abd") << file << p.exp << p.sig
                              << int(Check::Forbidden);
    QTest::newRow("thumbnail with the file's signature")
        << p.id << thumb << p.exp << p.sig << int(Check::Forbidden);
}

void tst_FileUrls::check()
{
    QFETCH(QString, id);
    QFETCH(int, variant);
    QFETCH(QString, exp);
    QFETCH(QString, sig);
    QFETCH(int, expected);
    const FileUrlSigner signer(Key, 24 * Hour);
    QCOMPARE(int(signer.check(id, Variant(variant), exp, sig, Now)), expected);
}

void tst_FileUrls::expiry()
{
    const FileUrlSigner signer(Key, 24 * Hour);
    const qint64 exp = signer.expiryFor(Now);
    // At least the lifetime, at most an hour more (URLs of one hour are the same).
    QVERIFY(exp * 1000 >= Now + 24 * Hour);
    QVERIFY(exp * 1000 <= Now + 25 * Hour);
    QCOMPARE(signer.expiryFor(Now + 1000), exp == signer.expiryFor(Now + 1000) ? exp : -1);
    const Parsed p =
        parse(signer.url(QStringLiteral("id"), QStringLiteral("n"), Variant::File, Now));
    QCOMPARE(int(signer.check(p.id, Variant::File, p.exp, p.sig, exp * 1000 - 1)), int(Check::Ok));
    QCOMPARE(int(signer.check(p.id, Variant::File, p.exp, p.sig, exp * 1000)), int(Check::Expired));
    // A forged URL is never told that it expired.
    QCOMPARE(int(signer.check(p.id, Variant::File, p.exp, p.sig.left(10), exp * 1000 + 1)),
             int(Check::Forbidden));
    // Short lifetimes (tests): a step of a second.
    const FileUrlSigner brief(Key, 2000);
    QVERIFY(brief.expiryFor(Now) * 1000 >= Now + 2000);
    QVERIFY(brief.expiryFor(Now) * 1000 <= Now + 3000);
}

void tst_FileUrls::keyFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("file-url.key"));
    const auto made = FileUrlSigner::loadOrCreateKey(path);
    QVERIFY2(made.has_value(), qPrintable(made ? QString() : made.error()));
    QCOMPARE(made->size(), FileUrlSigner::KeyBytes);
    struct stat info
    {
    };
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));
    const auto again = FileUrlSigner::loadOrCreateKey(path);
    QVERIFY(again.has_value());
    QCOMPARE(*again, *made);
    QFile broken(path);
    QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
    broken.write("short");
    broken.close();
    QVERIFY(!FileUrlSigner::loadOrCreateKey(path).has_value());
}

QTEST_GUILESS_MAIN(tst_FileUrls)
#include "tst_fileurls.moc"
