// Search and opening a result (docs/files-and-search.md): `search` on room, DM and personal
// topics, what each may read, paging by cursor, and `history {around}`; with the official
// phoenix client against a real server.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { useServer } from './lib/fixture.mjs';
import { startServer } from './lib/server.mjs';
import { push } from './lib/phx.mjs';
import {
  FAST, account, signedIn, bareGuest, joinAny, joinOk, freshNick, dmTopic,
} from './lib/conversations.mjs';

const ctx = useServer({ args: FAST });
const room = (name) => `chatter:room:${name}`;

async function send(channel, body) {
  const r = await push(channel, 'new_msg', { body });
  assert.equal(r.status, 'ok', JSON.stringify(r));
  return r.response.id;
}

async function search(channel, payload) {
  const r = await push(channel, 'search', payload);
  assert.equal(r.status, 'ok', JSON.stringify(r));
  return r.response;
}

const ids = (response) => response.results.map((x) => x.id);

// Every page of a search, by cursor: their ids in order, and the number of pages.
async function allPages(channel, query, limit) {
  const seen = [];
  let cursor;
  let pages = 0;
  for (;;) {
    const r = await search(channel, { query, limit, ...(cursor ? { cursor } : {}) });
    pages += 1;
    seen.push(...ids(r));
    assert.ok(pages < 50, 'paging ends');
    if (r.cursor === null) return { seen, pages };
    assert.equal(typeof r.cursor, 'string');
    cursor = r.cursor;
  }
}

