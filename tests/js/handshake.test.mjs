// Checklist items 1, 2, 3, 6, 8 and HTTP-level handshake rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, nick } from './lib/fixture.mjs';
import { RawClient, httpExchange, upgradeHead, requestHead } from './lib/raw.mjs';

const ctx = useServer();
const port = () => ctx.server.port;

async function upgradeStatus(path, extra) {
  const res = await httpExchange(port(), upgradeHead(port(), path, extra));
  return res;
}

describe('websocket upgrade', () => {
  test('item 1: accepted connect answers 101 with the RFC 6455 accept key', async () => {
    const res = await upgradeStatus('/socket/websocket?vsn=2.0.0&user=ann');
    assert.equal(res.status, 101, res.raw);
    assert.equal(res.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.match(res.headers.upgrade ?? '', /websocket/i);
    // Without an offered subprotocol, none may be selected.
    assert.equal(res.headers['sec-websocket-protocol'], undefined);
  });

  test('item 1: a ws client can open and use the socket', async () => {
    const c = await ctx.open({ vsn: '2.0.0', user: nick() });
    const r = await c.heartbeat();
    assert.equal(r.m.payload.status, 'ok');
  });

  test('item 2: connect refused (missing user) is HTTP 403 before any upgrade', async () => {
    const res = await upgradeStatus('/socket/websocket?vsn=2.0.0');
    assert.equal(res.status, 403, res.raw);
    assert.equal(res.headers['sec-websocket-accept'], undefined);
  });

  for (const bad of ['', 'has space', 'a'.repeat(33), 'bad!', 'semi;colon', 'x%00y', 'a%2Fb']) {
    test(`item 2: invalid nickname ${JSON.stringify(bad)} is refused with 403`, async () => {
      const res = await upgradeStatus(`/socket/websocket?vsn=2.0.0&user=${bad.replace(/ /g, '%20')}`);
      assert.equal(res.status, 403, res.raw);
    });
  }

  test('item 2: refusal seen by a ws client as an unexpected 403', async () => {
    await assert.rejects(RawClient.open(ctx.server.wsUrl({ vsn: '2.0.0' })), (e) => e.status === 403);
  });

  for (const ok of ['a', 'A.b-c_9', 'x'.repeat(32)]) {
    test(`item 1: nickname ${JSON.stringify(ok)} is accepted`, async () => {
      const res = await upgradeStatus(`/socket/websocket?vsn=2.0.0&user=${ok}`);
      assert.equal(res.status, 101, res.raw);
    });
  }

  for (const vsn of ['3.0.0', 'abc', '123.1.1', '']) {
    test(`item 3: vsn=${JSON.stringify(vsn)} is refused with 403`, async () => {
      const res = await upgradeStatus(`/socket/websocket?vsn=${vsn}&user=ann`);
      assert.equal(res.status, 403, res.raw);
    });
  }

  test('item 6: POST on the websocket path is 400', async () => {
    const head = requestHead('POST', '/socket/websocket?vsn=2.0.0&user=ann', {
      Host: `127.0.0.1:${port()}`, 'Content-Length': '0', Connection: 'close',
    });
    const res = await httpExchange(port(), head);
    assert.equal(res.status, 400, res.raw);
  });

  test('item 6: POST carrying upgrade headers is still 400', async () => {
    const head = upgradeHead(port(), '/socket/websocket?vsn=2.0.0&user=ann').replace(/^GET/, 'POST');
    const res = await httpExchange(port(), head);
    assert.equal(res.status, 400, res.raw);
  });

  test('item 6: PUT on the websocket path is 400', async () => {
    const head = requestHead('PUT', '/socket/websocket?vsn=2.0.0&user=ann', {
      Host: `127.0.0.1:${port()}`, 'Content-Length': '0', Connection: 'close',
    });
    const res = await httpExchange(port(), head);
    assert.equal(res.status, 400, res.raw);
  });

  test('plain GET without Upgrade is 400', async () => {
    const head = requestHead('GET', '/socket/websocket?vsn=2.0.0&user=ann', {
      Host: `127.0.0.1:${port()}`, Connection: 'close',
    });
    const res = await httpExchange(port(), head);
    assert.equal(res.status, 400, res.raw);
  });

  test('upgrade without Sec-WebSocket-Key is rejected with 400', async () => {
    const res = await upgradeStatus('/socket/websocket?vsn=2.0.0&user=ann', { 'Sec-WebSocket-Key': undefined });
    assert.equal(res.status, 400, res.raw);
  });

  test('upgrade with Sec-WebSocket-Version 8 is rejected (400, or 426 per RFC 6455)', async () => {
    const res = await upgradeStatus('/socket/websocket?vsn=2.0.0&user=ann', { 'Sec-WebSocket-Version': '8' });
    assert.ok(res.status === 400 || res.status === 426, res.raw);
  });

  test('an unknown path is a 4xx, never an upgrade', async () => {
    const res = await upgradeStatus('/nope/websocket?vsn=2.0.0&user=ann');
    assert.ok(res.status >= 400 && res.status < 500, res.raw);
  });

  test('offering the phoenix subprotocol selects it in the 101', async () => {
    const res = await upgradeStatus('/socket/websocket?vsn=2.0.0&user=ann', { 'Sec-WebSocket-Protocol': 'phoenix' });
    assert.equal(res.status, 101, res.raw);
    assert.equal(res.headers['sec-websocket-protocol'], 'phoenix');
  });

  test('a ws client offering phoenix negotiates it', async () => {
    const c = await ctx.pool.open(ctx.server.wsUrl({ vsn: '2.0.0', user: nick() }), { protocols: ['phoenix'] });
    assert.equal(c.ws.protocol, 'phoenix');
  });
});

describe('connect params (item 8)', () => {
  const expected = { vsn: '2.0.0', user: 'ann', meta: { id: '5' }, ids: { 0: 'a' } };

  async function diagParams(query) {
    const c = await ctx.pool.open(`${ctx.server.wsBase}/socket/websocket?${query}`);
    const j = await c.join('chatter:diag:params');
    assert.equal(j.status, 'ok', JSON.stringify(j.frame.m));
    c.close();
    return j.response;
  }

  test('nested bracket keys parse into maps; the empty segment is ignored', async () => {
    const resp = await diagParams('&vsn=2.0.0&user=ann&meta[id]=5&ids[0]=a');
    assert.deepEqual(resp.params, expected);
    assert.equal(resp.socket_id, 'user_socket:ann');
    assert.equal(resp.auth_token, null);
  });

  test('percent-encoded brackets (as phoenix.js sends them) parse the same way', async () => {
    const resp = await diagParams('user=ann&meta%5Bid%5D=5&ids%5B0%5D=a&vsn=2.0.0');
    assert.deepEqual(resp.params, expected);
  });

  test('values are percent-decoded and the last duplicate key wins', async () => {
    const resp = await diagParams('vsn=2.0.0&user=bob&note=a%20b%26c%3D&note=d%C3%A9j%C3%A0&user=ann');
    assert.equal(resp.params.user, 'ann');
    assert.equal(resp.params.note, 'déjà');
    assert.equal(resp.socket_id, 'user_socket:ann');
  });

  test('optional client param is passed through', async () => {
    const resp = await diagParams('vsn=2.0.0&user=ann&client=web');
    assert.equal(resp.params.client, 'web');
  });
});
