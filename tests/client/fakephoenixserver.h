// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonArray>
#include <QList>
#include <QObject>
#include <QWebSocketServer>

#include <functional>

class QWebSocket;

//! A scripted WebSocket peer for what the real server never does on purpose: ignore
//! heartbeats, close with 1000, send stale join_refs. Frames are V2 JSON arrays.
class FakePhoenixServer : public QObject
{
    Q_OBJECT
public:
    explicit FakePhoenixServer(QObject *parent = nullptr);
    ~FakePhoenixServer() override;

    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    QString endpoint() const;

    //! When set, called for every frame; return true if handled (no automatic answer).
    //! By default joins get `ok {}` and heartbeats get `ok {}` unless ignoreHeartbeats.
    bool ignoreHeartbeats = false;

    int connectionCount() const { return m_connectionsSeen; }
    QWebSocket *current() const { return m_clients.isEmpty() ? nullptr : m_clients.last(); }
    const QList<QJsonArray> &frames() const { return m_frames; }
    QList<QJsonArray> framesWithEvent(const QString &event) const;
    void send(const QJsonArray &frame);
    void closeCurrent(int code);

Q_SIGNALS:
    void clientConnected();
    void frameReceived(const QJsonArray &frame);

private:
    void onNewConnection();
    void onText(QWebSocket *client, const QString &text);

    QWebSocketServer m_server;
    QList<QWebSocket *> m_clients;
    QList<QJsonArray> m_frames;
    int m_connectionsSeen = 0;
};
