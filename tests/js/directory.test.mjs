// The room directory topic `chatter:rooms`: join reply, room_update
// broadcasts and the `list` event.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { useServer, nick } from './lib/fixture.mjs';
import { startServer } from './lib/server.mjs';
import { RawClient } from './lib/raw.mjs';
import { makeSocket, connect, join, push, collect, disconnect } from './lib/phx.mjs';
import { room, sendMany, call } from './lib/chat.mjs';

const ctx = useServer();
const DIR = 'chatter:rooms';
const V = (user) => ({ vsn: '2.0.0', user });
const KEYS = ['last_activity_at', 'last_message_id', 'members', 'messages', 'name'];

// A raw client joined to the directory; `update(pred)` waits for a matching room_update payload.
async function observer() {
  const c = await ctx.open(V(nick('obs')));
  const j = await c.join(DIR);
  assert.equal(j.status, 'ok');
  const updates = [];
  c.ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const x = JSON.parse(data.toString('utf8'));
    if (x[3] === 'room_update') updates.push(x);
  });
  return {
    c,
    jr: j.jr,
    initial: j.response,
    updates,
    async update(pred, timeout = 8000) {
      const f = await c.next((fr) => fr.m?.event === 'room_update' && pred(fr.m.payload), { timeout });
      return f.m.payload;
    },
    for(name) { return updates.filter((x) => x[4].name === name).map((x) => x[4]); },
    async list() {
      const r = await call(c, j.jr, DIR, 'list', {});
      assert.equal(r.status, 'ok', JSON.stringify(r));
      assert.deepEqual(Object.keys(r.response), ['rooms']);
      return r.response.rooms;
    },
  };
}

// Waits (bounded) until this machine's clock, at millisecond resolution, is
// past `at`, so the next activity gets a strictly later timestamp.
async function clockPast(at) {
  for (let i = 0; i < 100 && new Date().toISOString() <= at; i += 1) await new Promise((r) => setTimeout(r, 5));
}

function assertRoom(r) {
  assert.deepEqual(Object.keys(r).sort(), KEYS);
  assert.equal(typeof r.name, 'string');
  assert.ok(Number.isInteger(r.members) && r.members >= 0);
  assert.ok(Number.isInteger(r.messages) && r.messages >= 0);
  assert.ok(Number.isInteger(r.last_message_id) && r.last_message_id >= 0);
  if (r.last_activity_at !== null) assert.ok(!Number.isNaN(Date.parse(r.last_activity_at)), r.last_activity_at);
}

function assertOrdered(rooms) {
  rooms.forEach(assertRoom);
  for (let i = 1; i < rooms.length; i += 1) {
    const [a, b] = [rooms[i - 1], rooms[i]];
    const ok = a.last_activity_at > b.last_activity_at || (a.last_activity_at === b.last_activity_at && a.name < b.name);
    assert.ok(ok, `not most recently active first: ${JSON.stringify(a)} before ${JSON.stringify(b)}`);
  }
  for (const r of rooms) assert.ok(r.members > 0 || r.messages > 0, `idle empty room listed: ${JSON.stringify(r)}`);
}

