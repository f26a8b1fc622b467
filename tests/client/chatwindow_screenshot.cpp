// SPDX-License-Identifier: MIT
// Not a test: stages a short conversation between two windows against an in-process server
// and saves one window as a PNG for the docs. Run under a real X server (Xvfb) for real fonts:
//   xvfb-run -a -s "-screen 0 1280x800x24" build/tests/client/chatwindow_screenshot out.png
// A second argument "dark" makes the client choose dark, as Preferences › Colours › Dark does;
// "conversations" stages signed-in accounts instead: a DM with a reply and reactions, another
// DM and a group conversation unread; "files" stages guest sessions sending an image (shown
// as a thumbnail) and a file (a card with Save), and a file waiting in the composer; "search"
// stages Ctrl+F: results from several conversations, one of them opened at its message, far
// back in its history.
#include "accountclient.h"
#include "attachmentactions.h"
#include "chatsession.h"
#include "composer.h"
#include "fileclient.h"
#include "filetransfer.h"
#include "mainwindow.h"
#include "membermodel.h"
#include "messagemodel.h"
#include "pendingattachments.h"
#include "personalchannel.h"
#include "roomlistmodel.h"
#include "roomsession.h"
#include "search.h"
#include "searchpane.h"
#include "searchresultsmodel.h"
#include "servertestutil.h"
#include "sessiontestutil.h"
#include "systempalette.h"

#include <QApplication>
#include <QComboBox>
#include <QLinearGradient>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QPalette>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace chatter;

using namespace sessiontest;

