// Frame-level helpers: a raw WebSocket client that records every frame, the
// V2 binary codec, and a raw TCP helper for HTTP-level checks.
import net from 'node:net';
import WebSocket from 'ws';

export const DEFAULT_TIMEOUT = 5000;

// ---------------------------------------------------------------- binary codec

function field(s) {
  const b = Buffer.from(s ?? '', 'utf8');
  if (b.length > 255) throw new Error(`field over 255 bytes: ${b.length}`);
  return b;
}

// Client -> server push (kind 0, 5-byte header).
export function encodeBinaryPush({ joinRef, ref, topic, event, payload = Buffer.alloc(0) }) {
  const jr = field(joinRef), r = field(ref), t = field(topic), e = field(event);
  return Buffer.concat([
    Buffer.from([0, jr.length, r.length, t.length, e.length]),
    jr, r, t, e, Buffer.from(payload),
  ]);
}

// Server -> client frames; returns null when the layout is inconsistent so a
// test can report the raw bytes instead of throwing inside an event handler.
export function decodeServerBinary(buf) {
  const kind = buf[0];
  let off, m;
  const str = (len) => { const s = buf.subarray(off, off + len).toString('utf8'); off += len; return s; };
  try {
    if (kind === 0) {
      const [jl, tl, el] = [buf[1], buf[2], buf[3]];
      if (buf.length < 4 + jl + tl + el) return null;
      off = 4;
      m = { kind, join_ref: str(jl), ref: null, topic: str(tl), event: str(el) };
    } else if (kind === 1) {
      const [jl, rl, tl, sl] = [buf[1], buf[2], buf[3], buf[4]];
      if (buf.length < 5 + jl + rl + tl + sl) return null;
      off = 5;
      m = { kind, join_ref: str(jl), ref: str(rl), topic: str(tl), event: 'phx_reply' };
      m.status = str(sl);
    } else if (kind === 2) {
      const [tl, el] = [buf[1], buf[2]];
      if (buf.length < 3 + tl + el) return null;
      off = 3;
      m = { kind, join_ref: null, ref: null, topic: str(tl), event: str(el) };
    } else {
      return null;
    }
  } catch {
    return null;
  }
  m.payload = Buffer.from(buf.subarray(off));
  return m;
}

// ------------------------------------------------------------------ frames

// Normalises a received frame to {type, data, m} where m has the message
// fields (join_ref, ref, topic, event, payload) whatever the encoding.
function toFrame(data, isBinary) {
  if (isBinary) {
    const buf = Buffer.from(data);
    return { type: 'binary', data: buf, m: decodeServerBinary(buf) };
  }
  const text = data.toString('utf8');
  let json;
  try { json = JSON.parse(text); } catch { return { type: 'text', data: text, m: null }; }
  let m = null;
  if (Array.isArray(json)) {
    const [join_ref, ref, topic, event, payload] = json;
    m = { join_ref, ref, topic, event, payload };
  } else if (json && typeof json === 'object') {
    m = { ...json, v1: true };
  }
  return { type: 'text', data: text, json, m };
}

// spec: a predicate, or an object whose keys must equal the frame's message
// fields (plus `type`, `status` for binary replies).
function matcher(spec) {
  if (typeof spec === 'function') return spec;
  return (f) => {
    if (!f.m && Object.keys(spec).some((k) => k !== 'type')) return false;
    for (const [k, v] of Object.entries(spec)) {
      const actual = k === 'type' ? f.type : f.m[k];
      if (actual !== v) return false;
    }
    return true;
  };
}

export function describeFrame(f) {
  if (f.type === 'text') return f.data.length > 300 ? f.data.slice(0, 300) + '…' : f.data;
  return `<binary ${f.data.length} bytes ${f.data.subarray(0, 80).toString('hex')}>`;
}

// ------------------------------------------------------------------ client

