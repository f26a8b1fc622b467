// axe-core in the page: WCAG 2.0/2.1/2.2 A and AA rules, violations as readable text.
import { createRequire } from 'node:module';

const axe = createRequire(import.meta.url)('axe-core');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// Injected through the DevTools protocol (page.evaluate), which the page's
// Content-Security-Policy does not apply to; a <script> tag would be refused.
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axe.source);
  return page.evaluate((tags) => window.axe.run(document, {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations'],
  }).then((r) => r.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  }))), AXE_TAGS);
}

export function formatViolations(violations) {
  return violations.map((v) => [
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s)`,
    ...v.nodes.map((n) => `    ${n.target}\n      ${(n.summary ?? '').replace(/\n/g, '\n      ')}`),
  ].join('\n')).join('\n');
}

export const countNodes = (violations) => violations.reduce((n, v) => n + v.nodes.length, 0);
