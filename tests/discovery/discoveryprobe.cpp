// SPDX-License-Identifier: MIT
// Lists the Chatter servers the client library's ServerBrowser finds, one line per event, for
// tests/discovery/discovery-test.sh (run inside the test's network namespace). Each line is
// followed by the DiscoveredServerModel's row count, so the model is checked with the browser.
// Leaves by itself after --timeout-ms.
#include "discoveredservermodel.h"
#include "serverbrowser.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>
#include <QTimer>

using namespace chatter::client;

namespace {

QString describe(const DiscoveredServer &server)
{
    return QStringLiteral("name=%1|host=%2|address=%3|port=%4|tls=%5|accounts=%6|users=%7|"
                          "version=%8|url=%9")
        .arg(server.name, server.host, server.address.toString())
        .arg(server.port)
        .arg(server.tls ? 1 : 0)
        .arg(server.accountsRequired ? QStringLiteral("required") : QStringLiteral("optional"))
        .arg(server.usersOnline)
        .arg(server.version, server.url().toString());
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption timeout(QStringLiteral("timeout-ms"),
                                     QStringLiteral("Leave after this long (default 60000)."),
                                     QStringLiteral("ms"), QStringLiteral("60000"));
    parser.addOption(timeout);
    parser.process(app);

    QTextStream out(stdout);
    ServerBrowser browser;
    DiscoveredServerModel model(&browser);
    const auto say = [&](const QString &line) {
        out << line << Qt::endl;
        out << "model-rows=" << model.rowCount() << Qt::endl;
    };
    QObject::connect(&browser, &ServerBrowser::availabilityChanged, &app,
                     [&](bool available, const QString &reason) {
                         say(available ? QStringLiteral("available")
                                       : QStringLiteral("unavailable|") + reason);
                     });
    QObject::connect(&browser, &ServerBrowser::serverAdded, &app, [&](const DiscoveredServer &s) {
        say(QStringLiteral("added|") + describe(s));
    });
    QObject::connect(&browser, &ServerBrowser::serverUpdated, &app, [&](const DiscoveredServer &s) {
        say(QStringLiteral("updated|") + describe(s));
    });
    QObject::connect(&browser, &ServerBrowser::serverRemoved, &app,
                     [&](const QString &name) { say(QStringLiteral("removed|name=") + name); });
    browser.start();
    QTimer::singleShot(parser.value(timeout).toInt(), &app, &QCoreApplication::quit);
    return app.exec();
}
