// SPDX-License-Identifier: MIT
#include "engine.h"

#include "diagnosticchannel.h"
#include "listener.h"
#include "logging.h"
#include "roomchannel.h"
#include "worker.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QThread>

namespace chatter::server {

Engine::Engine(ServerConfig config, QObject *parent) : QObject(parent), m_config(std::move(config))
{
    // Qt picks a thread's event dispatcher when the thread starts. GLib's costs about 30 % CPU
    // with thousands of sockets, so the worker threads get Qt's own UNIX dispatcher.
    qputenv("QT_NO_GLIB", "1");
    m_router.add(RoomChannel::TopicPattern, [](SocketSession &s, Worker &w, const QString &topic) {
        return std::make_unique<RoomChannel>(s, w, topic);
    });
    if (m_config.diagnostics) {
        m_router.add(DiagnosticChannel::TopicPattern, [](SocketSession &s, Worker &w, const QString &topic) {
            return std::make_unique<DiagnosticChannel>(s, w, topic);
        });
    }
    // Ids must keep increasing across restarts until history gives them a durable home.
    m_lastMessageId = QDateTime::currentMSecsSinceEpoch();
}

Engine::~Engine()
{
    stop();
}

bool Engine::start()
{
    const int count = m_config.effectiveWorkers();
    for (int i = 0; i < count; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("chatter-worker-%1").arg(i));
        auto *worker = new Worker(i, *this);
        worker->moveToThread(thread.get());
        connect(thread.get(), &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_workers.push_back(worker);
        m_threads.push_back(std::move(thread));
    }
    m_listener = new Listener([this](qintptr d) { dispatch(d); }, this);
    m_listener->setListenBacklogSize(m_config.listenBacklog);
    m_listener->setMaxPendingConnections(1 << 20);
    if (!m_listener->listen(m_config.bindAddress, m_config.port)) {
        m_error = m_listener->errorString();
        return false;
    }
    qCInfo(lcNet).noquote() << "listening on" << m_config.bindAddress.toString() << "port"
                            << m_listener->serverPort() << "with" << count << "workers";
    Q_EMIT listening(m_listener->serverPort());
    return true;
}

void Engine::stop(quint16 code)
{
    if (m_listener) {
        m_listener->close();
        delete m_listener;
        m_listener = nullptr;
    }
    if (m_workers.empty())
        return;
    for (Worker *worker : m_workers) {
        QMetaObject::invokeMethod(worker, [worker, code] {
            worker->closeAll(code, QStringLiteral("server shutting down"));
        }, Qt::BlockingQueuedConnection);
    }
    // Give the close handshakes a moment to reach the clients.
    QDeadlineTimer deadline(2000);
    while (m_connections.load() > 0 && !deadline.hasExpired())
        QThread::msleep(10);
    for (auto &thread : m_threads) {
        thread->quit();
        thread->wait();
    }
    m_threads.clear();
    m_workers.clear();
}

quint16 Engine::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

void Engine::dispatch(qintptr descriptor)
{
    Worker *worker = m_workers[m_nextWorker++ % m_workers.size()];
    QMetaObject::invokeMethod(worker, [worker, descriptor] { worker->adoptDescriptor(descriptor); },
                              Qt::QueuedConnection);
}

void Engine::disconnectSocketId(const QString &socketId)
{
    for (Worker *worker : m_workers) {
        QMetaObject::invokeMethod(worker, [worker, socketId] { worker->disconnectSocketId(socketId); },
                                  Qt::QueuedConnection);
    }
}

QStringList Engine::workerDispatchers() const
{
    QStringList names;
    for (Worker *worker : m_workers) {
        QString name;
        QMetaObject::invokeMethod(worker, [worker] { return worker->dispatcherName(); },
                                  Qt::BlockingQueuedConnection, &name);
        names.append(name);
    }
    return names;
}

qint64 Engine::nextMessageId()
{
    return ++m_lastMessageId;
}

} // namespace chatter::server
