// Quotas and sizes a hostile client meets (docs/security.md, "Quotas and sizes"): room
// creation rate and total, bounded presence metas, backfill within the frame limit, pongs
// that are not activity and fragmented messages with a deadline.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { RawClient, ClientPool, httpExchange, requestHead } from './lib/raw.mjs';
import { nick } from './lib/fixture.mjs';
import { room, sendMany, call } from './lib/chat.mjs';

const servers = {};
const pool = new ClientPool();
before(async () => {
  servers.slowCreate = await startServer({ args: ['--room-creations-per-minute', '5'] });
  servers.fewRooms = await startServer({ args: ['--max-rooms', '3', '--room-creations-per-minute', '1000'] });
  servers.smallFrames = await startServer({
    args: ['--max-frame-bytes', '65536', '--max-messages-per-second', '100000'],
  });
  servers.def = await startServer({ args: ['--max-messages-per-second', '100000'] });
  servers.quick = await startServer({ args: ['--idle-timeout-ms', '1500', '--fragment-timeout-ms', '1000'] });
});
after(async () => {
  pool.closeAll();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
});

const open = (s, query = {}) => pool.open(s.wsUrl({ vsn: '2.0.0', user: nick('q'), ...query }));
const uniqueRoom = (prefix) => room(`${prefix}-${nick('r')}`);

describe('room quotas', () => {
  test('one socket may create only so many rooms a minute; existing rooms stay joinable', async () => {
    const c = await open(servers.slowCreate);
    const created = [];
    for (let i = 0; i < 5; i++) {
      const T = uniqueRoom('rate');
      await c.joinOk(T);
      created.push(T);
    }
    const refused = await c.join(uniqueRoom('rate'));
    assert.equal(refused.status, 'error');
    assert.match(refused.response.reason, /creating rooms too fast/);
    // Joining a room that exists creates nothing, so it is not limited.
    const other = await open(servers.slowCreate);
    for (const T of created) assert.equal((await other.join(T)).status, 'ok');
    // The limit is per socket: another socket can still create.
    assert.equal((await other.join(uniqueRoom('rate'))).status, 'ok');
  });

  test('--max-rooms caps the rooms that exist; an emptied room frees its place', async () => {
    const c = await open(servers.fewRooms);
    const names = [uniqueRoom('cap'), uniqueRoom('cap'), uniqueRoom('cap')];
    const refs = [];
    for (const T of names) refs.push(await c.joinOk(T));
    const full = await c.join(uniqueRoom('cap'));
    assert.equal(full.status, 'error');
    assert.equal(full.response.reason, 'too many rooms on this server');
    // Leaving a room without messages: nobody in it, nothing stored, so it no longer exists.
    await c.call(refs[0], names[0], 'phx_leave', {});
    const again = await c.join(uniqueRoom('cap'));
    assert.equal(again.status, 'ok', `after a room emptied: ${JSON.stringify(again.response)}`);
  });

  test('the directory lists rooms with members or messages, not every name ever joined', async () => {
    const c = await open(servers.fewRooms);
    // The cap server is full of this file's rooms by now; use the default one.
    const d = await open(servers.def);
    const empty = uniqueRoom('gone');
    const kept = uniqueRoom('kept');
    const jrEmpty = await d.joinOk(empty);
    const jrKept = await d.joinOk(kept);
    await call(d, jrKept, kept, 'new_msg', { body: 'stays' });
    await d.call(jrEmpty, empty, 'phx_leave', {});
    await d.call(jrKept, kept, 'phx_leave', {});
    const dir = await d.join('chatter:rooms');
    const names = dir.response.rooms.map((r) => `chatter:room:${r.name}`);
    assert.ok(names.includes(kept), 'a room with a message is listed');
    assert.ok(!names.includes(empty), 'an empty room without messages is not');
    c.close();
  });
});

