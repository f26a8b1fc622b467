// Private rooms and group conversations (docs/conversations.md): members only, managed by the
// owner (or an admin), listed in the directory only to members.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { useServer } from './lib/fixture.mjs';
import { SERVER_BIN } from './lib/server.mjs';
import { login } from './lib/accounts.mjs';
import { push, withTimeout } from './lib/phx.mjs';
import {
  FAST, PASSWORD, account, signedIn, bareGuest, joinAny, joinOk, freshNick, nothingWithin,
} from './lib/conversations.mjs';

// An admin account, made with the command line before the server starts.
const ADMIN = 'boss';
const dataDir = mkdtempSync(joinPath(tmpdir(), 'chatter-private-'));
const added = spawnSync(SERVER_BIN, ['account', 'add', ADMIN, '--admin', '--data-dir', dataDir],
  { input: `${PASSWORD}\n`, encoding: 'utf8', timeout: 60000 });
assert.equal(added.status, 0, added.stderr);
after(() => rmSync(dataDir, { recursive: true, force: true }));

const ctx = useServer({ args: FAST, dataDir });
const room = (name) => `chatter:room:${name}`;

// Waits for the directory to show (or stop showing) a room, through room_update or `list`.
async function listed(dir, name) {
  const r = await push(dir.channel, 'list', {});
  return r.response.rooms.find((x) => x.name === name);
}

