// SPDX-License-Identifier: MIT
#include "engine.h"
#include "httpexchange.h"
#include "longpollendpoint.h"
#include "postgresinstance.h"
#include "sqldialect.h"
#include "testengineconfig.h"
#include "worker.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace chatter::server;

//! Uploads and signed file URLs over HTTP on both stores (docs/files-and-search.md): on SQLite
//! the contents lie in `--data-dir`, on PostgreSQL in `file_chunks` (docs/cluster.md "Files"),
//! and the answers are the same byte for byte, Ranges included. On PostgreSQL also: the same
//! bytes are stored once, retention removes chunks no row uses, and a second engine with its
//! own data directory on the same database serves a URL the first signed and accepts its
//! long-poll tokens.
class tst_Files : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void servesWholeFilesRangesAndThumbnails_data();
    void servesWholeFilesRangesAndThumbnails();
    void storesSameBytesOnceAndRetentionRemovesThem_data();
    void storesSameBytesOnceAndRetentionRemovesThem();
    void anotherNodeServesTheFileAndAcceptsTheTokens();

private:
    ServerConfig configFor(const QString &store, const QString &name);
    QString databaseUrl(const QString &name);
    PostgresInstance m_postgres;
    QHash<QString, StoreLocation> m_databases;
};

namespace {

constexpr qint64 Chunk = 256 * 1024;

struct Response
{
    int status = -1;
    QByteArray head;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == name)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
};

Response exchange(quint16 port, const QByteArray &request, int timeoutMs = 20000)
{
    QTcpSocket socket;
    if (!httpexchange::connectTo(socket, port))
        return {};
    socket.write(request);
    const QByteArray raw = httpexchange::readResponse(socket, timeoutMs);
    Response response;
    response.status = httpexchange::statusOf(raw);
    response.head = raw.left(raw.indexOf("\r\n\r\n"));
    response.body = httpexchange::bodyOf(raw);
    return response;
}

QByteArray hostOf(quint16 port)
{
    return "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n";
}

QString registerAccount(quint16 port, const QString &user)
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{"user", user}, {"password", "correct horse battery"}}).toJson();
    const Response r = exchange(port, "POST /api/accounts HTTP/1.1\r\n" + hostOf(port) +
                                          "Content-Type: application/json\r\nContent-Length: " +
                                          QByteArray::number(body.size()) + "\r\n\r\n" + body);
    if (r.status != 201)
        qWarning("registration: %d %s", r.status, r.body.constData());
    return QJsonDocument::fromJson(r.body).object().value("token").toString();
}

//! POST /api/files: the attachment of a 201, or empty.
QJsonObject upload(quint16 port, const QString &token, const QByteArray &name,
                   const QByteArray &type, const QByteArray &bytes)
{
    const Response r = exchange(
        port, "POST /api/files?filename=" + name + " HTTP/1.1\r\n" + hostOf(port) +
                  "Authorization: Bearer " + token.toLatin1() + "\r\nContent-Type: " + type +
                  "\r\nContent-Length: " + QByteArray::number(bytes.size()) + "\r\n\r\n" + bytes);
    if (r.status != 201) {
        qWarning("upload: %d %s", r.status, r.body.constData());
        return {};
    }
    return QJsonDocument::fromJson(r.body).object();
}

Response get(quint16 port, const QString &url, const QByteArray &range = {})
{
    return exchange(port, "GET " + url.toLatin1() + " HTTP/1.1\r\n" + hostOf(port) +
                              (range.isEmpty() ? QByteArray() : "Range: " + range + "\r\n") +
                              "\r\n");
}

//! Bytes that differ from chunk to chunk and within one, so that a chunk or an offset off by
//! one shows.
QByteArray patterned(qint64 size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    quint32 x = seed;
    for (qint64 i = 0; i < size; ++i) {
        x = x * 1664525u + 1013904223u;
        bytes[i] = char(x >> 24);
    }
    return bytes;
}

QByteArray pngImage()
{
    QImage image(900, 700, QImage::Format_RGB32);
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            image.setPixel(x, y, qRgb(x % 256, y % 256, (x * y) % 256));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QByteArray sha256Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

} // namespace

void tst_Files::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
}

QString tst_Files::databaseUrl(const QString &name)
{
    if (!m_databases.contains(name))
        m_databases.insert(name, m_postgres.createDatabase(name));
    const StoreLocation &location = m_databases.value(name);
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(location.user, location.host)
        .arg(location.port)
        .arg(location.database);
}

ServerConfig tst_Files::configFor(const QString &store, const QString &name)
{
    ServerConfig config = loopbackTestConfig();
    if (store == QLatin1String("postgresql"))
        config.database = databaseUrl(name);
    config.search = false;
    config.minimumPasswordCost = true;
    return config;
}

