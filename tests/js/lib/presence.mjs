// Wraps the official phoenix.js Presence helper (1.8 or 1.7) so tests can
// await a synced state and inspect every join/leave callback.
import { Presence as Presence18 } from 'phoenix';
import { Presence as Presence17 } from 'phoenix17';
import { withTimeout } from './phx.mjs';

export const PRESENCES = { '1.8': Presence18, '1.7': Presence17 };

// Plain (prototype-ful) deep copy: 1.8 keeps its state in null-prototype
// objects, which assert.deepStrictEqual would not equate with literals.
export function plain(x) { return JSON.parse(JSON.stringify(x)); }

// Must be called before channel.join() so the first presence_state is seen.
export function watchPresence(version, channel) {
  const Presence = PRESENCES[version];
  if (!Presence) throw new Error(`unknown phoenix client version ${version}`);
  const presence = new Presence(channel);
  const w = {
    presence,
    syncs: 0,
    joins: [], // { key, current, joined } copies, in callback order
    leaves: [], // { key, current, left }
    waiters: [],
    // { key: [meta, …] } of the synced state, as plain objects.
    state() {
      const out = {};
      for (const p of presence.list((key, pres) => ({ key, metas: pres.metas }))) out[p.key] = plain(p.metas);
      return out;
    },
    keys() { return Object.keys(w.state()).sort(); },
    // Resolves with the state once pred(state) holds after a sync (or already).
    waitFor(pred, timeout = 8000, what = 'presence state') {
      if (w.syncs > 0 && pred(w.state())) return Promise.resolve(w.state());
      return withTimeout(new Promise((res) => w.waiters.push({ pred, res })), timeout,
        `${what}; last state ${JSON.stringify(w.state())}`);
    },
    // Resolves once the sync counter exceeds n and pred holds.
    waitSyncAfter(n, pred = () => true, timeout = 8000, what = 'presence re-sync') {
      return w.waitFor((s) => w.syncs > n && pred(s), timeout, what);
    },
  };
  presence.onJoin((key, current, joined) => {
    w.joins.push({ key, current: current ? plain(current) : undefined, joined: plain(joined) });
  });
  presence.onLeave((key, current, left) => {
    w.leaves.push({ key, current: plain(current), left: plain(left) });
  });
  presence.onSync(() => {
    w.syncs += 1;
    const s = w.state();
    for (const x of w.waiters.slice()) {
      if (x.pred(s)) { w.waiters.splice(w.waiters.indexOf(x), 1); x.res(s); }
    }
  });
  return w;
}
