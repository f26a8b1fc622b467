// SPDX-License-Identifier: MIT
// The attachment object as the desktop client reads it (docs/files-and-search.md): parsing,
// expiry of signed URLs, the model's role, what may be sent, and URLs made absolute.
#include "attachment.h"
#include "chatmessage.h"
#include "fileclient.h"
#include "messagemodel.h"
#include "roomsession.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace chatter::client;

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

QString signedUrl(const QString &variant, qint64 exp)
{
    return QStringLiteral("/files/q3Zf0Jt5TqK1s0mXcBv7aA/%1?exp=%2&sig=abc").arg(variant).arg(exp);
}

} // namespace

class TestAttachments : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesTheAttachmentObject_data();
    void parsesTheAttachmentObject();
    void messagesCarryTheirAttachmentsInOrder_data();
    void messagesCarryTheirAttachmentsInOrder();
    void expiryComesFromTheSignedUrl_data();
    void expiryComesFromTheSignedUrl();
    void modelRoleAndFreshUrls();
    void whatMayBeSent_data();
    void whatMayBeSent();
    void urlsResolveAgainstTheServer_data();
    void urlsResolveAgainstTheServer();
    void refusalsSayWhy_data();
    void refusalsSayWhy();
};

void TestAttachments::parsesTheAttachmentObject_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<QString>("type");
    QTest::addColumn<bool>("image");
    QTest::addColumn<QSize>("dimensions");
    QTest::addColumn<QSize>("thumb");

    QTest::newRow("image") << QByteArray(R"({"id": "q3Zf0Jt5TqK1s0mXcBv7aA", "name": "screen.png",
        "size": 48213, "type": "image/png", "width": 1280, "height": 720,
        "url": "/files/q3Zf0Jt5TqK1s0mXcBv7aA/screen.png?exp=1765000000&sig=x",
        "thumb_url": "/files/q3Zf0Jt5TqK1s0mXcBv7aA/thumb?exp=1765000000&sig=y",
        "thumb_width": 320, "thumb_height": 180})")
                           << true << "screen.png" << qint64(48213) << "image/png" << true
                           << QSize(1280, 720) << QSize(320, 180);
    QTest::newRow("file") << QByteArray(R"({"id": "AAAAAAAAAAAAAAAAAAAAAA", "name": "notes.pdf",
        "size": 5, "type": "application/pdf", "url": "/files/AAAAAAAAAAAAAAAAAAAAAA/notes.pdf?exp=1&sig=z"})")
                          << true << "notes.pdf" << qint64(5) << "application/pdf" << false
                          << QSize(0, 0) << QSize(0, 0);
    // An image type without a thumbnail cannot be shown inline: a card, like any file.
    QTest::newRow("image type, no thumbnail")
        << QByteArray(
               R"({"id": "B", "name": "x.png", "size": 1, "type": "image/png", "url": "/files/B/x.png"})")
        << true << "x.png" << qint64(1) << "image/png" << false << QSize(0, 0) << QSize(0, 0);
    QTest::newRow("no type") << QByteArray(R"({"id": "C", "name": "blob", "size": 2, "url": "/u"})")
                             << true << "blob" << qint64(2) << "application/octet-stream" << false
                             << QSize(0, 0) << QSize(0, 0);
    QTest::newRow("no id") << QByteArray(R"({"name": "a", "url": "/u"})") << false << ""
                           << qint64(0) << "" << false << QSize() << QSize();
    QTest::newRow("no name") << QByteArray(R"({"id": "D", "url": "/u"})") << false << ""
                             << qint64(0) << "" << false << QSize() << QSize();
    QTest::newRow("no url") << QByteArray(R"({"id": "D", "name": "a"})") << false << "" << qint64(0)
                            << "" << false << QSize() << QSize();
}

