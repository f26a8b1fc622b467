// SPDX-License-Identifier: MIT
//
// chatter-loadgen: a single-threaded epoll load generator for Phoenix-Channels
// (V2 JSON serializer) chat servers. No Qt, no event library, no TLS: plain
// non-blocking sockets and a minimal RFC 6455 client (HTTP upgrade, masked
// client frames, unmasked server frames, text frames, ping->pong).
//
// It opens N connections (spread over source addresses 127.0.0.2..), joins
// each to a room, optionally lets some of them send `new_msg` at a fixed rate
// with a CLOCK_MONOTONIC send timestamp in the body, and measures delivery
// (count, latency, rate) at every recipient, plus the server's CPU time and RSS
// read from /proc/<pid>. Every loop is bounded in count and in time.
//
// Churn (soak) mode, --churn-fraction F: a share F of the clients that do not
// send leaves and rejoins on a schedule spread over the sending time (phx_leave,
// close handshake; every few cycles an abrupt close instead), while the others
// stay and must receive every message of their room: `lost` then counts exactly
// what those stable clients missed. --sample-every S prints the server's and
// the generator's RSS and descriptor counts as a time series.
//
// Several topics per client, --join personal,room,dm: besides its room, a client joins its
// personal topic chatter:user:<nick> and the DM topic with its partner (client 2k with 2k+1).
// Those belong to registered accounts: --tokens FILE gives every client its session token,
// sent the way phoenix.js sends authToken (Sec-WebSocket-Protocol bearer). A client counts as
// joined when every one of its joins was answered ok.
//
// Registration mode, --register N --tokens-out FILE: registers the accounts <prefix>0 ..
// <prefix>N-1 (POST /api/accounts over HTTP/1.1, a few requests in flight, from source
// addresses 127.3.x.y, at most --register-per-addr accounts each because the server limits
// registrations per client address) and writes "nick token" lines to FILE. Any answer but 201,
// or a run beyond its time, ends it with exit status 1 and no FILE.
//
// Several nodes of one cluster, --port P1,P2,...: member k of each room (client i is member
// i / rooms of room i % rooms) connects to port k mod n, so every room with two members or
// more has members on more than one node, and a room's senders too. Deliveries whose sender
// and recipient are on different ports are counted apart (delivered_cross_node against
// expected_cross_node): they went through whatever connects the nodes.
//
// CPU of other processes over the same window, --cpu-group NAME=PID[,PID...] (those
// processes) and --cpu-tree NAME=PID (the process, every descendant, and the children it
// reaped meanwhile: a PostgreSQL postmaster and its backends): cpu_group_NAME_s.
//
// Output: human-readable progress on stderr, `key=value` results on stdout.

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

uint64_t nowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

double secs(uint64_t ns)
{
    return double(ns) / 1e9;
}

[[noreturn]] void die(const char *fmt, const char *arg = "")
{
    std::fprintf(stderr, "loadgen: ");
    std::fprintf(stderr, fmt, arg);
    std::fprintf(stderr, "\n");
    std::exit(2);
}

// ---------------------------------------------------------------- options

// Processes whose CPU time over the measured window is reported together (--cpu-group,
// --cpu-tree).
struct CpuGroup
{
    std::string name;
    std::vector<int> pids;
    bool tree = false; // the one pid, its descendants, and the children it reaped
};

struct Options
{
    std::string host = "127.0.0.1";
    int port = 0;           // the first of ports
    std::vector<int> ports; // --port P1,P2,...: member k of a room connects to ports[k % n]
    std::vector<CpuGroup> cpuGroups;
    int serverPid = 0;
    int clients = 100;
    int rooms = 1;
    int sendersPerRoom = 0;     // the first S members of each room send
    double rate = 0;            // messages per second per sender
    double duration = 0;        // seconds of sending
    double connectRate = 2000;  // connection attempts per second
    int srcAddrs = 50;          // 127.0.0.2 .. 127.0.0.(1+srcAddrs)
    int srcBase = 2;            // first source address' last octet
    double settle = 1;          // seconds after the last join before measuring
    double drain = 10;          // max seconds to wait for outstanding deliveries
    double connectTimeout = 10; // seconds for connect+upgrade+join of one client
    double heartbeat = 25;      // seconds between heartbeats of one connection
    double maxTime = 0;         // hard cap for the whole run (0: computed)
    std::string roomPrefix = "bench";
    std::string userPrefix = "u";
    std::string label = "run";
    bool tls = false; // wss://: TLS on every connection (the certificate is not checked)
    int bodyPad = 0;  // extra characters appended to every body
    // churn / soak
    double churnFraction = 0; // share of the clients that leave and rejoin
    double churnPeriod = 60;  // mean seconds a churning client stays joined
    double churnDown = 2;     // seconds a churning client stays away
    int churnAttempts = 5;    // reconnect attempts per cycle before giving up on a client
    int churnAbruptEvery = 3; // every K-th leave of a client just closes the socket (0: never)
    double leaveTimeout = 5;  // seconds for phx_leave's reply and the close handshake
    double sampleEvery = 0;   // seconds between RSS / descriptor samples (0: off)
    double closeWait = 15;    // max seconds to watch the server release descriptors at the end
    // topics per client (--join) and registered accounts
    bool joinPersonal = false; // chatter:user:<nick>
    bool joinRoom = true;      // chatter:room:<prefix>-<i mod rooms>
    bool joinDm = false;       // chatter:dm:<a>:<b> with the partner i xor 1
    std::string tokensFile;    // "nick token" lines: every socket carries its session token
    // registration mode
    int registerCount = 0;    // register this many accounts, write their tokens, exit
    std::string tokensOut;    // where registration mode writes "nick token" lines
    int registerPerAddr = 25; // accounts per source address (server: 30, then one per 2 s)
    int registerParallel = 8; // requests in flight
    std::string password = "bench-password";
};

void usage()
{
    std::fprintf(
        stderr,
        "usage: chatter-loadgen --port P[,P...] [options]\n"
        "  --port P1,P2,...    several nodes: member k of each room connects to P(k mod n)\n"
        "  --host A            server address (loopback only; default 127.0.0.1)\n"
        "  --server-pid PID    read CPU and RSS of this process from /proc\n"
        "  --cpu-group NAME=PID[,PID...]  also report these processes' CPU over the window\n"
        "  --cpu-tree NAME=PID the same for PID, its descendants and the children it reaped\n"
        "  --clients N         connections (default 100)\n"
        "  --rooms R           rooms; client i joins room i %% R (default 1)\n"
        "  --senders-per-room S  first S members of each room send (default 0)\n"
        "  --rate X            messages/s per sender\n"
        "  --duration S        seconds of sending\n"
        "  --connect-rate X    connection attempts per second (default 2000)\n"
        "  --src-addrs K       spread source addresses over 127.0.0.2..(K+1) (default 50)\n"
        "  --settle S          seconds to wait after joins before measuring (default 1)\n"
        "  --drain S           max seconds to wait for late deliveries (default 10)\n"
        "  --connect-timeout S per-client connect+upgrade+join timeout (default 10)\n"
        "  --heartbeat S       Phoenix heartbeat period per connection (default 25)\n"
        "  --body-pad N        extra characters in each message body (default 0)\n"
        "  --max-time S        hard cap on total run time (default: computed)\n"
        "  --label NAME        echoed in the results\n"
        "  --tls               wss:// (TLS on every connection; certificate not checked)\n"
        "churn / soak (--duration is then the soak time):\n"
        "  --churn-fraction F  share of the non-sending clients that leave and rejoin\n"
        "                      (default 0); the others must receive every message\n"
        "  --churn-period S    mean seconds a churning client stays joined (default 60)\n"
        "  --churn-down S      seconds it stays away before reconnecting (default 2)\n"
        "  --churn-attempts N  reconnect attempts per cycle (default 5)\n"
        "  --churn-abrupt-every K  every K-th leave only closes the socket (default 3; 0 never)\n"
        "  --leave-timeout S   phx_leave reply + close handshake deadline (default 5)\n"
        "  --sample-every S    RSS/descriptor samples every S s (default 0: off)\n"
        "  --close-wait S      at the end, watch the server release descriptors (default 15)\n"
        "topics and accounts:\n"
        "  --join LIST         topics every client joins, comma list of personal, room, dm\n"
        "                      (default room): chatter:user:<nick>, its room, and the DM\n"
        "                      chatter:dm:<a>:<b> with client i xor 1 (needs an even --clients)\n"
        "  --topics3           the same as --join personal,room,dm\n"
        "  --tokens FILE       \"nick token\" lines (from --register): each client sends its\n"
        "                      session token as phoenix.js authToken; required by personal, dm\n"
        "registration mode (no sockets; exit status 1 on any answer but 201):\n"
        "  --register N        register accounts <user-prefix>0..N-1 (POST /api/accounts)\n"
        "  --tokens-out FILE   write their \"nick token\" lines here\n"
        "  --register-per-addr K  accounts per source address 127.3.x.y (default 25, max 30)\n"
        "  --register-parallel P  requests in flight (default 8)\n"
        "  --password PW       the accounts' password (default bench-password)\n"
        "  (--connect-timeout bounds each request, --max-time the whole registration)\n");
}

