// TLS on the server's port: the official phoenix.js clients over wss:// and over long-poll on
// https://, with certificate verification on (a CA made for the test is the only one
// trusted); plain HTTP on the TLS port; SIGHUP reloads the certificate; --tls-self-signed.
import { NodeXMLHttpRequest } from './lib/xhr-polyfill.mjs';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { LongPoll } from 'phoenix';
import { startServer } from './lib/server.mjs';
import { CLIENTS, connect, join as joinChannel, push, collect, disconnect, withTimeout } from './lib/phx.mjs';
import { nick } from './lib/fixture.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pki = mkdtempSync(join(tmpdir(), 'chatter-tls-'));
execFileSync(resolve(here, '..', 'tls', 'make-test-ca.sh'), [pki]);
const ca = readFileSync(join(pki, 'ca.pem'));
// The server's certificate files: copies, so that the reload test can replace them.
const certFile = join(pki, 'live.pem');
const keyFile = join(pki, 'live.key');
copyFileSync(join(pki, 'server.pem'), certFile);
copyFileSync(join(pki, 'server.key'), keyFile);
const fingerprintOf = (file) => new X509Certificate(readFileSync(file)).fingerprint256;
after(() => rmSync(pki, { recursive: true, force: true }));

// ws with the test CA as the only trusted authority (verification stays on).
class TrustingWebSocket extends WebSocket {
  constructor(url, protocols) { super(url, protocols, { ca }); }
}

function socketFor(server, version, user, opts = {}) {
  const Socket = CLIENTS[version];
  return new Socket(`wss://localhost:${server.port}/socket`, {
    transport: TrustingWebSocket, params: { user }, reconnectAfterMs: () => 100, rejoinAfterMs: () => 200, ...opts,
  });
}

// The certificate a fresh TLS connection is shown (trusting `trusted`).
function peerFingerprint(port, trusted = ca) {
  return withTimeout(new Promise((res, rej) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: trusted }, () => {
      const fp = s.getPeerX509Certificate().fingerprint256;
      s.end();
      res(fp);
    });
    s.on('error', rej);
  }), 5000, 'TLS connect');
}

// A raw plain-text request on the TLS port; resolves with everything the server answered.
function plainRequest(port, text) {
  return withTimeout(new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d) => { got += d; });
    s.on('end', () => res(got));
    s.on('error', rej);
  }), 5000, 'plain request');
}