void tst_Files::servesWholeFilesRangesAndThumbnails_data()
{
    QTest::addColumn<QString>("store");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgresql") << QStringLiteral("postgresql");
}

void tst_Files::servesWholeFilesRangesAndThumbnails()
{
    QFETCH(QString, store);
    Engine engine(configFor(store, QStringLiteral("serving")));
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    const quint16 port = engine.port();
    const QString token = registerAccount(port, QStringLiteral("ursula"));
    QVERIFY(!token.isEmpty());

    // A small file: whole, a range, a suffix range, an unsatisfiable one.
    const QJsonObject small =
        upload(port, token, "note.txt", "text/plain", QByteArray("hello, files"));
    const QString smallUrl = small.value("url").toString();
    QVERIFY(!smallUrl.isEmpty());
    Response r = get(port, smallUrl);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("hello, files"));
    r = get(port, smallUrl, "bytes=1-4");
    QCOMPARE(r.status, 206);
    QCOMPARE(r.body, QByteArray("ello"));
    QCOMPARE(r.header("content-range"), QByteArray("bytes 1-4/12"));
    r = get(port, smallUrl, "bytes=-5");
    QCOMPARE(r.status, 206);
    QCOMPARE(r.body, QByteArray("files"));
    r = get(port, smallUrl, "bytes=12-");
    QCOMPARE(r.status, 416);
    QCOMPARE(r.header("content-range"), QByteArray("bytes */12"));

    // Larger than two chunks: whole, and ranges across and at chunk boundaries.
    const QByteArray large = patterned(2 * Chunk + 1000, 7);
    const QJsonObject big = upload(port, token, "big.bin", "application/octet-stream", large);
    const QString bigUrl = big.value("url").toString();
    QVERIFY(!bigUrl.isEmpty());
    QCOMPARE(qint64(big.value("size").toDouble()), large.size());
    r = get(port, bigUrl);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.size(), large.size());
    QVERIFY(r.body == large);
    for (const auto &[first, last] :
         std::initializer_list<std::pair<qint64, qint64>>{{262100, 262200},
                                                          {Chunk - 1, Chunk},
                                                          {Chunk, Chunk},
                                                          {0, Chunk - 1},
                                                          {Chunk - 10, 2 * Chunk + 9},
                                                          {2 * Chunk + 999, 2 * Chunk + 999}}) {
        r = get(port, bigUrl,
                "bytes=" + QByteArray::number(first) + '-' + QByteArray::number(last));
        QCOMPARE(r.status, 206);
        QCOMPARE(r.header("content-range"), "bytes " + QByteArray::number(first) + '-' +
                                                QByteArray::number(last) + '/' +
                                                QByteArray::number(large.size()));
        QVERIFY2(r.body == large.mid(first, last - first + 1),
                 qPrintable(QStringLiteral("bytes %1-%2").arg(first).arg(last)));
    }

    // An image's thumbnail, whole and in part.
    const QJsonObject image = upload(port, token, "picture.png", "image/png", pngImage());
    const QString thumbUrl = image.value("thumb_url").toString();
    QVERIFY2(!thumbUrl.isEmpty(), QJsonDocument(image).toJson().constData());
    r = get(port, thumbUrl);
    QCOMPARE(r.status, 200);
    const QByteArray thumb = r.body;
    QVERIFY(thumb.size() > 100);
    QVERIFY(!QImage::fromData(thumb).isNull());
    r = get(port, thumbUrl, "bytes=10-59");
    QCOMPARE(r.status, 206);
    QCOMPARE(r.body, thumb.mid(10, 50));
    QCOMPARE(r.header("content-range"), "bytes 10-59/" + QByteArray::number(thumb.size()));

    // On PostgreSQL nothing of it is in the data directory.
    const QDir files(QDir(engine.config().effectiveDataDir()).filePath(QStringLiteral("files")));
    QCOMPARE(files.exists(), store == QLatin1String("sqlite"));
    engine.stop();
}

void tst_Files::storesSameBytesOnceAndRetentionRemovesThem_data()
{
    servesWholeFilesRangesAndThumbnails_data();
}

