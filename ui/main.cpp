// SPDX-License-Identifier: MIT
// The desktop client: ask where to connect, then open the chat window.
#include "appicon.h"
#include "chatsession.h"
#include "mainwindow.h"
#include "preferences.h"
#include "systempalette.h"
#include "tokenstore.h"

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

    // Light or dark as the desktop says (or as Preferences overrides), before any window shows.
    chatter::ui::SystemPalette::instance()->setAppearance(
        chatter::ui::Preferences::load().appearance);
    chatter::ui::SystemPalette::instance()->followSystem();

    chatter::ui::MainWindow window;
    QSettings settings;
    window.restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    window.show();
    const QStringList toJoin =
        parser.isSet(rooms)
            ? parser.value(rooms).split(QLatin1Char(','), Qt::SkipEmptyParts)
            : settings.value(QStringLiteral("rooms/joined"), QStringList{QStringLiteral("lobby")})
                  .toStringList();
    // Session tokens go to the system keychain if this desktop has one (asked over D-Bus),
    // else to the settings file; the window starts once that is known. A cancelled connect
    // dialog leaves the window open: Chat › Connect… is one key away.
    chatter::client::TokenStore::choose(
        [&window, &parser, &server, &nick,
         toJoin](std::unique_ptr<chatter::client::TokenStore> store) {
            window.setTokenStore(std::move(store));
            window.startUp(parser.value(server), parser.value(nick), toJoin);
        },
        &window);

    QObject::connect(&app, &QApplication::aboutToQuit, &window, [&window, &settings] {
        settings.setValue(QStringLiteral("window/geometry"), window.saveGeometry());
        settings.setValue(QStringLiteral("rooms/joined"), window.session()->roomNames());
    });
    return app.exec();
}
