// SPDX-License-Identifier: MIT
// The QR code of the server's address (QrCode, libqrencode) read back by zbarimg, and the
// rules of the invite code the browser client asks for (inviteqr).
#include "inviteqr.h"
#include "qrcode.h"
#include "qrdecoder.h"

#include <QImage>
#include <QRegularExpression>
#include <QTest>

using namespace chatter;
using namespace chatter::server;

namespace {

// The code as a reader sees it: `scale` pixels per module, the quiet zone around it.
QImage render(const QrCode &code, int scale)
{
    const int side = (code.size() + 2 * QrCode::quietZone) * scale;
    QImage image(side, side, QImage::Format_Grayscale8);
    image.fill(Qt::white);
    for (int y = 0; y < code.size(); ++y) {
        for (int x = 0; x < code.size(); ++x) {
            if (!code.isDark(x, y))
                continue;
            for (int dy = 0; dy < scale; ++dy) {
                for (int dx = 0; dx < scale; ++dx)
                    image.setPixel((x + QrCode::quietZone) * scale + dx,
                                   (y + QrCode::quietZone) * scale + dy, qRgb(0, 0, 0));
            }
        }
    }
    return image;
}

} // namespace

class tst_QrCode : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodesToTheUrl_data();
    void decodesToTheUrl();
    void svgHasTheModules();
    void refusesWhatCannotBeEncoded();
    void joinUrl_data();
    void joinUrl();
};

void tst_QrCode::decodesToTheUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("ipv4") << QStringLiteral("http://192.168.1.20:4000/");
    QTest::newRow("ipv6") << QStringLiteral("http://[fd00::2]:4000/");
    QTest::newRow("ipv6 global") << QStringLiteral("http://[2001:db8:85a3::8a2e:370:7334]:4000/");
    QTest::newRow("https") << QStringLiteral("https://chat.example.org:4443/");
    QTest::newRow("https default port") << QStringLiteral("https://chat.example.org/");
    QTest::newRow("mixed case") << QStringLiteral("http://Chatter-Host.local:4000/");
}

void tst_QrCode::decodesToTheUrl()
{
    QFETCH(QString, url);
    const auto code = QrCode::encode(url);
    QVERIFY2(code.has_value(), qPrintable(testing::whyNot(code)));
    // Version 1 is 21 modules; a URL of this length needs at least version 2.
    QVERIFY(code->size() >= 21 && (code->size() - 17) % 4 == 0);
    const auto decoded = testing::decodeQrCode(render(*code, 4));
    QVERIFY2(decoded.has_value(), qPrintable(testing::whyNot(decoded)));
    QCOMPARE(*decoded, url);
}

void tst_QrCode::svgHasTheModules()
{
    const auto code = QrCode::encode(QStringLiteral("http://[::1]:4000/"));
    QVERIFY2(code.has_value(), qPrintable(testing::whyNot(code)));
    const QByteArray svg = code->toSvg();
    const int side = code->size() + 2 * QrCode::quietZone;
    QVERIFY(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    QVERIFY(svg.contains(QByteArray("viewBox=\"0 0 ") + QByteArray::number(side) + ' ' +
                         QByteArray::number(side) + '"'));
    QVERIFY(svg.contains("shape-rendering=\"crispEdges\""));
    // Every dark module lies in exactly one run of the path, and nothing else does.
    std::vector<bool> painted(std::size_t(code->size() * code->size()));
    const QRegularExpression run(QStringLiteral("M(\\d+) (\\d+)h(\\d+)v1h-(\\d+)z"));
    auto it = run.globalMatch(QString::fromUtf8(svg));
    int runs = 0;
    while (it.hasNext()) {
        const auto m = it.next();
        const int x0 = m.captured(1).toInt() - QrCode::quietZone;
        const int y = m.captured(2).toInt() - QrCode::quietZone;
        const int length = m.captured(3).toInt();
        QCOMPARE(m.captured(4).toInt(), length);
        for (int x = x0; x < x0 + length; ++x) {
            QVERIFY(x >= 0 && x < code->size() && y >= 0 && y < code->size());
            QVERIFY(!painted[std::size_t(y * code->size() + x)]);
            painted[std::size_t(y * code->size() + x)] = true;
        }
        ++runs;
    }
    QVERIFY(runs > 0);
    for (int y = 0; y < code->size(); ++y) {
        for (int x = 0; x < code->size(); ++x)
            QCOMPARE(bool(painted[std::size_t(y * code->size() + x)]), code->isDark(x, y));
    }
}

void tst_QrCode::refusesWhatCannotBeEncoded()
{
    QVERIFY(!QrCode::encode(QString()).has_value());
    // Version 40 at level M holds 2,331 bytes.
    const auto tooLong = QrCode::encode(QString(3000, QLatin1Char('a')));
    QVERIFY(!tooLong.has_value());
    QVERIFY2(tooLong.error().contains(QLatin1String("3000 bytes")),
             qPrintable(testing::whyNot(tooLong)));
}

void tst_QrCode::joinUrl_data()
{
    QTest::addColumn<QString>("origin");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("expected"); // empty: refused

    QTest::newRow("ipv4") << "http://192.168.1.20:4000"
                          << "192.168.1.20:4000"
                          << "http://192.168.1.20:4000/";
    QTest::newRow("ipv6") << "http://[fd00::2]:4000"
                          << "[fd00::2]:4000"
                          << "http://[fd00::2]:4000/";
    QTest::newRow("https default port") << "https://chat.example.org"
                                        << "chat.example.org"
                                        << "https://chat.example.org/";
    QTest::newRow("host case") << "http://chatter.local:4000"
                               << "Chatter.LOCAL:4000"
                               << "http://chatter.local:4000/";
    QTest::newRow("another host") << "http://evil.example:4000"
                                  << "192.168.1.20:4000"
                                  << "";
    QTest::newRow("another port") << "http://192.168.1.20:4001"
                                  << "192.168.1.20:4000"
                                  << "";
    QTest::newRow("a path") << "http://192.168.1.20:4000/phish"
                            << "192.168.1.20:4000"
                            << "";
    QTest::newRow("a query") << "http://192.168.1.20:4000?x=1"
                             << "192.168.1.20:4000"
                             << "";
    QTest::newRow("user info") << "http://a@192.168.1.20:4000"
                               << "a@192.168.1.20:4000"
                               << "";
    QTest::newRow("javascript") << "javascript:alert(1)"
                                << "alert(1)"
                                << "";
    QTest::newRow("no origin") << ""
                               << "192.168.1.20:4000"
                               << "";
    QTest::newRow("no host") << "http://192.168.1.20:4000"
                             << ""
                             << "";
}

void tst_QrCode::joinUrl()
{
    QFETCH(QString, origin);
    QFETCH(QString, host);
    QFETCH(QString, expected);
    const auto url = inviteqr::joinUrl(origin, host);
    if (expected.isEmpty()) {
        QVERIFY2(!url.has_value(), qPrintable(url.value_or(QString())));
        QVERIFY(!url.error().isEmpty());
        QVERIFY(!inviteqr::svgFor(origin, host).has_value());
    } else {
        QVERIFY2(url.has_value(), qPrintable(testing::whyNot(url)));
        QCOMPARE(*url, expected);
        QVERIFY(inviteqr::svgFor(origin, host).has_value());
    }
}

QTEST_GUILESS_MAIN(tst_QrCode)
#include "tst_qrcode.moc"
