#!/usr/bin/env node
// SPDX-License-Identifier: MIT
//
// Turns the raw results written by bench/cluster.sh into Markdown tables: one row per server
// kind and scenario (deliveries/s, CPU per 1000 deliveries summed over the nodes, Redis and
// PostgreSQL, latency, losses, cross-node deliveries), two nodes against one, then one row
// per run and notes.
//   node bench/tools/cluster-report.js bench/results/cluster-latest.txt
// Across repetitions, rates, latencies and CPU use the median; losses the worst repetition;
// cross-node deliveries are summed.
'use strict';

const { readResults, num, median, worst, fmt, ratio } = require('./results.js');

const file = process.argv[2];
if (!file) {
  console.error('usage: cluster-report.js CLUSTER-RESULTS.txt');
  process.exit(2);
}
const { header, runs } = readResults(file);
const ok = runs.filter((r) => !r.error);

// CPU seconds over the measured window, from the generator's --cpu-group/--cpu-tree readings:
// the nodes (node1, node2), redis, postgres. Undefined when the run had no such group.
const groupCpu = (r, name) => num(r[`cpu_group_${name}_s`]);
const nodesCpu = (r) => {
  const names = (r.cpu_groups || '').split(',').filter((n) => n.startsWith('node'));
  return names.length ? names.reduce((sum, n) => sum + (groupCpu(r, n) || 0), 0) : num(r.server_cpu_s);
};
const totalCpu = (r) => nodesCpu(r) + (groupCpu(r, 'redis') || 0) + (groupCpu(r, 'postgres') || 0);
// CPU ms per 1000 deliveries (numerically µs per delivery).
const per1000 = (cpu, r) => (cpu !== undefined && num(r.delivered) > 0 ? (cpu / num(r.delivered)) * 1e6 : undefined);
const lossOf = (r) => num(r.lost) + Math.max(0, num(r.skipped_sends) || 0);
const busyPct = (r) => (num(r.window_s) > 0 ? (100 * totalCpu(r)) / num(r.window_s) : undefined);

const kinds = [...new Set(runs.map((r) => r.server))];
const scenarios = [...new Set(runs.map((r) => r.scenario))];
const pick = (s, k) => ok.filter((r) => r.scenario === s && r.server === k);
const agg = (s, k, fn, how = median) => how(pick(s, k).map(fn));
const describe = {
  fanout: 'fan-out 50 msg/s (2 senders × 25)',
  rooms: 'rooms × 10, 1 msg/s each',
  fanout200: 'fan-out 200 msg/s (2 senders × 100)',
  fanout400: 'fan-out 400 msg/s (2 senders × 200)',
};

const out = [];
out.push('# Chatter cluster vs reference (Node.js ws + Redis pub/sub)');
out.push('');
for (const h of header) out.push(`- ${h}`);
out.push('');
out.push('CPU = user + system time of every node, redis-server and (Chatter on PostgreSQL) every PostgreSQL process over the measured window, per 1000 deliveries (= µs per delivery); all of them share CPU 0.');
out.push('');
out.push('| server | nodes | store | scenario | deliveries/s | CPU ms per 1000 deliveries (summed) | of which redis | of which postgres | p50 / p99 ms | lost | cross-node delivered / expected | CPU 0 busy % |');
out.push('| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const s of scenarios) {
  for (const k of kinds) {
    const rs = pick(s, k);
    if (!rs.length) continue;
    const any = rs[0];
    const redis = agg(s, k, (r) => per1000(groupCpu(r, 'redis'), r));
    const pg = agg(s, k, (r) => per1000(groupCpu(r, 'postgres'), r));
    const sum = (fn) => rs.reduce((a, r) => a + (fn(r) || 0), 0);
    const cross = num(any.nodes) > 1 ? `${fmt(sum((r) => num(r.delivered_cross_node)), 0)} / ${fmt(sum((r) => num(r.expected_cross_node)), 0)}` : '—';
    out.push(
      `| ${k} | ${any.nodes} | ${any.store} | ${s}: ${describe[s] || ''} (${any.clients} clients) | ${fmt(agg(s, k, (r) => num(r.deliveries_per_s)), 0)} | ` +
        `${fmt(agg(s, k, (r) => per1000(totalCpu(r), r)))} | ${redis === undefined ? '—' : fmt(redis)} | ${pg === undefined ? '—' : fmt(pg)} | ` +
        `${fmt(agg(s, k, (r) => num(r.lat_p50_ms)))} / ${fmt(agg(s, k, (r) => num(r.lat_p99_ms)))} | ${fmt(agg(s, k, lossOf, worst), 0)} | ${cross} | ` +
        `${fmt(agg(s, k, busyPct), 0)} |`,
    );
  }
}

