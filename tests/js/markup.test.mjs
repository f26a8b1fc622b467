// The browser's formatting rules (resources/web/markup.js) against the cases the desktop and
// the server's tokenizer (common/messagemarkup) pass too: tests/data/markup-cases.json, an
// array of {"body", "tokens": [{"t", "s"}]}. No server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenize, mentionsUser, plainText } from '../../resources/web/markup.js';

const here = dirname(fileURLToPath(import.meta.url));
const cases = JSON.parse(readFileSync(resolve(here, '..', 'data', 'markup-cases.json'), 'utf8'));

test('the shared fixture has cases', () => {
  assert.ok(Array.isArray(cases) && cases.length > 0);
});

for (const [i, c] of cases.entries()) {
  test(`markup case ${i}: ${c.name ?? JSON.stringify(c.body).slice(0, 60)}`, () => {
    assert.deepEqual(tokenize(c.body).map(({ t, s }) => ({ t, s })), c.tokens);
  });
}

test('mentions of a user: case-insensitive, @here, not inside code or a word', () => {
  assert.equal(mentionsUser('hi @Ann.', 'ann'), true);
  assert.equal(mentionsUser('@here standup', 'ann'), true);
  assert.equal(mentionsUser('mail ann@example.com', 'ann'), false);
  assert.equal(mentionsUser('`@ann`', 'ann'), false);
  assert.equal(mentionsUser('hi ann', 'ann'), false);
  assert.equal(mentionsUser('@anna', 'ann'), false);
});

test('plain text of a body: the markup characters go, the text they mark stays', () => {
  assert.equal(plainText('see `make test` on **staging**:\n```\nerror: refused\n```\n*soon*'), 'see make test on staging: error: refused soon');
  assert.equal(plainText('2*3*4 <b>x</b>'), '2*3*4 <b>x</b>');
});
