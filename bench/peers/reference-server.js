// SPDX-License-Identifier: MIT
//
// Reference server for Chatter's benchmarks: the Phoenix Channels subset that
// Chatter speaks (V2 JSON serializer), on Node.js and the `ws` package, with no
// persistence. It is the baseline the Chatter server is compared against.
//
//   node reference-server.js PORT        -> prints "listening on 127.0.0.1:PORT"
//   node reference-server.js PORT CERT KEY -> the same over TLS (wss://, node's https module)
//   REFERENCE_PRESENCE=1 node reference-server.js PORT
//                                      -> the same plus presence on room topics, as Phoenix.Presence
//                                         sends it: a presence_state to the joiner and a
//                                         presence_diff to every member (joiner included) at each
//                                         join and leave, each diff serialized once. Not the
//                                         baseline: it prices what presence alone costs a server.
//
// Frames are [join_ref, ref, topic, event, payload].
//   phoenix/heartbeat          -> ok reply {}
//   TOPIC/phx_join             -> ok reply {}
//   TOPIC/phx_leave            -> ok reply {}
//   TOPIC/new_msg              -> broadcast [null,null,topic,"new_msg",{id,user,body,at}]
//                                 to every subscriber of the topic (sender included),
//                                 serialized ONCE per broadcast, then ok reply {"id":n}
// where TOPIC is a room chatter:room:NAME, a personal topic chatter:user:NICK or a direct
// conversation chatter:dm:A:B. All three are plain topics here: there are no accounts, so
// anyone may join any of them; a session token sent the way phoenix.js sends authToken
// (Sec-WebSocket-Protocol "phoenix, base64url.bearer.phx.<token>") is ignored, and "phoenix"
// is the subprotocol answered (ws picks the first offered). Still no persistence, no
// presence, no history: the same Phoenix subset for every topic.
'use strict';

const { WebSocketServer } = require('ws');
const fs = require('fs');
const https = require('https');

const port = Number(process.argv[2] || 4001);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node reference-server.js PORT');
  process.exit(2);
}
const host = process.env.BIND || '127.0.0.1';

const NICK = '[A-Za-z0-9_.-]{1,32}';
const TOPIC_RE = new RegExp(`^chatter:(room:[A-Za-z0-9._-]{1,64}|user:${NICK}|dm:${NICK}:${NICK})$`);
const USER_RE = /^[A-Za-z0-9_.-]{1,32}$/;

/** topic -> Set<WebSocket> */
const topics = new Map();
let nextId = 0;

const PRESENCE = process.env.REFERENCE_PRESENCE === '1';
/** topic -> Map<user, Map<phx_ref, meta>> (room topics only, with REFERENCE_PRESENCE=1) */
const presences = new Map();
let nextPresenceRef = 0;

function broadcast(topic, event, payload) {
  const subs = topics.get(topic);
  if (!subs) return;
  const frame = Buffer.from(JSON.stringify([null, null, topic, event, payload]));
  for (const sub of subs) {
    if (sub.readyState === 1) sub.send(frame, { binary: false });
  }
}

function presenceState(topic) {
  const state = {};
  for (const [user, metas] of presences.get(topic) || []) state[user] = { metas: [...metas.values()] };
  return state;
}

function track(ws, topic) {
  const ref = String(++nextPresenceRef);
  const meta = { online_at: new Date().toISOString(), client: ws.client, role: 'guest', status: 'online', phx_ref: ref };
  let users = presences.get(topic);
  if (!users) presences.set(topic, (users = new Map()));
  let metas = users.get(ws.user);
  if (!metas) users.set(ws.user, (metas = new Map()));
  metas.set(ref, meta);
  ws.presenceRefs.set(topic, ref);
  ws.send(JSON.stringify([ws.joined.get(topic), null, topic, 'presence_state', presenceState(topic)]));
  broadcast(topic, 'presence_diff', { joins: { [ws.user]: { metas: [meta] } }, leaves: {} });
}

function untrack(ws, topic) {
  const ref = ws.presenceRefs.get(topic);
  const users = presences.get(topic);
  const metas = users && users.get(ws.user);
  if (ref === undefined || !metas) return;
  const meta = metas.get(ref);
  metas.delete(ref);
  if (metas.size === 0) users.delete(ws.user);
  if (users.size === 0) presences.delete(topic);
  ws.presenceRefs.delete(topic);
  broadcast(topic, 'presence_diff', { joins: {}, leaves: { [ws.user]: { metas: [meta] } } });
}

