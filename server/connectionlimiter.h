// SPDX-License-Identifier: MIT
#pragma once

#include <QDeadlineTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QString>

#include <atomic>
#include <mutex>
#include <utility>

namespace chatter::server {

//! Counts what clients hold (TCP connections, long-poll sessions) in all and per address, and
//! refuses more than the configured caps, so that one host cannot take every descriptor or
//! fill the server with sessions. IPv6 peers count per /64, since one host may use many
//! addresses of its prefix. Thread-safe: the main thread admits connections, workers admit
//! sessions, and whichever thread drops a ticket releases it.
class ConnectionLimiter
{
public:
    enum class Kind
    {
        Connection,
        LongPollSession
    };

    ConnectionLimiter(int maxTotal, int maxPerAddress);
    ~ConnectionLimiter();

    //! Whether one more of `kind` from `peer` fits; if so it is counted until released.
    //! `why` says which cap refused.
    bool admit(Kind kind, const QHostAddress &peer, QString *why = nullptr);
    void release(Kind kind, const QHostAddress &peer);
    //! A trusted proxy's connection before its PROXY header: counted in all (the descriptor is
    //! held) but under no address, since the proxy carries many clients.
    bool admitExempt(Kind kind, QString *why = nullptr);
    void releaseExempt(Kind kind);
    //! Such a connection's client, once its header named it: whether one more of `kind` from
    //! `peer` fits under the per-address cap; if so it is counted there too (release() then
    //! ends both counts).
    bool admitAddress(Kind kind, const QHostAddress &peer, QString *why = nullptr);

    //! True at most once per address and second: whether this refusal should be logged;
    //! `suppressed` gets how many went unlogged since the last one.
    bool shouldLogRefusal(const QHostAddress &peer, int *suppressed);

    int count(Kind kind) const;
    int countFor(Kind kind, const QHostAddress &peer) const;
    qint64 refusedTotal() const { return refusedAtTotal() + refusedAtAddress(); }
    //! Refusals by the cap that refused: the total, or the one per address (/metrics).
    qint64 refusedAtTotal() const { return m_refusedAtTotal.load(std::memory_order_relaxed); }
    qint64 refusedAtAddress() const { return m_refusedAtAddress.load(std::memory_order_relaxed); }
    int maxTotal() const { return m_maxTotal; }
    int maxPerAddress() const { return m_maxPerAddress; }

    //! The key an address is counted under: IPv4 as is, IPv6 by its /64.
    static QString addressKey(const QHostAddress &peer);

private:
    struct PerAddress
    {
        int held[2] = {0, 0};
    };
    struct LogState
    {
        QDeadlineTimer quietUntil;
        int suppressed = 0;
    };
    //! Under m_mutex: whether `kind` is at its total (counted as refused, `why` filled).
    bool totalFull(int kind, QString *why);
    //! Under m_mutex: whether `address` (named `key`) is at its cap (counted as refused).
    bool addressFull(const PerAddress &address, int kind, const QString &key, QString *why);

    const int m_maxTotal;
    const int m_maxPerAddress;
    mutable std::mutex m_mutex;
    int m_total[2] = {0, 0};
    QHash<QString, PerAddress> m_addresses;
    QHash<QString, LogState> m_logs;
    std::atomic<qint64> m_refusedAtTotal{0};
    std::atomic<qint64> m_refusedAtAddress{0};
};

//! One admitted connection or session, counted until this value goes (or is moved from).
//! What an established connection holds: a plain value, where a QObject ticket with its
//! parent's list of children costs ~0.2 KiB per connection.
class Admission
{
public:
    Admission() = default;
    Admission(ConnectionLimiter &limiter, ConnectionLimiter::Kind kind, QHostAddress peer)
        : m_limiter(&limiter), m_kind(kind), m_peer(std::move(peer))
    {}
    //! A trusted proxy's connection, counted in all only until readdress() names its client.
    static Admission exempt(ConnectionLimiter &limiter, ConnectionLimiter::Kind kind)
    {
        Admission admission(limiter, kind, {});
        admission.m_exempt = true;
        return admission;
    }
    Admission(Admission &&other) noexcept
        : m_limiter(std::exchange(other.m_limiter, nullptr)), m_kind(other.m_kind),
          m_exempt(other.m_exempt), m_peer(std::move(other.m_peer))
    {}
    Admission &operator=(Admission &&other) noexcept
    {
        if (this != &other) {
            release();
            m_limiter = std::exchange(other.m_limiter, nullptr);
            m_kind = other.m_kind;
            m_exempt = other.m_exempt;
            m_peer = std::move(other.m_peer);
        }
        return *this;
    }
    Admission(const Admission &) = delete;
    Admission &operator=(const Admission &) = delete;
    ~Admission() { release(); }

    //! An exempt admission's client: counted under `peer` from now on if the per-address cap
    //! lets it (`why` says otherwise; the admission then stays as it was).
    bool readdress(const QHostAddress &peer, QString *why)
    {
        if (!m_limiter || !m_exempt || !m_limiter->admitAddress(m_kind, peer, why))
            return false;
        m_exempt = false;
        m_peer = peer;
        return true;
    }

private:
    void release()
    {
        if (!m_limiter)
            return;
        if (m_exempt)
            std::exchange(m_limiter, nullptr)->releaseExempt(m_kind);
        else
            std::exchange(m_limiter, nullptr)->release(m_kind, m_peer);
    }

    ConnectionLimiter *m_limiter = nullptr;
    ConnectionLimiter::Kind m_kind = ConnectionLimiter::Kind::Connection;
    bool m_exempt = false;
    QHostAddress m_peer;
};

//! An Admission as a child of whatever holds the connection during its handshake (the
//! QTcpSocket, then the TLS relay; a LongPollSession), released when that object goes. The
//! established WebSocketConnection takes the admission out of it.
class AdmissionTicket final : public QObject
{
    Q_OBJECT
public:
    AdmissionTicket(ConnectionLimiter &limiter, ConnectionLimiter::Kind kind, QHostAddress peer,
                    QObject *holder);
    AdmissionTicket(Admission admission, QObject *holder)
        : QObject(holder), m_admission(std::move(admission))
    {}

    //! The admission, for its new holder; this ticket then releases nothing.
    Admission take() { return std::move(m_admission); }
    Admission &admission() { return m_admission; }

private:
    Admission m_admission;
};

} // namespace chatter::server