describe('bounded presence metas: the client param', () => {
  const bad = [
    ['an unknown word', 'evil'],
    ['2 KB of text', 'x'.repeat(2000)],
  ];
  for (const [what, value] of bad) {
    test(`WebSocket: ${what} is refused with 403`, async () => {
      const res = await httpExchange(servers.def.port, requestHead('GET',
        `/socket/websocket?vsn=2.0.0&user=${nick('c')}&client=${encodeURIComponent(value)}`, {
          Host: `127.0.0.1:${servers.def.port}`, Upgrade: 'websocket', Connection: 'Upgrade',
          'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        }));
      assert.equal(res.status, 403);
    });
    test(`long-poll: ${what} is refused with 403`, async () => {
      const res = await httpExchange(servers.def.port, requestHead('GET',
        `/socket/longpoll?vsn=2.0.0&user=${nick('c')}&client=${encodeURIComponent(value)}`, {
          Host: `127.0.0.1:${servers.def.port}`,
        }));
      // Phoenix's long-poll answers 200 with the status in the JSON body.
      const status = res.status === 200 ? JSON.parse(res.body).status : res.status;
      assert.equal(status, 403, res.raw);
    });
  }
  test('200 KB of client text never reaches a room', async () => {
    // Refused with a status, or cut off while still sending: either way no session.
    try {
      const res = await httpExchange(servers.def.port, requestHead('GET',
        `/socket/longpoll?vsn=2.0.0&user=${nick('c')}&client=${'x'.repeat(200 * 1024)}`, {
          Host: `127.0.0.1:${servers.def.port}`,
        }), { timeout: 10000 });
      assert.ok(res.status >= 400, `got ${res.status}`);
    } catch (e) {
      assert.match(String(e.message ?? e), /ECONNRESET|EPIPE|closed|hang up/);
    }
  });
  for (const kind of ['desktop', 'web', 'mobile', 'bot']) {
    test(`client=${kind} is accepted and shown in presence`, async () => {
      const c = await open(servers.def, { client: kind });
      const T = uniqueRoom('meta');
      await c.joinOk(T);
      const state = await c.next({ event: 'presence_state' });
      const metas = Object.values(state.m.payload)[0].metas;
      assert.equal(metas[0].client, kind);
    });
  }
});

describe('backfill within the frame limit', () => {
  // The frames of one client, with their sizes.
  function frameSizes(c) {
    const sizes = [];
    c.ws.on('message', (data) => sizes.push(data.length));
    return sizes;
  }

  async function catchUp(c, T, lastSeen) {
    const join = await c.join(T, { last_seen_id: lastSeen });
    assert.equal(join.status, 'ok');
    const got = [...join.response.messages];
    let more = join.response.more;
    let pages = 1;
    while (more) {
      const after = got.length ? got[got.length - 1].id : lastSeen;
      const page = await call(c, join.jr, T, 'history', { after, limit: 100 });
      assert.equal(page.status, 'ok', JSON.stringify(page));
      assert.ok(page.response.messages.length > 0, 'a page with more:true before it is not empty');
      got.push(...page.response.messages);
      more = page.response.more;
      pages += 1;
    }
    return { got, pages };
  }

  test('a rejoin after 5,000 messages pages, every reply within 64 KiB', { timeout: 120000 }, async () => {
    const writer = await open(servers.smallFrames);
    const T = uniqueRoom('backfill');
    const jr = await writer.joinOk(T);
    const bodies = Array.from({ length: 5000 }, (_, i) => `m${i} ${'ü'.repeat(150)}`);
    const ids = await sendMany(writer, jr, T, bodies, { window: 200, timeout: 100000 });
    const reader = await open(servers.smallFrames);
    const sizes = frameSizes(reader);
    const { got, pages } = await catchUp(reader, T, 0);
    assert.deepEqual(got.map((m) => m.id), ids, 'every message once, in order');
    assert.deepEqual(got.map((m) => m.body), bodies);
    assert.ok(pages > 10, `only ${pages} pages`);
    assert.ok(Math.max(...sizes) <= 65536, `largest frame ${Math.max(...sizes)} bytes`);
  });

  test('last_seen_id 0 on 4,000-character messages stays under the default 1 MiB', { timeout: 120000 }, async () => {
    const writer = await open(servers.def);
    const T = uniqueRoom('bigbodies');
    const jr = await writer.joinOk(T);
    const bodies = Array.from({ length: 400 }, (_, i) => `${i}`.padEnd(4000, '\u0001'));
    const ids = await sendMany(writer, jr, T, bodies, { window: 50, timeout: 100000 });
    const reader = await open(servers.def);
    const sizes = frameSizes(reader);
    const { got } = await catchUp(reader, T, 0);
    assert.deepEqual(got.map((m) => m.id), ids);
    assert.ok(Math.max(...sizes) <= 1024 * 1024, `largest frame ${Math.max(...sizes)} bytes`);
  });

  test('scrolling back pages within the limit too', async () => {
    const writer = await open(servers.smallFrames);
    const T = uniqueRoom('scroll');
    const jr = await writer.joinOk(T);
    await sendMany(writer, jr, T, Array.from({ length: 120 }, () => 'y'.repeat(3000)));
    const page = await call(writer, jr, T, 'history', { limit: 100 });
    assert.equal(page.status, 'ok');
    assert.equal(page.response.more, true);
    assert.ok(page.response.messages.length < 100 && page.response.messages.length > 0);
    assert.ok(JSON.stringify(page).length <= 65536);
  });
});

describe('what counts as activity', () => {
  test('unsolicited pongs do not keep a socket alive', async () => {
    const c = await open(servers.quick);
    const timer = setInterval(() => { try { c.ws.pong(); } catch { /* closed */ } }, 200);
    try {
      const { code } = await c.expectClose({ timeout: 10000 });
      assert.equal(code, 1001);
    } finally {
      clearInterval(timer);
    }
  });

  test('an unfinished fragmented message is cut after its deadline, pings or not', async () => {
    const c = await open(servers.quick);
    c.ws.send('{"unfinished": ', { fin: false });
    const timer = setInterval(() => { try { c.ws.ping(); } catch { /* closed */ } }, 200);
    try {
      const { code } = await c.expectClose({ timeout: 10000 });
      assert.equal(code, 1008);
    } finally {
      clearInterval(timer);
    }
  });

  test('heartbeats keep a socket alive past the idle timeout', async () => {
    const c = await open(servers.quick);
    for (let i = 0; i < 8; i++) {
      assert.equal((await c.heartbeat()).m.payload.status, 'ok');
      await new Promise((r) => setTimeout(r, 400));
    }
    assert.ok(c.isOpen);
  });
});