describe('search in a room', () => {
  test('words, phrases, prefixes, from:, ranking then newest, snippets with highlights', async () => {
    const name = freshNick('srch').toLowerCase();
    const annNick = freshNick('Ann');
    const bobNick = freshNick('Bob');
    const annRoom = await joinOk(await bareGuest(ctx, annNick), room(name));
    const bobRoom = await joinOk(await bareGuest(ctx, bobNick), room(name));
    const ann = annRoom.channel.socket;
    const weak = await send(annRoom.channel, 'the deploy log from friday and many other words after it, as we said before the weekend');
    const strong = await send(bobRoom.channel, 'Deploy, deploy!');
    const phrase = await send(annRoom.channel, 'read the LOG of the déploy');
    const other = await send(bobRoom.channel, 'deployment tomorrow');
    const elsewhere = await joinOk(ann, room(`${name}x`));
    await send(elsewhere.channel, 'deploy elsewhere');

    // Both words, any order, case and diacritics aside; that room only.
    const both = await search(annRoom.channel, { query: 'DEPLOY log' });
    assert.deepEqual(new Set(ids(both)), new Set([weak, phrase]));
    assert.equal(both.cursor, null);
    const hit = both.results.find((x) => x.id === weak);
    assert.deepEqual(Object.keys(hit).sort(), ['at', 'highlights', 'id', 'room', 'snippet', 'topic', 'user']);
    assert.equal(hit.topic, room(name));
    assert.equal(hit.room, name);
    assert.equal(hit.user, annNick);
    assert.match(hit.at, /^\d{4}-\d\d-\d\dT/);
    assert.ok(hit.snippet.includes('deploy log'), hit.snippet);
    const marked = hit.highlights.map(([s, l]) => hit.snippet.slice(s, s + l).toLowerCase());
    assert.deepEqual(marked.sort(), ['deploy', 'log']);
    assert.ok(hit.snippet.endsWith('…'), 'cut after about 12 words');
    // A phrase.
    assert.deepEqual(ids(await search(annRoom.channel, { query: '"deploy log"' })), [weak]);
    assert.deepEqual(ids(await search(annRoom.channel, { query: '"log deploy"' })), []);
    // A prefix takes the longer word too; a word alone does not.
    assert.deepEqual(new Set(ids(await search(annRoom.channel, { query: 'deplo*' }))),
      new Set([weak, strong, phrase, other]));
    assert.ok(!ids(await search(annRoom.channel, { query: 'deploy' })).includes(other));
    // Ranked: the message that says it twice first.
    assert.equal(ids(await search(annRoom.channel, { query: 'deploy' }))[0], strong);
    // from:, case-folded; alone it lists newest first.
    assert.deepEqual(ids(await search(annRoom.channel, { query: `from:${bobNick.toUpperCase()}` })), [other, strong]);
    assert.deepEqual(ids(await search(annRoom.channel, { query: `deploy from:${annNick}` })).sort(), [weak, phrase].sort());
    // On a room topic in: is ignored: still this room.
    assert.deepEqual(ids(await search(annRoom.channel, { query: `deployment in:${name}x` })), [other]);
    // FTS5 syntax is text, not operators.
    assert.deepEqual(ids(await search(annRoom.channel, { query: 'deploy OR nothing' })), []);
    assert.deepEqual(ids(await search(annRoom.channel, { query: 'body:deploy' })).length, 0);
  });

  test('equal matches newest first; pages by cursor without duplicates, ending with null', async () => {
    const name = freshNick('page').toLowerCase();
    const nick = freshNick('Pager');
    const r = await joinOk(await bareGuest(ctx, nick), room(name));
    const sent = [];
    for (let i = 0; i < 12; i += 1) sent.push(await send(r.channel, `same words ${i % 2 ? 'odd' : 'even'}`));
    const { seen, pages } = await allPages(r.channel, 'same words', 5);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...sent].reverse());
    const filters = await allPages(r.channel, `from:${nick}`, 5);
    assert.deepEqual(filters.seen, [...sent].reverse());
    // limit is at most 50, and 20 by default.
    for (let i = 0; i < 10; i += 1) await send(r.channel, 'same words again');
    assert.equal((await search(r.channel, { query: 'same' })).results.length, 20);
    assert.equal((await search(r.channel, { query: 'same', limit: 500 })).results.length, 22);
  });

  test('a deleted message disappears; an edit is found by its new words, not its old', async () => {
    const ann = await account(ctx.server, 'Ed');
    const s = await signedIn(ctx, ann.token);
    const r = await joinOk(s, room(freshNick('edit').toLowerCase()));
    const id = await send(r.channel, 'original wording here');
    const gone = await send(r.channel, 'soon removed text');
    assert.deepEqual(ids(await search(r.channel, { query: 'original' })), [id]);
    assert.equal((await push(r.channel, 'edit_msg', { id, body: 'rewritten phrasing' })).status, 'ok');
    assert.deepEqual(ids(await search(r.channel, { query: 'original' })), []);
    assert.deepEqual(ids(await search(r.channel, { query: 'rewritten' })), [id]);
    assert.equal((await push(r.channel, 'delete_msg', { id: gone })).status, 'ok');
    assert.deepEqual(ids(await search(r.channel, { query: 'removed' })), []);
    assert.deepEqual(ids(await search(r.channel, { query: `from:${ann.user}` })), [id]);
  });

  test('errors: empty query, query too long, invalid cursor, a bad limit', async () => {
    const s = await bareGuest(ctx);
    const r = await joinOk(s, room(freshNick('err').toLowerCase()));
    await send(r.channel, 'x');
    const error = async (payload) => {
      const reply = await push(r.channel, 'search', payload);
      assert.equal(reply.status, 'error', JSON.stringify(reply));
      return reply.response.reason;
    };
    assert.equal(await error({ query: '' }), 'empty query');
    assert.equal(await error({ query: '  "" ' }), 'empty query');
    assert.equal(await error({}), 'empty query');
    assert.equal(await error({ query: 'a'.repeat(257) }), 'query too long');
    assert.equal((await push(r.channel, 'search', { query: 'a'.repeat(256) })).status, 'ok');
    assert.equal(await error({ query: 'x', cursor: 'garbage' }), 'invalid cursor');
    assert.equal(await error({ query: 'x', cursor: 42 }), 'invalid cursor');
    assert.equal(await error({ query: 'x', limit: 0 }), 'limit must be a positive number');
  });
});

