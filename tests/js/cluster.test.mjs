// Several nodes as one chat (docs/cluster.md, issue #20): three chatter-server nodes on one
// PostgreSQL and one Redis behind HAProxy, as `scripts/chatter cluster` runs them, driven with
// the official phoenix.js client through HAProxy's round robin. HAProxy's admin socket tells
// which node holds each client connection.
import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { useCluster } from './lib/cluster.mjs';
import { makeSocket, connect, join, push, collect, disconnect, withTimeout } from './lib/phx.mjs';
import { room } from './lib/chat.mjs';
import { watchPresence } from './lib/presence.mjs';
import { nick } from './lib/fixture.mjs';
import { register } from './lib/accounts.mjs';
import { desktopUser } from '../e2e/lib/desktop.mjs';

// Checks every 500 ms (the doc's 1 s, halved): a killed node is out of the rotation sooner;
// a node silent for 1.5 s is dead to the others (its presence goes).
const NODE_TIMEOUT_MS = 1500;
const cluster = useCluster({ checkInterMs: 500, args: ['--node-timeout-ms', String(NODE_TIMEOUT_MS)] });

// Every socket a test opened (afterEach below disconnects them after it, passed or failed: a
// phoenix.js socket left open would keep reconnecting once the cluster is gone).
const opened = [];

// A connected phoenix.js 1.8 socket through HAProxy, with the node it landed on.
async function openSocket(user = nick('c')) {
  const socket = makeSocket('1.8', cluster, { params: { user } });
  opened.push(socket);
  await connect(socket);
  const node = await cluster.nodeOf(socket);
  assert.ok(node, `HAProxy lists no session for the socket of ${user}`);
  return { socket, node, user };
}

// A socket on the named node: round robin hands out every node within one turn.
async function socketOn(name) {
  for (let i = 0; i < 2 * cluster.nodes.length; i += 1) {
    const c = await openSocket();
    if (c.node === name) return c;
    await disconnect(c.socket);
  }
  throw new Error(`no connection through HAProxy landed on ${name}`);
}

// A socket on `name` joined to `topic`, collecting the topic's new_msg broadcasts and
// following its presence with phoenix.js's Presence.
async function member(name, topic) {
  const c = await socketOn(name);
  const channel = c.socket.channel(topic, {});
  const msgs = collect(channel, 'new_msg');
  const presence = watchPresence('1.8', channel);
  const reply = await join(channel);
  return { ...c, channel, msgs, presence, reply };
}

