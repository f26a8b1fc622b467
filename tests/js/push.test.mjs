// Checklist items 19-25 and the room channel's events.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';
import { describeFrame } from './lib/raw.mjs';

const ctx = useServer();
const unmatched = { status: 'error', response: { reason: 'unmatched topic' } };

async function diag(name, query) {
  const c = await ctx.open(query);
  const T = `chatter:diag:${name}`;
  const jr = await c.joinOk(T);
  c.takePending();
  return { c, T, jr };
}

describe('pushes to the diagnostic channel', () => {
  test('item 19: push with the current jr is handled; reply carries jr and ref', async () => {
    const { c, T, jr } = await diag('p19');
    c.sendMsg([jr, 'q-19', T, 'echo', { a: [1, 'x', null], b: { c: true } }]);
    const f = await c.next({ ref: 'q-19' });
    assert.deepEqual(f.json, [jr, 'q-19', T, 'phx_reply', { status: 'ok', response: { a: [1, 'x', null], b: { c: true } } }]);
  });

  test('item 20: push with a null jr to a joined topic is handled normally', async () => {
    const { c, T, jr } = await diag('p20');
    c.sendMsg([null, '20', T, 'echo', { n: 20 }]);
    const f = await c.next({ ref: '20' });
    assert.deepEqual(f.json, [jr, '20', T, 'phx_reply', { status: 'ok', response: { n: 20 } }]);
  });

  test('item 21: push with a stale jr produces no frame at all', async () => {
    const { c, T, jr } = await diag('p21');
    // Rejoin so `jr` becomes stale.
    const jr2 = c.ref();
    c.push(jr2, T, 'phx_join', {}, jr2);
    await c.reply(jr2);
    await c.next({ event: 'phx_close', join_ref: jr });
    c.takePending();
    const stale = c.push(jr, T, 'echo', { stale: true });
    const never = c.push('99999', T, 'echo', { never: true });
    const extra = await c.syncChannel(jr2, T);
    assert.deepEqual(extra.map(describeFrame), []);
    assert.ok(!c.all.some((f) => f.m?.ref === stale || f.m?.ref === never));
  });

  test('item 22: push to a never-joined topic → unmatched topic with null jr', async () => {
    const c = await ctx.open();
    c.sendMsg(['5', '22', 'chatter:diag:never', 'echo', {}]);
    assert.deepEqual((await c.next({ ref: '22' })).json, [null, '22', 'chatter:diag:never', 'phx_reply', unmatched]);
    c.sendMsg([null, '23', 'chatter:room:never', 'new_msg', { body: 'x' }]);
    assert.deepEqual((await c.next({ ref: '23' })).json, [null, '23', 'chatter:room:never', 'phx_reply', unmatched]);
    c.sendMsg(['1', '24', 'nope:x', 'anything', {}]);
    assert.deepEqual((await c.next({ ref: '24' })).json, [null, '24', 'nope:x', 'phx_reply', unmatched]);
  });

  test('item 23: a handler that does not reply sends nothing', async () => {
    const { c, T, jr } = await diag('p23');
    const r = c.push(jr, T, 'noreply', { x: 1 });
    const extra = await c.syncChannel(jr, T);
    assert.deepEqual(extra.map(describeFrame), []);
    assert.ok(!c.all.some((f) => f.m?.ref === r));
  });

  test('item 24: status-only reply has response {}', async () => {
    const { c, T, jr } = await diag('p24');
    c.sendMsg([jr, '24', T, 'status_only', { ignored: 1 }]);
    assert.deepEqual((await c.next({ ref: '24' })).json, [jr, '24', T, 'phx_reply', { status: 'ok', response: {} }]);
  });

  test('item 25: channel push is [jr,null,T,event,payload], then the reply', async () => {
    const { c, T, jr } = await diag('p25');
    c.sendMsg([jr, '25', T, 'push', { hello: 'you' }]);
    const reply = await c.next({ ref: '25' });
    assert.equal(reply.m.payload.status, 'ok');
    const pushed = c.all.filter((f) => f.m?.event === 'pushed');
    assert.equal(pushed.length, 1);
    assert.deepEqual(pushed[0].json, [jr, null, T, 'pushed', { hello: 'you' }]);
    assert.ok(c.all.indexOf(pushed[0]) < c.all.indexOf(reply), 'push should precede the reply');
  });

  test('pushes are answered in order (burst of 100)', async () => {
    const { c, T, jr } = await diag('burst');
    const refs = [];
    for (let i = 0; i < 100; i++) refs.push(c.push(jr, T, 'echo', { i }));
    await c.reply(refs.at(-1), { timeout: 15000 });
    const replies = c.all.filter((f) => f.m?.event === 'phx_reply' && refs.includes(f.m.ref));
    assert.deepEqual(replies.map((f) => f.m.ref), refs);
    assert.deepEqual(replies.map((f) => f.m.payload.response.i), refs.map((_, i) => i));
  });
});

