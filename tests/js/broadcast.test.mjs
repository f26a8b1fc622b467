// Checklist items 39-41 and room broadcasts (new_msg, typing).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';
import { describeFrame } from './lib/raw.mjs';

const ctx = useServer();

// Opens one connection per nick, each joined to T; returns [{c, jr, nick}].
async function members(T, nicks) {
  const out = [];
  for (const n of nicks) {
    const c = await ctx.open({ vsn: '2.0.0', user: n });
    const jr = await c.joinOk(T);
    out.push({ c, jr, nick: n });
  }
  for (const m of out) await m.c.sync();
  return out;
}

describe('diagnostic broadcasts', () => {
  test('item 39: broadcast reaches every joined client, sender included', async () => {
    const T = 'chatter:diag:b39';
    const ms = await members(T, ['b39a', 'b39b', 'b39c']);
    const outsider = await ctx.open({ vsn: '2.0.0', user: 'b39x' });
    const ojr = await outsider.joinOk('chatter:diag:b39other');
    const [a] = ms;
    const r = a.c.push(a.jr, T, 'broadcast', { x: 1, s: 'é' });
    for (const m of ms) {
      const f = await m.c.next({ event: 'broadcasted' });
      assert.equal(f.type, 'text');
      assert.deepEqual(f.json, [null, null, T, 'broadcasted', { x: 1, s: 'é' }]);
    }
    assert.equal((await a.c.reply(r)).m.payload.status, 'ok');
    // The outsider's channel is on another topic and must see nothing.
    const extra = await outsider.syncChannel(ojr, 'chatter:diag:b39other');
    assert.deepEqual(extra.map(describeFrame), []);
  });

  test('item 40: broadcast_from reaches everyone except the sender', async () => {
    const T = 'chatter:diag:b40';
    const ms = await members(T, ['b40a', 'b40b', 'b40c']);
    const [a, b, c] = ms;
    a.c.push(a.jr, T, 'broadcast_from', { y: 2 });
    for (const m of [b, c]) {
      const f = await m.c.next({ event: 'broadcasted_from' });
      assert.deepEqual(f.json, [null, null, T, 'broadcasted_from', { y: 2 }]);
    }
    // A later broadcast on the same topic is a sentinel: had the sender
    // received broadcasted_from, it would have arrived first.
    a.c.push(a.jr, T, 'broadcast', { sentinel: true });
    await a.c.next({ event: 'broadcasted' });
    assert.ok(!a.c.all.some((f) => f.m?.event === 'broadcasted_from'), 'sender got its own broadcast_from');
  });

  test('item 41: intercepted broadcast is pushed per subscriber with its jr, or dropped', async () => {
    const T = 'chatter:diag:b41';
    const ms = await members(T, ['b41a', 'b41b', 'b41c']);
    const [a, b, c] = ms;
    const r = a.c.push(a.jr, T, 'shout', { text: 'hi', skip: 'b41c' });
    for (const m of [a, b]) {
      const f = await m.c.next({ event: 'shout' });
      assert.deepEqual(f.json, [m.jr, null, T, 'shout', { text: 'hi', skip: 'b41c', seen_by: m.nick }]);
    }
    assert.equal((await a.c.reply(r)).m.payload.status, 'ok');
    // Second shout skipping nobody: c must receive it and nothing before it.
    a.c.push(a.jr, T, 'shout', { text: 'second', skip: 'nobody' });
    const f = await c.c.next({ event: 'shout' });
    assert.deepEqual(f.json, [c.jr, null, T, 'shout', { text: 'second', skip: 'nobody', seen_by: 'b41c' }]);
    assert.equal(c.c.all.filter((x) => x.m?.event === 'shout').length, 1);
  });

  test('broadcasts are not delivered after leave', async () => {
    const T = 'chatter:diag:bleave';
    const [a, b] = await members(T, ['bla', 'blb']);
    b.c.push(b.jr, T, 'phx_leave', {});
    await b.c.next({ event: 'phx_close' });
    a.c.push(a.jr, T, 'broadcast', { after: 'leave' });
    await a.c.next({ event: 'broadcasted' });
    const extra = await b.c.sync();
    assert.deepEqual(extra.filter((f) => f.m?.event === 'broadcasted').map(describeFrame), []);
  });
});

describe('room broadcasts', () => {
  test('new_msg from one member reaches all members with the same id', async () => {
    const T = 'chatter:room:bcast';
    const [a, b, c] = await members(T, ['rma', 'rmb', 'rmc']);
    const r = b.c.push(b.jr, T, 'new_msg', { body: 'from b' });
    const { id } = (await b.c.reply(r)).m.payload.response;
    for (const m of [a, b, c]) {
      const f = await m.c.next({ event: 'new_msg' });
      assert.deepEqual([f.m.join_ref, f.m.ref, f.m.topic], [null, null, T]);
      assert.equal(f.m.payload.id, id);
      assert.equal(f.m.payload.user, 'rmb');
      assert.equal(f.m.payload.body, 'from b');
    }
  });

  test('messages in different rooms stay apart', async () => {
    const [a] = await members('chatter:room:apart1', ['apa']);
    const [b] = await members('chatter:room:apart2', ['apb']);
    await a.c.call(a.jr, 'chatter:room:apart1', 'new_msg', { body: 'only room 1' });
    await a.c.next({ event: 'new_msg' });
    await b.c.call(b.jr, 'chatter:room:apart2', 'new_msg', { body: 'only room 2' });
    await b.c.next({ event: 'new_msg' });
    assert.deepEqual(b.c.all.filter((f) => f.m?.event === 'new_msg').map((f) => f.m.payload.body), ['only room 2']);
  });

  test('typing reaches the others only', async () => {
    const T = 'chatter:room:typing';
    const [a, b] = await members(T, ['tya', 'tyb']);
    a.c.push(a.jr, T, 'typing', { typing: true });
    const f = await b.c.next({ event: 'typing' });
    assert.equal(f.m.topic, T);
    assert.deepEqual([f.m.join_ref, f.m.ref], [null, null]);
    assert.deepEqual(f.m.payload, { user: 'tya', typing: true });
    a.c.push(a.jr, T, 'typing', { typing: false });
    assert.deepEqual((await b.c.next({ event: 'typing' })).m.payload, { user: 'tya', typing: false });
    // The sender's own sentinel broadcast proves it got no typing frame.
    await a.c.call(a.jr, T, 'new_msg', { body: 'sentinel' });
    await a.c.next({ event: 'new_msg' });
    assert.ok(!a.c.all.some((x) => x.m?.event === 'typing'), 'sender received its own typing event');
  });
});
