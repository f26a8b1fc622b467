// SPDX-License-Identifier: MIT
#include "accountapi.h"

#include "accountdirectory.h"
#include "apicall.h"
#include "auditlog.h"
#include "bans.h"
#include "engine.h"
#include "logging.h"
#include "messagestore.h"
#include "nicknamepolicy.h"
#include "passwordpool.h"
#include "passwords.h"
#include "sessiontokens.h"
#include "sharedthrottle.h"
#include "topics.h"
#include "worker.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QPointer>
#include <QSqlDatabase>
#include <QTcpSocket>

namespace chatter::server {

//! One request in flight (ApiCall: answered on its worker), with what the handlers need.
struct AccountApi::Call : ApiCall
{
    QHostAddress peer;
    QString bearer; //!< the token of `Authorization: Bearer`, or empty

    Engine &engine() const { return worker->engine(); }
};

namespace {

using Status = QHttpServerResponder::StatusCode;

void refuse(const std::shared_ptr<AccountApi::Call> &call, int status, const QString &reason,
            int retryAfterSecs = 0)
{
    answerJson(call, status, {{QStringLiteral("error"), reason}}, retryAfterSecs);
}

QJsonObject identity(const QString &user, const QString &token, const QString &role)
{
    QJsonObject answer{{QStringLiteral("user"), user},
                       {QStringLiteral("token"), token},
                       {QStringLiteral("role"), role}};
    // Accounts have a personal topic (docs/conversations.md), spelled here by the server:
    // clients do not case-fold nicknames themselves.
    if (role != QLatin1String("guest"))
        answer.insert(QStringLiteral("personal_topic"), topics::user(user));
    return answer;
}

passwords::Cost costOf(const ServerConfig &config)
{
    return config.minimumPasswordCost ? passwords::minimumCost() : passwords::interactiveCost();
}

QString throttleKey(qint64 accountId)
{
    return QStringLiteral("account:%1").arg(accountId);
}

//! A new session for `display`, inserted with `db` in the caller's transaction.
AccountDirectory::Session newSession(const sessiontokens::Token &token, const QString &kind,
                                     qint64 accountId, const QString &display,
                                     const QStringList &keys)
{
    AccountDirectory::Session session;
    session.hash = token.hash;
    session.kind = kind;
    session.accountId = accountId;
    session.display = display;
    session.keys = keys;
    session.createdAt = session.lastUsed = session.lastWritten = QDateTime::currentDateTimeUtc();
    return session;
}

} // namespace

AccountApi::AccountApi(Worker &worker, QObject *parent) : QObject(parent), m_worker(worker) {}

void AccountApi::handle(Endpoint endpoint, const QHttpServerRequest &request,
                        QHttpServerResponder &&responder)
{
    auto call =
        std::make_shared<Call>(Call{{&m_worker, responder.socket(), std::move(responder)}, {}, {}});
    call->peer = call->socket ? call->socket->peerAddress() : QHostAddress();

    // The same origin check as sockets: a page elsewhere cannot sign anybody in or out.
    const QString origin = QString::fromUtf8(headerOf(request, "origin"));
    const QString host = QString::fromUtf8(headerOf(request, "host"));
    const HandshakeValidator &validator = m_worker.validator();
    if (QString why; origin.isEmpty() ? !validator.hostAllowed(host)
                                      : !validator.originAllowed(origin, host, &why)) {
        qCWarning(lcIdentity).noquote()
            << "account request from" << call->peer.toString() << "refused:" << why;
        refuse(call, 403, QStringLiteral("origin not allowed"));
        return;
    }
    const QByteArray authorization = headerOf(request, "authorization");
    if (authorization.size() > 7 &&
        authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        call->bearer = QString::fromUtf8(authorization.mid(7).trimmed());

    using Method = QHttpServerRequest::Method;
    const Method method = request.method();
    QJsonObject body;
    if (method == Method::Post) {
        if (request.body().size() > MaxBodyBytes) {
            refuse(call, 413, QStringLiteral("request body larger than 4096 bytes"));
            return;
        }
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(request.body(), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            refuse(call, 400, QStringLiteral("a JSON object expected"));
            return;
        }
        body = document.object();
    }

    switch (endpoint) {
    case Endpoint::Accounts:
        if (method == Method::Post)
            return registerAccount(call, body);
        break;
    case Endpoint::Password:
        if (method == Method::Post)
            return changePassword(call, body);
        break;
    case Endpoint::Sessions:
        if (method == Method::Post)
            return login(call, body);
        if (method == Method::Delete)
            return logout(call);
        if (method == Method::Get)
            return whoAmI(call);
        break;
    case Endpoint::Guests:
        if (method == Method::Post)
            return guest(call, body);
        break;
    }
    refuse(call, 405, QStringLiteral("method not allowed"));
}

void AccountApi::registerAccount(const CallPtr &call, const QJsonObject &body)
{
    if (!call->engine().config().registrationOpen) {
        refuse(call, 403, QStringLiteral("registration closed"));
        return;
    }
    const QJsonValue user = body.value(QLatin1StringView("user"));
    const QJsonValue password = body.value(QLatin1StringView("password"));
    if (!user.isString() || !password.isString()) {
        refuse(call, 400, QStringLiteral("user and password required"));
        return;
    }
    const auto verdict = NicknamePolicy::examine(user.toString());
    if (!verdict) {
        refuse(call, 400, verdict.error());
        return;
    }
    if (const auto valid = passwords::checkNew(password.toString()); !valid) {
        refuse(call, 400, valid.error());
        return;
    }
    AccountDirectory &accounts = call->engine().accounts();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (const auto holder = accounts.holder(verdict->keys(), {}, {}, now);
        holder != AccountDirectory::Holder::Nobody) {
        refuse(call, 409, QStringLiteral("nickname taken"));
        return;
    }
    // Each registration costs a hash (64 MiB, tens of milliseconds): bounded per address (in a
    // cluster across the nodes; the answer may then come on the cluster thread).
    auto allowed = [call, verdict = *verdict, secret = password.toString()] {
        AccountDirectory::Account account;
        account.display = verdict.display;
        account.role = QStringLiteral("member");
        account.keys = verdict.keys();
        const passwords::Cost cost = costOf(call->engine().config());
        call->engine().passwordPool().start([call, account, cost, secret]() mutable {
            const auto hash = passwords::hash(secret, cost);
            if (!hash) {
                qCWarning(lcIdentity).noquote() << "cannot hash a password:" << hash.error();
                refuse(call, 500, QStringLiteral("internal error"));
                return;
            }
            account.passwordHash = *hash;
            call->engine().store().run([call, account](QSqlDatabase &db) mutable {
                AccountDirectory &directory = call->engine().accounts();
                const QDateTime at = QDateTime::currentDateTimeUtc();
                // Again, now that it is final: a guest may have taken the nickname meanwhile.
                if (directory.holder(account.keys, {}, {}, at) !=
                    AccountDirectory::Holder::Nobody) {
                    refuse(call, 409, QStringLiteral("nickname taken"));
                    return;
                }
                const sessiontokens::Token token = sessiontokens::generate();
                if (!db.transaction()) {
                    refuse(call, 500, QStringLiteral("internal error"));
                    return;
                }
                const auto id = AccountDirectory::insertAccount(db, account, at);
                AccountDirectory::Session session;
                Expected<void> stored = id ? Expected<void>() : failure(id.error());
                if (id) {
                    session = newSession(token, QStringLiteral("account"), *id, account.display,
                                         account.keys);
                    stored = AccountDirectory::insertSession(db, session);
                }
                if (!stored || !db.commit()) {
                    db.rollback();
                    // A key that is already stored (the command line added it meanwhile).
                    refuse(call, 409, QStringLiteral("nickname taken"));
                    return;
                }
                account.id = *id;
                directory.putAccount(account);
                directory.putSession(session);
                qCInfo(lcIdentity).noquote()
                    << "registered" << account.display << "from" << call->peer.toString();
                if (AuditLog *audit = call->engine().audit())
                    audit->record(account.display, QStringLiteral("register"), account.display,
                                  call->peer);
                answerJson(call, 201, identity(account.display, token.text, account.role));
            });
        });
    };
    call->engine().registrationThrottle().acquire(
        call->peer.toString(), {}, [call, allowed = std::move(allowed)](int wait) {
            if (wait) {
                refuse(call, 429, QStringLiteral("too many registrations; try again later"), wait);
                return;
            }
            allowed();
        });
}

void AccountApi::login(const CallPtr &call, const QJsonObject &body)
{
    const QJsonValue user = body.value(QLatin1StringView("user"));
    const QJsonValue password = body.value(QLatin1StringView("password"));
    if (!user.isString() || !password.isString() || user.toString().size() > 64) {
        refuse(call, 400, QStringLiteral("user and password required"));
        return;
    }
    const QStringList keys = NicknamePolicy::keys(user.toString()).keys();
    const auto account = call->engine().accounts().accountByKeys(keys);
    // Unknown nicknames have a budget too, under their key: nobody learns which exist.
    const QString accountKey =
        account ? throttleKey(account->id) : QStringLiteral("key:") + keys.value(0);
    const QString address = call->peer.toString();
    // In a cluster the budget is the cluster's; the answer may come on the cluster thread.
    call->engine().loginThrottle().acquire(
        address, accountKey,
        [call, account, user = user.toString(), password = password.toString(), accountKey,
         address](int wait) {
            if (wait) {
                qCWarning(lcIdentity).noquote()
                    << "login for" << user << "from" << address << "throttled for" << wait << "s";
                if (AuditLog *audit = call->engine().audit())
                    audit->record(user, QStringLiteral("login_failed"), user, call->peer,
                                  QStringLiteral("throttled"));
                refuse(call, 429, QStringLiteral("too many failed logins; try again later"), wait);
                return;
            }
            const passwords::Cost cost = costOf(call->engine().config());
            const QString asked = user;
            const QString secret = password;
            call->engine().passwordPool().start([call, account, cost, asked, secret, accountKey,
                                                 address] {
                bool right = false;
                if (account) {
                    right = passwords::verify(account->passwordHash, secret);
                } else {
                    // As long as a real check, so that the time taken does not tell who exists.
                    static const QByteArray decoy = [cost] {
                        const auto made =
                            passwords::hash(QStringLiteral("not a password of anyone"), cost);
                        return made ? *made : QByteArray();
                    }();
                    passwords::verify(decoy, secret);
                }
                if (!right) {
                    qCWarning(lcIdentity).noquote()
                        << "failed login for" << asked << "from" << call->peer.toString();
                    if (AuditLog *audit = call->engine().audit())
                        audit->record(asked, QStringLiteral("login_failed"), asked, call->peer,
                                      account ? QStringLiteral("wrong password")
                                              : QStringLiteral("unknown nickname"));
                    refuse(call, 401, QStringLiteral("wrong nickname or password"));
                    return;
                }
                call->engine().loginThrottle().refund(address, accountKey);
                if (const auto allowed =
                        call->engine().bans().check(account->display, call->peer, account->id);
                    !allowed) {
                    refuse(call, 403, allowed.error());
                    return;
                }
                call->engine().store().run([call, account](QSqlDatabase &db) {
                    const sessiontokens::Token token = sessiontokens::generate();
                    const AccountDirectory::Session session =
                        newSession(token, QStringLiteral("account"), account->id, account->display,
                                   account->keys);
                    const QDateTime now = QDateTime::currentDateTimeUtc();
                    if (!db.transaction() || !AccountDirectory::insertSession(db, session) ||
                        !AccountDirectory::touchAccount(db, account->id, now) || !db.commit()) {
                        db.rollback();
                        refuse(call, 500, QStringLiteral("internal error"));
                        return;
                    }
                    call->engine().accounts().putSession(session);
                    qCInfo(lcIdentity).noquote()
                        << "login" << account->display << "from" << call->peer.toString();
                    if (AuditLog *audit = call->engine().audit())
                        audit->record(account->display, QStringLiteral("login"), account->display,
                                      call->peer);
                    answerJson(call, 200, identity(account->display, token.text, account->role));
                });
            });
        });
}

void AccountApi::logout(const CallPtr &call)
{
    const QByteArray hash = sessiontokens::hashOf(call->bearer);
    const auto session =
        call->bearer.isEmpty()
            ? std::nullopt
            : call->engine().accounts().session(hash, QDateTime::currentDateTimeUtc());
    if (!session) {
        refuse(call, 401, QStringLiteral("unknown session"));
        return;
    }
    call->engine().store().run([call, hash, display = session->display](QSqlDatabase &db) {
        if (!AccountDirectory::deleteSession(db, hash)) {
            refuse(call, 500, QStringLiteral("internal error"));
            return;
        }
        call->engine().accounts().removeSession(hash);
        call->engine().closeSessions({hash}, QStringLiteral("signed out"));
        if (AuditLog *audit = call->engine().audit())
            audit->record(display, QStringLiteral("logout"), display, call->peer);
        answerJson(call, 200, QJsonObject());
    });
}

void AccountApi::whoAmI(const CallPtr &call)
{
    AccountDirectory &accounts = m_worker.engine().accounts();
    const auto session = call->bearer.isEmpty()
                             ? std::nullopt
                             : accounts.session(sessiontokens::hashOf(call->bearer),
                                                QDateTime::currentDateTimeUtc());
    if (!session) {
        refuse(call, 401, QStringLiteral("unknown session"));
        return;
    }
    QString user = session->display;
    QString role = QStringLiteral("guest");
    if (session->kind == QLatin1String("account")) {
        const auto account = accounts.account(session->accountId);
        if (!account) {
            refuse(call, 401, QStringLiteral("unknown session"));
            return;
        }
        user = account->display;
        role = account->role;
    }
    QJsonObject me{{QStringLiteral("user"), user},
                   {QStringLiteral("role"), role},
                   {QStringLiteral("kind"), session->kind}};
    if (session->kind == QLatin1String("account"))
        me.insert(QStringLiteral("personal_topic"), topics::user(user));
    answerJson(call, 200, me);
}

void AccountApi::changePassword(const CallPtr &call, const QJsonObject &body)
{
    const QByteArray hash = sessiontokens::hashOf(call->bearer);
    const auto session =
        call->bearer.isEmpty()
            ? std::nullopt
            : call->engine().accounts().session(hash, QDateTime::currentDateTimeUtc());
    const auto account = session && session->kind == QLatin1String("account")
                             ? call->engine().accounts().account(session->accountId)
                             : std::nullopt;
    if (!account) {
        refuse(call, 401, QStringLiteral("unknown session"));
        return;
    }
    const QJsonValue oldPassword = body.value(QLatin1StringView("old_password"));
    const QJsonValue newPassword = body.value(QLatin1StringView("new_password"));
    if (!oldPassword.isString() || !newPassword.isString()) {
        refuse(call, 400, QStringLiteral("old_password and new_password required"));
        return;
    }
    if (const auto valid = passwords::checkNew(newPassword.toString()); !valid) {
        refuse(call, 400, valid.error());
        return;
    }
    const QString address = call->peer.toString();
    const QString accountKey = throttleKey(account->id);
    // In a cluster the budget is the cluster's; the answer may come on the cluster thread.
    call->engine().loginThrottle().acquire(
        address, accountKey,
        [call, account, hash, address, accountKey, oldPassword = oldPassword.toString(),
         newPassword = newPassword.toString()](int wait) {
            if (wait) {
                refuse(call, 429, QStringLiteral("too many failed logins; try again later"), wait);
                return;
            }
            const passwords::Cost cost = costOf(call->engine().config());
            call->engine().passwordPool().start([call, account, hash, cost, address, accountKey,
                                                 oldSecret = oldPassword, newSecret = newPassword] {
                if (!passwords::verify(account->passwordHash, oldSecret)) {
                    qCWarning(lcIdentity).noquote()
                        << "failed password change for" << account->display << "from"
                        << call->peer.toString();
                    if (AuditLog *audit = call->engine().audit())
                        audit->record(account->display, QStringLiteral("login_failed"),
                                      account->display, call->peer,
                                      QStringLiteral("password change"));
                    refuse(call, 401, QStringLiteral("wrong password"));
                    return;
                }
                call->engine().loginThrottle().refund(address, accountKey);
                const auto newHash = passwords::hash(newSecret, cost);
                if (!newHash) {
                    refuse(call, 500, QStringLiteral("internal error"));
                    return;
                }
                call->engine().store().run([call, account, hash,
                                            newHash = *newHash](QSqlDatabase &db) {
                    if (!db.transaction() ||
                        !AccountDirectory::updatePassword(db, account->id, newHash) ||
                        !AccountDirectory::deleteSessionsOf(db, account->id, hash) ||
                        !db.commit()) {
                        db.rollback();
                        refuse(call, 500, QStringLiteral("internal error"));
                        return;
                    }
                    AccountDirectory &accounts = call->engine().accounts();
                    accounts.setPassword(account->id, newHash);
                    const QList<QByteArray> revoked = accounts.removeSessionsOf(account->id, hash);
                    call->engine().closeSessions(revoked, QStringLiteral("password changed"));
                    qCInfo(lcIdentity).noquote()
                        << "password changed for" << account->display << "(" << revoked.size()
                        << "other sessions revoked)";
                    if (AuditLog *audit = call->engine().audit())
                        audit->record(
                            account->display, QStringLiteral("password"), account->display,
                            call->peer,
                            QStringLiteral("%1 other sessions revoked").arg(revoked.size()));
                    answerJson(call, 200, QJsonObject());
                });
            });
        });
}

void AccountApi::guest(const CallPtr &call, const QJsonObject &body)
{
    if (call->engine().config().accountsRequired) {
        refuse(call, 403, QStringLiteral("guests not allowed"));
        return;
    }
    const QJsonValue user = body.value(QLatin1StringView("user"));
    if (!user.isString()) {
        refuse(call, 400, QStringLiteral("user required"));
        return;
    }
    const auto verdict = NicknamePolicy::examine(user.toString());
    if (!verdict) {
        refuse(call, 400, verdict.error());
        return;
    }
    call->engine().store().run([call, verdict = *verdict](QSqlDatabase &db) {
        AccountDirectory &accounts = call->engine().accounts();
        // Decided here, on the one thread that adds sessions: two guests cannot both win.
        if (accounts.holder(verdict.keys(), {}, {}, QDateTime::currentDateTimeUtc()) !=
            AccountDirectory::Holder::Nobody) {
            refuse(call, 409, QStringLiteral("nickname taken"));
            return;
        }
        const sessiontokens::Token token = sessiontokens::generate();
        const AccountDirectory::Session session =
            newSession(token, QStringLiteral("guest"), 0, verdict.display, verdict.keys());
        if (!AccountDirectory::insertSession(db, session)) {
            refuse(call, 500, QStringLiteral("internal error"));
            return;
        }
        accounts.putSession(session);
        answerJson(call, 201, identity(verdict.display, token.text, QStringLiteral("guest")));
    });
}

} // namespace chatter::server
