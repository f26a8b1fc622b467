// SPDX-License-Identifier: MIT
// The worker threads' event dispatcher, run here as the test's own main-thread dispatcher so
// that every QTimer, QSocketNotifier, posted event and QTest wait below goes through it.
#include "epolleventdispatcher.h"
#include "socketreadwatch.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using chatter::server::EpollEventDispatcher;
using chatter::server::SocketReadWatch;

class tst_EpollEventDispatcher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void isInstalled();
    void singleShotAndRepeatingTimers();
    void timerStoppedFromItsOwnSlot();
    void manyTimersAllFire();
    void zeroTimerDoesNotStarveOthers();
    void socketNotifierFollowsEnabled();
    void readWatchFollowsEnabled_data();
    void readWatchFollowsEnabled();
    void postFromAnotherThreadWakesTheLoop();
    void tcpEcho();
};

void tst_EpollEventDispatcher::isInstalled()
{
    QVERIFY(qobject_cast<EpollEventDispatcher *>(QCoreApplication::eventDispatcher()));
}

void tst_EpollEventDispatcher::singleShotAndRepeatingTimers()
{
    bool fired = false;
    QTimer::singleShot(10, this, [&] { fired = true; });
    int ticks = 0;
    QTimer repeating;
    connect(&repeating, &QTimer::timeout, this, [&] { ++ticks; });
    repeating.start(5);
    QVERIFY(repeating.remainingTime() >= 0);
    QTRY_VERIFY(fired);
    QTRY_VERIFY(ticks >= 3);
    repeating.stop();
    const int stoppedAt = ticks;
    QTest::qWait(30);
    QCOMPARE(ticks, stoppedAt);
}

void tst_EpollEventDispatcher::timerStoppedFromItsOwnSlot()
{
    QTimer timer;
    int ticks = 0;
    connect(&timer, &QTimer::timeout, this, [&] {
        if (++ticks == 2)
            timer.stop();
    });
    timer.start(1);
    QTRY_COMPARE(ticks, 2);
    QTest::qWait(20);
    QCOMPARE(ticks, 2);
}

void tst_EpollEventDispatcher::manyTimersAllFire()
{
    constexpr int Count = 2000;
    int fired = 0;
    for (int i = 0; i < Count; ++i)
        QTimer::singleShot(i % 50, this, [&] { ++fired; });
    QTRY_COMPARE(fired, Count);
}

void tst_EpollEventDispatcher::zeroTimerDoesNotStarveOthers()
{
    QTimer busy;
    int spins = 0;
    connect(&busy, &QTimer::timeout, this, [&] { ++spins; });
    busy.start(0);
    bool later = false;
    QTimer::singleShot(20, this, [&] { later = true; });
    QTRY_VERIFY(later);
    QVERIFY(spins > 1);
}

void tst_EpollEventDispatcher::socketNotifierFollowsEnabled()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    QSocketNotifier notifier(fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        ++activations;
        char buffer[16];
        [[maybe_unused]] const auto n = ::read(fds[0], buffer, sizeof buffer);
    });
    QCOMPARE(::write(fds[1], "x", 1), 1);
    QTRY_COMPARE(activations, 1);

    notifier.setEnabled(false);
    QCOMPARE(::write(fds[1], "y", 1), 1);
    QTest::qWait(30);
    QCOMPARE(activations, 1); // disabled: the byte waits

    notifier.setEnabled(true);
    QTRY_COMPARE(activations, 2);
    ::close(fds[0]);
    ::close(fds[1]);
}

void tst_EpollEventDispatcher::readWatchFollowsEnabled_data()
{
    // A connection's read watch: directly on this dispatcher (the workers' case), or through a
    // QSocketNotifier on a thread with any other dispatcher.
    QTest::addColumn<bool>("onEpoll");
    QTest::newRow("epoll dispatcher") << true;
    QTest::newRow("another dispatcher") << false;
}

namespace {

//! Processes the calling thread's events until `done` or 2 s have passed.
bool pumpUntil(const std::function<bool()> &done)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < 2000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    return done();
}

//! Processes the calling thread's events for `ms`.
void pumpFor(int ms)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

//! A read watch through its life, on the calling thread's dispatcher; what went wrong, if
//! anything. Everything happens on that thread, so the check needs no cross-thread calls.
QString exerciseReadWatch()
{
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        return QStringLiteral("socketpair failed");
    struct Reader final : chatter::server::ReadWatcher
    {
        int descriptor;
        int activations = 0;
        explicit Reader(int d) : descriptor(d) {}
        void readReady() override
        {
            ++activations;
            char buffer[16];
            [[maybe_unused]] const auto n = ::read(descriptor, buffer, sizeof buffer);
        }
    } reader(fds[0]);
    int &activations = reader.activations;
    QObject owner;
    auto watch = std::make_unique<SocketReadWatch>(fds[0], reader, &owner);
    QString failure;
    const auto check = [&](bool ok, const char *what) {
        if (!ok && failure.isEmpty())
            failure =
                QString::fromLatin1(what) + QStringLiteral(" (activations: %1)").arg(activations);
    };
    check(::write(fds[1], "x", 1) == 1, "write");
    check(pumpUntil([&] { return activations == 1; }), "readable input not reported");

    watch->setEnabled(false);
    check(::write(fds[1], "y", 1) == 1, "write");
    pumpFor(30);
    check(activations == 1, "reported while disabled");

    watch->setEnabled(true);
    check(pumpUntil([&] { return activations == 2; }), "waiting input not reported on enable");

    watch.reset();
    check(::write(fds[1], "z", 1) == 1, "write");
    pumpFor(30);
    check(activations == 2, "reported after the watch was gone");
    ::close(fds[0]);
    ::close(fds[1]);
    return failure;
}

} // namespace

void tst_EpollEventDispatcher::readWatchFollowsEnabled()
{
    QFETCH(bool, onEpoll);
    QString failure;
    if (onEpoll) {
        failure = exerciseReadWatch();
    } else {
        // A thread of its own gets Qt's default dispatcher; joined, so its result is safe to
        // read here.
        std::thread other([&failure] {
            QEventLoop loop; // gives this thread its (Qt's) event dispatcher
            if (qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()))
                failure = QStringLiteral("expected another dispatcher here");
            else
                failure = exerciseReadWatch();
        });
        other.join();
    }
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void tst_EpollEventDispatcher::postFromAnotherThreadWakesTheLoop()
{
    bool ran = false;
    // Nothing else would wake the loop for 5 s: only wakeUp() can make this quick.
    QTimer::singleShot(5000, this, [] {});
    QElapsedTimer clock;
    clock.start();
    std::thread poster([this, &ran] {
        QMetaObject::invokeMethod(
            this, [&ran] { ran = true; }, Qt::QueuedConnection);
    });
    poster.join();
    QTRY_VERIFY_WITH_TIMEOUT(ran, 4000);
}

void tst_EpollEventDispatcher::tcpEcho()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *peer = server.nextPendingConnection();
        connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
    });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    const QByteArray payload(256 * 1024, 'e'); // more than one socket buffer's worth
    client.write(payload);
    QByteArray echoed;
    QTRY_VERIFY_WITH_TIMEOUT((echoed += client.readAll()).size() == payload.size(), 10000);
    QCOMPARE(echoed, payload);
}

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    tst_EpollEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolleventdispatcher.moc"
