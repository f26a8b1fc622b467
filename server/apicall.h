// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>

#include <memory>

class QHttpServerRequest;
class QJsonObject;

namespace chatter::server {

class Worker;

//! The value of a request header, its name given in lower case; empty when absent.
QByteArray headerOf(const QHttpServerRequest &request, QByteArrayView lowerName);

//! One HTTP API request in flight (AccountApi, FileApi), answered later from whichever thread
//! finished its work. Made on its worker's thread; the responder belongs to that thread, and
//! only answerJson() (which posts there) touches it.
struct ApiCall
{
    Worker *worker = nullptr;
    QPointer<QTcpSocket> socket;
    QHttpServerResponder responder;
};

//! From any thread: `body` as JSON (`no-store`, `nosniff`, and `Retry-After` when given) goes
//! out on the call's worker, unless the server is stopping or the client is gone.
void answerJson(const std::shared_ptr<ApiCall> &call, int status, const QJsonObject &body,
                int retryAfterSecs = 0);

} // namespace chatter::server
