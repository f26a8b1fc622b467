// Starts a throwaway chatter-server on 127.0.0.1 with its own data directory.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SERVER_BIN =
  process.env.CHATTER_SERVER_BIN || resolve(here, '..', '..', '..', 'build', 'server', 'chatter-server');

const READY_TIMEOUT_MS = 20000;
const KILL_AFTER_MS = 5000;

// args: extra server flags (e.g. --tls-cert/--tls-key; with them `base` is https://).
// prepare(dataDir): runs before the server starts (e.g. `account add` on its database).
export async function startServer({ args = [], prepare = null } = {}) {
  if (!existsSync(SERVER_BIN)) throw new Error(`server binary not found at ${SERVER_BIN} (set CHATTER_SERVER_BIN)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'chatter-e2e-'));
  if (prepare) await prepare(dataDir);
  const proc = spawn(SERVER_BIN,
    ['--headless', '--no-announce', '--bind', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--sync', 'normal', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000); });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no "listening" line within ${READY_TIMEOUT_MS} ms\n${stderr}`)), READY_TIMEOUT_MS);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/chatter-server listening on [^\s:]+:(\d+)/);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    });
    proc.on('exit', (code, signal) => { clearTimeout(timer); rej(new Error(`server exited early (${code}/${signal})\n${stderr}`)); });
    proc.on('error', (e) => { clearTimeout(timer); rej(e); });
  });
  let stopped = null;
  return {
    port,
    base: `${args.includes('--tls-cert') ? 'https' : 'http'}://127.0.0.1:${port}`,
    get stderr() { return stderr; },
    // SIGTERM, then SIGKILL if it has not gone after 5 s; the data dir goes either way.
    stop() {
      stopped ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), KILL_AFTER_MS);
          await exited;
          clearTimeout(t);
        }
        rmSync(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

// `chatter-server account add NAME [--admin] --data-dir DIR`, the password as one line on stdin
// (never a flag); resolves once the account is stored.
export function addAccount(dataDir, name, password, { admin = false } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(SERVER_BIN, ['account', 'add', name, ...(admin ? ['--admin'] : []), '--data-dir', dataDir],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d) => { output += d; });
    proc.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30000);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`account add ${name} exited with ${code}: ${output}`));
    });
    proc.stdin.end(`${password}\n`);
  });
}
