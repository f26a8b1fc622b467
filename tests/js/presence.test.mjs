// Checklist items 46-50: presence, on the wire and through the official
// phoenix.js Presence helper (1.8 and 1.7).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { useServer, nick } from './lib/fixture.mjs';
import { startServer } from './lib/server.mjs';
import { describeFrame } from './lib/raw.mjs';
import { makeSocket, connect, join, push, collect, disconnect, withTimeout } from './lib/phx.mjs';
import { watchPresence } from './lib/presence.mjs';
import { room } from './lib/chat.mjs';

const ctx = useServer();
const V = (user, client = 'bot') => ({ vsn: '2.0.0', user, client });

function socketFor(version, user, { server = ctx.server, client = 'bot' } = {}) {
  const s = makeSocket(version, server, { params: { user, client } });
  ctx.onCleanup(() => disconnect(s));
  return s;
}

// A phoenix.js client joined to `topic` with a Presence helper already synced.
async function member(version, user, topic, opts) {
  const socket = socketFor(version, user, opts);
  await connect(socket);
  const channel = socket.channel(topic, {});
  const watch = watchPresence(version, channel);
  const diffs = collect(channel, 'presence_diff');
  const states = collect(channel, 'presence_state');
  await join(channel);
  await watch.waitFor((s) => user in s, 8000, `${user}'s own presence after join`);
  return { socket, channel, watch, diffs, states, user };
}

function assertMeta(meta, client, status = 'online') {
  assert.equal(typeof meta.phx_ref, 'string');
  assert.ok(meta.phx_ref.length > 0);
  assert.equal(typeof meta.online_at, 'string');
  assert.ok(!Number.isNaN(Date.parse(meta.online_at)), `online_at ${meta.online_at}`);
  assert.equal(meta.client, client);
  assert.equal(meta.status, status);
}

