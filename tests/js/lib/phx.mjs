// Promise wrappers around the official phoenix.js clients (1.8 and 1.7),
// running on Node with `ws` as the WebSocket implementation.
import WebSocket from 'ws';
import { Socket as Socket18 } from 'phoenix';
import { Socket as Socket17 } from 'phoenix17';

export const CLIENTS = { '1.8': Socket18, '1.7': Socket17 };

export function makeSocket(version, server, { params, ...opts } = {}) {
  const Socket = CLIENTS[version];
  if (!Socket) throw new Error(`unknown phoenix client version ${version}`);
  return new Socket(`${server.wsBase}/socket`, {
    transport: WebSocket,
    params,
    // Fast, bounded retry so restarts are picked up quickly in tests.
    reconnectAfterMs: () => 100,
    rejoinAfterMs: () => 200,
    ...opts,
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

export function connect(socket, timeout = 5000) {
  return withTimeout(new Promise((res, rej) => {
    const errRef = socket.onError((e) => { socket.off([openRef, errRef]); rej(new Error(`socket error: ${e?.message ?? e}`)); });
    const openRef = socket.onOpen(() => { socket.off([openRef, errRef]); res(); });
    socket.connect();
  }), timeout, 'socket open');
}

// Resolves with the ok response; rejects on error or timeout reply.
export function join(channel, timeout = 5000) {
  return withTimeout(new Promise((res, rej) => {
    channel.join()
      .receive('ok', (resp) => res(resp))
      .receive('error', (resp) => rej(new Error(`join error: ${JSON.stringify(resp)}`)))
      .receive('timeout', () => rej(new Error('join timeout')));
  }), timeout, `join ${channel.topic}`);
}

// Resolves with { status, response } for any reply status.
export function push(channel, event, payload, timeout = 10000) {
  return withTimeout(new Promise((res) => {
    channel.push(event, payload, timeout)
      .receive('ok', (response) => res({ status: 'ok', response }))
      .receive('error', (response) => res({ status: 'error', response }))
      .receive('timeout', () => res({ status: 'timeout' }));
  }), timeout + 2000, `push ${event} on ${channel.topic}`);
}

// Collects every event of one name on a channel.
export function collect(channel, event) {
  const got = [];
  const waiters = [];
  channel.on(event, (payload) => {
    got.push(payload);
    for (const w of waiters.slice()) {
      if (w.pred(payload)) { waiters.splice(waiters.indexOf(w), 1); w.res(payload); }
    }
  });
  return {
    got,
    waitFor(pred, timeout = 5000) {
      const hit = got.find(pred);
      if (hit) return Promise.resolve(hit);
      return withTimeout(new Promise((res) => waiters.push({ pred, res })), timeout, `${event} on ${channel.topic}`);
    },
  };
}

export function disconnect(socket) {
  return new Promise((res) => {
    try { socket.disconnect(() => res(), 1000, 'test done'); } catch { res(); }
    // A socket that never opened has nothing to tear down.
    setTimeout(res, 1500).unref();
  });
}
