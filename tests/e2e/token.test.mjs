// A server started with --access-token: the browser client asks for the token, presents it
// (phoenix.js authToken, on both transports) and remembers it; a ?token= link signs in.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { say, messageBody } from './lib/browser.mjs';
import { useSuite, signIn } from './lib/suite.mjs';
import { axeViolations, formatViolations } from './lib/axe.mjs';

const TOKEN = 'lan-s3cret-42';
const suite = useSuite({ serverArgs: ['--access-token', TOKEN] });

async function freshPage(path = '/') {
  const context = await suite.context();
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  await page.goto(suite.server.base + path);
  return page;
}

describe('access token', () => {
  test('without the token the sign-in says the server needs one; with it the chat works', async () => {
    const page = await freshPage();
    const attempts = [];
    page.on('request', (r) => { if (r.url().includes('/socket/')) attempts.push(r.url()); });
    page.on('websocket', (ws) => attempts.push(ws.url()));
    await page.locator('#mode-guest').check();
    await page.locator('#nick-input').fill('tia');
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#login-error', { hasText: 'needs an access token' }).waitFor();
    // Refused is final: no fallback to long-poll, no retries (past the 2 s fallback delay).
    const afterRefusal = attempts.length;
    await page.waitForTimeout(3000);
    assert.deepEqual(attempts.slice(afterRefusal), [], 'the refused page kept connecting');
    assert.equal(await page.locator('#login').isVisible(), true);
    assert.equal(await page.locator('#token-details').getAttribute('open'), '');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'token-input');
    assert.equal(await page.locator('#nick-input').inputValue(), 'tia');
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, formatViolations(violations));

    await page.locator('#token-input').fill(TOKEN);
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#conn[data-state="connected"]').waitFor();
    await say(page, 'in with the token');
    await messageBody(page, 'tia', 'in with the token').waitFor();
    // Remembered: a reload connects straight away.
    await page.reload();
    await page.locator('#conn[data-state="connected"]').waitFor();
  });

  test('a wrong token is named as such', async () => {
    const page = await freshPage('/?token=not-it');
    await page.locator('#mode-guest').check();
    await page.locator('#nick-input').fill('wes');
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#login-error', { hasText: 'did not accept this access token' }).waitFor();
    assert.equal(await page.locator('#token-input').inputValue(), 'not-it');
  });

  test('a ?token= link signs in and leaves no token in the address bar', async () => {
    const page = await freshPage(`/?token=${TOKEN}#lobby`);
    assert.ok(!page.url().includes(TOKEN), page.url());
    await signIn(page, 'lou');
    await say(page, 'via the link');
    await messageBody(page, 'lou', 'via the link').waitFor();
  });

  test('long-poll presents the token too', async () => {
    const page = await freshPage(`/?transport=longpoll&token=${TOKEN}`);
    await signIn(page, 'lpt');
    assert.equal(await page.locator('#conn').getAttribute('data-transport'), 'longpoll');
    await say(page, 'over long-poll');
    await messageBody(page, 'lpt', 'over long-poll').waitFor();
  });
});
