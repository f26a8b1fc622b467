// Administration over the wire (docs/identity.md): chatter:admin (kick, ban, unban, system)
// for an admin account made with `chatter-server account add --admin`, stored bans that
// outlive a restart, and the audit log as `chatter-server audit` prints it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { startServer, SERVER_BIN } from './lib/server.mjs';
import { register, login, openFrom, connectStatus } from './lib/accounts.mjs';

const FAST = ['--password-cost', 'minimum'];
const ADMIN = 'root';
const ADMIN_PASSWORD = 'correct horse battery';

// `chatter-server <args> --data-dir dir`, the password (if any) as the first line of stdin.
function cli(dataDir, args, input = '') {
  const r = spawnSync(SERVER_BIN, [...args, '--data-dir', dataDir], { input, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('chatter:admin', () => {
  let dataDir;
  let server;
  const sockets = [];

  // A raw client on `query`, closed after the file.
  async function open(query) {
    const c = await openFrom(server, query);
    sockets.push(c);
    return c;
  }
  async function adminSocket() {
    const l = await login(server, ADMIN, ADMIN_PASSWORD);
    assert.equal(l.status, 200, l.body);
    assert.equal(l.json.role, 'admin');
    const c = await open({ session: l.json.token });
    const jr = await c.joinOk('chatter:admin');
    return { c, call: (event, payload) => c.call(jr, 'chatter:admin', event, payload) };
  }
  const replyOf = (frame) => frame.m.payload;

  before(async () => {
    dataDir = mkdtempSync(joinPath(tmpdir(), 'chatter-admin-'));
    const added = cli(dataDir, ['account', 'add', ADMIN, '--admin'], `${ADMIN_PASSWORD}\n`);
    assert.equal(added.status, 0, added.stderr);
    server = await startServer({ args: FAST, dataDir });
  });
  after(async () => {
    for (const c of sockets) c.close();
    if (server) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('only admin sockets join; a member or a guest is refused forbidden', async () => {
    const r = await register(server, 'member1', 'another password');
    assert.equal(r.status, 201, r.body);
    const member = await open({ session: r.json.token });
    const j = await member.join('chatter:admin');
    assert.equal(j.status, 'error');
    assert.deepEqual(j.response, { reason: 'forbidden' });
    const bare = await open({ user: 'guest1' });
    const g = await bare.join('chatter:admin');
    assert.equal(g.status, 'error');
    assert.deepEqual(g.response, { reason: 'forbidden' });
    // Asking for the role in params changes nothing: it comes from the session.
    const asking = await open({ user: 'guest2', role: 'admin' });
    assert.equal((await asking.join('chatter:admin')).status, 'error');
    await adminSocket();
  });

  test('kick closes every socket of the identity, look-alikes included, and counts them', async () => {
    const admin = await adminSocket();
    const targets = [await open({ user: 'troll' }), await open({ user: 'troll' }), await open({ user: 'TROLL' })];
    const bystander = await open({ user: 'nice' });
    const reply = replyOf(await admin.call('kick', { user: 'troll' }));
    assert.deepEqual(reply, { status: 'ok', response: { closed: 3 } });
    for (const t of targets) assert.equal((await t.expectClose()).code, 1001);
    assert.ok(bystander.isOpen);
    // Kicked, not banned: they may come back.
    assert.equal(await connectStatus(server, { user: 'troll' }), 101);
  });

  test('system puts a message from system into the room', async () => {
    const admin = await adminSocket();
    const listener = await open({ user: 'listener' });
    await listener.joinOk('chatter:room:lobby');
    const reply = replyOf(await admin.call('system', { room: 'lobby', body: 'maintenance at noon' }));
    assert.equal(reply.status, 'ok');
    assert.equal(typeof reply.response.id, 'number');
    const msg = await listener.next({ event: 'new_msg', topic: 'chatter:room:lobby' });
    assert.equal(msg.m.payload.user, 'system');
    assert.equal(msg.m.payload.body, 'maintenance at noon');
    assert.equal(msg.m.payload.system, true);
    assert.equal(msg.m.payload.id, reply.response.id);
  });

  test('bad payloads get error replies', async () => {
    const admin = await adminSocket();
    const cases = [
      ['kick', {}, 'user is required'],
      ['ban', { user: 'troll' }, /^minutes must be/],
      ['ban', { user: 'troll', minutes: -5 }, /^minutes must be/],
      ['ban', { user: 'troll', minutes: 5, reason: 7 }, 'reason must be a string'],
      ['unban', { user: 42 }, 'user is required'],
      ['system', { room: 'no room here', body: 'x' }, /./],
      ['system', { room: 'lobby', body: '' }, /./],
      ['shout', {}, 'unknown event'],
    ];
    for (const [event, payload, reason] of cases) {
      const reply = replyOf(await admin.call(event, payload));
      assert.equal(reply.status, 'error', `${event} ${JSON.stringify(payload)}`);
      if (typeof reason === 'string') assert.equal(reply.response.reason, reason);
      else assert.match(reply.response.reason, reason);
    }
  });

  test('ban is stored: it closes the sockets, refuses look-alikes and the account, outlives a restart; unban lifts it', async () => {
    let admin = await adminSocket();
    const troll = await open({ user: 'troll' });
    let reply = replyOf(await admin.call('ban', { user: 'troll', minutes: 0, reason: 'spam' }));
    assert.deepEqual(reply, { status: 'ok', response: { until: null } });
    assert.equal((await troll.expectClose()).code, 1001);
    for (const user of ['troll', 'TROLL', 'troIl']) assert.equal(await connectStatus(server, { user }), 403, user);

    // A timed ban of an account: its end comes back; the account cannot sign in.
    const spammer = await register(server, 'spammer', 'another password');
    assert.equal(spammer.status, 201, spammer.body);
    reply = replyOf(await admin.call('ban', { user: 'Spammer', minutes: 30, reason: 'ads' }));
    assert.equal(reply.status, 'ok');
    assert.ok(Date.parse(reply.response.until) > Date.now() + 29 * 60 * 1000, reply.response.until);
    assert.equal((await login(server, 'spammer', 'another password')).status, 403);
    assert.equal(await connectStatus(server, { session: spammer.json.token }), 403);

    // The same data directory after a restart.
    for (const c of sockets.splice(0)) c.close();
    await server.stop();
    server = await startServer({ args: FAST, dataDir });
    for (const user of ['troll', 'TROLL', 'troIl']) assert.equal(await connectStatus(server, { user }), 403, user);
    assert.equal((await login(server, 'spammer', 'another password')).status, 403);

    admin = await adminSocket();
    reply = replyOf(await admin.call('unban', { user: 'TROLL' }));
    assert.deepEqual(reply, { status: 'ok', response: {} });
    reply = replyOf(await admin.call('unban', { user: 'troll' }));
    assert.deepEqual(reply, { status: 'error', response: { reason: 'not banned' } });
    assert.equal(await connectStatus(server, { user: 'troll' }), 101);
    assert.equal(replyOf(await admin.call('unban', { user: 'spammer' })).status, 'ok');
    assert.equal((await login(server, 'spammer', 'another password')).status, 200);
  });

  test('every admin action is in the audit log, with the admin and their address', async () => {
    for (const c of sockets.splice(0)) c.close();
    await server.stop();
    const printed = cli(dataDir, ['audit', '--limit', '1000']);
    assert.equal(printed.status, 0, printed.stderr);
    const rows = printed.stdout.trim().split('\n').map((line) => line.split('\t'));
    const byRoot = rows.filter((r) => r[1] === ADMIN).map((r) => `${r[2]} ${r[3]}`);
    for (const expected of ['kick troll', 'system lobby', 'ban troll', 'ban Spammer', 'unban TROLL', 'unban spammer'])
      assert.ok(byRoot.includes(expected), `${expected} in ${JSON.stringify(byRoot)}`);
    assert.ok(rows.filter((r) => r[1] === ADMIN && r[2] === 'kick').every((r) => r[4] === '127.0.0.1'));
    assert.ok(rows.some((r) => r[1] === 'cli' && r[2] === 'account_add' && r[3] === ADMIN));
    server = await startServer({ args: FAST, dataDir });
  });
});
