// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QTcpSocket>

//! Plain HTTP/1.1 at the byte level over loopback, for what a browser or Qt's client would not
//! send: oversized and trickling requests, several requests on one kept-alive connection.
//! Every wait runs the calling thread's event loop: an in-process engine accepts on it.
namespace httpexchange {

//! A connected socket, from `from` (any loopback address) when given.
[[nodiscard]] bool connectTo(QTcpSocket &socket, quint16 port, const QHostAddress &from = {});
//! Reads one complete response (head and `content-length` body) from the socket; empty, with a
//! warning, on time-out or a connection closed before it was complete.
QByteArray readResponse(QTcpSocket &socket, int timeoutMs = 5000);
//! The status code of a response, or -1.
int statusOf(const QByteArray &response);
//! The body of a response.
QByteArray bodyOf(const QByteArray &response);
//! Waits until the peer has closed the connection (reading and discarding); false on time-out.
[[nodiscard]] bool waitClosed(QTcpSocket &socket, int timeoutMs = 5000);
//! This process's resident memory in KiB (VmRSS), or -1.
qint64 residentKiB();

} // namespace httpexchange
