// SPDX-License-Identifier: MIT
#include "commandline.h"
#include "engine.h"
#include "logging.h"
#include "unixsignals.h"

#include <QCoreApplication>
#include <QTextStream>

using namespace chatter::server;

int main(int argc, char *argv[])
{
    // GLib's dispatcher costs about 30 % CPU with thousands of sockets; every thread of the
    // server uses Qt's own UNIX dispatcher instead.
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("chatter-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CHATTER_VERSION));

    int exitCode = 0;
    const auto config = parseCommandLine(QCoreApplication::arguments(), &exitCode);
    if (!config)
        return exitCode;
    setupLogging(config->logLevel);

    Engine engine(*config);
    if (!engine.start()) {
        QTextStream(stderr) << "chatter-server: cannot listen on " << config->bindAddress.toString()
                            << ':' << config->port << ": " << engine.errorString() << Qt::endl;
        return 1;
    }
    QTextStream(stdout) << "chatter-server listening on " << config->bindAddress.toString() << ':'
                        << engine.port() << Qt::endl;

    UnixSignals unixSignals;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &app, [&](int) {
        engine.stop(1012);
        app.quit();
    });
    return app.exec();
}
