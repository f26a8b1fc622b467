// SPDX-License-Identifier: MIT
#include "batchsender.h"

#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

using chatter::server::BatchSender;

namespace {

struct Result
{
    QByteArray bytes;
    int result;
};

class RecordingClient final : public BatchSender::Client
{
public:
    std::vector<Result> results;
    std::function<void()> onDone;
    void batchedSendDone(const QByteArray &bytes, int result) override
    {
        results.push_back({bytes, result});
        if (onDone)
            onDone();
    }
};

//! A connected, non-blocking stream socket pair with a small send buffer.
struct Pair
{
    int ours = -1;
    int theirs = -1;
    Pair()
    {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0) {
            ours = fds[0];
            theirs = fds[1];
            ::fcntl(ours, F_SETFL, ::fcntl(ours, F_GETFL) | O_NONBLOCK);
            ::fcntl(theirs, F_SETFL, ::fcntl(theirs, F_GETFL) | O_NONBLOCK);
        }
    }
    ~Pair()
    {
        if (ours >= 0)
            ::close(ours);
        if (theirs >= 0)
            ::close(theirs);
    }
    QByteArray readAll() const
    {
        QByteArray all;
        char buffer[65536];
        ssize_t n;
        while ((n = ::read(theirs, buffer, sizeof buffer)) > 0)
            all.append(buffer, n);
        return all;
    }
};

} // namespace

class tst_BatchSender : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sendsEverythingInOrder_data();
    void sendsEverythingInOrder();
    void fullSocketReportsWhatWasNotWritten();
    void failedSendReportsTheError();
    void largeBatchesAreSplit();
    void appendedBytesGoInTheSameSend();
    void appendOnlyToAWaitingEntry();
    void cancelledEntrySendsNothing();
    void manyBytesAreSubmittedBeforeTheScopeEnds();
    void disabledSenderQueuesNothing();
};

void tst_BatchSender::sendsEverythingInOrder_data()
{
    QTest::addColumn<int>("sockets");
    QTest::newRow("one") << 1;
    QTest::newRow("ten") << 10;
    QTest::newRow("two hundred") << 200;
}

void tst_BatchSender::sendsEverythingInOrder()
{
    QFETCH(int, sockets);
    BatchSender sender;
    if (!sender.isAvailable())
        QSKIP("io_uring is not available here");
    std::vector<std::unique_ptr<Pair>> pairs;
    RecordingClient client;
    sender.begin();
    QVERIFY(sender.isCollecting());
    for (int i = 0; i < sockets; ++i) {
        pairs.push_back(std::make_unique<Pair>());
        QVERIFY(sender.queue(pairs.back()->ours, "frame " + QByteArray::number(i), &client) >= 0);
    }
    QVERIFY(client.results.empty()); // nothing is sent before the outermost end()
    sender.begin();
    sender.end();
    QVERIFY(client.results.empty());
    sender.end();
    QVERIFY(!sender.isCollecting());
    QCOMPARE(int(client.results.size()), sockets);
    for (int i = 0; i < sockets; ++i) {
        const QByteArray expected = "frame " + QByteArray::number(i);
        QCOMPARE(client.results[i].bytes, expected);
        QCOMPARE(client.results[i].result, int(expected.size()));
        QCOMPARE(pairs[i]->readAll(), expected);
    }
}

void tst_BatchSender::fullSocketReportsWhatWasNotWritten()
{
    BatchSender sender;
    if (!sender.isAvailable())
        QSKIP("io_uring is not available here");
    Pair full;
    Pair fine;
    // Fill `full` until the kernel takes nothing more.
    const QByteArray chunk(65536, 'f');
    while (::send(full.ours, chunk.constData(), size_t(chunk.size()), MSG_DONTWAIT) > 0) {
    }
    RecordingClient client;
    sender.begin();
    QVERIFY(sender.queue(full.ours, QByteArray(1000, 'x'), &client) >= 0);
    QVERIFY(sender.queue(fine.ours, "after", &client) >= 0);
    sender.end();
    QCOMPARE(int(client.results.size()), 2);
    // A full socket does not block the batch: the send reports EAGAIN (or a short count).
    QVERIFY2(client.results[0].result == -EAGAIN || client.results[0].result < 1000,
             qPrintable(QString::number(client.results[0].result)));
    QCOMPARE(client.results[1].result, 5);
    QCOMPARE(fine.readAll(), QByteArray("after"));
}

void tst_BatchSender::failedSendReportsTheError()
{
    BatchSender sender;
    if (!sender.isAvailable())
        QSKIP("io_uring is not available here");
    Pair closed;
    ::close(closed.theirs);
    closed.theirs = -1;
    RecordingClient client;
    sender.begin();
    QVERIFY(sender.queue(closed.ours, "nobody listens", &client) >= 0);
    sender.end();
    QCOMPARE(int(client.results.size()), 1);
    QCOMPARE(client.results[0].result, -EPIPE); // and no SIGPIPE: MSG_NOSIGNAL
}

