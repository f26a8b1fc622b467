// SPDX-License-Identifier: MIT
#include "logging.h"

#include "journalrecord.h"
#include "rotatinglogfile.h"

#include <memory>

namespace chatter::server {

Q_LOGGING_CATEGORY(lcNet, "chatter.net")
Q_LOGGING_CATEGORY(lcProtocol, "chatter.protocol")
Q_LOGGING_CATEGORY(lcChannel, "chatter.channel")
Q_LOGGING_CATEGORY(lcIdentity, "chatter.identity")
Q_LOGGING_CATEGORY(lcCluster, "chatter.cluster")
Q_LOGGING_CATEGORY(lcDiscovery, "chatter.discovery")

namespace {

// Set once by setupLogging, before the engine starts any thread; read by the handler on every
// thread that logs.
std::unique_ptr<RotatingLogFile> logFile;
bool toJournal = false;
QtMessageHandler previousHandler = nullptr;

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (logFile) {
        logFile->write((qFormatLogMessage(type, context, message) + QLatin1Char('\n')).toUtf8());
        return;
    }
    // The journal keeps its own time and priority: the record is the bare message.
    if (toJournal && journal::send(type, context.category, message))
        return;
    previousHandler(type, context, message);
}

} // namespace

Expected<void> setupLogging(const QString &level, const LogOutput &output)
{
    qSetMessagePattern(QStringLiteral(
        "%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}"
        "%{if-warning}warning%{endif}%{if-critical}error%{endif}%{if-fatal}fatal%{endif} "
        "%{category}: %{message}"));
    QString rules;
    if (level == QLatin1String("debug"))
        rules = QStringLiteral("chatter.*.debug=true");
    else if (level == QLatin1String("warning"))
        rules = QStringLiteral("chatter.*.debug=false\nchatter.*.info=false");
    else if (level == QLatin1String("error"))
        rules =
            QStringLiteral("chatter.*.debug=false\nchatter.*.info=false\nchatter.*.warning=false");
    else
        rules = QStringLiteral("chatter.*.debug=false\nchatter.*.info=true");
    QLoggingCategory::setFilterRules(rules);

    if (!output.file.isEmpty()) {
        auto file = std::make_unique<RotatingLogFile>(output.file, output.fileBytes, output.files);
        if (auto opened = file->open(); !opened)
            return failure(QStringLiteral("cannot open the log file %1").arg(opened.error()));
        logFile = std::move(file);
    } else {
        toJournal = journal::stderrIsJournal();
    }
    if (logFile || toJournal) {
        QtMessageHandler previous = qInstallMessageHandler(handleMessage);
        if (!previousHandler)
            previousHandler = previous;
    }
    return {};
}

} // namespace chatter::server
