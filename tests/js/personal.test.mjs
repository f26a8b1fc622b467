// The personal topic `chatter:user:<nick>` (docs/conversations.md): only its account joins it;
// mentions, read markers and mute settings reach every device of the account through it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';
import { push } from './lib/phx.mjs';
import {
  FAST, account, guestSession, signedIn, bareGuest, joinAny, joinOk, nothingWithin, freshNick,
} from './lib/conversations.mjs';

const ctx = useServer({ args: FAST });
const room = (name) => `chatter:room:${name}`;

describe('personal topic', () => {
  test('only its own account joins it, under the spelling the server gives out', async () => {
    const ann = await account(ctx.server, 'Hal');
    const bob = await account(ctx.server, 'Ida');
    const annSocket = await signedIn(ctx, ann.token);
    const own = await joinOk(annSocket, ann.personal_topic);
    assert.deepEqual(Object.keys(own.response).sort(), ['conversations', 'private_rooms', 'topic', 'user']);

    const bobSocket = await signedIn(ctx, bob.token);
    assert.deepEqual((await joinAny(bobSocket, ann.personal_topic)).response, { reason: 'forbidden' });
    // The display spelling is not the topic's: case-folded only.
    assert.deepEqual((await joinAny(annSocket, `chatter:user:${ann.user}`)).response, { reason: 'forbidden' });
    const g = await guestSession(ctx.server);
    const guestSocket = await signedIn(ctx, g.token);
    assert.deepEqual((await joinAny(guestSocket, `chatter:user:${g.user.toLowerCase()}`)).response, { reason: 'forbidden' });
    const bare = await bareGuest(ctx);
    assert.deepEqual((await joinAny(bare, ann.personal_topic)).response, { reason: 'forbidden' });
  });

  test('a mention reaches the account wherever it is, once per message, never its author', async () => {
    const ann = await account(ctx.server, 'Jo');
    const bob = await account(ctx.server, 'Kim');
    const bobSocket = await signedIn(ctx, bob.token);
    const bobHome = await joinOk(bobSocket, bob.personal_topic, {}, ['mention']);
    const annSocket = await signedIn(ctx, ann.token);
    const annHome = await joinOk(annSocket, ann.personal_topic, {}, ['mention']);
    const name = freshNick('men').toLowerCase();
    const lobby = await joinOk(annSocket, room(name));

    // Bob is not in the room; named twice and in another case, told once.
    const body = `@${bob.user.toUpperCase()} look, @${bob.user}. and @${ann.user}`;
    const sent = await push(lobby.channel, 'new_msg', { body });
    assert.equal(sent.status, 'ok');
    const m = await bobHome.mention.waitFor((p) => p.id === sent.response.id);
    assert.deepEqual(m, { topic: room(name), id: sent.response.id, user: ann.user, body, at: m.at });
    // Not inside code, not inside a word (an address).
    const quiet = await push(lobby.channel, 'new_msg', { body: `\`@${bob.user}\` or mail x@${bob.user}` });
    assert.equal(quiet.status, 'ok');
    const last = await push(lobby.channel, 'new_msg', { body: `bye @${bob.user}` });
    await bobHome.mention.waitFor((p) => p.id === last.response.id);
    assert.deepEqual(bobHome.mention.got.map((p) => p.id), [sent.response.id, last.response.id]);
    await nothingWithin(annHome.mention, () => true);
  });

  test('@here tells the accounts present, and is limited to one per minute', async () => {
    const ann = await account(ctx.server, 'Lu');
    const bob = await account(ctx.server, 'Mo');
    const cid = await account(ctx.server, 'Ned');
    const name = freshNick('here').toLowerCase();
    const annSocket = await signedIn(ctx, ann.token);
    const bobSocket = await signedIn(ctx, bob.token);
    const cidSocket = await signedIn(ctx, cid.token);
    const bobHome = await joinOk(bobSocket, bob.personal_topic, {}, ['mention']);
    const cidHome = await joinOk(cidSocket, cid.personal_topic, {}, ['mention']);
    const annHome = await joinOk(annSocket, ann.personal_topic, {}, ['mention']);
    const lobby = await joinOk(annSocket, room(name));
    await joinOk(bobSocket, room(name));
    // Cid is not present: @here is not for him.

    // A message refused for another reason does not use up the allowance.
    const badReply = await push(lobby.channel, 'new_msg', { body: '@here wrong', reply_to: 987654321 });
    assert.equal(badReply.response.reason, 'reply_to is not a message of this conversation');
    const sent = await push(lobby.channel, 'new_msg', { body: '@here standup' });
    assert.equal(sent.status, 'ok');
    await bobHome.mention.waitFor((p) => p.id === sent.response.id);
    const again = await push(lobby.channel, 'new_msg', { body: 'again @here' });
    assert.deepEqual(again, { status: 'error', response: { reason: '@here is limited to one per minute' } });
    // Refused before it was stored: the history has the first only.
    const history = await push(lobby.channel, 'history', {});
    assert.deepEqual(history.response.messages.map((x) => x.body), ['@here standup']);
    // Elsewhere the same user may.
    const other = await joinOk(annSocket, room(`${name}-b`));
    assert.equal((await push(other.channel, 'new_msg', { body: '@here too' })).status, 'ok');
    await nothingWithin(cidHome.mention, () => true);
    await nothingWithin(annHome.mention, () => true, 50);
  });

  test('read markers: stored per account, pushed to every device, in join replies', async () => {
    const ann = await account(ctx.server, 'Oz');
    const bob = await account(ctx.server, 'Pia');
    const name = freshNick('read').toLowerCase();
    const annSocket = await signedIn(ctx, ann.token);
    const lobby = await joinOk(annSocket, room(name));
    const ids = [];
    for (const body of ['one', 'two', 'three']) ids.push((await push(lobby.channel, 'new_msg', { body })).response.id);

    // Two devices of Bob.
    const phone = await signedIn(ctx, bob.token);
    const laptop = await signedIn(ctx, bob.token);
    const phoneHome = await joinOk(phone, bob.personal_topic, {}, ['read', 'unread']);
    const laptopHome = await joinOk(laptop, bob.personal_topic, {}, ['read', 'unread']);
    const phoneRoom = await joinOk(phone, room(name));
    assert.equal(phoneRoom.response.last_read_id, 0);
    assert.equal(phoneRoom.response.unread, 3);
    assert.equal(phoneRoom.response.muted, false);

    const r = await push(phoneRoom.channel, 'read', { id: ids[1] });
    assert.deepEqual(r, { status: 'ok', response: { last_read_id: ids[1], unread: 1 } });
    const moved = await laptopHome.read.waitFor((p) => p.last_read_id === ids[1]);
    assert.deepEqual(moved, { topic: room(name), last_read_id: ids[1] });
    const count = await laptopHome.unread.waitFor((p) => p.last_read_id === ids[1]);
    assert.deepEqual(count, { topic: room(name), count: 1, last_read_id: ids[1] });
    await phoneHome.read.waitFor((p) => p.last_read_id === ids[1]);

    // Never backwards; beyond the newest message clamped to it.
    assert.deepEqual((await push(phoneRoom.channel, 'read', { id: ids[0] })).response, { last_read_id: ids[1], unread: 1 });
    assert.deepEqual((await push(phoneRoom.channel, 'read', { id: ids[2] + 1000 })).response, { last_read_id: ids[2], unread: 0 });
    assert.equal((await push(phoneRoom.channel, 'read', { id: 'x' })).status, 'error');

    // The laptop joins later and starts from the stored marker; so does the personal topic.
    const laptopRoom = await joinOk(laptop, room(name));
    assert.equal(laptopRoom.response.last_read_id, ids[2]);
    assert.equal(laptopRoom.response.unread, 0);
    const again = await joinOk(laptop, bob.personal_topic);
    const entry = again.response.conversations.find((c) => c.topic === room(name));
    assert.deepEqual(entry, { topic: room(name), last_id: ids[2], last_at: entry.last_at, last_read_id: ids[2], unread: 0, muted: false });

    // Own messages are never unread.
    await push(laptopRoom.channel, 'new_msg', { body: 'mine' });
    const fresh = await joinOk(phone, room(name));
    assert.equal(fresh.response.unread, 0);
  });

  test('a guest keeps read state for its connection only', async () => {
    const ann = await account(ctx.server, 'Quin');
    const name = freshNick('gread').toLowerCase();
    const annSocket = await signedIn(ctx, ann.token);
    const lobby = await joinOk(annSocket, room(name));
    const a = (await push(lobby.channel, 'new_msg', { body: 'a' })).response.id;
    await push(lobby.channel, 'new_msg', { body: 'b' });

    const g = await bareGuest(ctx);
    const first = await joinOk(g, room(name));
    assert.equal(first.response.unread, 2);
    assert.deepEqual((await push(first.channel, 'read', { id: a })).response, { last_read_id: a, unread: 1 });
    await new Promise((res) => first.channel.leave().receive('ok', res));
    const rejoined = await joinOk(g, room(name));
    assert.equal(rejoined.response.last_read_id, a);
    const other = await bareGuest(ctx);
    assert.equal((await joinOk(other, room(name))).response.last_read_id, 0);
  });

  test('mute: stored, answered, pushed to the personal topic, in join replies', async () => {
    const ann = await account(ctx.server, 'Rex');
    const name = freshNick('mute').toLowerCase();
    const s1 = await signedIn(ctx, ann.token);
    const s2 = await signedIn(ctx, ann.token);
    const home2 = await joinOk(s2, ann.personal_topic, {}, ['muted']);
    const lobby = await joinOk(s1, room(name));
    assert.deepEqual(await push(lobby.channel, 'mute', { muted: true }), { status: 'ok', response: { muted: true } });
    assert.deepEqual(await home2.muted.waitFor(() => true), { topic: room(name), muted: true });
    assert.equal((await joinOk(s2, room(name))).response.muted, true);
    const entry = (await joinOk(s2, ann.personal_topic)).response.conversations.find((c) => c.topic === room(name));
    assert.equal(entry.muted, true);
    assert.equal((await push(lobby.channel, 'mute', { muted: 'yes' })).status, 'error');
  });
});
