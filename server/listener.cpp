// SPDX-License-Identifier: MIT
#include "listener.h"

namespace chatter::server {

Listener::Listener(Dispatch dispatch, QObject *parent)
    : QTcpServer(parent), m_dispatch(std::move(dispatch))
{}

void Listener::incomingConnection(qintptr descriptor)
{
    m_dispatch(descriptor);
}

} // namespace chatter::server