void tst_Files::storesSameBytesOnceAndRetentionRemovesThem()
{
    QFETCH(QString, store);
    const bool postgres = store == QLatin1String("postgresql");
    ServerConfig config = configFor(store, QStringLiteral("retention"));
    // Uploads no message refers to go after 1.5 s, checked every 300 ms.
    config.orphanFileMs = 1500;
    config.retentionIntervalMs = 300;
    Engine engine(config);
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    const quint16 port = engine.port();
    const QString token = registerAccount(port, QStringLiteral("vera"));
    QVERIFY(!token.isEmpty());

    const QByteArray bytes = patterned(Chunk + 5, 11);
    const QByteArray hash = sha256Hex(bytes);
    const QJsonObject first = upload(port, token, "one.bin", "application/octet-stream", bytes);
    const QJsonObject second = upload(port, token, "two.bin", "application/octet-stream", bytes);
    QVERIFY(!first.isEmpty() && !second.isEmpty());
    QVERIFY(first.value("id") != second.value("id"));
    QCOMPARE(get(port, second.value("url").toString()).body, bytes);

    // How many chunks (PostgreSQL) or files (disk) the content has.
    QSqlDatabase db;
    const QString connection = QStringLiteral("tst_files_check");
    if (postgres) {
        auto opened = SqlDialect(m_databases.value(QStringLiteral("retention")))
                          .open(connection, SqlDialect::Role::Reader);
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error()));
        db = *opened;
    }
    const auto stored = [&]() -> qint64 {
        if (!postgres)
            return QFile::exists(QDir(config.effectiveDataDir())
                                     .filePath(QStringLiteral("files/%1/%2")
                                                   .arg(QString::fromLatin1(hash.left(2)),
                                                        QString::fromLatin1(hash))))
                       ? 1
                       : 0;
        QSqlQuery count(db);
        count.prepare(QStringLiteral("SELECT count(*) FROM file_chunks WHERE sha256 = ?"));
        count.addBindValue(QString::fromLatin1(hash));
        return count.exec() && count.next() ? count.value(0).toLongLong() : -1;
    };
    // Two uploads, one copy: two chunks on PostgreSQL (256 KiB + 5 bytes).
    QCOMPARE(stored(), postgres ? 2 : 1);
    if (postgres) {
        QSqlQuery all(db);
        QVERIFY(all.exec(QStringLiteral("SELECT count(*) FROM file_chunks")) && all.next());
        QCOMPARE(all.value(0).toLongLong(), 2);
    }

    // Neither is attached to a message: after the grace period both rows go, and the content
    // with them; the URLs answer 404.
    QTRY_COMPARE_WITH_TIMEOUT(stored(), 0, 15000);
    QCOMPARE(get(port, first.value("url").toString()).status, 404);
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(connection);
    engine.stop();
}

void tst_Files::anotherNodeServesTheFileAndAcceptsTheTokens()
{
    // Two engines, each with its own data directory, on one database.
    Engine nodeA(configFor(QStringLiteral("postgresql"), QStringLiteral("cluster")));
    QVERIFY2(nodeA.start(), qPrintable(nodeA.errorString()));
    Engine nodeB(configFor(QStringLiteral("postgresql"), QStringLiteral("cluster")));
    QVERIFY2(nodeB.start(), qPrintable(nodeB.errorString()));
    QVERIFY(nodeA.config().effectiveDataDir() != nodeB.config().effectiveDataDir());

    const QString token = registerAccount(nodeA.port(), QStringLiteral("wanda"));
    QVERIFY(!token.isEmpty());
    const QByteArray bytes = patterned(Chunk + 300, 23);
    const QJsonObject attachment =
        upload(nodeA.port(), token, "shared.bin", "application/octet-stream", bytes);
    const QString url = attachment.value("url").toString();
    QVERIFY(!url.isEmpty());

    // A's URL on B: whole and a range across the chunk boundary.
    Response r = get(nodeB.port(), url);
    QCOMPARE(r.status, 200);
    QVERIFY(r.body == bytes);
    r = get(nodeB.port(), url, "bytes=262100-262200");
    QCOMPARE(r.status, 206);
    QVERIFY(r.body == bytes.mid(262100, 101));
    // A forged signature is still refused there.
    QString forged = url;
    forged.replace(forged.size() - 2, 2, forged.endsWith(QLatin1String("AA")) ? "BB" : "AA");
    QCOMPARE(get(nodeB.port(), forged).status, 403);

    // A long-poll token made by A's worker passes B's signature check; one from an engine on
    // another database does not.
    const QString pollToken = nodeA.worker(0)->longPoll().makeToken(42);
    const auto parsed = nodeB.worker(0)->longPoll().parseToken(pollToken);
    QVERIFY(parsed.has_value());
    QCOMPARE(parsed->session, quint64(42));
    Engine elsewhere(configFor(QStringLiteral("postgresql"), QStringLiteral("elsewhere")));
    QVERIFY2(elsewhere.start(), qPrintable(elsewhere.errorString()));
    QVERIFY(!elsewhere.worker(0)->longPoll().parseToken(pollToken).has_value());
    QCOMPARE(get(elsewhere.port(), url).status, 403);
    elsewhere.stop();
    nodeB.stop();
    nodeA.stop();
}

QTEST_GUILESS_MAIN(tst_Files)
#include "tst_files.moc"
