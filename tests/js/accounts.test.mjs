// Accounts and identity (docs/identity.md): nobody can speak as somebody else.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { useServer } from './lib/fixture.mjs';
import { startServer } from './lib/server.mjs';
import { makeSocket, connect, join, disconnect, withTimeout } from './lib/phx.mjs';
import { api, register, login, guest, openFrom, connectStatus } from './lib/accounts.mjs';
import { lpRequest, LpSession } from './lib/longpoll.mjs';

// Argon2id at libsodium's minimum cost: the tests hash many passwords (see README).
const FAST = ['--password-cost', 'minimum'];
const ctx = useServer({ args: FAST });
const PASSWORD = 'correct horse battery';

let counter = 0;
// Distinct plain-Latin nicknames (no digits-only look-alike clashes between tests).
const fresh = (prefix) => `${prefix}${String.fromCharCode(97 + (counter++ % 26))}${counter}`;

async function registered(server, user, password = PASSWORD) {
  const r = await register(server, user, password);
  assert.equal(r.status, 201, r.body);
  return r.json.token;
}

// An official phoenix.js socket; `opts` are its options (authToken, params).
function phoenix(server, opts) {
  const s = makeSocket('1.8', server, opts);
  ctx.onCleanup(() => disconnect(s));
  return s;
}

// Connects an official client and joins a room; resolves with its presence meta as others see it.
async function metaOf(server, opts, user) {
  const s = phoenix(server, opts);
  await connect(s);
  const ch = s.channel('chatter:room:identity', {});
  const state = new Promise((res) => ch.on('presence_state', res));
  await join(ch);
  const presences = await withTimeout(state, 5000, 'presence_state');
  disconnect(s);
  return presences[user]?.metas?.[0];
}