// Two nodes against one of the same server and store, and sharded against plain channels:
// what the second node (and what Redis, PostgreSQL) add per delivery.
const pairs = [
  ['chatter-cluster', 'chatter-pg', 'Chatter: 2 nodes (PostgreSQL + Redis) / 1 node on PostgreSQL'],
  ['chatter-pg', 'chatter', 'Chatter: 1 node on PostgreSQL / 1 node on SQLite'],
  ['reference-cluster', 'reference', 'reference: 2 nodes (Redis) / 1 node'],
  ['reference-cluster-sharded', 'reference-cluster', 'reference: sharded / plain channels (2 nodes)'],
  ['chatter-cluster', 'reference-cluster', 'Chatter 2 nodes / reference 2 nodes'],
  ['chatter', 'reference', 'Chatter 1 node (SQLite) / reference 1 node'],
];
const ratioRows = [];
for (const s of scenarios) {
  for (const [a, b, what] of pairs) {
    if (!pick(s, a).length || !pick(s, b).length) continue;
    const cpu = (k) => agg(s, k, (r) => per1000(totalCpu(r), r));
    const nodes = (k) => agg(s, k, (r) => per1000(nodesCpu(r), r));
    const p99 = (k) => agg(s, k, (r) => num(r.lat_p99_ms));
    const q = (x, y) => (ratio(x, y) === undefined ? 'n/a' : fmt(ratio(x, y), 2) + '×');
    ratioRows.push(`| ${s} | ${what} | ${fmt(cpu(a))} / ${fmt(cpu(b))} | ${q(cpu(a), cpu(b))} | ${fmt(nodes(a))} / ${fmt(nodes(b))} | ${q(p99(a), p99(b))} |`);
  }
}
if (ratioRows.length) {
  out.push('');
  out.push('## Side by side');
  out.push('');
  out.push('| scenario | comparison | CPU ms per 1000 (summed) | ratio | of which the nodes | p99 ratio |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: |');
  out.push(...ratioRows);
}

out.push('');
out.push('## Runs');
out.push('');
out.push('| scenario | server | rep | joined | sent | acked | delivered/expected | cross-node | lost | p50 ms | p99 ms | max ms | deliv/s | node1 CPU s | node2 CPU s | redis CPU s | postgres CPU s | CPU 0 busy % | loadgen CPU % | other CPU % |');
out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of runs) {
  if (r.error) {
    out.push(`| ${r.scenario} | ${r.server} | ${r.rep} | ${r.error} |`);
    continue;
  }
  const n = (k, d = 2) => fmt(num(r[k]), d);
  const g = (name) => (groupCpu(r, name) === undefined ? '—' : fmt(groupCpu(r, name)));
  out.push(
    `| ${r.scenario} | ${r.server} | ${r.rep} | ${r.joined} | ${r.sent} | ${r.acked} | ${r.delivered}/${r.expected} | ` +
      `${num(r.nodes) > 1 ? `${r.delivered_cross_node}/${r.expected_cross_node}` : '—'} | ${r.lost} | ${n('lat_p50_ms')} | ${n('lat_p99_ms')} | ${n('lat_max_ms')} | ` +
      `${n('deliveries_per_s', 0)} | ${g('node1')} | ${g('node2')} | ${g('redis')} | ${g('postgres')} | ${fmt(busyPct(r), 1)} | ${n('loadgen_cpu_pct', 1)} | ${n('other_cpu_pct', 1)} |`,
  );
}

const notes = [];
for (const r of runs) {
  const tag = `${r.scenario}/${r.server} rep ${r.rep}`;
  if (r.error) {
    notes.push(`${tag}: ${r.error}`);
    continue;
  }
  if (num(r.other_cpu_pct) > 15) notes.push(`${tag}: other processes used ${fmt(num(r.other_cpu_pct), 0)}% of a CPU during the window: noisy run`);
  if (num(r.loadgen_cpu_pct) > 90) notes.push(`${tag}: load generator used ${fmt(num(r.loadgen_cpu_pct), 0)}% of its CPU: it may have limited this run`);
  if (busyPct(r) > 90) notes.push(`${tag}: the servers, Redis and PostgreSQL used ${fmt(busyPct(r), 0)}% of CPU 0: saturated`);
  if (r.server_alive_at_end === '0') notes.push(`${tag}: a node had exited before the end of the run`);
  if (num(r.nodes) > 1 && !(num(r.delivered_cross_node) >= num(r.expected_cross_node) && num(r.expected_cross_node) > 0))
    notes.push(`${tag}: cross-node deliveries ${r.delivered_cross_node}/${r.expected_cross_node}`);
  for (const k of ['lost', 'ack_errors', 'duplicates', 'protocol_errors', 'channel_errors', 'foreign_msgs', 'skipped_sends', 'connect_failures', 'dropped']) {
    if (num(r[k]) > 0) notes.push(`${tag}: ${k}=${r[k]}`);
  }
  if (num(r.acked) + num(r.ack_errors) < num(r.sent)) notes.push(`${tag}: ${num(r.sent) - num(r.acked) - num(r.ack_errors)} new_msg without a reply`);
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