describe('room channel events', () => {
  async function room(name, user) {
    const c = await ctx.open(user ? { vsn: '2.0.0', user } : undefined);
    const T = `chatter:room:${name}`;
    const jr = await c.joinOk(T);
    return { c, T, jr };
  }

  test('new_msg → ok {id} and a broadcast with id, user, body, at', async () => {
    const { c, T, jr } = await room('msgs', 'writer');
    const r = c.push(jr, T, 'new_msg', { body: 'hello é😀 "q"' });
    const reply = await c.reply(r);
    assert.equal(reply.m.join_ref, jr);
    assert.equal(reply.m.payload.status, 'ok');
    const { id } = reply.m.payload.response;
    assert.equal(typeof id, 'number');
    assert.deepEqual(Object.keys(reply.m.payload.response), ['id']);
    const b = await c.next({ event: 'new_msg' });
    assert.equal(b.m.join_ref, null);
    assert.equal(b.m.ref, null);
    assert.equal(b.m.topic, T);
    const p = b.m.payload;
    assert.equal(p.id, id);
    assert.equal(p.user, 'writer');
    assert.equal(p.body, 'hello é😀 "q"');
    assert.equal(typeof p.at, 'string');
    assert.match(p.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/);
    assert.ok(!Number.isNaN(Date.parse(p.at)));
  });

  test('message ids strictly increase', async () => {
    const { c, T, jr } = await room('ids');
    const ids = [];
    for (let i = 0; i < 20; i++) {
      const f = await c.call(jr, T, 'new_msg', { body: `m${i}` });
      ids.push(f.m.payload.response.id);
    }
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `ids ${ids}`);
  });

  const badBodies = [
    ['missing body', {}],
    ['numeric body', { body: 5 }],
    ['null body', { body: null }],
    ['object body', { body: { text: 'x' } }],
    ['array body', { body: ['x'] }],
    ['empty body', { body: '' }],
    ['whitespace body', { body: ' \t\n  ' }],
    ['4001 characters', { body: 'x'.repeat(4001) }],
    ['non-object payload', 'just a string'],
  ];
  for (const [name, payload] of badBodies) {
    test(`new_msg with ${name} → error reply, channel stays joined`, async () => {
      const { c, T, jr } = await room(`bad${name.replace(/\W/g, '')}`);
      const f = await c.call(jr, T, 'new_msg', payload);
      assert.equal(f.m.join_ref, jr);
      assert.equal(f.m.payload.status, 'error');
      assert.equal(typeof f.m.payload.response.reason, 'string');
      assert.ok(f.m.payload.response.reason.length > 0);
      const ok = await c.call(jr, T, 'new_msg', { body: 'still here' });
      assert.equal(ok.m.payload.status, 'ok');
      await c.next({ event: 'new_msg' });
      const bodies = c.all.filter((x) => x.m?.event === 'new_msg').map((x) => x.m.payload.body);
      assert.deepEqual(bodies, ['still here'], 'no broadcast for a rejected message');
      assert.ok(!c.all.some((x) => x.m?.event === 'phx_error' || x.m?.event === 'phx_close'));
    });
  }

  test('a 4000-character body is accepted (ASCII and non-ASCII)', async () => {
    const { c, T, jr } = await room('long');
    for (const body of ['y'.repeat(4000), 'é'.repeat(4000)]) {
      const f = await c.call(jr, T, 'new_msg', { body });
      assert.equal(f.m.payload.status, 'ok', describeFrame(f));
      const b = await c.next({ event: 'new_msg' });
      assert.equal(b.m.payload.body, body);
    }
  });

  test('ping echoes the payload', async () => {
    const { c, T, jr } = await room('ping');
    c.sendMsg([jr, '77', T, 'ping', { n: 1, s: 'x' }]);
    assert.deepEqual((await c.next({ ref: '77' })).json, [jr, '77', T, 'phx_reply', { status: 'ok', response: { n: 1, s: 'x' } }]);
  });

  test('unknown event → error "unknown event"; channel stays', async () => {
    const { c, T, jr } = await room('unknown');
    c.sendMsg([jr, '9', T, 'no_such_event', {}]);
    assert.deepEqual((await c.next({ ref: '9' })).json, [jr, '9', T, 'phx_reply', { status: 'error', response: { reason: 'unknown event' } }]);
    const f = await c.call(jr, T, 'ping', { ok: 1 });
    assert.equal(f.m.payload.status, 'ok');
    assert.ok(!c.all.some((x) => x.m?.event === 'phx_error'));
  });
});
