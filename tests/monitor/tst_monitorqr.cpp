// SPDX-License-Identifier: MIT
// The QR code in the monitor's header, as a phone would see it: the widget is grabbed offscreen,
// saved as PNG and read back with zbarimg (Debian zbar-tools).
#include "engine.h"
#include "headerpanel.h"
#include "monitorwindow.h"
#include "qrcode.h"
#include "qrcodeview.h"
#include "qrdecoder.h"
#include "testengineconfig.h"

#include <QApplication>
#include <QComboBox>
#include <QTest>

using namespace chatter;
using namespace chatter::monitor;
using namespace chatter::server;

namespace {

//! The code's square inside the grabbed widget's image (centred on whole device pixels).
QRect codeSquare(const QrCodeView *view, const QImage &image)
{
    const auto code = QrCode::encode(view->text());
    const int side = (code ? code->size() + 2 * QrCode::quietZone : 0) * view->moduleScale();
    return {(image.width() - side) / 2, (image.height() - side) / 2, side, side};
}

//! Every module is a block of `scale` x `scale` device pixels of pure black or pure white, the
//! quiet zone white: no module edge smoothed or straddling a pixel, none wider than another.
bool modulesAreWholePixels(const QImage &image, const QRect &square, const QrCode &code, int scale)
{
    const int side = code.size() + 2 * QrCode::quietZone;
    for (int my = 0; my < side; ++my) {
        for (int mx = 0; mx < side; ++mx) {
            const int x = mx - QrCode::quietZone;
            const int y = my - QrCode::quietZone;
            const bool inCode = x >= 0 && y >= 0 && x < code.size() && y < code.size();
            const QRgb want = inCode && code.isDark(x, y) ? 0 : 0xffffff;
            for (int py = 0; py < scale; ++py) {
                for (int px = 0; px < scale; ++px) {
                    const QPoint at = square.topLeft() + QPoint(mx * scale + px, my * scale + py);
                    if ((image.pixel(at) & 0xffffff) != want)
                        return false;
                }
            }
        }
    }
    return true;
}

//! Grabs the view, checks it is crisp, and decodes it.
Expected<QString> readCode(QrCodeView *view, const QString &name)
{
    const QImage image = view->grab().toImage();
    const QRect square = codeSquare(view, image);
    if (square.isEmpty() || !image.rect().contains(square))
        return failure(
            QStringLiteral("no code in a %1x%2 widget").arg(view->width()).arg(view->height()));
    const auto code = QrCode::encode(view->text());
    if (!code || !modulesAreWholePixels(image, square, *code, view->moduleScale()))
        return failure(QStringLiteral("the modules are not whole blocks of black or white pixels"));
    return testing::decodeQrCode(image, name);
}

} // namespace

class tst_MonitorQr : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void windowShowsTheEnginesAddress_data();
    void windowShowsTheEnginesAddress();
    void codeFollowsTheSelection();
    void everyListedAddressDecodes();
    void darkOnLightInADarkTheme();
};

void tst_MonitorQr::windowShowsTheEnginesAddress_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("http") << false;
    QTest::newRow("https") << true;
}

void tst_MonitorQr::windowShowsTheEnginesAddress()
{
    QFETCH(bool, tls);
    ServerConfig config = loopbackTestConfig();
    config.tlsSelfSigned = tls;
    Engine engine(config);
    QVERIFY(engine.start());
    MonitorWindow window(engine);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString url = QStringLiteral("%1://127.0.0.1:%2/")
                            .arg(tls ? QStringLiteral("https") : QStringLiteral("http"))
                            .arg(engine.port());
    QCOMPARE(window.header()->selectedJoinUrl(), url);
    QrCodeView *view = window.header()->findChild<QrCodeView *>(QStringLiteral("joinQrCode"));
    QVERIFY(view);
    QVERIFY(view->isVisible());
    const auto decoded = readCode(view, QStringLiteral("window"));
    QVERIFY2(decoded.has_value(), qPrintable(testing::whyNot(decoded)));
    QCOMPARE(*decoded, url);
    engine.stop(1012);
}

