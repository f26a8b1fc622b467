// Helpers for the accounts API (docs/identity.md): JSON requests over node:http (so Origin,
// Authorization and the client's own loopback address can be set exactly) and WebSocket
// connects from a chosen loopback address.
import WebSocket from 'ws';
import { RawClient, DEFAULT_TIMEOUT } from './raw.mjs';
import { httpRequest } from './http.mjs';

// Sends one request to `path`; resolves with { status, headers, json, body }.
// opts.body: an object (sent as JSON) or a string (sent as is); opts.token: bearer;
// opts.from: the client's loopback address (127.0.0.1 by default).
export function api(server, method, path, { body, token, headers = {}, from = '127.0.0.1', timeout = DEFAULT_TIMEOUT } = {}) {
  const payload = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body));
  const h = { ...headers };
  if (payload !== undefined) {
    h['Content-Type'] = 'application/json';
    h['Content-Length'] = Buffer.byteLength(payload);
  }
  if (token) h.Authorization = `Bearer ${token}`;
  return httpRequest(server, method, path, { headers: h, body: payload, from, timeout });
}

export const register = (server, user, password, opts) =>
  api(server, 'POST', '/api/accounts', { body: { user, password }, ...opts });
export const login = (server, user, password, opts) =>
  api(server, 'POST', '/api/sessions', { body: { user, password }, ...opts });
export const guest = (server, user, opts) =>
  api(server, 'POST', '/api/guests', { body: { user }, ...opts });

// A raw V2 WebSocket client from `from`; rejects with err.status on an HTTP refusal.
export function openFrom(server, query, { from = '127.0.0.1', protocols, timeout = DEFAULT_TIMEOUT } = {}) {
  const qs = new URLSearchParams({ vsn: '2.0.0', ...query }).toString();
  return new Promise((res, rej) => {
    const ws = new WebSocket(`${server.wsBase}/socket/websocket?${qs}`, protocols, {
      perMessageDeflate: false, handshakeTimeout: timeout, localAddress: from,
    });
    const client = new RawClient(ws);
    ws.once('open', () => res(client));
    ws.once('unexpected-response', (req, resp) => {
      const err = new Error(`upgrade refused with HTTP ${resp.statusCode}`);
      err.status = resp.statusCode;
      req.destroy();
      rej(err);
    });
    ws.once('error', (e) => rej(e));
  });
}

// The HTTP status of a refused connect, or 101 when it was accepted (the socket is closed).
export async function connectStatus(server, query, opts) {
  try {
    const c = await openFrom(server, query, opts);
    c.ws.close();
    await c.closed;
    return 101;
  } catch (e) {
    if (e.status) return e.status;
    throw e;
  }
}
