// SPDX-License-Identifier: MIT
#include "serverconfig.h"

#include <QThread>

#include <algorithm>

namespace chatter::server {

int ServerConfig::effectiveWorkers() const
{
    return workers > 0 ? workers : std::max(1, QThread::idealThreadCount());
}

} // namespace chatter::server