// Polls `ready` every 10 ms; rejects after `timeout` ms and then stops polling.
async function waitUntil(ready, timeout, what) {
  const deadline = Date.now() + timeout;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function pushOk(channel, body) {
  const r = await push(channel, 'new_msg', { body });
  assert.equal(r.status, 'ok', JSON.stringify(r));
  return r.response.id;
}

describe('three nodes behind HAProxy', () => {
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => disconnect(s)));
  });

  test('sockets are spread over the nodes round robin and all join chatter:room:lobby', async () => {
    const names = cluster.nodes.map((n) => n.name);
    const clients = [];
    for (let i = 0; i < 2 * names.length; i += 1) clients.push(await openSocket());
    const landed = clients.map((c) => c.node);
    // One turn of the round robin visits every node once, in a fixed order.
    assert.deepEqual([...landed.slice(0, 3)].sort(), names, `landed on ${landed}`);
    assert.deepEqual(landed.slice(3), landed.slice(0, 3), `landed on ${landed}`);
    const replies = await Promise.all(clients.map((c) => join(c.socket.channel('chatter:room:lobby', {}))));
    for (const r of replies) assert.ok(Array.isArray(r.messages));
  });

  test('the web page comes through HAProxy and every node accepts its WebSocket origin', async () => {
    const page = await fetch(`${cluster.httpBase}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Chatter<\/title>/);
    // As the page's own socket: Origin and Host name HAProxy's address, not the node's.
    const url = `${cluster.wsBase}/socket/websocket?vsn=2.0.0&user=${nick('page')}`;
    const origin = cluster.httpBase;
    const nodes = [];
    for (let i = 0; i < cluster.nodes.length; i += 1) {
      const ws = new WebSocket(url, { origin });
      await withTimeout(new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); }),
        5000, `WebSocket with Origin ${origin}`);
      nodes.push(await cluster.nodeOfPort(ws._socket.localPort));
      ws.close();
    }
    assert.deepEqual([...nodes].sort(), cluster.nodes.map((n) => n.name), `accepted on ${nodes}`);
    // The origin check still applies behind HAProxy.
    const foreign = new WebSocket(url, { origin: 'http://elsewhere.example' });
    const refused = await new Promise((res) => {
      foreign.once('unexpected-response', (_req, resp) => { res(resp.statusCode); foreign.terminate(); });
      foreign.once('open', () => { res('open'); foreign.close(); });
      foreign.once('error', () => res('error'));
    });
    assert.equal(refused, 403);
  });

  test('a message acked on one node is in the join reply of a client joining on another', async () => {
    const T = room('cluster_history');
    const writer = await member('n1', T);
    const id = await pushOk(writer.channel, 'stored through n1');
    for (const name of ['n2', 'n3']) {
      const reader = await member(name, T);
      const ids = reader.reply.messages.map((m) => m.id);
      assert.ok(ids.includes(id),
        `the join on ${name} does not show message ${id} acked on n1 (its history: [${ids}])`);
      assert.equal(reader.reply.messages.find((m) => m.id === id).body, 'stored through n1');
    }
  });

  test('a message pushed on one node reaches clients on the others live, in id order', async () => {
    const T = room('cluster_live');
    const [a, b, c] = [await member('n1', T), await member('n2', T), await member('n3', T)];
    const writerB = await member('n2', T);

    // One message from n1: the clients on n2 and n3 get it as new_msg.
    const first = await pushOk(a.channel, 'live from n1');
    for (const reader of [b, c]) {
      await reader.msgs.waitFor((p) => p.id === first, 3000).catch(() => {
        assert.fail(`the client on ${reader.node} received no new_msg for id ${first} pushed on n1 ` +
          `within 3 s (it received ids [${reader.msgs.got.map((p) => p.id)}])`);
      });
    }

    // Then quickly from two nodes at once: every client gets all of them once, in id order.
    const bodies = (tag) => Array.from({ length: 15 }, (_, i) => `${tag} #${i}`);
    const replies = await Promise.all([
      ...bodies('burst n1').map((body) => push(a.channel, 'new_msg', { body })),
      ...bodies('burst n2').map((body) => push(writerB.channel, 'new_msg', { body })),
    ]);
    replies.forEach((r) => assert.equal(r.status, 'ok', JSON.stringify(r)));
    const expected = [first, ...replies.map((r) => r.response.id).sort((x, y) => x - y)];
    const last = expected.at(-1);
    for (const reader of [a, b, c]) {
      await reader.msgs.waitFor((p) => p.id === last, 5000).catch(() => {});
      const got = reader.msgs.got.map((p) => p.id);
      assert.deepEqual(got, expected, `new_msg ids received by the client on ${reader.node}`);
    }
  });

  test('the desktop client library and phoenix.js on other nodes chat both ways', async () => {
    const T = room('cluster_desktop');
    const name = T.replace(/^chatter:room:/, '');
    // A phoenix.js member on every node: wherever HAProxy puts the desktop client, at least two
    // of them are on other nodes.
    const web = [await member('n1', T), await member('n2', T), await member('n3', T)];
    // An account registered through the balancer and signed in by the desktop library through
    // it at once, maybe on another node: that node learns the session from PostgreSQL (its
    // change feed, or the handshake's look-up).
    const user = nick('desk');
    const registered = await register(cluster, user, 'correct horse battery');
    assert.equal(registered.status, 201, registered.body);
    const desktop = await desktopUser(cluster, user, { session: registered.json });
    try {
      await desktop.join(name);
      for (const w of web) {
        const body = `from the browser side on ${w.node}`;
        const id = await pushOk(w.channel, body);
        const got = await desktop.waitForMessage(name, (e) => e.id === id);
        assert.equal(got.body, body);
      }
      desktop.say(name, 'from the desktop side');
      for (const w of web) {
        const back = await w.msgs.waitFor((p) => p.body === 'from the desktop side', 5000);
        assert.equal(back.user, user, `the desktop's message on ${w.node}`);
      }
    } finally {
      await desktop.close();
    }
  });

  test('presence is the cluster\'s: members on three nodes see each other, and a leave crosses', async () => {
    const T = room('cluster_presence');
    const members = [await member('n1', T), await member('n2', T), await member('n3', T)];
    const users = members.map((m) => m.user);
    for (const m of members) {
      await m.presence.waitFor((s) => users.every((u) => u in s), 5000, `all three in the presence on ${m.node}`);
    }
    const [a, b, c] = members;
    c.channel.leave();
    for (const m of [a, b]) {
      await m.presence.waitFor((s) => !(c.user in s) && a.user in s && b.user in s, 5000,
        `${c.user}'s leave on ${c.node} seen on ${m.node}`);
    }
  });

  test('a node killed under load: its clients rejoin elsewhere with last_seen_id and miss nothing acked', async () => {
    const T = room('cluster_failover');
    const victim = 'n2';
    const survivors = cluster.nodes.map((n) => n.name).filter((n) => n !== victim);

    // Two clients on the victim write and read; each remembers the last id it saw (from
    // broadcasts and join replies) and rejoins with it, as the browser client does.
    const clients = [];
    for (let i = 0; i < 2; i += 1) {
      const c = await socketOn(victim);
      const state = { ...c, lastSeen: null, seen: new Set(), joinParams: [], joinReplies: [], closed: 0 };
      const see = (m) => {
        state.seen.add(m.id);
        if (state.lastSeen === null || m.id > state.lastSeen) state.lastSeen = m.id;
      };
      state.channel = c.socket.channel(T, () => {
        const p = state.lastSeen === null ? {} : { last_seen_id: state.lastSeen };
        state.joinParams.push(p);
        return p;
      });
      state.channel.on('new_msg', see);
      c.socket.onClose(() => { state.closed += 1; });
      const joined = join(state.channel);
      // Every ok join reply, the automatic rejoins included (hooks stay on the join push).
      state.channel.joinPush.receive('ok', (resp) => {
        state.joinReplies.push(resp);
        for (const m of resp.messages ?? []) see(m);
      });
      await joined;
      clients.push(state);
    }
    // A client on a survivor keeps writing through the kill and is not disturbed.
    const bystander = await member(survivors[0], T);
    await bystander.presence.waitFor((s) => clients.every((c) => c.user in s), 5000,
      `the clients on ${victim} in the presence on ${survivors[0]}`);
    // Their metas as the survivor saw them before the kill.
    const refsBefore = clients.flatMap((c) => bystander.presence.state()[c.user].map((m) => m.phx_ref));
    let bystanderClosed = 0;
    bystander.socket.onClose(() => { bystanderClosed += 1; });
    const ackedElsewhere = [];
    let rejoined = false;
    const bystanderLoop = (async () => {
      for (let i = 0; i < 100 && !rejoined && bystander.channel.state === 'joined'; i += 1) {
        const r = await push(bystander.channel, 'new_msg', { body: `survivor #${i}` }, 2000);
        assert.equal(r.status, 'ok', JSON.stringify(r));
        ackedElsewhere.push(r.response.id);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();

    // The load on the victim: three pushes in flight per client, at most 150 each; none after
    // the kill.
    const acked = [];
    let killed = false;
    const loop = async (c, tag) => {
      for (let i = 0; i < 50 && !killed && c.channel.state === 'joined'; i += 1) {
        const r = await push(c.channel, 'new_msg', { body: `${tag} #${i}` }, 2000);
        if (r.status !== 'ok') return;
        acked.push(r.response.id);
      }
    };
    const loops = clients.flatMap((c, ci) => [0, 1, 2].map((k) => loop(c, `load ${ci}.${k}`)));
    await waitUntil(() => acked.length >= 40, 10000, '40 acked messages before the kill');
    const repliesBefore = clients.map((c) => c.joinReplies.length);
    killed = true;
    const info = await cluster.kill(victim);
    assert.equal(info.signal, 'SIGKILL');
    // Pushes still in flight end with a time-out (no ok): those messages may or may not be
    // stored, and are not counted.
    await Promise.all(loops);

    // Both sockets closed, reconnected through HAProxy to a survivor and rejoined.
    await waitUntil(() => clients.every((c, i) => c.joinReplies.length > repliesBefore[i]), 15000,
      'the rejoins after the kill');
    rejoined = true;
    await bystanderLoop;
    // What the survivor sent meanwhile reaches them too: in the rejoin reply or live.
    const everything = [...acked, ...ackedElsewhere];
    const hasAll = (seen) => everything.every((id) => seen.has(id));
    await waitUntil(() => clients.every((c) => hasAll(c.seen)), 5000, 'every acked message')
      .catch(() => { /* the assertions below say what is missing */ });
    for (const c of clients) {
      assert.ok(c.closed >= 1, 'the socket on the killed node closed');
      const now = await cluster.nodeOf(c.socket);
      assert.ok(survivors.includes(now), `reconnected to ${now}, not to one of ${survivors}`);
      assert.equal(c.channel.state, 'joined');
      assert.equal(typeof c.joinParams.at(-1).last_seen_id, 'number', JSON.stringify(c.joinParams));
      assert.deepEqual(acked.filter((id) => !c.seen.has(id)), [],
        `acked on ${victim} before the kill but neither received nor in the rejoin reply ` +
        `(rejoined on ${now} with ${JSON.stringify(c.joinParams.at(-1))})`);
      assert.deepEqual(ackedElsewhere.filter((id) => !c.seen.has(id)), [],
        `acked on ${survivors[0]} but neither received nor in the rejoin reply (rejoined on ` +
        `${now} with ${JSON.stringify(c.joinParams.at(-1))})`);
    }
    // The survivor's client got the victim's acked messages live: published before the kill,
    // or filled from the database when its node saw the gap before its own next message.
    assert.equal(bystanderClosed, 0, 'a client on a survivor was disconnected');
    const bystanderSeen = new Set([...bystander.reply.messages, ...bystander.msgs.got].map((m) => m.id));
    assert.deepEqual(acked.filter((id) => !bystanderSeen.has(id)), [],
      `acked on ${victim} but never delivered to the client on ${survivors[0]}`);

    // The killed node's presence left the survivor's state after --node-timeout-ms; the
    // rejoined clients are there with their new metas.
    await bystander.presence.waitFor((s) => {
      const refs = Object.values(s).flat().map((m) => m.phx_ref);
      return refsBefore.every((r) => !refs.includes(r)) && clients.every((c) => c.user in s);
    }, NODE_TIMEOUT_MS + 5000, `the metas of ${victim} gone from the presence on ${survivors[0]}`);

    // And all of them are in the room's history, read through a survivor.
    const sorted = [...acked].sort((x, y) => x - y);
    const reader = await socketOn(survivors[1]);
    const reply = await join(reader.socket.channel(T, { last_seen_id: sorted[0] - 1 }));
    const history = reply.messages.map((m) => m.id);
    assert.deepEqual(sorted.filter((id) => !history.includes(id)), [],
      `acked ids missing from the history read on ${survivors[1]}`);
    for (let i = 1; i < history.length; i += 1) assert.ok(history[i] > history[i - 1], 'history in id order');
  });
});