describe('registration and login', () => {
  test('register, log in (any case), who-am-I, and connect with authToken or the session param', async () => {
    const server = ctx.server;
    const user = fresh('reg');
    const r = await register(server, user, PASSWORD);
    assert.equal(r.status, 201);
    assert.deepEqual(Object.keys(r.json).sort(), ['personal_topic', 'role', 'token', 'user']);
    assert.equal(r.json.personal_topic, `chatter:user:${user.toLowerCase()}`);
    assert.equal(r.json.user, user);
    assert.equal(r.json.role, 'member');
    assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(r.headers['content-type'], /application\/json/);
    assert.equal(r.headers['access-control-allow-origin'], undefined);

    const again = await register(server, user.toUpperCase(), PASSWORD);
    assert.equal(again.status, 409);
    assert.equal(typeof again.json.error, 'string');

    const l = await login(server, user.toUpperCase(), PASSWORD);
    assert.equal(l.status, 200, l.body);
    assert.equal(l.json.user, user);
    assert.notEqual(l.json.token, r.json.token);
    assert.equal((await login(server, user, 'wrong password')).status, 401);
    assert.equal((await login(server, fresh('nobody'), PASSWORD)).status, 401);

    const me = await api(server, 'GET', '/api/sessions', { token: l.json.token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.json, { user, role: 'member', kind: 'account', personal_topic: `chatter:user:${user.toLowerCase()}` });
    assert.equal((await api(server, 'GET', '/api/sessions', { token: 'x'.repeat(43) })).status, 401);

    // The nickname comes from the session, whatever the params say (or do not say).
    const meta = await metaOf(server, { authToken: l.json.token, params: {} }, user);
    assert.equal(meta?.role, 'member');
    const meta2 = await metaOf(server, { params: { session: r.json.token, user } }, user);
    assert.equal(meta2?.role, 'member');
  });

  test('bad requests: not a JSON object 400, body over 4 KiB 413, another origin 403, short password 400', async () => {
    const server = ctx.server;
    assert.equal((await api(server, 'POST', '/api/accounts', { body: '[1,2]' })).status, 400);
    assert.equal((await api(server, 'POST', '/api/accounts', { body: 'not json' })).status, 400);
    assert.equal((await api(server, 'POST', '/api/guests', { body: { user: 'x'.repeat(5000) } })).status, 413);
    const foreign = await api(server, 'POST', '/api/guests', {
      body: { user: fresh('csrf') }, headers: { Origin: 'http://evil.example' },
    });
    assert.equal(foreign.status, 403);
    const same = await api(server, 'POST', '/api/guests', {
      body: { user: fresh('page') }, headers: { Origin: server.httpBase },
    });
    assert.equal(same.status, 201);
    assert.equal((await register(server, fresh('short'), 'short')).status, 400);
  });
});

describe('nobody speaks as a registered nickname', () => {
  test('without a token, with another account\'s token, with a revoked token: refused', async () => {
    const server = ctx.server;
    const owner = fresh('own');
    const other = fresh('oth');
    const ownerToken = await registered(server, owner);
    const otherToken = await registered(server, other);

    assert.equal(await connectStatus(server, { user: owner }), 403);
    assert.equal(await connectStatus(server, { user: owner, session: otherToken }), 403);
    const viaAuthToken = phoenix(server, { authToken: otherToken, params: { user: owner } });
    await assert.rejects(connect(viaAuthToken, 3000));
    disconnect(viaAuthToken);
    assert.equal(await connectStatus(server, { user: owner, session: ownerToken }), 101);

    const out = await api(server, 'DELETE', '/api/sessions', { token: ownerToken });
    assert.equal(out.status, 200);
    assert.deepEqual(out.json, {});
    assert.equal(await connectStatus(server, { session: ownerToken }), 403);
    assert.equal(await connectStatus(server, { user: owner, session: ownerToken }), 403);
    assert.equal((await api(server, 'DELETE', '/api/sessions', { token: ownerToken })).status, 401);
  });

  const lookAlikes = [
    // [what is asked for, why it is the registered name]
    ['ѕystem', 'Cyrillic ѕ: mixed scripts, and the reserved name'],
    ['ａlice', 'fullwidth: NFKC makes it alice'],
    ['aIice', 'capital I shaped like l'],
    ['ALICE', 'case'],
  ];
  for (const [nickname, why] of lookAlikes) {
    test(`look-alike ${nickname} of a registered nickname is refused (${why})`, async () => {
      const server = ctx.server;
      const alice = await register(server, 'alice', PASSWORD);
      assert.ok([201, 409].includes(alice.status), alice.body);
      assert.equal(await connectStatus(server, { user: nickname }), 403);
      const g = await guest(server, nickname);
      assert.ok([400, 409].includes(g.status), `guest ${nickname}: ${g.status} ${g.body}`);
      const r = await register(server, nickname, PASSWORD);
      assert.ok([400, 409].includes(r.status), `register ${nickname}: ${r.status} ${r.body}`);
    });
  }

  test('a revoked session\'s open sockets are closed', async () => {
    const server = ctx.server;
    const user = fresh('rev');
    const token = await registered(server, user);
    const c = await openFrom(server, { session: token });
    await c.joinOk('chatter:room:revoke');
    assert.equal((await api(server, 'DELETE', '/api/sessions', { token })).status, 200);
    const closed = await withTimeout(c.closed, 5000, 'socket close after sign-out');
    assert.equal(closed.code, 1008);
  });
});

describe('long-poll carries identity too', () => {
  test('X-Phoenix-AuthToken is the session; a registered nickname without it is refused', async () => {
    const server = ctx.server;
    const user = fresh('lpacc');
    const token = await registered(server, user);
    const bare = await lpRequest(server, 'GET', { vsn: '2.0.0', user });
    assert.equal(bare.json.status, 403);
    const s = new LpSession(server, { vsn: '2.0.0' }, { headers: { 'X-Phoenix-AuthToken': token } });
    await s.open();
    const jr = await s.joinOk('chatter:room:lpident');
    const state = await s.next({ event: 'presence_state' });
    assert.equal(state.payload[user]?.metas?.[0]?.role, 'member');
    assert.ok(jr);
    await lpRequest(server, 'DELETE', [['vsn', '2.0.0'], ['token', s.token]]);
  });

  test('a bare long-poll guest holds its nickname until its session ends, then it is free', async () => {
    const server = ctx.server;
    const user = fresh('lpbare');
    const s = new LpSession(server, { vsn: '2.0.0', user });
    await s.open();
    assert.equal(await connectStatus(server, { user }, { from: '127.0.0.2' }), 403);
    await lpRequest(server, 'DELETE', [['vsn', '2.0.0'], ['token', s.token]]);
    let status = 0;
    for (let i = 0; i < 50 && status !== 101; i++) {
      status = await connectStatus(server, { user }, { from: '127.0.0.2' });
      if (status !== 101) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 101);
  });
});

describe('guests', () => {
  test('two bare guests from different addresses cannot hold one nickname; one address shares it', async () => {
    const server = ctx.server;
    const user = fresh('bare');
    const first = await openFrom(server, { user }, { from: '127.0.0.1' });
    const tab = await openFrom(server, { user }, { from: '127.0.0.1' });
    assert.equal(await connectStatus(server, { user }, { from: '127.0.0.2' }), 403);
    assert.equal(await connectStatus(server, { user: user.toUpperCase() }, { from: '127.0.0.2' }), 403);
    assert.equal((await guest(server, user, { from: '127.0.0.2' })).status, 409);
    assert.equal((await register(server, user, PASSWORD, { from: '127.0.0.2' })).status, 409);
    first.close();
    await first.closed;
    assert.equal(await connectStatus(server, { user }, { from: '127.0.0.2' }), 403, 'the second tab still holds it');
    tab.close();
    await tab.closed;
    // Counted out on close: the other address may have it now.
    let status = 0;
    for (let i = 0; i < 50 && status !== 101; i++) {
      status = await connectStatus(server, { user }, { from: '127.0.0.2' });
      if (status !== 101) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 101);
  });

  test('a guest session holds its nickname after its socket closes; its token lets it back in', async () => {
    const server = ctx.server;
    const user = fresh('gst');
    const g = await guest(server, user);
    assert.equal(g.status, 201);
    assert.equal(g.json.role, 'guest');
    const meta = await metaOf(server, { authToken: g.json.token, params: { user } }, user);
    assert.equal(meta?.role, 'guest');
    // Closed now; the hold (10 minutes by default) keeps it.
    assert.equal(await connectStatus(server, { user }), 403);
    assert.equal(await connectStatus(server, { user }, { from: '127.0.0.2' }), 403);
    assert.equal((await guest(server, user, { from: '127.0.0.2' })).status, 409);
    assert.equal((await register(server, user, PASSWORD)).status, 409);
    assert.equal(await connectStatus(server, { session: g.json.token }), 101);
    const me = await api(server, 'GET', '/api/sessions', { token: g.json.token });
    assert.deepEqual(me.json, { user, role: 'guest', kind: 'guest' });
  });

  test('with --guest-hold-minutes 0 the nickname is free once the last socket closes', async () => {
    const server = await startServer({ args: [...FAST, '--guest-hold-minutes', '0'] });
    try {
      const user = fresh('brief');
      const g = await guest(server, user);
      const c = await openFrom(server, { session: g.json.token });
      assert.equal(await connectStatus(server, { user }, { from: '127.0.0.2' }), 403);
      c.close();
      await c.closed;
      let status = 0;
      for (let i = 0; i < 50 && status !== 101; i++) {
        status = await connectStatus(server, { user }, { from: '127.0.0.2' });
        if (status !== 101) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(status, 101);
    } finally {
      await server.stop();
    }
  });
});

describe('brute force', () => {
  test('failed logins are throttled per address: 429 with Retry-After, each failure logged and audited', async () => {
    const server = ctx.server;
    const user = fresh('thr');
    await registered(server, user);
    const mark = server.logMark();
    const from = '127.0.0.3';
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(server, user, `wrong ${i} password`, { from })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const throttled = await login(server, user, PASSWORD, { from });
    assert.equal(throttled.status, 429, 'even the right password waits');
    assert.ok(Number(throttled.headers['retry-after']) >= 1, `Retry-After: ${throttled.headers['retry-after']}`);
    assert.equal(typeof throttled.json.error, 'string');
    assert.equal((server.logSince(mark).match(/failed login for/g) ?? []).length, 5);
    // Another address still gets in (its own budget; the account's is 10).
    assert.equal((await login(server, user, PASSWORD, { from: '127.0.0.4' })).status, 200);
  });
});

describe('password change', () => {
  test('revokes every other session and closes its sockets; the changing session stays', async () => {
    const server = ctx.server;
    const user = fresh('pwd');
    const from = '127.0.0.5'; // its own failure budget
    const first = await registered(server, user);
    const second = (await login(server, user, PASSWORD, { from })).json.token;
    const c = await openFrom(server, { session: second });
    await c.joinOk('chatter:room:pwd');
    const keep = await openFrom(server, { session: first });

    const wrong = await api(server, 'POST', '/api/accounts/password', {
      token: first, body: { old_password: 'not it at all', new_password: 'a new password' }, from,
    });
    assert.equal(wrong.status, 401);
    const ok = await api(server, 'POST', '/api/accounts/password', {
      token: first, body: { old_password: PASSWORD, new_password: 'a new password' }, from,
    });
    assert.equal(ok.status, 200, ok.body);
    const closed = await withTimeout(c.closed, 5000, 'other session socket close');
    assert.equal(closed.code, 1008);
    assert.equal(keep.closeInfo, null, 'the changing session keeps its socket');
    assert.equal(await connectStatus(server, { session: second }), 403);
    assert.equal((await api(server, 'GET', '/api/sessions', { token: first })).status, 200);
    assert.equal((await login(server, user, PASSWORD, { from })).status, 401);
    assert.equal((await login(server, user, 'a new password', { from })).status, 200);
    keep.close();
  });
});

describe('what the database holds', () => {
  test('no password and no token in clear (main file and WAL)', async () => {
    const server = ctx.server;
    const user = fresh('vault');
    const secret = 'unmistakable-secret-passphrase';
    const from = '127.0.0.6';
    const r = await register(server, user, secret, { from });
    const l = await login(server, user, secret, { from });
    await login(server, user, 'not the passphrase', { from });
    const out = await api(server, 'DELETE', '/api/sessions', { token: l.json.token, from });
    assert.equal(out.status, 200);
    // A store-thread job behind the audit writes: when it is answered, they are written.
    const g = await guest(server, fresh('vg'), { from });
    const files = ['chatter.db', 'chatter.db-wal']
      .map((f) => joinPath(server.dataDir, f))
      .filter((f) => existsSync(f));
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    assert.ok(bytes.includes(Buffer.from('$argon2id$')), 'the search sees the stored rows');
    assert.ok(bytes.includes(Buffer.from(user)), 'the search sees the stored rows');
    // The audit log holds what happened (docs/identity.md).
    for (const action of ['register', 'login_failed', 'logout'])
      assert.ok(bytes.includes(Buffer.from(action)), `no ${action} in the audit log`);
    for (const clear of [secret, r.json.token, l.json.token, g.json.token])
      assert.equal(bytes.includes(Buffer.from(clear)), false, `${clear.slice(0, 8)}… is in the database`);
  });
});

describe('configuration', () => {
  const servers = [];
  after(async () => { for (const s of servers) await s.stop(); });

  test('a session survives a server restart', async () => {
    const dataDir = mkdtempSync(joinPath(tmpdir(), 'chatter-accounts-'));
    try {
      let server = await startServer({ args: FAST, dataDir });
      const user = fresh('keep');
      const token = await registered(server, user);
      await server.stop();
      server = await startServer({ args: FAST, dataDir });
      servers.push(server);
      const me = await api(server, 'GET', '/api/sessions', { token });
      assert.equal(me.status, 200);
      assert.equal(me.json.user, user);
      assert.equal(await connectStatus(server, { session: token }), 101);
      assert.equal(await connectStatus(server, { user }), 403);
      await server.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('--registration closed: 403', async () => {
    const server = await startServer({ args: [...FAST, '--registration', 'closed'] });
    servers.push(server);
    const r = await register(server, fresh('closed'), PASSWORD);
    assert.equal(r.status, 403);
    assert.equal(r.json.error, 'registration closed');
    assert.equal((await guest(server, fresh('cg'))).status, 201);
  });

  test('--accounts required: no guests of either kind; accounts connect', async () => {
    const server = await startServer({ args: [...FAST, '--accounts', 'required'] });
    servers.push(server);
    assert.equal(await connectStatus(server, { user: fresh('anon') }), 403);
    assert.equal((await guest(server, fresh('nog'))).status, 403);
    const user = fresh('member');
    const token = await registered(server, user);
    assert.equal(await connectStatus(server, { session: token }), 101);
  });

  test('--access-token: the access_token param, with a session as authToken', async () => {
    const server = await startServer({ args: [...FAST, '--access-token', 'lan-secret'] });
    servers.push(server);
    const user = fresh('acc');
    const token = await registered(server, user);
    assert.equal(await connectStatus(server, { user: fresh('x') }), 403);
    assert.equal(await connectStatus(server, { user: fresh('x'), access_token: 'lan-secret' }), 101);
    assert.equal(await connectStatus(server, { user: fresh('x'), token: 'lan-secret' }), 101, 'deprecated `token`');
    const s = phoenix(server, { authToken: token, params: { access_token: 'lan-secret' } });
    await connect(s);
    disconnect(s);
    assert.equal(await connectStatus(server, { session: token }), 403, 'no access token');
  });
});