describe('presence on the wire', () => {
  test('item 46: presence_state is a push [jr,null,T,…] after the join reply, listing the joiner', async () => {
    const T = room('pw46');
    const me = nick('pw');
    const c = await ctx.open(V(me));
    const { jr, frame } = await c.join(T);
    assert.equal(frame.m.payload.status, 'ok', describeFrame(frame));
    const f = await c.next({ event: 'presence_state' });
    assert.equal(f.type, 'text');
    assert.equal(f.json.length, 5);
    assert.deepEqual(f.json.slice(0, 4), [jr, null, T, 'presence_state']);
    const state = f.json[4];
    assert.deepEqual(Object.keys(state), [me]);
    assert.deepEqual(Object.keys(state[me]), ['metas']);
    assert.equal(state[me].metas.length, 1);
    assertMeta(state[me].metas[0], 'bot');
    // The join reply precedes every other frame for T (item 18).
    const firstForT = c.all.find((x) => x.m?.topic === T);
    assert.equal(firstForT.m.event, 'phx_reply');
  });

  test('item 47/48: join and leave diffs are broadcasts [null,null,T,…] with the same phx_ref', async () => {
    const T = room('pw47');
    const aNick = nick('pa');
    const a = await ctx.open(V(aNick));
    await a.joinOk(T);
    await a.next({ event: 'presence_state' });
    const bNick = nick('pb');
    const b = await ctx.open(V(bNick, 'mobile'));
    await b.joinOk(T);
    const bState = await b.next({ event: 'presence_state' });
    const bRef = bState.json[4][bNick].metas[0].phx_ref;

    const j = await a.next((f) => f.m?.event === 'presence_diff' && bNick in f.m.payload.joins);
    assert.deepEqual(j.json.slice(0, 4), [null, null, T, 'presence_diff']);
    const jd = j.json[4];
    assert.deepEqual(jd.leaves, {});
    // Changes close together are merged: a's own join may ride along, nobody else's.
    assert.deepEqual(Object.keys(jd.joins).filter((k) => k !== aNick), [bNick]);
    assert.equal(jd.joins[bNick].metas.length, 1);
    assertMeta(jd.joins[bNick].metas[0], 'mobile');
    assert.equal(jd.joins[bNick].metas[0].phx_ref, bRef);

    b.terminate(); // abrupt: no close handshake, no phx_leave
    const l = await a.next((f) => f.m?.event === 'presence_diff' && bNick in f.m.payload.leaves, { timeout: 8000 });
    assert.deepEqual(l.json.slice(0, 4), [null, null, T, 'presence_diff']);
    assert.deepEqual(l.json[4].joins, {});
    assert.deepEqual(Object.keys(l.json[4].leaves), [bNick]);
    assert.deepEqual(l.json[4].leaves[bNick].metas, jd.joins[bNick].metas);
  });

  test('item 48: phx_leave of the room also leaves, with the same ref', async () => {
    const T = room('pw48');
    const a = await ctx.open(V(nick('pa')));
    await a.joinOk(T);
    const bNick = nick('pb');
    const b = await ctx.open(V(bNick));
    const bj = await b.joinOk(T);
    const joined = (await a.next((f) => f.m?.event === 'presence_diff' && bNick in f.m.payload.joins)).m.payload;
    const lr = b.push(bj, T, 'phx_leave', {});
    assert.equal((await b.reply(lr)).m.payload.status, 'ok');
    const left = (await a.next((f) => f.m?.event === 'presence_diff' && bNick in f.m.payload.leaves)).m.payload;
    assert.deepEqual(left.leaves[bNick].metas, joined.joins[bNick].metas);
    assert.deepEqual(left.joins, {});
    assert.ok(b.isOpen);
  });

  test('item 49: status update is one diff, leaves old ref, joins new ref with phx_ref_prev', async () => {
    const T = room('pw49');
    const a = await ctx.open(V(nick('pa')));
    await a.joinOk(T);
    const bNick = nick('pb');
    const b = await ctx.open(V(bNick));
    const bj = await b.joinOk(T);
    const oldMeta = (await a.next((f) => f.m?.event === 'presence_diff' && bNick in f.m.payload.joins))
      .m.payload.joins[bNick].metas[0];
    await a.sync();

    const r = await b.call(bj, T, 'status', { status: 'away' });
    assert.deepEqual(r.m.payload, { status: 'ok', response: {} });
    const d = await a.next({ event: 'presence_diff' });
    assert.deepEqual(d.json.slice(0, 4), [null, null, T, 'presence_diff']);
    const diff = d.json[4];
    assert.deepEqual(Object.keys(diff.leaves), [bNick]);
    assert.deepEqual(Object.keys(diff.joins), [bNick]);
    assert.deepEqual(diff.leaves[bNick].metas, [oldMeta]);
    assert.equal(diff.joins[bNick].metas.length, 1);
    const nm = diff.joins[bNick].metas[0];
    assertMeta(nm, 'bot', 'away');
    assert.equal(nm.phx_ref_prev, oldMeta.phx_ref);
    assert.notEqual(nm.phx_ref, oldMeta.phx_ref);

    // A second update chains from the first; nothing else arrived in between.
    await b.call(bj, T, 'status', { status: 'busy' });
    const d2 = (await a.next({ event: 'presence_diff' })).json[4];
    assert.deepEqual(d2.leaves[bNick].metas, [nm]);
    assert.equal(d2.joins[bNick].metas[0].phx_ref_prev, nm.phx_ref);
    assert.equal(d2.joins[bNick].metas[0].status, 'busy');
    const extra = (await a.sync()).filter((f) => f.m?.event === 'presence_diff');
    assert.deepEqual(extra.map(describeFrame), []);

    // The fresh state of a later joiner shows the updated meta only.
    const c = await ctx.open(V(nick('pc')));
    await c.joinOk(T);
    const st = (await c.next({ event: 'presence_state' })).json[4];
    assert.deepEqual(st[bNick].metas, d2.joins[bNick].metas);
  });

  test('status with a bad value is refused and changes nothing', async () => {
    const T = room('pwbad');
    const a = await ctx.open(V(nick('pa')));
    const aj = await a.joinOk(T);
    await a.next({ event: 'presence_state' });
    await a.next({ event: 'presence_diff' }); // its own join
    for (const payload of [{ status: 'sleeping' }, {}, { status: 3 }, { status: null }]) {
      const r = await a.call(aj, T, 'status', payload);
      assert.equal(r.m.payload.status, 'error', JSON.stringify(payload));
      assert.equal(typeof r.m.payload.response.reason, 'string');
    }
    const extra = (await a.sync()).filter((f) => f.m?.event === 'presence_diff');
    assert.deepEqual(extra.map(describeFrame), []);
  });

  test('item 50 (raw): a duplicate join of the same topic gets a fresh presence_state, one meta', async () => {
    const T = room('pwdup');
    const me = nick('pd');
    const c = await ctx.open(V(me));
    const jr1 = await c.joinOk(T);
    const s1 = (await c.next({ event: 'presence_state' })).json;
    assert.equal(s1[0], jr1);
    const jr2 = await c.joinOk(T);
    const s2 = (await c.next({ event: 'presence_state' })).json;
    assert.equal(s2[0], jr2);
    assert.equal(s2[4][me].metas.length, 1, JSON.stringify(s2[4]));
    assert.notEqual(s2[4][me].metas[0].phx_ref, s1[4][me].metas[0].phx_ref);
  });
});

