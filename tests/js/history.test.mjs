// History: the join reply (recent 50 or last_seen_id backfill) and the
// `history` paging event.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, nick } from './lib/fixture.mjs';
import { describeFrame } from './lib/raw.mjs';
import { room, sendMany, call, pageAllBackwards } from './lib/chat.mjs';

const ctx = useServer();
const V = (user) => ({ vsn: '2.0.0', user });

function assertMessage(m, user) {
  assert.deepEqual(Object.keys(m).sort(), ['at', 'body', 'id', 'user']);
  assert.equal(typeof m.id, 'number');
  assert.ok(Number.isInteger(m.id) && m.id > 0);
  if (user) assert.equal(m.user, user);
  assert.equal(typeof m.at, 'string');
  assert.ok(!Number.isNaN(Date.parse(m.at)), `at ${m.at}`);
}

function assertStrictlyIncreasing(ids, what) {
  for (let i = 1; i < ids.length; i += 1) {
    assert.ok(ids[i] > ids[i - 1], `${what}: id ${ids[i]} after ${ids[i - 1]} at index ${i}`);
  }
}

async function joinResponse(topic, payload = {}) {
  const c = await ctx.open(V(nick('hj')));
  const j = await c.join(topic, payload);
  assert.equal(j.status, 'ok', describeFrame(j.frame));
  return { c, jr: j.jr, response: j.response };
}

describe('join reply and history paging (~130 messages)', () => {
  const T = room('hist130');
  const N = 130;
  const author = nick('ha');
  let ids = [];
  let bodies = [];

  before(async () => {
    const c = await ctx.open(V(author));
    const jr = await c.joinOk(T);
    bodies = Array.from({ length: N }, (_, i) => `message ${i + 1} of ${N}`);
    ids = await sendMany(c, jr, T, bodies, { window: 25 });
    c.close();
  });

  test('ok replies carry strictly increasing ids', () => {
    assert.equal(ids.length, N);
    assertStrictlyIncreasing(ids, 'ok replies');
  });

  test('an empty room joins with no messages and more=false', async () => {
    const { response } = await joinResponse(room('hist_empty'));
    assert.deepEqual(response, { messages: [], more: false, change_seq: 0, last_read_id: 0, unread: 0, muted: false });
  });

  test('join {} → the newest 50, oldest first, more=true', async () => {
    const { response } = await joinResponse(T);
    assert.deepEqual(Object.keys(response).sort(), ['change_seq', 'last_read_id', 'messages', 'more', 'muted', 'unread']);
    assert.equal(response.more, true);
    assert.equal(response.messages.length, 50);
    response.messages.forEach((m) => assertMessage(m, author));
    assert.deepEqual(response.messages.map((m) => m.id), ids.slice(-50));
    assert.deepEqual(response.messages.map((m) => m.body), bodies.slice(-50));
  });

  test('history pages of 50 walk back to the first message without gaps or duplicates', async () => {
    const { c, jr, response } = await joinResponse(T);
    const seen = [...response.messages];
    let oldest = response.messages[0].id;
    const pages = [];
    for (let i = 0; i < 10; i += 1) {
      const r = await call(c, jr, T, 'history', { before: oldest, limit: 50 });
      assert.equal(r.status, 'ok', JSON.stringify(r));
      pages.push(r.response);
      r.response.messages.forEach((m) => assertMessage(m, author));
      assertStrictlyIncreasing(r.response.messages.map((m) => m.id), `page ${i}`);
      assert.ok(r.response.messages.every((m) => m.id < oldest));
      seen.unshift(...r.response.messages);
      if (!r.response.more) break;
      oldest = r.response.messages[0].id;
    }
    assert.deepEqual(pages.map((p) => [p.messages.length, p.more]), [[50, true], [30, false]]);
    assert.deepEqual(seen.map((m) => m.id), ids);
    assert.deepEqual(seen.map((m) => m.body), bodies);
    // Before the very first message there is nothing.
    const r = await call(c, jr, T, 'history', { before: ids[0], limit: 50 });
    assert.deepEqual(r, { status: 'ok', response: { messages: [], more: false } });
  });

  test('history without before → newest; default limit 50; limit capped at 100', async () => {
    const { c, jr } = await joinResponse(T);
    const d = await call(c, jr, T, 'history', {});
    assert.equal(d.status, 'ok');
    assert.equal(d.response.more, true);
    assert.deepEqual(d.response.messages.map((m) => m.id), ids.slice(-50));
    const big = await call(c, jr, T, 'history', { limit: 1000 });
    assert.equal(big.status, 'ok');
    assert.equal(big.response.messages.length, 100);
    assert.equal(big.response.more, true);
    assert.deepEqual(big.response.messages.map((m) => m.id), ids.slice(-100));
    const exact = await call(c, jr, T, 'history', { before: ids[30], limit: 30 });
    assert.deepEqual(exact.response.messages.map((m) => m.id), ids.slice(0, 30));
    assert.equal(exact.response.more, false);
    const one = await call(c, jr, T, 'history', { before: ids[30], limit: 29 });
    assert.deepEqual(one.response.messages.map((m) => m.id), ids.slice(1, 30));
    assert.equal(one.response.more, true);
    // An id between two messages (or past the newest) works as a bound.
    const past = await call(c, jr, T, 'history', { before: ids.at(-1) + 1000, limit: 2 });
    assert.deepEqual(past.response.messages.map((m) => m.id), ids.slice(-2));
  });

  test('pageAllBackwards with limit 100 returns everything once', async () => {
    const { c, jr } = await joinResponse(T);
    const { all, pages } = await pageAllBackwards(c, jr, T, { limit: 100 });
    assert.deepEqual(pages.map((p) => [p.messages.length, p.more]), [[100, true], [30, false]]);
    assert.deepEqual(all.map((m) => m.id), ids);
  });

  test('history in another room does not see these messages', async () => {
    const { c, jr } = await joinResponse(room('hist_other'));
    const r = await call(c, jr, room('hist_other'), 'history', { before: ids.at(-1) + 1 });
    assert.deepEqual(r, { status: 'ok', response: { messages: [], more: false } });
  });

  const bad = [
    [{ before: -1 }, /before/],
    [{ before: 'abc' }, /before/],
    [{ before: 1.5 }, /before/],
    [{ before: null }, /before/],
    [{ before: [3] }, /before/],
    [{ limit: 0 }, /limit/],
    [{ limit: -3 }, /limit/],
    [{ limit: 'x' }, /limit/],
    [{ limit: 2.5 }, /limit/],
    [{ before: 10, limit: null }, /limit/],
  ];
  for (const [payload, reason] of bad) {
    test(`history ${JSON.stringify(payload)} → error reply with a reason`, async () => {
      const { c, jr } = await joinResponse(T);
      const r = await call(c, jr, T, 'history', payload);
      assert.equal(r.status, 'error', JSON.stringify(r));
      assert.equal(typeof r.response.reason, 'string');
      assert.match(r.response.reason, reason);
      // The channel and the connection survive.
      const ok = await call(c, jr, T, 'history', { limit: 1 });
      assert.equal(ok.status, 'ok');
      assert.deepEqual(ok.response.messages.map((m) => m.id), ids.slice(-1));
    });
  }

  test('history on a room the socket has not joined → unmatched topic', async () => {
    const c = await ctx.open(V(nick('hn')));
    const f = await c.call(null, T, 'history', {});
    assert.deepEqual(f.json[4], { status: 'error', response: { reason: 'unmatched topic' } });
  });
});

