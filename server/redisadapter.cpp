// SPDX-License-Identifier: MIT
#include "redisadapter.h"

#include <hiredis/async.h>

namespace chatter::server {

RedisAdapter::RedisAdapter(QObject *parent) : QObject(parent)
{
    m_read.setParent(this);
    m_write.setParent(this);
    connect(&m_read, &QSocketNotifier::activated, this, &RedisAdapter::readable);
    connect(&m_write, &QSocketNotifier::activated, this, &RedisAdapter::writable);
}

RedisAdapter::~RedisAdapter()
{
    // The owner frees its context before this goes; a context still attached would call dead
    // hooks.
    Q_ASSERT(!m_context);
}

void RedisAdapter::attach(redisAsyncContext *context,
                          std::function<void(redisAsyncContext *)> closed)
{
    m_context = context;
    m_closed = std::move(closed);
    // A notifier's descriptor may only change while it is disabled; setSocket() disables it.
    m_read.setSocket(context->c.fd);
    m_write.setSocket(context->c.fd);
    context->ev.data = this;
    context->ev.addRead = &RedisAdapter::addRead;
    context->ev.delRead = &RedisAdapter::delRead;
    context->ev.addWrite = &RedisAdapter::addWrite;
    context->ev.delWrite = &RedisAdapter::delWrite;
    context->ev.cleanup = &RedisAdapter::cleanup;
}

void RedisAdapter::addRead(void *adapter)
{
    static_cast<RedisAdapter *>(adapter)->m_read.setEnabled(true);
}

void RedisAdapter::delRead(void *adapter)
{
    static_cast<RedisAdapter *>(adapter)->m_read.setEnabled(false);
}

void RedisAdapter::addWrite(void *adapter)
{
    static_cast<RedisAdapter *>(adapter)->m_write.setEnabled(true);
}

void RedisAdapter::delWrite(void *adapter)
{
    static_cast<RedisAdapter *>(adapter)->m_write.setEnabled(false);
}

void RedisAdapter::cleanup(void *opaque)
{
    // Called before hiredis closes the descriptor: both notifiers leave the epoll set first.
    // The hooks are unset so that nothing of this context reaches the adapter again (hiredis
    // would call cleanup a second time on the free after a disconnect).
    auto *adapter = static_cast<RedisAdapter *>(opaque);
    adapter->m_read.setEnabled(false);
    adapter->m_write.setEnabled(false);
    redisAsyncContext *context = adapter->m_context;
    if (!context)
        return;
    adapter->m_context = nullptr;
    context->ev.addRead = nullptr;
    context->ev.delRead = nullptr;
    context->ev.addWrite = nullptr;
    context->ev.delWrite = nullptr;
    context->ev.cleanup = nullptr;
    if (adapter->m_closed)
        adapter->m_closed(context);
}

void RedisAdapter::readable()
{
    if (m_context)
        redisAsyncHandleRead(m_context);
}

void RedisAdapter::writable()
{
    if (m_context)
        redisAsyncHandleWrite(m_context);
}

} // namespace chatter::server
