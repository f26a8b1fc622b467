// SPDX-License-Identifier: MIT
// Times `search` against a running chatter-server (bench/search.sh): registers an account,
// joins its personal topic (every conversation: here the whole history) and one room, and asks
// each query shape `--runs` times, one at a time. Prints key=value lines.
//
// node bench/tools/search-bench.mjs --port P --room r0 --runs 30 --query name=text ...
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
function loadWs() {
  for (const dir of ['../peers', '../../tests/js']) {
    try {
      return createRequire(resolve(here, dir, 'package.json'))('ws');
    } catch { /* next */ }
  }
  throw new Error('search-bench: the ws package is missing (npm ci in bench/peers)');
}
const WebSocket = loadWs();

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const port = Number(opt('port'));
const room = opt('room', 'r0');
const runs = Math.min(Number(opt('runs', 30)), 200);
const queries = [];
args.forEach((a, i) => {
  if (a === '--query') {
    const [name, ...text] = args[i + 1].split('=');
    queries.push({ name, text: text.join('=') });
  }
});

async function register() {
  const user = `bench${process.pid}`;
  const r = await fetch(`http://127.0.0.1:${port}/api/accounts`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user, password: 'benchmark password' }),
    signal: AbortSignal.timeout(60000),
  });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${await r.text()}`);
  return r.json();
}

function connect(token) {
  const bearer = Buffer.from(token).toString('base64url');
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket/websocket?vsn=2.0.0`,
    ['phoenix', `base64url.bearer.phx.${bearer}`]);
  let ref = 0;
  const waiting = new Map();
  ws.on('message', (data) => {
    const [, r, , event, payload] = JSON.parse(data.toString());
    if (event === 'phx_reply' && waiting.has(r)) {
      waiting.get(r)(payload);
      waiting.delete(r);
    }
  });
  const send = (topic, event, payload, joinRef = '1') => new Promise((res, rej) => {
    ref += 1;
    const r = String(ref);
    const timer = setTimeout(() => rej(new Error(`${event} on ${topic}: no reply in 120 s`)), 120000);
    waiting.set(r, (p) => { clearTimeout(timer); res(p); });
    ws.send(JSON.stringify([joinRef, r, topic, event, payload]));
  });
  return new Promise((res, rej) => {
    ws.on('open', () => res({ ws, send }));
    ws.on('error', rej);
  });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const account = await register();
const { ws, send } = await connect(account.token);
const personal = account.personal_topic;
for (const topic of [personal, `chatter:room:${room}`]) {
  const joined = await send(topic, 'phx_join', {}, topic);
  if (joined.status !== 'ok') throw new Error(`join ${topic}: ${JSON.stringify(joined)}`);
}
const heartbeat = setInterval(() => send('phoenix', 'heartbeat', {}, null).catch(() => {}), 20000);
for (const [scope, topic] of [['all', personal], ['room', `chatter:room:${room}`]]) {
  for (const q of queries) {
    const times = [];
    let results = 0;
    for (let i = 0; i <= runs; i += 1) {
      const t0 = process.hrtime.bigint();
      const reply = await send(topic, 'search', { query: q.text, limit: 20 }, topic);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (reply.status !== 'ok') throw new Error(`search ${q.text}: ${JSON.stringify(reply)}`);
      results = reply.response.results.length;
      if (i > 0) times.push(ms); // the first one warms the page cache
    }
    times.sort((a, b) => a - b);
    const key = `search_${scope}_${q.name}`;
    console.log(`${key}_query=${q.text}`);
    console.log(`${key}_results=${results}`);
    console.log(`${key}_p50_ms=${quantile(times, 0.5).toFixed(2)}`);
    console.log(`${key}_p99_ms=${quantile(times, 0.99).toFixed(2)}`);
  }
}
clearInterval(heartbeat);
ws.close();
