#!/usr/bin/env node
// SPDX-License-Identifier: MIT
//
// Turns the raw results written by bench/run.sh into a Markdown table:
// Chatter vs reference, ratio, target, PASS/FAIL.
//   node bench/tools/report.js bench/results/latest.txt
// Across repetitions, rates/latencies/CPU/RSS use the median; losses, failures
// and drops use the worst repetition.
'use strict';

const { readResults, num, median, worst, fmt, ratio } = require('./results.js');

const file = process.argv[2];
if (!file) {
  console.error('usage: report.js RESULTS.txt');
  process.exit(2);
}
const { header, runs } = readResults(file);

function pick(scenario, server) {
  return runs.filter((r) => r.scenario === scenario && r.server === server && !r.error);
}
function agg(scenario, server, key, how = median) {
  return how(pick(scenario, server).map((r) => num(r[key])));
}
function derived(scenario, server, fn, how = median) {
  return how(pick(scenario, server).map((r) => fn(r)));
}

const rows = [];
const verdicts = [];
function row(scenario, metric, c, r, target, pass, digits = 2) {
  const q = ratio(c, r);
  const result = pass === undefined ? '' : pass === null ? 'n/a' : pass ? 'PASS' : 'FAIL';
  if (pass !== undefined) verdicts.push(result);
  rows.push([scenario, metric, fmt(c, digits), fmt(r, digits), q === undefined ? 'n/a' : fmt(q, 2) + '×', target, result]);
}
const has = (...vs) => vs.every((v) => v !== undefined);
const check = (cond, ...vs) => (has(...vs) ? cond() : null);

// Load generator CPU over the measured window, % of its one pinned core.
const loadgenPct = (r) => num(r.loadgen_cpu_pct);
const lossOf = (r) => num(r.lost) + Math.max(0, num(r.skipped_sends) || 0);
const failsOf = (r) => num(r.connect_failures) + num(r.dropped);
// Server CPU per client over connect + settle: TCP accept, HTTP upgrade, every join.
const cpuPerConnectUs = (r) =>
  num(r.joined) > 0 && num(r.server_cpu_connect_s) !== undefined ? (num(r.server_cpu_connect_s) / num(r.joined)) * 1e6 : undefined;
const least = (xs) => {
  const v = xs.filter((x) => x !== undefined);
  return v.length ? Math.min(...v) : undefined;
};
const scenarios = [...new Set(runs.map((r) => r.scenario))];
const describe = {
  idle: 'idle joined clients',
  idle1: 'idle clients, a room each',
  topics3: 'idle accounts in 3 topics each (personal, room of 10, DM)',
  fanout: 'fan-out 50 msg/s',
  rooms: 'rooms × 10, 1 msg/s each',
  fanout200: 'fan-out 200 msg/s (saturating)',
  fanout400: 'fan-out 400 msg/s offered (both saturated)',
  connect: 'connect burst',
};

