// ~300 malformed frames from 20 concurrent connections while an official
// client keeps chatting: every bad connection must be closed by the server
// with the right code, and nobody else may notice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, nick } from './lib/fixture.mjs';
import { RawClient, encodeBinaryPush } from './lib/raw.mjs';
import { makeSocket, connect, join, push, collect, disconnect } from './lib/phx.mjs';

const ctx = useServer({ args: ['--workers', '2'] });

// Deterministic PRNG so a failing case can be reproduced by index.
function mulberry32(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(0xc4a77e);
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];

const M = 1011, BIG = 1009, UTF = 1007;
const text = (s) => ({ text: s });
const bin = (b) => ({ binary: Buffer.from(b) });
const good = '[null,"1","phoenix","heartbeat",{}]';

function buildCases() {
  const cases = [];
  const add = (name, frames, codes = [M]) => cases.push({ name, frames, codes });

  // Bad JSON: every strict prefix of a JSON array is invalid.
  for (let i = 0; i < 30; i++) add(`prefix ${i}`, [text(good.slice(0, int(good.length)))]);
  for (const s of ['{', '}', 'nul', 'tru', '[1,]', '[,]', "['a']", 'NaN', 'undefined', good + ']', good + good,
    '[null,"1","phoenix","heartbeat",{}', '[null "1"]', '\u0000', ' ', '\n', '[null,"1","phoenix","heartbeat",{a:1}]',
    '[null,"1","phoenix","heartbeat",{"a":}]', '[01,"1","phoenix","heartbeat",{}]']) {
    add(`bad json ${JSON.stringify(s).slice(0, 30)}`, [text(s)]);
  }

  // Wrong shapes: not an array, or fewer than 5 elements.
  const scalars = [0, -1, 3.5, 'str', true, false, null, {}, { topic: 'phoenix' }, []];
  for (const v of scalars) add(`non-array ${JSON.stringify(v)}`, [text(JSON.stringify(v))]);
  for (let i = 0; i < 30; i++) {
    const len = int(5);
    add(`short array ${len}`, [text(JSON.stringify(Array.from({ length: len }, () => pick([null, '1', 'phoenix', 'heartbeat', {}, 5]))))]);
  }

  // Five (or more) elements with a wrongly typed field.
  const wrong = {
    // Refs are opaque (numbers are tolerated), so only non-scalar/boolean refs are wrong.
    0: [true, {}, [], { jr: '1' }],
    1: [false, {}, ['1'], [null]],
    2: [1, null, {}, [], true, 3.5, ['phoenix']],
    3: [1, null, {}, [], false, ['heartbeat']],
  };
  for (let i = 0; i < 70; i++) {
    const msg = [null, String(i), pick(['phoenix', 'chatter:room:g', 'chatter:diag:g']), pick(['heartbeat', 'phx_join', 'new_msg', 'echo']), {}];
    const field = int(4);
    msg[field] = pick(wrong[field]);
    if (rnd() < 0.3) msg.push('extra', int(100));
    add(`wrong type field ${field}`, [text(JSON.stringify(msg))]);
  }

  // Deep nesting, as the whole frame and inside a wrongly typed field.
  for (const depth of [10000, 10000, 50000]) add(`nested arrays ${depth}`, [text('['.repeat(depth) + ']'.repeat(depth))]);
  add('nested objects 10000', [text('{"a":'.repeat(10000) + '1' + '}'.repeat(10000))]);
  add('nested unterminated 10000', [text('['.repeat(10000))]);
  add('nested topic 10000', [text(`[null,"1",${'['.repeat(10000)}${']'.repeat(10000)},"heartbeat",{}]`)]);
  add('nested event 10000', [text(`[null,"1","phoenix",${'{"a":'.repeat(10000)}1${'}'.repeat(10000)},{}]`)]);

  // Huge topics (> 64 KB) followed by a malformed frame on the same connection.
  for (let i = 0; i < 12; i++) {
    const topic = pick(['chatter:room:', 'chatter:diag:', 'nope:', '']) + 'T'.repeat(65536 + int(20000));
    const ev = pick(['phx_join', 'heartbeat', 'echo', 'phx_leave']);
    add(`huge topic ${topic.length}`, [text(JSON.stringify([String(i), String(i), topic, ev, {}])), text(pick(['x', '[]', '{}']))]);
  }
  add('huge topic with numeric event', [text(JSON.stringify([null, '1', 'T'.repeat(70000), 5, {}]))]);

  // Random bytes as binary frames; the kind byte is never 0 so they cannot be valid pushes.
  for (let i = 0; i < 50; i++) {
    const b = Buffer.alloc(1 + int(300));
    for (let k = 0; k < b.length; k++) b[k] = int(256);
    b[0] = 3 + int(253);
    add(`random binary ${i}`, [bin(b)]);
  }

  // Truncated binary pushes: lengths promise more bytes than the frame has.
  for (let i = 0; i < 25; i++) {
    const full = encodeBinaryPush({ joinRef: '1', ref: String(i), topic: 'chatter:diag:g', event: 'echo' });
    const cut = int(full.length);
    add(`truncated binary at ${cut}`, [bin(full.subarray(0, cut))]);
  }
  add('binary header lengths too long', [bin([0, 255, 255, 255, 255, 0x61, 0x62])]);

  // Kinds a client must never send, with plausible headers.
  for (let i = 0; i < 20; i++) {
    const kind = pick([1, 2, 3, 4, 9, 127, 128, 255]);
    add(`binary kind ${kind}`, [bin(Buffer.concat([Buffer.from([kind, 1, 1, 7, 2]), Buffer.from('11phoenixok{}')]))]);
  }

  // Invalid UTF-8 in text frames.
  const badUtf8 = [[0x80], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xfe, 0xff]];
  for (let i = 0; i < 15; i++) {
    const prefix = Buffer.from('[null,"1","phoenix","heartbeat",{"x":"');
    add(`invalid utf-8 ${i}`, [{ textBytes: Buffer.concat([prefix, Buffer.from(pick(badUtf8)), Buffer.from('"}]')]) }], [UTF]);
  }

  // Over the default 1 MiB frame limit.
  for (let i = 0; i < 4; i++) {
    add(`oversize ${i}`, [i % 2 ? { binary: Buffer.alloc(1048577 + i, 0) } : text('['.repeat(1048577 + i))], [BIG]);
  }
  return cases;
}

