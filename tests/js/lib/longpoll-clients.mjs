// The official phoenix.js clients over the long-poll transport, as a suite a
// test file registers for the client versions it can run (1.8 on Node's
// fetch; 1.7, and 1.8 again, on lib/xhr-polyfill.mjs).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { LongPoll as LongPoll18 } from 'phoenix';
import { LongPoll as LongPoll17 } from 'phoenix17';
import { useServer, nick } from './fixture.mjs';
import { makeSocket, connect, join, push, collect, disconnect, withTimeout } from './phx.mjs';
import { watchPresence } from './presence.mjs';
import { room } from './chat.mjs';

export const LONGPOLLS = { '1.8': LongPoll18, '1.7': LongPoll17 };
export const LP_HOLD_MS = 500;
export const LP_SESSION_MS = 3000;

// A Storage-like object for the fallback memory (there is no sessionStorage on Node).
export class MemoryStorage {
  constructor() { this.items = {}; }
  getItem(k) { return Object.hasOwn(this.items, k) ? this.items[k] : null; }
  setItem(k, v) { this.items[k] = String(v); }
  removeItem(k) { delete this.items[k]; }
}

// A WebSocket transport class whose connections go to `rewrite(url)`
// instead; `made` records every URL phoenix asked for.
export function redirectedWebSocket(rewrite) {
  const made = [];
  class RedirectedWebSocket extends WebSocket {
    constructor(url, protocols) {
      made.push(url);
      super(rewrite(url), protocols);
      // Failures are reported to phoenix through onerror; keep stray ones quiet.
      this.on('error', () => {});
    }
  }
  return { Transport: RedirectedWebSocket, made };
}

// Connects and resolves on the first open, whatever errors come first
// (phx.mjs's connect() rejects on the first error, which a fallback needs).
export function openEventually(socket, timeout = 10000) {
  return withTimeout(new Promise((res) => {
    const ref = socket.onOpen(() => { socket.off([ref]); res(); });
    socket.connect();
  }), timeout, 'socket open (with fallback)');
}

