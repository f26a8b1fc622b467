// Checklist item 38 and the configurable limits.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { RawClient, encodeBinaryPush, ClientPool } from './lib/raw.mjs';
import { nick } from './lib/fixture.mjs';

const servers = {};
const pool = new ClientPool();
before(async () => {
  servers.small = await startServer({ args: ['--max-frame-bytes', '4096', '--max-channels', '3'] });
  servers.def = await startServer();
});
after(async () => {
  pool.closeAll();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
});

const open = (s) => pool.open(s.wsUrl({ vsn: '2.0.0', user: nick('lim') }));

// A valid echo frame padded to exactly `size` bytes.
function paddedEcho(jr, T, size) {
  const base = JSON.stringify([jr, 'big', T, 'echo', { pad: '' }]);
  const pad = size - Buffer.byteLength(base);
  return JSON.stringify([jr, 'big', T, 'echo', { pad: 'p'.repeat(pad) }]);
}

describe('frame size limit (item 38)', () => {
  test('a text frame at the limit is processed', async () => {
    const c = await open(servers.small);
    const T = 'chatter:diag:size';
    const jr = await c.joinOk(T);
    const text = paddedEcho(jr, T, 4096);
    assert.equal(Buffer.byteLength(text), 4096);
    c.sendText(text);
    const f = await c.next({ ref: 'big' });
    assert.equal(f.m.payload.status, 'ok');
  });

  test('a text frame one byte over the limit closes with 1009', async () => {
    const c = await open(servers.small);
    const T = 'chatter:diag:size';
    const jr = await c.joinOk(T);
    c.sendText(paddedEcho(jr, T, 4097));
    const { code } = await c.expectClose();
    assert.equal(code, 1009);
    assert.ok(!c.all.some((f) => f.m?.ref === 'big'));
  });

  test('a binary frame over the limit closes with 1009', async () => {
    const c = await open(servers.small);
    const T = 'chatter:diag:size';
    const jr = await c.joinOk(T);
    c.sendBinary(encodeBinaryPush({ joinRef: jr, ref: 'b', topic: T, event: 'echo', payload: Buffer.alloc(5000, 7) }));
    const { code } = await c.expectClose();
    assert.equal(code, 1009);
  });

  test('a fragmented message over the limit closes with 1009', async () => {
    const c = await open(servers.small);
    const chunk = 'x'.repeat(1500);
    c.ws.send(chunk, { fin: false });
    c.ws.send(chunk, { fin: false });
    c.ws.send(chunk, { fin: true });
    const { code } = await c.expectClose();
    assert.equal(code, 1009);
  });

  test('default limit: ~1 MB frame is fine, just over 1 MiB closes with 1009', async () => {
    const c = await open(servers.def);
    const T = 'chatter:diag:defsize';
    const jr = await c.joinOk(T);
    c.sendText(paddedEcho(jr, T, 1000000));
    const f = await c.next({ ref: 'big' }, { timeout: 15000 });
    assert.equal(f.m.payload.status, 'ok');
    c.sendText(paddedEcho(jr, T, 1048577));
    const { code } = await c.expectClose({ timeout: 15000 });
    assert.equal(code, 1009);
  });

  test('the server stays usable after oversize frames', async () => {
    const c = await open(servers.small);
    assert.equal((await c.heartbeat()).m.payload.status, 'ok');
  });
});

describe('--max-channels', () => {
  test('the join past the configured maximum is refused', async () => {
    const c = await open(servers.small);
    for (let i = 0; i < 3; i++) await c.joinOk(`chatter:diag:mc${i}`);
    const j = await c.join('chatter:diag:mc3');
    assert.deepEqual(j.frame.json, [j.jr, j.jr, 'chatter:diag:mc3', 'phx_reply',
      { status: 'error', response: { reason: 'too many channels joined' } }]);
    // A duplicate join replaces a channel rather than adding one.
    const dup = await c.join('chatter:diag:mc0');
    assert.equal(dup.status, 'ok');
  });
});
