// The durability scenario: a client streams pipelined messages while
// the server is SIGKILLed a few times at random moments and restarted on the
// same port and data directory. Every message whose ok reply arrived must be
// in the history exactly once, with its body, and ids must only increase.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { startServer } from './lib/server.mjs';
import { RawClient } from './lib/raw.mjs';
import { withTimeout } from './lib/phx.mjs';
import { room, pageAllBackwards } from './lib/chat.mjs';

const IN_FLIGHT = 20;
const MAX_SENT = 2000; // hard bound on messages
const DEADLINE_MS = 60000; // hard bound on the streaming phase

const servers = [];
const dirs = [];
after(async () => {
  for (const s of servers) { try { await s.stop({ signal: 'SIGKILL' }); } catch { /* gone */ } }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const randInt = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));

// Connects (retrying while the server is down) and joins; null on failure.
async function connectAndJoin(url, topic, deadline) {
  while (Date.now() < deadline) {
    try {
      const c = await RawClient.open(url, { timeout: 2000 });
      try {
        const jr = await c.joinOk(topic, {}, { timeout: 3000 });
        return { c, jr };
      } catch {
        c.terminate();
      }
    } catch { /* refused while restarting */ }
    await sleep(50);
  }
  return null;
}

async function runScenario({ sync, kills }) {
  const dataDir = mkdtempSync(pathJoin(tmpdir(), 'chatter-durability-'));
  dirs.push(dataDir);
  const args = ['--sync', sync];
  let server = await startServer({ dataDir, args });
  servers.push(server);
  const port = server.port;
  const url = `ws://127.0.0.1:${port}/socket/websocket?vsn=2.0.0&user=streamer&client=bot`;
  const T = room(`durable_${sync}`);
  const deadline = Date.now() + DEADLINE_MS;

  const acked = new Map(); // id -> body, only from ok replies
  const ackOrder = []; // [{ id, session }]
  const sent = new Set(); // every body ever written to a socket
  const errors = [];
  let seq = 0;
  let session = 0;
  let killsDone = 0;
  let killing = null; // promise of the running kill+restart
  let acksAtLastRestart = 0;
  let nextKillAfter = randInt(60, 250);
  const FINAL_ACKS = 150;
  let finished = false;
  const killLog = [];

  function maybeKill() {
    if (killing || killsDone >= kills) return;
    if (acked.size - acksAtLastRestart < nextKillAfter) return;
    const victim = server;
    killing = (async () => {
      await sleep(randInt(0, 15)); // land somewhere among the in-flight pushes
      killLog.push({ ackedBefore: acked.size, sentBefore: seq });
      victim.proc.kill('SIGKILL');
      await victim.exited;
      assert.equal(victim.exitInfo.signal, 'SIGKILL');
      server = await startServer({ port, dataDir, args });
      servers.push(server);
      assert.equal(server.port, port);
      killsDone += 1;
      acksAtLastRestart = acked.size;
      nextKillAfter = randInt(60, 250);
      killing = null;
    })();
  }

  // One connection's worth of streaming; returns when it closes or we are done.
  async function stream() {
    const conn = await connectAndJoin(url, T, deadline);
    if (!conn) throw new Error('could not reconnect before the deadline');
    session += 1;
    const mySession = session;
    const { c, jr } = conn;
    const inflight = new Map(); // ref -> body
    let closedResolve;
    const closed = new Promise((r) => { closedResolve = r; });

    const pump = () => {
      while (!finished && c.isOpen && inflight.size < IN_FLIGHT && seq < MAX_SENT && Date.now() < deadline) {
        seq += 1;
        const body = `durable ${sync} #${seq}`;
        sent.add(body);
        const ref = c.push(jr, T, 'new_msg', { body });
        inflight.set(ref, body);
      }
      if (inflight.size === 0 && (finished || seq >= MAX_SENT || Date.now() >= deadline)) c.close();
    };
    c.ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let j;
      try { j = JSON.parse(data.toString('utf8')); } catch { errors.push(data.toString('utf8')); return; }
      if (!Array.isArray(j) || j[3] !== 'phx_reply' || !inflight.has(j[1])) return;
      const body = inflight.get(j[1]);
      inflight.delete(j[1]);
      if (j[4]?.status === 'ok' && typeof j[4].response?.id === 'number') {
        if (acked.has(j[4].response.id)) errors.push({ duplicateAck: j[4].response.id, body, first: acked.get(j[4].response.id) });
        acked.set(j[4].response.id, body);
        ackOrder.push({ id: j[4].response.id, session: mySession });
      } else {
        errors.push(j);
      }
      if (killsDone >= kills && !killing && acked.size - acksAtLastRestart >= FINAL_ACKS) finished = true;
      maybeKill();
      pump();
    });
    c.ws.on('close', () => closedResolve());
    pump();
    await closed;
    return inflight.size; // unanswered at close: committed or not, unknown
  }

  let lostInFlight = 0;
  for (let i = 0; i < kills + 3 && !finished && seq < MAX_SENT && Date.now() < deadline; i += 1) {
    lostInFlight += await stream();
    if (killing) await killing;
  }
  assert.ok(finished, `scenario did not finish: kills ${killsDone}/${kills}, acked ${acked.size}, sent ${seq}`);
  assert.equal(killsDone, kills);
  assert.deepEqual(errors, []);

  // ---- verification on the last server
  const v = await RawClient.open(`ws://127.0.0.1:${port}/socket/websocket?vsn=2.0.0&user=checker`);
  try {
    const vjr = await v.joinOk(T);
    const { all, pages } = await pageAllBackwards(v, vjr, T, { limit: 100, maxPages: 40 });
    assert.ok(!pages.at(-1).more, 'history paging reached the first message');

    // Forward paging through join with last_seen_id gives the same list.
    const forward = [];
    let last = 0;
    for (let i = 0; i < 5; i += 1) {
      const j = await v.join(T, { last_seen_id: last });
      assert.equal(j.status, 'ok');
      forward.push(...j.response.messages);
      if (!j.response.more) break;
      last = j.response.messages.at(-1).id;
    }
    assert.deepEqual(forward.map((m) => m.id), all.map((m) => m.id));

    const ids = all.map((m) => m.id);
    for (let i = 1; i < ids.length; i += 1) assert.ok(ids[i] > ids[i - 1], `history ids not increasing at ${i}: ${ids[i - 1]}, ${ids[i]}`);
    const byId = new Map(all.map((m) => [m.id, m]));
    const missing = [];
    for (const [id, body] of acked) {
      const m = byId.get(id);
      if (!m) { missing.push(id); continue; }
      assert.equal(m.body, body, `id ${id}`);
      assert.equal(m.user, 'streamer');
    }
    assert.deepEqual(missing, [], `${missing.length} acknowledged messages lost`);
    // Nothing invented, nothing stored twice.
    const bodies = all.map((m) => m.body);
    assert.equal(new Set(bodies).size, bodies.length, 'a body is stored twice');
    for (const b of bodies) assert.ok(sent.has(b), `unexpected body ${b}`);
    assert.ok(all.length >= acked.size && all.length <= seq);
    assert.ok(all.length - acked.size <= lostInFlight, `${all.length - acked.size} unacknowledged stored, ${lostInFlight} were in flight`);

    // Acknowledged ids increase in ack order, across restarts too.
    for (let i = 1; i < ackOrder.length; i += 1) {
      assert.ok(ackOrder[i].id > ackOrder[i - 1].id,
        `ack ${i}: id ${ackOrder[i].id} (session ${ackOrder[i].session}) after ${ackOrder[i - 1].id} (session ${ackOrder[i - 1].session})`);
    }
    assert.ok(new Set(ackOrder.map((a) => a.session)).size >= kills + 1, 'acks from every server incarnation');
    return { acked: acked.size, stored: all.length, sent: seq, kills: killLog, lostInFlight };
  } finally {
    v.terminate();
  }
}

describe('durability under SIGKILL', () => {
  test('--sync normal: 4 kills while streaming; every acknowledged message survives once', { timeout: 120000 }, async (t) => {
    const r = await withTimeout(runScenario({ sync: 'normal', kills: 4 }), 100000, 'durability scenario (normal)');
    t.diagnostic(`normal: ${JSON.stringify(r)}`);
    assert.ok(r.acked > 0);
  });

  test('--sync full: 3 kills while streaming; every acknowledged message survives once', { timeout: 120000 }, async (t) => {
    const r = await withTimeout(runScenario({ sync: 'full', kills: 3 }), 100000, 'durability scenario (full)');
    t.diagnostic(`full: ${JSON.stringify(r)}`);
    assert.ok(r.acked > 0);
  });
});
