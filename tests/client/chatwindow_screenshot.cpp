// SPDX-License-Identifier: MIT
// Not a test: stages a short conversation between two windows against an in-process server
// and saves one window as a PNG for the docs. Run under a real X server (Xvfb) for real fonts:
//   xvfb-run -a -s "-screen 0 1280x800x24" build/tests/client/chatwindow_screenshot out.png
// A second argument "dark" makes the client choose dark, as Preferences › Colours › Dark does.
#include "chatsession.h"
#include "composer.h"
#include "mainwindow.h"
#include "membermodel.h"
#include "messagemodel.h"
#include "servertestutil.h"
#include "systempalette.h"

#include <QApplication>
#include <QPalette>
#include <QTest>

using namespace chatter;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const QString out =
        argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("desktop-client.png");
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
    say(bob, "dev", "alice, review please?");
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