void TestAttachments::parsesTheAttachmentObject()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, valid);
    const auto attachment = Attachment::fromJson(QJsonDocument::fromJson(input).object());
    QCOMPARE(attachment.has_value(), valid);
    if (!valid)
        return;
    QFETCH(QString, name);
    QFETCH(qint64, size);
    QFETCH(QString, type);
    QFETCH(bool, image);
    QFETCH(QSize, dimensions);
    QFETCH(QSize, thumb);
    QCOMPARE(attachment->name, name);
    QCOMPARE(attachment->size, size);
    QCOMPARE(attachment->type, type);
    QCOMPARE(attachment->isImage(), image);
    QCOMPARE(QSize(attachment->width, attachment->height), dimensions);
    QCOMPARE(QSize(attachment->thumbWidth, attachment->thumbHeight), thumb);
}

void TestAttachments::messagesCarryTheirAttachmentsInOrder_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("ids");

    QTest::newRow("broadcast, body empty")
        << QByteArray(R"({"id": 7, "user": "alice", "body": "", "at": "2026-12-05T09:00:00.000Z",
            "attachments": [{"id": "b", "name": "2.txt", "size": 1, "url": "/files/b/2.txt"},
                            {"id": "a", "name": "1.txt", "size": 1, "url": "/files/a/1.txt"}]})")
        << QStringList{"b", "a"};
    QTest::newRow("malformed entries skipped")
        << QByteArray(R"({"id": 7, "user": "alice", "body": "hi", "attachments": [{"id": "x"}, 3,
            {"id": "c", "name": "c", "url": "/c"}]})")
        << QStringList{"c"};
    QTest::newRow("none") << QByteArray(R"({"id": 7, "user": "alice", "body": "hi"})")
                          << QStringList{};
    QTest::newRow("deleted") << QByteArray(R"({"id": 7, "deleted": true})") << QStringList{};
}

void TestAttachments::messagesCarryTheirAttachmentsInOrder()
{
    QFETCH(QByteArray, input);
    QFETCH(QStringList, ids);
    const auto message = ChatMessage::fromJson(QJsonDocument::fromJson(input).object());
    QVERIFY(message);
    QStringList got;
    for (const Attachment &a : message->attachments)
        got << a.id;
    QCOMPARE(got, ids);
}

void TestAttachments::expiryComesFromTheSignedUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("expired");
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QTest::newRow("past") << signedUrl("a.txt", now - 10) << true;
    QTest::newRow("future") << signedUrl("a.txt", now + 3600) << false;
    QTest::newRow("no exp") << QStringLiteral("/files/x/a.txt") << false;
}

void TestAttachments::expiryComesFromTheSignedUrl()
{
    QFETCH(QString, url);
    QFETCH(bool, expired);
    Attachment a;
    a.url = url;
    QCOMPARE(a.isExpired(), expired);
}

void TestAttachments::modelRoleAndFreshUrls()
{
    MessageModel model;
    auto message = ChatMessage::fromJson(json(R"({"id": 1, "user": "a", "body": "",
        "attachments": [{"id": "f", "name": "f.txt", "size": 3, "url": "/files/f/f.txt?exp=1&sig=s"}]})"));
    QVERIFY(message);
    QVERIFY(model.append(*message));
    auto held = model.index(0).data(MessageModel::AttachmentsRole).value<QList<Attachment>>();
    QCOMPARE(held.size(), 1);
    QVERIFY(held.first().isExpired());
    QCOMPARE(model.roleNames().value(MessageModel::AttachmentsRole), QByteArray("attachments"));

    // `history {around}` brought the message again: its fresh URLs replace the old ones.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    Attachment fresh = held.first();
    fresh.url = signedUrl("f.txt", QDateTime::currentSecsSinceEpoch() + 3600);
    QVERIFY(model.applyAttachments(1, {fresh}));
    QCOMPARE(changed.size(), 1);
    held = model.index(0).data(MessageModel::AttachmentsRole).value<QList<Attachment>>();
    QVERIFY(!held.first().isExpired());
    QVERIFY(!model.applyAttachments(99, {fresh}));

    // A deleted message loses its attachments.
    QVERIFY(model.applyDeletion(1));
    QVERIFY(
        model.index(0).data(MessageModel::AttachmentsRole).value<QList<Attachment>>().isEmpty());
}

