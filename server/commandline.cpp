// SPDX-License-Identifier: MIT
#include "commandline.h"

#include "expected.h"
#include "redislocation.h"
#include "storelocation.h"
#include "trustedproxies.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QProcessEnvironment>
#include <QTextStream>

namespace chatter::server {
namespace {

struct Option
{
    QCommandLineOption option;
    QString environment;
};

QString valueOf(const QCommandLineParser &parser, const Option &o)
{
    if (parser.isSet(o.option))
        return parser.value(o.option);
    return QProcessEnvironment::systemEnvironment().value(o.environment);
}

bool flagOf(const QCommandLineParser &parser, const Option &o)
{
    if (parser.isSet(o.option))
        return true;
    const QString env = QProcessEnvironment::systemEnvironment().value(o.environment);
    return env == QLatin1String("1") ||
           env.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
}

Option makeOption(const char *name, const char *help, const char *valueName = nullptr)
{
    const QString flag = QString::fromLatin1(name);
    QString env =
        QStringLiteral("CHATTER_") + flag.toUpper().replace(QLatin1Char('-'), QLatin1Char('_'));
    QString description = QString::fromLatin1(help) + QStringLiteral(" [env: %1]").arg(env);
    if (valueName)
        return {QCommandLineOption(flag, description, QString::fromLatin1(valueName)), env};
    return {QCommandLineOption(flag, description), env};
}

bool readInt(const QString &text, qint64 min, qint64 max, qint64 *out)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max)
        return false;
    *out = value;
    return true;
}

//! `off`, or `address:port` (`[v6]:port` for IPv6) into the configuration.
Expected<void> parseMetricsAddress(const QString &text, ServerConfig *config)
{
    if (text == QLatin1String("off")) {
        config->metricsExposure = ServerConfig::MetricsExposure::Off;
        return {};
    }
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return failure(QStringLiteral("expected ADDRESS:PORT or off, got %1").arg(text));
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    else if (host.contains(QLatin1Char(':')))
        return failure(QStringLiteral("an IPv6 address goes in brackets: [%1]:port").arg(host));
    QHostAddress address;
    if (!address.setAddress(host))
        return failure(QStringLiteral("not an IP address: %1").arg(host));
    qint64 port = 0;
    if (!readInt(text.mid(colon + 1), 0, 65535, &port))
        return failure(QStringLiteral("expected a port 0-65535 after the colon, got %1")
                           .arg(text.mid(colon + 1)));
    config->metricsExposure = ServerConfig::MetricsExposure::Address;
    config->metricsAddress = address;
    config->metricsPort = quint16(port);
    return {};
}

} // namespace