void tst_MonitorQr::codeFollowsTheSelection()
{
    HeaderPanel header;
    header.setJoinUrls({{QStringLiteral("lo"), QStringLiteral("http://127.0.0.1:4000/")},
                        {QStringLiteral("lo"), QStringLiteral("http://[::1]:4000/")}});
    header.show();
    QVERIFY(QTest::qWaitForWindowExposed(&header));
    QComboBox *choice = header.findChild<QComboBox *>(QStringLiteral("joinUrlChoice"));
    QrCodeView *view = header.findChild<QrCodeView *>(QStringLiteral("joinQrCode"));
    QVERIFY(choice && view);
    QCOMPARE(choice->count(), 2);
    QCOMPARE(choice->itemText(1), QStringLiteral("lo · http://[::1]:4000/"));

    const auto first = readCode(view, QStringLiteral("first"));
    QVERIFY2(first.has_value(), qPrintable(testing::whyNot(first)));
    QCOMPARE(*first, QStringLiteral("http://127.0.0.1:4000/"));
    const QImage before = view->grab().toImage();

    // As the user picks the other address in the list.
    choice->setCurrentIndex(1);
    QCOMPARE(header.selectedJoinUrl(), QStringLiteral("http://[::1]:4000/"));
    const auto second = readCode(view, QStringLiteral("second"));
    QVERIFY2(second.has_value(), qPrintable(testing::whyNot(second)));
    QCOMPARE(*second, QStringLiteral("http://[::1]:4000/"));
    QVERIFY(view->grab().toImage() != before);

    // A new list that still has the picked address keeps it.
    header.setJoinUrls({{QStringLiteral("lo"), QStringLiteral("http://127.0.0.1:4000/")},
                        {QString(), QStringLiteral("http://[::1]:4000/")}});
    QCOMPARE(header.selectedJoinUrl(), QStringLiteral("http://[::1]:4000/"));
}

void tst_MonitorQr::everyListedAddressDecodes()
{
    // The machine's own interfaces, as a wildcard bind lists them; nothing is sent anywhere.
    HeaderPanel header;
    header.setEndpoint(QHostAddress::Any, 4000);
    header.show();
    QVERIFY(QTest::qWaitForWindowExposed(&header));
    QComboBox *choice = header.joinUrlChoice();
    const QStringList urls = header.urlsText().split(QLatin1Char(' '));
    QCOMPARE(choice->count(), urls.size());
    // Loopback is last, so a phone is offered the LAN's address first when there is one.
    QCOMPARE(choice->itemData(choice->count() - 1).toString(),
             QStringLiteral("http://127.0.0.1:4000/"));
    for (int i = 0; i < choice->count(); ++i) {
        choice->setCurrentIndex(i);
        QCOMPARE(header.selectedJoinUrl(), urls.at(i));
        const auto decoded = readCode(header.joinQrCode(), QStringLiteral("address%1").arg(i));
        QVERIFY2(decoded.has_value(), qPrintable(testing::whyNot(decoded)));
        QCOMPARE(*decoded, urls.at(i));
    }
}

void tst_MonitorQr::darkOnLightInADarkTheme()
{
    const QPalette light = QApplication::palette();
    QPalette dark(QColor(0x20, 0x22, 0x27), QColor(0x16, 0x18, 0x1d));
    dark.setColor(QPalette::WindowText, Qt::white);
    dark.setColor(QPalette::Text, Qt::white);
    QApplication::setPalette(dark);
    HeaderPanel header;
    header.setJoinUrls({{QString(), QStringLiteral("https://[fd00::2]:4443/")}});
    header.show();
    QVERIFY(QTest::qWaitForWindowExposed(&header));
    QrCodeView *view = header.joinQrCode();
    const QImage image = view->grab().toImage();
    const QRect square = codeSquare(view, image);
    const int scale = view->moduleScale();
    // The quiet zone's corner is white and the finder pattern's corner black.
    QCOMPARE(image.pixel(square.topLeft()) & 0xffffff, 0xffffffu);
    QCOMPARE(image.pixel(square.topLeft() + QPoint(4, 4) * scale) & 0xffffff, 0u);
    const auto decoded = readCode(view, QStringLiteral("dark"));
    QApplication::setPalette(light);
    QVERIFY2(decoded.has_value(), qPrintable(testing::whyNot(decoded)));
    QCOMPARE(*decoded, QStringLiteral("https://[fd00::2]:4443/"));
}

QTEST_MAIN(tst_MonitorQr)
#include "tst_monitorqr.moc"
