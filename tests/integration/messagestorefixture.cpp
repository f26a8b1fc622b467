// SPDX-License-Identifier: MIT
#include "messagestorefixture.h"

#include "epolleventdispatcher.h"
#include "sqldialect.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <optional>

using namespace chatter::server;

MessageStoreFixture::~MessageStoreFixture()
{
    stopStore();
}

StoredMessage MessageStoreFixture::msg(const QString &room, const QString &body)
{
    return StoredMessage{0, room, QStringLiteral("ann"), body,
                         QStringLiteral("2026-01-01T00:00:00.000Z")};
}

QSqlDatabase MessageStoreFixture::openDirect(const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(SqlDialect(m_location).driverName(), name);
    if (postgres()) {
        db.setHostName(m_location.host);
        db.setPort(m_location.port);
        db.setUserName(m_location.user);
        db.setDatabaseName(m_location.database);
    } else {
        db.setDatabaseName(m_location.path);
    }
    db.open();
    return db;
}

MessageStore *MessageStoreFixture::startStore(MessageStore::Options options, QString *error)
{
    options.location = m_location;
    options.fullSync = false;
    m_thread = new QThread;
    // As the engine does: the dispatcher (and its wake-up descriptor) made here, before anyone
    // posts to the thread.
    m_thread->setEventDispatcher(new EpollEventDispatcher);
    m_store = new MessageStore(options);
    m_store->moveToThread(m_thread);
    QObject::connect(m_thread, &QThread::finished, m_store, &QObject::deleteLater);
    m_thread->start();
    bool opened = false;
    QString why;
    m_store->mailbox().run([&] {
        const auto ready = m_store->open();
        opened = ready.has_value();
        why = ready ? QString() : ready.error();
    });
    if (error)
        *error = why;
    return opened ? m_store : nullptr;
}

void MessageStoreFixture::stopStore()
{
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_store = nullptr;
}

QList<StoredMessage> MessageStoreFixture::appendAll(const QList<StoredMessage> &messages)
{
    QList<StoredMessage> done;
    for (const StoredMessage &m : messages) {
        m_store->append(m, &m_results, [&done](const StoredMessage &stored, bool committed) {
            if (committed)
                done.append(stored);
        });
    }
    [&] { QTRY_COMPARE_WITH_TIMEOUT(done.size(), messages.size(), 20000); }();
    return done;
}

void MessageStoreFixture::runOnStore(const std::function<void(QSqlDatabase &)> &job)
{
    std::atomic<bool> done{false};
    m_store->run([&](QSqlDatabase &db) {
        job(db);
        done = true;
    });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(done.load(), 20000); }();
}

ChangeOutcome MessageStoreFixture::changeNow(MessageChange change)
{
    std::optional<ChangeOutcome> outcome;
    m_store->change(std::move(change), &m_results,
                    [&outcome](const ChangeOutcome &o) { outcome = o; });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 20000); }();
    return outcome.value_or(ChangeOutcome{});
}