// Registers the suite. label: text for test names (e.g. 'fetch', 'XHR').
export function longPollClientSuite({ versions, label, fallbackVersions = versions }) {
  const ctx = useServer({ args: ['--longpoll-hold-ms', String(LP_HOLD_MS), '--longpoll-session-ms', String(LP_SESSION_MS)] });

  function track(socket) {
    ctx.onCleanup(() => disconnect(socket));
    return socket;
  }
  const wsSocket = (user, client = 'desktop') => track(makeSocket('1.8', ctx.server, { params: { user, client } }));
  const lpSocket = (version, user, opts = {}) => track(makeSocket(version, ctx.server, {
    params: { user, client: 'web' }, transport: LONGPOLLS[version], ...opts,
  }));

  // Raw TCP listener that accepts and never answers (for the fallback timer).
  const blackholes = [];
  after(() => {
    for (const b of blackholes) {
      for (const s of b.sockets) s.destroy();
      b.server.close();
    }
  });
  async function blackhole() {
    const sockets = new Set();
    const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); });
    await new Promise((res) => server.listen(0, '127.0.0.1', res));
    const b = { server, sockets, port: server.address().port };
    blackholes.push(b);
    return b;
  }

  // Both sockets joined to T; returns channels and new_msg collectors.
  async function chatPair(lp, ws, T, { connectLp = connect } = {}) {
    const lc = lp.channel(T, {});
    const wc = ws.channel(T, {});
    const lm = collect(lc, 'new_msg');
    const wm = collect(wc, 'new_msg');
    await Promise.all([connectLp(lp, 10000), connect(ws)]);
    const lr = await join(lc, 8000);
    assert.ok(Array.isArray(lr.messages), JSON.stringify(lr));
    assert.equal(typeof lr.more, 'boolean');
    await join(wc);
    return { lc, wc, lm, wm };
  }

  // The server log names the transport of every connect.
  function assertLongPollUser(user) {
    return ctx.server.waitForLog(new RegExp(`connect: socket \\d+ user ${user} .*transport longpoll`), { timeout: 5000 });
  }

  async function chatBothWays({ lc, wc, lm, wm }, lpUser, wsUser, tag) {
    const a = await push(lc, 'new_msg', { body: `lp says ${tag}` });
    assert.equal(a.status, 'ok', JSON.stringify(a));
    assert.equal(typeof a.response.id, 'number');
    const seen = await wm.waitFor((p) => p.id === a.response.id, 8000);
    assert.equal(seen.user, lpUser);
    assert.equal(seen.body, `lp says ${tag}`);
    await lm.waitFor((p) => p.id === a.response.id, 8000);

    const b = await push(wc, 'new_msg', { body: `ws says ${tag}` });
    assert.equal(b.status, 'ok', JSON.stringify(b));
    const got = await lm.waitFor((p) => p.id === b.response.id, 8000);
    assert.equal(got.user, wsUser);
    assert.equal(got.body, `ws says ${tag}`);
    assert.ok(b.response.id > a.response.id);
  }

  for (const version of versions) {
    const v = version.replace('.', '');
    describe(`phoenix ${version} LongPoll (${label})`, () => {
      test(`${version}: joins a room and chats both ways with a WebSocket client`, async () => {
        const T = room(`lpc${v}${label}`);
        const lpUser = nick(`lp${v}`);
        const wsUser = nick('ws');
        const lp = lpSocket(version, lpUser);
        const ws = wsSocket(wsUser);
        const pair = await chatPair(lp, ws, T);
        await assertLongPollUser(lpUser);
        await chatBothWays(pair, lpUser, wsUser, 'hi');
        if (typeof globalThis.XMLHttpRequest === 'function') {
          assert.ok(globalThis.XMLHttpRequest.sent > 0, 'requests went through XMLHttpRequest');
        } else {
          assert.equal(version, '1.8', 'only 1.8 can poll without XMLHttpRequest (fetch)');
        }
      });

      test(`${version}: pushes made in one tick go out as one ndjson batch, in order`, async () => {
        const T = room(`lpb${v}${label}`);
        const lp = lpSocket(version, nick(`lpb${v}`));
        const ws = wsSocket(nick('wsb'));
        const { lc, wm } = await chatPair(lp, ws, T);
        const bodies = Array.from({ length: 12 }, (_, i) => `batch ${i}`);
        const replies = await Promise.all(bodies.map((body) => push(lc, 'new_msg', { body })));
        for (const r of replies) assert.equal(r.status, 'ok', JSON.stringify(r));
        const ids = replies.map((r) => r.response.id);
        assert.deepEqual([...ids].sort((x, y) => x - y), ids, 'ids increase in push order');
        await wm.waitFor((p) => p.id === ids.at(-1), 8000);
        assert.deepEqual(wm.got.filter((p) => p.body.startsWith('batch ')).map((p) => p.body), bodies);
      });

      test(`${version}: typing from the long-poll user reaches the WebSocket user only`, async () => {
        const T = room(`lpt${v}${label}`);
        const lpUser = nick(`lpt${v}`);
        const lp = lpSocket(version, lpUser);
        const ws = wsSocket(nick('wst'));
        const { lc, wc, lm } = await chatPair(lp, ws, T);
        const wt = collect(wc, 'typing');
        const lt = collect(lc, 'typing');
        lc.push('typing', { typing: true });
        const t = await wt.waitFor(() => true, 8000);
        assert.deepEqual(t, { user: lpUser, typing: true });
        // A message after it orders behind the typing broadcast on the long-poll side too.
        const r = await push(lc, 'new_msg', { body: 'after typing' });
        await lm.waitFor((p) => p.id === r.response.id, 8000);
        assert.deepEqual(lt.got, []);
      });

      if (version === '1.8') {
        test('1.8: session ended by the server → 410 while holding a token → close 3410, reconnect, rejoin', async () => {
          const T = room(`lpd${label}`);
          const lpUser = nick('lpd');
          const lp = lpSocket(version, lpUser);
          const closes = [];
          let closed;
          const firstClose = new Promise((res) => { closed = res; });
          lp.onClose((e) => { closes.push(e.code); closed(e); });
          await connect(lp, 8000);
          const lc = lp.channel(T, {});
          let channelErrors = 0;
          lc.onError(() => { channelErrors += 1; });
          await join(lc, 8000);
          const mark = ctx.server.logMark();

          // Another user's diagnostic channel disconnects the long-poll user's socket id.
          // (Nothing is pushed meanwhile: a push POSTed to the dead session would be
          // answered 410 and lost, and the client would close with 1011 instead.)
          const ws = wsSocket(nick('wsd'));
          await connect(ws);
          const dc = ws.channel('chatter:diag:lpd', {});
          await join(dc);
          const d = await push(dc, 'disconnect', { user: lpUser });
          assert.equal(d.status, 'ok');
          const e = await withTimeout(firstClose, 8000, 'long-poll close after the session ended');
          assert.equal(e.code, 3410, `close codes ${closes}`);
          assert.equal(e.reason, 'session_gone');
          assert.ok(channelErrors >= 1);

          // Buffered while the channel is errored, sent after the automatic rejoin.
          const r = await push(lc, 'new_msg', { body: 'after the session ended' }, 10000);
          assert.equal(r.status, 'ok', JSON.stringify(r));
          assert.equal(lc.state, 'joined');
          await ctx.server.waitForLog(new RegExp(`connect: socket \\d+ user ${lpUser} .*transport longpoll`), { since: mark });
        });
      }

      test(`${version}: presence works over long-poll; disconnecting ends the session and the user leaves`, async () => {
        const T = room(`lpp${v}${label}`);
        const lpUser = nick(`lpp${v}`);
        const wsUser = nick('wsp');
        const ws = wsSocket(wsUser);
        await connect(ws);
        const wc = ws.channel(T, {});
        const wp = watchPresence('1.8', wc);
        await join(wc);
        await wp.waitFor((s) => wsUser in s);

        const lp = lpSocket(version, lpUser);
        await connect(lp, 8000);
        const lc = lp.channel(T, {});
        const lpw = watchPresence(version, lc);
        await join(lc, 8000);
        const seenByLp = await lpw.waitFor((s) => lpUser in s && wsUser in s, 8000, 'both users in the long-poll presence');
        assert.equal(seenByLp[lpUser][0].client, 'web');
        assert.equal(seenByLp[wsUser][0].client, 'desktop');
        const seenByWs = await wp.waitFor((s) => lpUser in s, 8000, 'long-poll user in the WebSocket presence');
        const ref = seenByWs[lpUser][0].phx_ref;
        assert.equal(ref, seenByLp[lpUser][0].phx_ref);

        // A status change made over long-poll is seen by the other member.
        const st = await push(lc, 'status', { status: 'away' });
        assert.equal(st.status, 'ok', JSON.stringify(st));
        await wp.waitFor((s) => s[lpUser]?.[0]?.status === 'away', 8000, 'away status');
        const awayRef = wp.state()[lpUser][0].phx_ref;

        // A long-poll client's disconnect sends nothing; the session times out (item 56).
        await disconnect(lp);
        await wp.waitFor((s) => !(lpUser in s), LP_SESSION_MS * 8 + 5000, 'long-poll user gone after session expiry');
        const left = wp.leaves.findLast((l) => l.key === lpUser);
        assert.ok(left, JSON.stringify(wp.leaves));
        assert.equal(left.left.metas[0].phx_ref, awayRef);
        assert.deepEqual(left.current.metas, []);
        assert.ok(wsUser in wp.state());
      });
    });
  }

  for (const version of fallbackVersions) {
    describe(`phoenix ${version} longPollFallbackMs (${label})`, () => {
      test(`${version}: WebSocket refused → falls back to long-poll and chats`, async () => {
        const T = room(`lpf${version.replace('.', '')}${label}`);
        const lpUser = nick('fb');
        const wsUser = nick('wsf');
        const storage = new MemoryStorage();
        const { Transport, made } = redirectedWebSocket((url) => url.replace('/socket/websocket', '/no-such-socket/websocket'));
        const fb = track(makeSocket(version, ctx.server, {
          params: { user: lpUser, client: 'web' },
          transport: Transport,
          longPollFallbackMs: 4000,
          sessionStorage: storage,
        }));
        const ws = wsSocket(wsUser);
        const pair = await chatPair(fb, ws, T, { connectLp: openEventually });
        assert.ok(made.length >= 1, 'the WebSocket was tried first');
        assert.ok(made[0].includes('/socket/websocket'), made[0]);
        assert.equal(fb.transport, LONGPOLLS[version], 'the socket now uses LongPoll');
        await assertLongPollUser(lpUser);
        await chatBothWays(pair, lpUser, wsUser, 'after fallback');
        assert.equal(storage.getItem('phx:fallback:LongPoll'), 'true', JSON.stringify(storage.items));

        // A new socket sharing that storage starts directly with long-poll.
        const again = track(makeSocket(version, ctx.server, {
          params: { user: nick('fb2'), client: 'web' },
          transport: Transport,
          longPollFallbackMs: 4000,
          sessionStorage: storage,
        }));
        const tried = made.length;
        const ch = again.channel(T, {});
        await openEventually(again, 8000);
        await join(ch, 8000);
        assert.equal(made.length, tried, 'no WebSocket attempt once the fallback is memorised');
        assert.equal(again.transport, LONGPOLLS[version]);
        const r = await push(ch, 'new_msg', { body: 'memorised' });
        assert.equal(r.status, 'ok', JSON.stringify(r));
        await pair.wm.waitFor((p) => p.id === r.response.id, 8000);
      });

      test(`${version}: WebSocket that never opens → falls back after the threshold`, async () => {
        const T = room(`lpg${version.replace('.', '')}${label}`);
        const hole = await blackhole();
        const { Transport, made } = redirectedWebSocket((url) => url.replace(`:${ctx.server.port}/`, `:${hole.port}/`));
        const user = nick('fbh');
        const fb = track(makeSocket(version, ctx.server, {
          params: { user, client: 'web' },
          transport: Transport,
          longPollFallbackMs: 800,
          sessionStorage: new MemoryStorage(),
        }));
        const ch = fb.channel(T, {});
        const msgs = collect(ch, 'new_msg');
        await openEventually(fb, 10000);
        await join(ch, 8000);
        assert.equal(made.length, 1, `WebSocket attempts: ${made.join(', ')}`);
        assert.equal(fb.transport, LONGPOLLS[version]);
        await assertLongPollUser(user);
        const r = await push(ch, 'new_msg', { body: 'through the fallback' });
        assert.equal(r.status, 'ok', JSON.stringify(r));
        const got = await msgs.waitFor((p) => p.id === r.response.id, 8000);
        assert.equal(got.user, user);
      });
    });
  }

  return ctx;
}
