// Checklist item 5 and the --allowed-origins forms.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { httpExchange, upgradeHead } from './lib/raw.mjs';

const servers = {};
before(async () => {
  servers.def = await startServer();
  servers.star = await startServer({ args: ['--allowed-origins', '*'] });
  servers.list = await startServer({
    args: ['--allowed-origins', 'http://good.example:8080,//other.example,*.wild.example'],
  });
});
after(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
});

async function status(server, origin, host) {
  const extra = {};
  if (origin !== undefined) extra.Origin = origin;
  if (host !== undefined) extra.Host = host;
  const res = await httpExchange(server.port, upgradeHead(server.port, '/socket/websocket?vsn=2.0.0&user=ann', extra));
  return res;
}

function check(name, origin, expected, host) {
  test(`${name}: Origin ${origin ?? '(none)'} → ${expected}`, async () => {
    const s = servers[name];
    const res = await status(s, origin, typeof host === 'function' ? host(s) : host);
    assert.equal(res.status, expected, res.raw);
  });
}

describe('default origin check (same host as Host header)', () => {
  check('def', 'https://evil.example', 403);
  check('def', undefined, 101);
  check('def', 'http://127.0.0.1', 101);
  check('def', 'https://127.0.0.1:9', 101);
  check('def', 'http://localhost', 403);
  check('def', 'null', 403);
  check('def', 'http://chat.example:5000', 101, (s) => `chat.example:${s.port}`);
  check('def', 'http://127.0.0.1', 403, (s) => `chat.example:${s.port}`);
});

describe('--allowed-origins *', () => {
  check('star', 'https://evil.example', 101);
  check('star', undefined, 101);
});

describe('--allowed-origins list', () => {
  check('list', 'http://good.example:8080', 101);
  check('list', 'http://good.example:9090', 403);
  check('list', 'https://good.example:8080', 403);
  check('list', 'http://good.example', 403);
  check('list', 'https://other.example', 101);
  check('list', 'http://other.example:1234', 101);
  check('list', 'https://wild.example', 101);
  check('list', 'https://a.b.wild.example', 101);
  check('list', 'https://notwild.example', 403);
  check('list', 'https://wild.example.evil', 403);
  check('list', 'https://evil.example', 403);
  check('list', undefined, 101);
});
