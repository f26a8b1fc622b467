// SPDX-License-Identifier: MIT
#pragma once

#include "serverconfig.h"

#include <QTemporaryDir>

//! An engine configuration for tests: loopback, any free port, two workers, and its own
//! history database (removed with the test process); no fsync, which tests do not need; not
//! announced on the LAN.
inline chatter::server::ServerConfig loopbackTestConfig()
{
    static QTemporaryDir root;
    static int counter = 0;
    chatter::server::ServerConfig config;
    config.dataDir = root.filePath(QString::number(++counter));
    config.fullSync = false;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.workers = 2;
    config.announce = false; // never on the LAN (docs/discovery.md)
    return config;
}