for (const version of ['1.8', '1.7']) {
  const tag = version.replace('.', '');

  describe(`phoenix.js ${version} Presence helper`, () => {
    test('item 46: state after join lists the joiner with its meta', async () => {
      const T = room(`ps46_${tag}`);
      const me = nick('ps');
      const a = await member(version, me, T);
      assert.equal(a.states.got.length, 1);
      assert.deepEqual(a.watch.keys(), [me]);
      const metas = a.watch.state()[me];
      assert.equal(metas.length, 1);
      assertMeta(metas[0], 'bot');
      assert.ok(!a.watch.presence.inPendingSyncState());
    });

    test('item 47: another client joins → diff; Presence.list shows both', async () => {
      const T = room(`ps47_${tag}`);
      const aNick = nick('pa');
      const bNick = nick('pb');
      const a = await member(version, aNick, T);
      const b = await member(version, bNick, T);
      const s = await a.watch.waitFor((st) => bNick in st, 8000, `${bNick} in ${aNick}'s list`);
      assert.deepEqual(Object.keys(s).sort(), [aNick, bNick].sort());
      const d = await a.diffs.waitFor((p) => bNick in p.joins);
      assert.deepEqual(plainKeys(d.leaves), []);
      const bOwn = b.watch.state()[bNick][0];
      assert.equal(d.joins[bNick].metas[0].phx_ref, bOwn.phx_ref);
      const j = a.watch.joins.find((x) => x.key === bNick);
      assert.ok(j, 'onJoin fired for the newcomer');
      assert.equal(j.current, undefined);
      // b's own list shows both too.
      const sb = await b.watch.waitFor((st) => aNick in st && bNick in st);
      assert.equal(sb[aNick][0].phx_ref, s[aNick][0].phx_ref);
    });

    test('item 48: socket.disconnect() leaves with the phx_ref it joined with', async () => {
      const T = room(`ps48_${tag}`);
      const aNick = nick('pa');
      const bNick = nick('pb');
      const a = await member(version, aNick, T);
      const b = await member(version, bNick, T);
      await a.watch.waitFor((st) => bNick in st);
      const bRef = a.watch.state()[bNick][0].phx_ref;
      await disconnect(b.socket);
      await a.watch.waitFor((st) => !(bNick in st), 8000, `${bNick} gone`);
      const d = await a.diffs.waitFor((p) => bNick in p.leaves);
      assert.deepEqual(d.leaves[bNick].metas.map((m) => m.phx_ref), [bRef]);
      const l = a.watch.leaves.find((x) => x.key === bNick);
      assert.deepEqual(l.left.metas.map((m) => m.phx_ref), [bRef]);
      assert.deepEqual(l.current.metas, []);
      assert.deepEqual(a.watch.keys(), [aNick]);
    });

    test('item 48: an abrupt raw close leaves with the phx_ref it joined with', async () => {
      const T = room(`ps48r_${tag}`);
      const aNick = nick('pa');
      const rNick = nick('pr');
      const a = await member(version, aNick, T);
      const r = await ctx.open(V(rNick));
      await r.joinOk(T);
      const rRef = (await r.next({ event: 'presence_state' })).json[4][rNick].metas[0].phx_ref;
      await a.watch.waitFor((st) => rNick in st);
      assert.equal(a.watch.state()[rNick][0].phx_ref, rRef);
      r.terminate();
      await a.watch.waitFor((st) => !(rNick in st), 8000, `${rNick} gone after TCP close`);
      const d = await a.diffs.waitFor((p) => rNick in p.leaves);
      assert.deepEqual(d.leaves[rNick].metas.map((m) => m.phx_ref), [rRef]);
      assert.deepEqual(d.joins, {});
    });

    test('item 49: status update → one diff with leaves+joins and phx_ref_prev; list keeps one meta', async () => {
      const T = room(`ps49_${tag}`);
      const aNick = nick('pa');
      const bNick = nick('pb');
      const a = await member(version, aNick, T);
      const b = await member(version, bNick, T);
      await a.watch.waitFor((st) => bNick in st);
      const oldRef = a.watch.state()[bNick][0].phx_ref;
      const before = a.diffs.got.length;
      const r = await push(b.channel, 'status', { status: 'busy' });
      assert.equal(r.status, 'ok', JSON.stringify(r));
      const s = await a.watch.waitFor((st) => st[bNick]?.[0]?.status === 'busy', 8000, 'busy status');
      assert.equal(s[bNick].length, 1);
      assert.notEqual(s[bNick][0].phx_ref, oldRef);
      assert.equal(s[bNick][0].phx_ref_prev, oldRef);
      // Sentinel: b's next update proves nothing else was sent for the first one.
      assert.equal((await push(b.channel, 'status', { status: 'online' })).status, 'ok');
      await a.watch.waitFor((st) => st[bNick]?.[0]?.status === 'online');
      const diffs = a.diffs.got.slice(before);
      assert.equal(diffs.length, 2, JSON.stringify(diffs));
      const [d1, d2] = diffs;
      assert.deepEqual(d1.leaves[bNick].metas.map((m) => m.phx_ref), [oldRef]);
      assert.equal(d1.joins[bNick].metas[0].phx_ref_prev, oldRef);
      assert.deepEqual(d2.leaves[bNick].metas.map((m) => m.phx_ref), [d1.joins[bNick].metas[0].phx_ref]);
      assert.equal(d2.joins[bNick].metas[0].phx_ref_prev, d1.joins[bNick].metas[0].phx_ref);
      // The updater's own helper converges too.
      const own = await b.watch.waitFor((st) => st[bNick]?.[0]?.status === 'online');
      assert.equal(own[bNick].length, 1);
      assert.equal(own[bNick][0].phx_ref, d2.joins[bNick].metas[0].phx_ref);
    });

    test('two tabs with the same nick → two metas under one key; closing one leaves one', async () => {
      const T = room(`pstabs_${tag}`);
      const obs = await member(version, nick('po'), T);
      const tNick = nick('tab');
      const tab1 = await member(version, tNick, T);
      await obs.watch.waitFor((st) => st[tNick]?.length === 1);
      const ref1 = obs.watch.state()[tNick][0].phx_ref;
      const tab2 = await member(version, tNick, T);
      const s = await obs.watch.waitFor((st) => st[tNick]?.length === 2, 8000, 'two metas');
      const ref2 = s[tNick].map((m) => m.phx_ref).find((x) => x !== ref1);
      assert.ok(ref2);
      // Each tab sees both of its metas as well.
      await tab1.watch.waitFor((st) => st[tNick]?.length === 2);
      await tab2.watch.waitFor((st) => st[tNick]?.length === 2);

      await disconnect(tab1.socket);
      const after1 = await obs.watch.waitFor((st) => st[tNick]?.length === 1, 8000, 'one meta left');
      assert.equal(after1[tNick][0].phx_ref, ref2);
      const d = await obs.diffs.waitFor((p) => tNick in p.leaves);
      assert.deepEqual(d.leaves[tNick].metas.map((m) => m.phx_ref), [ref1]);
      const l = obs.watch.leaves.find((x) => x.key === tNick);
      assert.deepEqual(l.current.metas.map((m) => m.phx_ref), [ref2]);
      await tab2.watch.waitFor((st) => st[tNick]?.length === 1);

      await disconnect(tab2.socket);
      await obs.watch.waitFor((st) => !(tNick in st), 8000, 'key removed');
    });
  });
}

