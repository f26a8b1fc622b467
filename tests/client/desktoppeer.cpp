// SPDX-License-Identifier: MIT
// chatter-desktop-peer: the desktop client library (ChatSession) driven over stdin/stdout, so
// that browser tests can put a real desktop-library user in a room with a browser user.
//
//   chatter-desktop-peer HOST:PORT NICK [TOKEN PERSONAL_TOPIC]
//   stdin:  "join ROOM" | "say ROOM TEXT" | "dmsay TOPIC TEXT" | "quit"
//   stdout: one JSON object per line: {"event":"connected"}, {"event":"joined","room"},
//           {"event":"message","room","id","user","body"}, {"event":"members","room","nicks"},
//           and with a session: {"event":"dm","topic","id","user","body"} for each `dm` push
//           of the personal topic (docs/conversations.md).
// With a session token the peer signs in as that account and joins its personal topic; DM
// channels are the library's PhoenixChannels on the session's socket, joined on first use.

#include "chatsession.h"
#include "membermodel.h"
#include "phoenixchannel.h"
#include "phoenixsocket.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSocketNotifier>
#include <QTextStream>

#include <cstdio>
#include <unistd.h>

using chatter::client::ChatMessage;
using chatter::client::ChatSession;
using chatter::client::PhoenixChannel;

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
    const QString personalTopic = argc == 5 ? QString::fromLocal8Bit(argv[4]) : QString();
    QMap<QString, PhoenixChannel *> dms; // DM topic → its channel, owned by the socket
    // The personal topic's `dm` pushes: what a DM user is told whether or not the DM is open.
    auto watchPersonal = [&session, &personalTopic] {
        if (personalTopic.isEmpty() || !session.socket())
            return;
        PhoenixChannel *personal = session.socket()->channel(personalTopic);
        QObject::connect(personal, &PhoenixChannel::eventReceived, personal,
                         [](const QString &event, const QJsonValue &payload) {
                             if (event != QLatin1String("dm"))
                                 return;
                             const QJsonObject dm = payload.toObject();
                             emitLine({{"event", "dm"},
                                       {"topic", dm.value(QLatin1String("topic"))},
                                       {"id", dm.value(QLatin1String("id"))},
                                       {"user", dm.value(QLatin1String("user"))},
                                       {"body", dm.value(QLatin1String("body"))}});
                         });
        personal->join();
    };
    QObject::connect(&session, &ChatSession::connectionStateChanged, &app,
                     [](ChatSession::ConnectionState state) {
                         if (state == ChatSession::ConnectionState::Connected)
                             emitLine({{"event", "connected"}});
                     });
    bool personalJoined = false;
    QObject::connect(&session, &ChatSession::connectionStateChanged, &app,
                     [&](ChatSession::ConnectionState state) {
                         if (state != ChatSession::ConnectionState::Connected || personalJoined)
                             return;
                         personalJoined = true;
                         watchPersonal();
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
        } else if (command.startsWith(QLatin1String("dmsay ")) && session.socket()) {
            const QString rest = command.mid(6);
            const qsizetype space = rest.indexOf(QLatin1Char(' '));
            if (space <= 0)
                return;
            const QString topic = rest.left(space);
            PhoenixChannel *&channel = dms[topic];
            if (!channel) {
                channel = session.socket()->channel(topic);
                channel->join();
            }
            // Buffered until the join is answered (PhoenixChannel).
            channel->push(QStringLiteral("new_msg"), {{"body", rest.mid(space + 1)}});
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
        session.connectToServer(QString::fromLocal8Bit(argv[1]), identity);
    } else {
        session.connectToServer(QString::fromLocal8Bit(argv[1]), QString::fromLocal8Bit(argv[2]));
    }
    return app.exec();
}
