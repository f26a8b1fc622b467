// SPDX-License-Identifier: MIT
// Listener: the engine's accepting socket. Connections come as non-blocking descriptors with
// their peer's address and port; running out of descriptors pauses accepting instead of
// spinning, and nothing is lost (the kernel keeps the connection waiting).
#include "listener.h"

#include <QDebug>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

using namespace chatter::server;

namespace {

int g_acceptWarnings = 0;
QtMessageHandler g_previousHandler = nullptr;

void countAcceptWarnings(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (type == QtWarningMsg && text.startsWith(QLatin1String("cannot accept a connection")))
        ++g_acceptWarnings;
    else
        g_previousHandler(type, context, text);
}

//! UndefinedBehaviorSanitizer (in the AddressSanitizer stage) checks an object's dynamic type
//! when code reaches it through a pointer or reference of a class with virtual functions. The
//! first check of each class probes the vtable's memory through a pipe: with no descriptor left
//! that fails, and a valid object is reported as one with an invalid vptr. A class that passed
//! once is remembered for the rest of the process, so the classes that the listener's EMFILE
//! branch and its retry meet are met here first, while descriptors are free: the warning's
//! QTextStream (QDebug's operators, as in qCWarning) and the QSocketNotifier that is turned off
//! and on (the QTimer is met in the Listener's constructor). Without the sanitizer this does
//! nothing that matters. The listener itself still meets EMFILE with no descriptor to spare.
void meetTheClassesOfTheOutOfDescriptorsBranch()
{
    QString text;
    QDebug(&text) << "cannot accept a connection:" << std::strerror(EMFILE) << 100 << "ms";
    const auto notifier = std::make_unique<QSocketNotifier>(QSocketNotifier::Read);
    notifier->setEnabled(false);
    notifier->setEnabled(true);
}

struct Accepted
{
    int descriptor = -1;
    QHostAddress peer;
    quint16 port = 0;
};

} // namespace

class tst_Listener : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptsNonBlockingWithThePeer_data();
    void acceptsNonBlockingWithThePeer();
    void pausesWhileOutOfDescriptors();
    void closedListenerAcceptsNothing();
};

void tst_Listener::acceptsNonBlockingWithThePeer_data()
{
    QTest::addColumn<QHostAddress>("address");
    QTest::newRow("IPv4") << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("IPv6") << QHostAddress(QHostAddress::LocalHostIPv6);
}

void tst_Listener::acceptsNonBlockingWithThePeer()
{
    QFETCH(QHostAddress, address);
    std::vector<Accepted> accepted;
    Listener listener([&](int d, const QHostAddress &peer, quint16 port) {
        accepted.push_back({d, peer, port});
    });
    if (!listener.listen(address, 0))
        QFAIL(qPrintable(QStringLiteral("cannot listen on %1: %2")
                             .arg(address.toString(), listener.errorString())));
    QVERIFY(listener.isListening());

    QTcpSocket client;
    client.connectToHost(address, listener.serverPort());
    QVERIFY(client.waitForConnected(5000));
    QTRY_COMPARE(accepted.size(), size_t(1));
    const Accepted &a = accepted.front();
    QVERIFY(a.descriptor >= 0);
    const int flags = ::fcntl(a.descriptor, F_GETFL);
    QVERIFY2(flags & O_NONBLOCK, "the worker relies on a non-blocking descriptor");
    QVERIFY(::fcntl(a.descriptor, F_GETFD) & FD_CLOEXEC);
    QCOMPARE(a.peer, client.localAddress());
    QCOMPARE(a.port, client.localPort());

    // The descriptor is the connection: what the client sends arrives on it.
    QCOMPARE(client.write("ping"), qint64(4));
    QVERIFY(client.waitForBytesWritten(5000));
    char buffer[8] = {};
    ssize_t received = -1;
    for (int tries = 0; received < 0 && tries < 500; ++tries) {
        received = ::recv(a.descriptor, buffer, sizeof buffer, MSG_DONTWAIT);
        if (received < 0)
            QTest::qWait(10);
    }
    QCOMPARE(received, ssize_t(4));
    QCOMPARE(QByteArray(buffer, 4), QByteArray("ping"));
    ::close(a.descriptor);
}

void tst_Listener::pausesWhileOutOfDescriptors()
{
    meetTheClassesOfTheOutOfDescriptorsBranch();
    std::vector<Accepted> accepted;
    Listener listener([&](int d, const QHostAddress &peer, quint16 port) {
        accepted.push_back({d, peer, port});
    });
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    QTcpSocket client;

    // Use up every descriptor the process may open, then let a client connect: the kernel
    // completes its handshake in the backlog, but accept() has nowhere to put it.
    rlimit original{};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &original), 0);
    std::vector<int> filler;
    client.connectToHost(QHostAddress::LocalHost, listener.serverPort());
    QVERIFY(client.waitForConnected(5000));
    rlimit low = original;
    low.rlim_cur = 256;
    const auto giveBack = [&filler, &original] {
        for (int d : filler)
            ::close(d);
        filler.clear();
        return ::setrlimit(RLIMIT_NOFILE, &original);
    };
    // A check that fails below returns at once: the descriptors come back all the same, or the
    // tests after it (and a sanitizer reporting on the way out) would find none.
    const auto onReturn = qScopeGuard([&giveBack] { giveBack(); });
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &low), 0);
    for (int d; (d = ::dup(0)) >= 0;)
        filler.push_back(d);
    // Several wake-ups' worth of event loop: nothing accepted, and accepting rests between
    // tries (one warning per 100 ms pause) instead of spinning on EMFILE.
    g_acceptWarnings = 0;
    g_previousHandler = qInstallMessageHandler(countAcceptWarnings);
    QTest::qWait(350);
    qInstallMessageHandler(g_previousHandler);
    QCOMPARE(accepted.size(), size_t(0));
    QVERIFY2(g_acceptWarnings >= 1 && g_acceptWarnings <= 6,
             qPrintable(QStringLiteral("%1 tries in 350 ms").arg(g_acceptWarnings)));

    QCOMPARE(giveBack(), 0);
    // Accepting resumes by itself, and the waiting connection is the one that comes.
    QTRY_COMPARE(accepted.size(), size_t(1));
    QCOMPARE(accepted.front().port, client.localPort());
    ::close(accepted.front().descriptor);
}

void tst_Listener::closedListenerAcceptsNothing()
{
    std::vector<Accepted> accepted;
    Listener listener([&](int d, const QHostAddress &peer, quint16 port) {
        accepted.push_back({d, peer, port});
    });
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    const quint16 port = listener.serverPort();
    listener.close();
    QVERIFY(!listener.isListening());
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(!client.waitForConnected(2000));
    // And it listens again (the monitor's pause and resume).
    QVERIFY(listener.listen(QHostAddress::LocalHost, port));
    QTcpSocket again;
    again.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(again.waitForConnected(5000));
    QTRY_COMPARE(accepted.size(), size_t(1));
    ::close(accepted.front().descriptor);
}

QTEST_GUILESS_MAIN(tst_Listener)
#include "tst_listener.moc"
