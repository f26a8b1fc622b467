// A local cluster for the JS tests, the pieces `scripts/chatter cluster` runs (docs/cluster.md):
// PostgreSQL (initdb into a temporary directory; as the system user `chatter-test`, made once,
// when the test runs as root, as the C++ fixture does), redis-server, N chatter-server nodes
// with --database and --redis, and HAProxy in front (round robin, send-proxy-v2, /healthz
// checks). Everything binds free loopback ports and is stopped by its PID, also when a test
// fails: useCluster() stops it in after(), and whatever is still running when the process
// exits is killed.
import { after, before } from 'node:test';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.mjs';

const TEST_USER = 'chatter-test';
const STOP_TIMEOUT_MS = 10000;

// Every helper process (PostgreSQL, Redis, HAProxy) still running; killed if the test
// process exits without stopping them. The nodes are server.mjs's own, which does the same.
const helpers = new Set();
process.on('exit', () => {
  for (const p of helpers) {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A loopback port nothing listens on right now.
export function freePort() {
  return new Promise((res, rej) => {
    const probe = createServer();
    probe.once('error', rej);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => res(port));
    });
  });
}

// The newest PostgreSQL's bin directory (Debian's `postgresql`), as the C++ fixture picks it.
function newestPostgresBin() {
  if (process.env.CHATTER_PG_BIN) return process.env.CHATTER_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  if (versions.length === 0) {
    throw new Error('no PostgreSQL under /usr/lib/postgresql (Debian package `postgresql`; scripts/chatter deps installs it)');
  }
  return join(root, versions[0], 'bin');
}

// initdb refuses root: as root the server runs as a system user of its own.
function serverUser() {
  if (process.getuid() !== 0) return null;
  const known = () => spawnSync('getent', ['passwd', TEST_USER]).status === 0;
  if (!known()) {
    const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', TEST_USER]);
    // Another test process may have made it meanwhile.
    if (r.status !== 0 && !known()) throw new Error(`useradd ${TEST_USER} failed: ${r.stderr}`);
  }
  const id = (flag) => Number(spawnSync('id', [flag, TEST_USER], { encoding: 'utf8' }).stdout.trim());
  return { name: TEST_USER, uid: id('-u'), gid: id('-g') };
}

// setpriv execs the program, so the PID is the program's own; --pdeathsig takes it down with
// this process should the test crash (setpriv sets it after the change of user, which would
// clear it).
function setprivArgs(user, deathSignal, program, args) {
  const out = ['--pdeathsig', deathSignal];
  if (user) out.push(`--reuid=${user.name}`, `--regid=${user.name}`, '--clear-groups');
  return [...out, '--', program, ...args];
}

// A helper process with its output in a log file (a pipe nobody reads would stall it).
class Helper {
  constructor(name, argv, logFile, stopSignal) {
    this.name = name;
    this.logFile = logFile;
    this.stopSignal = stopSignal;
    const fd = openSync(logFile, 'a');
    this.proc = spawn('setpriv', argv, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.pid = this.proc.pid;
    this.exitInfo = null;
    this.exited = new Promise((res) => {
      this.proc.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        helpers.delete(this);
        res(this.exitInfo);
      });
    });
    this.proc.on('error', () => { /* reported by exit, or by the start's wait */ });
    helpers.add(this);
  }

  get alive() { return this.exitInfo === null; }

  log() {
    try { return readFileSync(this.logFile, 'utf8').slice(-2000); } catch { return ''; }
  }

  async stop(signal = this.stopSignal) {
    if (!this.alive) return this.exitInfo;
    process.kill(this.pid, signal);
    const t = setTimeout(() => { if (this.alive) process.kill(this.pid, 'SIGKILL'); }, STOP_TIMEOUT_MS);
    const info = await this.exited;
    clearTimeout(t);
    return info;
  }
}

function run(program, args, opts = {}) {
  return new Promise((res) => {
    execFile(program, args, { timeout: 60000, ...opts }, (error, stdout, stderr) => {
      res({ ok: !error, stdout, stderr: `${stderr}${error?.message ?? ''}` });
    });
  });
}

// Polls `check` every 50 ms until it is true; fails when `helper` exits or the time is up.
async function waitUntil(what, helper, check, timeout = 30000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (helper && !helper.alive) throw new Error(`${what} exited while starting:\n${helper.log()}`);
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`${what} did not come up within ${timeout} ms${helper ? `:\n${helper.log()}` : ''}`);
}

