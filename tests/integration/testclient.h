// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonArray>
#include <QList>
#include <QObject>
#include <QWebSocket>

#include <functional>

//! A Phoenix V2 client for tests: a real QWebSocket that records every frame it receives.
class TestClient : public QObject
{
    Q_OBJECT
public:
    explicit TestClient(QObject *parent = nullptr);

    //! Connects to ws://127.0.0.1:port/socket/websocket?vsn=2.0.0&user=...; true once open.
    [[nodiscard]] bool open(quint16 port, const QString &user, const QString &extraQuery = {});
    //! Connects to `url` (wss:// too, with whatever SSL configuration the socket was given).
    [[nodiscard]] bool openUrl(const QUrl &url);
    void send(const QJsonArray &frame);
    //! Sends a frame and waits for the phx_reply with the same ref; returns its payload.
    QJsonObject request(const QString &joinRef, const QString &topic, const QString &event,
                        const QJsonValue &payload, int timeoutMs = 5000);
    QJsonObject join(const QString &topic, int timeoutMs = 5000);
    //! Waits until a received frame satisfies `match`; returns it (empty, with a warning, on
    //! time-out).
    [[nodiscard]] QJsonArray waitFor(const std::function<bool(const QJsonArray &)> &match,
                                     int timeoutMs = 5000);
    [[nodiscard]] bool waitClosed(int timeoutMs = 5000);

    QWebSocket &socket() { return m_socket; }
    const QList<QJsonArray> &frames() const { return m_frames; }
    int closeCode() const { return m_closeCode; }
    bool isClosed() const { return m_closed; }

private:
    QWebSocket m_socket;
    QList<QJsonArray> m_frames;
    int m_nextRef = 1;
    int m_closeCode = -1;
    bool m_closed = false;
};
