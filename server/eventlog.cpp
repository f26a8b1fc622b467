// SPDX-License-Identifier: MIT
#include "eventlog.h"

namespace chatter::server {

QString EngineEvent::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Connect:
        return QStringLiteral("connect");
    case Kind::Disconnect:
        return QStringLiteral("disconnect");
    case Kind::Join:
        return QStringLiteral("join");
    case Kind::Leave:
        return QStringLiteral("leave");
    case Kind::Refused:
        return QStringLiteral("refused");
    case Kind::ProtocolError:
        return QStringLiteral("protocol error");
    case Kind::SlowReader:
        return QStringLiteral("slow reader");
    case Kind::Admin:
        return QStringLiteral("admin");
    }
    return {};
}

void EventLog::record(EngineEvent event)
{
    if (!isRead())
        return;
    if (!event.at.isValid())
        event.at = QDateTime::currentDateTimeUtc();
    std::scoped_lock locker(m_mutex);
    m_events.push_back(std::move(event));
    while (m_events.size() > size_t(m_capacity)) {
        m_events.pop_front();
        ++m_dropped;
    }
}

QList<EngineEvent> EventLog::take(qint64 *dropped)
{
    std::scoped_lock locker(m_mutex);
    QList<EngineEvent> out(std::make_move_iterator(m_events.begin()),
                           std::make_move_iterator(m_events.end()));
    m_events.clear();
    if (dropped)
        *dropped = std::exchange(m_dropped, 0);
    return out;
}

} // namespace chatter::server
