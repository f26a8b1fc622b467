// Files (docs/files-and-search.md): uploads over POST /api/files (raw and multipart), their
// limits (401, 413 before the body, the 24-hour quota), storage once per SHA-256, image
// verification and thumbnails, signed expiring URLs with the headers that keep a file from
// acting as a page, attachments in messages (broadcast, join reply, history, backfill) and
// retention (never-attached uploads, deleted messages).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { useServer } from './lib/fixture.mjs';
import { pngChunk as chunk } from './lib/png.mjs';
import { push } from './lib/phx.mjs';
import { httpExchange, requestHead } from './lib/raw.mjs';
import {
  FAST, account, guestSession, signedIn, bareGuest, joinAny, joinOk, freshNick,
} from './lib/conversations.mjs';

const MAX_UPLOAD = 600000;
const QUOTA = 2000000;
const ctx = useServer({
  args: [...FAST, '--max-upload-bytes', String(MAX_UPLOAD), '--upload-quota-bytes', String(QUOTA)],
});
// Short-lived URLs, a short grace for unattached uploads, a fast retention pass that keeps
// the newest message of each room only.
const fast = useServer({
  args: [...FAST, '--file-url-ms', '4000', '--orphan-file-ms', '500', '--retention-interval-ms', '100',
    '--retention-messages', '1'],
});

// ------------------------------------------------------------------ helpers

// An opaque RGB PNG of width x height (a gradient, so that it is not trivially small), or a
// PNG whose header claims that size over almost no data (`claimOnly`).
function png(width, height, { claimOnly = false, seed = 0 } = {}) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  let idat;
  if (claimOnly) {
    idat = deflateSync(Buffer.alloc(1024));
  } else {
    const raw = Buffer.alloc((width * 3 + 1) * height);
    for (let y = 0; y < height; y += 1) {
      const row = y * (width * 3 + 1);
      for (let x = 0; x < width; x += 1) {
        raw[row + 1 + x * 3] = (x + seed) & 0xff;
        raw[row + 2 + x * 3] = y & 0xff;
        raw[row + 3 + x * 3] = (x ^ y) & 0xff;
      }
    }
    idat = deflateSync(raw);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0)),
  ]);
}

const base = (server) => `http://127.0.0.1:${server.port}`;

// Uploads `bytes` as the raw body; resolves with { status, json, headers }.
async function upload(server, token, bytes, { name = 'file.bin', type = 'application/octet-stream' } = {}) {
  const headers = { 'Content-Type': type };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`${base(server)}/api/files?filename=${encodeURIComponent(name)}`,
    { method: 'POST', headers, body: bytes });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, json, headers: r.headers, text };
}