describe('wss:// and https:// with a certificate from a CA', () => {
  let server;
  const sockets = [];
  before(async () => {
    server = await startServer({ args: ['--tls-cert', certFile, '--tls-key', keyFile,
      '--longpoll-hold-ms', '500', '--longpoll-session-ms', '3000'] });
  });
  after(async () => {
    for (const s of sockets) await disconnect(s);
    await server?.stop();
  });
  const track = (s) => { sockets.push(s); return s; };

  test('the official 1.7 and 1.8 clients chat over wss:// (certificate verified)', async () => {
    const T = 'chatter:room:tls';
    const a = track(socketFor(server, '1.8', nick('tls18')));
    const b = track(socketFor(server, '1.7', nick('tls17')));
    await Promise.all([connect(a), connect(b)]);
    const ca18 = a.channel(T, {});
    const cb17 = b.channel(T, {});
    const inA = collect(ca18, 'new_msg');
    const inB = collect(cb17, 'new_msg');
    await joinChannel(ca18);
    await joinChannel(cb17);
    const r1 = await push(ca18, 'new_msg', { body: 'over wss from 1.8' });
    const r2 = await push(cb17, 'new_msg', { body: 'over wss from 1.7 '.repeat(200) });
    assert.equal(r1.status, 'ok');
    assert.equal(r2.status, 'ok');
    for (const inbox of [inA, inB]) {
      assert.equal((await inbox.waitFor((m) => m.id === r1.response.id)).body, 'over wss from 1.8');
      assert.equal((await inbox.waitFor((m) => m.id === r2.response.id)).body.length, 3600);
    }
  });

  test('a client that does not trust the CA is refused by its own verification', async () => {
    const s = new WebSocket(`wss://localhost:${server.port}/socket/websocket?vsn=2.0.0&user=${nick('x')}`);
    const err = await withTimeout(new Promise((res) => s.on('error', res)), 5000, 'verification error');
    assert.match(String(err.message), /self[- ]signed|unable to (get|verify)/i);
  });

  test('long-poll over https:// (official 1.8 client) talks with a wss:// client', async () => {
    NodeXMLHttpRequest.ca = ca;
    const T = 'chatter:room:tlslp';
    const lp = track(new CLIENTS['1.8'](`https://localhost:${server.port}/socket`, {
      transport: LongPoll, params: { user: nick('lp') }, reconnectAfterMs: () => 100, rejoinAfterMs: () => 200,
    }));
    const ws = track(socketFor(server, '1.8', nick('ws')));
    await Promise.all([connect(lp, 10000), connect(ws)]);
    const cl = lp.channel(T, {});
    const cw = ws.channel(T, {});
    const inL = collect(cl, 'new_msg');
    const inW = collect(cw, 'new_msg');
    await joinChannel(cl, 10000);
    await joinChannel(cw);
    const sent = NodeXMLHttpRequest.sent;
    const r1 = await push(cl, 'new_msg', { body: 'from long-poll over https' });
    const r2 = await push(cw, 'new_msg', { body: 'from wss to long-poll' });
    assert.equal(r1.status, 'ok');
    assert.equal((await inW.waitFor((m) => m.id === r1.response.id)).body, 'from long-poll over https');
    assert.equal((await inL.waitFor((m) => m.id === r2.response.id, 10000)).body, 'from wss to long-poll');
    assert.ok(NodeXMLHttpRequest.sent > sent, 'long-poll went through https requests');
  });

  test('plain HTTP on the TLS port: GET is redirected to https, the rest is refused', async () => {
    const page = await plainRequest(server.port, `GET /rooms?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    assert.match(page, /^HTTP\/1\.1 308 /);
    assert.match(page, new RegExp(`\\r\\nlocation: https://127\\.0\\.0\\.1:${server.port}/rooms\\?x=1\\r\\n`, 'i'));
    const upgrade = await plainRequest(server.port,
      `GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\n` +
      'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    assert.match(upgrade, /^HTTP\/1\.1 400 /);
    assert.match(upgrade, /use https:\/\/ or wss:\/\//);
    const post = await plainRequest(server.port,
      `POST /socket/longpoll HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: 2\r\n\r\n{}`);
    assert.match(post, /^HTTP\/1\.1 400 /);
  });
});

describe('SIGHUP reloads the certificate', () => {
  test('new connections get the new certificate, open ones carry on', async () => {
    copyFileSync(join(pki, 'server.pem'), certFile);
    copyFileSync(join(pki, 'server.key'), keyFile);
    const server = await startServer({ args: ['--tls-cert', certFile, '--tls-key', keyFile] });
    const s = socketFor(server, '1.8', nick('hup'));
    try {
      assert.equal(await peerFingerprint(server.port), fingerprintOf(join(pki, 'server.pem')));
      assert.ok(server.stdoutText.includes(`SHA-256 ${fingerprintOf(join(pki, 'server.pem'))}`));
      await connect(s);
      const ch = s.channel('chatter:room:hup', {});
      await joinChannel(ch);

      copyFileSync(join(pki, 'other.pem'), certFile);
      copyFileSync(join(pki, 'other.key'), keyFile);
      const mark = server.logMark();
      server.proc.kill('SIGHUP');
      await server.waitForLog(/TLS certificate reloaded/, { since: mark });
      assert.equal(await peerFingerprint(server.port), fingerprintOf(join(pki, 'other.pem')));
      assert.ok(server.alive, 'SIGHUP does not stop the server');
      assert.equal((await push(ch, 'new_msg', { body: 'still here' })).status, 'ok');

      // A broken file keeps the certificate in use.
      copyFileSync(join(pki, 'server.key'), keyFile);
      const mark2 = server.logMark();
      server.proc.kill('SIGHUP');
      await server.waitForLog(/TLS reload failed/, { since: mark2 });
      assert.equal(await peerFingerprint(server.port), fingerprintOf(join(pki, 'other.pem')));
    } finally {
      await disconnect(s);
      await server.stop();
    }
  });
});

describe('--tls-self-signed', () => {
  test('makes a P-256 certificate for this machine once, and reuses it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chatter-selfsigned-'));
    try {
      const first = await startServer({ dataDir, args: ['--tls-self-signed'] });
      const certPath = join(dataDir, 'tls', 'self-signed.pem');
      let fp;
      try {
        assert.ok(existsSync(certPath));
        const cert = new X509Certificate(readFileSync(certPath));
        fp = cert.fingerprint256;
        assert.equal(cert.publicKey.asymmetricKeyDetails.namedCurve, 'prime256v1');
        assert.match(cert.subjectAltName, /DNS:localhost/);
        assert.match(cert.subjectAltName, /IP Address:127\.0\.0\.1/);
        // Trusting exactly that certificate is enough to connect (and to chat).
        assert.equal(await peerFingerprint(first.port, readFileSync(certPath)), fp);
        assert.ok(first.stdoutText.includes(`SHA-256 ${fp}`));
      } finally {
        await first.stop();
      }
      const second = await startServer({ dataDir, args: ['--tls-self-signed'] });
      try {
        assert.equal(await peerFingerprint(second.port, readFileSync(certPath)), fp);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