function plainKeys(o) { return Object.keys(o ?? {}); }

describe('item 50: rejoin after a server-forced reconnect', () => {
  const extra = [];
  const dirs = [];
  after(async () => {
    for (const s of extra.splice(0)) { try { await s.stop({ signal: 'SIGKILL' }); } catch { /* gone */ } }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const [version, signal] of [['1.8', 'SIGTERM'], ['1.7', 'SIGKILL'], ['1.8', 'SIGKILL'], ['1.7', 'SIGTERM']]) {
    test(`${version}: restart (${signal}) on the same port → fresh presence_state, Presence re-syncs`, async () => {
      const dataDir = mkdtempSync(pathJoin(tmpdir(), 'chatter-presence-'));
      dirs.push(dataDir);
      const first = await startServer({ dataDir });
      extra.push(first);
      const port = first.port;
      const T = room(`psre_${version.replace('.', '')}_${signal}`);
      const aNick = nick('ra');
      const bNick = nick('rb');
      const a = await member(version, aNick, T, { server: first });
      const b = await member(version, bNick, T, { server: first });
      const s0 = await a.watch.waitFor((st) => aNick in st && bNick in st);
      const oldRefs = [s0[aNick][0].phx_ref, s0[bNick][0].phx_ref];
      const syncsBefore = a.watch.syncs;
      const statesBefore = a.states.got.length;
      const aJoinRef = a.channel.joinRef();

      await first.stop({ signal });
      const second = await startServer({ port, dataDir });
      extra.push(second);
      assert.equal(second.port, port);

      // Both sockets reconnect and rejoin on their own.
      const s1 = await a.watch.waitSyncAfter(syncsBefore, (st) =>
        aNick in st && bNick in st && st[aNick].length === 1 && st[bNick].length === 1 &&
        !oldRefs.includes(st[aNick][0].phx_ref) && !oldRefs.includes(st[bNick][0].phx_ref),
      20000, `${aNick} re-synced with fresh refs for both`);
      assert.ok(a.states.got.length > statesBefore, 'a fresh presence_state arrived');
      assert.notEqual(a.channel.joinRef(), aJoinRef);
      assert.ok(!a.watch.presence.inPendingSyncState());
      assert.deepEqual(Object.keys(s1).sort(), [aNick, bNick].sort());
      const lastState = a.states.got.at(-1);
      assert.ok(aNick in lastState, JSON.stringify(lastState));
      for (const m of Object.values(lastState).flatMap((p) => p.metas)) {
        assert.ok(!oldRefs.includes(m.phx_ref), `stale ref ${m.phx_ref} in the new state`);
      }
      // b's helper converges as well, and the channel still works.
      await b.watch.waitFor((st) => aNick in st && bNick in st && !oldRefs.includes(st[bNick][0].phx_ref), 20000);
      const r = await withTimeout(push(a.channel, 'new_msg', { body: 'after restart' }), 15000, 'push after restart');
      assert.equal(r.status, 'ok', JSON.stringify(r));

      // A leave after the restart carries the new ref.
      const bNewRef = a.watch.state()[bNick][0].phx_ref;
      await disconnect(b.socket);
      const d = await a.diffs.waitFor((p) => bNick in p.leaves, 8000);
      assert.deepEqual(d.leaves[bNick].metas.map((m) => m.phx_ref), [bNewRef]);
      await disconnect(a.socket);
      await second.stop();
    });
  }
});