export class RawClient {
  constructor(ws) {
    this.ws = ws;
    this.all = [];
    this.pending = [];
    this.waiters = [];
    this.nextRef = 1;
    this.closeInfo = null;
    this.closed = new Promise((res) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        res(this.closeInfo);
        for (const w of this.waiters.splice(0)) w.onClose();
      });
    });
    ws.on('message', (data, isBinary) => this._onFrame(toFrame(data, isBinary)));
    // Errors after open are reported through 'close'; keep them from crashing the runner.
    ws.on('error', () => {});
  }

  // Opens a WebSocket and waits for the 101; rejects with err.status on an
  // HTTP refusal.
  static open(url, { protocols, headers, origin, timeout = DEFAULT_TIMEOUT, maxPayload } = {}) {
    return new Promise((res, rej) => {
      const ws = new WebSocket(url, protocols, {
        headers, origin, perMessageDeflate: false, handshakeTimeout: timeout,
        maxPayload: maxPayload ?? 256 * 1024 * 1024,
      });
      const client = new RawClient(ws);
      ws.once('open', () => res(client));
      ws.once('unexpected-response', (req, resp) => {
        const err = new Error(`upgrade refused with HTTP ${resp.statusCode}`);
        err.status = resp.statusCode;
        err.headers = resp.headers;
        req.destroy();
        rej(err);
      });
      ws.once('error', (e) => rej(e));
    });
  }

  _onFrame(f) {
    this.all.push(f);
    const i = this.waiters.findIndex((w) => w.match(f));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w.resolve(f);
    } else {
      this.pending.push(f);
    }
  }

  get isOpen() { return this.ws.readyState === WebSocket.OPEN; }

  ref() { return String(this.nextRef++); }

  sendText(s) { this.ws.send(s, { binary: false }); }

  // Sends raw bytes as a *text* frame (used for invalid UTF-8).
  sendTextBytes(buf) { this.ws.send(buf, { binary: false }); }

  sendBinary(buf) { this.ws.send(buf, { binary: true }); }

  sendMsg(arr) { this.sendText(JSON.stringify(arr)); }

  // Sends [jr, ref, topic, event, payload] and returns the ref used.
  push(joinRef, topic, event, payload = {}, ref = this.ref()) {
    this.sendMsg([joinRef, ref, topic, event, payload]);
    return ref;
  }

  // Next (so far unconsumed or future) frame matching spec; it is consumed.
  next(spec, { timeout = DEFAULT_TIMEOUT } = {}) {
    const match = matcher(spec);
    const i = this.pending.findIndex(match);
    if (i >= 0) return Promise.resolve(this.pending.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const w = {
        match,
        resolve: (f) => { clearTimeout(w.timer); resolve(f); },
        onClose: () => {
          clearTimeout(w.timer);
          reject(new Error(`connection closed (${JSON.stringify(this.closeInfo)}) while waiting for ${specText(spec)}; ` +
            `unconsumed: ${this.pending.map(describeFrame).join(' | ')}`));
        },
      };
      if (this.closeInfo) { w.onClose(); return; }
      w.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no frame matching ${specText(spec)} within ${timeout} ms; ` +
          `unconsumed: ${this.pending.map(describeFrame).join(' | ') || '(none)'}`));
      }, timeout);
      this.waiters.push(w);
    });
  }

  // Reply to a given ref (text or binary).
  reply(ref, opts) { return this.next({ ref, event: 'phx_reply' }, opts); }

  // Sends a push and waits for its reply frame.
  async call(joinRef, topic, event, payload = {}, opts) {
    const ref = this.push(joinRef, topic, event, payload);
    return this.reply(ref, opts);
  }

  // Joins with jr = ref (as phoenix.js does); returns { jr, frame }.
  async join(topic, payload = {}, opts) {
    const jr = this.ref();
    this.push(jr, topic, 'phx_join', payload, jr);
    const frame = await this.reply(jr, opts);
    return { jr, frame, status: frame.m.payload?.status, response: frame.m.payload?.response };
  }

  async joinOk(topic, payload = {}, opts) {
    const j = await this.join(topic, payload, opts);
    if (j.status !== 'ok') throw new Error(`join of ${topic} failed: ${describeFrame(j.frame)}`);
    return j.jr;
  }

  heartbeat(opts) {
    return this.call(null, 'phoenix', 'heartbeat', {}, opts);
  }

  // Round-trips a heartbeat and returns (and consumes) every frame that was
  // still unconsumed when its reply came back. Frames on one connection are
  // answered in order, so this proves the absence of a direct reply.
  async sync(opts) {
    const ref = this.push(null, 'phoenix', 'heartbeat', {});
    await this.reply(ref, opts);
    return this.pending.splice(0);
  }

  // Same, but the sentinel goes through a joined diagnostic channel, which
  // orders it after everything that channel has emitted.
  async syncChannel(joinRef, topic, opts) {
    const ref = this.push(joinRef, topic, 'echo', { sentinel: true });
    await this.reply(ref, opts);
    return this.pending.splice(0);
  }

  takePending() { return this.pending.splice(0); }

  async expectClose({ timeout = DEFAULT_TIMEOUT } = {}) {
    let timer;
    const t = new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`connection not closed by the server within ${timeout} ms`)), timeout);
    });
    try {
      return await Promise.race([this.closed, t]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(code = 1000) {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      try { this.ws.close(code); } catch { /* ignore */ }
    }
  }

  terminate() { try { this.ws.terminate(); } catch { /* ignore */ } }
}

function specText(spec) {
  return typeof spec === 'function' ? 'predicate' : JSON.stringify(spec);
}

// Tracks clients opened by one test file so after() can close them all.
export class ClientPool {
  constructor() { this.clients = new Set(); }
  async open(url, opts) {
    const c = await RawClient.open(url, opts);
    this.clients.add(c);
    return c;
  }
  closeAll() {
    for (const c of this.clients) c.terminate();
    this.clients.clear();
  }
}

// ------------------------------------------------------------------ raw HTTP

export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function upgradeHead(port, path, extra = {}) {
  const headers = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': SAMPLE_KEY,
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  return requestHead('GET', path, headers);
}

export function requestHead(method, path, headers) {
  let s = `${method} ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined && v !== null) s += `${k}: ${v}\r\n`;
  }
  return s + '\r\n';
}