async function runCase(c, i) {
  const client = await RawClient.open(ctx.server.wsUrl({ vsn: '2.0.0', user: nick('g') }), { timeout: 10000 });
  try {
    // Some connections get some state first, so teardown of joined channels is exercised too.
    if (i % 3 === 0) await client.joinOk(`chatter:room:garbage${i % 5}`, {}, { timeout: 10000 });
    if (i % 3 === 1) await client.joinOk(`chatter:diag:garbage${i % 5}`, {}, { timeout: 10000 });
    for (const f of c.frames) {
      if (!client.isOpen) break;
      if (f.text !== undefined) client.sendText(f.text);
      else if (f.textBytes) client.sendTextBytes(f.textBytes);
      else client.sendBinary(f.binary);
    }
    const info = await client.expectClose({ timeout: 15000 });
    if (!c.codes.includes(info.code)) return `case ${i} (${c.name}): closed with ${info.code}, expected ${c.codes.join('/')}`;
    return null;
  } catch (e) {
    return `case ${i} (${c.name}): ${e.message.slice(0, 300)}`;
  } finally {
    client.terminate();
  }
}

test('malformed-frame storm while a well-behaved client chats', { timeout: 240000 }, async (t) => {
  const cases = buildCases();
  assert.ok(cases.length >= 280, `only ${cases.length} cases`);

  // One steady client per official version, each chatting in its own room.
  const steady = [];
  for (const v of ['1.8', '1.7']) {
    const sock = makeSocket(v, ctx.server, { params: { user: `steady${v.replace('.', '')}` } });
    ctx.onCleanup(() => disconnect(sock));
    await connect(sock);
    const ch = sock.channel(`chatter:room:steady${v.replace('.', '')}`, {});
    const seen = collect(ch, 'new_msg');
    await join(ch);
    steady.push({ v, ch, seen });
  }

  let done = false;
  const chats = steady.map(async ({ ch }) => {
    const results = [];
    // Bounded both by count and by the storm finishing.
    for (let n = 0; n < 20000 && !done; n++) {
      results.push(await push(ch, 'new_msg', { body: `steady ${n}` }));
    }
    return results;
  });

  const failures = [];
  let next = 0;
  const workers = Array.from({ length: 20 }, async () => {
    while (next < cases.length) {
      const i = next++;
      const f = await runCase(cases[i], i);
      if (f) failures.push(f);
    }
  });
  await Promise.all(workers);
  done = true;
  const replyLists = await Promise.all(chats);

  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${cases.length} bad connections misbehaved`);
  assert.ok(ctx.server.alive, `server died: ${JSON.stringify(ctx.server.exitInfo)}`);
  for (const [i, replies] of replyLists.entries()) {
    const { v, ch, seen } = steady[i];
    t.diagnostic(`phoenix.js ${v}: ${replies.length} replies during the storm`);
    assert.ok(replies.length > 0, `the ${v} client never got a reply`);
    const bad = replies.filter((r) => r.status !== 'ok');
    assert.deepEqual(bad, [], `${v} client got non-ok replies during the storm`);
    const last = await push(ch, 'new_msg', { body: 'after the storm' });
    assert.equal(last.status, 'ok');
    await seen.waitFor((p) => p.id === last.response.id);
    assert.equal(ch.state, 'joined');
  }

  const fresh = await RawClient.open(ctx.server.wsUrl({ vsn: '2.0.0', user: nick('fresh') }));
  try {
    assert.equal((await fresh.heartbeat()).m.payload.status, 'ok');
  } finally { fresh.terminate(); }
  assert.match(ctx.server.logSince(0), /malformed|protocol error/i);
});
