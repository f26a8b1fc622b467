// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

#include <array>
#include <atomic>

namespace chatter::server {

//! Why a connection (a WebSocket upgrade, a long-poll session, a bare TCP connection) was
//! turned away, as /metrics labels it. The connection caps are counted by ConnectionLimiter
//! itself (total_limit, address_limit); these are the other reasons.
enum class RefusalReason
{
    Ban,              //!< a stored ban on the nickname, its account or the address
    Origin,           //!< an Origin or Host that is not the server's (--allowed-origins)
    Token,            //!< a wrong or missing --access-token
    Session,          //!< an unknown or expired session token, or one for another nickname
    AccountsRequired, //!< a guest while --accounts required
    Nickname,         //!< a guest nickname that is invalid or held by someone else
    BadRequest,       //!< a malformed request head or handshake (method, vsn, headers, PROXY)
    Count
};

//! Refused connections per reason, since the start. Any thread: relaxed atomics, counted only
//! on the refusal paths (a refusal is logged anyway, so the count costs nothing extra).
class RefusalCounts
{
public:
    void add(RefusalReason reason)
    {
        m_counts[size_t(reason)].fetch_add(1, std::memory_order_relaxed);
    }
    qint64 count(RefusalReason reason) const
    {
        return m_counts[size_t(reason)].load(std::memory_order_relaxed);
    }
    //! The `reason` label of /metrics.
    static const char *label(RefusalReason reason);

private:
    std::array<std::atomic<qint64>, size_t(RefusalReason::Count)> m_counts{};
};

} // namespace chatter::server
