// SPDX-License-Identifier: MIT
#include "httpfeeder.h"

#include <QAbstractHttpServer>
#include <QLoggingCategory>
#include <QTcpSocket>

namespace chatter::server {
namespace {

QLoggingCategory::CategoryFilter g_previousFilter = nullptr;

void withoutHttpServerWarnings(QLoggingCategory *category)
{
    if (g_previousFilter)
        g_previousFilter(category);
    if (qstrcmp(category->categoryName(), "qt.httpserver") == 0)
        category->setEnabled(QtWarningMsg, false);
}

} // namespace

void HttpFeeder::attach(QAbstractHttpServer *server)
{
    g_previousFilter = QLoggingCategory::installFilter(withoutHttpServerWarnings);
    server->bind(this);
    QLoggingCategory::installFilter(g_previousFilter);
}

void HttpFeeder::feed(QTcpSocket *socket)
{
    m_pending.append(socket);
    Q_EMIT newConnection();
}

bool HttpFeeder::hasPendingConnections() const
{
    return !m_pending.isEmpty();
}

QTcpSocket *HttpFeeder::nextPendingConnection()
{
    while (!m_pending.isEmpty()) {
        if (QTcpSocket *socket = m_pending.takeFirst())
            return socket;
    }
    return nullptr;
}

} // namespace chatter::server
