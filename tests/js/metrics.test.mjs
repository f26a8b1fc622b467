// GET /metrics and GET /healthz (docs/metrics.md): the exposition parsed with a Prometheus
// text-format parser, counters moved by the official phoenix.js clients (WebSocket and
// long-poll), refusals counted by reason, and where --metrics-address puts the page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { LongPoll } from 'phoenix';
import { useServer, nick } from './lib/fixture.mjs';
import { startServer } from './lib/server.mjs';
import { httpRequest } from './lib/http.mjs';
import { makeSocket, connect, join, push, disconnect } from './lib/phx.mjs';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

// The families of one scrape by name, each with its samples; fails on anything but a 200 in
// the text format.
async function scrape(target, path = '/metrics') {
  const res = await httpRequest(target, 'GET', path);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.headers['content-type'], CONTENT_TYPE);
  const families = new Map();
  for (const family of parsePrometheusTextFormat(res.body)) families.set(family.name, family);
  return families;
}

// The value of a family's sample whose labels are exactly `labels`.
function value(families, name, labels = {}) {
  const family = families.get(name);
  assert.ok(family, `no metric ${name}`);
  const sample = family.metrics.find((m) =>
    JSON.stringify(m.labels ?? {}) === JSON.stringify(labels));
  assert.ok(sample, `no sample ${name}${JSON.stringify(labels)}`);
  return Number(sample.value ?? sample.count);
}

// A port nothing listens on right now (for --metrics-address).
function freePort() {
  return new Promise((res, rej) => {
    const probe = net.createServer();
    probe.on('error', rej);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => res(port));
    });
  });
}

// A WebSocket upgrade the server refuses; resolves with the HTTP status of the refusal.
function refusedUpgrade(server, query, headers = {}) {
  return new Promise((res, rej) => {
    const ws = new WebSocket(server.wsUrl(query), { headers });
    ws.on('unexpected-response', (_req, response) => { res(response.statusCode); ws.terminate(); });
    ws.on('open', () => { ws.close(); rej(new Error('the upgrade was accepted')); });
    ws.on('error', () => {});
  });
}

describe('/metrics on the chat port', () => {
  const ctx = useServer({ args: ['--longpoll-hold-ms', '500'] });

  test('every family has HELP and TYPE; the standard process metrics are there', async () => {
    const families = await scrape(ctx.server);
    for (const [name, family] of families) {
      assert.ok(family.help.length > 0, `${name} has no HELP`);
      assert.ok(['COUNTER', 'GAUGE', 'HISTOGRAM'].includes(family.type), `${name}: ${family.type}`);
      if (family.type === 'COUNTER') assert.match(name, /_total$/);
    }
    assert.ok(value(families, 'process_resident_memory_bytes') > 0);
    assert.ok(value(families, 'process_open_fds') > 0);
    assert.ok(value(families, 'process_start_time_seconds') * 1000 <= Date.now());
    const latency = families.get('chatter_store_commit_duration_seconds');
    assert.equal(latency.type, 'HISTOGRAM');
    assert.ok('+Inf' in latency.metrics[0].buckets);
  });

  test('counters move with a WebSocket and a long-poll phoenix client', async () => {
    const before = await scrape(ctx.server);
    const topic = 'chatter:room:metrics';
    const ws = makeSocket('1.8', ctx.server, { params: { user: nick('ws') } });
    const lp = makeSocket('1.8', ctx.server, { params: { user: nick('lp') }, transport: LongPoll });
    ctx.onCleanup(() => disconnect(ws));
    ctx.onCleanup(() => disconnect(lp));
    await connect(ws);
    await connect(lp, 10000);
    const wsChannel = ws.channel(topic, {});
    const lpChannel = lp.channel(topic, {});
    await join(wsChannel);
    await join(lpChannel, 10000);
    const sent = 3;
    for (let i = 0; i < sent; i += 1) {
      const reply = await push(wsChannel, 'new_msg', { body: `counted ${i}` });
      assert.equal(reply.status, 'ok');
    }

    const after = await scrape(ctx.server);
    assert.equal(value(after, 'chatter_connections', { transport: 'websocket' }), 1);
    assert.equal(value(after, 'chatter_connections', { transport: 'longpoll' }), 1);
    assert.equal(value(after, 'chatter_longpoll_sessions'), 1);
    assert.equal(value(after, 'chatter_joins_total') - value(before, 'chatter_joins_total'), 2);
    const received = value(after, 'chatter_messages_received_total') -
      value(before, 'chatter_messages_received_total');
    assert.ok(received >= 2 + sent, `received ${received}`);
    // Each message is answered and broadcast to both members.
    const delivered = value(after, 'chatter_messages_sent_total') -
      value(before, 'chatter_messages_sent_total');
    assert.ok(delivered >= 2 + 3 * sent, `sent ${delivered}`);
    assert.ok(value(after, 'chatter_received_bytes_total') > value(before, 'chatter_received_bytes_total'));
    assert.ok(value(after, 'chatter_sent_bytes_total') > value(before, 'chatter_sent_bytes_total'));
    assert.ok(value(after, 'chatter_store_messages_total') - value(before, 'chatter_store_messages_total') >= sent);
    const commits = value(after, 'chatter_store_commits_total');
    assert.ok(commits > value(before, 'chatter_store_commits_total'));
    const latency = after.get('chatter_store_commit_duration_seconds').metrics[0];
    assert.equal(Number(latency.count), commits);
    assert.equal(Number(latency.buckets['+Inf']), commits);
  });

  test('refused connections are counted by reason', async () => {
    const before = await scrape(ctx.server);
    assert.equal(await refusedUpgrade(ctx.server, { vsn: '2.0.0', user: nick('eve') },
      { Origin: 'http://elsewhere.example' }), 403);
    assert.equal(await refusedUpgrade(ctx.server, { vsn: '2.0.0', user: 'no spaces allowed' }), 403);
    assert.equal(await refusedUpgrade(ctx.server, { vsn: '9.9.9', user: nick('old') }), 403);
    const after = await scrape(ctx.server);
    const moved = (reason) => value(after, 'chatter_refused_connections_total', { reason }) -
      value(before, 'chatter_refused_connections_total', { reason });
    assert.equal(moved('origin'), 1);
    assert.equal(moved('nickname'), 1);
    assert.equal(moved('bad_request'), 1);
    assert.equal(moved('ban'), 0);
    assert.equal(moved('address_limit'), 0);
  });

  test('/healthz reports a ready store', async () => {
    const res = await httpRequest(ctx.server, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.json.status, 'ok');
    assert.equal(res.json.store.ready, true);
    assert.equal(res.json.store.backend, 'sqlite');
    assert.equal(res.json.cluster, undefined);
  });
});

