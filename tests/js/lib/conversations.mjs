// Helpers for the conversations suites (docs/conversations.md): registered accounts with their
// personal topic, official phoenix.js sockets signed in as them, joins that resolve with the
// reply whatever its status.
import assert from 'node:assert/strict';
import { makeSocket, connect, disconnect, withTimeout, collect } from './phx.mjs';
import { register, guest } from './accounts.mjs';

export const PASSWORD = 'correct horse battery';
// Argon2id at libsodium's minimum cost: the suites register many accounts.
export const FAST = ['--password-cost', 'minimum'];

let counter = 0;
// Distinct plain-Latin nicknames with a capital, so that case folding is visible.
export function freshNick(prefix) {
  counter += 1;
  return `${prefix}${String.fromCharCode(97 + (counter % 26))}${process.pid % 1000}x${counter}`;
}

// Registers `user` (a fresh nickname from `prefix` by default); resolves with the session answer
// ({ user, token, role, personal_topic }). Registrations come from spread loopback addresses, so
// that a suite stays under the per-address registration limit.
export async function account(server, prefix = 'Acct', user = freshNick(prefix)) {
  const from = `127.0.0.${2 + (counter % 200)}`;
  const r = await register(server, user, PASSWORD, { from });
  assert.equal(r.status, 201, r.body);
  return r.json;
}

export async function guestSession(server, user = freshNick('guest')) {
  const r = await guest(server, user);
  assert.equal(r.status, 201, r.body);
  return r.json;
}

// A connected official client signed in with a session token; closed by the suite's cleanup.
export async function signedIn(ctx, token) {
  const socket = makeSocket('1.8', ctx.server, { authToken: token, params: {} });
  ctx.onCleanup(() => disconnect(socket));
  await connect(socket);
  return socket;
}

// A connected bare guest (no session).
export async function bareGuest(ctx, user = freshNick('bare')) {
  const socket = makeSocket('1.8', ctx.server, { params: { user } });
  ctx.onCleanup(() => disconnect(socket));
  await connect(socket);
  return socket;
}

// Joins `topic`; resolves with { status: 'ok' | 'error', response, channel }. A refused channel
// is left, so that phoenix.js does not retry it.
export function joinAny(socket, topic, payload = {}, timeout = 5000) {
  const channel = socket.channel(topic, payload);
  return withTimeout(new Promise((res) => {
    channel.join()
      .receive('ok', (response) => res({ status: 'ok', response, channel }))
      .receive('error', (response) => { channel.leave(); res({ status: 'error', response, channel }); })
      .receive('timeout', () => res({ status: 'timeout', channel }));
  }), timeout + 1000, `join ${topic}`);
}

// Joins `topic` and asserts it is accepted; `events` are collected from before the join on.
export async function joinOk(socket, topic, payload = {}, events = []) {
  const channel = socket.channel(topic, payload);
  const collected = Object.fromEntries(events.map((e) => [e, collect(channel, e)]));
  const response = await withTimeout(new Promise((res, rej) => {
    channel.join()
      .receive('ok', res)
      .receive('error', (r) => rej(new Error(`join ${topic} refused: ${JSON.stringify(r)}`)))
      .receive('timeout', () => rej(new Error(`join ${topic} timed out`)));
  }), 6000, `join ${topic}`);
  return { channel, response, ...collected };
}

// Asserts that nothing matching `pred` arrives within `ms` (a negative check: bounded).
export async function nothingWithin(collector, pred, ms = 400) {
  await new Promise((r) => setTimeout(r, ms));
  assert.equal(collector.got.filter(pred).length, 0, JSON.stringify(collector.got));
}

// The DM topic as the contract spells it (plain Latin: toLowerCase is case folding here).
export function dmTopic(a, b) {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()].sort();
  return `chatter:dm:${x}:${y}`;
}
