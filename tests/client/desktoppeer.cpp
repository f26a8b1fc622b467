// SPDX-License-Identifier: MIT
// chatter-desktop-peer: the desktop client library (ChatSession) driven over stdin/stdout, so
// that browser tests can put a real desktop-library user in a room with a browser user.
//
//   chatter-desktop-peer HOST:PORT NICK [TOKEN PERSONAL_TOPIC]
//   stdin:  "join ROOM" | "say ROOM TEXT" | "quit"
//   stdout: one JSON object per line: {"event":"connected"}, {"event":"joined","room"},
//           {"event":"message","room","id","user","body"}, {"event":"members","room","nicks"}
// With a session token (and the personal topic its answer named) the peer is that registered
// account: the library joins a DM when its first message arrives, and ROOM may be a DM's key
// (dm:<a>:<b>) for "say" as in the messages reported.

#include "chatsession.h"
#include "membermodel.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QTextStream>

#include <cstdio>
#include <unistd.h>

using chatter::client::ChatMessage;
using chatter::client::ChatSession;

namespace {

void emitLine(const QJsonObject &object)
{
    std::fputs(QJsonDocument(object).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void watchMembers(ChatSession &session, const QString &room)
{
    auto *members = session.members(room);
    if (!members || members->property("watched").toBool())
        return;
    members->setProperty("watched", true);
    auto report = [members, room] {
        emitLine({{"event", "members"},
                  {"room", room},
                  {"nicks", QJsonArray::fromStringList(members->nicknames())}});
    };
    QObject::connect(members, &QAbstractItemModel::rowsInserted, members, report);
    QObject::connect(members, &QAbstractItemModel::rowsRemoved, members, report);
    QObject::connect(members, &QAbstractItemModel::modelReset, members, report);
    QObject::connect(members, &QAbstractItemModel::dataChanged, members, report);
    report();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc != 3 && argc != 5) {
        std::fputs("usage: chatter-desktop-peer HOST:PORT NICK [TOKEN PERSONAL_TOPIC]\n", stderr);
        return 2;
    }
    ChatSession session;
    QObject::connect(&session, &ChatSession::connectionStateChanged, &app,
                     [](ChatSession::ConnectionState state) {
                         if (state == ChatSession::ConnectionState::Connected)
                             emitLine({{"event", "connected"}});
                     });
    QObject::connect(&session, &ChatSession::roomJoined, &app,
                     [&session](const QString &room, bool) {
                         emitLine({{"event", "joined"}, {"room", room}});
                         watchMembers(session, room);
                     });
    QObject::connect(&session, &ChatSession::messageReceived, &app,
                     [](const QString &room, const ChatMessage &message) {
                         if (message.isSystem())
                             return;
                         emitLine({{"event", "message"},
                                   {"room", room},
                                   {"id", message.id},
                                   {"user", message.user},
                                   {"body", message.body}});
                     });
    QObject::connect(&session, &ChatSession::roomError, &app,
                     [](const QString &room, const QString &reason) {
                         emitLine({{"event", "error"}, {"room", room}, {"reason", reason}});
                     });

    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, &app, [&] {
        char line[8192];
        if (!std::fgets(line, sizeof line, stdin)) {
            app.quit(); // stdin closed: the test is done with us
            return;
        }
        const QString command = QString::fromUtf8(line).trimmed();
        if (command == QLatin1String("quit")) {
            app.quit();
        } else if (command.startsWith(QLatin1String("join "))) {
            session.joinRoom(command.mid(5).trimmed());
        } else if (command.startsWith(QLatin1String("say "))) {
            const QString rest = command.mid(4);
            const qsizetype space = rest.indexOf(QLatin1Char(' '));
            if (space > 0)
                session.sendMessage(rest.left(space), rest.mid(space + 1));
        }
    });
    // Unbuffered reads: the notifier must see every line as it arrives.
    std::setvbuf(stdin, nullptr, _IONBF, 0);
    if (argc == 5) {
        chatter::client::Identity identity;
        identity.user = QString::fromLocal8Bit(argv[2]);
        identity.token = QString::fromLocal8Bit(argv[3]);
        identity.role = QStringLiteral("member");
        identity.kind = QStringLiteral("account");
        identity.personalTopic = QString::fromLocal8Bit(argv[4]);
        session.connectToServer(QString::fromLocal8Bit(argv[1]), identity);
    } else {
        session.connectToServer(QString::fromLocal8Bit(argv[1]), QString::fromLocal8Bit(argv[2]));
    }
    return app.exec();
}
