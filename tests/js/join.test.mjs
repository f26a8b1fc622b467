// Checklist items 11-18 and room-name validation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';
import { describeFrame } from './lib/raw.mjs';

const ctx = useServer();
const unmatched = { status: 'error', response: { reason: 'unmatched topic' } };

describe('join', () => {
  test('item 11: accepted room join echoes both refs byte for byte', async () => {
    const c = await ctx.open();
    c.sendText('["j-1é","r 1","chatter:room:lobby","phx_join",{}]');
    const f = await c.next({ ref: 'r 1' });
    assert.equal(f.type, 'text');
    const [jr, ref, topic, event, payload] = f.json;
    assert.deepEqual([jr, ref, topic, event, payload.status], ['j-1é', 'r 1', 'chatter:room:lobby', 'phx_reply', 'ok']);
    assert.equal(f.json.length, 5);
    assert.equal(typeof payload.response, 'object');
    assert.ok(Array.isArray(payload.response.messages), describeFrame(f));
  });

  test('item 11: the usual jr = ref join gives [jr,jr,T,"phx_reply",ok]', async () => {
    const c = await ctx.open();
    c.sendText('["1","1","chatter:room:lobby","phx_join",{}]');
    const f = await c.next({ ref: '1' });
    assert.deepEqual(f.json.slice(0, 4), ['1', '1', 'chatter:room:lobby', 'phx_reply']);
    assert.equal(f.json[4].status, 'ok');
  });

  test('item 12: join reply map appears as the response', async () => {
    const c = await ctx.open({ vsn: '2.0.0', user: 'mapper' });
    const j = await c.join('chatter:diag:reply');
    assert.equal(j.status, 'ok');
    assert.deepEqual(j.response, {
      params: { vsn: '2.0.0', user: 'mapper' },
      auth_token: null,
      socket_id: 'user_socket:mapper',
    });
  });

  for (const topic of ['nope:x', 'phoenix', 'chatter:nothing:x', 'chatter', '']) {
    test(`item 13: join of unrouted topic ${JSON.stringify(topic)} → unmatched topic with null jr`, async () => {
      const c = await ctx.open();
      c.sendMsg(['5', '5', topic, 'phx_join', {}]);
      const f = await c.next({ ref: '5' });
      assert.deepEqual(f.json, [null, '5', topic, 'phx_reply', unmatched]);
      // The connection stays usable.
      assert.equal((await c.heartbeat()).m.payload.status, 'ok');
    });
  }

  for (const name of ['', 'has space', 'a/b', 'é', 'x'.repeat(65), 'semi;colon', 'a:b']) {
    test(`invalid room name ${JSON.stringify(name)} is refused`, async () => {
      const c = await ctx.open();
      const topic = `chatter:room:${name}`;
      c.sendMsg(['3', '3', topic, 'phx_join', {}]);
      const f = await c.next({ ref: '3' });
      assert.deepEqual(f.json, ['3', '3', topic, 'phx_reply', { status: 'error', response: { reason: 'invalid room name' } }]);
    });
  }

  for (const name of ['a', 'A.b-c_9', 'x'.repeat(64)]) {
    test(`room name ${JSON.stringify(name.length > 10 ? name.slice(0, 5) + '…(' + name.length + ')' : name)} is accepted`, async () => {
      const c = await ctx.open();
      const j = await c.join(`chatter:room:${name}`);
      assert.equal(j.status, 'ok', describeFrame(j.frame));
    });
  }

  test('item 14: refused join replies with the reason; a following push is unmatched', async () => {
    const c = await ctx.open();
    const T = 'chatter:diag:refused';
    c.sendMsg(['4', '4', T, 'phx_join', { refuse: 'unauthorized' }]);
    const f = await c.next({ ref: '4' });
    assert.deepEqual(f.json, ['4', '4', T, 'phx_reply', { status: 'error', response: { reason: 'unauthorized' } }]);
    c.sendMsg(['4', '5', T, 'echo', {}]);
    assert.deepEqual((await c.next({ ref: '5' })).json, [null, '5', T, 'phx_reply', unmatched]);
  });

  test('item 15: join handler crash → join crashed; no channel remains', async () => {
    const c = await ctx.open();
    const T = 'chatter:diag:crashy';
    c.sendMsg(['6', '6', T, 'phx_join', { crash: true }]);
    const f = await c.next({ ref: '6' });
    assert.deepEqual(f.json, ['6', '6', T, 'phx_reply', { status: 'error', response: { reason: 'join crashed' } }]);
    c.sendMsg(['6', '7', T, 'echo', {}]);
    assert.deepEqual((await c.next({ ref: '7' })).json, [null, '7', T, 'phx_reply', unmatched]);
    // A later good join of the same topic works.
    const j = await c.join(T);
    assert.equal(j.status, 'ok');
  });

  test('item 16: the 101st channel on one connection is refused', async () => {
    const c = await ctx.open();
    const jrs = [];
    for (let i = 0; i < 100; i++) {
      const jr = c.ref();
      c.push(jr, `chatter:diag:many${i}`, 'phx_join', {}, jr);
      jrs.push(jr);
    }
    for (const jr of jrs) {
      const f = await c.reply(jr, { timeout: 15000 });
      assert.equal(f.m.payload.status, 'ok', describeFrame(f));
    }
    const over = await c.join('chatter:diag:many100');
    assert.deepEqual(over.frame.json, [over.jr, over.jr, 'chatter:diag:many100', 'phx_reply',
      { status: 'error', response: { reason: 'too many channels joined' } }]);
    // Leaving one frees a slot.
    const lr = c.push(jrs[0], 'chatter:diag:many0', 'phx_leave', {});
    assert.equal((await c.reply(lr)).m.payload.status, 'ok');
    const again = await c.join('chatter:diag:many100');
    assert.equal(again.status, 'ok', describeFrame(again.frame));
  });

  test('item 17: duplicate join replies for the new jr before closing the old one', async () => {
    const c = await ctx.open();
    const T = 'chatter:diag:dup';
    c.sendMsg(['1', '1', T, 'phx_join', {}]);
    await c.next({ ref: '1' });
    c.sendMsg(['2', '2', T, 'phx_join', {}]);
    await c.next({ event: 'phx_close', join_ref: '1' });
    const frames = c.all.filter((f) => f.m?.topic === T).map((f) => f.json);
    const iReply = frames.findIndex((m) => m[1] === '2' && m[3] === 'phx_reply');
    const iClose = frames.findIndex((m) => m[3] === 'phx_close');
    assert.ok(iReply >= 0 && iReply < iClose, `order: ${JSON.stringify(frames)}`);
    assert.deepEqual(frames[iReply], ['2', '2', T, 'phx_reply', { status: 'ok', response: frames[iReply][4].response }]);
    assert.deepEqual(frames[iClose], ['1', '1', T, 'phx_close', {}]);
    c.takePending();
    // Only the jr 2 instance is alive.
    const r = c.push('2', T, 'echo', { still: 'here' });
    assert.deepEqual((await c.reply(r)).json, ['2', r, T, 'phx_reply', { status: 'ok', response: { still: 'here' } }]);
    const extra = await c.syncChannel('2', T);
    assert.deepEqual(extra.map((f) => f.json), [], 'no further frames expected');
  });

  test('item 18: join reply is the first frame even when the channel pushes and broadcasts during join', async () => {
    const c = await ctx.open();
    const T = 'chatter:diag:eager';
    c.sendMsg(['8', '8', T, 'phx_join', { push_on_join: true }]);
    const welcome = await c.next({ event: 'welcome' });
    const joined = await c.next({ event: 'joined' });
    const onT = c.all.filter((f) => f.m?.topic === T);
    assert.equal(onT[0].m.event, 'phx_reply', `first frame: ${describeFrame(onT[0])}`);
    assert.equal(onT[0].m.ref, '8');
    assert.equal(onT[0].m.payload.status, 'ok');
    assert.deepEqual(welcome.json, ['8', null, T, 'welcome', {}]);
    assert.deepEqual(joined.json, [null, null, T, 'joined', {}]);
  });

  test('item 18: same ordering for many eager joins in a burst', async () => {
    const c = await ctx.open();
    const n = 20;
    for (let i = 0; i < n; i++) c.push(`b${i}`, `chatter:diag:burst${i}`, 'phx_join', { push_on_join: true }, `b${i}`);
    for (let i = 0; i < n; i++) await c.next({ topic: `chatter:diag:burst${i}`, event: 'joined' });
    for (let i = 0; i < n; i++) {
      const onT = c.all.filter((f) => f.m?.topic === `chatter:diag:burst${i}`);
      assert.equal(onT[0].m.event, 'phx_reply', `topic ${i}: ${onT.map(describeFrame).join(' | ')}`);
    }
  });
});