describe('room directory', () => {
  test('a fresh server lists no rooms', async () => {
    const o = await observer();
    assert.deepEqual(o.initial, { rooms: [] });
    assert.deepEqual(await o.list(), []);
  });

  test('join → members 1; posts → messages; leave → members 0; list agrees', async () => {
    const o = await observer();
    const name = 'dir_a';
    const T = room(name);
    const u = await ctx.open(V(nick('du')));
    const jr = await u.joinOk(T);

    const joined = await o.update((p) => p.name === name && p.members === 1);
    assertRoom(joined);
    assert.equal(joined.messages, 0);
    assert.equal(joined.last_message_id, 0);
    assert.equal(typeof joined.last_activity_at, 'string');
    const f = o.c.all.find((x) => x.m?.event === 'room_update');
    assert.deepEqual(f.json.slice(0, 4), [null, null, DIR, 'room_update']);

    const ids = await sendMany(u, jr, T, ['one', 'two', 'three']);
    const posted = await o.update((p) => p.name === name && p.messages === 3);
    assert.equal(posted.members, 1);
    assert.equal(posted.last_message_id, ids[2]);
    assert.ok(posted.last_activity_at >= joined.last_activity_at);

    const lr = u.push(jr, T, 'phx_leave', {});
    await u.reply(lr);
    const left = await o.update((p) => p.name === name && p.members === 0);
    assert.equal(left.messages, 3);
    assert.equal(left.last_message_id, ids[2]);

    const rooms = await o.list();
    assertOrdered(rooms);
    assert.deepEqual(rooms.find((r) => r.name === name), left);
    // Every update seen for the room is monotone in messages.
    const seen = o.for(name).map((p) => p.messages);
    assert.deepEqual(seen, seen.slice().sort((a, b) => a - b));
  });

  test('members counts nicks; an abrupt disconnect lowers it', async () => {
    const o = await observer();
    const name = 'dir_members';
    const T = room(name);
    const same = nick('same');
    const t1 = await ctx.open(V(same));
    const t2 = await ctx.open(V(same));
    const other = await ctx.open(V(nick('oth')));
    await t1.joinOk(T);
    await t2.joinOk(T);
    await other.joinOk(T);
    await o.update((p) => p.name === name && p.members === 2);
    assert.equal((await o.list()).find((r) => r.name === name).members, 2);
    other.terminate();
    await o.update((p) => p.name === name && p.members === 1);
    // One tab leaves (the reply orders after the untrack): the nick is still there through t2.
    const t1jr = t1.all.find((x) => x.m?.event === 'phx_reply' && x.m.topic === T).m.join_ref;
    assert.equal((await t1.call(t1jr, T, 'phx_leave', {})).m.payload.status, 'ok');
    await t1.sync(); // handled on t1's worker after the leave finished
    assert.equal((await o.list()).find((r) => r.name === name).members, 1);
    t2.terminate();
    const gone = await o.update((p) => p.name === name && p.members === 0);
    assert.equal(gone.messages, 0);
    assert.ok(o.for(name).every((p) => p.members <= 2));
    // No messages and no members: dropped from the list.
    assert.equal((await o.list()).find((r) => r.name === name), undefined);
  });

  test('most recently active room first', async () => {
    const o = await observer();
    const u = await ctx.open(V(nick('dord')));
    const bj = await u.joinOk(room('dir_b'));
    await sendMany(u, bj, room('dir_b'), ['b1']);
    // Wait for b's update so c's activity is certainly later.
    const b = await o.update((p) => p.name === 'dir_b' && p.messages === 1);
    await clockPast(b.last_activity_at);
    const cj = await u.joinOk(room('dir_c'));
    await sendMany(u, cj, room('dir_c'), ['c1']);
    const c = await o.update((p) => p.name === 'dir_c' && p.messages === 1);
    assert.ok(c.last_activity_at > b.last_activity_at, `${c.last_activity_at} vs ${b.last_activity_at}`);
    const rooms = await o.list();
    assertOrdered(rooms);
    const names = rooms.map((r) => r.name);
    assert.ok(names.indexOf('dir_c') < names.indexOf('dir_b'), names.join(','));
    // A new message in b moves it ahead again.
    await clockPast(c.last_activity_at);
    await sendMany(u, bj, room('dir_b'), ['b2']);
    await o.update((p) => p.name === 'dir_b' && p.messages === 2);
    const again = (await o.list()).map((r) => r.name);
    assert.ok(again.indexOf('dir_b') < again.indexOf('dir_c'), again.join(','));
    // The join reply of a new directory member is the same list.
    const o2 = await observer();
    assert.deepEqual(o2.initial.rooms, await o2.list());
  });

  test('a burst of 50 messages is coalesced and ends at the right count', async () => {
    const o = await observer();
    const name = 'dir_burst';
    const T = room(name);
    const u = await ctx.open(V(nick('burst')));
    const jr = await u.joinOk(T);
    await o.update((p) => p.name === name && p.members === 1);
    const ids = await sendMany(u, jr, T, Array.from({ length: 50 }, (_, i) => `burst ${i}`), { window: 50 });
    const last = await o.update((p) => p.name === name && p.messages === 50);
    assert.equal(last.last_message_id, ids.at(-1));
    // Updates are rate limited per room (~500 ms); 50 committed messages
    // never need 50 updates. (Generous bound: not a timing measurement.)
    const n = o.for(name).filter((p) => p.members === 1).length;
    assert.ok(n < 50, `${n} room_update broadcasts for 50 messages`);
  });

  test('unknown event → error reply; the directory stays joined', async () => {
    const o = await observer();
    const r = await call(o.c, o.jr, DIR, 'bogus', {});
    assert.equal(r.status, 'error');
    assert.equal(typeof r.response.reason, 'string');
    assert.ok(Array.isArray(await o.list()));
  });

  for (const version of ['1.8', '1.7']) {
    test(`phoenix.js ${version}: join reply, room_update and list`, async () => {
      const s = makeSocket(version, ctx.server, { params: { user: nick('pjs') } });
      ctx.onCleanup(() => disconnect(s));
      await connect(s);
      const ch = s.channel(DIR, {});
      const updates = collect(ch, 'room_update');
      const reply = await join(ch);
      assert.ok(Array.isArray(reply.rooms));
      const name = `dir_js${version.replace('.', '')}`;
      const chatCh = s.channel(room(name), {});
      await join(chatCh);
      const r = await push(chatCh, 'new_msg', { body: 'hi' });
      assert.equal(r.status, 'ok');
      const u = await updates.waitFor((p) => p.name === name && p.messages === 1 && p.members === 1, 8000);
      assert.equal(u.last_message_id, r.response.id);
      const l = await push(ch, 'list', {});
      assert.equal(l.status, 'ok');
      assert.deepEqual(l.response.rooms.find((x) => x.name === name), u);
    });
  }
});