describe('last_seen_id backfill (~1050 messages)', () => {
  const T = room('hist_backfill');
  const N = 1050;
  let ids = [];
  let bodies = [];

  before(async () => {
    const c = await ctx.open(V(nick('hb')));
    const jr = await c.joinOk(T);
    bodies = Array.from({ length: N }, (_, i) => `bf ${i}`);
    ids = await sendMany(c, jr, T, bodies, { window: 100, timeout: 90000 });
    c.close();
  });

  test('last_seen_id 0 → the first 1000, oldest first, more=true', async () => {
    assert.equal(ids.length, N);
    assertStrictlyIncreasing(ids, 'ok replies');
    const { response } = await joinResponse(T, { last_seen_id: 0 });
    assert.equal(response.more, true);
    assert.equal(response.messages.length, 1000);
    assert.deepEqual(response.messages.map((m) => m.id), ids.slice(0, 1000));
    assert.deepEqual(response.messages.map((m) => m.body), bodies.slice(0, 1000));
  });

  test('continuing from the last id of that page → the remaining 50, more=false', async () => {
    const { response } = await joinResponse(T, { last_seen_id: ids[999] });
    assert.equal(response.more, false);
    assert.deepEqual(response.messages.map((m) => m.id), ids.slice(1000));
    assert.deepEqual(response.messages.map((m) => m.body), bodies.slice(1000));
  });

  test('exactly 1000 newer messages → all of them, more=false', async () => {
    const { response } = await joinResponse(T, { last_seen_id: ids[49] });
    assert.equal(response.messages.length, 1000);
    assert.equal(response.more, false);
    assert.deepEqual(response.messages.map((m) => m.id), ids.slice(50));
  });

  test('last_seen_id = newest id → nothing; rejoin on the same socket works too', async () => {
    const { c, response } = await joinResponse(T, { last_seen_id: ids.at(-1) });
    // A new connection has read nothing: the room's 1,050 messages count as 999 unread.
    assert.deepEqual(response, { messages: [], more: false, change_seq: 0, last_read_id: 0, unread: 999, muted: false });
    const again = await c.join(T, { last_seen_id: ids.at(-3) });
    assert.equal(again.status, 'ok');
    assert.deepEqual(again.response.messages.map((m) => m.id), ids.slice(-2));
  });

  test('a non-numeric or negative last_seen_id falls back to the recent 50', async () => {
    for (const last_seen_id of ['12', -5, null, 1.5]) {
      const { response } = await joinResponse(T, { last_seen_id });
      assert.equal(response.more, true, JSON.stringify(last_seen_id));
      assert.deepEqual(response.messages.map((m) => m.id), ids.slice(-50), JSON.stringify(last_seen_id));
    }
  });
});
