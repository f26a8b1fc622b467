// SPDX-License-Identifier: MIT
#include "admincommands.h"
#include "backupcommands.h"
#include "commandline.h"
#include "copyabletableview.h"
#include "engine.h"
#include "logging.h"
#include "monitorwindow.h"
#include "unixsignals.h"

#include <QApplication>
#include <QCoreApplication>
#include <QTextStream>
#include <QTimer>

#include <memory>

using namespace chatter::server;

namespace {

//! A window needs a display: X11 or Wayland, or a platform named explicitly (offscreen, vnc...).
bool hasDisplay()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY") ||
           qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

//! Removes a hidden flag (not part of --help) from the arguments; true if it was there.
bool takeFlag(QStringList &arguments, const QString &flag)
{
    return arguments.removeAll(flag) > 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // GLib's dispatcher costs about 30 % CPU with thousands of sockets; every thread of the
    // server uses Qt's own UNIX dispatcher instead.
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication::setApplicationName(QStringLiteral("chatter-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CHATTER_VERSION));

    // The configuration decides which application object to create, so it is read from argv
    // before any exists.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    // Benchmark hooks: responsiveness figures on stderr, and a grab of the window to a file.
    const bool monitorStats = takeFlag(arguments, QStringLiteral("--monitor-stats")) ||
                              qEnvironmentVariableIntValue("CHATTER_MONITOR_STATS") == 1;
    const QString screenshotPath = qEnvironmentVariable("CHATTER_MONITOR_SCREENSHOT");

    // `account ...` and `audit`: work on the database and leave; no engine, no window.
    if (arguments.value(1) == QLatin1StringView("account") ||
        arguments.value(1) == QLatin1StringView("audit")) {
        QCoreApplication app(argc, argv);
        return runAdminCommand(arguments).value_or(2);
    }
    // `backup DEST` and `restore BACKUP`: the same, beside a server that may be running.
    if (arguments.value(1) == QLatin1StringView("backup") ||
        arguments.value(1) == QLatin1StringView("restore")) {
        QCoreApplication app(argc, argv);
        return runBackupCommand(arguments).value_or(2);
    }

    int exitCode = 0;
    const auto config = parseCommandLine(arguments, &exitCode);
    if (!config)
        return exitCode;

    const bool withWindow = !config->headless && hasDisplay();
    std::unique_ptr<QCoreApplication> app;
    if (withWindow)
        app = std::make_unique<QApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    if (const auto logging = setupLogging(
            config->logLevel, LogOutput{config->logFile, config->logFileBytes, config->logFiles});
        !logging) {
        QTextStream(stderr) << "chatter-server: " << logging.error() << Qt::endl;
        return 1;
    }

    Engine engine(*config);
    // Before the "listening" line: whoever starts the server may stop it as soon as it reads
    // that line, and a SIGTERM must then shut down cleanly, not kill.
    // One way out, whichever asks first (a signal or the window): close every socket with 1012
    // (service restart), so clients reconnect later, then leave the event loop.
    bool stopping = false;
    const auto shutdown = [&] {
        if (std::exchange(stopping, true))
            return;
        engine.stop(1012);
        QCoreApplication::quit();
    };
    UnixSignals unixSignals;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, app.get(),
                     [&](int) { shutdown(); });
    // SIGHUP: a renewed certificate is taken for new connections without a restart.
    QObject::connect(&unixSignals, &UnixSignals::reloadRequested, app.get(),
                     [&] { (void)engine.reloadTls(); });
    // The window reads the engine's events; started before listening so it misses none.
    if (withWindow)
        engine.events().startReading();
    if (!engine.start()) {
        QTextStream(stderr) << "chatter-server: cannot listen on " << config->bindAddress.toString()
                            << ':' << config->port << ": " << engine.errorString() << Qt::endl;
        return 1;
    }
    QTextStream(stdout) << "chatter-server listening on " << config->bindAddress.toString() << ':'
                        << engine.port() << (engine.tls() ? " (TLS)" : "") << Qt::endl;
    if (engine.tls())
        QTextStream(stdout) << "chatter-server TLS certificate SHA-256 " << engine.tlsFingerprint()
                            << Qt::endl;

    std::unique_ptr<chatter::monitor::MonitorWindow> window;
    if (withWindow) {
        QApplication::setQuitOnLastWindowClosed(false);
        QApplication::setApplicationDisplayName(QStringLiteral("Chatter server"));
        window = std::make_unique<chatter::monitor::MonitorWindow>(engine);
        QObject::connect(window.get(), &chatter::monitor::MonitorWindow::closed, app.get(),
                         shutdown);
        if (monitorStats)
            window->enableStats();
        if (!screenshotPath.isEmpty()) {
            const int delayMs =
                qEnvironmentVariableIsSet("CHATTER_MONITOR_SCREENSHOT_DELAY_MS")
                    ? qEnvironmentVariableIntValue("CHATTER_MONITOR_SCREENSHOT_DELAY_MS")
                    : 5000;
            QTimer::singleShot(delayMs, window.get(), [&window, screenshotPath] {
                // A selected row shows the actions enabled and the selection colour.
                window->socketsView()->selectRow(0);
                const bool saved = window->grab().save(screenshotPath);
                QTextStream(stderr)
                    << "chatter-server: screenshot " << (saved ? "saved to " : "FAILED: ")
                    << screenshotPath << Qt::endl;
            });
        }
        window->show();
    }
    const int result = app->exec();
    window.reset();
    return result;
}
