// SPDX-License-Identifier: MIT
// What an upload is (docs/files-and-search.md): only real PNG, JPEG, GIF and WebP keep an image
// type, with their size and a thumbnail of at most 320x320; how each type is served; names.
#include "fileinspection.h"

#include <QBuffer>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>
#include <QPainter>
#include <QTest>

namespace inspection = chatter::server::fileinspection;

namespace {

QByteArray encoded(int width, int height, const char *format, bool alpha = false)
{
    QImage image(width, height, alpha ? QImage::Format_ARGB32 : QImage::Format_RGB32);
    image.fill(alpha ? QColor(10, 200, 30, 120) : QColor(10, 200, 30));
    QPainter(&image).drawLine(0, 0, width - 1, height - 1);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    if (!writer.write(image))
        qFatal("cannot write a %s test image (WebP: Debian's qt6-image-formats-plugins, which "
               "'scripts/chatter deps' installs)",
               format);
    return bytes;
}

} // namespace

class tst_FileInspection : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decide_data();
    void decide();
    void bomb();
    void served_data();
    void served();
    void names_data();
    void names();
    void types_data();
    void types();
};

void tst_FileInspection::decide_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("declared");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QSize>("size");
    QTest::addColumn<QSize>("thumb");
    QTest::addColumn<QByteArray>("thumbType");

    const QSize none;
    QTest::newRow("wide PNG") << encoded(1000, 500, "png") << "image/png"
                              << "image/png" << QSize(1000, 500) << QSize(320, 160)
                              << QByteArray("image/jpeg");
    QTest::newRow("tall JPEG") << encoded(300, 900, "jpeg") << "image/jpeg"
                               << "image/jpeg" << QSize(300, 900) << QSize(106, 320)
                               << QByteArray("image/jpeg");
    QTest::newRow("PNG with alpha")
        << encoded(640, 640, "png", true) << "image/png"
        << "image/png" << QSize(640, 640) << QSize(320, 320) << QByteArray("image/png");
    QTest::newRow("WebP") << encoded(800, 200, "webp") << "image/webp"
                          << "image/webp" << QSize(800, 200) << QSize(320, 80)
                          << QByteArray("image/jpeg");
    QTest::newRow("WebP with alpha")
        << encoded(100, 100, "webp", true) << "image/webp"
        << "image/webp" << QSize(100, 100) << QSize(100, 100) << QByteArray("image/png");
    // Qt writes no GIF: the smallest one, by hand.
    const QByteArray gif(
        "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
        "\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        43);
    QTest::newRow("GIF") << gif << "image/gif"
                         << "image/gif" << QSize(1, 1) << QSize(1, 1) << QByteArray("image/png");
    // The declared type only says "image": the bytes say which.
    QTest::newRow("JPEG declared PNG")
        << encoded(20, 10, "jpeg") << "image/png"
        << "image/jpeg" << QSize(20, 10) << QSize(20, 10) << QByteArray("image/jpeg");
    QTest::newRow("HTML declared PNG")
        << QByteArray("<html><script>alert(1)</script></html>") << "image/png"
        << "application/octet-stream" << none << none << QByteArray();
    QTest::newRow("SVG") << QByteArray("<svg xmlns='http://www.w3.org/2000/svg'/>")
                         << "image/svg+xml"
                         << "application/octet-stream" << none << none << QByteArray();
    QTest::newRow("BMP is no image shown inline")
        << encoded(10, 10, "bmp") << "image/bmp"
        << "application/octet-stream" << none << none << QByteArray();
    QTest::newRow("truncated PNG") << encoded(400, 400, "png").left(60) << "image/png"
                                   << "application/octet-stream" << none << none << QByteArray();
    // Only files claiming an image are decoded.
    QTest::newRow("PNG declared as a download")
        << encoded(10, 10, "png") << "application/octet-stream"
        << "application/octet-stream" << none << none << QByteArray();
    QTest::newRow("text") << QByteArray("hello") << "text/plain"
                          << "text/plain" << none << none << QByteArray();
}

void tst_FileInspection::decide()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, declared);
    QFETCH(QString, type);
    QFETCH(QSize, size);
    QFETCH(QSize, thumb);
    QFETCH(QByteArray, thumbType);
    const inspection::Decision d = inspection::decide(content, declared);
    QCOMPARE(d.type, type);
    QCOMPARE(QSize(d.width, d.height), size.isValid() ? size : QSize(0, 0));
    QCOMPARE(QSize(d.thumbWidth, d.thumbHeight), thumb.isValid() ? thumb : QSize(0, 0));
    QCOMPARE(d.thumbType, thumbType);
    if (thumbType.isEmpty()) {
        QVERIFY(d.thumb.isEmpty());
        return;
    }
    // The thumbnail is what it says.
    QImage decoded;
    QVERIFY(decoded.loadFromData(d.thumb, thumbType == "image/png" ? "png" : "jpeg"));
    QCOMPARE(decoded.size(), thumb);
}

