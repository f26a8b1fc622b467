// Checklist item 7 and the --access-token contract.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, nick } from './lib/fixture.mjs';
import { RawClient, httpExchange, upgradeHead } from './lib/raw.mjs';
import { makeSocket, connect, join, push, disconnect } from './lib/phx.mjs';

const SECRET = 'token';
const ctx = useServer({ args: ['--access-token', SECRET] });
const port = () => ctx.server.port;
const bearer = (t) => 'base64url.bearer.phx.' + Buffer.from(t).toString('base64').replace(/=+$/, '');

describe('access token', () => {
  test('item 7: bearer subprotocol is accepted and phoenix is selected', async () => {
    assert.equal(bearer(SECRET), 'base64url.bearer.phx.dG9rZW4');
    const res = await httpExchange(port(), upgradeHead(port(), '/socket/websocket?vsn=2.0.0&user=ann', {
      'Sec-WebSocket-Protocol': 'phoenix, base64url.bearer.phx.dG9rZW4',
    }));
    assert.equal(res.status, 101, res.raw);
    assert.equal(res.headers['sec-websocket-protocol'], 'phoenix');
  });

  test('item 7: the channel sees the decoded auth token', async () => {
    const c = await ctx.pool.open(ctx.server.wsUrl({ vsn: '2.0.0', user: 'ann' }), { protocols: ['phoenix', bearer(SECRET)] });
    assert.equal(c.ws.protocol, 'phoenix');
    const j = await c.join('chatter:diag:auth');
    assert.equal(j.status, 'ok');
    assert.equal(j.response.auth_token, SECRET);
    assert.equal(j.response.socket_id, 'user_socket:ann');
  });

  test('token as query parameter is accepted', async () => {
    const c = await ctx.open({ vsn: '2.0.0', user: nick(), token: SECRET });
    assert.equal((await c.heartbeat()).m.payload.status, 'ok');
  });

  test('no token at all is refused with 403', async () => {
    const res = await httpExchange(port(), upgradeHead(port(), '/socket/websocket?vsn=2.0.0&user=ann'));
    assert.equal(res.status, 403, res.raw);
  });

  test('wrong query token is refused with 403', async () => {
    const res = await httpExchange(port(), upgradeHead(port(), '/socket/websocket?vsn=2.0.0&user=ann&token=nope'));
    assert.equal(res.status, 403, res.raw);
  });

  test('wrong bearer token is refused with 403', async () => {
    const res = await httpExchange(port(), upgradeHead(port(), '/socket/websocket?vsn=2.0.0&user=ann', {
      'Sec-WebSocket-Protocol': `phoenix, ${bearer('wrong')}`,
    }));
    assert.equal(res.status, 403, res.raw);
  });

  test('phoenix subprotocol alone carries no token and is refused', async () => {
    await assert.rejects(
      RawClient.open(ctx.server.wsUrl({ vsn: '2.0.0', user: 'ann' }), { protocols: ['phoenix'] }),
      (e) => e.status === 403,
    );
  });

  test('phoenix.js 1.8 authToken option connects and joins', async () => {
    const s = makeSocket('1.8', ctx.server, { params: { user: nick('auth') }, authToken: SECRET });
    ctx.onCleanup(() => disconnect(s));
    await connect(s);
    const ch = s.channel('chatter:diag:auth18', {});
    const resp = await join(ch);
    assert.equal(resp.auth_token, SECRET);
    const r = await push(ch, 'echo', { a: 1 });
    assert.deepEqual(r, { status: 'ok', response: { a: 1 } });
  });

  test('phoenix.js 1.7 passes the token as a connect param', async () => {
    const s = makeSocket('1.7', ctx.server, { params: { user: nick('auth'), token: SECRET } });
    ctx.onCleanup(() => disconnect(s));
    await connect(s);
    const ch = s.channel('chatter:room:auth17', {});
    const resp = await join(ch);
    assert.ok(Array.isArray(resp.messages));
  });
});
