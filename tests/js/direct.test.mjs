// Direct messages (docs/conversations.md): `chatter:dm:<a>:<b>` belongs to the two accounts it
// names, spelled exactly (case-folded, sorted); a DM to someone offline reaches them through
// the DM's history and their personal topic.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';
import { push } from './lib/phx.mjs';
import { api } from './lib/accounts.mjs';
import {
  FAST, account, guestSession, signedIn, bareGuest, joinAny, joinOk, dmTopic, freshNick,
} from './lib/conversations.mjs';

const ctx = useServer({ args: FAST });

describe('direct messages', () => {
  test('the session answers name the personal topic, case-folded', async () => {
    const user = freshNick('Pers');
    const a = await account(ctx.server, 'x', user);
    assert.equal(a.personal_topic, `chatter:user:${user.toLowerCase()}`);
    const me = await api(ctx.server, 'GET', '/api/sessions', { token: a.token });
    assert.equal(me.json.personal_topic, a.personal_topic);
    const g = await guestSession(ctx.server);
    assert.equal(g.personal_topic, undefined);
  });

  test('a DM to an offline account: stored, then its history, dm and unread reach them', async () => {
    const ann = await account(ctx.server, 'Ann');
    const bob = await account(ctx.server, 'Bob');
    const annSocket = await signedIn(ctx, ann.token);
    const annHome = await joinOk(annSocket, ann.personal_topic, {}, ['dm']);
    assert.equal(annHome.response.user, ann.user);
    assert.equal(annHome.response.topic, ann.personal_topic);
    assert.deepEqual(annHome.response.conversations, []);

    // open_dm names the topic and the other side as registered, whatever case was typed.
    const opened = await push(annHome.channel, 'open_dm', { user: bob.user.toUpperCase() });
    assert.equal(opened.status, 'ok', JSON.stringify(opened));
    assert.deepEqual(opened.response, { topic: dmTopic(ann.user, bob.user), with: bob.user });

    const dm = await joinOk(annSocket, opened.response.topic);
    assert.deepEqual(dm.response.messages, []);
    assert.equal(dm.response.last_read_id, 0);
    assert.equal(dm.response.unread, 0);
    const sent = await push(dm.channel, 'new_msg', { body: 'are you there?' });
    assert.equal(sent.status, 'ok');
    // The sender's own devices list the DM too.
    const own = await annHome.dm.waitFor((p) => p.id === sent.response.id);
    assert.deepEqual(own, {
      topic: opened.response.topic, id: sent.response.id, user: ann.user, body: 'are you there?', at: own.at,
    });

    // Bob comes online: the DM is among his conversations, unread.
    const bobSocket = await signedIn(ctx, bob.token);
    const bobHome = await joinOk(bobSocket, bob.personal_topic, {}, ['dm', 'unread']);
    const listed = bobHome.response.conversations.find((c) => c.topic === opened.response.topic);
    assert.ok(listed, JSON.stringify(bobHome.response));
    assert.equal(listed.with, ann.user);
    assert.equal(listed.last_id, sent.response.id);
    assert.equal(listed.last_read_id, 0);
    assert.equal(listed.unread, 1);
    assert.equal(listed.muted, false);
    const bobDm = await joinOk(bobSocket, opened.response.topic, {}, ['new_msg']);
    assert.deepEqual(bobDm.response.messages.map((m) => m.body), ['are you there?']);
    assert.equal(bobDm.response.unread, 1);

    // While he is here, the next one arrives live, on the DM and on his personal topic.
    const again = await push(dm.channel, 'new_msg', { body: 'hello @' + bob.user });
    assert.equal(again.status, 'ok');
    await bobDm.new_msg.waitFor((m) => m.id === again.response.id);
    await bobHome.dm.waitFor((p) => p.id === again.response.id && p.user === ann.user);
    const count = await bobHome.unread.waitFor((p) => p.topic === opened.response.topic && p.count === 2);
    assert.equal(count.last_read_id, 0);
  });

  test('nobody else joins a DM: a third account, a guest, another spelling, oneself', async () => {
    const ann = await account(ctx.server, 'Cat');
    const bob = await account(ctx.server, 'Dan');
    const eve = await account(ctx.server, 'Eve');
    const topic = dmTopic(ann.user, bob.user);
    const [x, y] = topic.slice('chatter:dm:'.length).split(':');

    const annSocket = await signedIn(ctx, ann.token);
    assert.equal((await joinAny(annSocket, topic)).status, 'ok');

    const eveSocket = await signedIn(ctx, eve.token);
    const third = await joinAny(eveSocket, topic);
    assert.equal(third.status, 'error');
    assert.deepEqual(third.response, { reason: 'forbidden' });

    const g = await guestSession(ctx.server);
    const guestSocket = await signedIn(ctx, g.token);
    assert.deepEqual((await joinAny(guestSocket, topic)).response, { reason: 'forbidden' });
    // A bare guest with the very nickname of one side is still no account.
    const bare = await bareGuest(ctx, freshNick('Zed'));
    assert.deepEqual((await joinAny(bare, topic)).response, { reason: 'forbidden' });

    const spellings = [
      `chatter:dm:${y}:${x}`, // unsorted
      `chatter:dm:${x.toUpperCase()}:${y}`, // not case-folded
      `chatter:dm:${x}:${y}:`, `chatter:dm:${x}`, `chatter:dm:${x}::${y}`,
      `chatter:dm:${ann.user.toLowerCase()}:${ann.user.toLowerCase()}`, // oneself
    ];
    for (const spelling of spellings) {
      const r = await joinAny(annSocket, spelling);
      assert.equal(r.status, 'error', spelling);
      assert.deepEqual(r.response, { reason: 'forbidden' }, spelling);
    }

    // The other side must be a registered account.
    const nobody = freshNick('nobody').toLowerCase();
    const r = await joinAny(annSocket, dmTopic(ann.user, nobody));
    assert.deepEqual(r.response, { reason: 'no such account' });

    const home = await joinOk(annSocket, ann.personal_topic);
    assert.deepEqual((await push(home.channel, 'open_dm', { user: ann.user })).response, { reason: 'forbidden' });
    assert.deepEqual((await push(home.channel, 'open_dm', { user: nobody })).response, { reason: 'no such account' });
    assert.deepEqual((await push(home.channel, 'open_dm', {})).response, { reason: 'no such account' });
  });

  test('DMs stay out of the room directory', async () => {
    const ann = await account(ctx.server, 'Fay');
    const bob = await account(ctx.server, 'Gus');
    const s = await signedIn(ctx, ann.token);
    const dm = await joinOk(s, dmTopic(ann.user, bob.user));
    assert.equal((await push(dm.channel, 'new_msg', { body: 'private words' })).status, 'ok');
    const dir = await joinOk(s, 'chatter:rooms');
    assert.equal(dir.response.rooms.filter((r) => r.name.startsWith('dm:')).length, 0);
  });
});
