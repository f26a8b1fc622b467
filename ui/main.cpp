// SPDX-License-Identifier: MIT
// The desktop client: ask where to connect, then open the chat window.
#include "appicon.h"
#include "chatsession.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Chatter"));
    QApplication::setApplicationName(QStringLiteral("chatter"));
    QApplication::setApplicationVersion(QStringLiteral(CHATTER_VERSION));
    QApplication::setWindowIcon(chatter::ui::appIcon());
    // The tray icon keeps running notifications; closing the window still quits.
    QApplication::setQuitOnLastWindowClosed(true);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Chatter desktop client"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption server(QStringLiteral("server"),
                              QStringLiteral("Server address (host:port)."),
                              QStringLiteral("address"));
    QCommandLineOption nick(QStringLiteral("nick"), QStringLiteral("Nickname."),
                            QStringLiteral("name"));
    QCommandLineOption rooms(QStringLiteral("join"),
                             QStringLiteral("Rooms to join, comma separated."),
                             QStringLiteral("rooms"));
    parser.addOptions({server, nick, rooms});
    parser.process(app);

    chatter::ui::MainWindow window;
    QSettings settings;
    window.restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    window.show();
    if (parser.isSet(server) && parser.isSet(nick))
        window.connectTo(parser.value(server), parser.value(nick));
    else if (!window.openConnectDialog())
        return 0;

    QStringList toJoin =
        parser.isSet(rooms)
            ? parser.value(rooms).split(QLatin1Char(','), Qt::SkipEmptyParts)
            : settings.value(QStringLiteral("rooms/joined"), QStringList{QStringLiteral("lobby")})
                  .toStringList();
    for (const QString &room : toJoin)
        window.session()->joinRoom(room.trimmed());
    if (!toJoin.isEmpty())
        window.session()->setCurrentRoom(toJoin.first().trimmed());

    QObject::connect(&app, &QApplication::aboutToQuit, &window, [&window, &settings] {
        settings.setValue(QStringLiteral("window/geometry"), window.saveGeometry());
        settings.setValue(QStringLiteral("rooms/joined"), window.session()->roomNames());
    });
    return app.exec();
}