void tst_FileInspection::bomb()
{
    // A PNG header claiming 100000 x 100000 pixels over a few bytes: never decoded.
    QByteArray png = encoded(10, 10, "png");
    const auto setBig = [](QByteArray &bytes, int at, quint32 v) {
        bytes[at] = char(v >> 24);
        bytes[at + 1] = char(v >> 16);
        bytes[at + 2] = char(v >> 8);
        bytes[at + 3] = char(v);
    };
    setBig(png, 16, 100000);
    setBig(png, 20, 100000);
    // The IHDR chunk's CRC-32 over its type and data, so that only the size is a lie.
    quint32 crc = 0xffffffff;
    for (int i = 12; i < 29; ++i) {
        crc ^= quint8(png[i]);
        for (int k = 0; k < 8; ++k)
            crc = crc & 1 ? 0xedb88320 ^ (crc >> 1) : crc >> 1;
    }
    setBig(png, 29, ~crc);
    QBuffer claimed(&png);
    QCOMPARE(QImageReader(&claimed).size(), QSize(100000, 100000));
    const inspection::Decision d = inspection::decide(png, QStringLiteral("image/png"));
    QCOMPARE(d.type, QStringLiteral("application/octet-stream"));
    QVERIFY(d.thumb.isEmpty());
}

void tst_FileInspection::served_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<bool>("inlined");
    QTest::newRow("png") << "image/png" << QByteArray("image/png") << true;
    QTest::newRow("jpeg") << "image/jpeg" << QByteArray("image/jpeg") << true;
    QTest::newRow("gif") << "image/gif" << QByteArray("image/gif") << true;
    QTest::newRow("webp") << "image/webp" << QByteArray("image/webp") << true;
    QTest::newRow("svg") << "image/svg+xml" << QByteArray("application/octet-stream") << false;
    QTest::newRow("html") << "text/html" << QByteArray("application/octet-stream") << false;
    QTest::newRow("xhtml") << "application/xhtml+xml" << QByteArray("application/octet-stream")
                           << false;
    QTest::newRow("javascript") << "text/javascript" << QByteArray("application/octet-stream")
                                << false;
    QTest::newRow("text") << "text/plain" << QByteArray("text/plain; charset=utf-8") << false;
    QTest::newRow("pdf") << "application/pdf" << QByteArray("application/pdf") << false;
    QTest::newRow("zip") << "application/zip" << QByteArray("application/zip") << false;
    QTest::newRow("audio") << "audio/ogg" << QByteArray("audio/ogg") << false;
    QTest::newRow("video") << "video/mp4" << QByteArray("video/mp4") << false;
}

void tst_FileInspection::served()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, contentType);
    QFETCH(bool, inlined);
    const inspection::Served s = inspection::servedAs(type);
    QCOMPARE(s.contentType, contentType);
    QCOMPARE(s.inlineDisposition, inlined);
    QCOMPARE(inspection::contentDisposition(QStringLiteral("ü \"x\".png"), inlined),
             QByteArray(inlined ? "inline" : "attachment") +
                 "; filename=\"_ _x_.png\"; filename*=UTF-8''%C3%BC%20%22x%22.png");
}

void tst_FileInspection::names_data()
{
    QTest::addColumn<QString>("given");
    QTest::addColumn<QString>("kept");
    QTest::newRow("plain") << "a.png"
                           << "a.png";
    QTest::newRow("path") << "../../etc/passwd"
                          << "passwd";
    QTest::newRow("windows path") << "C:\\Users\\x\\cat.jpg"
                                  << "cat.jpg";
    QTest::newRow("controls") << QStringLiteral("a\nb\u202Egnp.exe\t")
                              << QStringLiteral("abgnp.exe");
    QTest::newRow("dots") << ".."
                          << "";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("long") << QString(300, QLatin1Char('a')) << QString(255, QLatin1Char('a'));
    QTest::newRow("long multibyte") << QString(200, QChar(0xfc)) << QString(127, QChar(0xfc));
}

void tst_FileInspection::names()
{
    QFETCH(QString, given);
    QFETCH(QString, kept);
    QCOMPARE(inspection::cleanName(given), kept);
}

void tst_FileInspection::types_data()
{
    QTest::addColumn<QByteArray>("declared");
    QTest::addColumn<QString>("clean");
    QTest::newRow("plain") << QByteArray("image/png") << "image/png";
    QTest::newRow("parameters and case") << QByteArray("Text/Plain; charset=UTF-8") << "text/plain";
    QTest::newRow("missing") << QByteArray() << "application/octet-stream";
    QTest::newRow("no subtype") << QByteArray("image") << "application/octet-stream";
    QTest::newRow("injection") << QByteArray("text/html\r\nx: y") << "application/octet-stream";
}

void tst_FileInspection::types()
{
    QFETCH(QByteArray, declared);
    QFETCH(QString, clean);
    QCOMPARE(inspection::cleanType(declared), clean);
}

QTEST_MAIN(tst_FileInspection)
#include "tst_fileinspection.moc"
