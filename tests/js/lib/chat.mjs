// Chat-level helpers over the raw client: pipelined new_msg pushes and
// history paging.
import { withTimeout } from './phx.mjs';

export const room = (name) => `chatter:room:${name}`;

// Sends `bodies` as new_msg pushes with at most `window` unanswered at once
// and resolves with the ids from the ok replies, in send order. Rejects on
// any non-ok reply, a closed connection, or `timeout` ms overall.
export function sendMany(client, jr, topic, bodies, { window = 50, timeout = 60000 } = {}) {
  const ids = new Array(bodies.length);
  let next = 0;
  let done = 0;
  const refs = new Map();
  return withTimeout(new Promise((resolve, reject) => {
    const onMessage = (data, isBinary) => {
      if (isBinary) return;
      let j;
      try { j = JSON.parse(data.toString('utf8')); } catch { return; }
      if (!Array.isArray(j) || j[3] !== 'phx_reply' || j[2] !== topic || !refs.has(j[1])) return;
      const i = refs.get(j[1]);
      refs.delete(j[1]);
      if (j[4]?.status !== 'ok' || typeof j[4]?.response?.id !== 'number') {
        finish(new Error(`new_msg #${i} got ${JSON.stringify(j)}`));
        return;
      }
      ids[i] = j[4].response.id;
      done += 1;
      if (done === bodies.length) finish();
      else pump();
    };
    const onClose = () => finish(new Error(`connection closed after ${done}/${bodies.length} replies`));
    function finish(err) {
      client.ws.off('message', onMessage);
      client.ws.off('close', onClose);
      if (err) reject(err); else resolve(ids);
    }
    function pump() {
      while (next < bodies.length && next - done < window) {
        const ref = client.push(jr, topic, 'new_msg', { body: bodies[next] });
        refs.set(ref, next);
        next += 1;
      }
    }
    client.ws.on('message', onMessage);
    client.ws.on('close', onClose);
    if (bodies.length === 0) finish(); else pump();
  }), timeout, `${bodies.length} pipelined new_msg pushes on ${topic}`);
}

// Sends a push and returns its reply payload ({status, response}).
export async function call(client, jr, topic, event, payload, opts) {
  const f = await client.call(jr, topic, event, payload, opts);
  return f.m.payload;
}

// Pages backwards with `history` from the newest message to the first;
// returns every message oldest first plus the pages' sizes and more flags.
export async function pageAllBackwards(client, jr, topic, { limit = 100, maxPages = 100 } = {}) {
  const pages = [];
  let before;
  for (let i = 0; i < maxPages; i += 1) {
    const payload = before === undefined ? { limit } : { before, limit };
    const r = await call(client, jr, topic, 'history', payload);
    if (r.status !== 'ok') throw new Error(`history ${JSON.stringify(payload)} → ${JSON.stringify(r)}`);
    pages.push(r.response);
    if (!r.response.more || r.response.messages.length === 0) break;
    before = r.response.messages[0].id;
  }
  const all = [];
  for (const p of pages.slice().reverse()) all.push(...p.messages);
  return { all, pages };
}
