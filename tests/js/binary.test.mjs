// Checklist items 42-45: V2 binary frames.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';
import { encodeBinaryPush, describeFrame } from './lib/raw.mjs';

const ctx = useServer();
const u8 = (s) => Buffer.from(s, 'utf8');
const hdr = (...bytes) => Buffer.from(bytes);

async function joined(T, query) {
  const c = await ctx.open(query);
  const jr = await c.joinOk(T);
  c.takePending();
  return { c, jr };
}

function expectedReply(jr, ref, topic, status, payload) {
  return Buffer.concat([hdr(1, u8(jr).length, u8(ref).length, u8(topic).length, u8(status).length),
    u8(jr), u8(ref), u8(topic), u8(status), payload]);
}

describe('binary frames', () => {
  test('item 43: binary ping on a room echoes a kind-1 binary reply', async () => {
    const T = 'chatter:room:lobby';
    const { c, jr } = await joined(T);
    const payload = hdr(0, 1, 2, 3, 0xfa, 0xff);
    c.sendBinary(encodeBinaryPush({ joinRef: jr, ref: '12', topic: T, event: 'ping', payload }));
    const f = await c.next({ type: 'binary', ref: '12' });
    assert.deepEqual(f.data, expectedReply(jr, '12', T, 'ok', payload));
  });

  test('item 43: binary echo on the diagnostic channel, empty and larger payloads', async () => {
    const T = 'chatter:diag:bin43';
    const { c, jr } = await joined(T);
    const big = Buffer.alloc(70000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    for (const [ref, payload] of [['e0', Buffer.alloc(0)], ['e1', big], ['e2', u8('not json {')]]) {
      c.sendBinary(encodeBinaryPush({ joinRef: jr, ref, topic: T, event: 'echo', payload }));
      const f = await c.next({ ref });
      assert.equal(f.type, 'binary', describeFrame(f));
      assert.ok(f.data.equals(expectedReply(jr, ref, T, 'ok', payload)), describeFrame(f));
    }
  });

  test('item 43: a binary push with an empty join_ref (null) is handled', async () => {
    const T = 'chatter:diag:bin43null';
    const { c, jr } = await joined(T);
    c.sendBinary(encodeBinaryPush({ joinRef: '', ref: 'n1', topic: T, event: 'echo', payload: hdr(9) }));
    const f = await c.next({ ref: 'n1' });
    assert.ok(f.data.equals(expectedReply(jr, 'n1', T, 'ok', hdr(9))), describeFrame(f));
  });

  test('a binary push to an unjoined topic gets the unmatched-topic reply', async () => {
    const c = await ctx.open();
    c.sendBinary(encodeBinaryPush({ joinRef: '1', ref: 'u1', topic: 'chatter:diag:nobin', event: 'echo', payload: hdr(1) }));
    const f = await c.next({ ref: 'u1' });
    assert.equal(f.type, 'text');
    assert.deepEqual(f.json, [null, 'u1', 'chatter:diag:nobin', 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } }]);
  });

  test('a binary push with a stale join_ref produces no frame', async () => {
    const T = 'chatter:diag:binstale';
    const { c, jr } = await joined(T);
    c.sendBinary(encodeBinaryPush({ joinRef: 'old', ref: 's1', topic: T, event: 'echo', payload: hdr(1) }));
    const extra = await c.syncChannel(jr, T);
    assert.deepEqual(extra.map(describeFrame), []);
  });

  test('item 44: channel binary push is kind 0 with no ref field', async () => {
    const T = 'chatter:diag:bin44';
    const { c, jr } = await joined(T);
    const text = 'héllo ✓ binary';
    const r = c.push(jr, T, 'push_binary', { text });
    const f = await c.next({ type: 'binary', event: 'pushed_binary' });
    const expected = Buffer.concat([hdr(0, u8(jr).length, u8(T).length, u8('pushed_binary').length),
      u8(jr), u8(T), u8('pushed_binary'), u8(text)]);
    assert.ok(f.data.equals(expected), `${f.data.toString('hex')} != ${expected.toString('hex')}`);
    const reply = await c.reply(r);
    assert.equal(reply.m.payload.status, 'ok');
  });

  test('item 42: binary broadcast is kind 2 to every subscriber, sender included', async () => {
    const T = 'chatter:diag:bin42';
    const a = await joined(T);
    const b = await joined(T);
    const text = 'to all ✓';
    const r = a.c.push(a.jr, T, 'broadcast_binary', { text });
    const expected = Buffer.concat([hdr(2, u8(T).length, u8('broadcasted_binary').length),
      u8(T), u8('broadcasted_binary'), u8(text)]);
    for (const m of [a, b]) {
      const f = await m.c.next({ type: 'binary', event: 'broadcasted_binary' });
      assert.ok(f.data.equals(expected), `${f.data.toString('hex')} != ${expected.toString('hex')}`);
    }
    assert.equal((await a.c.reply(r)).m.payload.status, 'ok');
  });

  test('item 45: a binary push whose topic exceeds 255 bytes is refused, never truncated', async () => {
    const T = 'chatter:diag:' + 'L'.repeat(300);
    const { c, jr } = await joined(T);
    const r = c.push(jr, T, 'push_binary', { text: 'x' });
    const reply = await c.reply(r);
    assert.deepEqual(reply.json, [jr, r, T, 'phx_reply', { status: 'error', response: { reason: 'field too long' } }]);
    const extra = await c.syncChannel(jr, T);
    assert.deepEqual(extra.map(describeFrame), []);
    assert.ok(!c.all.some((f) => f.type === 'binary'), 'a (truncated?) binary frame was emitted');
    assert.ok(c.isOpen);
  });

  test('item 45: multi-byte topic just over 255 bytes (under 255 chars) is refused too', async () => {
    // 130 two-byte characters: 130 chars, 273 bytes with the prefix.
    const T = 'chatter:diag:' + 'é'.repeat(130);
    const { c, jr } = await joined(T);
    const r = c.push(jr, T, 'push_binary', { text: 'x' });
    const reply = await c.reply(r);
    assert.equal(reply.m.payload.status, 'error');
    assert.deepEqual(reply.m.payload.response, { reason: 'field too long' });
    assert.ok(!c.all.some((f) => f.type === 'binary'));
  });

  test('item 44: a topic of exactly 255 bytes is still allowed', async () => {
    const T = 'chatter:diag:' + 'k'.repeat(255 - 'chatter:diag:'.length);
    assert.equal(u8(T).length, 255);
    const { c, jr } = await joined(T);
    const r = c.push(jr, T, 'push_binary', { text: 'edge' });
    const f = await c.next({ type: 'binary', event: 'pushed_binary' });
    assert.equal(f.m.topic, T);
    assert.equal(f.m.payload.toString(), 'edge');
    assert.equal((await c.reply(r)).m.payload.status, 'ok');
  });
});
