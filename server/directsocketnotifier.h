// SPDX-License-Identifier: MIT
#pragma once

#include <QEvent>
#include <QSocketNotifier>

#include <functional>

namespace chatter::server {

//! A QSocketNotifier that calls one function instead of emitting `activated`. Every idle
//! connection holds a read notifier; a signal-slot connection to it costs ~0.35 KiB per
//! connection (the connection object and both sides' connection lists), a call costs nothing.
//! Works with any event dispatcher: they all deliver readiness as a QEvent::SockAct.
//! Lives on the thread of the socket's owner, like any QSocketNotifier.
class DirectSocketNotifier final : public QSocketNotifier
{
public:
    DirectSocketNotifier(qintptr descriptor, Type type, std::function<void()> onActivated,
                         QObject *parent)
        : QSocketNotifier(descriptor, type, parent), m_onActivated(std::move(onActivated))
    {}

protected:
    bool event(QEvent *event) override
    {
        if (event->type() == QEvent::SockAct || event->type() == QEvent::SockClose) {
            m_onActivated();
            return true;
        }
        return QSocketNotifier::event(event);
    }

private:
    std::function<void()> m_onActivated;
};

} // namespace chatter::server
