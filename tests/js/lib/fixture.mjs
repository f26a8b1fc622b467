// Per-file server lifecycle: one server for the file, every client closed
// and the server stopped in after(), whatever the tests did.
import { before, after } from 'node:test';
import { startServer } from './server.mjs';
import { ClientPool } from './raw.mjs';

let nickCounter = 0;
// Distinct valid nicknames, so tests never share a socket id by accident.
export function nick(prefix = 'u') {
  nickCounter += 1;
  return `${prefix}${process.pid % 1000}_${nickCounter}`;
}

export function useServer(opts = {}) {
  const ctx = {
    server: null,
    pool: new ClientPool(),
    cleanups: [],
    // Opens a raw V2 client as `user` (a fresh nick by default).
    open(query, o) {
      const q = query ?? { vsn: '2.0.0', user: nick() };
      return ctx.pool.open(ctx.server.wsUrl(q), o);
    },
    onCleanup(fn) { ctx.cleanups.push(fn); },
  };
  before(async () => { ctx.server = await startServer(opts); });
  after(async () => {
    for (const fn of ctx.cleanups.splice(0)) {
      try { await fn(); } catch { /* keep cleaning */ }
    }
    ctx.pool.closeAll();
    if (ctx.server) await ctx.server.stop();
  });
  return ctx;
}
