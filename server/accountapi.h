// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>

#include <memory>

class QHttpServerRequest;
class QHttpServerResponder;

namespace chatter::server {

class Worker;

//! The accounts HTTP API of docs/identity.md (`/api/accounts`, `/api/sessions`,
//! `/api/guests`) on one worker. Lives on the worker's thread, as a child of its HttpRoutes.
//!
//! A request is checked here (origin, size, JSON, nickname rules, throttles); password hashes
//! are made and checked on the engine's password pool, database writes run on the store
//! thread, and the answer goes out on this worker (which owns the responder) only after the
//! commit. Answers carry no CORS headers: other origins get nothing they could read.
class AccountApi : public QObject
{
    Q_OBJECT
public:
    enum class Endpoint
    {
        Accounts,
        Password,
        Sessions,
        Guests
    };

    AccountApi(Worker &worker, QObject *parent);

    void handle(Endpoint endpoint, const QHttpServerRequest &request,
                QHttpServerResponder &&responder);

    //! Largest request body (413 beyond).
    static constexpr qsizetype MaxBodyBytes = 4096;

    struct Call;
    using CallPtr = std::shared_ptr<Call>;

private:
    void registerAccount(const CallPtr &call, const QJsonObject &body);
    void login(const CallPtr &call, const QJsonObject &body);
    void logout(const CallPtr &call);
    void whoAmI(const CallPtr &call);
    void changePassword(const CallPtr &call, const QJsonObject &body);
    void guest(const CallPtr &call, const QJsonObject &body);

    Worker &m_worker;
};

} // namespace chatter::server