// Sends an exact request head (and optional body) over a fresh TCP
// connection and parses the response head. The body is read up to
// Content-Length, or until the server closes (bounded by `timeout`).
export function httpExchange(port, head, { body, timeout = DEFAULT_TIMEOUT } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let parsed = null;
    let done = false;
    const timer = setTimeout(() => {
      if (parsed) finish();
      else fail(new Error(`no complete HTTP response head within ${timeout} ms; got: ${JSON.stringify(buf.toString('latin1'))}`));
    }, timeout);
    function finish() {
      if (done) return;
      done = true;
      clearTimeout(timer);
      parsed.body = buf.subarray(parsed.headLength).toString('utf8');
      parsed.raw = buf.toString('latin1');
      sock.destroy();
      resolve(parsed);
    }
    function fail(e) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    }
    sock.on('connect', () => {
      sock.write(head);
      if (body) sock.write(body);
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!parsed) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const statusLine = lines[0];
        const m = statusLine.match(/^HTTP\/1\.[01] (\d{3})/);
        const headers = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        parsed = { statusLine, status: m ? Number(m[1]) : NaN, headers, headLength: end + 4 };
      }
      if (parsed.status === 101) return finish();
      const cl = parsed.headers['content-length'];
      if (cl !== undefined && buf.length >= parsed.headLength + Number(cl)) finish();
    });
    sock.on('end', () => { if (parsed) finish(); else fail(new Error(`connection closed before a response head; got: ${JSON.stringify(buf.toString('latin1'))}`)); });
    sock.on('error', (e) => { if (parsed) finish(); else fail(e); });
  });
}
