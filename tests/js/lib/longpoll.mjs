// Raw HTTP helpers for the long-poll transport (/socket/longpoll): one
// request at a time over node:http (so Host and Origin can be set exactly),
// and a small session driver that follows the phoenix.js poll loop by hand.
import { DEFAULT_TIMEOUT } from './raw.mjs';
import { httpRequest } from './http.mjs';

export const LP_PATH = '/socket/longpoll';

// Query string from a string (without '?'), an object, or an array of
// [key, value] pairs (for repeated keys such as two `token`s).
export function queryString(query) {
  if (query === undefined || query === null) return '';
  if (typeof query === 'string') return query;
  return new URLSearchParams(Array.isArray(query) ? query : Object.entries(query)).toString();
}

// Sends one request and resolves with { status, headers, body, json }.
// json is the parsed body, or undefined when it is not JSON.
export function lpRequest(server, method, query, { headers = {}, body, timeout = DEFAULT_TIMEOUT, path = LP_PATH } = {}) {
  const qs = queryString(query);
  return httpRequest(server, method, qs === '' ? path : `${path}?${qs}`, { headers, body, timeout });
}

// Decodes the string elements of a GET body into { join_ref, ref, topic,
// event, payload, text, array } records (V2) or the object plus text (V1).
export function decodeMessages(json) {
  return (json?.messages ?? []).map((text) => {
    if (typeof text !== 'string') return { text, bad: 'not a string' };
    const a = JSON.parse(text);
    if (!Array.isArray(a)) return { ...a, text, v1: true }; // V1 object
    const [join_ref, ref, topic, event, payload] = a;
    return { join_ref, ref, topic, event, payload, text, array: a };
  });
}

const NDJSON = { 'Content-Type': 'application/x-ndjson' };

// A hand-driven long-poll session. `via` says how the token travels:
// 'query' (last `token` query value, as 1.8.12 does) or 'header'
// (X-Phoenix-Longpoll-Token, as 1.9 does).
export class LpSession {
  constructor(server, query, { via = 'query', headers = {} } = {}) {
    this.server = server;
    this.query = query;
    this.via = via;
    this.headers = headers;
    this.token = null;
    this.received = []; // every decoded message, in arrival order
    this.pending = []; // received but not yet consumed by next()
    this.nextRef = 1;
  }

  ref() { return String(this.nextRef++); }

  _target(extraHeaders = {}) {
    const pairs = Array.isArray(this.query) ? [...this.query] : Object.entries(this.query);
    const headers = { ...this.headers, ...extraHeaders };
    if (this.token !== null) {
      if (this.via === 'header') headers['X-Phoenix-Longpoll-Token'] = this.token;
      else pairs.push(['token', this.token]);
    }
    return { query: pairs, headers };
  }

  // Raw GET with the session token; records any messages.
  async get(opts = {}) {
    const { query, headers } = this._target(opts.headers);
    const res = await lpRequest(this.server, 'GET', query, { ...opts, headers, timeout: opts.timeout ?? DEFAULT_TIMEOUT + 15000 });
    if (res.json?.status === 200) {
      const msgs = decodeMessages(res.json);
      this.received.push(...msgs);
      this.pending.push(...msgs);
    }
    return res;
  }

  // First GET: expects the 410 that opens the session.
  async open() {
    const res = await this.get();
    if (res.json?.status !== 410 || typeof res.json.token !== 'string') {
      throw new Error(`long-poll open expected status 410 and a token, got ${res.body}`);
    }
    this.token = res.json.token;
    return res;
  }

  // POSTs lines (strings, or arrays that are JSON-encoded) as ndjson.
  post(lines, { contentType = NDJSON['Content-Type'], sep = '\n', headers = {}, raw } = {}) {
    const body = raw ?? lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join(sep);
    const t = this._target({ 'Content-Type': contentType, ...headers });
    return lpRequest(this.server, 'POST', t.query, { headers: t.headers, body });
  }

  // DELETE with the session token: the client is leaving.
  delete() {
    const t = this._target();
    return lpRequest(this.server, 'DELETE', t.query, { headers: t.headers });
  }

  // Posts one V2 message and returns the ref used.
  async send(joinRef, topic, event, payload = {}, ref = this.ref()) {
    const res = await this.post([[joinRef, ref, topic, event, payload]]);
    if (res.json?.status !== 200) throw new Error(`POST of ${event} answered ${res.body}`);
    return ref;
  }

  // Next received message matching spec (object of fields or predicate);
  // polls (bounded by `polls` GETs) until it arrives.
  async next(spec, { polls = 20 } = {}) {
    const match = typeof spec === 'function' ? spec
      : (m) => Object.entries(spec).every(([k, v]) => m[k] === v);
    for (let i = 0; i <= polls; i += 1) {
      const idx = this.pending.findIndex(match);
      if (idx >= 0) return this.pending.splice(idx, 1)[0];
      if (i === polls) break;
      const res = await this.get();
      if (res.json?.status !== 200 && res.json?.status !== 204) {
        throw new Error(`poll while waiting for ${JSON.stringify(spec)} answered ${res.body}`);
      }
    }
    throw new Error(`no long-poll message matching ${typeof spec === 'function' ? 'predicate' : JSON.stringify(spec)} ` +
      `after ${polls} polls; unconsumed: ${this.pending.map((m) => m.text).join(' | ') || '(none)'}`);
  }

  reply(ref, opts) { return this.next({ ref, event: 'phx_reply' }, opts); }

  async call(joinRef, topic, event, payload = {}, opts) {
    const ref = await this.send(joinRef, topic, event, payload);
    return this.reply(ref, opts);
  }

  // Joins with jr = ref; resolves with jr once the ok reply is polled.
  async joinOk(topic, payload = {}) {
    const jr = this.ref();
    await this.send(jr, topic, 'phx_join', payload, jr);
    const r = await this.reply(jr);
    if (r.payload?.status !== 'ok') throw new Error(`long-poll join of ${topic} failed: ${r.text}`);
    return jr;
  }

  // Heartbeat sentinel: everything the session buffered before it is
  // returned (and consumed) once its reply comes back.
  async sync() {
    const ref = await this.send(null, 'phoenix', 'heartbeat', {});
    await this.reply(ref);
    return this.pending.splice(0);
  }
}
