// SPDX-License-Identifier: MIT
//
// Reference server for Chatter's benchmarks: the Phoenix Channels subset that
// Chatter speaks (V2 JSON serializer), on Node.js and the `ws` package, with no
// persistence. It is the baseline the Chatter server is compared against.
//
//   node reference-server.js PORT        -> prints "listening on 127.0.0.1:PORT"
//   node reference-server.js PORT CERT KEY -> the same over TLS (wss://, node's https module)
//   node reference-server.js PORT --redis redis://127.0.0.1:P [--sharded]
//                                      -> one node of several: broadcasts cross between the
//                                         nodes through Redis pub/sub (the npm `redis` client),
//                                         see "Scaled out with Redis" below
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
//
// Scaled out with Redis (--redis URL): what @socket.io/redis-adapter's sharded adapter does in
// its default mode (createShardedAdapter, subscriptionMode "dynamic": a channel per room,
// subscribed while the node has members in it), in this server's terms, on plain channels by
// default as Chatter uses them and on sharded ones with --sharded as that adapter does. A
// node SUBSCRIBEs to a topic's channel `ref:t:<topic>` when the topic gets its first local
// subscriber and UNSUBSCRIBEs when its last one leaves (no delay). A broadcast is delivered
// to the local subscribers and PUBLISHed once, as `<node id>|<frame>`; every node gets it
// back from Redis, and the node that published it skips it (the adapter's "ignore message
// from self" by uid), the others hand the frame bytes as received to their local
// subscribers (one Buffer for all of them, as for a local broadcast). A join does not wait
// for its node's SUBSCRIBE to be confirmed, as in Socket.IO. The reply `ok` to new_msg goes
// out after the local deliveries and the PUBLISH call (not its answer). --sharded uses
// SSUBSCRIBE/SUNSUBSCRIBE/SPUBLISH (Redis 7) instead: on one Redis server the same work under
// another name, which is what that row prices. Message ids stay per node. Presence
// (REFERENCE_PRESENCE) is not carried across nodes and is refused with --redis.
'use strict';

const { WebSocketServer } = require('ws');
const crypto = require('crypto');
const fs = require('fs');
const https = require('https');

// Positional PORT [CERT KEY], then --redis URL [--sharded].
const positional = [];
let redisUrl = '';
let sharded = false;
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--redis' && i + 1 < process.argv.length) redisUrl = process.argv[++i];
  else if (a === '--sharded') sharded = true;
  else if (a.startsWith('--')) {
    console.error(`reference-server: unknown option ${a}`);
    process.exit(2);
  } else positional.push(a);
}
const port = Number(positional[0] || 4001);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node reference-server.js PORT [CERT KEY] [--redis redis://HOST:PORT [--sharded]]');
  process.exit(2);
}
if (sharded && !redisUrl) {
  console.error('reference-server: --sharded needs --redis');
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
if (PRESENCE && redisUrl) {
  console.error('reference-server: REFERENCE_PRESENCE does not cross nodes: not with --redis');
  process.exit(2);
}
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
    if (subs.size === 0) {
      topics.delete(topic);
      if (cluster) cluster.unsubscribe(topic);
    }
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
    if (!subs) {
      topics.set(topic, (subs = new Set()));
      if (cluster) cluster.subscribe(topic);
    }
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
    if (cluster) cluster.publish(topic, frame);
    reply(ws, joinRef, ref, topic, 'ok', { id });
    return;
  }
  reply(ws, joinRef, ref, topic, 'error', { reason: 'unhandled event' });
}

// The Redis side of --redis (see the top of the file). `cluster` stays null without it, and
// the single-node path above never touches Redis or loads the client.
let cluster = null;
async function connectCluster() {
  const { createClient } = require('redis');
  const nodeId = crypto.randomBytes(4).toString('hex'); // 8 characters, then '|'
  const own = Buffer.from(`${nodeId}|`);
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  for (const [name, c] of [['publisher', pub], ['subscriber', sub]]) {
    c.on('error', (err) => console.error(`reference-server: redis ${name}: ${err.message}`));
  }
  await Promise.all([pub.connect(), sub.connect()]);
  const channel = (topic) => `ref:t:${topic}`;
  /** topic -> the listener its channel was subscribed with */
  const listeners = new Map();
  const failed = (what) => (err) => console.error(`reference-server: redis ${what}: ${err.message}`);
  cluster = {
    subscribe(topic) {
      // Another node's frame, as it was serialized there: one Buffer for every local socket.
      const listener = (message) => {
        if (message.length <= own.length || message.compare(own, 0, 8, 0, 8) === 0) return;
        const subs = topics.get(topic);
        if (!subs) return;
        const frame = message.subarray(own.length);
        for (const s of subs) {
          if (s.readyState === 1) s.send(frame, { binary: false });
        }
      };
      listeners.set(topic, listener);
      const p = sharded ? sub.sSubscribe(channel(topic), listener, true) : sub.subscribe(channel(topic), listener, true);
      p.catch(failed(`subscribe ${topic}`));
    },
    unsubscribe(topic) {
      const listener = listeners.get(topic);
      listeners.delete(topic);
      const p = sharded ? sub.sUnsubscribe(channel(topic), listener, true) : sub.unsubscribe(channel(topic), listener, true);
      p.catch(failed(`unsubscribe ${topic}`));
    },
    publish(topic, frame) {
      const message = Buffer.concat([own, frame]);
      const p = sharded ? pub.sPublish(channel(topic), message) : pub.publish(channel(topic), message);
      p.catch(failed(`publish ${topic}`));
    },
  };
  return `redis ${sharded ? 'sharded ' : ''}pub/sub, node ${nodeId}`;
}

// With a certificate and key, ws rides on an https server: TLS as Node does it (OpenSSL in
// node's tls module), the same certificate the TLS benchmark gives Chatter.
const [certFile, keyFile] = positional.slice(1);
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

// "listening" is printed once the socket listens and, with --redis, both Redis connections
// are up: a benchmark that waits for the line may send at once.
const redisReady = redisUrl
  ? connectCluster().catch((err) => {
      console.error(`reference-server: redis ${redisUrl}: ${err.message}`);
      process.exit(1);
    })
  : Promise.resolve('');
const listening = () => {
  const addr = (tlsServer ?? wss).address();
  redisReady.then((how) => {
    console.log(`listening on ${addr.address}:${addr.port}${tlsServer ? ' (TLS)' : ''}${how ? ` (${how})` : ''}`);
  });
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
