// SPDX-License-Identifier: MIT
#include "mailbox.h"

#include <QTest>
#include <QThread>

#include <memory>
#include <thread>
#include <vector>

using chatter::server::Mailbox;

class tst_Mailbox : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void jobsFromOtherThreadsRunHereInOrder();
    void runWaitsAndSeesWhatTheJobWrote();
    void aLongQueueLeavesTurnsForOtherEvents();
};

void tst_Mailbox::jobsFromOtherThreadsRunHereInOrder()
{
    Mailbox mailbox(nullptr);
    constexpr int Threads = 4;
    constexpr int PerThread = 500;
    std::vector<std::vector<int>> seen(Threads);
    const Qt::HANDLE here = QThread::currentThreadId();
    bool allHere = true;
    std::vector<std::thread> posters;
    for (int t = 0; t < Threads; ++t) {
        posters.emplace_back([&, t] {
            for (int i = 0; i < PerThread; ++i) {
                mailbox.post([&, t, i] {
                    allHere = allHere && QThread::currentThreadId() == here;
                    seen[size_t(t)].push_back(i);
                });
            }
        });
    }
    for (std::thread &poster : posters)
        poster.join();
    QTRY_VERIFY([&] {
        for (const auto &s : seen)
            if (s.size() != PerThread)
                return false;
        return true;
    }());
    QVERIFY(allHere);
    // Each poster's jobs in the order it posted them.
    for (const auto &s : seen)
        QVERIFY(std::is_sorted(s.begin(), s.end()));
}

void tst_Mailbox::runWaitsAndSeesWhatTheJobWrote()
{
    QThread thread;
    // Moved before the thread starts, as the engine does with its workers and its store.
    auto mailbox = std::make_unique<Mailbox>(nullptr);
    mailbox->moveToThread(&thread);
    thread.start();
    Qt::HANDLE ranOn = nullptr;
    int value = 0;
    mailbox->run([&] {
        ranOn = QThread::currentThreadId();
        value = 42;
    });
    QCOMPARE(value, 42);
    QVERIFY(ranOn != QThread::currentThreadId());
    thread.quit();
    QVERIFY(thread.wait(10000));
    // Freed here, after its thread has ended, not from one of its own jobs: that would leave
    // drain() running on a deleted mailbox.
    mailbox.reset();
}

void tst_Mailbox::aLongQueueLeavesTurnsForOtherEvents()
{
    Mailbox mailbox(nullptr);
    constexpr int Jobs = 2000;
    int ran = 0;
    int ranWhenOtherCame = -1;
    for (int i = 0; i < Jobs; ++i) {
        mailbox.post([&, i] {
            ++ran;
            if (i == 0) // an ordinary queued event, posted from inside the first job
                QMetaObject::invokeMethod(
                    this, [&] { ranWhenOtherCame = ran; }, Qt::QueuedConnection);
        });
    }
    QTRY_COMPARE(ran, Jobs);
    QVERIFY2(ranWhenOtherCame > 0 && ranWhenOtherCame < Jobs,
             qPrintable(QString::number(ranWhenOtherCame)));
}

QTEST_GUILESS_MAIN(tst_Mailbox)
#include "tst_mailbox.moc"
