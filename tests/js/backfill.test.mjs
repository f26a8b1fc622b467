// The backfill scenario: a phoenix.js client goes offline, 500
// messages are posted, and its rejoin (join params given as a function
// returning {last_seen_id}) brings back exactly those 500, in order, once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, nick } from './lib/fixture.mjs';
import { makeSocket, connect, join, push, collect, disconnect, withTimeout } from './lib/phx.mjs';
import { room } from './lib/chat.mjs';

const ctx = useServer();
const COUNT = 500;

function socketFor(version, user) {
  const s = makeSocket(version, ctx.server, { params: { user, client: 'bot' } });
  ctx.onCleanup(() => disconnect(s));
  return s;
}

// Pushes every body at once (phoenix.js writes them immediately when joined)
// and resolves with the ids of the ok replies, in send order.
async function postAll(channel, bodies) {
  const replies = await Promise.all(bodies.map((body) => push(channel, 'new_msg', { body }, 30000)));
  replies.forEach((r, i) => assert.equal(r.status, 'ok', `message ${i}: ${JSON.stringify(r)}`));
  return replies.map((r) => r.response.id);
}

for (const version of ['1.8', '1.7']) {
  describe(`phoenix.js ${version}: offline client backfills with last_seen_id`, () => {
    test(`all ${COUNT} messages posted while offline arrive once, in order`, async () => {
      const T = room(`backfill_${version.replace('.', '')}`);
      const readerNick = nick('reader');

      // ---- the reader: remembers the last id it saw, from replies and broadcasts
      let lastSeen = null;
      const joinParams = [];
      const joinReplies = [];
      const see = (m) => { if (lastSeen === null || m.id > lastSeen) lastSeen = m.id; };
      const reader = socketFor(version, readerNick);
      await connect(reader);
      const rc = reader.channel(T, () => {
        const p = lastSeen === null ? {} : { last_seen_id: lastSeen };
        joinParams.push(p);
        return p;
      });
      const broadcasts = collect(rc, 'new_msg');
      rc.on('new_msg', see);
      const firstJoin = join(rc);
      // Every ok join reply, including the automatic rejoins (hooks persist on the join push).
      rc.joinPush.receive('ok', (resp) => {
        joinReplies.push(resp);
        for (const m of resp.messages ?? []) see(m);
      });
      await firstJoin;
      assert.deepEqual(joinParams, [{}]);

      // ---- the writer
      const writerNick = nick('writer');
      const writer = socketFor(version, writerNick);
      await connect(writer);
      const wc = writer.channel(T, {});
      await join(wc);
      const [firstId] = await postAll(wc, ['before going offline']);
      await broadcasts.waitFor((m) => m.id === firstId);
      assert.equal(lastSeen, firstId);

      // ---- the reader goes offline
      const closed = new Promise((res) => { const ref = reader.onClose(() => { reader.off([ref]); res(); }); });
      reader.disconnect();
      await withTimeout(closed, 5000, 'reader socket closed');
      assert.ok(!reader.isConnected());

      const bodies = Array.from({ length: COUNT }, (_, i) => `offline ${version} #${i}`);
      const ids = await postAll(wc, bodies);
      assert.equal(ids.length, COUNT);
      for (let i = 1; i < COUNT; i += 1) assert.ok(ids[i] > ids[i - 1], `ok ids not increasing at ${i}`);
      assert.ok(ids[0] > firstId);
      const broadcastsWhileOffline = broadcasts.got.length;
      assert.equal(broadcastsWhileOffline, 1, 'nothing reaches a disconnected socket');

      // ---- the reader comes back; the channel rejoins by itself
      const joinsBefore = joinReplies.length;
      reader.connect();
      await withTimeout((async () => {
        while (joinReplies.length === joinsBefore) await new Promise((r) => setTimeout(r, 20));
      })(), 15000, 'rejoin reply after reconnect');
      assert.deepEqual(joinParams.at(-1), { last_seen_id: firstId });
      assert.equal(rc.state, 'joined');

      const reply = joinReplies.at(-1);
      assert.equal(reply.more, false);
      const got = reply.messages.map((m) => m.id);
      assert.equal(new Set(got).size, got.length, 'duplicate ids inside the join reply');
      assert.deepEqual(got, ids, 'the join reply is exactly the 500 messages, oldest first');
      assert.deepEqual(reply.messages.map((m) => m.body), bodies);
      assert.ok(reply.messages.every((m) => m.user === writerNick));

      // A sentinel from the writer orders after anything else the room sends the reader.
      const [sentinel] = await postAll(wc, ['sentinel']);
      await broadcasts.waitFor((m) => m.id === sentinel, 8000);
      const lateBroadcasts = broadcasts.got.slice(broadcastsWhileOffline).map((m) => m.id);
      assert.deepEqual(lateBroadcasts, [sentinel], 'no replayed broadcasts after the rejoin');

      const union = [...got, ...lateBroadcasts.filter((id) => id !== sentinel)];
      assert.equal(new Set(union).size, union.length);
      assert.deepEqual(union, ids);
      assert.equal(lastSeen, sentinel);
    });
  });
}
