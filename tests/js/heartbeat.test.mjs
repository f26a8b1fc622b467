// Checklist items 9 and 10.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, nick } from './lib/fixture.mjs';
import { startServer } from './lib/server.mjs';
import { RawClient } from './lib/raw.mjs';

const ctx = useServer();

describe('heartbeat (item 9)', () => {
  test('heartbeat gets an ok reply with an empty response, refs echoed', async () => {
    const c = await ctx.open();
    c.sendText('[null,"1","phoenix","heartbeat",{}]');
    const f = await c.next({ ref: '1' });
    assert.equal(f.type, 'text');
    assert.deepEqual(f.json, [null, '1', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
  });

  test('unusual ref strings are echoed exactly', async () => {
    const c = await ctx.open();
    for (const ref of ['0', 'abc', 'x y', 'é✓', '9'.repeat(40)]) {
      c.sendMsg([null, ref, 'phoenix', 'heartbeat', {}]);
      const f = await c.next({ ref });
      assert.deepEqual(f.json, [null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
    }
  });

  test('a burst of heartbeats is answered in order', async () => {
    const c = await ctx.open();
    const refs = Array.from({ length: 50 }, (_, i) => `hb${i}`);
    for (const r of refs) c.push(null, 'phoenix', 'heartbeat', {}, r);
    await c.next({ ref: refs.at(-1) });
    const seen = c.all.filter((f) => f.m?.event === 'phx_reply').map((f) => f.m.ref);
    assert.deepEqual(seen, refs);
  });

  test('extra trailing array elements are ignored', async () => {
    const c = await ctx.open();
    c.sendText('[null,"7","phoenix","heartbeat",{},"extra",42]');
    const f = await c.next({ ref: '7' });
    assert.deepEqual(f.json, [null, '7', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
  });

  test('WebSocket ping control frame gets a pong with the same data', async () => {
    const c = await ctx.open();
    const pong = new Promise((res) => c.ws.once('pong', (d) => res(d.toString())));
    c.ws.ping('hi');
    assert.equal(await pong, 'hi');
  });
});

describe('idle timeout (item 10)', () => {
  let idle;
  before(async () => { idle = await startServer({ args: ['--idle-timeout-ms', '800'] }); });
  after(async () => { await idle?.stop(); });

  test('a silent connection is closed with 1001', async () => {
    const c = await RawClient.open(idle.wsUrl({ vsn: '2.0.0', user: nick() }));
    try {
      const { code } = await c.expectClose({ timeout: 10000 });
      assert.equal(code, 1001);
    } finally { c.terminate(); }
  });

  test('a joined but silent connection is closed with 1001 too', async () => {
    const c = await RawClient.open(idle.wsUrl({ vsn: '2.0.0', user: nick() }));
    try {
      await c.joinOk('chatter:room:idle');
      const { code } = await c.expectClose({ timeout: 10000 });
      assert.equal(code, 1001);
      assert.ok(!c.all.some((f) => f.m?.event === 'phx_close' || f.m?.event === 'phx_error'));
    } finally { c.terminate(); }
  });

  test('heartbeats keep the connection open past the timeout', async () => {
    const c = await RawClient.open(idle.wsUrl({ vsn: '2.0.0', user: nick() }));
    try {
      // 10 heartbeats ~200 ms apart span well over the 800 ms timeout.
      for (let i = 0; i < 10; i++) {
        await c.heartbeat();
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(c.isOpen, 'connection closed although heartbeats were flowing');
      const { code } = await c.expectClose({ timeout: 10000 });
      assert.equal(code, 1001);
    } finally { c.terminate(); }
  });
});
