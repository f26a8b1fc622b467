// SPDX-License-Identifier: MIT
//
// The raw results of bench/run.sh and bench/cluster.sh (`key=value` blocks separated by blank
// lines, `# ` header lines, `server_log: ` lines), read into runs, and the helpers both
// reports aggregate and print them with. Used by report.js and cluster-report.js.
'use strict';

const fs = require('fs');

/** Reads FILE: { header: [line], runs: [{key: value, logs: [line]}] } (blocks with a scenario and a server). */
function readResults(file) {
  const text = fs.readFileSync(file, 'utf8');
  const header = [];
  const runs = [];
  for (const block of text.split(/\n\s*\n/)) {
    const run = { logs: [] };
    for (const line of block.split('\n')) {
      if (line.startsWith('# ')) {
        header.push(line.slice(2));
        continue;
      }
      if (line.startsWith('server_log: ')) {
        run.logs.push(line.slice(12));
        continue;
      }
      const eq = line.indexOf('=');
      if (eq > 0) run[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (run.scenario && run.server) runs.push(run);
  }
  return { header, runs };
}

const num = (v) => (v === undefined || v === '' || isNaN(Number(v)) ? undefined : Number(v));
const median = (xs) => {
  const v = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const worst = (xs) => {
  const v = xs.filter((x) => x !== undefined);
  return v.length ? Math.max(...v) : undefined;
};
const fmt = (v, digits = 2) => {
  if (v === undefined || Number.isNaN(v)) return 'n/a';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toFixed(digits)).toString();
};
const ratio = (a, b) => (a !== undefined && b !== undefined && b !== 0 ? a / b : undefined);

module.exports = { readResults, num, median, worst, fmt, ratio };