namespace {

//! The id of the newest message of `room` in `window` whose body is `body`, once it is there.
qint64 idOf(ui::MainWindow &window, const QString &room, const QString &body)
{
    qint64 id = 0;
    // 0 when it never came; the caller says so.
    (void)QTest::qWaitFor(
        [&] {
            const client::MessageModel *model = window.session()->messages(room);
            for (int row = 0; model && row < model->rowCount(); ++row) {
                if (model->at(row).body == body)
                    id = model->at(row).id;
            }
            return id > 0;
        },
        10000);
    return id;
}

//! Alice's window: #lobby and #dev, a DM with bob (a reply, reactions) in view, a DM from
//! carol and a group conversation waiting unread.
int conversations(const QString &out)
{
    // The session tokens the windows keep go to a throwaway settings file.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterScreenshots"));
    QCoreApplication::setApplicationName(QStringLiteral("chatwindow_screenshot"));
    TestServer server;
    server.config().minimumPasswordCost = true;
    if (!server.start())
        return 1;
    const client::Identity aliceId = registered(server, QStringLiteral("alice"));
    const client::Identity bobId = registered(server, QStringLiteral("bob"));
    const client::Identity carolId = registered(server, QStringLiteral("carol"));
    if (!aliceId.isValid() || !bobId.isValid() || !carolId.isValid()) {
        qCritical("chatwindow_screenshot: could not register alice, bob and carol");
        return 1;
    }
    ui::MainWindow alice;
    ui::MainWindow bob;
    ui::MainWindow carol;
    // Light, whatever the platform says (after the windows, which apply the stored Preferences).
    ui::SystemPalette::instance()->setAppearance(ui::Appearance::Light);
    ui::SystemPalette::instance()->followSystem();
    alice.resize(1100, 680);
    for (ui::MainWindow *w : {&bob, &carol}) {
        w->move(60, 60);
        w->show();
    }
    alice.show();
    alice.connectWithSession(server.address(), aliceId);
    bob.connectWithSession(server.address(), bobId);
    carol.connectWithSession(server.address(), carolId);
    for (const char *room : {"lobby", "dev"}) {
        for (ui::MainWindow *w : {&alice, &bob, &carol})
            w->session()->joinRoom(QString::fromLatin1(room));
    }
    const auto ready = [](ui::MainWindow &w) {
        return w.session()->personal() && w.session()->personal()->isJoined() &&
               w.session()->members(QStringLiteral("lobby")) &&
               w.session()->members(QStringLiteral("lobby"))->rowCount() == 3;
    };
    if (!QTest::qWaitFor([&] { return ready(alice) && ready(bob) && ready(carol); }, 15000)) {
        qCritical("chatwindow_screenshot: the three were not signed in and in #lobby in 15 s");
        return 1;
    }
    const auto say = [](ui::MainWindow &w, const QString &room, const QString &text,
                        qint64 replyTo = 0) {
        w.session()->sendMessage(room, text, replyTo);
        QTest::qWait(150);
    };
    say(bob, QStringLiteral("lobby"), QStringLiteral("morning! the LAN server is up again 🎉"));
    say(carol, QStringLiteral("dev"), QStringLiteral("pushed the presence fix"));

    // Alice opens the DM with bob (as "Message" on his row does) and they talk.
    QString dm;
    alice.session()->openDirectMessage(QStringLiteral("bob"),
                                       [&dm](const QString &key, const QString &) { dm = key; });
    if (!QTest::qWaitFor([&] { return !dm.isEmpty() && alice.session()->room(dm); }, 10000)) {
        qCritical("chatwindow_screenshot: no DM with bob");
        return 1;
    }
    QTest::qWait(300);
    say(alice, dm, QStringLiteral("are you coming to the **release review** at 3?"));
    say(alice, dm, QStringLiteral("notes so far: https://example.org/chatter/0.2"));
    const qint64 question =
        idOf(bob, dm, QStringLiteral("are you coming to the **release review** at 3?"));
    say(bob, dm, QStringLiteral("yes — I'll bring the `reconnect` numbers"), question);
    const qint64 answer =
        idOf(alice, dm, QStringLiteral("yes — I'll bring the `reconnect` numbers"));
    if (question == 0 || answer == 0) {
        qCritical("chatwindow_screenshot: the DM's messages did not arrive");
        return 1;
    }
    alice.session()->toggleReaction(dm, answer, QStringLiteral("👍"));
    alice.session()->toggleReaction(dm, answer, QStringLiteral("🎉"));
    say(bob, dm, QStringLiteral("and the slides, @alice"));
    bob.session()->toggleReaction(dm, question, QStringLiteral("✅"));
    QTest::qWait(300);

    // Carol writes to alice directly, and starts a group with both.
    QString carolDm;
    carol.session()->openDirectMessage(
        QStringLiteral("alice"),
        [&carolDm](const QString &key, const QString &) { carolDm = key; });
    if (!QTest::qWaitFor([&] { return !carolDm.isEmpty() && carol.session()->room(carolDm); },
                         10000)) {
        qCritical("chatwindow_screenshot: no DM from carol");
        return 1;
    }
    QTest::qWait(300);
    say(carol, carolDm, QStringLiteral("got a minute after lunch?"));
    say(carol, carolDm, QStringLiteral("about the TLS docs"));
    QString group;
    carol.session()->createGroup({QStringLiteral("alice"), QStringLiteral("bob")},
                                 [&group](const QString &key, const QString &) { group = key; });
    if (!QTest::qWaitFor([&] { return !group.isEmpty() && carol.session()->room(group); }, 10000)) {
        qCritical("chatwindow_screenshot: no group conversation");
        return 1;
    }
    QTest::qWait(500);
    say(carol, group, QStringLiteral("cake in the kitchen 🎂"));

    alice.session()->setCurrentRoom(dm);
    auto *aliceComposer = alice.findChild<ui::Composer *>(QStringLiteral("composer"));
    aliceComposer->setFocus();
    QTest::keyClicks(aliceComposer, QStringLiteral("see you there"));
    alice.activateWindow();
    QTest::qWait(1500);
    alice.grab().save(out);
    return 0;
}

//! Alice's window with the search pane: "release" found in two rooms and a DM, the hit in
//! #lobby (a room she left) opened and highlighted far back in its history.
int search(const QString &out)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterScreenshots"));
    QCoreApplication::setApplicationName(QStringLiteral("chatwindow_screenshot"));
    TestServer server;
    server.config().minimumPasswordCost = true;
    if (!server.start())
        return 1;
    const client::Identity aliceId = registered(server, QStringLiteral("alice"));
    const client::Identity bobId = registered(server, QStringLiteral("bob"));
    if (!aliceId.isValid() || !bobId.isValid()) {
        qCritical("chatwindow_screenshot: could not register alice and bob");
        return 1;
    }
    ui::MainWindow alice;
    ui::MainWindow bob;
    ui::SystemPalette::instance()->setAppearance(ui::Appearance::Light);
    ui::SystemPalette::instance()->followSystem();
    alice.resize(1180, 700);
    bob.move(60, 60);
    bob.show();
    alice.show();
    alice.connectWithSession(server.address(), aliceId);
    bob.connectWithSession(server.address(), bobId);
    for (const char *room : {"lobby", "dev"}) {
        alice.session()->joinRoom(QString::fromLatin1(room));
        bob.session()->joinRoom(QString::fromLatin1(room));
    }
    if (!QTest::qWaitFor(
            [&] {
                return alice.session()->personal() && alice.session()->personal()->isJoined() &&
                       alice.session()->members(QStringLiteral("dev")) &&
                       alice.session()->members(QStringLiteral("dev"))->rowCount() == 2;
            },
            15000)) {
        qCritical("chatwindow_screenshot: alice and bob were not both in #dev within 15 s");
        return 1;
    }
    const auto say = [](ui::MainWindow &w, const QString &room, const QString &text) {
        w.session()->sendMessage(room, text);
        QTest::qWait(60);
    };
    const QString lobby = QStringLiteral("lobby");
    const QString dev = QStringLiteral("dev");
    say(bob, lobby, QStringLiteral("good morning — coffee machine is fixed ☕"));
    say(alice, lobby, QStringLiteral("the release checklist is on the wiki, step 4 is new"));
    say(bob, lobby, QStringLiteral("thanks, reading it now"));
    say(bob, lobby, QStringLiteral("step 4 means we tag before the smoke test?"));
    say(alice, lobby, QStringLiteral("yes: tag, smoke test on the LAN box, then announce"));
    const QStringList chatter = {
        QStringLiteral("lunch at 12:30?"),          QStringLiteral("sure"),
        QStringLiteral("the printer is out of A4"), QStringLiteral("I'll grab some"),
        QStringLiteral("who has the HDMI adapter"), QStringLiteral("in the drawer")};
    for (int i = 0; i < 72; ++i)
        say(i % 2 ? alice : bob, lobby, chatter.at(i % chatter.size()));
    QTest::qWait(800);
    say(bob, dev, QStringLiteral("release notes draft: https://example.org/chatter/0.3"));
    say(alice, dev, QStringLiteral("I'll review the release notes after the stand-up"));
    QString dm;
    alice.session()->openDirectMessage(QStringLiteral("bob"),
                                       [&dm](const QString &key, const QString &) { dm = key; });
    if (!QTest::qWaitFor([&] { return !dm.isEmpty() && alice.session()->room(dm); }, 10000)) {
        qCritical("chatwindow_screenshot: no DM with bob");
        return 1;
    }
    QTest::qWait(300);
    say(alice, dm, QStringLiteral("can you cut the release tonight? I'm out tomorrow"));
    // Bob's side of the DM opens with its first message.
    if (!QTest::qWaitFor(
            [&] { return bob.session()->room(dm) && bob.session()->room(dm)->isJoined(); },
            10000)) {
        qCritical("chatwindow_screenshot: bob did not get the DM");
        return 1;
    }
    say(bob, dm, QStringLiteral("sure, right after the smoke test"));
    // Alice left #lobby since: opening its hit joins it again, at the message, far back.
    alice.session()->leaveRoom(lobby);
    alice.session()->setCurrentRoom(dev);
    QTest::qWait(600);

