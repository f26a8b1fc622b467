// Checklist items 34 and 35: the socket-id topic.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';
import { describeFrame } from './lib/raw.mjs';
import { makeSocket, connect, join, push, disconnect, withTimeout } from './lib/phx.mjs';

const ctx = useServer();
const V = (user) => ({ vsn: '2.0.0', user });

describe('forced disconnect (item 34)', () => {
  test('every socket of the nick closes with 1001 and no channel frames; others unaffected', async () => {
    const T = 'chatter:diag:kick';
    const victim1 = await ctx.open(V('victim'));
    const victim2 = await ctx.open(V('victim'));
    const bystander = await ctx.open(V('bystander'));
    const admin = await ctx.open(V('moderator'));
    await victim1.joinOk(T);
    await victim1.joinOk('chatter:room:kick');
    await victim2.joinOk(T);
    const bj = await bystander.joinOk(T);
    const aj = await admin.joinOk(T);
    for (const c of [victim1, victim2, bystander, admin]) await c.sync();

    const r = admin.push(aj, T, 'disconnect', { user: 'victim' });
    const reply = await admin.reply(r);
    assert.equal(reply.m.payload.status, 'ok');

    for (const v of [victim1, victim2]) {
      const { code } = await v.expectClose();
      assert.equal(code, 1001);
      const channelFrames = v.all.filter((f) => ['phx_close', 'phx_error'].includes(f.m?.event));
      assert.deepEqual(channelFrames.map(describeFrame), []);
    }
    assert.ok(bystander.isOpen && admin.isOpen);
    const f = await bystander.call(bj, T, 'echo', { alive: true });
    assert.deepEqual(f.m.payload, { status: 'ok', response: { alive: true } });
  });

  test('a user can disconnect itself', async () => {
    const c = await ctx.open(V('selfkick'));
    const jr = await c.joinOk('chatter:diag:selfkick');
    c.push(jr, 'chatter:diag:selfkick', 'disconnect', { user: 'selfkick' });
    const { code } = await c.expectClose();
    assert.equal(code, 1001);
    assert.ok(!c.all.some((f) => ['phx_close', 'phx_error'].includes(f.m?.event)));
  });

  test('disconnect of a nick with no sockets is harmless', async () => {
    const c = await ctx.open(V('kicker'));
    const jr = await c.joinOk('chatter:diag:nokick');
    const f = await c.call(jr, 'chatter:diag:nokick', 'disconnect', { user: 'nobody_here' });
    assert.equal(f.m.payload.status, 'ok');
    assert.ok(c.isOpen);
  });

  test('phoenix.js reconnects and rejoins after a 1001 kick', async () => {
    const s = makeSocket('1.8', ctx.server, { params: { user: 'kicked18' } });
    ctx.onCleanup(() => disconnect(s));
    const closes = [];
    let kicked;
    const kickedP = new Promise((res) => { kicked = res; });
    s.onClose((e) => { closes.push(e.code); if (e.code === 1001) kicked(); });
    await connect(s);
    const ch = s.channel('chatter:room:kick18', {});
    await join(ch);
    const admin = await ctx.open(V('admin2'));
    const aj = await admin.joinOk('chatter:diag:kick18');
    await admin.call(aj, 'chatter:diag:kick18', 'disconnect', { user: 'kicked18' });
    // Pushing before the close is seen would send on the dying socket, and
    // phoenix.js never resends a push that was already written.
    await withTimeout(kickedP, 5000, 'close 1001 seen by phoenix.js');
    // A push made while the channel is errored is buffered and sent after the rejoin.
    const r = await withTimeout(push(ch, 'new_msg', { body: 'back again' }), 12000, 'push after kick');
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.ok(closes.includes(1001), `close codes seen: ${closes}`);
  });
});

describe('socket-id topic (item 35)', () => {
  test('client frames addressed to the socket-id topic are ordinary unmatched pushes', async () => {
    const c = await ctx.open(V('sockid'));
    for (const ev of ['disconnect', 'anything', 'phx_join']) {
      c.sendMsg([null, `s-${ev}`, 'user_socket:sockid', ev, {}]);
      const f = await c.next({ ref: `s-${ev}` });
      assert.deepEqual(f.json, [null, `s-${ev}`, 'user_socket:sockid', 'phx_reply',
        { status: 'error', response: { reason: 'unmatched topic' } }]);
    }
    assert.ok(c.isOpen);
    assert.equal((await c.heartbeat()).m.payload.status, 'ok');
  });
});
