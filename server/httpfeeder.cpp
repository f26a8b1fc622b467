// SPDX-License-Identifier: MIT
#include "httpfeeder.h"

#include <QAbstractHttpServer>
#include <QLoggingCategory>
#include <QTcpSocket>

#include <mutex>

namespace chatter::server {
namespace {

QLoggingCategory::CategoryFilter g_previousFilter = nullptr;
QtMessageHandler g_previousHandler = nullptr;

void withoutHttpServerWarnings(QLoggingCategory *category)
{
    if (g_previousFilter)
        g_previousFilter(category);
    if (qstrcmp(category->categoryName(), "qt.httpserver") == 0)
        category->setEnabled(QtWarningMsg, false);
}

//! QTcpServer warns on every nextPendingConnection() of a server that is not listening, which
//! is exactly how QHttpServer takes each connection from the feeder.
void withoutNotListeningWarning(QtMsgType type, const QMessageLogContext &context,
                                const QString &message)
{
    if (type == QtWarningMsg &&
        message.startsWith(
            QLatin1String("QTcpServer::nextPendingConnection() called while not listening")))
        return;
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

} // namespace

HttpFeeder::HttpFeeder(QObject *parent) : QTcpServer(parent)
{
    static std::once_flag once;
    std::call_once(once,
                   [] { g_previousHandler = qInstallMessageHandler(withoutNotListeningWarning); });
    setMaxPendingConnections(1 << 20);
}

void HttpFeeder::attach(QAbstractHttpServer *server)
{
    g_previousFilter = QLoggingCategory::installFilter(withoutHttpServerWarnings);
    server->bind(this);
    QLoggingCategory::installFilter(g_previousFilter);
}

void HttpFeeder::feed(QTcpSocket *socket)
{
    addPendingConnection(socket);
}

} // namespace chatter::server