async function uploadOk(server, token, bytes, opts) {
  const r = await upload(server, token, bytes, opts);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function get(server, url, headers = {}) {
  const r = await fetch(`${base(server)}${url}`, { headers });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const contentPath = (server, hash) => joinPath(server.dataDir, 'files', hash.slice(0, 2), hash);

async function eventually(check, what, timeout = 8000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) assert.fail(`not within ${timeout} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const room = (name) => `chatter:room:${name}`;

// ------------------------------------------------------------------ uploads

describe('upload', () => {
  test('raw body: 201 with the attachment object; the signed URL serves the same bytes', async () => {
    const me = await guestSession(ctx.server);
    const bytes = Buffer.from('hello, files\n');
    const r = await upload(ctx.server, me.token, bytes, { name: 'dir/../notes.txt', type: 'text/plain' });
    assert.equal(r.status, 201, r.text);
    const f = r.json;
    assert.match(f.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(f.name, 'notes.txt'); // the last path component only
    assert.equal(f.size, bytes.length);
    assert.equal(f.type, 'text/plain');
    assert.equal(f.width, undefined);
    assert.equal(f.thumb_url, undefined);
    assert.match(f.url, new RegExp(`^/files/${f.id}/notes\\.txt\\?exp=\\d+&sig=[A-Za-z0-9_-]+$`));
    const got = await get(ctx.server, f.url);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, bytes);
    assert.equal(got.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.match(got.headers.get('content-disposition'), /^attachment; filename="notes.txt"; filename\*=UTF-8''notes.txt$/);
    assert.equal(got.headers.get('etag'), `"${sha256(bytes)}"`);
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(got.headers.get('content-security-policy'),
      "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
    assert.equal(got.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.equal(got.headers.get('accept-ranges'), 'bytes');
    assert.match(got.headers.get('cache-control'), /^private, max-age=\d+$/);
  });

  test('multipart/form-data: the part named file, its filename and type', async () => {
    const me = await account(ctx.server, 'Up');
    const form = new FormData();
    form.append('note', 'ignored');
    form.append('file', new Blob([png(40, 30)], { type: 'image/png' }), 'tiny picture.png');
    const r = await fetch(`${base(ctx.server)}/api/files`,
      { method: 'POST', headers: { Authorization: `Bearer ${me.token}` }, body: form });
    const f = await r.json();
    assert.equal(r.status, 201, JSON.stringify(f));
    assert.equal(f.name, 'tiny picture.png');
    assert.equal(f.type, 'image/png');
    assert.deepEqual([f.width, f.height], [40, 30]);
    assert.match(f.url, /\/tiny%20picture\.png\?/);
    // A form without a file part, and a raw body without a name, are refused.
    const empty = new FormData();
    empty.append('other', new Blob(['x']), 'x.txt');
    const bad = await fetch(`${base(ctx.server)}/api/files`,
      { method: 'POST', headers: { Authorization: `Bearer ${me.token}` }, body: empty });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error, 'bad request');
    const nameless = await fetch(`${base(ctx.server)}/api/files`,
      { method: 'POST', headers: { Authorization: `Bearer ${me.token}` }, body: 'x' });
    assert.equal(nameless.status, 400);
  });

  test('401 without a session token, with an unknown one', async () => {
    for (const token of [null, 'not-a-token']) {
      const r = await upload(ctx.server, token, Buffer.from('x'), { name: 'x.txt' });
      assert.equal(r.status, 401);
      assert.equal(r.json.error, 'unauthorized');
      assert.equal(typeof r.json.message, 'string');
    }
  });

  test('413 from the request head, before the body is sent', async () => {
    const me = await guestSession(ctx.server);
    // Only the head: a body of a gigabyte is announced and never sent.
    const head = requestHead('POST', '/api/files?filename=big.bin', {
      Host: `127.0.0.1:${ctx.server.port}`, Authorization: `Bearer ${me.token}`,
      'Content-Type': 'application/octet-stream', 'Content-Length': String(1 << 30),
    });
    const r = await httpExchange(ctx.server.port, head);
    assert.equal(r.status, 413);
    assert.equal(JSON.parse(r.body).error, 'too large');
    assert.equal(JSON.parse(r.body).limit, MAX_UPLOAD);
    // Just over the limit, sent whole: 413 too (the file itself is measured).
    const over = await upload(ctx.server, me.token, Buffer.alloc(MAX_UPLOAD + 1), { name: 'over.bin' });
    assert.equal(over.status, 413);
    assert.deepEqual([over.json.error, over.json.limit], ['too large', MAX_UPLOAD]);
    const at = await upload(ctx.server, me.token, Buffer.alloc(MAX_UPLOAD, 7), { name: 'at.bin' });
    assert.equal(at.status, 201, at.text);
  });

  test('quota: uploads over the 24-hour limit get 429 with Retry-After', async () => {
    const me = await guestSession(ctx.server);
    const piece = MAX_UPLOAD - 1000;
    let used = 0;
    for (let i = 0; used + piece <= QUOTA; i += 1) {
      await uploadOk(ctx.server, me.token, Buffer.alloc(piece, i + 1), { name: `q${i}.bin` });
      used += piece;
    }
    const r = await upload(ctx.server, me.token, Buffer.alloc(piece, 99), { name: 'one-more.bin' });
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json.error, 'quota');
    assert.equal(r.json.limit, QUOTA);
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(wait > 0 && wait <= 86400, `Retry-After ${wait}`);
    // Another identity is not affected.
    const other = await guestSession(ctx.server);
    await uploadOk(ctx.server, other.token, Buffer.alloc(piece, 99), { name: 'other.bin' });
  });

  test('the same content uploaded twice is two uploads and one file on disk', async () => {
    const me = await guestSession(ctx.server);
    const bytes = Buffer.from(`dedup ${Date.now()} ${Math.random()}`);
    const a = await uploadOk(ctx.server, me.token, bytes, { name: 'a.txt', type: 'text/plain' });
    const b = await uploadOk(ctx.server, me.token, bytes, { name: 'b.txt', type: 'text/plain' });
    assert.notEqual(a.id, b.id);
    const hash = sha256(bytes);
    const dir = joinPath(ctx.server.dataDir, 'files', hash.slice(0, 2));
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith(hash)), [hash]);
    assert.deepEqual((await get(ctx.server, b.url)).body, bytes);
  });
});

// ------------------------------------------------------------------ types and serving

describe('types and serving', () => {
  test('an image gets width, height and a thumbnail of at most 320x320, aspect kept', async () => {
    const me = await guestSession(ctx.server);
    const f = await uploadOk(ctx.server, me.token, png(1000, 500), { name: 'wide.png', type: 'image/png' });
    assert.equal(f.type, 'image/png');
    assert.deepEqual([f.width, f.height], [1000, 500]);
    assert.deepEqual([f.thumb_width, f.thumb_height], [320, 160]);
    assert.match(f.thumb_url, new RegExp(`^/files/${f.id}/thumb\\?exp=\\d+&sig=`));
    const thumb = await get(ctx.server, f.thumb_url);
    assert.equal(thumb.status, 200);
    // Opaque: a JPEG.
    assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual([...thumb.body.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    assert.match(thumb.headers.get('content-disposition'), /^inline;/);
    assert.ok(thumb.body.length < 64 * 1024, `thumbnail of ${thumb.body.length} bytes`);
    const full = await get(ctx.server, f.url);
    assert.equal(full.headers.get('content-type'), 'image/png');
    assert.match(full.headers.get('content-disposition'), /^inline; filename="wide.png"/);
  });

  test('a file claiming to be an image that is not is served as a download', async () => {
    const me = await guestSession(ctx.server);
    const html = Buffer.from('<html><script>alert(document.cookie)</script></html>');
    const fake = await uploadOk(ctx.server, me.token, html, { name: 'cat.png', type: 'image/png' });
    assert.equal(fake.type, 'application/octet-stream');
    assert.equal(fake.width, undefined);
    assert.equal(fake.thumb_url, undefined);
    const got = await get(ctx.server, fake.url);
    assert.equal(got.headers.get('content-type'), 'application/octet-stream');
    assert.match(got.headers.get('content-disposition'), /^attachment;/);
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    // A header claiming a huge image over no pixels (a decompression bomb) is no image either.
    const bomb = await uploadOk(ctx.server, me.token, png(100000, 100000, { claimOnly: true }),
      { name: 'bomb.png', type: 'image/png' });
    assert.equal(bomb.type, 'application/octet-stream');
    assert.equal(bomb.thumb_url, undefined);
  });

  test('SVG and HTML are never inline', async () => {
    const me = await guestSession(ctx.server);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const s = await uploadOk(ctx.server, me.token, svg, { name: 'logo.svg', type: 'image/svg+xml' });
    assert.equal(s.type, 'application/octet-stream'); // claims an image, is none Qt shows
    const h = await uploadOk(ctx.server, me.token, Buffer.from('<h1>hi</h1>'), { name: 'page.html', type: 'text/html' });
    assert.equal(h.type, 'text/html');
    for (const f of [s, h]) {
      const got = await get(ctx.server, f.url);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-type'), 'application/octet-stream');
      assert.match(got.headers.get('content-disposition'), /^attachment; filename="/);
      assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
      assert.match(got.headers.get('content-security-policy'), /sandbox/);
    }
  });

  test('signatures: tampered, missing, moved to another id or variant: 403 forbidden', async () => {
    const me = await guestSession(ctx.server);
    const a = await uploadOk(ctx.server, me.token, png(20, 20), { name: 'a.png', type: 'image/png' });
    const b = await uploadOk(ctx.server, me.token, Buffer.from('b'), { name: 'b.txt' });
    const u = new URL(a.url, 'http://x');
    const sig = u.searchParams.get('sig');
    const exp = u.searchParams.get('exp');
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    const cases = [
      `/files/${a.id}/a.png?exp=${exp}&sig=${flipped}`,
      `/files/${a.id}/a.png?exp=${Number(exp) + 3600}&sig=${sig}`,
      `/files/${a.id}/a.png`,
      `/files/${a.id}/a.png?exp=${exp}`,
      `/files/${b.id}/b.txt?exp=${exp}&sig=${sig}`,
      `/files/${a.id}/thumb?exp=${exp}&sig=${new URL(b.url, 'http://x').searchParams.get('sig')}`,
    ];
    for (const url of cases) {
      const r = await get(ctx.server, url);
      assert.equal(r.status, 403, url);
      assert.deepEqual(JSON.parse(r.body.toString()), { error: 'forbidden' }, url);
    }
    // The name in the path is not part of the permission, the id and the variant are: the
    // file's signature on a path ending in "thumb" (a file may be called that) is the file.
    assert.equal((await get(ctx.server, `/files/${a.id}/other.png?exp=${exp}&sig=${sig}`)).status, 200);
    const original = await get(ctx.server, `/files/${a.id}/thumb?exp=${exp}&sig=${sig}`);
    assert.deepEqual(original.body, (await get(ctx.server, a.url)).body);
    const t = new URL(a.thumb_url, 'http://x');
    const thumbSig = t.searchParams.get('sig');
    assert.equal((await get(ctx.server, `/files/${a.id}/a.png?exp=${t.searchParams.get('exp')}&sig=${thumbSig}`)).status, 403);
    assert.equal((await get(ctx.server, a.url.replace(a.id, 'AAAAAAAAAAAAAAAAAAAAAA'))).status, 403);
  });

  test('Range, ETag and 304', async () => {
    const me = await guestSession(ctx.server);
    const bytes = Buffer.from('0123456789abcdef');
    const f = await uploadOk(ctx.server, me.token, bytes, { name: 'digits.txt', type: 'text/plain' });
    const part = await get(ctx.server, f.url, { Range: 'bytes=2-5' });
    assert.equal(part.status, 206);
    assert.equal(part.body.toString(), '2345');
    assert.equal(part.headers.get('content-range'), `bytes 2-5/${bytes.length}`);
    const tail = await get(ctx.server, f.url, { Range: 'bytes=-3' });
    assert.equal(tail.status, 206);
    assert.equal(tail.body.toString(), 'def');
    const open = await get(ctx.server, f.url, { Range: 'bytes=10-' });
    assert.equal(open.body.toString(), 'abcdef');
    const beyond = await get(ctx.server, f.url, { Range: 'bytes=100-' });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${bytes.length}`);
    const etag = (await get(ctx.server, f.url)).headers.get('etag');
    const cached = await get(ctx.server, f.url, { 'If-None-Match': etag });
    assert.equal(cached.status, 304);
    assert.equal(cached.body.length, 0);
    assert.equal((await get(ctx.server, f.url, { 'If-None-Match': '"other"' })).status, 200);
    // Every file answer carries the headers that keep it from acting as a page.
    for (const r of [part, beyond, cached]) {
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.match(r.headers.get('content-security-policy'), /^default-src 'none';.*sandbox$/);
      assert.equal(r.headers.get('cross-origin-resource-policy'), 'same-origin');
    }
    assert.match(part.headers.get('content-disposition'), /^attachment;/);
    assert.equal(cached.headers.get('etag'), etag);
  });

  test('a larger file is served whole and intact', async () => {
    const me = await guestSession(ctx.server);
    const bytes = Buffer.alloc(MAX_UPLOAD - 10);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7 + (i >> 9)) & 0xff;
    const f = await uploadOk(ctx.server, me.token, bytes, { name: 'big.bin' });
    const got = await get(ctx.server, f.url);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-length'), String(bytes.length));
    assert.equal(sha256(got.body), sha256(bytes));
    // A large range, streamed like the whole file.
    const part = await get(ctx.server, f.url, { Range: 'bytes=1000-400999' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-length'), '400000');
    assert.equal(part.headers.get('content-range'), `bytes 1000-400999/${bytes.length}`);
    assert.equal(sha256(part.body), sha256(bytes.subarray(1000, 401000)));
    // HEAD: the headers only.
    const head = await fetch(`${base(ctx.server)}${f.url}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });
});

// ------------------------------------------------------------------ messages

describe('attachments in messages', () => {
  test('broadcast, join reply, history and backfill carry them, with working URLs', async () => {
    const ann = await account(ctx.server, 'Att');
    const bob = await account(ctx.server, 'Bee');
    const name = freshNick('files').toLowerCase();
    const picture = await uploadOk(ctx.server, ann.token, png(400, 400, { seed: 3 }), { name: 'p.png', type: 'image/png' });
    const doc = await uploadOk(ctx.server, ann.token, Buffer.from('a document'), { name: 'd.txt', type: 'text/plain' });
    const annSocket = await signedIn(ctx, ann.token);
    const bobSocket = await signedIn(ctx, bob.token);
    const annRoom = await joinOk(annSocket, room(name));
    const bobRoom = await joinOk(bobSocket, room(name), {}, ['new_msg']);

    const sent = await push(annRoom.channel, 'new_msg', { body: '', attachments: [doc.id, picture.id] });
    assert.equal(sent.status, 'ok', JSON.stringify(sent));
    const seen = await bobRoom.new_msg.waitFor((m) => m.id === sent.response.id);
    assert.equal(seen.body, '');
    assert.deepEqual(seen.attachments.map((a) => a.id), [doc.id, picture.id]); // in the order given
    const [d, p] = seen.attachments;
    assert.deepEqual({ name: d.name, size: d.size, type: d.type }, { name: 'd.txt', size: 10, type: 'text/plain' });
    assert.deepEqual([p.width, p.height, p.thumb_width, p.thumb_height], [400, 400, 320, 320]);
    assert.equal((await get(ctx.server, d.url)).body.toString(), 'a document');
    assert.equal((await get(ctx.server, p.thumb_url)).status, 200);

    // History pages.
    const page = await push(bobRoom.channel, 'history', { limit: 10 });
    const inPage = page.response.messages.find((m) => m.id === sent.response.id);
    assert.deepEqual(inPage.attachments.map((a) => a.id), [doc.id, picture.id]);
    assert.equal((await get(ctx.server, inPage.attachments[1].url)).status, 200);
    // A join reply, and the backfill of a rejoin.
    const late = await signedIn(ctx, bob.token);
    const joined = await joinOk(late, room(name));
    const inJoin = joined.response.messages.find((m) => m.id === sent.response.id);
    assert.deepEqual(inJoin.attachments.map((a) => a.name), ['d.txt', 'p.png']);
    const again = await signedIn(ctx, bob.token);
    const backfill = await joinOk(again, room(name), { last_seen_id: sent.response.id - 1 });
    assert.deepEqual(backfill.response.messages.find((m) => m.id === sent.response.id)
      .attachments.map((a) => a.id), [doc.id, picture.id]);
    // A message with text and a file; an edit keeps the files.
    const both = await push(annRoom.channel, 'new_msg', { body: 'see this', attachments: [doc.id] });
    assert.equal(both.status, 'ok');
    assert.equal((await push(annRoom.channel, 'edit_msg', { id: both.response.id, body: 'see that' })).status, 'ok');
    const edited = (await push(bobRoom.channel, 'history', { limit: 1 })).response.messages[0];
    assert.equal(edited.body, 'see that');
    assert.deepEqual(edited.attachments.map((a) => a.id), [doc.id]);
    // A rejoin's `changes` carry them too.
    const caughtUp = await signedIn(ctx, bob.token);
    const rejoined = await joinOk(caughtUp, room(name), { last_seen_id: both.response.id, last_change_seq: 0 });
    const change = rejoined.response.changes.find((m) => m.id === both.response.id);
    assert.equal(change.body, 'see that');
    assert.deepEqual(change.attachments.map((a) => a.id), [doc.id]);
    assert.equal((await get(ctx.server, change.attachments[0].url)).status, 200);
  });

  test('only the uploader may attach a file; at most ten; no empty message without files', async () => {
    const ann = await account(ctx.server, 'Own');
    const bob = await guestSession(ctx.server);
    const mine = await uploadOk(ctx.server, ann.token, Buffer.from('mine'), { name: 'm.txt' });
    const name = freshNick('only').toLowerCase();
    const bobSocket = await signedIn(ctx, bob.token);
    const bobRoom = await joinOk(bobSocket, room(name));
    assert.deepEqual(await push(bobRoom.channel, 'new_msg', { body: 'stolen', attachments: [mine.id] }),
      { status: 'error', response: { reason: 'no such file' } });
    assert.deepEqual(await push(bobRoom.channel, 'new_msg', { body: 'x', attachments: ['nope'] }),
      { status: 'error', response: { reason: 'no such file' } });
    // A bare guest (no session) has no uploads at all.
    const bare = await bareGuest(ctx);
    const bareRoom = await joinOk(bare, room(name));
    assert.equal((await push(bareRoom.channel, 'new_msg', { body: 'x', attachments: [mine.id] })).response.reason, 'no such file');

    const annSocket = await signedIn(ctx, ann.token);
    const annRoom = await joinOk(annSocket, room(name));
    const eleven = Array(11).fill(mine.id);
    assert.equal((await push(annRoom.channel, 'new_msg', { body: 'x', attachments: eleven })).response.reason, 'too many attachments');
    assert.equal((await push(annRoom.channel, 'new_msg', { body: '', attachments: Array(10).fill(mine.id) })).status, 'ok');
    assert.equal((await push(annRoom.channel, 'new_msg', { body: '' })).response.reason, 'body is empty');
    assert.equal((await push(annRoom.channel, 'new_msg', { body: 'x', attachments: 'nope' })).status, 'error');
    // The same file in two messages.
    assert.equal((await push(annRoom.channel, 'new_msg', { body: 'again', attachments: [mine.id] })).status, 'ok');
  });

  test('a private room\'s file: outsiders get no signed URL, and an unsigned one is 403', async () => {
    const ann = await account(ctx.server, 'Pri');
    const eve = await account(ctx.server, 'Eve');
    const name = freshNick('secret').toLowerCase();
    const secret = await uploadOk(ctx.server, ann.token, Buffer.from('the plans'), { name: 'plans.txt', type: 'text/plain' });
    const annSocket = await signedIn(ctx, ann.token);
    const own = await joinOk(annSocket, room(name), { private: true });
    assert.equal((await push(own.channel, 'new_msg', { body: 'plans', attachments: [secret.id] })).status, 'ok');
    const eveSocket = await signedIn(ctx, eve.token);
    const refused = await joinAny(eveSocket, room(name));
    assert.deepEqual(refused.response, { reason: 'forbidden' });
    for (const url of [`/files/${secret.id}/plans.txt`, `/files/${secret.id}/plans.txt?exp=9999999999&sig=x`]) {
      const r = await get(ctx.server, url);
      assert.equal(r.status, 403);
      assert.ok(!r.body.toString().includes('the plans'));
    }
  });
});

// ------------------------------------------------------------------ expiry and retention

describe('expiry and retention', () => {
  test('a URL past its exp is 403 expired; the next history read signs a fresh one', async () => {
    const me = await account(fast.server, 'Exp');
    const f = await uploadOk(fast.server, me.token, Buffer.from('soon gone'), { name: 'e.txt' });
    const socket = await signedIn(fast, me.token);
    const name = freshNick('exp').toLowerCase();
    const joined = await joinOk(socket, room(name));
    assert.equal((await push(joined.channel, 'new_msg', { body: 'e', attachments: [f.id] })).status, 'ok');
    const first = (await push(joined.channel, 'history', { limit: 1 })).response.messages[0].attachments[0].url;
    assert.equal((await get(fast.server, first)).status, 200);
    await eventually(async () => (await get(fast.server, first)).status === 403, 'the URL expires');
    assert.deepEqual(JSON.parse((await get(fast.server, first)).body.toString()), { error: 'expired' });
    const fresh = (await push(joined.channel, 'history', { limit: 1 })).response.messages[0].attachments[0].url;
    assert.notEqual(fresh, first);
    assert.equal((await get(fast.server, fresh)).status, 200);
  });

  test('an upload never attached is removed after the grace period', async () => {
    const me = await guestSession(fast.server);
    const bytes = Buffer.from(`orphan ${Math.random()}`);
    const f = await uploadOk(fast.server, me.token, png(50, 50, { seed: 9 }), { name: 'o.png', type: 'image/png' });
    const t = await uploadOk(fast.server, me.token, bytes, { name: 'o.txt' });
    const hash = sha256(bytes);
    assert.ok(existsSync(contentPath(fast.server, hash)));
    await eventually(() => !existsSync(contentPath(fast.server, hash)), 'the orphan content is removed');
    assert.equal((await get(fast.server, t.url)).status, 404);
    assert.equal((await get(fast.server, f.thumb_url)).status, 404);
    // And it can no longer be attached.
    const socket = await signedIn(fast, me.token);
    const joined = await joinOk(socket, room(freshNick('late').toLowerCase()));
    assert.equal((await push(joined.channel, 'new_msg', { body: 'x', attachments: [t.id] })).response.reason, 'no such file');
  });

  test('an attached file stays; deleting its message removes it at the next retention pass', async () => {
    const me = await account(fast.server, 'Del');
    const bytes = Buffer.from(`kept until deleted ${Math.random()}`);
    const f = await uploadOk(fast.server, me.token, bytes, { name: 'k.txt' });
    const socket = await signedIn(fast, me.token);
    const joined = await joinOk(socket, room(freshNick('del').toLowerCase()));
    const sent = await push(joined.channel, 'new_msg', { body: 'keep', attachments: [f.id] });
    assert.equal(sent.status, 'ok');
    // Well past the grace period and many retention passes.
    await new Promise((r) => setTimeout(r, 1500));
    const hash = sha256(bytes);
    assert.ok(existsSync(contentPath(fast.server, hash)), 'an attached file is kept');
    const url = (await push(joined.channel, 'history', { limit: 1 })).response.messages[0].attachments[0].url;
    assert.equal((await get(fast.server, url)).status, 200);
    assert.equal((await push(joined.channel, 'delete_msg', { id: sent.response.id })).status, 'ok');
    const page = await push(joined.channel, 'history', { limit: 1 });
    assert.deepEqual(page.response.messages[0], { id: sent.response.id, deleted: true });
    await eventually(() => !existsSync(contentPath(fast.server, hash)), 'the content is removed');
    assert.equal((await get(fast.server, url)).status, 404);
  });

  test('a message pruned by retention takes its file along; a file another message keeps stays', async () => {
    const me = await account(fast.server, 'Pru');
    const old = Buffer.from(`pruned ${Math.random()}`);
    const shared = Buffer.from(`shared ${Math.random()}`);
    const a = await uploadOk(fast.server, me.token, old, { name: 'old.txt' });
    const s = await uploadOk(fast.server, me.token, shared, { name: 'shared.txt' });
    const socket = await signedIn(fast, me.token);
    const joined = await joinOk(socket, room(freshNick('prune').toLowerCase()));
    assert.equal((await push(joined.channel, 'new_msg', { body: 'first', attachments: [a.id, s.id] })).status, 'ok');
    // The newer message keeps `shared`; the first one is pruned (one message per room).
    assert.equal((await push(joined.channel, 'new_msg', { body: 'second', attachments: [s.id] })).status, 'ok');
    await eventually(() => !existsSync(contentPath(fast.server, sha256(old))), 'the pruned file is removed');
    await new Promise((r) => setTimeout(r, 500)); // several more passes
    assert.ok(existsSync(contentPath(fast.server, sha256(shared))), 'a file still referred to stays');
    const page = await push(joined.channel, 'history', { limit: 10 });
    assert.deepEqual(page.response.messages.map((m) => m.body), ['second']);
    assert.equal((await get(fast.server, page.response.messages[0].attachments[0].url)).status, 200);
  });
});