describe('search across conversations (personal topic)', () => {
  test('public rooms, own private rooms and DMs; nothing an outsider may not read', async () => {
    const ann = await account(ctx.server, 'Pa');
    const bob = await account(ctx.server, 'Pb');
    const eve = await account(ctx.server, 'Pe');
    const word = `zyx${process.pid}q`;
    const annSocket = await signedIn(ctx, ann.token);
    const bobSocket = await signedIn(ctx, bob.token);
    const eveSocket = await signedIn(ctx, eve.token);
    const pubName = freshNick('pub').toLowerCase();
    const privName = freshNick('priv').toLowerCase();
    const pub = await send((await joinOk(annSocket, room(pubName))).channel, `${word} public`);
    const priv = await send((await joinOk(annSocket, room(privName), { private: true })).channel, `${word} private`);
    await joinOk(bobSocket, dmTopic(ann.user, bob.user));
    const dmChannel = (await joinOk(annSocket, dmTopic(ann.user, bob.user))).channel;
    const dm = await send(dmChannel, `${word} direct`);

    // On the DM topic: that conversation only.
    assert.deepEqual(ids(await search(dmChannel, { query: word })), [dm]);
    const annHome = (await joinOk(annSocket, ann.personal_topic)).channel;
    const bobHome = (await joinOk(bobSocket, bob.personal_topic)).channel;
    const eveHome = (await joinOk(eveSocket, eve.personal_topic)).channel;
    const found = await search(annHome, { query: word });
    assert.deepEqual(new Set(ids(found)), new Set([pub, priv, dm]));
    const byId = Object.fromEntries(found.results.map((x) => [x.id, x]));
    assert.equal(byId[dm].topic, dmTopic(ann.user, bob.user));
    assert.equal(byId[dm].room, dmTopic(ann.user, bob.user).slice('chatter:'.length));
    assert.equal(byId[priv].topic, room(privName));
    assert.deepEqual(new Set(ids(await search(bobHome, { query: word }))), new Set([pub, dm]));
    assert.deepEqual(ids(await search(eveHome, { query: word })), [pub]);
    // in: narrows; naming a conversation one may not read finds nothing.
    assert.deepEqual(ids(await search(annHome, { query: `${word} in:@${bob.user.toUpperCase()}` })), [dm]);
    assert.deepEqual(ids(await search(annHome, { query: `${word} in:#${privName}` })), [priv]);
    assert.deepEqual(ids(await search(annHome, { query: `in:${pubName}` })), [pub]);
    assert.deepEqual(ids(await search(eveHome, { query: `${word} in:#${privName}` })), []);
    assert.deepEqual(ids(await search(eveHome, { query: `in:@${bob.user}` })), []);
    assert.deepEqual(ids(await search(eveHome, { query: `from:${ann.user}` })), [pub]);

    // A cursor is no key: ann's used on eve's topic is refused, and eve's own pages apply her
    // permissions again.
    const annFirst = await search(annHome, { query: word, limit: 1 });
    assert.equal(typeof annFirst.cursor, 'string');
    const tampered = await push(eveHome, 'search', { query: word, limit: 1, cursor: annFirst.cursor });
    assert.deepEqual(tampered, { status: 'error', response: { reason: 'invalid cursor' } });
    const eveFirst = await search(eveHome, { query: word, limit: 1 });
    assert.deepEqual(ids(eveFirst), [pub]);
    assert.equal(eveFirst.cursor, null);
    // Another account's personal topic cannot be joined at all.
    assert.equal((await joinAny(eveSocket, ann.personal_topic)).status, 'error');
    // A guest has no personal topic; on a room topic it searches that room.
    const guest = await bareGuest(ctx);
    const guestRoom = await joinOk(guest, room(pubName));
    assert.deepEqual(ids(await search(guestRoom.channel, { query: word })), [pub]);
    assert.equal((await joinAny(guest, room(privName))).status, 'error');
  });
});

