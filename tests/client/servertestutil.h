// SPDX-License-Identifier: MIT
#pragma once

#include "engine.h"
#include "socketoptions.h"

#include <QTemporaryDir>

#include <memory>

//! A real Chatter engine on loopback, in-process, with its history in a temporary directory.
//! restart() stops it (close code 1012) and starts a new engine on the same port and data.
class TestServer
{
public:
    TestServer()
    {
        m_config.bindAddress = QHostAddress::LocalHost;
        m_config.port = 0;
        m_config.workers = 1;
        m_config.dataDir = m_dir.path();
        m_config.fullSync = false; // tests do not need power-loss safety
        m_config.headless = true;
        m_config.announce = false; // never on the LAN (docs/discovery.md)
    }
    ~TestServer() { stop(); }

    bool start()
    {
        m_engine = std::make_unique<chatter::server::Engine>(m_config);
        if (!m_engine->start())
            return false;
        m_config.port = m_engine->port(); // a restart binds the same port
        return true;
    }
    void stop()
    {
        if (m_engine)
            m_engine->stop();
        m_engine.reset();
    }
    bool restart()
    {
        stop();
        return start();
    }
    //! The configuration the next start() uses (accounts, registration …).
    chatter::server::ServerConfig &config() { return m_config; }
    //! TLS with a certificate the server makes in its data directory (see dataDir()).
    void setTlsSelfSigned(bool on) { m_config.tlsSelfSigned = on; }
    QString dataDir() const { return m_dir.path(); }
    quint16 port() const { return m_config.port; }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_config.port); }
    QString endpoint() const
    {
        return QStringLiteral("ws://127.0.0.1:%1/socket").arg(m_config.port);
    }
    chatter::server::Engine *engine() const { return m_engine.get(); }

private:
    QTemporaryDir m_dir;
    chatter::server::ServerConfig m_config;
    std::unique_ptr<chatter::server::Engine> m_engine;
};

//! The phoenix.js schedules, ten times faster, so reconnect tests finish quickly.
inline chatter::client::SocketOptions fastOptions()
{
    chatter::client::SocketOptions options;
    options.reconnectAfter = options.reconnectAfter.scaledDown(10);
    options.rejoinAfter = options.rejoinAfter.scaledDown(10);
    options.rejoinSettleMs /= 10;
    return options;
}
