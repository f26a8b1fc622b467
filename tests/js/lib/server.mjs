// Starts and stops chatter-server processes for the protocol tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SERVER_BIN =
  process.env.CHATTER_SERVER_BIN || resolve(here, '..', '..', '..', 'build', 'server', 'chatter-server');

const READY_TIMEOUT_MS = 15000;
const KILL_AFTER_MS = 5000;

// Every server ever started, so a crashed test cannot leak a process.
const running = new Set();
process.on('exit', () => {
  for (const s of running) {
    try { s.proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export class ServerProcess {
  constructor(proc, args) {
    this.proc = proc;
    this.args = args;
    this.port = null;
    this.stdoutText = '';
    this.stderrText = '';
    this.exitInfo = null;
    this.logWaiters = [];
    this.exited = new Promise((res) => {
      proc.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this);
        res(this.exitInfo);
      });
    });
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d) => { this.stdoutText += d; });
    proc.stderr.on('data', (d) => {
      this.stderrText += d;
      this.logWaiters = this.logWaiters.filter((w) => !w.check());
    });
    running.add(this);
  }

  get alive() { return this.exitInfo === null; }
  get host() { return '127.0.0.1'; }
  get httpBase() { return `http://127.0.0.1:${this.port}`; }
  get wsBase() { return `ws://127.0.0.1:${this.port}`; }

  // URL of the WebSocket endpoint; query is a string (without '?') or an object.
  wsUrl(query = { vsn: '2.0.0', user: 'tester' }) {
    const qs = typeof query === 'string' ? query : new URLSearchParams(query).toString();
    return `${this.wsBase}/socket/websocket${qs === '' ? '' : '?' + qs}`;
  }

  // Offset into stderr, so a test can look only at log lines written after it.
  logMark() { return this.stderrText.length; }

  logSince(mark = 0) { return this.stderrText.slice(mark); }

  waitForLog(re, { since = 0, timeout = 5000 } = {}) {
    return new Promise((res, rej) => {
      const w = {
        check: () => {
          const m = this.stderrText.slice(since).match(re);
          if (m) { clearTimeout(w.timer); res(m); return true; }
          return false;
        },
      };
      if (w.check()) return;
      w.timer = setTimeout(() => {
        this.logWaiters = this.logWaiters.filter((x) => x !== w);
        rej(new Error(`no server log line matching ${re} within ${timeout} ms; stderr since mark:\n` +
          this.stderrText.slice(since).slice(-2000)));
      }, timeout);
      this.logWaiters.push(w);
    });
  }

  async stop({ signal = 'SIGTERM', timeout = KILL_AFTER_MS } = {}) {
    if (!this.alive) return this.exitInfo;
    this.proc.kill(signal);
    const t = setTimeout(() => { if (this.alive) this.proc.kill('SIGKILL'); }, timeout);
    const info = await this.exited;
    clearTimeout(t);
    return info;
  }
}

// opts.args: extra command-line arguments; opts.port: explicit port (0 = any);
// opts.diagnostics: pass --diagnostics (default true).
// opts.dataDir: history directory; by default a fresh temporary one per server, so tests
// never share (or pollute) a database.
export async function startServer({ args = [], port = 0, diagnostics = true, dataDir = null, env = {} } = {}) {
  if (!existsSync(SERVER_BIN)) {
    throw new Error(`server binary not found at ${SERVER_BIN} (set CHATTER_SERVER_BIN)`);
  }
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'chatter-test-'));
  // --no-announce: a test server is never announced on the LAN (docs/discovery.md).
  const argv = ['--headless', '--no-announce', '--bind', '127.0.0.1', '--port', String(port), '--data-dir', dir, '--sync', 'normal'];
  if (diagnostics) argv.push('--diagnostics');
  argv.push(...args);
  const proc = spawn(SERVER_BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const server = new ServerProcess(proc, argv);
  server.dataDir = dir;
  if (dataDir === null) proc.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  await new Promise((res, rej) => {
    const timer = setTimeout(() => {
      cleanup();
      server.stop({ signal: 'SIGKILL' });
      rej(new Error(`server did not report its port within ${READY_TIMEOUT_MS} ms\nstdout: ${server.stdoutText}\nstderr: ${server.stderrText.slice(-2000)}`));
    }, READY_TIMEOUT_MS);
    const onData = () => {
      const m = server.stdoutText.match(/listening on \S+:(\d+)/);
      if (m) { server.port = Number(m[1]); cleanup(); res(); }
    };
    const onExit = (code, sig) => {
      cleanup();
      rej(new Error(`server exited before listening (code ${code}, signal ${sig})\nstderr: ${server.stderrText.slice(-2000)}`));
    };
    const onError = (e) => { cleanup(); rej(e); };
    function cleanup() {
      clearTimeout(timer);
      proc.stdout.off('data', onData);
      proc.off('exit', onExit);
      proc.off('error', onError);
    }
    proc.stdout.on('data', onData);
    proc.on('exit', onExit);
    proc.on('error', onError);
  });
  return server;
}