describe('private rooms', () => {
  test('created by a join with private: true; members only; invite and remove', async () => {
    const ann = await account(ctx.server, 'Sam');
    const bob = await account(ctx.server, 'Tia');
    const eve = await account(ctx.server, 'Uma');
    const name = freshNick('priv').toLowerCase();
    const annSocket = await signedIn(ctx, ann.token);
    const annHome = await joinOk(annSocket, ann.personal_topic, {}, ['room_invited']);
    const own = await joinOk(annSocket, room(name), { private: true });
    assert.equal(own.response.private, true);
    assert.equal(own.response.owner, ann.user);
    assert.deepEqual(own.response.members, [ann.user]);
    assert.equal(own.response.group, false);
    await annHome.room_invited.waitFor((p) => p.name === name);
    assert.equal((await push(own.channel, 'new_msg', { body: 'members only' })).status, 'ok');

    const bobSocket = await signedIn(ctx, bob.token);
    const bobHome = await joinOk(bobSocket, bob.personal_topic, {}, ['room_invited', 'room_removed']);
    assert.deepEqual((await joinAny(bobSocket, room(name))).response, { reason: 'forbidden' });
    const guest = await bareGuest(ctx);
    assert.deepEqual((await joinAny(guest, room(name))).response, { reason: 'forbidden' });

    // The directory lists it to members only.
    const annDir = await joinOk(annSocket, 'chatter:rooms');
    const bobDir = await joinOk(bobSocket, 'chatter:rooms', {}, ['room_update']);
    const seen = annDir.response.rooms.find((x) => x.name === name) ?? (await listed(annDir, name));
    assert.ok(seen, 'the owner sees the room');
    assert.equal(seen.private, true);
    assert.equal(bobDir.response.rooms.find((x) => x.name === name), undefined);
    assert.equal(await listed(bobDir, name), undefined);
    // Updates too: another message makes the room's entry change (published every 500 ms).
    assert.equal((await push(own.channel, 'new_msg', { body: 'still private' })).status, 'ok');
    await nothingWithin(bobDir.room_update, (u) => u.name === name, 1200);

    // Only the owner (or an admin) invites.
    const eveSocket = await signedIn(ctx, eve.token);
    assert.deepEqual((await push(own.channel, 'invite', { user: freshNick('nobody') })).response, { reason: 'no such account' });
    assert.deepEqual(await push(own.channel, 'invite', { user: bob.user }), { status: 'ok', response: {} });
    const invited = await bobHome.room_invited.waitFor((p) => p.name === name);
    assert.deepEqual(invited, {
      topic: room(name), name, private: true, group: false, members: [ann.user, bob.user], owner: ann.user,
    });
    const bobRoom = await joinOk(bobSocket, room(name));
    assert.deepEqual(bobRoom.response.messages.map((m) => m.body), ['members only', 'still private']);
    // A member gets the room's updates (his join changed its member count).
    const update = await bobDir.room_update.waitFor((u) => u.name === name, 3000);
    assert.equal(update.private, true);
    assert.deepEqual((await push(bobRoom.channel, 'invite', { user: eve.user })).response, { reason: 'forbidden' });
    assert.deepEqual((await joinAny(eveSocket, room(name))).response, { reason: 'forbidden' });
    assert.ok(await listed(bobDir, name), 'a member sees it now');
    // The personal topic lists it too.
    const again = await joinOk(bobSocket, bob.personal_topic);
    assert.ok(again.response.private_rooms.find((r) => r.name === name));

    // Removed: phx_close on the room and room_removed on the personal topic.
    const closed = new Promise((res) => bobRoom.channel.onClose(res));
    const removedHome = await joinOk(bobSocket, bob.personal_topic, {}, ['room_removed']);
    assert.deepEqual((await push(bobRoom.channel, 'remove', { user: ann.user })).response, { reason: 'forbidden' });
    assert.deepEqual(await push(own.channel, 'remove', { user: bob.user }), { status: 'ok', response: {} });
    await withTimeout(closed, 5000, 'phx_close after remove');
    assert.deepEqual(await removedHome.room_removed.waitFor(() => true), { topic: room(name) });
    assert.deepEqual((await joinAny(bobSocket, room(name))).response, { reason: 'forbidden' });
    assert.equal(await listed(bobDir, name), undefined);
  });

  test('members may leave by removing themselves', async () => {
    const ann = await account(ctx.server, 'Vic');
    const bob = await account(ctx.server, 'Wes');
    const name = freshNick('leave').toLowerCase();
    const annSocket = await signedIn(ctx, ann.token);
    const own = await joinOk(annSocket, room(name), { private: true });
    await push(own.channel, 'invite', { user: bob.user });
    const bobSocket = await signedIn(ctx, bob.token);
    const bobRoom = await joinOk(bobSocket, room(name));
    assert.deepEqual(await push(bobRoom.channel, 'remove', { user: bob.user }), { status: 'ok', response: {} });
    assert.deepEqual((await joinAny(bobSocket, room(name))).response, { reason: 'forbidden' });
  });

  test('set_private: by the owner or an admin only; a guest cannot create a private room', async () => {
    const ann = await account(ctx.server, 'Xan');
    const bob = await account(ctx.server, 'Yul');
    const name = freshNick('pub').toLowerCase();
    const annSocket = await signedIn(ctx, ann.token);
    const bobSocket = await signedIn(ctx, bob.token);
    const annRoom = await joinOk(annSocket, room(name));
    await joinOk(bobSocket, room(name));
    // A public room has no owner: only an admin turns it private.
    assert.deepEqual((await push(annRoom.channel, 'set_private', { private: true })).response, { reason: 'forbidden' });
    const bobNowRoom = await joinOk(bobSocket, room(name));
    assert.equal(bobNowRoom.response.private, undefined);

    const mine = freshNick('mine').toLowerCase();
    const owned = await joinOk(annSocket, room(mine), { private: true });
    assert.deepEqual(await push(owned.channel, 'set_private', { private: true }), { status: 'ok', response: {} });
    assert.equal((await push(owned.channel, 'set_private', { private: false })).status, 'error');

    const guest = await bareGuest(ctx);
    assert.deepEqual((await joinAny(guest, room(freshNick('gp').toLowerCase()), { private: true })).response, { reason: 'forbidden' });
  });

  test('an admin turns a public room private: the accounts present become members, guests leave', async () => {
    const ann = await account(ctx.server, 'Ora');
    const eve = await account(ctx.server, 'Pat');
    const name = freshNick('conv').toLowerCase();
    const l = await login(ctx.server, ADMIN, PASSWORD);
    assert.equal(l.json.role, 'admin');
    const adminSocket = await signedIn(ctx, l.json.token);
    const annSocket = await signedIn(ctx, ann.token);
    const annHome = await joinOk(annSocket, ann.personal_topic, {}, ['room_invited']);
    const adminRoom = await joinOk(adminSocket, room(name));
    await joinOk(annSocket, room(name));
    const guest = await bareGuest(ctx);
    const guestRoom = await joinOk(guest, room(name));
    const guestClosed = new Promise((res) => guestRoom.channel.onClose(res));

    assert.deepEqual(await push(adminRoom.channel, 'set_private', { private: true }), { status: 'ok', response: {} });
    const entry = await annHome.room_invited.waitFor((p) => p.name === name);
    assert.deepEqual(entry.members.sort(), [ADMIN, ann.user].sort());
    assert.equal(entry.owner, null);
    await withTimeout(guestClosed, 5000, 'phx_close to the guest');
    assert.deepEqual((await joinAny(guest, room(name))).response, { reason: 'forbidden' });
    const eveSocket = await signedIn(ctx, eve.token);
    assert.deepEqual((await joinAny(eveSocket, room(name))).response, { reason: 'forbidden' });
    // The admin manages it although nobody owns it.
    assert.deepEqual(await push(adminRoom.channel, 'invite', { user: eve.user }), { status: 'ok', response: {} });
    assert.equal((await joinAny(eveSocket, room(name))).status, 'ok');
  });

  test('create_group: a private room g.<12 hex> with the caller as owner', async () => {
    const ann = await account(ctx.server, 'Zoe');
    const bob = await account(ctx.server, 'Abe');
    const cid = await account(ctx.server, 'Bea');
    const eve = await account(ctx.server, 'Cy');
    const annSocket = await signedIn(ctx, ann.token);
    const bobSocket = await signedIn(ctx, bob.token);
    const annHome = await joinOk(annSocket, ann.personal_topic, {}, ['room_invited']);
    const bobHome = await joinOk(bobSocket, bob.personal_topic, {}, ['room_invited']);

    const made = await push(annHome.channel, 'create_group', { users: [bob.user, cid.user.toUpperCase()] });
    assert.equal(made.status, 'ok', JSON.stringify(made));
    assert.match(made.response.topic, /^chatter:room:g\.[0-9a-f]{12}$/);
    const name = made.response.topic.slice('chatter:room:'.length);
    const entry = await bobHome.room_invited.waitFor((p) => p.name === name);
    assert.deepEqual(entry, {
      topic: made.response.topic, name, private: true, group: true, members: [ann.user, bob.user, cid.user], owner: ann.user,
    });
    await annHome.room_invited.waitFor((p) => p.name === name);
    const bobGroup = await joinOk(bobSocket, made.response.topic);
    assert.equal(bobGroup.response.group, true);
    const eveSocket = await signedIn(ctx, eve.token);
    assert.deepEqual((await joinAny(eveSocket, made.response.topic)).response, { reason: 'forbidden' });

    for (const users of [[], [ann.user], [freshNick('nobody')], 'bob', Array.from({ length: 9 }, () => freshNick('n'))]) {
      assert.equal((await push(annHome.channel, 'create_group', { users })).status, 'error', JSON.stringify(users));
    }
  });
});
