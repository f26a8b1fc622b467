// SPDX-License-Identifier: MIT
#include "isotime.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>

using namespace chatter;

namespace {

QString qtIso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

class tst_IsoTime : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void knownInstants_data();
    void knownInstants();
    void matchesQtOverTheWholeRange();
    void otherTextIsReadByQt_data();
    void otherTextIsReadByQt();
    void nowIsNow();
};

void tst_IsoTime::knownInstants_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("epoch") << qint64(0) << "1970-01-01T00:00:00.000Z";
    QTest::newRow("one ms before the epoch") << qint64(-1) << "1969-12-31T23:59:59.999Z";
    QTest::newRow("leap day 2024") << qint64(1709208000123) << "2024-02-29T12:00:00.123Z";
    QTest::newRow("last ms of 2026") << qint64(1798761599999) << "2026-12-31T23:59:59.999Z";
    QTest::newRow("2000-03-01") << qint64(951868800000) << "2000-03-01T00:00:00.000Z";
    QTest::newRow("year 1") << qint64(-62135596800000) << "0001-01-01T00:00:00.000Z";
    QTest::newRow("year 9999") << qint64(253402300799999) << "9999-12-31T23:59:59.999Z";
}

void tst_IsoTime::knownInstants()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(isotime::fromMsecs(ms), text);
    QCOMPARE(isotime::fromMsecs(ms), qtIso(ms));
    QCOMPARE(isotime::toMsecs(text), ms);
}

void tst_IsoTime::matchesQtOverTheWholeRange()
{
    // Random instants between the years 1 and 9999, and every hour of a leap year's February.
    constexpr qint64 First = -62135596800000;
    constexpr qint64 Last = 253402300799999;
    QRandomGenerator random(19);
    for (int i = 0; i < 20000; ++i) {
        const qint64 ms = First + qint64(random.bounded(quint64(Last - First)));
        QCOMPARE(isotime::fromMsecs(ms), qtIso(ms));
        QCOMPARE(isotime::toMsecs(qtIso(ms)), ms);
    }
    for (qint64 ms = 1706745600000; ms < 1709251200000; ms += 3600 * 1000 + 7)
        QCOMPARE(isotime::fromMsecs(ms), qtIso(ms));
    // Outside four-digit years the text is Qt's own.
    QCOMPARE(isotime::fromMsecs(Last + 1), qtIso(Last + 1));
}

void tst_IsoTime::otherTextIsReadByQt_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("offset") << "2024-02-29T13:00:00.123+01:00" << qint64(1709208000123);
    QTest::newRow("no fraction") << "2024-02-29T12:00:00Z" << qint64(1709208000000);
    QTest::newRow("month 13") << "2024-13-01T00:00:00.000Z" << qint64(0);
    QTest::newRow("month 0") << "2024-00-10T00:00:00.000Z" << qint64(0);
    QTest::newRow("day 0") << "2024-02-00T00:00:00.000Z" << qint64(0);
    QTest::newRow("February 30") << "2024-02-30T00:00:00.000Z" << qint64(0);
    // ISO 8601's end of a day, which Qt reads as the next midnight.
    QTest::newRow("hour 24") << "2024-02-29T24:00:00.000Z" << qint64(1709251200000);
    QTest::newRow("letter for a digit") << "2024-02-29T12:00:0x.000Z" << qint64(0);
    QTest::newRow("empty") << "" << qint64(0);
}

void tst_IsoTime::otherTextIsReadByQt()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    QCOMPARE(isotime::toMsecs(text), ms);
}

void tst_IsoTime::nowIsNow()
{
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const QString text = isotime::now();
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    const qint64 parsed = QDateTime::fromString(text, Qt::ISODateWithMs).toMSecsSinceEpoch();
    QVERIFY2(parsed >= before && parsed <= after, qPrintable(text));
}

QTEST_GUILESS_MAIN(tst_IsoTime)
#include "tst_isotime.moc"