for (const s of scenarios) {
  const any = pick(s, 'chatter')[0] || pick(s, 'reference')[0];
  const label = `${s}: ${describe[s] || ''} (${any ? any.clients : '?'} clients)`;
  const C = (k, how) => agg(s, 'chatter', k, how);
  const R = (k, how) => agg(s, 'reference', k, how);
  const cpuPerConnect = (target, pass) => {
    const c = derived(s, 'chatter', cpuPerConnectUs);
    const r = derived(s, 'reference', cpuPerConnectUs);
    row(label, 'server CPU per connect+upgrade+join (µs)', c, r, target, pass ? check(() => pass(c, r), c, r) : undefined, 0);
  };
  const rssAllJoined = () =>
    row(label, 'server RSS with all joined (MiB)', has(C('rss_connected_kb')) ? C('rss_connected_kb') / 1024 : undefined,
      has(R('rss_connected_kb')) ? R('rss_connected_kb') / 1024 : undefined, '', undefined, 1);
  // A client that never joined is missing from every per-connection number: the new scenarios
  // count on all of them (a refused token, a refused room), so there it is a target.
  const failures = (target) => {
    const c = derived(s, 'chatter', failsOf, worst);
    const r = derived(s, 'reference', failsOf, worst);
    row(label, 'connect failures + drops (worst)', c, r, target, target ? check(() => c === 0 && (r === undefined || r === 0), c) : undefined, 0);
  };
  if (s === 'idle') {
    const c = C('rss_per_conn_kb');
    const r = R('rss_per_conn_kb');
    row(label, 'server RSS per connection (KiB)', c, r, '≤ 6 KiB and ≤ 0.9× ref', check(() => c <= 6 && c / r <= 0.9, c, r));
    rssAllJoined();
    cpuPerConnect('');
    failures('');
  } else if (s === 'idle1') {
    // The "3 KB" is taken as 3 KiB, the unit of every RSS row here.
    const c = C('rss_per_conn_kb');
    row(label, 'server RSS per connection (KiB)', c, R('rss_per_conn_kb'), '≤ 3 KiB', check(() => c <= 3, c));
    rssAllJoined();
    cpuPerConnect('');
    failures('0');
  } else if (s === 'topics3') {
    row(label, 'server RSS per connection (KiB)', C('rss_per_conn_kb'), R('rss_per_conn_kb'), '', undefined);
    row(label, 'server RSS per joined topic (KiB)', C('rss_per_topic_kb'), R('rss_per_topic_kb'), '', undefined);
    rssAllJoined();
    // Every client's three joins answered ok, in every repetition (the fewest counts).
    const expected = any ? num(any.clients) * (num(any.topics_per_client) || 3) : undefined;
    const cj = derived(s, 'chatter', (r) => num(r.joins), least);
    const rj = derived(s, 'reference', (r) => num(r.joins), least);
    row(label, 'joins answered ok (fewest rep)', cj, rj, `= ${fmt(expected, 0)} (3 per client)`,
      check(() => cj === expected && (rj === undefined || rj === expected), cj, expected), 0);
    cpuPerConnect('');
    failures('0');
  } else if (s === 'fanout' || s === 'rooms') {
    const p99Target = s === 'fanout' ? 5 : 10;
    const cpuTarget = s === 'fanout' ? 0.6 : 0.8;
    const c = C('server_cpu_s');
    const r = R('server_cpu_s');
    row(label, 'server CPU over window (s)', c, r, `≤ ${cpuTarget}× ref`, check(() => c / r <= cpuTarget, c, r));
    row(label, 'server CPU µs per delivery', C('server_cpu_us_per_delivery'), R('server_cpu_us_per_delivery'), '', undefined);
    const p99 = C('lat_p99_ms');
    row(label, 'latency p99 (ms)', p99, R('lat_p99_ms'), `≤ ${p99Target} ms`, check(() => p99 <= p99Target, p99));
    row(label, 'latency p50 (ms)', C('lat_p50_ms'), R('lat_p50_ms'), '', undefined);
    row(label, 'latency max (ms)', C('lat_max_ms'), R('lat_max_ms'), '', undefined);
    row(label, 'ack p99 (ms, send → ok reply)', C('ack_p99_ms'), R('ack_p99_ms'), '', undefined);
    row(label, 'deliveries/s', C('deliveries_per_s'), R('deliveries_per_s'), '', undefined, 0);
    const lost = derived(s, 'chatter', lossOf, worst);
    row(label, 'lost deliveries (worst rep)', lost, derived(s, 'reference', lossOf, worst), '0 lost', check(() => lost === 0, lost), 0);
    row(label, 'delivered / expected', C('delivered'), C('expected'), '(chatter / chatter)', undefined, 0);
  } else if (s === 'fanout200' || s === 'fanout400') {
    const c = C('deliveries_per_s');
    const r = R('deliveries_per_s');
    row(label, 'deliveries/s', c, r, '≥ 1.3× ref', check(() => c / r >= 1.3, c, r), 0);
    row(label, 'delivered / expected (chatter)', C('delivered'), C('expected'), '', undefined, 0);
    row(label, 'delivered / expected (reference)', R('delivered'), R('expected'), '', undefined, 0);
    row(label, 'latency p99 (ms)', C('lat_p99_ms'), R('lat_p99_ms'), '', undefined);
    row(label, 'server CPU over window (s)', C('server_cpu_s'), R('server_cpu_s'), '', undefined);
  } else if (s === 'connect') {
    const c = derived(s, 'chatter', failsOf, worst);
    row(label, 'refused or dropped (worst rep)', c, derived(s, 'reference', failsOf, worst), '0', check(() => c === 0, c), 0);
    cpuPerConnect('≤ 0.8× ref', (cc, rr) => cc / rr <= 0.8);
    row(label, 'connect+upgrade+join p99 (ms)', C('connect_p99_ms'), R('connect_p99_ms'), '', undefined);
    row(label, 'connect phase (s)', C('connect_phase_s'), R('connect_phase_s'), '', undefined);
    row(label, 'server RSS per connection (KiB)', C('rss_per_conn_kb'), R('rss_per_conn_kb'), '', undefined);
  }
}

