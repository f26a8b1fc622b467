// Quiet and presence (docs/conversations.md): the status `dnd`, and automatic away after a
// time with nothing but heartbeats. The server runs with the hidden test flag --away-after-ms
// (--away-after-minutes is the real one) so that "a while" is 400 ms here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';
import { push, collect } from './lib/phx.mjs';
import { FAST, account, signedIn, joinOk, freshNick } from './lib/conversations.mjs';
import { makeSocket, connect, disconnect } from './lib/phx.mjs';

const AWAY_MS = 400;
const ctx = useServer({ args: [...FAST, '--away-after-ms', String(AWAY_MS)] });
const room = (name) => `chatter:room:${name}`;

// A signed-in client that sends heartbeats often: heartbeats alone never count as activity.
async function chatty(token) {
  const socket = makeSocket('1.8', ctx.server, { authToken: token, params: {}, heartbeatIntervalMs: 100 });
  ctx.onCleanup(() => disconnect(socket));
  await connect(socket);
  return socket;
}

// The newest meta of `user` in the diffs seen so far (joins), or undefined.
function metaIn(diff, user) {
  return diff.joins?.[user]?.metas?.[0];
}

describe('quiet and presence', () => {
  test('dnd is a status', async () => {
    const ann = await account(ctx.server, 'Dee');
    const s = await signedIn(ctx, ann.token);
    const lobby = await joinOk(s, room(freshNick('dnd').toLowerCase()), {}, ['presence_diff']);
    assert.deepEqual(await push(lobby.channel, 'status', { status: 'dnd' }), { status: 'ok', response: {} });
    const d = await lobby.presence_diff.waitFor((x) => metaIn(x, ann.user)?.status === 'dnd');
    assert.equal(metaIn(d, ann.user).auto, undefined);
    assert.equal((await push(lobby.channel, 'status', { status: 'sleeping' })).status, 'error');
  });

  test('a socket that only sends heartbeats goes away by itself, and comes back on its next event', async () => {
    const ann = await account(ctx.server, 'Eli');
    const bob = await account(ctx.server, 'Flo');
    const name = room(freshNick('away').toLowerCase());
    const annSocket = await chatty(ann.token);
    const annRoom = await joinOk(annSocket, name);
    const bobSocket = await chatty(bob.token);
    const bobRoom = await joinOk(bobSocket, name, {}, ['presence_diff']);

    const away = await bobRoom.presence_diff.waitFor((x) => metaIn(x, ann.user)?.status === 'away', 5000);
    assert.equal(metaIn(away, ann.user).auto, true);
    // Any event brings back the status it had.
    annRoom.channel.push('typing', { typing: true });
    const back = await bobRoom.presence_diff.waitFor((x) => x !== away && metaIn(x, ann.user)?.status === 'online', 5000);
    assert.equal(metaIn(back, ann.user).auto, undefined);
  });

  test('an explicit status is never changed automatically', async () => {
    const ann = await account(ctx.server, 'Gil');
    const bob = await account(ctx.server, 'Hue');
    const name = room(freshNick('busy').toLowerCase());
    const annSocket = await chatty(ann.token);
    const annRoom = await joinOk(annSocket, name);
    assert.equal((await push(annRoom.channel, 'status', { status: 'busy' })).status, 'ok');
    const bobSocket = await chatty(bob.token);
    const bobRoom = await joinOk(bobSocket, name, {}, ['presence_diff', 'presence_state']);
    await new Promise((r) => setTimeout(r, AWAY_MS * 4));
    const changed = bobRoom.presence_diff.got.filter((x) => metaIn(x, ann.user));
    assert.deepEqual(changed, []);
    const state = bobRoom.presence_state.got[0];
    assert.equal(state[ann.user].metas[0].status, 'busy');
  });
});