// One round trip on a TCP or Unix socket: writes `request`, resolves with everything read
// until the other side closes (or '' after a time-out or an error).
function exchange(target, request, timeout = 2000) {
  return new Promise((res) => {
    let data = '';
    const s = createConnection(target);
    const t = setTimeout(() => { s.destroy(); res(''); }, timeout);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(request));
    s.on('data', (d) => { data += d; });
    s.on('error', () => { clearTimeout(t); res(''); });
    s.on('close', () => { clearTimeout(t); res(data); });
  });
}

async function startPostgres(dir, user) {
  const bin = newestPostgresBin();
  const data = join(dir, 'pg');
  const run_ = join(dir, 'run');
  mkdirSync(run_);
  if (user) chownSync(run_, user.uid, user.gid);
  const init = spawnSync('setpriv', setprivArgs(user, 'INT', join(bin, 'initdb'),
    ['-D', data, '-U', 'chatter', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']),
  { encoding: 'utf8', timeout: 120000 });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stdout}${init.stderr}`);
  // A port that was free a moment ago may be taken by the time the server binds it: a few tries.
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const logFile = join(dir, 'log', 'postgresql.log');
    const pg = new Helper('postgres', setprivArgs(user, 'INT', join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', run_, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=50']), logFile, 'SIGINT');
    try {
      // Ready when the database can be made (PostgreSQL accepts connections).
      await waitUntil('PostgreSQL', pg, async () =>
        (await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'chatter', 'chatter'])).ok);
      return { helper: pg, port };
    } catch (e) {
      lastError = e;
      await pg.stop();
    }
  }
  throw lastError;
}

async function startRedis(dir) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const redis = new Helper('redis-server', setprivArgs(null, 'TERM', 'redis-server', [
      '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no',
      '--dir', join(dir, 'redis')]), join(dir, 'log', 'redis.log'), 'SIGTERM');
    try {
      await waitUntil('redis-server', redis, async () =>
        (await exchange({ host: '127.0.0.1', port }, 'PING\r\nQUIT\r\n')).startsWith('+PONG'), 20000);
      return { helper: redis, port };
    } catch (e) {
      lastError = e;
      await redis.stop();
    }
  }
  throw lastError;
}

// The configuration of docs/cluster.md, plus an admin socket that the tests ask which node
// holds a connection (`show sess`) and which nodes are up (`show stat`).
function haproxyConfig({ front, statsSocket, nodes, checkInterMs }) {
  return [
    'global',
    `    stats socket ${statsSocket} mode 600 level admin`,
    'defaults',
    '    mode http',
    '    timeout connect 2s',
    '    timeout client 70s',
    '    timeout server 70s',
    '    timeout tunnel 1h',
    '    timeout http-request 10s',
    '    option redispatch',
    '    retries 2',
    'frontend chatter',
    `    bind 127.0.0.1:${front}`,
    '    default_backend nodes',
    'backend nodes',
    '    balance roundrobin',
    '    option httpchk GET /healthz',
    '    http-check expect status 200',
    ...nodes.map((n) =>
      `    server ${n.name} 127.0.0.1:${n.port} send-proxy-v2 check inter ${checkInterMs}ms fall 2 rise 2`),
    '',
  ].join('\n');
}

export class Cluster {
  constructor() {
    this.dir = null;
    this.postgres = null;
    this.redis = null;
    this.nodes = []; // server.mjs ServerProcess, each with .name
    this.haproxy = null;
    this.front = null;
    this.statsSocket = null;
  }

  get host() { return '127.0.0.1'; }
  get port() { return this.front; }
  get httpBase() { return `http://127.0.0.1:${this.front}`; }
  // So that phx.mjs's makeSocket(version, cluster) connects through HAProxy.
  get wsBase() { return `ws://127.0.0.1:${this.front}`; }
  get databaseUrl() { return `postgresql://chatter@127.0.0.1:${this.postgres.port}/chatter`; }
  get redisUrl() { return `redis://127.0.0.1:${this.redis.port}/0`; }
  node(name) { return this.nodes.find((n) => n.name === name); }

  // opts.nodes: how many (3); opts.args: extra node flags; opts.checkInterMs: HAProxy's check
  // interval (docs/cluster.md has 1 s).
  async start({ nodes = 3, args = [], checkInterMs = 1000 } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'chatter-cluster-'));
    const user = serverUser();
    // The server user needs to reach its directories inside this one.
    chmodSync(this.dir, 0o755);
    for (const d of ['pg', 'redis', 'log']) mkdirSync(join(this.dir, d));
    if (user) {
      chownSync(join(this.dir, 'pg'), user.uid, user.gid);
      chmodSync(join(this.dir, 'pg'), 0o700);
    }
    this.postgres = await startPostgres(this.dir, user);
    this.redis = await startRedis(this.dir);
    this.front = await freePort();
    const nodeArgs = [
      '--workers', '1', '--database', this.databaseUrl, '--redis', this.redisUrl,
      '--trusted-proxies', '127.0.0.1',
      '--public-host', `127.0.0.1:${this.front},localhost:${this.front}`, ...args,
    ];
    // The first node makes the schema; the others then start together.
    const startNode = async (i) => {
      const n = await startServer({ args: nodeArgs });
      n.name = `n${i + 1}`;
      this.nodes[i] = n;
    };
    await startNode(0);
    await Promise.all(Array.from({ length: nodes - 1 }, (_, i) => startNode(i + 1)));

    this.statsSocket = join(this.dir, 'haproxy.sock');
    const config = join(this.dir, 'haproxy.cfg');
    writeFileSync(config, haproxyConfig({
      front: this.front, statsSocket: this.statsSocket, nodes: this.nodes, checkInterMs,
    }));
    const haproxy = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
    this.haproxy = new Helper('haproxy', setprivArgs(null, 'TERM', haproxy, ['-db', '-f', config]),
      join(this.dir, 'log', 'haproxy.log'), 'SIGTERM');
    // Up when every node passes its checks, so round robin has all of them from the start.
    await waitUntil('haproxy', this.haproxy, async () => {
      const up = await this.upNodes();
      return up.length === this.nodes.length;
    }, 20000);
    return this;
  }

  // HAProxy's admin socket: one command, its whole answer.
  admin(command) {
    return exchange(this.statsSocket, `${command}\n`);
  }

  // Names of the servers HAProxy has UP right now.
  async upNodes() {
    const csv = await this.admin('show stat');
    const up = [];
    for (const line of csv.split('\n')) {
      const f = line.split(',');
      if (f[0] === 'nodes' && f[1] !== 'BACKEND' && f[17] === 'UP') up.push(f[1]);
    }
    return up;
  }

  // The node HAProxy forwards a client connection to, by the client's local port
  // (`show sess` lists each session's source address and server); null when not found.
  async nodeOfPort(localPort) {
    const sessions = await this.admin('show sess');
    const re = new RegExp(`src=127\\.0\\.0\\.1:${localPort} fe=chatter be=nodes srv=(\\S+)`);
    const m = sessions.match(re);
    return m ? m[1] : null;
  }

  // The node a connected phoenix.js socket (with `ws` as its transport) is on.
  async nodeOf(socket) {
    const port = socket.conn?._socket?.localPort;
    if (!port) return null;
    return this.nodeOfPort(port);
  }

  // SIGKILL to one node by its PID; resolves once it has exited.
  async kill(name) {
    const n = this.node(name);
    return n.stop({ signal: 'SIGKILL' });
  }

  // In the order of `scripts/chatter cluster`: HAProxy, the nodes (SIGTERM), Redis, then
  // PostgreSQL (SIGINT, its fast shutdown); each by its PID. Keeps the directory when
  // CHATTER_KEEP_CLUSTER is set (its logs), else removes it.
  async stop() {
    const errors = [];
    const attempt = async (what, fn) => {
      try { await fn(); } catch (e) { errors.push(`${what}: ${e.message}`); }
    };
    if (this.haproxy) await attempt('haproxy', () => this.haproxy.stop());
    await Promise.all(this.nodes.filter(Boolean).map((n) => attempt(n.name, () => n.stop())));
    if (this.redis) await attempt('redis-server', () => this.redis.helper.stop());
    if (this.postgres) await attempt('postgres', () => this.postgres.helper.stop());
    if (this.dir && !process.env.CHATTER_KEEP_CLUSTER) rmSync(this.dir, { recursive: true, force: true });
    if (errors.length) throw new Error(`stopping the cluster: ${errors.join('; ')}`);
  }

  // The PIDs of everything started, for a test that checks nothing is left.
  pids() {
    return [this.haproxy, this.redis?.helper, this.postgres?.helper].filter(Boolean).map((h) => h.pid)
      .concat(this.nodes.filter(Boolean).map((n) => n.proc.pid));
  }
}

// One cluster for a test file: started in before(), stopped in after() whatever the tests
// did (a start that failed half-way stops what it had started).
export function useCluster(opts = {}) {
  const cluster = new Cluster();
  before(async () => {
    try {
      await cluster.start(opts);
    } catch (e) {
      await cluster.stop().catch(() => {});
      throw e;
    }
  });
  after(async () => { await cluster.stop(); });
  return cluster;
}