void tst_BatchSender::largeBatchesAreSplit()
{
    // More sends than the ring holds: the first part is submitted while queuing goes on, and
    // a client may queue again from its result (as a slow reader's close frame would).
    BatchSender sender;
    if (!sender.isAvailable())
        QSKIP("io_uring is not available here");
    constexpr int PairCount = 50; // a few sends each, well within every socket's buffer
    std::vector<std::unique_ptr<Pair>> pairs;
    for (int i = 0; i < PairCount; ++i)
        pairs.push_back(std::make_unique<Pair>());
    RecordingClient client;
    int requeued = 0;
    client.onDone = [&] {
        if (requeued < 3 && sender.isCollecting()) {
            ++requeued;
            QVERIFY(sender.queue(pairs[0]->ours, "r", &client) >= 0);
        }
    };
    constexpr int Count = 2500;
    sender.begin();
    for (int i = 0; i < Count; ++i)
        QVERIFY(sender.queue(pairs[i % PairCount]->ours, "x", &client) >= 0);
    sender.end();
    QCOMPARE(requeued, 3);
    QCOMPARE(int(client.results.size()), Count + requeued);
    for (const Result &r : client.results)
        QCOMPARE(r.result, 1);
    qsizetype received = 0;
    for (const auto &pair : pairs)
        received += pair->readAll().size();
    QCOMPARE(received, Count + requeued);
}

void tst_BatchSender::appendedBytesGoInTheSameSend()
{
    BatchSender sender;
    if (!sender.isAvailable())
        QSKIP("io_uring is not available here");
    Pair a;
    Pair b;
    RecordingClient first;
    RecordingClient second;
    const QByteArray shared = "broadcast;";
    {
        BatchSender::Scope scope(sender);
        const int entry = sender.queue(a.ours, shared, &first);
        QVERIFY(entry >= 0);
        QVERIFY(sender.queue(b.ours, shared, &second) >= 0);
        QVERIFY(sender.append(entry, &first, "reply;"));
        QVERIFY(sender.append(entry, &first, "more"));
        QVERIFY(first.results.empty());
    }
    QCOMPARE(int(first.results.size()), 1); // one send for the three
    QCOMPARE(first.results[0].bytes, QByteArray("broadcast;reply;more"));
    QCOMPARE(first.results[0].result, int(first.results[0].bytes.size()));
    QCOMPARE(a.readAll(), QByteArray("broadcast;reply;more"));
    QCOMPARE(b.readAll(), shared);
    QCOMPARE(shared, QByteArray("broadcast;")); // the shared frame itself is untouched
}

void tst_BatchSender::cancelledEntrySendsNothing()
{
    // A socket closed while its send waits in the batch: the descriptor's number may belong
    // to another socket by the submission, so the send must not happen at all, and the
    // connection may be deleted by then, so it is not called back.
    BatchSender sender;
    if (!sender.isAvailable())
        QVERIFY2(sender.isAvailable(), "io_uring is what this test is about");
    Pair a;
    Pair b;
    RecordingClient closing;
    RecordingClient other;
    {
        BatchSender::Scope scope(sender);
        const auto entry = sender.queue(a.ours, "reply;", &closing);
        QVERIFY(entry >= 0);
        QVERIFY(sender.queue(b.ours, "kept", &other) >= 0);
        sender.cancel(entry, &other); // not that client's entry: no effect
        sender.cancel(entry, &closing);
    }
    QVERIFY(closing.results.empty()); // it may be gone by now: not told
    QCOMPARE(a.readAll(), QByteArray());
    QCOMPARE(int(other.results.size()), 1);
    QCOMPARE(b.readAll(), QByteArray("kept"));
}

void tst_BatchSender::manyBytesAreSubmittedBeforeTheScopeEnds()
{
    // A scope may last a whole turn of the event loop; the frames it holds are bounded.
    BatchSender sender;
    if (!sender.isAvailable())
        QVERIFY2(sender.isAvailable(), "io_uring is what this test is about");
    std::vector<std::unique_ptr<Pair>> pairs;
    RecordingClient client;
    const QByteArray frame(200 * 1024, 'x'); // fits a socket pair's buffer
    {
        BatchSender::Scope scope(sender);
        for (int i = 0; i < 8; ++i) {
            pairs.push_back(std::make_unique<Pair>());
            int size = 512 * 1024;
            ::setsockopt(pairs.back()->ours, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
            QVERIFY(sender.queue(pairs.back()->ours, frame, &client) >= 0);
        }
        // Six frames (1.2 MiB) were waiting when the seventh came: those six went then.
        QCOMPARE(int(client.results.size()), 6);
    }
    QCOMPARE(int(client.results.size()), 8);
    for (const Result &r : client.results)
        QCOMPARE(r.result, int(frame.size()));
}

void tst_BatchSender::appendOnlyToAWaitingEntry()
{
    BatchSender sender;
    if (!sender.isAvailable())
        QSKIP("io_uring is not available here");
    Pair a;
    RecordingClient client;
    RecordingClient other;
    int entry = -1;
    {
        BatchSender::Scope scope(sender);
        entry = sender.queue(a.ours, "x", &client);
        QVERIFY(entry >= 0);
        QVERIFY(!sender.append(entry, &other, "not yours"));
        QVERIFY(!sender.append(entry + 1, &client, "no such entry"));
    }
    QVERIFY(!sender.append(entry, &client, "after the submission"));
    QCOMPARE(a.readAll(), QByteArray("x"));
}

void tst_BatchSender::disabledSenderQueuesNothing()
{
    BatchSender sender(false);
    QVERIFY(!sender.isAvailable());
    sender.begin();
    QVERIFY(!sender.isCollecting());
    Pair pair;
    RecordingClient client;
    QVERIFY(sender.queue(pair.ours, "x", &client) < 0);
    sender.end();
    QVERIFY(client.results.empty());
}

QTEST_GUILESS_MAIN(tst_BatchSender)
#include "tst_batchsender.moc"
