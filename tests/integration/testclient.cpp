// SPDX-License-Identifier: MIT
#include "testclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

TestClient::TestClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_frames.append(QJsonDocument::fromJson(text.toUtf8()).array());
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_closed = true;
        m_closeCode = int(m_socket.closeCode());
    });
}

bool TestClient::open(quint16 port, const QString &user, const QString &extraQuery)
{
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/socket/websocket?vsn=2.0.0&user=%2%3")
                           .arg(port)
                           .arg(user, extraQuery)));
    return connected.wait(10000) || m_socket.state() == QAbstractSocket::ConnectedState;
}

bool TestClient::openUrl(const QUrl &url)
{
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(url);
    return connected.wait(10000) || m_socket.state() == QAbstractSocket::ConnectedState;
}

void TestClient::send(const QJsonArray &frame)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

QJsonObject TestClient::request(const QString &joinRef, const QString &topic, const QString &event,
                                const QJsonValue &payload, int timeoutMs)
{
    const QString ref = QString::number(m_nextRef++);
    send(QJsonArray{joinRef.isEmpty() ? QJsonValue() : QJsonValue(joinRef), ref, topic, event,
                    payload});
    const QJsonArray reply = waitFor(
        [&](const QJsonArray &f) {
            return f.at(1).toString() == ref && f.at(3).toString() == QLatin1String("phx_reply");
        },
        timeoutMs);
    return reply.at(4).toObject();
}

QJsonObject TestClient::join(const QString &topic, int timeoutMs)
{
    const QString ref = QString::number(m_nextRef);
    return request(ref, topic, QStringLiteral("phx_join"), QJsonObject(), timeoutMs);
}

QJsonArray TestClient::waitFor(const std::function<bool(const QJsonArray &)> &match, int timeoutMs)
{
    qsizetype seen = 0;
    QJsonArray found;
    auto scan = [&] {
        for (; seen < m_frames.size(); ++seen) {
            if (match(m_frames.at(seen))) {
                found = m_frames.at(seen);
                return true;
            }
        }
        return false;
    };
    if (!QTest::qWaitFor(scan, timeoutMs)) {
        QWARN(qPrintable(QStringLiteral("TestClient::waitFor: no matching frame within %1 ms "
                                        "(%2 frames received)")
                             .arg(timeoutMs)
                             .arg(m_frames.size())));
        return {};
    }
    return found;
}

bool TestClient::waitClosed(int timeoutMs)
{
    if (!QTest::qWaitFor([this] { return m_closed; }, timeoutMs)) {
        QWARN(qPrintable(
            QStringLiteral("TestClient::waitClosed: still open after %1 ms").arg(timeoutMs)));
        return false;
    }
    return true;
}
