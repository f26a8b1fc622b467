// Checklist item 36: shutdown drains every WebSocket with 1012.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { RawClient } from './lib/raw.mjs';
import { nick } from './lib/fixture.mjs';

const cleanup = [];
after(async () => { for (const fn of cleanup) await fn(); });

test('SIGTERM closes every socket with 1012, then the process exits 0', async () => {
  const server = await startServer();
  cleanup.push(() => server.stop({ signal: 'SIGKILL' }));
  const clients = [];
  for (let i = 0; i < 5; i++) {
    const c = await RawClient.open(server.wsUrl({ vsn: '2.0.0', user: nick('drain') }));
    cleanup.push(() => c.terminate());
    clients.push(c);
  }
  await clients[0].joinOk('chatter:room:drain');
  await clients[1].joinOk('chatter:diag:drain');
  const v1 = await RawClient.open(server.wsUrl({ user: nick('drainv1') }));
  cleanup.push(() => v1.terminate());
  clients.push(v1);

  server.proc.kill('SIGTERM');
  const codes = await Promise.all(clients.map((c) => c.expectClose({ timeout: 10000 }).then((i) => i.code)));
  assert.deepEqual(codes, clients.map(() => 1012));
  const exit = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('timeout'), 10000))]);
  assert.deepEqual(exit, { code: 0, signal: null });
});
