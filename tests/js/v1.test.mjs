// Checklist item 4: the V1 JSON object serializer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, nick } from './lib/fixture.mjs';

const ctx = useServer();
const KEYS = ['event', 'payload', 'ref', 'topic'];
const keys = (o) => Object.keys(o).sort();

async function v1(query = { user: nick('v1') }) {
  return ctx.open(query);
}

describe('V1 serializer', () => {
  test('no vsn → object frames without join_ref', async () => {
    const c = await v1();
    c.sendText(JSON.stringify({ topic: 'chatter:room:v1', event: 'phx_join', payload: {}, ref: '1', join_ref: '1' }));
    const f = await c.next({ ref: '1' });
    assert.equal(f.type, 'text');
    assert.ok(!Array.isArray(f.json));
    assert.deepEqual(keys(f.json), KEYS);
    assert.equal(f.json.event, 'phx_reply');
    assert.equal(f.json.topic, 'chatter:room:v1');
    assert.equal(f.json.payload.status, 'ok');
    assert.ok(Array.isArray(f.json.payload.response.messages));
  });

  test('explicit vsn=1.0.0 is V1 too', async () => {
    const c = await v1({ vsn: '1.0.0', user: nick('v1') });
    c.sendText(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: 'h' }));
    const f = await c.next({ ref: 'h' });
    assert.deepEqual(f.json, { topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} }, ref: 'h' });
  });

  test('push, reply and broadcast are objects with exactly topic/event/payload/ref', async () => {
    const c = await v1({ user: 'vee' });
    const T = 'chatter:room:v1b';
    c.sendText(JSON.stringify({ topic: T, event: 'phx_join', payload: {}, ref: '1', join_ref: '1' }));
    await c.next({ ref: '1' });
    c.sendText(JSON.stringify({ topic: T, event: 'new_msg', payload: { body: 'v1' }, ref: '2', join_ref: '1' }));
    const reply = await c.next({ ref: '2' });
    assert.deepEqual(keys(reply.json), KEYS);
    assert.equal(reply.json.payload.status, 'ok');
    assert.equal(typeof reply.json.payload.response.id, 'number');
    const b = await c.next({ event: 'new_msg' });
    assert.deepEqual(keys(b.json), KEYS);
    assert.equal(b.json.ref, null);
    assert.equal(b.json.payload.body, 'v1');
    assert.equal(b.json.payload.user, 'vee');
    for (const f of c.all) assert.ok(!('join_ref' in f.json), `join_ref leaked: ${f.data}`);
  });

  test('join without join_ref uses the ref as the join_ref (phx_close carries it)', async () => {
    const c = await v1();
    const T = 'chatter:diag:v1close';
    c.sendText(JSON.stringify({ topic: T, event: 'phx_join', payload: {}, ref: 'J7' }));
    assert.equal((await c.next({ ref: 'J7' })).json.payload.status, 'ok');
    c.sendText(JSON.stringify({ topic: T, event: 'phx_leave', payload: {}, ref: 'L8' }));
    const close = await c.next({ event: 'phx_close' });
    assert.deepEqual(close.json, { topic: T, event: 'phx_close', payload: {}, ref: 'J7' });
    const reply = c.all.find((f) => f.json.ref === 'L8');
    assert.deepEqual(reply.json, { topic: T, event: 'phx_reply', payload: { status: 'ok', response: {} }, ref: 'L8' });
  });

  test('channel push and unmatched topic over V1', async () => {
    const c = await v1();
    const T = 'chatter:diag:v1push';
    c.sendText(JSON.stringify({ topic: T, event: 'phx_join', payload: {}, ref: '1', join_ref: '1' }));
    await c.next({ ref: '1' });
    c.sendText(JSON.stringify({ topic: T, event: 'push', payload: { p: 1 }, ref: '2', join_ref: '1' }));
    const pushed = await c.next({ event: 'pushed' });
    assert.deepEqual(pushed.json, { topic: T, event: 'pushed', payload: { p: 1 }, ref: null });
    c.sendText(JSON.stringify({ topic: 'chatter:diag:nope', event: 'echo', payload: {}, ref: '3', join_ref: null }));
    assert.deepEqual((await c.next({ ref: '3' })).json,
      { topic: 'chatter:diag:nope', event: 'phx_reply', payload: { status: 'error', response: { reason: 'unmatched topic' } }, ref: '3' });
  });

  test('a V1 message missing a required key closes the connection with 1011', async () => {
    const c = await v1();
    c.sendText(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {} }));
    assert.equal((await c.expectClose()).code, 1011);
  });

  test('a V2 array on a V1 socket closes the connection with 1011', async () => {
    const c = await v1();
    c.sendText('[null,"1","phoenix","heartbeat",{}]');
    assert.equal((await c.expectClose()).code, 1011);
  });
});
