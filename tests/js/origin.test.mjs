// Checklist item 5, the --allowed-origins forms, and the Host check against DNS rebinding.
// Every request goes to 127.0.0.1; the Host and Origin headers say which name or address the
// client believes it reached (a LAN address, the machine's name), as a browser's would.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hostname, networkInterfaces } from 'node:os';
import { startServer } from './lib/server.mjs';
import { httpExchange, requestHead, upgradeHead } from './lib/raw.mjs';

const servers = {};
before(async () => {
  servers.def = await startServer();
  servers.star = await startServer({ args: ['--allowed-origins', '*'] });
  servers.list = await startServer({
    args: ['--allowed-origins', 'http://good.example:8080,//other.example,*.wild.example'],
  });
  servers.pub = await startServer({ args: ['--public-host', 'chat.example'] });
});
after(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
});

const at = (s, text) => (typeof text === 'function' ? text(s) : text);

async function status(server, origin, host) {
  const extra = {};
  if (origin !== undefined) extra.Origin = origin;
  if (host !== undefined) extra.Host = host;
  const res = await httpExchange(server.port, upgradeHead(server.port, '/socket/websocket?vsn=2.0.0&user=ann', extra));
  return res;
}

// `origin` and `host` may be functions of the server (for its port).
function check(name, origin, expected, host) {
  test(`${name}: Origin ${typeof origin === 'function' ? origin({ port: 'PORT' }) : origin ?? '(none)'}` +
       `${host ? `, Host ${typeof host === 'function' ? host({ port: 'PORT' }) : host}` : ''} → ${expected}`, async () => {
    const s = servers[name];
    const res = await status(s, at(s, origin), at(s, host));
    assert.equal(res.status, expected, res.raw);
  });
}

const self = (name) => (s) => `http://${name}:${s.port}`;
const hostAt = (name) => (s) => `${name}:${s.port}`;

describe('default: the Origin is where the request went, the Host one of the server\'s names', () => {
  check('def', 'https://evil.example', 403);
  check('def', undefined, 101);
  check('def', self('127.0.0.1'), 101);
  check('def', self('localhost'), 101, hostAt('localhost'));
  check('def', 'http://127.0.0.1', 403); // port 80 is another origin
  check('def', 'http://127.0.0.1:9999', 403); // a page of another server on this machine
  check('def', (s) => `https://127.0.0.1:${s.port}`, 403); // another scheme
  check('def', 'http://localhost', 403);
  check('def', 'null', 403);
  // DNS rebinding: the page's origin is its own, but its name is not the server's.
  check('def', self('evil.example'), 403, hostAt('evil.example'));
  check('def', undefined, 403, hostAt('evil.example'));
  check('def', self('chat.example'), 403, hostAt('chat.example'));
  check('def', 'http://127.0.0.1', 403, (s) => `chat.example:${s.port}`);
  // The machine's own names and every address of its interfaces (what the monitor lists).
  const machine = hostname();
  check('def', self(machine), 101, hostAt(machine));
  check('def', self(`${machine}.local`), 101, hostAt(`${machine}.local`));
  for (const entries of Object.values(networkInterfaces())) {
    for (const e of entries ?? []) {
      if (e.internal || (e.family === 'IPv6' && e.scopeid)) continue;
      const literal = e.family === 'IPv6' ? `[${e.address}]` : e.address;
      check('def', self(literal), 101, hostAt(literal));
    }
  }
});

describe('--public-host names a DNS name that reaches the server', () => {
  check('pub', self('chat.example'), 101, hostAt('chat.example'));
  check('pub', self('chat.example'), 403, hostAt('evil.example'));
  check('pub', self('127.0.0.1'), 101);
});

describe('long-poll and the page obey the Host check too', () => {
  test('a rebinding page\'s same-origin long-poll GET (no Origin) gets status 403', async () => {
    const s = servers.def;
    const res = await httpExchange(s.port, requestHead('GET', '/socket/longpoll?vsn=2.0.0&user=ann',
      { Host: `evil.example:${s.port}` }));
    assert.equal(res.status, 200, res.raw);
    assert.equal(JSON.parse(res.body).status, 403, res.raw);
  });
  test('the browser client page is refused under a foreign name, and says what to do', async () => {
    const s = servers.def;
    const res = await httpExchange(s.port, requestHead('GET', '/', { Host: `evil.example:${s.port}` }));
    assert.equal(res.status, 403, res.raw);
    assert.match(res.body, /--public-host evil\.example/);
    const ok = await httpExchange(s.port, requestHead('GET', '/', { Host: `127.0.0.1:${s.port}` }));
    assert.equal(ok.status, 200);
  });
});

describe('--allowed-origins *', () => {
  check('star', 'https://evil.example', 101);
  check('star', undefined, 101);
  check('star', self('evil.example'), 101, hostAt('evil.example'));
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
  check('list', 'http://good.example:8080', 403, hostAt('evil.example'));
});