Options parseOptions(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> const char * {
            if (i + 1 >= argc)
                die("missing value for %s", a.c_str());
            return argv[++i];
        };
        if (a == "--host")
            o.host = val();
        else if (a == "--port") {
            o.ports.clear();
            const std::string list = val();
            for (size_t from = 0; from <= list.size();) {
                size_t comma = list.find(',', from);
                if (comma == std::string::npos)
                    comma = list.size();
                const int p = std::atoi(list.substr(from, comma - from).c_str());
                if (p <= 0 || p > 65535 || o.ports.size() >= 64)
                    die("--port: 1..64 ports of 1..65535, got %s", list.c_str());
                o.ports.push_back(p);
                from = comma + 1;
            }
            o.port = o.ports.front();
        } else if (a == "--cpu-group" || a == "--cpu-tree") {
            const std::string spec = val();
            const size_t eq = spec.find('=');
            CpuGroup g;
            g.name = spec.substr(0, eq == std::string::npos ? 0 : eq);
            g.tree = a == "--cpu-tree";
            if (g.name.empty() || g.name.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
                die("%s: NAME=PID[,PID...], NAME of a-z 0-9 _", a.c_str());
            for (size_t from = eq + 1; from <= spec.size();) {
                size_t comma = spec.find(',', from);
                if (comma == std::string::npos)
                    comma = spec.size();
                const int pid = std::atoi(spec.substr(from, comma - from).c_str());
                if (pid <= 0)
                    die("bad pid in %s", spec.c_str());
                g.pids.push_back(pid);
                from = comma + 1;
            }
            if (g.tree && g.pids.size() != 1)
                die("--cpu-tree: one pid, got %s", spec.c_str());
            o.cpuGroups.push_back(g);
        } else if (a == "--server-pid")
            o.serverPid = std::atoi(val());
        else if (a == "--clients")
            o.clients = std::atoi(val());
        else if (a == "--rooms")
            o.rooms = std::atoi(val());
        else if (a == "--senders-per-room")
            o.sendersPerRoom = std::atoi(val());
        else if (a == "--rate")
            o.rate = std::atof(val());
        else if (a == "--duration")
            o.duration = std::atof(val());
        else if (a == "--connect-rate")
            o.connectRate = std::atof(val());
        else if (a == "--src-addrs")
            o.srcAddrs = std::atoi(val());
        else if (a == "--src-base")
            o.srcBase = std::atoi(val());
        else if (a == "--settle")
            o.settle = std::atof(val());
        else if (a == "--drain")
            o.drain = std::atof(val());
        else if (a == "--connect-timeout")
            o.connectTimeout = std::atof(val());
        else if (a == "--heartbeat")
            o.heartbeat = std::atof(val());
        else if (a == "--body-pad")
            o.bodyPad = std::atoi(val());
        else if (a == "--max-time")
            o.maxTime = std::atof(val());
        else if (a == "--room-prefix")
            o.roomPrefix = val();
        else if (a == "--user-prefix")
            o.userPrefix = val();
        else if (a == "--label")
            o.label = val();
        else if (a == "--tls")
            o.tls = true;
        else if (a == "--churn-fraction")
            o.churnFraction = std::atof(val());
        else if (a == "--churn-period")
            o.churnPeriod = std::atof(val());
        else if (a == "--churn-down")
            o.churnDown = std::atof(val());
        else if (a == "--churn-attempts")
            o.churnAttempts = std::atoi(val());
        else if (a == "--churn-abrupt-every")
            o.churnAbruptEvery = std::atoi(val());
        else if (a == "--leave-timeout")
            o.leaveTimeout = std::atof(val());
        else if (a == "--sample-every")
            o.sampleEvery = std::atof(val());
        else if (a == "--close-wait")
            o.closeWait = std::atof(val());
        else if (a == "--join") {
            o.joinPersonal = o.joinRoom = o.joinDm = false;
            std::string list = val();
            for (size_t from = 0; from <= list.size();) {
                size_t comma = list.find(',', from);
                if (comma == std::string::npos)
                    comma = list.size();
                const std::string item = list.substr(from, comma - from);
                if (item == "personal")
                    o.joinPersonal = true;
                else if (item == "room")
                    o.joinRoom = true;
                else if (item == "dm")
                    o.joinDm = true;
                else
                    die("--join: unknown topic kind '%s' (personal, room, dm)", item.c_str());
                from = comma + 1;
            }
        } else if (a == "--topics3")
            o.joinPersonal = o.joinRoom = o.joinDm = true;
        else if (a == "--tokens")
            o.tokensFile = val();
        else if (a == "--register")
            o.registerCount = std::atoi(val());
        else if (a == "--tokens-out")
            o.tokensOut = val();
        else if (a == "--register-per-addr")
            o.registerPerAddr = std::atoi(val());
        else if (a == "--register-parallel")
            o.registerParallel = std::atoi(val());
        else if (a == "--password")
            o.password = val();
        else if (a == "-h" || a == "--help") {
            usage();
            std::exit(0);
        } else {
            usage();
            die("unknown option %s", a.c_str());
        }
    }
    if (o.ports.empty()) {
        usage();
        die("--port is required");
    }
    if (o.clients < 1 || o.clients > 60000)
        die("--clients must be 1..60000");
    if (o.rooms < 1 || o.rooms > o.clients)
        die("--rooms must be 1..clients");
    if (o.srcAddrs < 1 || o.srcBase < 1 || o.srcBase + o.srcAddrs > 255)
        die("bad --src-addrs/--src-base");
    if (o.connectRate <= 0)
        die("--connect-rate must be > 0");
    if (o.sendersPerRoom < 0 || o.rate < 0 || o.duration < 0)
        die("negative sender settings");
    if (o.rate > 100000 || o.duration > 3600)
        die("--rate/--duration out of range");
    if (o.churnFraction < 0 || o.churnFraction > 1)
        die("--churn-fraction must be 0..1");
    if (o.churnFraction > 0 &&
        (o.churnPeriod < 0.1 || o.churnDown < 0 || o.churnDown > 600 || o.churnAttempts < 1 ||
         o.churnAttempts > 100 || o.churnAbruptEvery < 0 || o.leaveTimeout <= 0 ||
         o.leaveTimeout > 60))
        die("bad churn settings");
    if (o.sampleEvery != 0 && (o.sampleEvery < 0.2 || o.sampleEvery > 3600))
        die("--sample-every must be 0 or 0.2..3600");
    if (o.closeWait < 0 || o.closeWait > 300)
        die("--close-wait must be 0..300");
    if (o.connectTimeout <= 0 || o.connectTimeout > 600)
        die("--connect-timeout must be > 0 and <= 600");
    if (o.registerCount != 0) {
        if (o.registerCount < 0 || o.registerCount > 60000)
            die("--register must be 1..60000");
        if (o.tokensOut.empty())
            die("--register needs --tokens-out FILE");
        if (o.registerPerAddr < 1 || o.registerPerAddr > 30)
            die("--register-per-addr must be 1..30 (the server allows 30 per address)");
        if (o.registerParallel < 1 || o.registerParallel > 256)
            die("--register-parallel must be 1..256");
        if (o.password.size() < 8 || o.password.size() > 256 ||
            o.password.find_first_of("\"\\") != std::string::npos)
            die("--password: 8..256 characters, no quote or backslash");
    }
    // The topics name the nickname case-folded; ASCII letters, digits and _ . - fold by
    // lowering, anything else would need the server's folding.
    if (o.userPrefix.empty() ||
        o.userPrefix.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789_.-") != std::string::npos)
        die("--user-prefix: ASCII letters, digits, _ . - only");
    if (!o.joinPersonal && !o.joinRoom && !o.joinDm)
        die("--join: at least one topic");
    if ((o.joinPersonal || o.joinDm) && o.tokensFile.empty() && o.registerCount == 0)
        die("--join personal/dm: the topics of registered accounts need --tokens FILE");
    if (o.joinDm && o.clients % 2 != 0)
        die("--join dm pairs client 2k with 2k+1: --clients must be even");
    // Sending and churn speak of the room alone (new_msg, phx_leave on it).
    if ((o.joinPersonal || o.joinDm || !o.joinRoom) && o.churnFraction > 0)
        die("--churn-fraction works with --join room only");
    if (!o.joinRoom && o.sendersPerRoom > 0)
        die("--senders-per-room needs the room joined (--join ...,room)");
    in_addr a{};
    if (inet_pton(AF_INET, o.host.c_str(), &a) != 1 || (ntohl(a.s_addr) >> 24) != 127)
        die("--host must be an IPv4 loopback address (127.0.0.0/8), got %s", o.host.c_str());
    return o;
}

// ---------------------------------------------------------------- /proc

struct ProcSample
{
    bool ok = false;
    double cpuSec = 0; // utime + stime, all threads
    long rssKb = 0;
    int threads = 0;
};

ProcSample readProc(int pid)
{
    ProcSample s;
    if (pid <= 0)
        return s;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return s;
    char buf[2048];
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    // comm may contain spaces and parentheses: fields start after the last ')'.
    char *p = std::strrchr(buf, ')');
    if (!p)
        return s;
    p += 2; // field 3 (state)
    unsigned long long utime = 0, stime = 0;
    long threads = 0;
    int field = 3;
    for (char *tok = std::strtok(p, " "); tok; tok = std::strtok(nullptr, " "), ++field) {
        if (field == 14)
            utime = std::strtoull(tok, nullptr, 10);
        else if (field == 15)
            stime = std::strtoull(tok, nullptr, 10);
        else if (field == 20) {
            threads = std::strtol(tok, nullptr, 10);
            break;
        }
    }
    s.cpuSec = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
    s.threads = int(threads);
    std::snprintf(path, sizeof path, "/proc/%d/status", pid);
    f = std::fopen(path, "r");
    if (!f)
        return s;
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "VmRSS:", 6) == 0) {
            s.rssKb = std::strtol(line + 6, nullptr, 10);
            break;
        }
    }
    std::fclose(f);
    s.ok = true;
    return s;
}

// Open descriptors of a process: the entries of /proc/PID/fd (-1 when unreadable).
int countFds(int pid)
{
    if (pid <= 0)
        return -1;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    while (dirent *e = readdir(d))
        if (e->d_name[0] != '.')
            ++n;
    closedir(d);
    return n;
}

// From /proc/PID/stat: the parent, utime + stime, and cutime + cstime (the children it reaped).
struct StatTimes
{
    int ppid = 0;
    unsigned long long ticks = 0;
    unsigned long long childTicks = 0;
};

bool readStatTimes(int pid, StatTimes &t)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return false;
    char buf[2048];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const char *p = std::strrchr(buf, ')');
    if (!p)
        return false;
    unsigned long long v[15] = {}; // fields 4 .. 17
    char state = 0;
    if (std::sscanf(p + 2, "%c %llu %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %llu %llu",
                    &state, &v[0], &v[10], &v[11], &v[12], &v[13]) != 6)
        return false;
    t.ppid = int(v[0]);
    t.ticks = v[10] + v[11];
    t.childTicks = v[12] + v[13];
    return true;
}

// CPU seconds of a --cpu-group (its processes) or a --cpu-tree (the process, every
// descendant alive now, and what it reaped: a child that ends within the window is counted
// while alive at the start and in its parent's cutime at the end, so the difference holds).
double groupCpuSec(const CpuGroup &g)
{
    unsigned long long ticks = 0;
    if (!g.tree) {
        for (const int pid : g.pids) {
            StatTimes t;
            if (readStatTimes(pid, t))
                ticks += t.ticks;
        }
        return double(ticks) / double(sysconf(_SC_CLK_TCK));
    }
    std::unordered_map<int, std::vector<int>> children;
    std::unordered_map<int, StatTimes> times;
    if (DIR *d = opendir("/proc")) {
        int scanned = 0;
        while (dirent *e = readdir(d)) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9' || ++scanned > 1'000'000)
                continue;
            const int pid = std::atoi(e->d_name);
            StatTimes t;
            if (pid > 0 && readStatTimes(pid, t)) {
                times[pid] = t;
                children[t.ppid].push_back(pid);
            }
        }
        closedir(d);
    }
    const int root = g.pids.front();
    auto it = times.find(root);
    if (it == times.end())
        return 0;
    ticks = it->second.childTicks;
    std::vector<int> todo{root};
    for (size_t k = 0; k < todo.size() && k < times.size(); ++k) {
        ticks += times[todo[k]].ticks;
        for (const int child : children[todo[k]])
            todo.push_back(child);
    }
    return double(ticks) / double(sysconf(_SC_CLK_TCK));
}

// Busy CPU seconds of the whole machine (all CPUs) from /proc/stat: to tell how
// much else ran during a measurement.
double machineBusySec()
{
    FILE *f = std::fopen("/proc/stat", "r");
    if (!f)
        return 0;
    unsigned long long v[10] = {};
    int n = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                        &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
    std::fclose(f);
    if (n < 8)
        return 0;
    // user nice system idle iowait irq softirq steal (guest time is inside user)
    unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    return double(busy) / double(sysconf(_SC_CLK_TCK));
}

double selfCpuSec()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// ---------------------------------------------------------------- accounts

// RFC 4648 section 5, without padding: what phoenix.js makes of authToken for the subprotocol.
std::string base64Url(std::string_view in)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    uint32_t acc = 0;
    int bits = 0;
    for (const char ch : in) {
        acc = (acc << 8) | uint8_t(ch);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(abc[(acc >> bits) & 63]);
        }
    }
    if (bits > 0)
        out.push_back(abc[(acc << (6 - bits)) & 63]);
    return out;
}

// One POST /api/accounts in flight (registration mode).
struct Registration
{
    int fd = -1;
    int index = -1;
    bool connected = false;
    uint64_t start = 0;
    std::string out; // request bytes not sent yet
    std::string in;  // response so far
};

