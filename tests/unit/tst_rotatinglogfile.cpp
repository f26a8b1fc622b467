// SPDX-License-Identifier: MIT
// RotatingLogFile (--log-file): when it rotates, what it keeps, whole lines from many threads.
#include "rotatinglogfile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <thread>
#include <vector>

using chatter::server::RotatingLogFile;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

class tst_RotatingLogFile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rotatesBySize_data();
    void rotatesBySize();
    void appendsToAnExistingFile();
    void linesFromManyThreadsStayWhole();
    void unwritablePathIsAnError();
};

void tst_RotatingLogFile::rotatesBySize_data()
{
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<int>("keep");
    QTest::addColumn<int>("lines");         // each line is 10 bytes: "line NNNN\n"
    QTest::addColumn<QList<int>>("counts"); // lines in PATH, PATH.1, PATH.2, …; then no more
    QTest::addColumn<int>("lastLine");      // the number of the newest line in PATH

    QTest::newRow("below the limit: one file") << qint64(100) << 3 << 10 << QList<int>{10} << 9;
    QTest::newRow("one line over: a second file")
        << qint64(100) << 3 << 11 << QList<int>{1, 10} << 10;
    QTest::newRow("three files kept") << qint64(100) << 2 << 35 << QList<int>{5, 10, 10} << 34;
    QTest::newRow("keep 0: only the current file") << qint64(100) << 0 << 35 << QList<int>{5} << 34;
    QTest::newRow("the limit is not a multiple of a line")
        << qint64(25) << 5 << 7 << QList<int>{1, 2, 2, 2} << 6;
    QTest::newRow("a line longer than the limit has a file of its own")
        << qint64(4) << 2 << 3 << QList<int>{1, 1, 1} << 2;
}

void tst_RotatingLogFile::rotatesBySize()
{
    QFETCH(qint64, maxBytes);
    QFETCH(int, keep);
    QFETCH(int, lines);
    QFETCH(QList<int>, counts);
    QFETCH(int, lastLine);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("chatter.log"));
    RotatingLogFile log(path, maxBytes, keep);
    QVERIFY(log.open());
    for (int i = 0; i < lines; ++i)
        log.write(QByteArray("line ") + QByteArray::number(i).rightJustified(4, '0') + '\n');

    for (int generation = 0; generation < counts.size(); ++generation) {
        const QString name = generation == 0 ? path : path + QStringLiteral(".%1").arg(generation);
        const QByteArray content = readAll(name);
        QCOMPARE(content.count('\n'), counts.at(generation));
        QVERIFY(content.endsWith('\n'));
        QVERIFY2(content.size() <= std::max<qint64>(maxBytes, 10), qPrintable(name));
    }
    QVERIFY(!QFile::exists(path + QStringLiteral(".%1").arg(counts.size())));
    QVERIFY(readAll(path).endsWith(QByteArray("line ") +
                                   QByteArray::number(lastLine).rightJustified(4, '0') + '\n'));
    // Older files hold older lines: PATH.1 ends where PATH begins.
    if (counts.size() > 1) {
        const QByteArray previous = readAll(path + QStringLiteral(".1"));
        const int firstInCurrent = lastLine - counts.at(0) + 1;
        QVERIFY(previous.endsWith(QByteArray("line ") +
                                  QByteArray::number(firstInCurrent - 1).rightJustified(4, '0') +
                                  '\n'));
    }
}

void tst_RotatingLogFile::appendsToAnExistingFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("chatter.log"));
    {
        QFile earlier(path);
        QVERIFY(earlier.open(QIODevice::WriteOnly));
        earlier.write(QByteArray(60, 'e') + '\n');
    }
    RotatingLogFile log(path, 100, 1);
    QVERIFY(log.open());
    log.write("1234567890123456789\n"); // 61 + 20 = 81: still the same file
    QCOMPARE(readAll(path).size(), 81);
    log.write("1234567890123456789\n"); // 101 > 100: the earlier content moves to PATH.1
    QCOMPARE(readAll(path), QByteArray("1234567890123456789\n"));
    QVERIFY(readAll(path + QStringLiteral(".1")).startsWith(QByteArray(60, 'e')));
}

void tst_RotatingLogFile::linesFromManyThreadsStayWhole()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("chatter.log"));
    constexpr int Threads = 4;
    constexpr int LinesEach = 2000;
    // Room for every line in PATH and its 20 older files, with many rotations on the way.
    RotatingLogFile log(path, 8192, 20);
    QVERIFY(log.open());
    std::vector<std::thread> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&log, t] {
            for (int i = 0; i < LinesEach; ++i)
                log.write(QByteArray("thread ") + QByteArray::number(t) + " line " +
                          QByteArray::number(i).rightJustified(5, '0') + '\n');
        });
    }
    for (std::thread &thread : threads)
        thread.join();

    QList<int> next(Threads, 0);
    // Oldest file first; within a thread, lines keep their order.
    for (int generation = 20; generation >= 0; --generation) {
        const QString name = generation == 0 ? path : path + QStringLiteral(".%1").arg(generation);
        if (!QFile::exists(name))
            continue;
        const QByteArray content = readAll(name);
        QVERIFY(content.size() <= 8192);
        for (const QByteArray &line : content.split('\n')) {
            if (line.isEmpty())
                continue;
            const QList<QByteArray> words = line.split(' ');
            QCOMPARE(words.size(), 4);
            const int thread = words.at(1).toInt();
            QVERIFY(thread >= 0 && thread < Threads);
            QCOMPARE(words.at(3).toInt(), next[thread]);
            ++next[thread];
        }
    }
    QCOMPARE(next, QList<int>(Threads, LinesEach));
}

void tst_RotatingLogFile::unwritablePathIsAnError()
{
    QTemporaryDir dir;
    RotatingLogFile log(dir.filePath(QStringLiteral("missing/chatter.log")), 100, 1);
    const auto opened = log.open();
    QVERIFY(!opened);
    QVERIFY2(opened.error().contains(QLatin1String("missing/chatter.log")),
             qPrintable(opened.error()));
}

} // namespace

QTEST_GUILESS_MAIN(tst_RotatingLogFile)
#include "tst_rotatinglogfile.moc"
