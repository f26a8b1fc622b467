// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <functional>

struct redisAsyncContext;

namespace chatter::server {

//! Drives one hiredis async context from the event loop of the thread it lives on (the cluster
//! thread's EpollEventDispatcher in the node): hiredis asks for read and write interest
//! through its `ev` hooks, and two QSocketNotifiers call redisAsyncHandleRead/Write.
//!
//! Chatter's own rather than hiredis's `adapters/qt.h`: that one connects the string-based
//! `SIGNAL(activated(int))`, which Qt 6's QSocketNotifier no longer has (its signal carries a
//! QSocketDescriptor), and declares a Q_OBJECT class in a system header that moc never sees.
//!
//! The notifiers outlive the contexts: one adapter serves every redial of its connection
//! (setSocket() on the next descriptor), and is never deleted from inside its own signal.
class RedisAdapter : public QObject
{
    Q_OBJECT
public:
    explicit RedisAdapter(QObject *parent = nullptr);
    ~RedisAdapter() override;

    //! Installs the hooks on a context just made (its descriptor exists). `closed` is called
    //! when hiredis cleans the context up (freed by the caller, or by hiredis after an error):
    //! from then on the context pointer is dead.
    void attach(redisAsyncContext *context, std::function<void(redisAsyncContext *)> closed);

private:
    static void addRead(void *adapter);
    static void delRead(void *adapter);
    static void addWrite(void *adapter);
    static void delWrite(void *adapter);
    static void cleanup(void *adapter);

    void readable();
    void writable();

    redisAsyncContext *m_context = nullptr;
    std::function<void(redisAsyncContext *)> m_closed;
    QSocketNotifier m_read{QSocketNotifier::Read};
    QSocketNotifier m_write{QSocketNotifier::Write};
};

} // namespace chatter::server