// Registration mode: accounts <prefix>0 .. N-1, each POST on a connection of its own
// ("Connection: close"), at most --register-parallel at once. Account i comes from
// 127.3.x.y, a new address every --register-per-addr accounts: the server answers 429 past
// 30 registrations per client address. Anything but 201 is fatal (exit status 1, no FILE):
// a measurement must not start with accounts missing.
int registerAccounts(const Options &o)
{
    signal(SIGPIPE, SIG_IGN);
    const int n = o.registerCount;
    const uint64_t t0 = nowNs();
    // Minimum-cost Argon2id takes a millisecond or two: 20/s is a slow machine already.
    const double maxTime = o.maxTime > 0 ? o.maxTime : 30 + n / 20.0;
    const uint64_t hardEnd = t0 + uint64_t(maxTime * 1e9);
    const uint64_t perRequest = uint64_t(o.connectTimeout * 1e9);
    std::vector<std::string> tokens(static_cast<size_t>(n));
    std::vector<Registration> slots(size_t(o.registerParallel));
    int next = 0, done = 0;
    auto fatal = [&](int i, const std::string &why) {
        std::fprintf(stderr, "loadgen: registration of %s%d failed after %d of %d: %s\n",
                     o.userPrefix.c_str(), i, done, n, why.c_str());
        std::exit(1);
    };
    std::fprintf(stderr, "[%s] registering %d accounts, %d per source address, %d in flight\n",
                 o.label.c_str(), n, o.registerPerAddr, o.registerParallel);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(uint16_t(o.port));
    inet_pton(AF_INET, o.host.c_str(), &dst.sin_addr);
    std::vector<pollfd> pfds;
    std::vector<Registration *> polled;
    while (done < n) {
        const uint64_t now = nowNs();
        if (now >= hardEnd)
            fatal(next, "not done within " + std::to_string(int(maxTime)) + " s (--max-time)");
        for (Registration &r : slots) {
            if (r.fd >= 0) {
                if (now - r.start > perRequest)
                    fatal(r.index, "no answer within --connect-timeout");
                continue;
            }
            if (next >= n)
                continue;
            r = Registration{};
            r.index = next++;
            r.start = now;
            r.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (r.fd < 0)
                fatal(r.index, std::string("socket: ") + std::strerror(errno));
            const uint32_t a = uint32_t(r.index / o.registerPerAddr);
            sockaddr_in src{};
            src.sin_family = AF_INET;
            src.sin_addr.s_addr =
                htonl((127u << 24) | (3u << 16) | ((a / 250u) << 8) | (1u + a % 250u));
            if (bind(r.fd, reinterpret_cast<sockaddr *>(&src), sizeof src) != 0)
                fatal(r.index, std::string("bind: ") + std::strerror(errno));
            if (connect(r.fd, reinterpret_cast<sockaddr *>(&dst), sizeof dst) != 0 &&
                errno != EINPROGRESS)
                fatal(r.index, std::string("connect: ") + std::strerror(errno));
            const std::string body = "{\"user\":\"" + o.userPrefix + std::to_string(r.index) +
                                     "\",\"password\":\"" + o.password + "\"}";
            r.out = "POST /api/accounts HTTP/1.1\r\nHost: " + o.host + ":" +
                    std::to_string(o.port) +
                    "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
        }
        pfds.clear();
        polled.clear();
        for (Registration &r : slots) {
            if (r.fd < 0)
                continue;
            pfds.push_back(pollfd{r.fd, short(POLLIN | (r.out.empty() ? 0 : POLLOUT)), 0});
            polled.push_back(&r);
        }
        if (poll(pfds.data(), nfds_t(pfds.size()), 50) < 0 && errno != EINTR)
            fatal(next, std::string("poll: ") + std::strerror(errno));
        for (size_t p = 0; p < pfds.size(); ++p) {
            Registration &r = *polled[p];
            const short ev = pfds[p].revents;
            if (!ev)
                continue;
            if (!r.connected && (ev & (POLLOUT | POLLERR | POLLHUP))) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(r.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0)
                    fatal(r.index, std::string("connect: ") + std::strerror(err));
                r.connected = true;
            }
            if (r.connected && !r.out.empty() && (ev & POLLOUT)) {
                const ssize_t w = send(r.fd, r.out.data(), r.out.size(), MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                    fatal(r.index, std::string("send: ") + std::strerror(errno));
                if (w > 0)
                    r.out.erase(0, size_t(w));
            }
            if (!(ev & (POLLIN | POLLHUP | POLLERR)))
                continue;
            bool eof = false;
            char buf[4096];
            for (;;) {
                const ssize_t got = recv(r.fd, buf, sizeof buf, MSG_DONTWAIT);
                if (got > 0) {
                    r.in.append(buf, size_t(got));
                    if (r.in.size() > 65536)
                        fatal(r.index, "oversized answer");
                    continue;
                }
                if (got == 0)
                    eof = true;
                else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                    fatal(r.index, std::string("recv: ") + std::strerror(errno));
                break;
            }
            // Complete: the head and Content-Length bytes of body, or everything up to EOF.
            const size_t head = r.in.find("\r\n\r\n");
            if (head == std::string::npos) {
                if (eof)
                    fatal(r.index, "connection closed before an answer: " + r.in.substr(0, 200));
                continue;
            }
            size_t length = std::string::npos;
            for (size_t line = r.in.find("\r\n") + 2; line < head;) {
                const size_t end = r.in.find("\r\n", line);
                if (strncasecmp(r.in.c_str() + line, "content-length:", 15) == 0)
                    length = size_t(std::strtoul(r.in.c_str() + line + 15, nullptr, 10));
                line = end + 2;
            }
            if (length == std::string::npos ? !eof : r.in.size() < head + 4 + length)
                continue;
            const std::string status = r.in.substr(0, r.in.find("\r\n"));
            const std::string answer = r.in.substr(head + 4, std::min<size_t>(length, 300));
            if (status.compare(0, 12, "HTTP/1.1 201") != 0)
                fatal(r.index, status + " " + answer);
            const size_t key = r.in.find("\"token\"", head);
            const size_t open =
                key == std::string::npos ? key : r.in.find('"', r.in.find(':', key));
            const size_t close = open == std::string::npos ? open : r.in.find('"', open + 1);
            if (close == std::string::npos || close == open + 1)
                fatal(r.index, "201 without a token: " + answer);
            tokens[size_t(r.index)] = r.in.substr(open + 1, close - open - 1);
            ::close(r.fd);
            r.fd = -1;
            ++done;
        }
    }
    const double took = secs(nowNs() - t0);
    const std::string tmp = o.tokensOut + ".part";
    FILE *f = std::fopen(tmp.c_str(), "w");
    if (!f)
        die("cannot write %s", tmp.c_str());
    for (int i = 0; i < n; ++i)
        std::fprintf(f, "%s%d %s\n", o.userPrefix.c_str(), i, tokens[size_t(i)].c_str());
    if (std::fclose(f) != 0 || std::rename(tmp.c_str(), o.tokensOut.c_str()) != 0)
        die("cannot write %s", o.tokensOut.c_str());
    std::fprintf(stderr, "[%s] registered %d accounts in %.1fs (%.0f/s)\n", o.label.c_str(), n,
                 took, n / took);
    std::printf("registered=%d\nregister_s=%.6g\nregister_per_s=%.6g\n", n, took, n / took);
    return 0;
}

// ---------------------------------------------------------------- connections

enum class State : uint8_t
{
    Idle,
    Connecting,
    TlsHandshake,
    Handshake,
    Joining,
    Joined,
    Leaving, // phx_leave sent, waiting for its reply
    Closing, // close frame sent, waiting for the server's close or EOF
    Offline, // a churning client between leaving and reconnecting
    Failed,
    Closed
};

struct Conn
{
    int fd = -1;
    SSL *ssl = nullptr; // with --tls: reads and writes go through it
    State state = State::Idle;
    bool wantOut = false;
    bool churns = false;  // leaves and rejoins during the soak; never expected to get everything
    uint8_t attempts = 0; // reconnect attempts in the current churn cycle
    uint8_t pendingJoins = 0; // joins sent and not answered yet (--join: up to three)
    uint32_t room = 0;
    uint32_t gen = 0;    // bumped per scheduled churn event: older events are stale
    uint32_t cycles = 0; // leaves started
    uint64_t tStart = 0;
    std::string in;   // partial frame bytes carried between reads
    std::string out;  // bytes the kernel did not take yet
    std::string frag; // fragmented message being reassembled
};

struct Counters
{
    long refused = 0, connectErrors = 0, handshakeFailed = 0, joinFailed = 0, timedOut = 0;
    long dropped = 0; // closed by the server (or reset) after joining
    long joined = 0;
    long joins = 0;          // join replies with status ok (every topic, rejoins included)
    long protocolErrors = 0; // unparseable frames
    long channelErrors = 0;  // phx_error / phx_close pushed by the server
    long sent = 0, skipped = 0, acked = 0, ackErrors = 0;
    long delivered = 0, duplicates = 0, foreign = 0;
    long heartbeats = 0, heartbeatReplies = 0;
    long pings = 0;
    // churn
    long deliveredChurn = 0; // deliveries to churning clients (not accounted per message)
    long rejoins = 0, leavesGraceful = 0, leavesAbrupt = 0, leaveTimeouts = 0;
    long churnRetries = 0, churnGaveUp = 0;
    long openStable = 0, openChurn = 0; // joined right now
    std::string firstFailure;
};

// One RSS / descriptor sample of the server and of the generator itself.
struct Sample
{
    double t = 0; // seconds since start
    ProcSample server;
    int serverFds = -1;
    long selfRssKb = 0;
    int selfFds = -1;
    long openStable = 0, openChurn = 0;
    long joins = 0, leaves = 0, sent = 0, acked = 0, delivered = 0;
};

enum class ChurnEvent : uint8_t
{
    Leave,
    Reconnect,
    Deadline // the pending leave, close or reconnect must be done by now
};

struct Scheduled
{
    uint64_t at;
    uint32_t conn;
    uint32_t gen;
    ChurnEvent what;
    bool operator>(const Scheduled &o) const { return at > o.at; }
};

struct Generator
{
    Options opt;
    int ep = -1;
    std::vector<Conn> conns;
    std::vector<int> roomJoined;       // joined members per room
    std::vector<int> roomJoinedStable; // of which do not churn: the expected recipients
    std::vector<int> roomStableByPort; // the same per room and port: [room * ports + port]
    std::vector<std::vector<uint32_t>> roomMembers;
    std::vector<uint32_t> senders;    // connection indexes, interleaved across rooms
    std::vector<std::string> bearers; // per client: its Sec-WebSocket-Protocol value (--tokens)
    Counters c;
    SSL_CTX *tlsContext = nullptr;

    // message bookkeeping, indexed by message number
    std::vector<uint64_t> sendTs;
    std::vector<uint32_t> expectedFor;
    std::vector<uint32_t> receivedFor;
    std::vector<uint64_t> latencies; // ns, one per delivery
    std::vector<uint64_t> ackLatencies;
    std::vector<uint64_t> connectLatencies;
    long expected = 0;
    long expectedCross = 0, deliveredCross = 0; // sender and recipient on different ports
    uint64_t firstSend = 0, lastSend = 0, lastReceipt = 0;

    std::vector<char> rbuf = std::vector<char>(256 * 1024);
    std::string scratch;
    uint32_t maskState = 0x9e3779b9u;
    uint64_t rngState = 0x2545f4914f6cdd1dull;

