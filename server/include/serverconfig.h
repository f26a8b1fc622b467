// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace chatter::server {

//! Everything the engine can be told at start-up. Defaults just work on a LAN.
struct ServerConfig
{
    QHostAddress bindAddress = QHostAddress::Any;
    quint16 port = 4000;
    //! A topic's workers are bits of one 64-bit word (PubSub).
    static constexpr int MaxWorkers = 64;
    int workers = 0; //!< 0: one per core, at most MaxWorkers
    qint64 maxFrameBytes = 1024 * 1024;
    //! Empty: an Origin must be the scheme, host and port the request was sent to, and the Host
    //! one of the server's names. "*": anything.
    QStringList allowedOrigins;
    //! Names (or addresses) that reach this server besides the machine's own, e.g. a DNS name.
    QStringList publicHosts;
    //! When set, every connection must present it (connect param `access_token`; `token` and a
    //! phoenix.js `authToken` that is no session token are still accepted, deprecated).
    QString accessToken;
    //! Accounts and guests (docs/identity.md). `accountsRequired`: only registered accounts
    //! connect (no guests of either kind). `registrationOpen`: POST /api/accounts is allowed.
    bool accountsRequired = false;
    bool registrationOpen = true;
    int sessionDays = 30;      //!< a session unused this long expires
    int guestHoldMinutes = 10; //!< a guest session holds its nickname this long after its sockets
    //! Argon2id at libsodium's minimum cost instead of its interactive one: for tests only.
    bool minimumPasswordCost = false;
    //! A socket that sent nothing but heartbeats this long shows as away in its rooms
    //! (docs/conversations.md); 0: never.
    qint64 awayAfterMs = 10 * 60'000;
    int idleTimeoutMs = 60'000;
    //! A fragmented WebSocket message must be complete this long after its first fragment.
    int fragmentTimeoutMs = 10'000;
    //! A kept-alive HTTP connection with no request for this long is closed.
    int httpIdleTimeoutMs = 15'000;
    //! A request's head and body must arrive within this long of its first byte (a request
    //! that trickles in would otherwise hold its connection for ever).
    int httpRequestTimeoutMs = 10'000;
    int longPollHoldMs = 10'000;    //!< how long a GET with nothing to deliver is held
    int longPollSessionMs = 15'000; //!< a long-poll session with no GET for this long ends
    int maxChannelsPerSocket = 100;
    //! Rooms that exist (have members or messages) at once; joining a new one beyond is refused.
    int maxRooms = 10'000;
    //! New rooms one socket may bring into existence per minute (a burst of as many).
    int roomCreationsPerMinute = 30;
    //! Presence changes within this long of the last presence_diff are merged into the next.
    //! People do not notice 50 ms; a room of 1,000 rejoining after a restart then gets a few
    //! diffs per second instead of one per join to each member.
    int presenceWindowMs = 50;
    //! Messages one socket may send per second (sustained) and in a burst; heartbeats are free.
    //! Far above what a person types, so only runaway or hostile clients meet it.
    int maxMessagesPerSecond = 500;
    int messageBurst = 2000;
    //! Outbound bytes queued for one socket before it counts as a slow reader and is closed.
    qint64 maxOutboundBytes = 8 * 1024 * 1024;
    int listenBacklog = 4096;
    //! Connections (and, separately, long-poll sessions) held at once; 0: the descriptor limit
    //! less room for the server's own descriptors, worked out at start.
    int maxConnections = 0;
    //! The same per client address (IPv6: per /64), so one host cannot take them all.
    int maxConnectionsPerAddress = 256;
    //! Load balancers (addresses, or subnets as address and prefix length) whose connections
    //! must begin with a PROXY v2 header naming the client, who then stands for the connection
    //! everywhere (docs/security.md). Empty: no header is ever read.
    QList<QPair<QHostAddress, int>> trustedProxies;
    //! Broadcasts submit all their sends in one io_uring call (where the kernel allows it).
    bool batchedSends = true;
    QString logLevel = QStringLiteral("info");
    //! `--log-file`: log lines go there, rotated by size (docs/operations.md). Empty: the
    //! journal when systemd runs the server, else stderr.
    QString logFile;
    qint64 logFileBytes = 10 * 1024 * 1024;
    int logFiles = 5;
    //! Where the history database lives; empty: the per-user data directory. With `database`
    //! it still holds what is kept on disk (uploaded files, the file-URL key, TLS files).
    QString dataDir;
    //! `postgresql://user[:password]@host[:port]/db`: the store on PostgreSQL instead of
    //! `<dataDir>/chatter.db` (docs/cluster.md). Empty: SQLite.
    QString database;
    //! `redis://host[:port][/db]` or `unix:///path[?db=n]`: the Redis the nodes of a cluster
    //! share (docs/cluster.md). Needs a PostgreSQL `database`. Empty: one node, no Redis.
    QString redis;
    //! In a cluster: a node whose heartbeat is this old is gone, and its metas with it.
    int nodeTimeoutMs = 15000;
    //! In a cluster: the node's name in the monitors and its heartbeat. Empty: `<host>:<port>`
    //! of its listener.
    QString nodeName;
    bool fullSync = true;        //!< fsync every group commit (power-loss safe)
    int retainPerRoom = 100'000; //!< messages kept per room; 0: all
    int retainDays = 0;          //!< 0: no age limit
    //! Full-text search (docs/files-and-search.md): the index is kept and searches answered.
    //! Off: `search` is refused; on SQLite no index is maintained either (PostgreSQL's is a
    //! generated column, kept: docs/cluster.md).
    bool search = true;
    //! TLS: serve https:// and wss:// (and only those) with this PEM certificate chain and
    //! key; or, with tlsSelfSigned, with a key and certificate the server makes for itself in
    //! the data directory. SIGHUP reads them again.
    QString tlsCertificateFile;
    QString tlsKeyFile;
    bool tlsSelfSigned = false;
    //! Where GET /metrics is served (docs/metrics.md). PublicPort unless set: on the chat
    //! port, but only when neither TLS nor accountsRequired is on (a server that guards its
    //! port keeps its numbers off it). Address: on a listener of its own at metricsAddress and
    //! metricsPort (also with /healthz), never on the chat port. Off: nowhere.
    enum class MetricsExposure
    {
        Default,
        Address,
        Off
    };
    MetricsExposure metricsExposure = MetricsExposure::Default;
    QHostAddress metricsAddress;
    quint16 metricsPort = 0; //!< 0 with Address: any free port (tests)
    bool headless = false;
    bool diagnostics = false;
    //! DNS-SD on the LAN through the system's Avahi daemon (docs/discovery.md): `_chatter._tcp`
    //! and `_http._tcp` on the port. Never on a loopback bind address.
    bool announce = true;
    //! The `users` TXT record changes at most this often.
    int announceUsersIntervalMs = 5000;
    // Files (docs/files-and-search.md).
    qint64 maxUploadBytes = 25 * 1024 * 1024; //!< one upload's size; a larger one gets 413
    //! Bytes one identity may upload in 24 hours (429 beyond); 0: no quota.
    qint64 uploadQuotaBytes = qint64(500) * 1024 * 1024;
    qint64 fileUrlTtlMs = qint64(24) * 3'600'000; //!< how long a signed file URL is valid
    //! An upload no message ever referred to is removed this long after it arrived.
    qint64 orphanFileMs = 3'600'000;
    //! How often retention (messages, then the files nobody refers to) runs.
    int retentionIntervalMs = 60'000;

    bool tlsEnabled() const { return tlsSelfSigned || !tlsCertificateFile.isEmpty(); }
    //! GET /metrics answers on the chat port (else 404 there).
    bool metricsOnPublicPort() const
    {
        return metricsExposure == MetricsExposure::Default && !tlsEnabled() && !accountsRequired;
    }
    int effectiveWorkers() const;
    QString effectiveDataDir() const;
};

} // namespace chatter::server