function reply(ws, joinRef, ref, topic, status, response) {
  ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status, response }]));
}

function leave(ws, topic) {
  if (PRESENCE) untrack(ws, topic);
  const subs = topics.get(topic);
  if (subs) {
    subs.delete(ws);
    if (subs.size === 0) topics.delete(topic);
  }
  ws.joined.delete(topic);
}

function onMessage(ws, data, isBinary) {
  if (isBinary) return;
  let msg;
  try {
    msg = JSON.parse(data);
  } catch {
    ws.close(1003, 'bad json');
    return;
  }
  if (!Array.isArray(msg) || msg.length !== 5) {
    ws.close(1003, 'bad frame');
    return;
  }
  const [joinRef, ref, topic, event, payload] = msg;

  if (topic === 'phoenix' && event === 'heartbeat') {
    reply(ws, null, ref, topic, 'ok', {});
    return;
  }
  if (event === 'phx_join') {
    if (!TOPIC_RE.test(topic)) {
      reply(ws, joinRef, ref, topic, 'error', { reason: 'unmatched topic' });
      return;
    }
    let subs = topics.get(topic);
    if (!subs) topics.set(topic, (subs = new Set()));
    subs.add(ws);
    ws.joined.set(topic, joinRef);
    reply(ws, joinRef, ref, topic, 'ok', {});
    if (PRESENCE && topic.startsWith('chatter:room:')) track(ws, topic);
    return;
  }
  if (!ws.joined.has(topic)) {
    ws.send(JSON.stringify([joinRef, ref, topic, 'phx_close', {}]));
    return;
  }
  if (event === 'phx_leave') {
    leave(ws, topic);
    reply(ws, joinRef, ref, topic, 'ok', {});
    return;
  }
  if (event === 'new_msg') {
    const body = payload && payload.body;
    if (typeof body !== 'string' || body.trim() === '' || body.length > 4000) {
      reply(ws, joinRef, ref, topic, 'error', { reason: 'invalid body' });
      return;
    }
    const id = ++nextId;
    // One serialization per broadcast; the same bytes go to every subscriber.
    const frame = Buffer.from(
      JSON.stringify([null, null, topic, 'new_msg', { id, user: ws.user, body, at: new Date().toISOString() }]),
    );
    for (const sub of topics.get(topic)) {
      if (sub.readyState === 1) sub.send(frame, { binary: false });
    }
    reply(ws, joinRef, ref, topic, 'ok', { id });
    return;
  }
  reply(ws, joinRef, ref, topic, 'error', { reason: 'unhandled event' });
}

// With a certificate and key, ws rides on an https server: TLS as Node does it (OpenSSL in
// node's tls module), the same certificate the TLS benchmark gives Chatter.
const [certFile, keyFile] = process.argv.slice(3);
const tlsServer = certFile
  ? https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) })
  : null;
const wss = new WebSocketServer({
  ...(tlsServer ? { server: tlsServer } : { host, port }),
  path: '/socket/websocket',
  backlog: 4096,
  perMessageDeflate: false,
  clientTracking: false,
  maxPayload: 1024 * 1024,
});

wss.on('connection', (ws, req) => {
  const params = new URL(req.url, 'http://localhost').searchParams;
  const user = params.get('user') || '';
  if (params.get('vsn') !== '2.0.0' || !USER_RE.test(user)) {
    ws.close(1008, 'bad params');
    return;
  }
  ws.user = user;
  ws.client = params.get('client') || 'unknown';
  ws.joined = new Map();
  ws.presenceRefs = new Map();
  ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
  ws.on('close', () => {
    for (const topic of [...ws.joined.keys()]) leave(ws, topic);
  });
  ws.on('error', () => {});
});

const listening = () => {
  const addr = (tlsServer ?? wss).address();
  console.log(`listening on ${addr.address}:${addr.port}${tlsServer ? ' (TLS)' : ''}`);
};
if (tlsServer) {
  tlsServer.on('error', (err) => {
    console.error(`reference-server: ${err.message}`);
    process.exit(1);
  });
  tlsServer.listen({ host, port, backlog: 4096 }, listening);
} else {
  wss.on('listening', listening);
}
wss.on('error', (err) => {
  console.error(`reference-server: ${err.message}`);
  process.exit(1);
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