    // churn / soak
    bool soaking = false; // churn events are acted on (leaves start, failures are retried)
    std::priority_queue<Scheduled, std::vector<Scheduled>, std::greater<>> churnQueue;
    std::vector<uint64_t> rejoinLatencies;
    std::vector<Sample> samples;
    uint64_t t0 = 0, nextSample = 0;

    uint32_t nextMask()
    {
        maskState ^= maskState << 13;
        maskState ^= maskState >> 17;
        maskState ^= maskState << 5;
        return maskState;
    }

    double uniform() // [0, 1)
    {
        rngState ^= rngState << 13;
        rngState ^= rngState >> 7;
        rngState ^= rngState << 17;
        return double(rngState >> 11) / 9007199254740992.0;
    }

    void joinedRoom(uint32_t i)
    {
        Conn &k = conns[i];
        roomJoined[k.room]++;
        if (k.churns) {
            c.openChurn++;
        } else {
            roomJoinedStable[k.room]++;
            roomStableByPort[k.room * opt.ports.size() + portIndex(i)]++;
            c.openStable++;
        }
    }

    void leftRoom(uint32_t i)
    {
        Conn &k = conns[i];
        roomJoined[k.room]--;
        if (k.churns) {
            c.openChurn--;
        } else {
            roomJoinedStable[k.room]--;
            roomStableByPort[k.room * opt.ports.size() + portIndex(i)]--;
            c.openStable--;
        }
    }

    void closeFd(uint32_t i)
    {
        Conn &k = conns[i];
        if (k.ssl) {
            SSL_free(k.ssl);
            k.ssl = nullptr;
        }
        if (k.fd >= 0) {
            epoll_ctl(ep, EPOLL_CTL_DEL, k.fd, nullptr);
            close(k.fd);
        }
        k.fd = -1;
        k.wantOut = false;
        std::string().swap(k.in);
        std::string().swap(k.out);
        std::string().swap(k.frag);
    }

    void fail(uint32_t i, long &counter, const std::string &why)
    {
        Conn &k = conns[i];
        if (k.state == State::Joined) {
            leftRoom(i);
            c.dropped++;
        } else {
            counter++;
        }
        if (c.firstFailure.empty())
            c.firstFailure = why;
        closeFd(i);
        k.state = State::Failed;
        if (soaking && k.churns)
            retryLater(i);
    }

    void setWantOut(uint32_t i, bool want)
    {
        Conn &k = conns[i];
        if (k.wantOut == want)
            return;
        k.wantOut = want;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | (want ? uint32_t(EPOLLOUT) : 0u);
        ev.data.u32 = i;
        epoll_ctl(ep, EPOLL_CTL_MOD, k.fd, &ev);
    }

    // send() or SSL_write(): bytes taken (>= 0), or -1 with errno (EAGAIN when it would block).
    ssize_t transportSend(Conn &k, const char *data, size_t len)
    {
        if (!k.ssl)
            return send(k.fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        size_t written = 0;
        if (SSL_write_ex(k.ssl, data, len, &written) == 1)
            return ssize_t(written);
        const int e = SSL_get_error(k.ssl, 0);
        errno = (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) ? EAGAIN : EPIPE;
        return -1;
    }

    // recv() or SSL_read(): like recv().
    ssize_t transportRecv(Conn &k, char *data, size_t len)
    {
        if (!k.ssl)
            return recv(k.fd, data, len, MSG_DONTWAIT);
        size_t got = 0;
        if (SSL_read_ex(k.ssl, data, len, &got) == 1)
            return ssize_t(got);
        switch (SSL_get_error(k.ssl, 0)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            errno = EAGAIN;
            return -1;
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        case SSL_ERROR_SYSCALL:
            if (errno == 0)
                return 0;
            return -1;
        default:
            errno = EPROTO;
            return -1;
        }
    }

    void writeRaw(uint32_t i, const char *data, size_t len)
    {
        Conn &k = conns[i];
        if (k.fd < 0)
            return;
        if (k.out.empty()) {
            ssize_t w = transportSend(k, data, len);
            if (w < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK) {
                    fail(i, c.connectErrors, std::string("send: ") + std::strerror(errno));
                    return;
                }
                w = 0;
            }
            if (size_t(w) == len)
                return;
            k.out.append(data + w, len - size_t(w));
            setWantOut(i, true);
        } else {
            k.out.append(data, len);
        }
    }

    void flush(uint32_t i)
    {
        Conn &k = conns[i];
        while (!k.out.empty()) {
            ssize_t w = transportSend(k, k.out.data(), k.out.size());
            if (w < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    return;
                fail(i, c.connectErrors, std::string("send: ") + std::strerror(errno));
                return;
            }
            k.out.erase(0, size_t(w));
        }
        setWantOut(i, false);
    }

    // A masked client frame (RFC 6455 5.3).
    void sendFrame(uint32_t i, uint8_t opcode, std::string_view payload)
    {
        scratch.clear();
        scratch.push_back(char(0x80 | opcode));
        size_t n = payload.size();
        if (n < 126) {
            scratch.push_back(char(0x80 | n));
        } else if (n < 65536) {
            scratch.push_back(char(0x80 | 126));
            scratch.push_back(char(n >> 8));
            scratch.push_back(char(n & 0xff));
        } else {
            scratch.push_back(char(0x80 | 127));
            for (int s = 56; s >= 0; s -= 8)
                scratch.push_back(char((uint64_t(n) >> s) & 0xff));
        }
        uint32_t m = nextMask();
        char mask[4] = {char(m >> 24), char(m >> 16), char(m >> 8), char(m)};
        scratch.append(mask, 4);
        size_t off = scratch.size();
        scratch.append(payload);
        for (size_t j = 0; j < n; ++j)
            scratch[off + j] ^= mask[j & 3];
        writeRaw(i, scratch.data(), scratch.size());
    }

    // Client i is member i / rooms of its room; member k connects to ports[k % n], so a
    // room's members (and its senders) are spread over the nodes whatever the room count.
    size_t portIndex(uint32_t i) const
    {
        return size_t(i / uint32_t(opt.rooms)) % opt.ports.size();
    }

    std::string topicOf(uint32_t room) const
    {
        return "chatter:room:" + opt.roomPrefix + "-" + std::to_string(room);
    }

    // Client i's nickname as the topics spell it: case-folded (the prefix is ASCII).
    std::string foldedNick(uint32_t i) const
    {
        std::string nick = opt.userPrefix + std::to_string(i);
        for (char &ch : nick)
            if (ch >= 'A' && ch <= 'Z')
                ch = char(ch - 'A' + 'a');
        return nick;
    }

    std::string personalTopic(uint32_t i) const { return "chatter:user:" + foldedNick(i); }

    // The DM of client 2k and 2k+1: both nicknames case-folded, sorted by code point.
    std::string dmTopic(uint32_t i) const
    {
        std::string a = foldedNick(i), b = foldedNick(i ^ 1u);
        if (b < a)
            std::swap(a, b);
        return "chatter:dm:" + a + ":" + b;
    }

    int topicsPerClient() const
    {
        return int(opt.joinPersonal) + int(opt.joinRoom) + int(opt.joinDm);
    }

    // ------------------------------------------------------------ connect

    void startConnect(uint32_t i)
    {
        Conn &k = conns[i];
        k.tStart = nowNs();
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            fail(i, c.connectErrors, std::string("socket: ") + std::strerror(errno));
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef IP_BIND_ADDRESS_NO_PORT
        // Pick the ephemeral port at connect() time, per (src, dst) pair.
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
        sockaddr_in src{};
        src.sin_family = AF_INET;
        src.sin_addr.s_addr =
            htonl((127u << 24) | uint32_t(opt.srcBase + int(i % uint32_t(opt.srcAddrs))));
        if (bind(fd, reinterpret_cast<sockaddr *>(&src), sizeof src) != 0) {
            const int err = errno;
            close(fd);
            fail(i, c.connectErrors, std::string("bind: ") + std::strerror(err));
            return;
        }
        sockaddr_in dst{};
        dst.sin_family = AF_INET;
        dst.sin_port = htons(uint16_t(opt.ports[portIndex(i)]));
        inet_pton(AF_INET, opt.host.c_str(), &dst.sin_addr);
        k.fd = fd;
        k.state = State::Connecting;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        ev.data.u32 = i;
        k.wantOut = true;
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        int r = connect(fd, reinterpret_cast<sockaddr *>(&dst), sizeof dst);
        if (r != 0 && errno != EINPROGRESS) {
            if (errno == ECONNREFUSED)
                fail(i, c.refused, "connect: connection refused");
            else
                fail(i, c.connectErrors, std::string("connect: ") + std::strerror(errno));
        }
    }

