// SPDX-License-Identifier: MIT
#pragma once

#include "channelrouter.h"
#include "presencetracker.h"
#include "pubsub.h"
#include "roomdirectory.h"
#include "serverconfig.h"
#include "staticassets.h"

#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>
#include <vector>

class QThread;
class QTimer;

namespace chatter::server {

class Listener;
class MessageStore;
class Worker;

//! The Chatter server engine: the listening socket, the worker threads, pub/sub and the channel
//! routes. It has no UI; a monitor observes its signals.
class Engine : public QObject
{
    Q_OBJECT
public:
    explicit Engine(ServerConfig config, QObject *parent = nullptr);
    ~Engine() override;

    //! Starts the workers and listens. False (see errorString()) if the port cannot be bound.
    bool start();
    //! Closes every socket with `code` (1012: restarting), waits for them briefly, stops workers.
    void stop(quint16 code = 1012);

    quint16 port() const;
    QString errorString() const { return m_error; }
    const ServerConfig &config() const { return m_config; }
    ChannelRouter &router() { return m_router; }
    const ChannelRouter &router() const { return m_router; }
    PubSub &pubsub() { return m_pubsub; }
    PresenceTracker &presence() { return m_presence; }
    RoomDirectory &directory() { return m_directory; }
    MessageStore &store() { return *m_store; }
    QString databasePath() const { return m_databasePath; }
    //! Signs long-poll session tokens; random per run, since sessions do not outlive the process.
    const QByteArray &longPollSecret() const { return m_longPollSecret; }
    Worker *worker(int index) const;
    const StaticAssets &assets() const { return m_assets; }

    //! Phoenix's `broadcast(socket_id, "disconnect", %{})`: closes those sockets with 1001.
    void disconnectSocketId(const QString &socketId);
    int connectionCount() const { return m_connections.load(); }
    QStringList workerDispatchers() const;

    quint64 nextConnectionId() { return ++m_connectionIds; }
    void noteConnected(int delta) { m_connections += delta; }

Q_SIGNALS:
    void listening(quint16 port);

private:
    void dispatch(qintptr descriptor);
    bool openStore();
    void publishDirectoryChanges();

    ServerConfig m_config;
    ChannelRouter m_router;
    PubSub m_pubsub;
    PresenceTracker m_presence;
    RoomDirectory m_directory;
    QString m_databasePath;
    QByteArray m_longPollSecret;
    StaticAssets m_assets;
    std::unique_ptr<QThread> m_storeThread;
    MessageStore *m_store = nullptr;
    QTimer *m_directoryTimer = nullptr;
    Listener *m_listener = nullptr;
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<Worker *> m_workers;
    std::atomic<quint64> m_connectionIds{0};
    std::atomic<int> m_connections{0};
    std::atomic<unsigned> m_nextWorker{0};
    QString m_error;
};

} // namespace chatter::server
