// Replies, edits, deletions, reactions and the change sequence (docs/conversations.md), with
// the official phoenix.js client: two registered accounts and an admin made with
// `chatter-server account add --admin`.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { startServer, SERVER_BIN } from './lib/server.mjs';
import { register, login } from './lib/accounts.mjs';
import { makeSocket, connect, join, push, collect, disconnect } from './lib/phx.mjs';

const FAST = ['--password-cost', 'minimum'];
const PASSWORD = 'correct horse battery';
const ADMIN = 'root';
const ANN = 'msgann';
const BOB = 'msgbob';
const NOT_HERE = 'reply_to is not a message of this conversation';
const EVENTS = ['new_msg', 'msg_edited', 'msg_deleted', 'reactions'];

let server;
let dataDir;
const sockets = [];
const tokens = {};
let roomCounter = 0;
const freshRoom = (name) => `chatter:room:${name}${(roomCounter += 1)}`;

// A phoenix.js socket signed in as `user`, joined to `topic` with `payload`; every chat event
// of the topic is collected.
async function joined(user, topic, payload = {}) {
  const s = makeSocket('1.8', server, { authToken: tokens[user], params: {} });
  sockets.push(s);
  await connect(s);
  const ch = s.channel(topic, payload);
  const events = Object.fromEntries(EVENTS.map((e) => [e, collect(ch, e)]));
  const reply = await join(ch);
  return {
    s, ch, reply, events,
    send: (event, body) => push(ch, event, body),
    async post(body, extra = {}) {
      const r = await push(ch, 'new_msg', { body, ...extra });
      assert.equal(r.status, 'ok', JSON.stringify(r));
      return r.response.id;
    },
  };
}

// What a fresh join of `topic` shows of message `id`.
async function historyOf(topic, id) {
  const c = await joined(ANN, topic);
  disconnect(c.s);
  return c.reply.messages.find((m) => m.id === id);
}

function assertRefused(r, reason) {
  assert.equal(r.status, 'error', JSON.stringify(r));
  assert.deepEqual(r.response, { reason });
}

before(async () => {
  dataDir = mkdtempSync(joinPath(tmpdir(), 'chatter-messages-'));
  const added = spawnSync(SERVER_BIN, ['account', 'add', ADMIN, '--admin', '--data-dir', dataDir],
    { input: `${PASSWORD}\n`, encoding: 'utf8', timeout: 60000 });
  assert.equal(added.status, 0, added.stderr);
  server = await startServer({ args: FAST, dataDir });
  for (const user of [ANN, BOB]) {
    const r = await register(server, user, PASSWORD);
    assert.equal(r.status, 201, r.body);
    tokens[user] = r.json.token;
  }
  const l = await login(server, ADMIN, PASSWORD);
  assert.equal(l.json.role, 'admin');
  tokens[ADMIN] = l.json.token;
});

