// SPDX-License-Identifier: MIT
#include "serverconfig.h"

#include <QStandardPaths>
#include <QThread>

#include <algorithm>

namespace chatter::server {

int ServerConfig::effectiveWorkers() const
{
    return std::min(MaxWorkers, workers > 0 ? workers : std::max(1, QThread::idealThreadCount()));
}

QString ServerConfig::effectiveDataDir() const
{
    if (!dataDir.isEmpty())
        return dataDir;
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/chatter-server");
}

} // namespace chatter::server