std::optional<ServerConfig> parseCommandLine(const QStringList &arguments, int *exitCode)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Chatter server: Phoenix Channels chat over WebSocket.\n"
                       "Commands (each with --help): account, audit, backup DEST, restore "
                       "BACKUP.\nLogs go to the journal when systemd runs the server, to "
                       "--log-file if given, else to stderr (docs/operations.md)."));
    parser.addHelpOption();
    parser.addVersionOption();

    const Option bind = makeOption("bind", "Address to listen on (default 0.0.0.0).", "address");
    const Option port = makeOption("port", "TCP port; 0 picks a free one (default 4000).", "port");
    const Option workers = makeOption("workers", "Worker threads (default: one per core).", "n");
    const Option maxFrame =
        makeOption("max-frame-bytes", "Largest accepted frame (default 1048576).", "bytes");
    const Option origins = makeOption(
        "allowed-origins",
        "Comma list of allowed Origins: *, http://host:port, //host, *.example.com. Default: "
        "the host the request was sent to.",
        "list");
    const Option publicHost = makeOption(
        "public-host",
        "Comma list of further names (or addresses) that reach this server, e.g. a DNS name; "
        "requests to other names are refused.",
        "list");
    const Option token = makeOption(
        "access-token", "Token every client must present (connect param access_token).", "token");
    const Option accounts = makeOption(
        "accounts", "optional: guests may connect (default); required: registered accounts only.",
        "mode");
    const Option registration =
        makeOption("registration",
                   "open: anyone may register an account (default); closed: only the "
                   "command line adds accounts.",
                   "mode");
    const Option sessionDays =
        makeOption("session-days", "A session unused this many days expires (default 30).", "days");
    const Option guestHold =
        makeOption("guest-hold-minutes",
                   "A guest session keeps its nickname this long after its last socket closes "
                   "(default 10).",
                   "minutes");
    const Option awayAfter =
        makeOption("away-after-minutes",
                   "Show a socket that sent nothing but heartbeats this long as away "
                   "(default 10; 0: never).",
                   "minutes");
    // The same in milliseconds, for tests: not in --help.
    Option hiddenAwayAfterMs = makeOption("away-after-ms", "", "ms");
    hiddenAwayAfterMs.option.setFlags(QCommandLineOption::HiddenFromHelp);
    const Option &awayAfterMs = hiddenAwayAfterMs;
    const Option passwordCost = makeOption(
        "password-cost",
        "interactive (default) or minimum: Argon2id cost; minimum is for tests only.", "cost");
    const Option idle =
        makeOption("idle-timeout-ms", "Close a socket silent this long (default 60000).", "ms");
    const Option httpIdle =
        makeOption("http-idle-timeout-ms",
                   "Close a kept-alive HTTP connection idle this long (default 15000).", "ms");
    const Option httpRequest = makeOption(
        "http-request-timeout-ms",
        "An HTTP request's head and body must arrive within this long (default 10000).", "ms");
    const Option maxConnections =
        makeOption("max-connections",
                   "Connections (and long-poll sessions) at once; beyond, HTTP 503 (default: the "
                   "descriptor limit less 512).",
                   "n");
    const Option maxPerAddress =
        makeOption("max-connections-per-address",
                   "The same per client address, IPv6 per /64 (default 256).", "n");
    const Option trustedProxies =
        makeOption("trusted-proxies",
                   "Comma list of load balancers (addresses or CIDRs) whose connections begin "
                   "with a PROXY v2 header naming the client (default: none).",
                   "list");
    const Option lpHold = makeOption(
        "longpoll-hold-ms", "How long an empty long-poll GET is held (default 10000).", "ms");
    const Option lpSession =
        makeOption("longpoll-session-ms",
                   "End a long-poll session after this long without a GET (default 15000).", "ms");
    const Option channels =
        makeOption("max-channels", "Channels one socket may join (default 100).", "n");
    const Option rate =
        makeOption("max-messages-per-second",
                   "Messages a socket may send per second, burst 4x (default 500).", "n");
    const Option outbound =
        makeOption("max-outbound-bytes",
                   "Queued bytes before a slow reader is closed (default 8388608).", "bytes");
    const Option logLevel =
        makeOption("log-level", "debug, info, warning or error (default info).", "level");
    const Option dataDir = makeOption(
        "data-dir", "Directory of the history database (default ~/.local/share/chatter-server).",
        "dir");
    const Option database = makeOption(
        "database",
        "postgresql://user[:password]@host[:port]/db: the store on PostgreSQL instead of "
        "chatter.db in the data directory.",
        "url");
    const Option redis = makeOption(
        "redis",
        "redis://host[:port][/db] or unix:///path[?db=n]: the Redis the nodes of a cluster "
        "share; needs --database postgresql://... (docs/cluster.md).",
        "url");
    const Option nodeTimeout =
        makeOption("node-timeout-ms",
                   "In a cluster: a node silent this long is gone, its users' presence leaves "
                   "(default 15000).",
                   "ms");
    const Option nodeName =
        makeOption("node-name",
                   "In a cluster: the node's name in the monitors (default <host>:<port> of its "
                   "listener).",
                   "name");
    const Option sync = makeOption(
        "sync", "full: fsync every commit (default); normal: survive crashes, not power loss.",
        "mode");
    const Option ioUring = makeOption(
        "io-uring",
        "on: a broadcast's sends go to the kernel in one io_uring call (default); off: one "
        "send() per recipient.",
        "mode");
    const Option retainMessages = makeOption(
        "retention-messages", "Messages kept per room, 0 for all (default 100000).", "n");
    const Option retainDays =
        makeOption("retention-days",
                   "Drop messages older than this many days, 0 to keep (default 0).", "days");
    const Option search =
        makeOption("search",
                   "on: full-text search, an index kept with the history (default); off: searches "
                   "refused (on SQLite also no index).",
                   "mode");
    const Option maxRooms = makeOption(
        "max-rooms", "Rooms that may exist at once (members or messages; default 10000).", "n");
    const Option roomCreations =
        makeOption("room-creations-per-minute",
                   "New rooms one socket may create per minute (default 30).", "n");
    const Option fragmentTimeout = makeOption(
        "fragment-timeout-ms",
        "Close a socket whose fragmented message is unfinished this long (default 10000).", "ms");
    const Option tlsCert = makeOption(
        "tls-cert", "PEM certificate (chain) for https:// and wss:// on the port; needs --tls-key.",
        "file");
    const Option tlsKey = makeOption("tls-key", "PEM private key of --tls-cert.", "file");
    const Option tlsSelfSigned =
        makeOption("tls-self-signed", "TLS with a certificate made on first run in the data "
                                      "directory (clients pin it on first use).");
    const Option headless = makeOption("headless", "Run the engine without a window.");
    const Option diagnostics =
        makeOption("diagnostics", "Mount the chatter:diag:* protocol test channel.");
    const Option noAnnounce = makeOption(
        "no-announce", "Do not announce the server on the LAN (DNS-SD through avahi-daemon).");
    // How often the users-online record may change, for tests: not in --help.
    Option announceUsersMs = makeOption("announce-users-ms", "", "ms");
    announceUsersMs.option.setFlags(QCommandLineOption::HiddenFromHelp);

    for (const Option *o :
         {&bind,           &port,           &workers,         &maxFrame,    &origins,
          &token,          &idle,           &lpHold,          &lpSession,   &channels,
          &rate,           &outbound,       &logLevel,        &dataDir,     &sync,
          &ioUring,        &retainMessages, &retainDays,      &headless,    &diagnostics,
          &maxRooms,       &roomCreations,  &fragmentTimeout, &httpIdle,    &httpRequest,
          &maxConnections, &maxPerAddress,  &publicHost,      &tlsCert,     &tlsKey,
          &tlsSelfSigned,  &accounts,       &registration,    &sessionDays, &guestHold,
          &passwordCost,   &awayAfter,      &awayAfterMs,     &search,      &trustedProxies,
          &database,       &redis,          &nodeTimeout,     &nodeName})
        parser.addOption(o->option);

    // Files (docs/files-and-search.md); the millisecond forms are for tests, not in --help.
    const Option maxUpload = makeOption(
        "max-upload-bytes", "Largest file one upload may carry (default 26214400).", "bytes");
    const Option uploadQuota = makeOption(
        "upload-quota-bytes",
        "Bytes one user may upload in 24 hours, 0 for no limit (default 524288000).", "bytes");
    const Option fileUrlHours =
        makeOption("file-url-hours", "How long a signed file URL is valid (default 24).", "hours");
    Option fileUrlMs = makeOption("file-url-ms", "", "ms");
    fileUrlMs.option.setFlags(QCommandLineOption::HiddenFromHelp);
    Option orphanFileMs = makeOption("orphan-file-ms", "", "ms");
    orphanFileMs.option.setFlags(QCommandLineOption::HiddenFromHelp);
    Option retentionIntervalMs = makeOption("retention-interval-ms", "", "ms");
    retentionIntervalMs.option.setFlags(QCommandLineOption::HiddenFromHelp);
    for (const Option *o : std::initializer_list<const Option *>{
             &maxUpload, &uploadQuota, &fileUrlHours, &fileUrlMs, &orphanFileMs,
             &retentionIntervalMs, &noAnnounce, &announceUsersMs})
        parser.addOption(o->option);

    // Logs (docs/operations.md).
    const Option logFile = makeOption(
        "log-file", "Append log lines to this file instead of stderr or the journal.", "path");
    const Option logFileBytes = makeOption(
        "log-file-bytes", "Rotate --log-file when it would grow past this size (default 10485760).",
        "bytes");
    const Option logFiles =
        makeOption("log-files", "Rotated files kept: PATH.1 (newest) to PATH.N (default 5).", "n");
    for (const Option *o : {&logFile, &logFileBytes, &logFiles})
        parser.addOption(o->option);

    // Metrics (docs/metrics.md).
    const Option metricsAddress = makeOption(
        "metrics-address",
        "Where GET /metrics is served: ADDRESS:PORT for a listener of its own (with /healthz), "
        "or off. Default: on the chat port unless TLS or --accounts required is on, then "
        "nowhere.",
        "address:port|off");
    parser.addOption(metricsAddress.option);

    if (!parser.parse(arguments)) {
        err << parser.errorText() << Qt::endl;
        *exitCode = 2;
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        *exitCode = 0;
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        QTextStream(stdout) << QCoreApplication::applicationName() << ' '
                            << QCoreApplication::applicationVersion() << Qt::endl;
        *exitCode = 0;
        return std::nullopt;
    }

    ServerConfig config;
    auto fail = [&](const QString &message) {
        err << "chatter-server: " << message << Qt::endl;
        *exitCode = 2;
        return std::nullopt;
    };

    if (const QString v = valueOf(parser, bind); !v.isEmpty() && !config.bindAddress.setAddress(v))
        return fail(QStringLiteral("--bind: not an IP address: %1").arg(v));
    qint64 number = 0;
    if (const QString v = valueOf(parser, port); !v.isEmpty()) {
        if (!readInt(v, 0, 65535, &number))
            return fail(QStringLiteral("--port: expected 0-65535, got %1").arg(v));
        config.port = quint16(number);
    }
    if (const QString v = valueOf(parser, workers); !v.isEmpty()) {
        if (!readInt(v, 1, ServerConfig::MaxWorkers, &number))
            return fail(QStringLiteral("--workers: expected 1-%1, got %2")
                            .arg(ServerConfig::MaxWorkers)
                            .arg(v));
        config.workers = int(number);
    }
    if (const QString v = valueOf(parser, maxFrame); !v.isEmpty()) {
        if (!readInt(v, 1024, qint64(1) << 30, &number))
            return fail(
                QStringLiteral("--max-frame-bytes: expected 1024-1073741824, got %1").arg(v));
        config.maxFrameBytes = number;
    }
    if (const QString v = valueOf(parser, origins); !v.isEmpty()) {
        for (const QString &entry : v.split(QLatin1Char(','), Qt::SkipEmptyParts))
            config.allowedOrigins.append(entry.trimmed());
    }
    if (const QString v = valueOf(parser, publicHost); !v.isEmpty()) {
        for (const QString &entry : v.split(QLatin1Char(','), Qt::SkipEmptyParts))
            config.publicHosts.append(entry.trimmed());
    }
    config.accessToken = valueOf(parser, token);
    if (const QString v = valueOf(parser, accounts); !v.isEmpty()) {
        if (v != QLatin1String("optional") && v != QLatin1String("required"))
            return fail(QStringLiteral("--accounts: expected optional or required, got %1").arg(v));
        config.accountsRequired = v == QLatin1String("required");
    }
    if (const QString v = valueOf(parser, registration); !v.isEmpty()) {
        if (v != QLatin1String("open") && v != QLatin1String("closed"))
            return fail(QStringLiteral("--registration: expected open or closed, got %1").arg(v));
        config.registrationOpen = v == QLatin1String("open");
    }
    if (const QString v = valueOf(parser, sessionDays); !v.isEmpty()) {
        if (!readInt(v, 1, 36'500, &number))
            return fail(QStringLiteral("--session-days: expected 1-36500, got %1").arg(v));
        config.sessionDays = int(number);
    }
    if (const QString v = valueOf(parser, guestHold); !v.isEmpty()) {
        if (!readInt(v, 0, 100'000, &number))
            return fail(QStringLiteral("--guest-hold-minutes: expected 0-100000, got %1").arg(v));
        config.guestHoldMinutes = int(number);
    }
    if (const QString v = valueOf(parser, awayAfter); !v.isEmpty()) {
        if (!readInt(v, 0, 100'000, &number))
            return fail(QStringLiteral("--away-after-minutes: expected 0-100000, got %1").arg(v));
        config.awayAfterMs = number * 60'000;
    }
    if (const QString v = valueOf(parser, awayAfterMs); !v.isEmpty()) {
        if (!readInt(v, 0, qint64(100'000) * 60'000, &number))
            return fail(QStringLiteral("--away-after-ms: expected a number of ms, got %1").arg(v));
        config.awayAfterMs = number;
    }
    if (const QString v = valueOf(parser, passwordCost); !v.isEmpty()) {
        if (v != QLatin1String("interactive") && v != QLatin1String("minimum"))
            return fail(
                QStringLiteral("--password-cost: expected interactive or minimum, got %1").arg(v));
        config.minimumPasswordCost = v == QLatin1String("minimum");
    }
    if (const QString v = valueOf(parser, idle); !v.isEmpty()) {
        if (!readInt(v, 100, 24 * 3600 * 1000, &number))
            return fail(QStringLiteral("--idle-timeout-ms: expected 100-86400000, got %1").arg(v));
        config.idleTimeoutMs = int(number);
    }
    if (const QString v = valueOf(parser, httpIdle); !v.isEmpty()) {
        if (!readInt(v, 100, 24 * 3600 * 1000, &number))
            return fail(
                QStringLiteral("--http-idle-timeout-ms: expected 100-86400000, got %1").arg(v));
        config.httpIdleTimeoutMs = int(number);
    }
    if (const QString v = valueOf(parser, httpRequest); !v.isEmpty()) {
        if (!readInt(v, 100, 3600 * 1000, &number))
            return fail(
                QStringLiteral("--http-request-timeout-ms: expected 100-3600000, got %1").arg(v));
        config.httpRequestTimeoutMs = int(number);
    }
    if (const QString v = valueOf(parser, maxConnections); !v.isEmpty()) {
        if (!readInt(v, 1, 1 << 30, &number))
            return fail(
                QStringLiteral("--max-connections: expected a positive count, got %1").arg(v));
        config.maxConnections = int(number);
    }
    if (const QString v = valueOf(parser, maxPerAddress); !v.isEmpty()) {
        if (!readInt(v, 1, 1 << 30, &number))
            return fail(
                QStringLiteral("--max-connections-per-address: expected a positive count, got %1")
                    .arg(v));
        config.maxConnectionsPerAddress = int(number);
    }
    if (const QString v = valueOf(parser, trustedProxies); !v.isEmpty()) {
        for (const QString &entry : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            trustedproxies::Subnet subnet;
            if (QString why; !trustedproxies::parse(entry, &subnet, &why))
                return fail(QStringLiteral("--trusted-proxies: %1").arg(why));
            config.trustedProxies.append(subnet);
        }
    }
    if (const QString v = valueOf(parser, lpHold); !v.isEmpty()) {
        if (!readInt(v, 10, 60'000, &number))
            return fail(QStringLiteral("--longpoll-hold-ms: expected 10-60000, got %1").arg(v));
        config.longPollHoldMs = int(number);
    }
    if (const QString v = valueOf(parser, lpSession); !v.isEmpty()) {
        if (!readInt(v, 100, 24 * 3600 * 1000, &number))
            return fail(
                QStringLiteral("--longpoll-session-ms: expected 100-86400000, got %1").arg(v));
        config.longPollSessionMs = int(number);
    }
    if (const QString v = valueOf(parser, rate); !v.isEmpty()) {
        if (!readInt(v, 1, 1'000'000, &number))
            return fail(
                QStringLiteral("--max-messages-per-second: expected 1-1000000, got %1").arg(v));
        config.maxMessagesPerSecond = int(number);
        config.messageBurst = int(number) * 4;
    }
    if (const QString v = valueOf(parser, channels); !v.isEmpty()) {
        if (!readInt(v, 1, 100'000, &number))
            return fail(QStringLiteral("--max-channels: expected 1-100000, got %1").arg(v));
        config.maxChannelsPerSocket = int(number);
    }
    if (const QString v = valueOf(parser, outbound); !v.isEmpty()) {
        if (!readInt(v, 64 * 1024, qint64(1) << 32, &number))
            return fail(
                QStringLiteral("--max-outbound-bytes: expected at least 65536, got %1").arg(v));
        config.maxOutboundBytes = number;
    }
    if (const QString v = valueOf(parser, logLevel); !v.isEmpty()) {
        static const QStringList levels{QStringLiteral("debug"), QStringLiteral("info"),
                                        QStringLiteral("warning"), QStringLiteral("error")};
        if (!levels.contains(v))
            return fail(
                QStringLiteral("--log-level: expected debug, info, warning or error, got %1")
                    .arg(v));
        config.logLevel = v;
    }
    config.logFile = valueOf(parser, logFile);
    if (const QString v = valueOf(parser, logFileBytes); !v.isEmpty()) {
        if (!readInt(v, 4096, qint64(1) << 40, &number))
            return fail(QStringLiteral("--log-file-bytes: expected at least 4096, got %1").arg(v));
        config.logFileBytes = number;
    }
    if (const QString v = valueOf(parser, logFiles); !v.isEmpty()) {
        if (!readInt(v, 0, 1000, &number))
            return fail(QStringLiteral("--log-files: expected 0-1000, got %1").arg(v));
        config.logFiles = int(number);
    }
    config.dataDir = valueOf(parser, dataDir);
    config.database = valueOf(parser, database);
    if (!config.database.isEmpty()) {
        if (const auto location = StoreLocation::parse(config.database); !location)
            return fail(QStringLiteral("--database: %1").arg(location.error()));
    }
    config.redis = valueOf(parser, redis);
    if (!config.redis.isEmpty()) {
        if (const auto location = RedisLocation::parse(config.redis); !location)
            return fail(QStringLiteral("--redis: %1").arg(location.error()));
        if (config.database.isEmpty())
            return fail(QStringLiteral("--redis needs --database postgresql://…: the nodes of a "
                                       "cluster share one PostgreSQL database (docs/cluster.md)"));
    }
    if (const QString v = valueOf(parser, nodeTimeout); !v.isEmpty()) {
        if (!readInt(v, 300, 3'600'000, &number))
            return fail(QStringLiteral("--node-timeout-ms: expected 300-3600000, got %1").arg(v));
        config.nodeTimeoutMs = int(number);
    }
    config.nodeName = valueOf(parser, nodeName).trimmed();
    if (config.nodeName.size() > 100)
        return fail(QStringLiteral("--node-name: at most 100 characters"));
    if (const QString v = valueOf(parser, sync); !v.isEmpty()) {
        if (v != QLatin1String("full") && v != QLatin1String("normal"))
            return fail(QStringLiteral("--sync: expected full or normal, got %1").arg(v));
        config.fullSync = v == QLatin1String("full");
    }
    if (const QString v = valueOf(parser, ioUring); !v.isEmpty()) {
        if (v != QLatin1String("on") && v != QLatin1String("off"))
            return fail(QStringLiteral("--io-uring: expected on or off, got %1").arg(v));
        config.batchedSends = v == QLatin1String("on");
    }
    if (const QString v = valueOf(parser, retainMessages); !v.isEmpty()) {
        if (!readInt(v, 0, 1'000'000'000, &number))
            return fail(QStringLiteral("--retention-messages: expected a count, got %1").arg(v));
        config.retainPerRoom = int(number);
    }
    if (const QString v = valueOf(parser, retainDays); !v.isEmpty()) {
        if (!readInt(v, 0, 100'000, &number))
            return fail(
                QStringLiteral("--retention-days: expected a number of days, got %1").arg(v));
        config.retainDays = int(number);
    }
    if (const QString v = valueOf(parser, search); !v.isEmpty()) {
        if (v != QLatin1String("on") && v != QLatin1String("off"))
            return fail(QStringLiteral("--search: expected on or off, got %1").arg(v));
        config.search = v == QLatin1String("on");
    }
    if (const QString v = valueOf(parser, maxRooms); !v.isEmpty()) {
        if (!readInt(v, 1, 10'000'000, &number))
            return fail(QStringLiteral("--max-rooms: expected 1-10000000, got %1").arg(v));
        config.maxRooms = int(number);
    }
    if (const QString v = valueOf(parser, roomCreations); !v.isEmpty()) {
        if (!readInt(v, 1, 1'000'000, &number))
            return fail(
                QStringLiteral("--room-creations-per-minute: expected 1-1000000, got %1").arg(v));
        config.roomCreationsPerMinute = int(number);
    }
    if (const QString v = valueOf(parser, fragmentTimeout); !v.isEmpty()) {
        if (!readInt(v, 100, 24 * 3600 * 1000, &number))
            return fail(
                QStringLiteral("--fragment-timeout-ms: expected 100-86400000, got %1").arg(v));
        config.fragmentTimeoutMs = int(number);
    }
    config.tlsCertificateFile = valueOf(parser, tlsCert);
    config.tlsKeyFile = valueOf(parser, tlsKey);
    config.tlsSelfSigned = flagOf(parser, tlsSelfSigned);
    if (config.tlsCertificateFile.isEmpty() != config.tlsKeyFile.isEmpty())
        return fail(QStringLiteral("--tls-cert and --tls-key go together"));
    if (config.tlsSelfSigned && !config.tlsCertificateFile.isEmpty())
        return fail(QStringLiteral("--tls-self-signed or --tls-cert/--tls-key, not both"));
    if (const QString v = valueOf(parser, maxUpload); !v.isEmpty()) {
        if (!readInt(v, 1, qint64(1) << 30, &number))
            return fail(QStringLiteral("--max-upload-bytes: expected 1-1073741824, got %1").arg(v));
        config.maxUploadBytes = number;
    }
    if (const QString v = valueOf(parser, uploadQuota); !v.isEmpty()) {
        if (!readInt(v, 0, qint64(1) << 50, &number))
            return fail(
                QStringLiteral("--upload-quota-bytes: expected a byte count, got %1").arg(v));
        config.uploadQuotaBytes = number;
    }
    if (const QString v = valueOf(parser, fileUrlHours); !v.isEmpty()) {
        if (!readInt(v, 1, 24 * 366, &number))
            return fail(QStringLiteral("--file-url-hours: expected 1-8784, got %1").arg(v));
        config.fileUrlTtlMs = number * 3'600'000;
    }
    if (const QString v = valueOf(parser, fileUrlMs); !v.isEmpty()) {
        if (!readInt(v, 1, qint64(24 * 366) * 3'600'000, &number))
            return fail(QStringLiteral("--file-url-ms: expected a number of ms, got %1").arg(v));
        config.fileUrlTtlMs = number;
    }
    if (const QString v = valueOf(parser, orphanFileMs); !v.isEmpty()) {
        if (!readInt(v, 0, qint64(1) << 40, &number))
            return fail(QStringLiteral("--orphan-file-ms: expected a number of ms, got %1").arg(v));
        config.orphanFileMs = number;
    }
    if (const QString v = valueOf(parser, retentionIntervalMs); !v.isEmpty()) {
        if (!readInt(v, 10, 24 * 3600 * 1000, &number))
            return fail(
                QStringLiteral("--retention-interval-ms: expected 10-86400000, got %1").arg(v));
        config.retentionIntervalMs = int(number);
    }
    if (const QString v = valueOf(parser, metricsAddress); !v.isEmpty()) {
        if (const auto parsed = parseMetricsAddress(v, &config); !parsed)
            return fail(QStringLiteral("--metrics-address: %1").arg(parsed.error()));
    }
    if (const QString v = valueOf(parser, announceUsersMs); !v.isEmpty()) {
        if (!readInt(v, 100, 3'600'000, &number))
            return fail(QStringLiteral("--announce-users-ms: expected 100-3600000, got %1").arg(v));
        config.announceUsersIntervalMs = int(number);
    }
    config.headless = flagOf(parser, headless);
    config.diagnostics = flagOf(parser, diagnostics);
    config.announce = !flagOf(parser, noAnnounce);
    *exitCode = 0;
    return config;
}

} // namespace chatter::server
