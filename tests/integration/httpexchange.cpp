// SPDX-License-Identifier: MIT
#include "httpexchange.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QTest>

namespace httpexchange {

bool connectTo(QTcpSocket &socket, quint16 port, const QHostAddress &from)
{
    if (!from.isNull() && !socket.bind(from, 0))
        return false;
    // The engine accepts on this (the test's) thread: its event loop must run meanwhile.
    // A server may answer and close at once (a refusal): connected is what counts.
    bool connected = false;
    const auto watch =
        QObject::connect(&socket, &QTcpSocket::connected, [&connected] { connected = true; });
    socket.connectToHost(QHostAddress::LocalHost, port);
    QDeadlineTimer deadline(5000);
    while (!connected && !deadline.hasExpired() &&
           socket.state() != QAbstractSocket::UnconnectedState)
        QTest::qWait(1);
    QObject::disconnect(watch);
    return connected;
}

namespace {

//! The length of the first complete response in `buffer`, or -1.
qsizetype completeLength(const QByteArray &buffer)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return -1;
    qint64 length = 0;
    for (const QByteArray &line : buffer.left(end).split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (trimmed.toLower().startsWith("content-length:"))
            length = trimmed.mid(15).trimmed().toLongLong();
    }
    return buffer.size() >= end + 4 + length ? end + 4 + length : -1;
}

} // namespace

QByteArray readResponse(QTcpSocket &socket, int timeoutMs)
{
    // Bytes read past one response stay in a per-socket property for the next call.
    QByteArray buffer = socket.property("httpexchange.rest").toByteArray();
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        buffer += socket.readAll();
        if (const qsizetype length = completeLength(buffer); length >= 0) {
            socket.setProperty("httpexchange.rest", buffer.mid(length));
            return buffer.left(length);
        }
        if (deadline.hasExpired() || socket.state() != QAbstractSocket::ConnectedState) {
            buffer += socket.readAll();
            if (const qsizetype length = completeLength(buffer); length >= 0)
                return buffer.left(length);
            qWarning("no complete HTTP response; got %d bytes: %s", int(buffer.size()),
                     buffer.left(200).constData());
            return {};
        }
        QTest::qWait(5);
    }
}

int statusOf(const QByteArray &response)
{
    if (!response.startsWith("HTTP/1.1 ") || response.size() < 12)
        return -1;
    return response.mid(9, 3).toInt();
}

QByteArray bodyOf(const QByteArray &response)
{
    const qsizetype end = response.indexOf("\r\n\r\n");
    return end < 0 ? QByteArray() : response.mid(end + 4);
}

bool waitClosed(QTcpSocket &socket, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (socket.state() != QAbstractSocket::UnconnectedState) {
        if (deadline.hasExpired())
            return false;
        QTest::qWait(5);
        socket.readAll();
    }
    return true;
}

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

} // namespace httpexchange