// TLS: each server over wss:// beside Chatter over ws://, when the run had -tls servers.
const tlsRows = [];
for (const s of scenarios.filter((x) => ['fanout', 'rooms'].includes(x))) {
  if (!pick(s, 'chatter-tls').length && !pick(s, 'reference-tls').length) continue;
  const any = pick(s, 'chatter-tls')[0] || pick(s, 'reference-tls')[0];
  const label = `${s}: ${describe[s] || ''} (${any ? any.clients : '?'} clients)`;
  const A = (srv, k, how) => agg(s, srv, k, how);
  const tlsRow = (metric, key, digits, target, passFn) => {
    const wss = A('chatter-tls', key);
    const ws = A('chatter', key);
    const ref = A('reference-tls', key);
    const q = ratio(wss, ws);
    const pass = passFn ? check(() => passFn(wss, ws, q), wss, ws) : undefined;
    const result = pass === undefined ? '' : pass === null ? 'n/a' : pass ? 'PASS' : 'FAIL';
    if (pass !== undefined) verdicts.push(result);
    tlsRows.push([label, metric, fmt(wss, digits), fmt(ws, digits), q === undefined ? 'n/a' : fmt(q, 2) + '×',
      fmt(ref, digits), ratio(wss, ref) === undefined ? 'n/a' : fmt(ratio(wss, ref), 2) + '×', target, result]);
  };
  tlsRow('server CPU µs per delivery', 'server_cpu_us_per_delivery', 2, s === 'fanout' ? 'wss ≤ 1.4× ws' : '',
    s === 'fanout' ? (wss, ws, q) => q <= 1.4 : undefined);
  tlsRow('latency p99 (ms)', 'lat_p99_ms', 2, '', undefined);
  tlsRow('latency p50 (ms)', 'lat_p50_ms', 2, '', undefined);
  tlsRow('deliveries/s', 'deliveries_per_s', 0, '', undefined);
  const lostTls = derived(s, 'chatter-tls', lossOf, worst);
  tlsRows.push([label, 'lost deliveries (worst rep)', fmt(lostTls, 0), fmt(derived(s, 'chatter', lossOf, worst), 0), '',
    fmt(derived(s, 'reference-tls', lossOf, worst), 0), '', '0 lost', lostTls === undefined ? 'n/a' : lostTls === 0 ? 'PASS' : 'FAIL']);
  if (lostTls !== undefined) verdicts.push(lostTls === 0 ? 'PASS' : 'FAIL');
}

// The reference does no presence; `reference-presence` is the same server with Phoenix-style
// presence on room topics (state to the joiner, a diff to every member per join), which prices
// what presence alone costs a server. Shown beside the baseline, never instead of it.
const presenceRows = [];
for (const s of scenarios) {
  if (!pick(s, 'reference-presence').length) continue;
  const label = `${s}: ${describe[s] || ''}`;
  const line = (metric, fn, digits) => {
    const c = derived(s, 'chatter', fn);
    const r = derived(s, 'reference', fn);
    const p = derived(s, 'reference-presence', fn);
    const q = ratio(c, p);
    presenceRows.push([label, metric, fmt(c, digits), fmt(r, digits), fmt(p, digits),
      has(p, r) ? fmt(p - r, digits) : 'n/a', q === undefined ? 'n/a' : fmt(q, 2) + '×']);
  };
  line('server CPU per connect+upgrade+join (µs)', cpuPerConnectUs, 0);
  line('server RSS per connection (KiB)', (r) => num(r.rss_per_conn_kb), 2);
}