void TestAttachments::whatMayBeSent_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<int>("files");
    QTest::addColumn<bool>("ok");
    QTest::newRow("text") << "hi" << 0 << true;
    QTest::newRow("empty, no files") << "" << 0 << false;
    QTest::newRow("blank, no files") << "  \n" << 0 << false;
    QTest::newRow("empty with a file") << "" << 1 << true;
    QTest::newRow("text with ten files") << "look" << 10 << true;
    QTest::newRow("eleven files") << "" << 11 << false;
    QTest::newRow("too long with a file") << QString(4001, QLatin1Char('x')) << 1 << false;
}

void TestAttachments::whatMayBeSent()
{
    QFETCH(QString, body);
    QFETCH(int, files);
    QFETCH(bool, ok);
    QList<Attachment> attachments;
    for (int i = 0; i < files; ++i) {
        Attachment a;
        a.id = QString::number(i);
        attachments.append(a);
    }
    QCOMPARE(RoomSession::checkMessage(body, attachments).isEmpty(), ok);
}

void TestAttachments::urlsResolveAgainstTheServer_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("resolved");
    QTest::newRow("ws") << "ws://127.0.0.1:4000/socket"
                        << "/files/a/b.png?exp=1&sig=x%2By"
                        << "http://127.0.0.1:4000/files/a/b.png?exp=1&sig=x%2By";
    QTest::newRow("wss") << "wss://chat.lan:4443"
                         << "/files/a/thumb?exp=2&sig=s"
                         << "https://chat.lan:4443/files/a/thumb?exp=2&sig=s";
    QTest::newRow("bare host") << "chat.lan"
                               << "/files/a/b.txt"
                               << "http://chat.lan:4000/files/a/b.txt";
    QTest::newRow("ipv6") << "ws://[::1]:4000"
                          << "/files/a/b.txt"
                          << "http://[::1]:4000/files/a/b.txt";
}

void TestAttachments::urlsResolveAgainstTheServer()
{
    QFETCH(QString, server);
    QFETCH(QString, url);
    QFETCH(QString, resolved);
    FileClient files;
    files.setServer(server);
    QCOMPARE(files.resolve(url).toString(QUrl::FullyEncoded), resolved);
}

void TestAttachments::refusalsSayWhy_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<int>("retryAfter");
    QTest::addColumn<QString>("says");
    QTest::newRow("too large") << 413
                               << QByteArray(
                                      R"({"error":"too large","message":"m","limit":26214400})")
                               << 0 << "25.0 MB";
    QTest::newRow("quota") << 429
                           << QByteArray(R"({"error":"quota","message":"m","limit":524288000})")
                           << 7200 << "500.0 MB a day; try again in 2 hours";
    QTest::newRow("unauthorized") << 401 << QByteArray(R"({"error":"unauthorized"})") << 0
                                  << "sign in again";
    QTest::newRow("bad request") << 400
                                 << QByteArray(
                                        R"({"error":"bad request","message":"no file name"})")
                                 << 0 << "no file name";
    QTest::newRow("expired") << 403 << QByteArray(R"({"error":"expired"})") << 0 << "expired";
}

void TestAttachments::refusalsSayWhy()
{
    QFETCH(int, status);
    QFETCH(QByteArray, answer);
    QFETCH(int, retryAfter);
    QFETCH(QString, says);
    QLocale::setDefault(QLocale::c());
    const QString text =
        FileClient::describeRefusal(status, QJsonDocument::fromJson(answer).object(), retryAfter);
    QVERIFY2(text.contains(says), qPrintable(text));
}

QTEST_GUILESS_MAIN(TestAttachments)
#include "tst_attachments.moc"
