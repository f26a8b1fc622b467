// The package test's client (tests/package/install-in-chroot.sh): against a chatter-server
// installed from its .deb, checks that the embedded browser client is served, then joins a room
// with the official phoenix client, sends a message, gets it back as a broadcast and finds it
// with search. Exits 0 when all of that worked, 1 with the reason otherwise.
// usage: node package-roundtrip.mjs PORT
import { makeSocket, connect, join, push, collect, disconnect } from './lib/phx.mjs';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node package-roundtrip.mjs PORT');
  process.exit(2);
}
const server = { port, httpBase: `http://127.0.0.1:${port}`, wsBase: `ws://127.0.0.1:${port}` };

async function get(path) {
  const response = await fetch(server.httpBase + path, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return { type: response.headers.get('content-type') ?? '', text };
}

async function main() {
  // The browser client is compiled into the executable: the page and phoenix.js must be there.
  const page = await get('/');
  if (!page.type.startsWith('text/html') || !page.text.includes('/assets/app.js'))
    throw new Error(`GET / is not the browser client (${page.type})`);
  const phoenix = await get('/assets/vendor/phoenix.mjs');
  if (!/var Socket = class/.test(phoenix.text)) throw new Error('/assets/vendor/phoenix.mjs is not phoenix.js');
  console.log('GET / and /assets/vendor/phoenix.mjs: the embedded browser client is served');

  // A word no other message has, so the search below can only find this one.
  const word = `packaged${process.pid}x${Date.now()}`;
  const body = `hello from the ${word} package`;
  const socket = makeSocket('1.8', server, { params: { user: 'packager', client: 'web' } });
  await connect(socket);
  const lobby = socket.channel('chatter:room:lobby', {});
  const broadcasts = collect(lobby, 'new_msg');
  await join(lobby);
  const sent = await push(lobby, 'new_msg', { body });
  if (sent.status !== 'ok' || !Number.isInteger(sent.response?.id))
    throw new Error(`new_msg: ${JSON.stringify(sent)}`);
  const echoed = await broadcasts.waitFor((m) => m.id === sent.response.id, 10000);
  if (echoed.body !== body || echoed.user !== 'packager')
    throw new Error(`the broadcast differs from what was sent: ${JSON.stringify(echoed)}`);
  console.log(`joined chatter:room:lobby, sent message ${sent.response.id}, got it back`);

  const found = await push(lobby, 'search', { query: word });
  const ids = found.response?.results?.map((r) => r.id) ?? [];
  if (found.status !== 'ok' || !ids.includes(sent.response.id))
    throw new Error(`search for ${word}: ${JSON.stringify(found)}`);
  console.log(`search found message ${sent.response.id}`);
  await disconnect(socket);
}

main().then(
  () => process.exit(0),
  (e) => { console.error(`package-roundtrip: ${e.message}`); process.exit(1); },
);
