// SPDX-License-Identifier: MIT
#include "fakephoenixserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QWebSocket>

FakePhoenixServer::FakePhoenixServer(QObject *parent)
    : QObject(parent), m_server(QStringLiteral("fake"), QWebSocketServer::NonSecureMode)
{
    connect(&m_server, &QWebSocketServer::newConnection, this, &FakePhoenixServer::onNewConnection);
}

FakePhoenixServer::~FakePhoenixServer()
{
    for (QWebSocket *client : std::as_const(m_clients))
        client->abort();
    qDeleteAll(m_clients);
    m_server.close();
}

bool FakePhoenixServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QString FakePhoenixServer::endpoint() const
{
    return QStringLiteral("ws://127.0.0.1:%1/socket").arg(port());
}

QList<QJsonArray> FakePhoenixServer::framesWithEvent(const QString &event) const
{
    QList<QJsonArray> out;
    for (const QJsonArray &frame : m_frames) {
        if (frame.at(3).toString() == event)
            out.append(frame);
    }
    return out;
}

void FakePhoenixServer::send(const QJsonArray &frame)
{
    if (QWebSocket *client = current())
        client->sendTextMessage(
            QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

void FakePhoenixServer::closeCurrent(int code)
{
    if (QWebSocket *client = current())
        client->close(QWebSocketProtocol::CloseCode(code), QStringLiteral("fake close"));
}

void FakePhoenixServer::onNewConnection()
{
    while (QWebSocket *client = m_server.nextPendingConnection()) {
        ++m_connectionsSeen;
        m_clients.append(client);
        connect(client, &QWebSocket::textMessageReceived, this,
                [this, client](const QString &text) { onText(client, text); });
        Q_EMIT clientConnected();
    }
}

void FakePhoenixServer::onText(QWebSocket *client, const QString &text)
{
    const QJsonArray frame = QJsonDocument::fromJson(text.toUtf8()).array();
    m_frames.append(frame);
    const QString event = frame.at(3).toString();
    const bool answer = (event == QLatin1String("heartbeat") && !ignoreHeartbeats) ||
                        event == QLatin1String("phx_join");
    if (answer && client == current()) {
        const QJsonArray reply{frame.at(0), frame.at(1), frame.at(2), QStringLiteral("phx_reply"),
                               QJsonObject{{"status", "ok"}, {"response", QJsonObject()}}};
        client->sendTextMessage(
            QString::fromUtf8(QJsonDocument(reply).toJson(QJsonDocument::Compact)));
    }
    Q_EMIT frameReceived(frame);
}