describe('history around a message', () => {
  test('the window, its more flags, deleted messages in place, a foreign id refused', async () => {
    const ann = await account(ctx.server, 'Ha');
    const s = await signedIn(ctx, ann.token);
    const r = await joinOk(s, room(freshNick('around').toLowerCase()));
    const sent = [];
    for (let i = 0; i < 30; i += 1) sent.push(await send(r.channel, `m${i}`));
    assert.equal((await push(r.channel, 'delete_msg', { id: sent[14] })).status, 'ok');
    assert.equal((await push(r.channel, 'react', { id: sent[15], emoji: '👍' })).status, 'ok');
    const around = async (payload) => {
      const reply = await push(r.channel, 'history', payload);
      assert.equal(reply.status, 'ok', JSON.stringify(reply));
      return reply.response;
    };
    const w = await around({ around: sent[15], limit: 10 });
    assert.deepEqual(w.messages.map((m) => m.id), sent.slice(10, 20));
    assert.equal(w.more_before, true);
    assert.equal(w.more_after, true);
    assert.deepEqual(w.messages[4], { id: sent[14], deleted: true });
    const target = w.messages[5];
    assert.equal(target.body, 'm15');
    assert.deepEqual(target.reactions, { '👍': [ann.user] });
    // The same message objects as the other pages.
    const page = await around({ before: sent[16], limit: 1 });
    assert.deepEqual(page.messages[0], target);
    // At the ends.
    const start = await around({ around: sent[1], limit: 10 });
    assert.deepEqual(start.messages.map((m) => m.id), sent.slice(0, 6));
    assert.equal(start.more_before, false);
    assert.equal(start.more_after, true);
    const end = await around({ around: sent[29] });
    assert.deepEqual(end.messages.map((m) => m.id), sent.slice(4, 30));
    assert.equal(end.more_before, true);
    assert.equal(end.more_after, false);
    const one = await around({ around: sent[20], limit: 1 });
    assert.deepEqual(one.messages.map((m) => m.id), [sent[20]]);
    assert.deepEqual([one.more_before, one.more_after], [true, true]);
    // An id of another conversation, or none at all.
    const other = await joinOk(s, room(freshNick('other').toLowerCase()));
    const foreign = await send(other.channel, 'elsewhere');
    for (const id of [foreign, 999999999, -1, 'x']) {
      const reply = await push(r.channel, 'history', { around: id });
      assert.deepEqual(reply, { status: 'error', response: { reason: 'no such message' } }, String(id));
    }
  });
});

describe('--search off', () => {
  const dataDir = mkdtempSync(joinPath(tmpdir(), 'chatter-search-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('refuses searches and keeps no index; on again, the history is indexed at start', async () => {
    const name = freshNick('off').toLowerCase();
    const start = (mode) => startServer({ args: [...FAST, '--search', mode], dataDir });
    let server = await start('on');
    const before = { server, onCleanup: () => {} };
    let s = await bareGuest(before);
    let r = await joinOk(s, room(name));
    const early = await send(r.channel, 'indexed early');
    s.disconnect();
    await server.stop();

    server = await start('off');
    s = await bareGuest({ server, onCleanup: () => {} });
    r = await joinOk(s, room(name));
    const late = await send(r.channel, 'written while off');
    assert.deepEqual(await push(r.channel, 'search', { query: 'early' }),
      { status: 'error', response: { reason: 'search is off' } });
    // Opening a message does not need the index.
    assert.equal((await push(r.channel, 'history', { around: early })).status, 'ok');
    s.disconnect();
    await server.stop();

    server = await start('on');
    try {
      s = await bareGuest({ server, onCleanup: () => {} });
      r = await joinOk(s, room(name));
      assert.deepEqual(ids(await search(r.channel, { query: 'early' })), [early]);
      assert.deepEqual(ids(await search(r.channel, { query: 'while' })), [late]);
      s.disconnect();
    } finally {
      await server.stop();
    }
  });
});