describe('room directory after a restart', () => {
  const servers = [];
  let dataDir;
  after(async () => {
    for (const s of servers) await s.stop({ signal: 'SIGKILL' });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('message counts and last ids survive; members start at 0', async () => {
    dataDir = mkdtempSync(pathJoin(tmpdir(), 'chatter-directory-'));
    const first = await startServer({ dataDir });
    servers.push(first);
    const u = await RawClient.open(first.wsUrl(V('persist')));
    const T = room('dir_persist');
    const jr = await u.joinOk(T);
    const ids = await sendMany(u, jr, T, ['p1', 'p2', 'p3', 'p4']);
    u.terminate();
    await first.stop({ signal: 'SIGKILL' });

    const second = await startServer({ dataDir });
    servers.push(second);
    const o = await RawClient.open(second.wsUrl(V('persist_obs')));
    try {
      const j = await o.join(DIR);
      assert.equal(j.status, 'ok');
      const r = j.response.rooms.find((x) => x.name === 'dir_persist');
      assert.ok(r, JSON.stringify(j.response));
      assertRoom(r);
      assert.equal(r.members, 0);
      assert.equal(r.messages, 4);
      assert.equal(r.last_message_id, ids.at(-1));
      // New messages continue the counts and ids.
      const w = await RawClient.open(second.wsUrl(V('persist2')));
      const wj = await w.joinOk(T);
      const [id5] = await sendMany(w, wj, T, ['p5']);
      assert.ok(id5 > ids.at(-1));
      const f = await o.next((fr) => fr.m?.event === 'room_update' && fr.m.payload.name === 'dir_persist' && fr.m.payload.messages === 5, { timeout: 8000 });
      assert.equal(f.m.payload.last_message_id, id5);
      w.terminate();
    } finally {
      o.terminate();
    }
  });
});
