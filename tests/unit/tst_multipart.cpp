// SPDX-License-Identifier: MIT
// multipart/form-data as uploads send it (docs/files-and-search.md): the boundary, the part
// named `file`, its file name and type, and bodies that are not well framed.
#include "multipart.h"

#include <QTest>

namespace multipart = chatter::server::multipart;

class tst_Multipart : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void boundary_data();
    void boundary();
    void find_data();
    void find();
};

void tst_Multipart::boundary_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("boundary");
    QTest::newRow("plain") << QByteArray("multipart/form-data; boundary=abc") << QByteArray("abc");
    QTest::newRow("quoted") << QByteArray("multipart/form-data; boundary=\"a b:c\"")
                            << QByteArray("a b:c");
    QTest::newRow("case and spaces")
        << QByteArray("Multipart/Form-Data ;  charset=utf-8; BOUNDARY=x") << QByteArray("x");
    QTest::newRow("not a form") << QByteArray("multipart/mixed; boundary=abc") << QByteArray();
    QTest::newRow("no boundary") << QByteArray("multipart/form-data") << QByteArray();
    QTest::newRow("empty boundary") << QByteArray("multipart/form-data; boundary=") << QByteArray();
    QTest::newRow("too long") << QByteArray("multipart/form-data; boundary=" + QByteArray(71, 'b'))
                              << QByteArray();
    QTest::newRow("raw body") << QByteArray("image/png") << QByteArray();
}

void tst_Multipart::boundary()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, boundary);
    QCOMPARE(multipart::boundaryOf(contentType), boundary);
}

void tst_Multipart::find_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("found");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("filename");
    QTest::addColumn<QByteArray>("type");

    const QByteArray file = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                            "filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\n"
                            "\x89PNG\r\n--XyZ-not-the-end\r\n\r\n--XyZ--\r\n";
    QTest::newRow("one file part") << file << true << QByteArray("\x89PNG\r\n--XyZ-not-the-end\r\n")
                                   << QStringLiteral("cat.png") << QByteArray("image/png");
    QTest::newRow("after another field, with a preamble")
        << QByteArray("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
                      "hello\r\n--XyZ\r\ncontent-disposition: form-data; filename=\"a;b.txt\"; "
                      "name=file\r\ncontent-type: Text/Plain; charset=utf-8\r\n\r\nabc\r\n--XyZ--")
        << true << QByteArray("abc") << QStringLiteral("a;b.txt") << QByteArray("text/plain");
    QTest::newRow("filename* wins")
        << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"; "
                      "filename*=UTF-8''%C3%BC%20b.txt\r\n\r\nz\r\n--XyZ--\r\n")
        << true << QByteArray("z") << QStringLiteral("ü b.txt") << QByteArray();
    QTest::newRow("escaped quote")
        << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                      "filename=\"a\\\"b\"\r\n\r\n\r\n--XyZ--\r\n")
        << true << QByteArray() << QStringLiteral("a\"b") << QByteArray();
    QTest::newRow("no part named file")
        << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=\"other\"; "
                      "filename=\"x\"\r\n\r\nabc\r\n--XyZ--\r\n")
        << false << QByteArray() << QString() << QByteArray();
    QTest::newRow("part never ends")
        << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc") << false
        << QByteArray() << QString() << QByteArray();
    QTest::newRow("headers never end")
        << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n") << false
        << QByteArray() << QString() << QByteArray();
    QTest::newRow("other boundary") << QByteArray("--Other\r\n\r\nx\r\n--Other--") << false
                                    << QByteArray() << QString() << QByteArray();
    QTest::newRow("garbage after delimiter")
        << QByteArray(
               "--XyZjunk\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--XyZ--")
        << false << QByteArray() << QString() << QByteArray();
    QTest::newRow("empty") << QByteArray() << false << QByteArray() << QString() << QByteArray();
}

void tst_Multipart::find()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, found);
    QFETCH(QByteArray, content);
    QFETCH(QString, filename);
    QFETCH(QByteArray, type);
    const auto part = multipart::find(body, "XyZ", "file");
    QCOMPARE(part.has_value(), found);
    if (!found)
        return;
    QCOMPARE(part->body, content);
    QCOMPARE(part->filename, filename);
    QCOMPARE(part->type, type);
}

QTEST_GUILESS_MAIN(tst_Multipart)
#include "tst_multipart.moc"
