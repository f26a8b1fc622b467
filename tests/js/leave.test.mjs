// Checklist items 26-33: leave, crash and server-side stop.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';
import { describeFrame } from './lib/raw.mjs';

const ctx = useServer();
const unmatched = { status: 'error', response: { reason: 'unmatched topic' } };
const okEmpty = { status: 'ok', response: {} };

async function diag(name) {
  const c = await ctx.open();
  const T = `chatter:diag:${name}`;
  const jr = await c.joinOk(T);
  c.takePending();
  return { c, T, jr };
}

// Every frame seen on topic T, as JSON arrays.
const onTopic = (c, T) => c.all.filter((f) => f.m?.topic === T).map((f) => f.json);

describe('leave', () => {
  test('item 26: leave with the current jr → ok reply, then phx_close', async () => {
    const { c, T, jr } = await diag('l26');
    c.sendMsg([jr, 'L', T, 'phx_leave', {}]);
    const close = await c.next({ event: 'phx_close' });
    const reply = c.all.find((f) => f.m?.ref === 'L');
    assert.ok(reply, 'leave reply missing');
    assert.deepEqual(reply.json, [jr, 'L', T, 'phx_reply', okEmpty]);
    assert.deepEqual(close.json, [jr, jr, T, 'phx_close', {}]);
    assert.ok(c.all.indexOf(reply) < c.all.indexOf(close), 'reply must precede phx_close');
  });

  test('item 27: leave with a null jr behaves like item 26', async () => {
    const { c, T, jr } = await diag('l27');
    c.sendMsg([null, 'L', T, 'phx_leave', {}]);
    const close = await c.next({ event: 'phx_close' });
    const reply = c.all.find((f) => f.m?.ref === 'L');
    assert.ok(reply, 'leave reply missing');
    assert.deepEqual(reply.json, [jr, 'L', T, 'phx_reply', okEmpty]);
    assert.deepEqual(close.json, [jr, jr, T, 'phx_close', {}]);
    assert.ok(c.all.indexOf(reply) < c.all.indexOf(close));
  });

  test('item 28: leave with a stale jr → no frame; the channel stays', async () => {
    const { c, T, jr } = await diag('l28');
    const r = c.push('stale-jr', T, 'phx_leave', {});
    const extra = await c.syncChannel(jr, T);
    assert.deepEqual(extra.map(describeFrame), []);
    assert.ok(!c.all.some((f) => f.m?.ref === r || f.m?.event === 'phx_close'));
  });

  test('item 29: leave of a non-joined topic → ok echoing the message jr, no phx_close', async () => {
    const c = await ctx.open();
    c.sendMsg(['77', '78', 'chatter:diag:notjoined', 'phx_leave', {}]);
    assert.deepEqual((await c.next({ ref: '78' })).json, ['77', '78', 'chatter:diag:notjoined', 'phx_reply', okEmpty]);
    c.sendMsg([null, '79', 'chatter:room:notjoined', 'phx_leave', {}]);
    assert.deepEqual((await c.next({ ref: '79' })).json, [null, '79', 'chatter:room:notjoined', 'phx_reply', okEmpty]);
    c.sendMsg(['80', '80', 'nope:x', 'phx_leave', {}]);
    assert.deepEqual((await c.next({ ref: '80' })).json, ['80', '80', 'nope:x', 'phx_reply', okEmpty]);
    const extra = await c.sync();
    assert.deepEqual(extra.map(describeFrame), []);
  });

  test('item 30: push after leave → unmatched topic', async () => {
    const { c, T, jr } = await diag('l30');
    c.push(jr, T, 'phx_leave', {});
    await c.next({ event: 'phx_close' });
    c.sendMsg([jr, '31', T, 'echo', {}]);
    assert.deepEqual((await c.next({ ref: '31' })).json, [null, '31', T, 'phx_reply', unmatched]);
  });

  test('leave then join again gives a working channel with the new jr', async () => {
    const { c, T, jr } = await diag('relj');
    c.push(jr, T, 'phx_leave', {});
    await c.next({ event: 'phx_close' });
    const jr2 = await c.joinOk(T);
    const f = await c.call(jr2, T, 'echo', { again: true });
    assert.deepEqual(f.json.slice(0, 1), [jr2]);
    assert.deepEqual(f.m.payload, { status: 'ok', response: { again: true } });
  });
});

describe('server-side termination', () => {
  test('item 31: crash → phx_error with channel_crash; then unmatched; rejoin works', async () => {
    const { c, T, jr } = await diag('c31');
    c.push(jr, T, 'crash', {});
    const err = await c.next({ event: 'phx_error' });
    assert.deepEqual(err.json, [jr, jr, T, 'phx_error', { reason: 'channel_crash' }]);
    c.sendMsg([jr, '32', T, 'echo', {}]);
    assert.deepEqual((await c.next({ ref: '32' })).json, [null, '32', T, 'phx_reply', unmatched]);
    const jr2 = await c.joinOk(T);
    assert.notEqual(jr2, jr);
    const f = await c.call(jr2, T, 'echo', { back: 1 });
    assert.deepEqual(f.json, [jr2, f.m.ref, T, 'phx_reply', { status: 'ok', response: { back: 1 } }]);
  });

  test('item 31: a crash leaves other channels of the connection alone', async () => {
    const c = await ctx.open();
    const A = 'chatter:diag:c31a', B = 'chatter:diag:c31b';
    const ja = await c.joinOk(A);
    const jb = await c.joinOk(B);
    c.push(ja, A, 'crash', {});
    await c.next({ event: 'phx_error', topic: A });
    const f = await c.call(jb, B, 'echo', { b: 1 });
    assert.deepEqual(f.m.payload, { status: 'ok', response: { b: 1 } });
    assert.ok(c.isOpen);
  });

  test('item 32: graceful stop → [jr,jr,T,"phx_close",{}]', async () => {
    const { c, T, jr } = await diag('s32');
    c.push(jr, T, 'stop', {});
    const close = await c.next({ event: 'phx_close' });
    assert.deepEqual(close.json, [jr, jr, T, 'phx_close', {}]);
    c.sendMsg([jr, '33', T, 'echo', {}]);
    assert.deepEqual((await c.next({ ref: '33' })).json, [null, '33', T, 'phx_reply', unmatched]);
    assert.ok(!onTopic(c, T).some((m) => m[3] === 'phx_error'));
  });

  test('item 33: stop with a reply → the reply, then phx_close', async () => {
    const { c, T, jr } = await diag('s33');
    c.sendMsg([jr, '34', T, 'stop_reply', {}]);
    const close = await c.next({ event: 'phx_close' });
    const reply = c.all.find((f) => f.m?.ref === '34');
    assert.ok(reply, 'stop reply missing');
    assert.deepEqual(reply.json, [jr, '34', T, 'phx_reply', { status: 'ok', response: { bye: true } }]);
    assert.deepEqual(close.json, [jr, jr, T, 'phx_close', {}]);
    assert.ok(c.all.indexOf(reply) < c.all.indexOf(close));
  });
});
