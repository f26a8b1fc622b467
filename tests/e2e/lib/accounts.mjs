// The accounts API (docs/identity.md) from the test's side, to make accounts and sessions
// without a browser and to check what a token still opens. Node's fetch sends no Origin, which
// the server takes as a native client's.
import WebSocket from 'ws';

// Resolves with { status, json, headers }.
export async function apiCall(server, method, path, { body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(server.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let json;
  try { json = await r.json(); } catch { json = undefined; }
  return { status: r.status, json, headers: r.headers };
}

// A registered account; resolves with its first session ({user, token, role}).
export async function registerAccount(server, user, password) {
  const r = await apiCall(server, 'POST', '/api/accounts', { body: { user, password } });
  if (r.status !== 201) throw new Error(`registering ${user}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export async function signInAccount(server, user, password) {
  const r = await apiCall(server, 'POST', '/api/sessions', { body: { user, password } });
  if (r.status !== 200) throw new Error(`signing in ${user}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

// The HTTP status a WebSocket connect with this session token gets (101: accepted, then closed).
export function connectWithToken(server, token) {
  const b64 = Buffer.from(token).toString('base64').replace(/=/g, '');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket/websocket?vsn=2.0.0&client=web`,
      ['phoenix', `base64url.bearer.phx.${b64}`], { perMessageDeflate: false, handshakeTimeout: 10000 });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (req, res) => { req.destroy(); resolve(res.statusCode); });
    ws.once('error', reject);
  });
}

// What the page keeps in localStorage, as one string: to check that no password is in it.
export const storedText = (page) => page.evaluate(() => JSON.stringify({ ...localStorage }));
export const storedSession = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('chatter.session') ?? 'null'));
