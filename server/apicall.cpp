// SPDX-License-Identifier: MIT
#include "apicall.h"

#include "engine.h"
#include "worker.h"

#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QJsonObject>

namespace chatter::server {

QByteArray headerOf(const QHttpServerRequest &request, QByteArrayView lowerName)
{
    for (const auto &[name, value] : request.headers()) {
        if (name.compare(lowerName, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

void answerJson(const std::shared_ptr<ApiCall> &call, int status, const QJsonObject &body,
                int retryAfterSecs)
{
    Worker *worker = call->worker;
    if (worker->engine().isStopping())
        return;
    worker->mailbox().post([call, status, body, retryAfterSecs] {
        if (!call->socket)
            return;
        QHttpServerResponder &r = call->responder;
        const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
        r.writeStatusLine(QHttpServerResponder::StatusCode(status));
        r.writeHeader("content-type", "application/json; charset=utf-8");
        r.writeHeader("cache-control", "no-store");
        r.writeHeader("x-content-type-options", "nosniff");
        if (retryAfterSecs > 0)
            r.writeHeader("retry-after", QByteArray::number(retryAfterSecs));
        r.writeHeader("content-length", QByteArray::number(json.size()));
        r.writeBody(json);
    });
}

} // namespace chatter::server