    alice.activateWindow();
    alice.openSearch();
    auto *pane = alice.findChild<ui::SearchPane *>(QStringLiteral("searchPane"));
    QTest::keyClicks(pane->queryEdit(), QStringLiteral("release"));
    QTest::keyClick(pane->queryEdit(), Qt::Key_Return);
    if (!QTest::qWaitFor([&] { return alice.session()->search()->results()->groupCount() == 3; },
                         10000)) {
        qCritical("chatwindow_screenshot: the search found no results in three conversations "
                  "(%d results in %d, scope %d)",
                  alice.session()->search()->results()->resultCount(),
                  alice.session()->search()->results()->groupCount(),
                  pane->scopeBox()->currentIndex());
        return 1;
    }
    // The #lobby hit, long scrolled out of its room's newest page: opened and highlighted.
    QTreeView *results = pane->resultView();
    const client::SearchResultsModel *model = alice.session()->search()->results();
    for (int group = 0; group < model->rowCount(); ++group) {
        const QModelIndex parent = model->index(group, 0);
        if (parent.data(client::SearchResultsModel::RoomRole).toString() == lobby)
            results->setCurrentIndex(model->index(0, 0, parent));
    }
    results->setFocus();
    QSignalSpy opened(alice.session(), &client::ChatSession::openedAt);
    QTest::keyClick(results->viewport(), Qt::Key_Return);
    // Held already, it opens at once; otherwise when `history {around}` answers.
    if (!QTest::qWaitFor([&] { return !opened.isEmpty(); }, 10000)) {
        qCritical(
            "chatwindow_screenshot: the result did not open (%lld in %s)",
            results->currentIndex().data(client::SearchResultsModel::IdRole).toLongLong(),
            qPrintable(
                results->currentIndex().data(client::SearchResultsModel::RoomRole).toString()));
        return 1;
    }
    QTest::qWait(1200);
    alice.grab().save(out);
    return 0;
}

