// The stock phoenix.js clients (1.7 and 1.8) against the server.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, nick } from './lib/fixture.mjs';
import { startServer } from './lib/server.mjs';
import { makeSocket, connect, join, push, collect, disconnect, withTimeout } from './lib/phx.mjs';

const ctx = useServer();

function socketFor(version, user, opts = {}) {
  const s = makeSocket(version, ctx.server, { params: { user }, ...opts });
  ctx.onCleanup(() => disconnect(s));
  return s;
}

describe('1.7 and 1.8 clients chat together', () => {
  test('new_msg broadcasts reach both; ok replies carry the id', async () => {
    const T = 'chatter:room:mixed';
    const s17 = socketFor('1.7', 'old_js');
    const s18 = socketFor('1.8', 'new_js');
    await Promise.all([connect(s17), connect(s18)]);
    const c17 = s17.channel(T, {});
    const c18 = s18.channel(T, {});
    const m17 = collect(c17, 'new_msg');
    const m18 = collect(c18, 'new_msg');
    const [r17, r18] = await Promise.all([join(c17), join(c18)]);
    assert.ok(Array.isArray(r17.messages) && Array.isArray(r18.messages));

    const a = await push(c17, 'new_msg', { body: 'hello from 1.7' });
    const b = await push(c18, 'new_msg', { body: 'hello from 1.8' });
    assert.equal(a.status, 'ok');
    assert.equal(b.status, 'ok');
    assert.equal(typeof a.response.id, 'number');
    assert.ok(b.response.id > a.response.id);

    for (const m of [m17, m18]) {
      const x = await m.waitFor((p) => p.id === a.response.id);
      assert.equal(x.user, 'old_js');
      assert.equal(x.body, 'hello from 1.7');
      const y = await m.waitFor((p) => p.id === b.response.id);
      assert.equal(y.user, 'new_js');
      assert.equal(y.body, 'hello from 1.8');
    }
  });

  for (const version of ['1.7', '1.8']) {
    test(`${version}: typing reaches the other client only`, async () => {
      const T = `chatter:room:typing${version.replace('.', '')}`;
      const me = socketFor(version, nick('me'));
      const other = socketFor(version === '1.7' ? '1.8' : '1.7', nick('other'));
      await Promise.all([connect(me), connect(other)]);
      const cm = me.channel(T, {});
      const co = other.channel(T, {});
      const tm = collect(cm, 'typing');
      const to = collect(co, 'typing');
      await join(cm);
      await join(co);
      cm.push('typing', { typing: true });
      const got = await to.waitFor(() => true);
      assert.equal(got.typing, true);
      // A sentinel message through the same room orders after the typing broadcast.
      const msgs = collect(cm, 'new_msg');
      const r = await push(cm, 'new_msg', { body: 'sentinel' });
      await msgs.waitFor((p) => p.id === r.response.id);
      assert.deepEqual(tm.got, []);
    });

    test(`${version}: pushes made before the join completes are buffered and delivered`, async () => {
      const s = socketFor(version, nick('buf'));
      const ch = s.channel(`chatter:room:buffer${version.replace('.', '')}`, {});
      const msgs = collect(ch, 'new_msg');
      ch.join();
      // Socket not even connected yet: these wait in the channel's push buffer.
      const p1 = push(ch, 'new_msg', { body: 'early 1' });
      const p2 = push(ch, 'new_msg', { body: 'early 2' });
      s.connect();
      const [r1, r2] = await Promise.all([p1, p2]);
      assert.equal(r1.status, 'ok', JSON.stringify(r1));
      assert.equal(r2.status, 'ok', JSON.stringify(r2));
      assert.ok(r2.response.id > r1.response.id);
      await msgs.waitFor((p) => p.id === r2.response.id);
      assert.deepEqual(msgs.got.map((p) => p.body), ['early 1', 'early 2']);
    });

    test(`${version}: refused join reports the error reason`, async () => {
      const s = socketFor(version, nick('ref'));
      await connect(s);
      const ch = s.channel('chatter:room:bad name', {});
      await assert.rejects(join(ch), /invalid room name/);
      ch.leave();
    });

    test(`${version}: heartbeat round trip via socket.ping`, async () => {
      const s = socketFor(version, nick('hb'));
      await connect(s);
      if (typeof s.ping !== 'function') return;
      const rtt = await withTimeout(new Promise((res) => s.ping(res)), 5000, 'ping');
      assert.equal(typeof rtt, 'number');
    });

    test(`${version}: binary ArrayBuffer push gets an ArrayBuffer reply`, async () => {
      const s = socketFor(version, nick('bin'));
      await connect(s);
      const ch = s.channel('chatter:room:binary', {});
      await join(ch);
      const bytes = new Uint8Array([0, 1, 2, 3, 0xfa, 0xff]);
      const r = await push(ch, 'ping', bytes.buffer.slice(0));
      assert.equal(r.status, 'ok');
      assert.ok(r.response instanceof ArrayBuffer, `response type ${Object.prototype.toString.call(r.response)}`);
      assert.deepEqual([...new Uint8Array(r.response)], [...bytes]);
    });

    test(`${version}: channel push and server close reach the client`, async () => {
      const s = socketFor(version, nick('diag'));
      await connect(s);
      const ch = s.channel('chatter:diag:official', {});
      const pushed = collect(ch, 'pushed');
      const closed = new Promise((res) => ch.onClose(() => res()));
      await join(ch);
      const r = await push(ch, 'push', { k: 'v' });
      assert.equal(r.status, 'ok');
      await pushed.waitFor((p) => p.k === 'v');
      await push(ch, 'stop_reply', {});
      await withTimeout(closed, 5000, 'channel onClose after stop_reply');
      assert.equal(ch.state, 'closed');
    });
  }
});

describe('reconnect after a server restart', () => {
  const extra = [];
  after(async () => { for (const s of extra) await s.stop({ signal: 'SIGKILL' }); });

  test('both clients reconnect and rejoin when a new server takes the same port', async () => {
    const first = await startServer();
    extra.push(first);
    const port = first.port;
    const sockets = {};
    const channels = {};
    const closes = { '1.7': [], '1.8': [] };
    for (const v of ['1.7', '1.8']) {
      const s = makeSocket(v, first, { params: { user: nick(`rs${v.replace('.', '')}`) } });
      extra.push({ stop: () => disconnect(s) });
      s.onClose((e) => closes[v].push(e.code));
      await connect(s);
      const ch = s.channel('chatter:room:restart', {});
      await join(ch);
      assert.equal((await push(ch, 'new_msg', { body: `before ${v}` })).status, 'ok');
      sockets[v] = s;
      channels[v] = ch;
    }
    const exit = await first.stop();
    assert.equal(exit.code, 0);

    const second = await startServer({ port });
    extra.push(second);
    assert.equal(second.port, port);
    for (const v of ['1.7', '1.8']) {
      // Sent while errored: buffered until the automatic rejoin succeeds.
      const r = await withTimeout(push(channels[v], 'new_msg', { body: `after ${v}` }, 15000), 20000, `push after restart (${v})`);
      assert.equal(r.status, 'ok', `${v}: ${JSON.stringify(r)}`);
      assert.equal(channels[v].state, 'joined');
      assert.ok(closes[v].includes(1012), `${v} close codes: ${closes[v]}`);
    }
  });
});