after(async () => {
  await Promise.all(sockets.map((s) => disconnect(s)));
  if (server) await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('replies', () => {
  test('a reply is broadcast with reply_to and the quote (140 characters), and so is its history', async () => {
    const T = freshRoom('reply');
    const ann = await joined(ANN, T);
    const bob = await joined(BOB, T);
    const long = `${'x'.repeat(139)}yz and more`;
    const parent = await ann.post(long);
    const id = await bob.post('agreed', { reply_to: parent });
    const seen = await ann.events.new_msg.waitFor((m) => m.id === id);
    assert.equal(seen.reply_to, parent);
    assert.deepEqual(seen.quote, { user: ANN, body: `${'x'.repeat(139)}y` });
    const plain = await ann.events.new_msg.waitFor((m) => m.id === parent);
    assert.deepEqual(Object.keys(plain).sort(), ['at', 'body', 'id', 'user']);

    const stored = await historyOf(T, id);
    assert.equal(stored.body, 'agreed');
    assert.equal(stored.reply_to, parent);
    assert.deepEqual(stored.quote, { user: ANN, body: `${'x'.repeat(139)}y` });
  });

  test('reply_to of another room, an unknown id or not a number is refused', async () => {
    const T = freshRoom('replyhere');
    const U = freshRoom('replythere');
    const ann = await joined(ANN, T);
    const elsewhere = await joined(ANN, U);
    const other = await elsewhere.post('in the other room');
    const mine = await ann.post('in this room');
    assertRefused(await ann.send('new_msg', { body: 'x', reply_to: other }), NOT_HERE);
    assertRefused(await ann.send('new_msg', { body: 'x', reply_to: mine + 1000000 }), NOT_HERE);
    assertRefused(await ann.send('new_msg', { body: 'x', reply_to: 'first' }), NOT_HERE);
    assertRefused(await ann.send('new_msg', { body: 'x', reply_to: 1.5 }), NOT_HERE);
    const page = (await historyOf(T, mine)) && (await joined(BOB, T)).reply.messages;
    assert.deepEqual(page.map((m) => m.id), [mine]);
  });
});

describe('edits and deletions', () => {
  test('the author edits: ok, msg_edited to the room, history has the new body and edited_at', async () => {
    const T = freshRoom('edit');
    const ann = await joined(ANN, T);
    const bob = await joined(BOB, T);
    const id = await ann.post('helo');
    const r = await ann.send('edit_msg', { id, body: 'hello' });
    assert.deepEqual(r, { status: 'ok', response: {} });
    const edited = await bob.events.msg_edited.waitFor((m) => m.id === id);
    assert.deepEqual(Object.keys(edited).sort(), ['body', 'edited_at', 'id']);
    assert.equal(edited.body, 'hello');
    assert.ok(!Number.isNaN(Date.parse(edited.edited_at)));
    const stored = await historyOf(T, id);
    assert.equal(stored.body, 'hello');
    assert.equal(stored.edited_at, edited.edited_at);
    // The same body again changes nothing and is not broadcast.
    assert.deepEqual(await ann.send('edit_msg', { id, body: 'hello' }), { status: 'ok', response: {} });
    assertRefused(await ann.send('edit_msg', { id, body: '   ' }), 'body is empty');
    assertRefused(await ann.send('edit_msg', { id: id + 1000000, body: 'x' }), 'no such message');
    await ann.post('a barrier');
    assert.equal(bob.events.msg_edited.got.length, 1);
  });

  test('another account may neither edit nor delete: forbidden', async () => {
    const T = freshRoom('forbid');
    const ann = await joined(ANN, T);
    const bob = await joined(BOB, T);
    const id = await ann.post('mine');
    assertRefused(await bob.send('edit_msg', { id, body: 'yours now' }), 'forbidden');
    assertRefused(await bob.send('delete_msg', { id }), 'forbidden');
    const stored = await historyOf(T, id);
    assert.equal(stored.body, 'mine');
    assert.equal(stored.edited_at, undefined);
    assert.equal(ann.events.msg_edited.got.length + ann.events.msg_deleted.got.length, 0);
  });

  test('an admin deletes another\'s message: msg_deleted, history {id, deleted}, quotes say deleted', async () => {
    const T = freshRoom('delete');
    const ann = await joined(ANN, T);
    const admin = await joined(ADMIN, T);
    const id = await ann.post('regrettable');
    assert.equal((await ann.send('react', { id, emoji: '👍', on: true })).status, 'ok');
    assert.deepEqual(await admin.send('delete_msg', { id }), { status: 'ok', response: {} });
    assert.deepEqual(await ann.events.msg_deleted.waitFor((m) => m.id === id), { id });
    assert.deepEqual(await historyOf(T, id), { id, deleted: true });
    assertRefused(await ann.send('edit_msg', { id, body: 'x' }), 'message deleted');
    assertRefused(await admin.send('delete_msg', { id }), 'message deleted');
    assertRefused(await ann.send('react', { id, emoji: '👍', on: true }), 'message deleted');
    const reply = await ann.post('still answering', { reply_to: id });
    assert.deepEqual((await historyOf(T, reply)).quote, { user: ANN, deleted: true });
  });

  test('the author deletes their own message', async () => {
    const T = freshRoom('owndelete');
    const ann = await joined(ANN, T);
    const id = await ann.post('oops');
    assert.deepEqual(await ann.send('delete_msg', { id }), { status: 'ok', response: {} });
    assert.deepEqual(await historyOf(T, id), { id, deleted: true });
  });
});

describe('reactions', () => {
  test('on, on again, another user, off: the whole set after each change; history carries it', async () => {
    const T = freshRoom('react');
    const ann = await joined(ANN, T);
    const bob = await joined(BOB, T);
    const id = await ann.post('react to me');
    const sets = ann.events.reactions;
    assert.deepEqual(await bob.send('react', { id, emoji: '👍', on: true }), { status: 'ok', response: {} });
    assert.deepEqual(await sets.waitFor(() => true), { id, reactions: { '👍': [BOB] } });
    // Twice is one reaction, and no broadcast.
    assert.deepEqual(await bob.send('react', { id, emoji: '👍', on: true }), { status: 'ok', response: {} });
    assert.deepEqual(await ann.send('react', { id, emoji: '👍', on: true }), { status: 'ok', response: {} });
    await sets.waitFor((p) => p.reactions['👍']?.length === 2);
    assert.equal(sets.got.length, 2);
    assert.deepEqual(sets.got[1], { id, reactions: { '👍': [ANN, BOB] } });
    assert.deepEqual((await historyOf(T, id)).reactions, { '👍': [ANN, BOB] });

    assert.deepEqual(await bob.send('react', { id, emoji: '👍', on: false }), { status: 'ok', response: {} });
    await sets.waitFor((p) => p === sets.got[2]);
    assert.deepEqual(sets.got[2], { id, reactions: { '👍': [ANN] } });
    // Off without a reaction: {} and no broadcast.
    assert.deepEqual(await bob.send('react', { id, emoji: '🎉', on: false }), { status: 'ok', response: {} });
    assert.deepEqual(await ann.send('react', { id, emoji: '👍', on: false }), { status: 'ok', response: {} });
    assert.deepEqual(await sets.waitFor((p) => Object.keys(p.reactions).length === 0), { id, reactions: {} });
    assert.equal(sets.got.length, 4);
    assert.ok(!('reactions' in (await historyOf(T, id))));
  });

  test('an emoji over 32 code units or with whitespace is refused; the 21st distinct emoji too', async () => {
    const T = freshRoom('reactlimits');
    const ann = await joined(ANN, T);
    const bob = await joined(BOB, T);
    const id = await ann.post('many');
    assertRefused(await ann.send('react', { id, emoji: 'x'.repeat(33), on: true }), 'invalid emoji');
    assertRefused(await ann.send('react', { id, emoji: 'a b', on: true }), 'invalid emoji');
    assertRefused(await ann.send('react', { id, emoji: '', on: true }), 'invalid emoji');
    assertRefused(await ann.send('react', { id, emoji: 7, on: true }), 'invalid emoji');
    assertRefused(await ann.send('react', { id: id + 1000000, emoji: '👍', on: true }), 'no such message');
    assert.equal((await ann.send('react', { id, emoji: 'x'.repeat(32), on: true })).status, 'ok');
    for (let i = 1; i < 20; i += 1) {
      const r = await ann.send('react', { id, emoji: `e${i}`, on: true });
      assert.equal(r.status, 'ok', `emoji ${i}: ${JSON.stringify(r)}`);
    }
    assertRefused(await bob.send('react', { id, emoji: 'e20', on: true }), 'too many reactions');
    // One of the 20 is no new emoji.
    assert.equal((await bob.send('react', { id, emoji: 'e1', on: true })).status, 'ok');
    const stored = await historyOf(T, id);
    assert.equal(Object.keys(stored.reactions).length, 20);
    assert.deepEqual(stored.reactions.e1, [ANN, BOB]);
  });
});

describe('changes while away', () => {
  test('a rejoin with last_seen_id and last_change_seq gets the changed messages, oldest change first', async () => {
    const T = freshRoom('changes');
    const bob = await joined(BOB, T);
    const ids = [];
    for (const body of ['one', 'two', 'three', 'four']) ids.push(await bob.post(body));
    const ann = await joined(ANN, T);
    const seq = ann.reply.change_seq;
    assert.equal(typeof seq, 'number');
    const lastSeen = ids[3];
    disconnect(ann.s);

    assert.equal((await bob.send('react', { id: ids[2], emoji: '🎉', on: true })).status, 'ok');
    assert.equal((await bob.send('edit_msg', { id: ids[0], body: 'uno' })).status, 'ok');
    assert.equal((await bob.send('delete_msg', { id: ids[1] })).status, 'ok');
    const later = await bob.post('five');
    // A change to a message after last_seen_id arrives with the new messages, not in changes.
    assert.equal((await bob.send('edit_msg', { id: later, body: 'cinco' })).status, 'ok');

    const back = await joined(ANN, T, { last_seen_id: lastSeen, last_change_seq: seq });
    assert.ok(back.reply.change_seq > seq);
    assert.equal(back.reply.changes_more, false);
    const changes = back.reply.changes;
    assert.deepEqual(changes.map((m) => m.id), [ids[2], ids[0], ids[1]]);
    assert.deepEqual(changes[0].reactions, { '🎉': [BOB] });
    assert.equal(changes[1].body, 'uno');
    assert.equal(typeof changes[1].edited_at, 'string');
    assert.deepEqual(changes[2], { id: ids[1], deleted: true });
    assert.deepEqual(back.reply.messages.map((m) => [m.id, m.body]), [[later, 'cinco']]);

    // Up to date: no changes; without last_change_seq: no `changes` at all.
    const again = await joined(ANN, T, { last_seen_id: later, last_change_seq: back.reply.change_seq });
    assert.deepEqual(again.reply.changes, []);
    const plain = await joined(ANN, T, { last_seen_id: lastSeen });
    assert.ok(!('changes' in plain.reply));
    assert.equal(plain.reply.change_seq, back.reply.change_seq);
  });
});