//! A picture worth previewing: a dashboard-like chart on a gradient.
QImage dashboard()
{
    QImage image(1280, 720, QImage::Format_RGB32);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    QLinearGradient sky(0, 0, 0, 720);
    sky.setColorAt(0, QColor(0x1e, 0x3a, 0x5f));
    sky.setColorAt(1, QColor(0x4a, 0x90, 0xc2));
    painter.fillRect(image.rect(), sky);
    const QList<int> bars{220, 340, 290, 460, 410, 540, 600};
    for (int i = 0; i < bars.size(); ++i) {
        painter.setBrush(QColor::fromHsv(150 + i * 12, 150, 240));
        painter.setPen(Qt::NoPen);
        painter.drawRoundedRect(QRectF(120 + i * 150, 660 - bars.at(i), 100, bars.at(i)), 10, 10);
    }
    painter.setPen(QPen(QColor(255, 214, 102), 8));
    QPolygonF line;
    for (int i = 0; i < bars.size(); ++i)
        line << QPointF(170 + i * 150, 620 - bars.at(i));
    painter.drawPolyline(line);
    return image;
}

//! Uploads `path` as `w` and waits; an empty attachment when it failed.
client::Attachment uploadAs(ui::MainWindow &w, const QString &path)
{
    client::FileTransfer *transfer = w.session()->files()->upload(path);
    (void)QTest::qWaitFor([transfer] { return !transfer->isRunning(); }, 15000);
    if (transfer->state() != client::FileTransfer::State::Done) {
        qCritical("chatwindow_screenshot: upload of %s failed: %s", qPrintable(path),
                  qPrintable(transfer->error()));
        return {};
    }
    return transfer->attachment();
}

