// SPDX-License-Identifier: MIT
// The desktop client against a real engine serving wss:// with a self-signed certificate:
// the user is asked once (the dialog shows the fingerprint the server reports), the
// certificate is pinned, reconnects are silent, and a changed certificate is refused.
#include "certificatedialog.h"
#include "chatsession.h"
#include "mainwindow.h"
#include "servertestutil.h"

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>

using namespace chatter;
using namespace chatter::ui;
using State = client::ChatSession::ConnectionState;

class tst_CertificateTrust : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void selfSignedServerIsTrustedOncePinnedAndAChangeRefused();
};

void tst_CertificateTrust::initTestCase()
{
    // Pins live in QSettings: the test's own, never the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_certificatetrust"));
    QSettings().clear();
}

void tst_CertificateTrust::selfSignedServerIsTrustedOncePinnedAndAChangeRefused()
{
    TestServer server;
    server.setTlsSelfSigned(true);
    QVERIFY(server.start());
    const QString fingerprint = server.engine()->tlsFingerprint();
    QVERIFY(!fingerprint.isEmpty());
    const QString hostPort = QStringLiteral("127.0.0.1:%1").arg(server.port());

    MainWindow window(fastOptions());
    window.show();
    client::ChatSession *session = window.session();
    QVERIFY(session->joinRoom(QStringLiteral("tls")));
    window.connectTo(QStringLiteral("wss://") + hostPort, QStringLiteral("alice"));

    // First contact: the question, with the server's fingerprint; nothing retried meanwhile.
    CertificateDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<CertificateDialog *>()) != nullptr, 10000);
    QVERIFY(!dialog->certificate().changed());
    QCOMPARE(dialog->certificate().fingerprint, fingerprint);
    auto *shown = dialog->findChild<QLabel *>(QStringLiteral("certificateFingerprint"));
    QCOMPARE(shown->text().remove(QLatin1Char('\n')), fingerprint);
    QCOMPARE(session->connectionState(), State::Disconnected);
    QCOMPARE(session->reconnectRemainingMs(), -1);
    QVERIFY(session->certificatePins().pinned(hostPort).isEmpty());

    // The user trusts it: pinned, connected, the room joined.
    QSignalSpy joined(session, &client::ChatSession::roomJoined);
    QTest::mouseClick(dialog->acceptButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(session->connectionState(), State::Connected, 10000);
    QVERIFY(joined.wait(10000) || !joined.isEmpty());
    QCOMPARE(session->certificatePins().pinned(hostPort), fingerprint);
    QTRY_VERIFY(window.findChild<CertificateDialog *>() == nullptr);

    // A restart with the same certificate: the client reconnects and rejoins by itself.
    joined.clear();
    QVERIFY(server.restart());
    QTRY_VERIFY_WITH_TIMEOUT(!joined.isEmpty() && joined.last().at(1).toBool(), 15000);
    QCOMPARE(session->connectionState(), State::Connected);
    QVERIFY(window.findChild<CertificateDialog *>() == nullptr);

    // The certificate changes (made anew): refused with a visible reason, not asked again.
    server.stop();
    QVERIFY(QDir(server.dataDir() + QStringLiteral("/tls")).removeRecursively());
    QVERIFY(server.start());
    QVERIFY(server.engine()->tlsFingerprint() != fingerprint);
    QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<CertificateDialog *>()) != nullptr, 15000);
    QVERIFY(dialog->certificate().changed());
    QCOMPARE(dialog->certificate().fingerprint, server.engine()->tlsFingerprint());
    QCOMPARE(dialog->certificate().pinnedFingerprint, fingerprint);
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("certificateMessage"))
                ->text()
                .contains(QStringLiteral("has changed")));
    QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("changed")),
             qPrintable(window.statusBar()->currentMessage()));
    QCOMPARE(session->connectionState(), State::Disconnected);
    QCOMPARE(session->reconnectRemainingMs(), -1);
    QTest::qWait(300);
    QCOMPARE(session->connectionState(), State::Disconnected);
    QCOMPARE(session->certificatePins().pinned(hostPort), fingerprint);

    // Closing the explanation keeps the pin; nothing connects.
    dialog->reject();
    QTest::qWait(100);
    QCOMPARE(session->certificatePins().pinned(hostPort), fingerprint);
    QCOMPARE(session->connectionState(), State::Disconnected);
}

QTEST_MAIN(tst_CertificateTrust)
#include "tst_certificatetrust.moc"