describe('--metrics-address', () => {
  test('ADDRESS:PORT serves /metrics and /healthz there, and not on the chat port', async () => {
    const port = await freePort();
    const server = await startServer({ args: ['--metrics-address', `127.0.0.1:${port}`] });
    try {
      assert.equal((await httpRequest(server, 'GET', '/metrics')).status, 404);
      const ws = makeSocket('1.8', server, { params: { user: nick('sep') } });
      try {
        await connect(ws);
        await join(ws.channel('chatter:room:elsewhere', {}));
        const families = await scrape({ port });
        assert.equal(value(families, 'chatter_connections', { transport: 'websocket' }), 1);
        assert.equal(value(families, 'chatter_joins_total'), 1);
      } finally {
        disconnect(ws);
      }
      const health = await httpRequest({ port }, 'GET', '/healthz');
      assert.equal(health.status, 200);
      assert.equal(health.json.store.ready, true);
      assert.equal((await httpRequest({ port }, 'GET', '/')).status, 404);
    } finally {
      await server.stop();
    }
  });

  test('off serves it nowhere; /healthz stays', async () => {
    const server = await startServer({ args: ['--metrics-address', 'off'] });
    try {
      assert.equal((await httpRequest(server, 'GET', '/metrics')).status, 404);
      assert.equal((await httpRequest(server, 'GET', '/healthz')).status, 200);
    } finally {
      await server.stop();
    }
  });

  test('with --accounts required it is off the chat port unless an address is given', async () => {
    const guarded = await startServer({ args: ['--accounts', 'required'] });
    try {
      assert.equal((await httpRequest(guarded, 'GET', '/metrics')).status, 404);
    } finally {
      await guarded.stop();
    }
    const port = await freePort();
    const exposed = await startServer({ args: ['--accounts', 'required', '--metrics-address', `127.0.0.1:${port}`] });
    try {
      assert.equal((await httpRequest(exposed, 'GET', '/metrics')).status, 404);
      const families = await scrape({ port });
      assert.equal(value(families, 'chatter_connections', { transport: 'websocket' }), 0);
    } finally {
      await exposed.stop();
    }
  });

  test('a malformed address is refused at start', async () => {
    await assert.rejects(startServer({ args: ['--metrics-address', 'localhost'] }),
      /--metrics-address: expected ADDRESS:PORT or off/);
  });
});