//! Alice's window in #design: bob's image as a thumbnail, his PDF as a card, her own file
//! uploaded in the composer with a line typed.
int files(const QString &out)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterScreenshots"));
    QCoreApplication::setApplicationName(QStringLiteral("chatwindow_screenshot"));
    TestServer server;
    if (!server.start())
        return 1;
    const client::Identity aliceId = guest(server, QStringLiteral("alice"));
    const client::Identity bobId = guest(server, QStringLiteral("bob"));
    if (!aliceId.isValid() || !bobId.isValid())
        return 1;
    ui::MainWindow alice;
    ui::MainWindow bob;
    ui::SystemPalette::instance()->setAppearance(ui::Appearance::Light);
    ui::SystemPalette::instance()->followSystem();
    alice.resize(1100, 720);
    bob.move(60, 60);
    bob.show();
    alice.show();
    alice.connectWithSession(server.address(), aliceId);
    bob.connectWithSession(server.address(), bobId);
    for (const char *room : {"lobby", "design"}) {
        alice.session()->joinRoom(QString::fromLatin1(room));
        bob.session()->joinRoom(QString::fromLatin1(room));
    }
    alice.session()->setCurrentRoom(QStringLiteral("design"));
    if (!QTest::qWaitFor(
            [&] { return alice.session()->members(QStringLiteral("design"))->rowCount() == 2; },
            10000))
        return 1;
    QTemporaryDir dir;
    const QString picture = dir.filePath(QStringLiteral("dashboard-v2.png"));
    const QString notes = dir.filePath(QStringLiteral("release-notes-0.3.pdf"));
    const QString budget = dir.filePath(QStringLiteral("budget-q1.ods"));
    dashboard().save(picture);
    for (const auto &[path, size] : {std::pair{notes, 184 * 1024}, std::pair{budget, 23 * 1024}}) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return 1;
        file.write(QByteArray(size, 'x'));
    }
    const client::Attachment image = uploadAs(bob, picture);
    const client::Attachment pdf = uploadAs(bob, notes);
    if (image.id.isEmpty() || pdf.id.isEmpty())
        return 1;
    const QString design = QStringLiteral("design");
    bob.session()->sendMessage(design, QStringLiteral("first cut of the **new dashboard**"), 0,
                               {image});
    QTest::qWait(150);
    bob.session()->sendMessage(design, QStringLiteral("and the notes for Friday"), 0, {pdf});
    QTest::qWait(150);
    alice.session()->sendMessage(design, QStringLiteral("love the colours 😍"));
    QTest::qWait(150);
    auto *aliceComposer = alice.findChild<ui::Composer *>(QStringLiteral("composer"));
    aliceComposer->setFocus();
    alice.attachmentActions()->pending()->addFiles({budget});
    (void)QTest::qWaitFor([&] { return !alice.attachmentActions()->pending()->isUploading(); },
                          15000);
    QTest::keyClicks(aliceComposer, QStringLiteral("updated numbers attached"));
    alice.activateWindow();
    // The thumbnail is fetched at the first paint.
    QTest::qWait(1500);
    alice.grab().save(out);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const QString out =
        argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("desktop-client.png");
    if (argc > 2 && qstrcmp(argv[2], "conversations") == 0)
        return conversations(out);
    if (argc > 2 && qstrcmp(argv[2], "search") == 0)
        return search(out);
    if (argc > 2 && qstrcmp(argv[2], "files") == 0)
        return files(out);
    TestServer server;
    if (!server.start())
        return 1;
    ui::MainWindow alice;
    ui::MainWindow bob;
    // The offscreen and Xvfb platforms have no desktop preference: light unless asked. (After
    // the windows: each applies the stored Preferences as it starts.)
    ui::SystemPalette::instance()->setAppearance(
        argc > 2 && qstrcmp(argv[2], "dark") == 0 ? ui::Appearance::Dark : ui::Appearance::Light);
    ui::SystemPalette::instance()->followSystem();
    alice.resize(1100, 680);
    bob.move(60, 60);
    bob.show();
    alice.show();
    alice.connectTo(server.address(), QStringLiteral("alice"));
    bob.connectTo(server.address(), QStringLiteral("bob"));
    for (const char *room : {"lobby", "dev", "random"}) {
        alice.session()->joinRoom(QString::fromLatin1(room));
        bob.session()->joinRoom(QString::fromLatin1(room));
    }
    alice.session()->setCurrentRoom(QStringLiteral("lobby"));
    bob.session()->setCurrentRoom(QStringLiteral("lobby"));
    if (!QTest::qWaitFor(
            [&] { return alice.session()->members(QStringLiteral("lobby"))->rowCount() == 2; },
            10000)) {
        qCritical("chatwindow_screenshot: alice and bob were not both in #lobby within 10 s");
        return 1;
    }

    auto say = [](ui::MainWindow &w, const QString &room, const QString &text) {
        w.session()->sendMessage(room, text);
        QTest::qWait(150);
    };
    say(bob, "lobby", "morning! the LAN server is up again 🎉");
    say(bob, "lobby", "restarted it with `--sync normal` for the **load test**");
    say(alice, "lobby", "great, thanks bob. Release notes are at https://example.org/chatter/0.1");
    say(bob, "lobby",
        "@alice can you check the reconnect after a server restart?\nI killed it twice, *no* "
        "lost messages.");
    say(alice, "lobby",
        "on it — <b>tags</b> stay plain text, by the way. The log says:\n```\nrejoin lobby "
        "last_seen_id=41\n0 messages missed\n```");
    // Replies, edits and reactions as the conversations contract delivers them; staged in
    // Alice's model, as her session would hold them after the broadcasts.
    client::MessageModel *lobby = alice.session()->messages(QStringLiteral("lobby"));
    client::ChatMessage reply;
    reply.id = lobby->lastId() + 1;
    reply.user = QStringLiteral("bob");
    reply.body = QStringLiteral("perfect, merging the presence fix then");
    reply.at = QDateTime::currentDateTimeUtc();
    reply.replyTo = lobby->at(lobby->rowCount() - 1).id;
    reply.quoteUser = QStringLiteral("alice");
    reply.quoteBody = lobby->at(lobby->rowCount() - 1).body.left(140);
    reply.editedAt = reply.at.addSecs(40);
    reply.reactions = {{QStringLiteral("👍"), {QStringLiteral("alice"), QStringLiteral("carol")}},
                       {QStringLiteral("🚀"), {QStringLiteral("carol")}}};
    lobby->append(reply);
    say(bob, "dev", "pushed the presence fix");
    say(bob, "dev", "@alice, review please?");
    say(bob, "random", "lunch?");
    auto *composer = bob.findChild<ui::Composer *>(QStringLiteral("composer"));
    composer->setFocus();
    QTest::keyClicks(composer, QStringLiteral("brb"));
    // Alice has a draft of her own in #lobby.
    auto *aliceComposer = alice.findChild<ui::Composer *>(QStringLiteral("composer"));
    aliceComposer->setFocus();
    QTest::keyClicks(aliceComposer, QStringLiteral("looks good, merging after lunch"));
    alice.activateWindow();
    QTest::qWait(1500);
    alice.grab().save(out);
    return 0;
}