    void onConnected(uint32_t i)
    {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(conns[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            if (err == ECONNREFUSED)
                fail(i, c.refused, "connect: connection refused");
            else
                fail(i, c.connectErrors, std::string("connect: ") + std::strerror(err));
            return;
        }
        if (opt.tls) {
            Conn &k = conns[i];
            k.ssl = SSL_new(tlsContext);
            // A write may be retried from a different buffer (k.out grows meanwhile).
            SSL_set_mode(k.ssl,
                         SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
            SSL_set_fd(k.ssl, k.fd);
            SSL_set_connect_state(k.ssl);
            k.state = State::TlsHandshake;
            continueTls(i);
            return;
        }
        sendUpgrade(i);
    }

    void continueTls(uint32_t i)
    {
        Conn &k = conns[i];
        const int r = SSL_do_handshake(k.ssl);
        if (r == 1) {
            sendUpgrade(i);
            return;
        }
        const int e = SSL_get_error(k.ssl, r);
        if (e == SSL_ERROR_WANT_READ) {
            setWantOut(i, false);
            return;
        }
        if (e == SSL_ERROR_WANT_WRITE) {
            setWantOut(i, true);
            return;
        }
        char why[256];
        ERR_error_string_n(ERR_get_error(), why, sizeof why);
        fail(i, c.handshakeFailed, std::string("TLS handshake: ") + why);
    }

    void sendUpgrade(uint32_t i)
    {
        conns[i].state = State::Handshake;
        // A fixed key: Sec-WebSocket-Accept is not verified, only the 101 status.
        std::string req = "GET /socket/websocket?vsn=2.0.0&user=" + opt.userPrefix +
                          std::to_string(i) + " HTTP/1.1\r\nHost: " + opt.host + ":" +
                          std::to_string(opt.ports[portIndex(i)]) +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                          "dGhlIHNhbXBsZSBub25jZQ==" +
                          "\r\nSec-WebSocket-Version: 13\r\n";
        if (!bearers.empty())
            req += "Sec-WebSocket-Protocol: " + bearers[i] + "\r\n";
        req += "\r\n";
        setWantOut(i, false);
        writeRaw(i, req.data(), req.size());
    }

    // Every topic of --join at once; the replies (refs jp, j, jd) may come in any order.
    void sendJoin(uint32_t i)
    {
        Conn &k = conns[i];
        k.state = State::Joining;
        k.pendingJoins = uint8_t(topicsPerClient());
        auto join = [&](const char *joinRef, const char *ref, const std::string &topic) {
            if (k.fd >= 0)
                sendFrame(i, 0x1,
                          "[\"" + std::string(joinRef) + "\",\"" + ref + "\",\"" + topic +
                              "\",\"phx_join\",{}]");
        };
        if (opt.joinPersonal)
            join("2", "jp", personalTopic(i));
        if (opt.joinRoom)
            join("1", "j", topicOf(k.room)); // "1": new_msg and phx_leave name this join
        if (opt.joinDm)
            join("3", "jd", dmTopic(i));
    }

    // ------------------------------------------------------------ churn

    void schedule(uint32_t i, uint64_t at, ChurnEvent what)
    {
        churnQueue.push(Scheduled{at, i, ++conns[i].gen, what});
    }

    // The next leave of a joined churning client: after period x U(0.5, 1.5), so that
    // leaves spread over time instead of marching in step.
    void scheduleLeave(uint32_t i, uint64_t now)
    {
        schedule(i, now + uint64_t(opt.churnPeriod * (0.5 + uniform()) * 1e9), ChurnEvent::Leave);
    }

    void goOffline(uint32_t i, uint64_t now)
    {
        Conn &k = conns[i];
        k.state = State::Offline;
        k.attempts = 0;
        if (soaking)
            schedule(i, now + uint64_t(opt.churnDown * 1e9), ChurnEvent::Reconnect);
    }

    // A failed reconnect (or a churning client the server dropped): try again after the
    // down time, at most --churn-attempts times per cycle.
    void retryLater(uint32_t i)
    {
        Conn &k = conns[i];
        if (k.attempts >= opt.churnAttempts) {
            c.churnGaveUp++;
            return;
        }
        k.state = State::Offline;
        schedule(i, nowNs() + uint64_t(opt.churnDown * 1e9), ChurnEvent::Reconnect);
    }

    void startLeave(uint32_t i, uint64_t now)
    {
        Conn &k = conns[i];
        k.cycles++;
        leftRoom(i);
        if (opt.churnAbruptEvery > 0 && k.cycles % uint32_t(opt.churnAbruptEvery) == 0) {
            // No phx_leave, no close frame: the server must clean up after a vanished peer.
            closeFd(i);
            c.leavesAbrupt++;
            goOffline(i, now);
            return;
        }
        k.state = State::Leaving;
        std::string msg = "[\"1\",\"l\",\"" + topicOf(k.room) + "\",\"phx_leave\",{}]";
        sendFrame(i, 0x1, msg);
        if (k.state == State::Leaving)
            schedule(i, now + uint64_t(opt.leaveTimeout * 1e9), ChurnEvent::Deadline);
    }

    void onLeaveReply(uint32_t i, bool ok, std::string_view msg)
    {
        Conn &k = conns[i];
        if (k.state != State::Leaving)
            return;
        if (!ok) {
            c.channelErrors++;
            if (c.firstFailure.empty())
                c.firstFailure = "leave reply: " + std::string(msg.substr(0, 300));
        }
        k.state = State::Closing;
        static const char normalClosure[2] = {char(0x03), char(0xe8)}; // 1000
        sendFrame(i, 0x8, std::string_view(normalClosure, 2));
        if (k.state == State::Closing)
            schedule(i, nowNs() + uint64_t(opt.leaveTimeout * 1e9), ChurnEvent::Deadline);
    }

    // The server answered the close frame (or closed): the leave is complete.
    void finishLeave(uint32_t i)
    {
        closeFd(i);
        c.leavesGraceful++;
        goOffline(i, nowNs());
    }

    void runChurn(uint64_t now)
    {
        // Bounded per call: a backlog is worked off over the next loop turns.
        for (int budget = 2000; budget > 0 && !churnQueue.empty(); --budget) {
            const Scheduled e = churnQueue.top();
            if (e.at > now)
                return;
            churnQueue.pop();
            Conn &k = conns[e.conn];
            if (e.gen != k.gen)
                continue; // superseded
            switch (e.what) {
            case ChurnEvent::Leave:
                if (soaking && k.state == State::Joined)
                    startLeave(e.conn, now);
                break;
            case ChurnEvent::Reconnect:
                if (soaking && k.state == State::Offline) {
                    if (k.attempts++ > 0)
                        c.churnRetries++;
                    startConnect(e.conn);
                    if (k.state == State::Connecting)
                        schedule(e.conn, now + uint64_t(opt.connectTimeout * 1e9),
                                 ChurnEvent::Deadline);
                }
                break;
            case ChurnEvent::Deadline:
                if (k.state == State::Leaving || k.state == State::Closing) {
                    c.leaveTimeouts++;
                    if (c.firstFailure.empty())
                        c.firstFailure = k.state == State::Leaving ? "phx_leave unanswered"
                                                                   : "close frame unanswered";
                    closeFd(e.conn);
                    goOffline(e.conn, now);
                } else if (k.state == State::Connecting || k.state == State::Handshake ||
                           k.state == State::Joining) {
                    fail(e.conn, c.timedOut, "timed out rejoining");
                }
                break;
            }
        }
    }

    // ------------------------------------------------------------ samples

    void takeSample(uint64_t now)
    {
        Sample s;
        s.t = secs(now - t0);
        s.server = readProc(opt.serverPid);
        s.serverFds = countFds(opt.serverPid);
        const ProcSample self = readProc(int(getpid()));
        s.selfRssKb = self.rssKb;
        s.selfFds = countFds(int(getpid()));
        s.openStable = c.openStable;
        s.openChurn = c.openChurn;
        s.joins = c.joined + c.rejoins;
        s.leaves = c.leavesGraceful + c.leavesAbrupt + c.leaveTimeouts;
        s.sent = c.sent;
        s.acked = c.acked;
        s.delivered = c.delivered + c.deliveredChurn;
        samples.push_back(s);
        std::fprintf(stderr,
                     "[%s] t=%4.0fs server rss %ld KiB fds %d | loadgen rss %ld KiB fds %d | "
                     "joined %ld stable + %ld churning | joins %ld leaves %ld | sent %ld acked "
                     "%ld delivered %ld\n",
                     opt.label.c_str(), s.t, s.server.rssKb, s.serverFds, s.selfRssKb, s.selfFds,
                     s.openStable, s.openChurn, s.joins, s.leaves, s.sent, s.acked, s.delivered);
    }

    void sampleIfDue(uint64_t now)
    {
        if (opt.sampleEvery <= 0 || now < nextSample)
            return;
        takeSample(now);
        nextSample = now + uint64_t(opt.sampleEvery * 1e9);
    }

    // ------------------------------------------------------------ receive

    // Minimal JSON scanning: the first four array elements are null or strings
    // without escapes in every message this benchmark exchanges.
    static bool nextElement(std::string_view s, size_t &pos, std::string_view &out)
    {
        while (pos < s.size() && (s[pos] == ' ' || s[pos] == ',' || s[pos] == '['))
            ++pos;
        if (pos >= s.size())
            return false;
        if (s.compare(pos, 4, "null") == 0) {
            out = {};
            pos += 4;
            return true;
        }
        if (s[pos] != '"')
            return false;
        size_t end = pos + 1;
        while (end < s.size() && s[end] != '"') {
            if (s[end] == '\\')
                ++end;
            ++end;
        }
        if (end >= s.size())
            return false;
        out = s.substr(pos + 1, end - pos - 1);
        pos = end + 1;
        return true;
    }

    static bool parseU64(std::string_view s, size_t &pos, uint64_t &v)
    {
        size_t start = pos;
        v = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
            v = v * 10 + uint64_t(s[pos++] - '0');
        return pos > start;
    }

    // Whether a phx_reply payload's own "status" is "ok". Chatter writes the keys sorted, so
    // "status" comes after "response", which may hold "status" keys of its own: only a key
    // of the outermost object counts.
    static bool replyOk(std::string_view payload)
    {
        size_t pos = payload.find('{');
        if (pos == std::string_view::npos)
            return false;
        int depth = 0;
        for (; pos < payload.size(); ++pos) {
            const char ch = payload[pos];
            if (ch == '"') {
                size_t end = pos + 1;
                while (end < payload.size() && payload[end] != '"') {
                    if (payload[end] == '\\')
                        ++end;
                    ++end;
                }
                if (end >= payload.size())
                    return false;
                size_t v = end + 1;
                while (v < payload.size() && payload[v] == ' ')
                    ++v;
                if (depth == 1 && v < payload.size() && payload[v] == ':' &&
                    payload.substr(pos, end + 1 - pos) == "\"status\"") {
                    ++v;
                    while (v < payload.size() && payload[v] == ' ')
                        ++v;
                    return payload.compare(v, 4, "\"ok\"") == 0;
                }
                pos = end;
            } else if (ch == '{' || ch == '[') {
                ++depth;
            } else if ((ch == '}' || ch == ']') && --depth <= 0) {
                return false;
            }
        }
        return false;
    }

    void onText(uint32_t i, std::string_view msg, uint64_t rxTime)
    {
        size_t pos = 0;
        std::string_view joinRef, ref, topic, event;
        if (!nextElement(msg, pos, joinRef) || !nextElement(msg, pos, ref) ||
            !nextElement(msg, pos, topic) || !nextElement(msg, pos, event)) {
            c.protocolErrors++;
            return;
        }
        std::string_view payload = msg.substr(pos);
        if (event == "new_msg") {
            size_t b = payload.find("\"body\"");
            size_t t = b == std::string_view::npos ? b : payload.find("t=", b);
            uint64_t ts = 0, n = 0;
            if (t == std::string_view::npos) {
                c.foreign++;
                return;
            }
            size_t p = t + 2;
            if (!parseU64(payload, p, ts) || payload.compare(p, 3, ";n=") != 0) {
                c.foreign++;
                return;
            }
            p += 3;
            if (!parseU64(payload, p, n) || n >= receivedFor.size()) {
                c.foreign++;
                return;
            }
            latencies.push_back(rxTime > ts ? rxTime - ts : 0);
            lastReceipt = rxTime;
            if (conns[i].churns) {
                // Whether a client that is joining or leaving should get a message depends
                // on when the server saw the join or leave: only stable clients are counted.
                c.deliveredChurn++;
                return;
            }
            if (++receivedFor[n] > expectedFor[n])
                c.duplicates++;
            c.delivered++;
            if (opt.ports.size() > 1 && portIndex(i) != portIndex(senders[n % senders.size()]))
                deliveredCross++;
            return;
        }
        if (event == "phx_reply") {
            const bool ok = replyOk(payload);
            if (!ref.empty() && ref[0] == 'n') {
                uint64_t n = 0;
                size_t p = 1;
                parseU64(ref, p, n);
                if (ok) {
                    c.acked++;
                    if (n < sendTs.size() && sendTs[n])
                        ackLatencies.push_back(rxTime - sendTs[n]);
                } else {
                    c.ackErrors++;
                    if (c.firstFailure.empty())
                        c.firstFailure = "new_msg reply: " + std::string(msg.substr(0, 300));
                }
                return;
            }
            if (ref == "j" || ref == "jp" || ref == "jd") {
                Conn &k = conns[i];
                if (k.state != State::Joining)
                    return;
                if (!ok) {
                    fail(i, c.joinFailed, "join reply: " + std::string(msg.substr(0, 300)));
                    return;
                }
                c.joins++;
                if (k.pendingJoins > 0 && --k.pendingJoins > 0)
                    return; // joined when every topic answered ok
                k.state = State::Joined;
                joinedRoom(i);
                if (k.cycles > 0 || k.attempts > 0) {
                    c.rejoins++;
                    rejoinLatencies.push_back(rxTime - k.tStart);
                    k.attempts = 0;
                } else {
                    c.joined++;
                    connectLatencies.push_back(rxTime - k.tStart);
                }
                if (soaking && k.churns)
                    scheduleLeave(i, rxTime);
                return;
            }
            if (ref == "l") {
                onLeaveReply(i, ok, msg);
                return;
            }
            if (ref == "h") {
                c.heartbeatReplies++;
                return;
            }
            return;
        }
        if (event == "phx_error" || event == "phx_close") {
            if (conns[i].state == State::Leaving || conns[i].state == State::Closing)
                return; // the channel of a client that is leaving may close first
            c.channelErrors++;
            if (c.firstFailure.empty())
                c.firstFailure = "channel event: " + std::string(msg.substr(0, 300));
            return;
        }
        // presence_state / presence_diff and the like: ignored.
    }

    // Parses complete frames from data; returns bytes consumed. false: closed.
    bool parseFrames(uint32_t i, const char *data, size_t len, size_t &consumed, uint64_t rxTime)
    {
        consumed = 0;
        while (true) {
            const uint8_t *p = reinterpret_cast<const uint8_t *>(data + consumed);
            size_t avail = len - consumed;
            if (avail < 2)
                return true;
            bool fin = p[0] & 0x80;
            uint8_t op = p[0] & 0x0f;
            bool masked = p[1] & 0x80;
            uint64_t plen = p[1] & 0x7f;
            size_t hdr = 2;
            if (plen == 126) {
                if (avail < 4)
                    return true;
                plen = (uint64_t(p[2]) << 8) | p[3];
                hdr = 4;
            } else if (plen == 127) {
                if (avail < 10)
                    return true;
                plen = 0;
                for (int j = 0; j < 8; ++j)
                    plen = (plen << 8) | p[2 + j];
                hdr = 10;
            }
            if (masked)
                hdr += 4; // a server must not mask; tolerate and unmask
            if (plen > (64u << 20)) {
                fail(i, c.dropped, "frame too large");
                return false;
            }
            if (avail < hdr + plen)
                return true;
            std::string_view payload(data + consumed + hdr, size_t(plen));
            std::string unmasked;
            if (masked) {
                unmasked.assign(payload);
                const uint8_t *mk = p + hdr - 4;
                for (size_t j = 0; j < unmasked.size(); ++j)
                    unmasked[j] ^= char(mk[j & 3]);
                payload = unmasked;
            }
            consumed += hdr + size_t(plen);
            switch (op) {
            case 0x0: // continuation
                conns[i].frag.append(payload);
                if (fin) {
                    std::string whole;
                    whole.swap(conns[i].frag);
                    onText(i, whole, rxTime);
                }
                break;
            case 0x1:
                if (fin)
                    onText(i, payload, rxTime);
                else
                    conns[i].frag.assign(payload);
                break;
            case 0x2:
                c.protocolErrors++;
                break;
            case 0x8:
                if (conns[i].state == State::Closing) {
                    finishLeave(i);
                    return false;
                }
                fail(i, c.dropped, "server sent close frame");
                return false;
            case 0x9:
                c.pings++;
                sendFrame(i, 0xA, payload);
                break;
            case 0xA:
                break;
            default:
                c.protocolErrors++;
            }
            if (conns[i].state == State::Failed || conns[i].fd < 0)
                return false;
        }
    }

    void onReadable(uint32_t i)
    {
        Conn &k = conns[i];
        for (int round = 0; round < 4 && k.fd >= 0; ++round) {
            ssize_t r = transportRecv(k, rbuf.data(), rbuf.size());
            if (r <= 0 && k.state == State::Closing &&
                (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))) {
                finishLeave(i); // the server closed after our close frame
                return;
            }
            if (r < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                    return;
                long &ctr = k.state == State::Connecting
                                ? (errno == ECONNREFUSED ? c.refused : c.connectErrors)
                                : c.connectErrors;
                fail(i, ctr, std::string("recv: ") + std::strerror(errno));
                return;
            }
            if (r == 0) {
                long &ctr = k.state == State::Handshake ? c.handshakeFailed
                            : k.state == State::Joining ? c.joinFailed
                                                        : c.connectErrors;
                fail(i, ctr, "connection closed by server");
                return;
            }
            uint64_t rx = nowNs();
            const char *data = rbuf.data();
            size_t len = size_t(r);
            if (k.state == State::Handshake || !k.in.empty()) {
                k.in.append(data, len);
                data = k.in.data();
                len = k.in.size();
            }
            size_t off = 0;
            if (k.state == State::Handshake) {
                std::string_view sv(data, len);
                size_t end = sv.find("\r\n\r\n");
                if (end == std::string_view::npos) {
                    if (len > 16384)
                        fail(i, c.handshakeFailed, "oversized upgrade response");
                    continue;
                }
                if (sv.compare(0, 12, "HTTP/1.1 101") != 0) {
                    fail(i, c.handshakeFailed,
                         "upgrade refused: " + std::string(sv.substr(0, sv.find("\r\n"))));
                    return;
                }
                off = end + 4;
                sendJoin(i);
                if (k.state == State::Failed)
                    return;
            }
            size_t consumed = 0;
            if (!parseFrames(i, data + off, len - off, consumed, rx))
                return;
            off += consumed;
            if (data == k.in.data()) {
                k.in.erase(0, off);
            } else if (off < len) {
                k.in.assign(data + off, len - off);
            }
            if (size_t(r) < rbuf.size())
                return;
        }
    }

    // ------------------------------------------------------------ sending

    void sendMessage(uint64_t n, uint32_t sender)
    {
        Conn &k = conns[sender];
        if (k.state != State::Joined) {
            c.skipped++; // sender not connected: nothing sent, nothing expected
            return;
        }
        uint64_t ts = nowNs();
        char body[64];
        std::snprintf(body, sizeof body, "t=%" PRIu64 ";n=%" PRIu64, ts, n);
        std::string msg = "[\"1\",\"n" + std::to_string(n) + "\",\"" + topicOf(k.room) +
                          "\",\"new_msg\",{\"body\":\"" + body +
                          std::string(size_t(opt.bodyPad), 'x') + "\"}]";
        sendTs[n] = ts;
        expectedFor[n] = uint32_t(roomJoinedStable[k.room]);
        expected += roomJoinedStable[k.room];
        if (opt.ports.size() > 1)
            expectedCross += roomJoinedStable[k.room] -
                             roomStableByPort[k.room * opt.ports.size() + portIndex(sender)];
        if (!firstSend)
            firstSend = ts;
        lastSend = ts;
        c.sent++;
        sendFrame(sender, 0x1, msg);
    }

    void heartbeatSweep(uint64_t slot, uint64_t slots)
    {
        static const std::string hb = "[null,\"h\",\"phoenix\",\"heartbeat\",{}]";
        for (uint32_t i = uint32_t(slot % slots); i < conns.size(); i += uint32_t(slots)) {
            if (conns[i].state == State::Joined) {
                sendFrame(i, 0x1, hb);
                c.heartbeats++;
            }
        }
    }

    // ------------------------------------------------------------ accounts

    // Every client's session token from "nick token" lines, as the value of its
    // Sec-WebSocket-Protocol header: phoenix.js sends authToken as
    // "base64url.bearer.phx.<base64url of the token, no padding>" beside "phoenix".
    void loadTokens()
    {
        FILE *f = std::fopen(opt.tokensFile.c_str(), "r");
        if (!f)
            die("cannot read --tokens %s", opt.tokensFile.c_str());
        std::vector<std::pair<std::string, std::string>> pairs;
        char line[512];
        while (std::fgets(line, sizeof line, f)) {
            char nick[128], token[384];
            if (std::sscanf(line, "%127s %383s", nick, token) == 2)
                pairs.emplace_back(nick, token);
        }
        std::fclose(f);
        std::sort(pairs.begin(), pairs.end());
        bearers.assign(conns.size(), {});
        for (uint32_t i = 0; i < conns.size(); ++i) {
            const std::string nick = opt.userPrefix + std::to_string(i);
            auto it =
                std::lower_bound(pairs.begin(), pairs.end(), std::make_pair(nick, std::string()));
            if (it == pairs.end() || it->first != nick)
                die("--tokens: no token for %s (register the accounts first: --register)",
                    nick.c_str());
            bearers[i] = "phoenix, base64url.bearer.phx." + base64Url(it->second);
        }
    }

    // ------------------------------------------------------------ run

    void pump(int timeoutMs)
    {
        epoll_event evs[512];
        int n = epoll_wait(ep, evs, 512, timeoutMs);
        for (int e = 0; e < n; ++e) {
            uint32_t i = evs[e].data.u32;
            Conn &k = conns[i];
            if (k.fd < 0)
                continue;
            uint32_t ev = evs[e].events;
            if (k.state == State::Connecting) {
                if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
                    onConnected(i);
                continue;
            }
            if (k.state == State::TlsHandshake) {
                continueTls(i);
                continue;
            }
            if (ev & EPOLLIN)
                onReadable(i);
            if (k.fd >= 0 && (ev & EPOLLOUT))
                flush(i);
            if (k.fd >= 0 && k.state == State::Closing &&
                (ev & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) && !(ev & EPOLLIN))
                finishLeave(i);
            else if (k.fd >= 0 && (ev & (EPOLLERR | EPOLLHUP)) && !(ev & EPOLLIN))
                fail(i, c.connectErrors, "socket error/hangup");
            else if (k.fd >= 0 && (ev & EPOLLRDHUP) && !(ev & EPOLLIN))
                fail(i, c.connectErrors, "peer closed");
        }
    }

    static uint64_t pct(std::vector<uint64_t> v, double q)
    {
        if (v.empty())
            return 0;
        size_t idx = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
        std::nth_element(v.begin(), v.begin() + long(idx), v.end());
        return v[idx];
    }

    int run()
    {
        signal(SIGPIPE, SIG_IGN);
        rlimit rl{};
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        getrlimit(RLIMIT_NOFILE, &rl);
        if (rlim_t(opt.clients) + 64 > rl.rlim_cur)
            std::fprintf(stderr, "loadgen: warning: RLIMIT_NOFILE %llu < clients %d\n",
                         (unsigned long long)rl.rlim_cur, opt.clients);

        ep = epoll_create1(EPOLL_CLOEXEC);
        if (opt.tls) {
            // The server under test is measured, not verified: any certificate will do.
            tlsContext = SSL_CTX_new(TLS_client_method());
            SSL_CTX_set_verify(tlsContext, SSL_VERIFY_NONE, nullptr);
        }
        conns.resize(size_t(opt.clients));
        if (!opt.tokensFile.empty())
            loadTokens();
        roomJoined.assign(size_t(opt.rooms), 0);
        roomJoinedStable.assign(size_t(opt.rooms), 0);
        roomStableByPort.assign(size_t(opt.rooms) * opt.ports.size(), 0);
        roomMembers.resize(size_t(opt.rooms));
        for (uint32_t i = 0; i < conns.size(); ++i) {
            conns[i].room = i % uint32_t(opt.rooms);
            roomMembers[conns[i].room].push_back(i);
        }
        // Senders: member s of every room, rooms interleaved so that sends
        // are spread evenly over rooms and over time.
        for (int s = 0; s < opt.sendersPerRoom; ++s)
            for (auto &m : roomMembers)
                if (size_t(s) < m.size())
                    senders.push_back(m[size_t(s)]);
        // Churning clients: of the members that do not send (position j in their room),
        // every one where floor(j' x F) steps, j' counted from the first non-sender: the same
        // share in every room, spread over the room's members.
        long churners = 0;
        {
            const long perMillion = std::lround(opt.churnFraction * 1e6);
            for (uint32_t i = 0; i < conns.size(); ++i) {
                const long j = long(i / uint32_t(opt.rooms)) - opt.sendersPerRoom;
                if (j >= 0 && ((j + 1) * perMillion) / 1000000 > (j * perMillion) / 1000000) {
                    conns[i].churns = true;
                    ++churners;
                }
            }
        }
        const double totalRate = senders.empty() ? 0 : opt.rate * double(senders.size());
        const uint64_t totalMsgs = totalRate > 0 ? uint64_t(totalRate * opt.duration + 0.5) : 0;
        if (totalMsgs > 50'000'000ull)
            die("too many messages planned");
        sendTs.assign(totalMsgs, 0);
        expectedFor.assign(totalMsgs, 0);
        receivedFor.assign(totalMsgs, 0);
        long maxDeliveries = 0;
        for (uint32_t s : senders)
            maxDeliveries += long(roomMembers[conns[s].room].size());
        latencies.reserve(size_t(
            std::min<double>(double(maxDeliveries) * opt.rate * opt.duration * 1.05 + 16, 8e7)));
        ackLatencies.reserve(totalMsgs);
        connectLatencies.reserve(conns.size());

        const double connectSpan = double(opt.clients) / opt.connectRate;
        if (opt.maxTime <= 0)
            opt.maxTime = connectSpan + opt.connectTimeout + opt.settle + opt.duration + opt.drain +
                          30 + (opt.sampleEvery > 0 ? opt.closeWait : 0);
        const double machine0 = machineBusySec();
        t0 = nowNs();
        nextSample = t0;
        const int fdsBefore = countFds(opt.serverPid);
        const uint64_t hardEnd = t0 + uint64_t(opt.maxTime * 1e9);
        const ProcSample before = readProc(opt.serverPid);
        std::vector<double> groupsBefore;
        for (const CpuGroup &g : opt.cpuGroups)
            groupsBefore.push_back(groupCpuSec(g));
        const double selfCpu0 = selfCpuSec();
        std::fprintf(stderr, "[%s] connecting %d clients at %.0f/s over %d source addresses\n",
                     opt.label.c_str(), opt.clients, opt.connectRate, opt.srcAddrs);

        // Phase 1: connect, upgrade, join. Bounded by the per-client timeout.
        uint32_t launched = 0;
        const uint64_t connectInterval = uint64_t(1e9 / opt.connectRate);
        const uint64_t perClientTimeout = uint64_t(opt.connectTimeout * 1e9);
        uint64_t hbSlot = 0;
        const uint64_t hbSlots = std::max<uint64_t>(1, uint64_t(opt.heartbeat));
        uint64_t nextHb = t0 + 1'000'000'000ull;
        // Everything that runs on the clock besides sending: heartbeats, churn, samples.
        auto periodic = [&](uint64_t now) {
            while (now >= nextHb) {
                heartbeatSweep(hbSlot++, hbSlots);
                nextHb += 1'000'000'000ull;
            }
            runChurn(now);
            sampleIfDue(now);
        };
        uint64_t timeoutCheck = t0;
        while (true) {
            uint64_t now = nowNs();
            while (launched < conns.size() && now >= t0 + uint64_t(launched) * connectInterval)
                startConnect(launched++);
            if (now >= timeoutCheck) {
                timeoutCheck = now + 50'000'000ull;
                for (uint32_t i = 0; i < launched; ++i) {
                    State s = conns[i].state;
                    if ((s == State::Connecting || s == State::TlsHandshake ||
                         s == State::Handshake || s == State::Joining) &&
                        now > conns[i].tStart && now - conns[i].tStart > perClientTimeout)
                        fail(i, c.timedOut, "timed out before joining");
                }
            }
            periodic(now);
            if (launched == conns.size()) {
                bool pending = false;
                for (const Conn &k : conns)
                    if (k.state == State::Connecting || k.state == State::Handshake ||
                        k.state == State::Joining) {
                        pending = true;
                        break;
                    }
                if (!pending)
                    break;
            }
            if (now >= hardEnd)
                break;
            pump(1);
        }
        const uint64_t tConnected = nowNs();
        std::fprintf(stderr,
                     "[%s] joined %ld/%d (%ld joins, %d per client) in %.2fs (refused %ld, "
                     "errors %ld, handshake %ld, join %ld, timeout %ld)\n",
                     opt.label.c_str(), c.joined, opt.clients, c.joins, topicsPerClient(),
                     secs(tConnected - t0), c.refused, c.connectErrors, c.handshakeFailed,
                     c.joinFailed, c.timedOut);

        // Phase 2: settle, then sample RSS with everybody connected and idle.
        const uint64_t settleEnd = tConnected + uint64_t(opt.settle * 1e9);
        while (nowNs() < std::min(settleEnd, hardEnd)) {
            periodic(nowNs());
            pump(5);
        }
        const ProcSample afterConnect = readProc(opt.serverPid);
        const int fdsConnected = countFds(opt.serverPid);
        const long droppedBeforeSend = c.dropped;

        // Phase 3: send at a fixed schedule; message m is due at start + m / totalRate.
        // The measured window: sending + draining; without messages, the
        // whole connect + settle phase.
        // With churning clients the phase lasts --duration even without messages, and the
        // churning clients leave and rejoin throughout it.
        const bool timed = totalMsgs > 0 || churners > 0;
        const uint64_t sendStart = nowNs();
        const ProcSample cpuStart = timed ? readProc(opt.serverPid) : before;
        std::vector<double> groupsStart = groupsBefore;
        if (timed)
            for (size_t g = 0; g < opt.cpuGroups.size(); ++g)
                groupsStart[g] = groupCpuSec(opt.cpuGroups[g]);
        const double selfCpuSend0 = timed ? selfCpuSec() : selfCpu0;
        const uint64_t windowStart = timed ? sendStart : t0;
        const double machineStart = timed ? machineBusySec() : machine0;
        const uint64_t soakEnd = sendStart + uint64_t(opt.duration * 1e9);
        if (churners > 0) {
            soaking = true;
            for (uint32_t i = 0; i < conns.size(); ++i)
                if (conns[i].churns && conns[i].state == State::Joined)
                    schedule(i, sendStart + uint64_t(opt.churnPeriod * uniform() * 1e9),
                             ChurnEvent::Leave);
            std::fprintf(stderr,
                         "[%s] churn: %ld of %d clients leave and rejoin every %.0fs on average "
                         "for %.0fs\n",
                         opt.label.c_str(), churners, opt.clients, opt.churnPeriod, opt.duration);
        }
        uint64_t m = 0;
        if (timed) {
            if (totalMsgs > 0)
                std::fprintf(stderr,
                             "[%s] sending %" PRIu64
                             " messages from %zu senders at %.1f msg/s total\n",
                             opt.label.c_str(), totalMsgs, senders.size(), totalRate);
            const double interval = totalRate > 0 ? 1e9 / totalRate : 0;
            while (true) {
                uint64_t now = nowNs();
                if (now >= hardEnd || (m >= totalMsgs && !(soaking && now < soakEnd)))
                    break;
                while (m < totalMsgs && now >= sendStart + uint64_t(double(m) * interval)) {
                    sendMessage(m, senders[m % senders.size()]);
                    ++m;
                }
                periodic(now);
                pump(m < totalMsgs || soaking ? 1 : 0);
            }
        }
        // No leave starts and no client reconnects from here on; leaves and reconnects
        // already under way finish (or time out) during the drain.
        soaking = false;
        const uint64_t sendEnd = nowNs();

        // Phase 4: drain until every expected delivery and ack arrived, bounded.
        const uint64_t drainEnd = std::min(hardEnd, sendEnd + uint64_t(opt.drain * 1e9));
        // Churning clients still leaving or rejoining, looked at every 100 ms.
        bool churnInFlight = churners > 0;
        uint64_t nextInFlightCheck = 0;
        while (((totalMsgs > 0 && (c.delivered < expected || c.acked + c.ackErrors < c.sent)) ||
                churnInFlight) &&
               nowNs() < drainEnd) {
            const uint64_t now = nowNs();
            if (churnInFlight && now >= nextInFlightCheck) {
                nextInFlightCheck = now + 100'000'000ull;
                churnInFlight = std::any_of(conns.begin(), conns.end(), [](const Conn &k) {
                    return k.churns && k.state != State::Joined && k.state != State::Offline &&
                           k.state != State::Failed && k.state != State::Idle;
                });
            }
            periodic(now);
            pump(2);
        }
        const uint64_t windowEnd = nowNs();
        const ProcSample cpuEnd = readProc(opt.serverPid);
        std::vector<double> groupsCpu; // over the window
        for (size_t g = 0; g < opt.cpuGroups.size(); ++g)
            groupsCpu.push_back(groupCpuSec(opt.cpuGroups[g]) - groupsStart[g]);
        const double selfCpuSend1 = selfCpuSec();
        const double machineEnd = machineBusySec();

        // Give heartbeat replies still in flight a moment (bounded), so that
        // "unanswered" means unanswered. Nothing new is sent meanwhile.
        {
            const uint64_t hbEnd = std::min<uint64_t>(hardEnd, nowNs() + 1500000000ull);
            while (c.heartbeatReplies < c.heartbeats && nowNs() < hbEnd)
                pump(5);
        }

        // Connections still open at the end (also counts drops during sending).
        long open = 0;
        for (const Conn &k : conns)
            if (k.state == State::Joined)
                ++open;

        // With samples: one more with everybody still connected, then close every socket
        // and watch (bounded) the server give its descriptors back.
        int fdsAtEnd = -1, fdsAfterClose = -1;
        long rssAfterClose = 0;
        double closeWaited = 0;
        if (opt.sampleEvery > 0) {
            takeSample(nowNs());
            fdsAtEnd = samples.back().serverFds;
            for (uint32_t i = 0; i < conns.size(); ++i) {
                if (conns[i].state == State::Joined)
                    leftRoom(i);
                closeFd(i);
                conns[i].state = State::Closed;
            }
            const uint64_t closed = nowNs();
            const uint64_t waitEnd = closed + uint64_t(opt.closeWait * 1e9);
            int last = -2, unchanged = 0;
            while (nowNs() < waitEnd) {
                const int n = countFds(opt.serverPid);
                if (n < 0 || (fdsBefore >= 0 && n <= fdsBefore))
                    break;
                unchanged = n == last ? unchanged + 1 : 0;
                if (unchanged >= 8) // 2 s without change: what is left stays
                    break;
                last = n;
                usleep(250'000);
            }
            closeWaited = secs(nowNs() - closed);
            takeSample(nowNs());
            fdsAfterClose = samples.back().serverFds;
            rssAfterClose = samples.back().server.rssKb;
        }

        // Per-message accounting: how many messages missed how many recipients.
        long lostMsgs = 0, lost = 0;
        long firstLost = -1;
        for (uint64_t n = 0; n < m; ++n) {
            if (receivedFor[n] < expectedFor[n]) {
                ++lostMsgs;
                lost += long(expectedFor[n] - receivedFor[n]);
                if (firstLost < 0)
                    firstLost = long(n);
            }
        }

        // ---------------------------------------------------------- report
        auto kv = [](const char *k, const std::string &v) { std::printf("%s=%s\n", k, v.c_str()); };
        auto kvd = [](const char *k, double v) { std::printf("%s=%.6g\n", k, v); };
        auto kvl = [](const char *k, long v) { std::printf("%s=%ld\n", k, v); };
        kv("label", opt.label);
        {
            std::string ports;
            for (const int p : opt.ports)
                ports += (ports.empty() ? "" : ",") + std::to_string(p);
            kv("ports", ports);
        }
        kvl("clients", opt.clients);
        kvl("rooms", opt.rooms);
        kvl("senders", long(senders.size()));
        kvd("rate_per_sender", opt.rate);
        kvd("duration_s", opt.duration);
        kvd("connect_rate", opt.connectRate);
        kvl("joined", c.joined);
        kvl("topics_per_client", topicsPerClient());
        kvl("joins", c.joins);
        kvl("connect_refused", c.refused);
        kvl("connect_errors", c.connectErrors);
        kvl("handshake_failed", c.handshakeFailed);
        kvl("join_failed", c.joinFailed);
        kvl("connect_timeouts", c.timedOut);
        kvl("connect_failures",
            c.refused + c.connectErrors + c.handshakeFailed + c.joinFailed + c.timedOut);
        kvl("dropped_before_send", droppedBeforeSend);
        kvl("dropped", c.dropped);
        kvl("open_at_end", open);
        kvd("connect_phase_s", secs(tConnected - t0));
        kvd("connect_p50_ms", double(pct(connectLatencies, 0.50)) / 1e6);
        kvd("connect_p99_ms", double(pct(connectLatencies, 0.99)) / 1e6);
        kvd("connect_max_ms", double(pct(connectLatencies, 1.0)) / 1e6);
        kvl("sent", c.sent);
        kvl("skipped_sends", c.skipped);
        kvl("acked", c.acked);
        kvl("ack_errors", c.ackErrors);
        kvl("expected", expected);
        kvl("delivered", c.delivered);
        kvl("lost", lost);
        kvl("expected_cross_node", expectedCross);
        kvl("delivered_cross_node", deliveredCross);
        kvl("lost_messages", lostMsgs);
        kvl("first_lost_msg", firstLost);
        kvl("duplicates", c.duplicates);
        kvl("foreign_msgs", c.foreign);
        kvl("protocol_errors", c.protocolErrors);
        kvl("channel_errors", c.channelErrors);
        kvl("heartbeats", c.heartbeats);
        kvl("heartbeat_replies", c.heartbeatReplies);
        const double span =
            lastReceipt > firstSend && firstSend ? secs(lastReceipt - firstSend) : 0;
        kvd("delivery_span_s", span);
        kvd("deliveries_per_s", span > 0 ? double(c.delivered) / span : 0);
        kvd("send_phase_s", secs(sendEnd - sendStart));
        kvd("window_s", secs(windowEnd - windowStart));
        kvd("lat_p50_ms", double(pct(latencies, 0.50)) / 1e6);
        kvd("lat_p99_ms", double(pct(latencies, 0.99)) / 1e6);
        kvd("lat_p999_ms", double(pct(latencies, 0.999)) / 1e6);
        kvd("lat_max_ms", double(pct(latencies, 1.0)) / 1e6);
        kvd("ack_p50_ms", double(pct(ackLatencies, 0.50)) / 1e6);
        kvd("ack_p99_ms", double(pct(ackLatencies, 0.99)) / 1e6);
        kvd("ack_max_ms", double(pct(ackLatencies, 1.0)) / 1e6);
        kvl("server_pid", opt.serverPid);
        if (before.ok) {
            kvl("rss_before_kb", before.rssKb);
            kvl("rss_connected_kb", afterConnect.rssKb);
            kvl("rss_end_kb", cpuEnd.rssKb);
            kvd("rss_per_conn_kb",
                c.joined > 0 ? double(afterConnect.rssKb - before.rssKb) / double(c.joined) : 0);
            kvd("rss_per_topic_kb",
                c.joins > 0 ? double(afterConnect.rssKb - before.rssKb) / double(c.joins) : 0);
            kvl("server_threads", afterConnect.threads);
            kvd("server_cpu_connect_s", afterConnect.cpuSec - before.cpuSec);
            const double cpu = cpuEnd.cpuSec - cpuStart.cpuSec;
            const double win = secs(windowEnd - windowStart);
            kvd("server_cpu_s", cpu);
            kvd("server_cpu_pct", win > 0 ? 100.0 * cpu / win : 0);
            kvd("server_cpu_us_per_delivery",
                c.delivered > 0 ? 1e6 * cpu / double(c.delivered) : 0);
            // Everything else that ran on the machine over the window, in % of one CPU: besides
            // the server and the generator, the --cpu-group/--cpu-tree processes are not
            // "other" either (the server counted once if a group holds it too).
            double groups = 0;
            bool serverInGroup = false;
            for (size_t g = 0; g < opt.cpuGroups.size(); ++g) {
                groups += groupsCpu[g];
                const std::vector<int> &pids = opt.cpuGroups[g].pids;
                serverInGroup = serverInGroup ||
                                std::find(pids.begin(), pids.end(), opt.serverPid) != pids.end();
            }
            const double other = (machineEnd - machineStart) - (serverInGroup ? 0 : cpu) - groups -
                                 (selfCpuSend1 - selfCpuSend0);
            kvd("other_cpu_pct", win > 0 ? std::max(0.0, 100.0 * other / win) : 0);
        }
        if (!opt.cpuGroups.empty()) {
            std::string names;
            for (size_t g = 0; g < opt.cpuGroups.size(); ++g) {
                names += (names.empty() ? "" : ",") + opt.cpuGroups[g].name;
                const std::string key = "cpu_group_" + opt.cpuGroups[g].name + "_s";
                kvd(key.c_str(), groupsCpu[g]);
            }
            kv("cpu_groups", names);
        }
        kvd("loadgen_cpu_s", selfCpuSend1 - selfCpuSend0);
        kvd("loadgen_cpu_pct", windowEnd > windowStart ? 100.0 * (selfCpuSend1 - selfCpuSend0) /
                                                             secs(windowEnd - windowStart)
                                                       : 0);
        kvd("loadgen_cpu_total_s", selfCpuSec() - selfCpu0);
        {
            rusage ru{};
            getrusage(RUSAGE_SELF, &ru);
            kvd("loadgen_user_total_s",
                double(ru.ru_utime.tv_sec) + double(ru.ru_utime.tv_usec) / 1e6);
            kvd("loadgen_sys_total_s",
                double(ru.ru_stime.tv_sec) + double(ru.ru_stime.tv_usec) / 1e6);
        }
        if (churners > 0 || opt.sampleEvery > 0) {
            kvd("churn_fraction", opt.churnFraction);
            kvd("churn_period_s", opt.churnPeriod);
            kvd("churn_down_s", opt.churnDown);
            kvl("stable_clients", opt.clients - churners);
            kvl("churning_clients", churners);
            kvl("rejoins", c.rejoins);
            kvl("connects_total", c.joined + c.rejoins);
            kvl("leaves_graceful", c.leavesGraceful);
            kvl("leaves_abrupt", c.leavesAbrupt);
            kvl("leave_timeouts", c.leaveTimeouts);
            kvl("churn_retries", c.churnRetries);
            kvl("churn_gave_up", c.churnGaveUp);
            kvl("delivered_churning", c.deliveredChurn);
            kvd("rejoin_p50_ms", double(pct(rejoinLatencies, 0.50)) / 1e6);
            kvd("rejoin_p99_ms", double(pct(rejoinLatencies, 0.99)) / 1e6);
            kvd("rejoin_max_ms", double(pct(rejoinLatencies, 1.0)) / 1e6);
            kvl("errors_total", c.refused + c.connectErrors + c.handshakeFailed + c.joinFailed +
                                    c.timedOut + c.dropped + c.protocolErrors + c.channelErrors +
                                    c.ackErrors + c.leaveTimeouts + c.churnGaveUp + c.duplicates +
                                    c.foreign);
        }
        if (opt.sampleEvery > 0) {
            kvl("server_fds_before", fdsBefore);
            kvl("server_fds_connected", fdsConnected);
            kvl("server_fds_at_end", fdsAtEnd);
            kvl("server_fds_after_close", fdsAfterClose);
            kvd("server_close_wait_s", closeWaited);
            kvl("server_rss_after_close_kb", rssAfterClose);
            // The soak window: the samples taken while sending and churning.
            const double from = secs(sendStart - t0), to = secs(sendEnd - t0);
            std::vector<const Sample *> win;
            for (const Sample &x : samples)
                if (x.t >= from && x.t <= to && x.server.ok)
                    win.push_back(&x);
            long rssMin = 0, rssMax = 0, selfRssMax = 0;
            int fdsMin = 0, fdsMax = 0, selfFdsMax = 0;
            double slope = 0;
            if (!win.empty()) {
                rssMin = rssMax = win.front()->server.rssKb;
                fdsMin = fdsMax = win.front()->serverFds;
                double st = 0, sr = 0, stt = 0, str = 0;
                for (const Sample *x : win) {
                    rssMin = std::min(rssMin, x->server.rssKb);
                    rssMax = std::max(rssMax, x->server.rssKb);
                    fdsMin = std::min(fdsMin, x->serverFds);
                    fdsMax = std::max(fdsMax, x->serverFds);
                    selfRssMax = std::max(selfRssMax, x->selfRssKb);
                    selfFdsMax = std::max(selfFdsMax, x->selfFds);
                    const double tm = x->t / 60.0, r = double(x->server.rssKb);
                    st += tm;
                    sr += r;
                    stt += tm * tm;
                    str += tm * r;
                }
                const double n = double(win.size());
                const double den = n * stt - st * st;
                slope = den > 0 ? (n * str - st * sr) / den : 0; // least squares, KiB per minute
            }
            kvl("soak_samples", long(win.size()));
            kvl("soak_rss_first_kb", win.empty() ? 0 : win.front()->server.rssKb);
            kvl("soak_rss_mid_kb", win.empty() ? 0 : win[win.size() / 2]->server.rssKb);
            kvl("soak_rss_last_kb", win.empty() ? 0 : win.back()->server.rssKb);
            kvl("soak_rss_min_kb", rssMin);
            kvl("soak_rss_max_kb", rssMax);
            kvd("soak_rss_slope_kb_per_min", slope);
            kvl("soak_fds_min", fdsMin);
            kvl("soak_fds_max", fdsMax);
            kvl("loadgen_rss_max_kb", selfRssMax);
            kvl("loadgen_fds_max", selfFdsMax);
            std::printf("sample_columns=t_s,server_rss_kb,server_fds,server_threads,server_cpu_s,"
                        "loadgen_rss_kb,loadgen_fds,joined_stable,joined_churning,joins,leaves,"
                        "sent,acked,delivered\n");
            for (const Sample &x : samples)
                std::printf("sample=%.1f,%ld,%d,%d,%.2f,%ld,%d,%ld,%ld,%ld,%ld,%ld,%ld,%ld\n", x.t,
                            x.server.rssKb, x.serverFds, x.server.threads, x.server.cpuSec,
                            x.selfRssKb, x.selfFds, x.openStable, x.openChurn, x.joins, x.leaves,
                            x.sent, x.acked, x.delivered);
        }
        kv("first_failure", c.firstFailure.empty() ? "-" : c.firstFailure);
        std::fflush(stdout);

        std::fprintf(stderr,
                     "[%s] delivered %ld/%ld (lost %ld, dup %ld) p50 %.2fms p99 %.2fms max %.2fms, "
                     "%.0f deliveries/s, "
                     "acks %ld/%ld, dropped %ld\n",
                     opt.label.c_str(), c.delivered, expected, lost, c.duplicates,
                     double(pct(latencies, 0.5)) / 1e6, double(pct(latencies, 0.99)) / 1e6,
                     double(pct(latencies, 1.0)) / 1e6, span > 0 ? double(c.delivered) / span : 0,
                     c.acked, c.sent, c.dropped);

        for (Conn &k : conns)
            if (k.fd >= 0)
                close(k.fd);
        close(ep);
        return 0;
    }
};

} // namespace

int main(int argc, char **argv)
{
    Generator g;
    g.opt = parseOptions(argc, argv);
    if (g.opt.registerCount > 0)
        return registerAccounts(g.opt);
    return g.run();
}