const out = [];
out.push('# Chatter vs reference (Node.js ws)');
out.push('');
for (const h of header) out.push(`- ${h}`);
out.push('');
out.push('| scenario | metric | chatter | reference | ratio | target | result |');
out.push('| --- | --- | ---: | ---: | ---: | --- | --- |');
for (const r of rows) out.push(`| ${r.join(' | ')} |`);
out.push('');
if (tlsRows.length) {
  out.push('## TLS (wss://)');
  out.push('');
  out.push('| scenario | metric | chatter wss | chatter ws | wss / ws | reference wss | chatter / reference (wss) | target | result |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const r of tlsRows) out.push(`| ${r.join(' | ')} |`);
  out.push('');
}
if (presenceRows.length) {
  out.push('## What presence costs (reference with presence)');
  out.push('');
  out.push('| scenario | metric | chatter | reference | reference with presence | presence in the reference | chatter / reference with presence |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of presenceRows) out.push(`| ${r.join(' | ')} |`);
  out.push('');
}
const fails = verdicts.filter((v) => v === 'FAIL').length;
const passes = verdicts.filter((v) => v === 'PASS').length;
out.push(`targets: ${passes} PASS, ${fails} FAIL, ${verdicts.length - passes - fails} n/a`);

// Per-run details and anything suspicious.
out.push('');
out.push('## Runs');
out.push('');
out.push('| scenario | server | rep | joined | joins | conn fail | dropped | sent | acked | delivered/expected | lost | p50 ms | p99 ms | max ms | deliv/s | srv CPU s | srv CPU % | RSS/conn KiB | RSS end MiB | threads | loadgen CPU % | other CPU % |');
out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of runs) {
  if (r.error) {
    out.push(`| ${r.scenario} | ${r.server} | ${r.rep} | ${r.error} |`);
    continue;
  }
  const n = (k, d = 2) => fmt(num(r[k]), d);
  out.push(
    `| ${r.scenario} | ${r.server} | ${r.rep} | ${r.joined} | ${r.joins ?? ''} | ${r.connect_failures} | ${r.dropped} | ${r.sent} | ${r.acked} | ` +
      `${r.delivered}/${r.expected} | ${r.lost} | ${n('lat_p50_ms')} | ${n('lat_p99_ms')} | ${n('lat_max_ms')} | ` +
      `${n('deliveries_per_s', 0)} | ${n('server_cpu_s')} | ${n('server_cpu_pct', 1)} | ${n('rss_per_conn_kb')} | ${fmt(num(r.rss_end_kb) / 1024, 1)} | ${r.server_threads} | ${fmt(loadgenPct(r), 1)} | ${fmt(num(r.other_cpu_pct), 1)} |`,
  );
}
const notes = [];
for (const r of runs) {
  const tag = `${r.scenario}/${r.server} rep ${r.rep}`;
  if (num(r.other_cpu_pct) > 15) notes.push(`${tag}: other processes used ${fmt(num(r.other_cpu_pct), 0)}% of a CPU during the window: noisy run`);
  if (loadgenPct(r) > 90) notes.push(`${tag}: load generator used ${fmt(loadgenPct(r), 0)}% of its CPU: it may have limited this run`);
  if (r.error) notes.push(`${tag}: ${r.error}`);
  if (r.server_alive_at_end === '0') notes.push(`${tag}: server process had exited before the end of the run`);
  for (const k of ['ack_errors', 'duplicates', 'protocol_errors', 'channel_errors', 'foreign_msgs', 'skipped_sends']) {
    if (num(r[k]) > 0) notes.push(`${tag}: ${k}=${r[k]}`);
  }
  if (num(r.acked) + num(r.ack_errors) < num(r.sent)) notes.push(`${tag}: ${num(r.sent) - num(r.acked) - num(r.ack_errors)} new_msg without a reply`);
  if (num(r.heartbeat_replies) < num(r.heartbeats) && !(num(r.delivered) < num(r.expected))) notes.push(`${tag}: heartbeats ${r.heartbeat_replies}/${r.heartbeats} answered`);
  if (r.first_failure && r.first_failure !== '-') notes.push(`${tag}: first failure: ${r.first_failure}`);
  if (r.logs.length) notes.push(`${tag}: server log (${r.server_log_lines} lines): ${r.logs.join(' / ')}`);
}
if (notes.length) {
  out.push('');
  out.push('## Notes');
  out.push('');
  for (const n of notes) out.push(`- ${n}`);
}
console.log(out.join('\n'));
