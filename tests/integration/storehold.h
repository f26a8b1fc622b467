// SPDX-License-Identifier: MIT
#pragma once

#include "messagestore.h"

#include <QSemaphore>

#include <memory>
#include <utility>

//! Holds a MessageStore's thread (nothing commits) until released, also when a test returns
//! early: what the store is asked meanwhile piles up and goes into one commit afterwards.
class StoreHold
{
public:
    explicit StoreHold(chatter::server::MessageStore *store)
    {
        store->mailbox().post([held = m_held, gate = m_gate] {
            held->release();
            gate->acquire();
        });
    }
    ~StoreHold() { release(); }
    StoreHold(const StoreHold &) = delete;
    StoreHold &operator=(const StoreHold &) = delete;

    //! True once the store thread is held.
    bool waitHeld() { return m_held->tryAcquire(1, 5000); }
    void release()
    {
        if (!std::exchange(m_released, true))
            m_gate->release();
    }

private:
    // Shared with the store thread, which may still be returning from acquire() when this
    // object is gone.
    std::shared_ptr<QSemaphore> m_held = std::make_shared<QSemaphore>();
    std::shared_ptr<QSemaphore> m_gate = std::make_shared<QSemaphore>();
    bool m_released = false;
};
