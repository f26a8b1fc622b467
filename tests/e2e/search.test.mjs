// Browser tests for search (docs/files-and-search.md, "Search" and "Clients"): the search box
// ("/" focuses it), results grouped by conversation with their highlights as <mark> (and
// nothing in a snippet taken as markup), "More results" with the cursor, an account searching
// all its conversations and a guest the room in view, and a result far back in a room opened
// at the message (history {around}), highlighted, with newer pages loaded on the way down to
// the live end without losing what arrived meanwhile.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { say } from './lib/browser.mjs';
import { useSuite, joinInPage } from './lib/suite.mjs';
import { registerAccount } from './lib/accounts.mjs';
import { waitFor } from './lib/participant.mjs';
import { axeViolations, formatViolations } from './lib/axe.mjs';

const PASSWORD = 'search e2e password';
const suite = useSuite({ serverArgs: ['--password-cost', 'minimum'] });

const log = (page) => page.locator('.log:not([hidden])');
const panel = (page) => page.locator('#search-panel');
const hits = (page) => page.locator('#search-results .search-hit');

async function signedIn(nick) {
  await registerAccount(suite.server, nick, PASSWORD);
  const chat = await suite.chat(nick, { password: PASSWORD });
  await chat.page.locator('#send:not([disabled])').waitFor();
  return chat.page;
}

async function search(page, query) {
  await page.locator('#search-input').fill(query);
  await page.locator('#search-input').press('Enter');
  await page.locator('#search-status', { hasText: /results?|Nothing found|failed/ }).waitFor();
}

// The ids shown in the log, in order.
const shownIds = (page) => log(page).locator('.msg').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.id)));

describe('search', () => {
  test('an account finds messages in every room, grouped by conversation, highlighted, with more on request', async () => {
    const page = await signedIn('sr-alice');
    const peer = await suite.peer('sr-bob');
    const ops = await peer.join('sr-ops');
    const random = await peer.join('sr-random');
    await ops.send('the deploy log from friday is attached');
    await random.send('who read the deploy notes?');
    await ops.send('<img src=x onerror="window.owned=1"> deploy tag, not markup');
    await random.send('nothing to see here');
    for (let i = 1; i <= 22; i += 1) await ops.send(`rollout step ${i}: deploy canary`);

    // "/" outside a text field focuses the box.
    await page.locator('.log:not([hidden])').focus();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
    await search(page, 'deploy');
    assert.equal(await panel(page).isVisible(), true);
    // The first page: 20 of 25, grouped by conversation.
    assert.equal(await hits(page).count(), 20);
    await page.locator('#search-more:not([hidden])').waitFor();
    await page.locator('#search-more').click();
    await waitFor(async () => (await hits(page).count()) === 25, '25 results after More');
    assert.equal(await page.locator('#search-more').isHidden(), true);
    assert.match(await page.locator('#search-status').textContent(), /^25 results\.$/);
    const groups = await page.locator('#search-results .search-group').evaluateAll((nodes) =>
      nodes.map((n) => ({ title: n.querySelector('h3').textContent, count: n.querySelectorAll('.search-hit').length })));
    assert.deepEqual(groups.map((g) => g.title).sort(), ['#sr-ops', '#sr-random']);
    assert.equal(groups.find((g) => g.title === '#sr-ops').count, 24);
    assert.equal(groups.find((g) => g.title === '#sr-random').count, 1);
    // Every snippet marks the word found; the one with HTML in it shows it as text.
    const marks = await page.locator('#search-results .search-snippet').evaluateAll((nodes) =>
      nodes.map((n) => [...n.querySelectorAll('mark')].map((m) => m.textContent.toLowerCase())));
    assert.ok(marks.every((m) => m.length > 0 && m.every((w) => w === 'deploy')), JSON.stringify(marks));
    const tricky = page.locator('#search-results .search-snippet', { hasText: 'onerror' });
    assert.match(await tricky.textContent(), /<img src=x onerror=/);
    assert.equal(await page.locator('#search-results img').count(), 0);
    assert.equal(await page.evaluate(() => window.owned), undefined);
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // A room not joined opens on picking its result, at that message.
    await page.locator('#search-results .search-group[data-room="sr-random"] .search-hit').click();
    await page.locator('#room-list .room.active[data-room="sr-random"]').waitFor();
    await log(page).locator('.msg.found', { hasText: 'who read the deploy notes?' }).waitFor();
    assert.equal(await panel(page).isHidden(), true);
    // Escape in the box closes the results again.
    await search(page, 'canary');
    await page.locator('#search-input').press('Escape');
    assert.equal(await panel(page).isHidden(), true);
  });

  test('a result far back opens the room at the message, highlighted; newer pages follow down to the live end, live news kept', async () => {
    const peer = await suite.peer('sf-bob');
    const room = await peer.join('sf-history');
    const { id: needle } = await room.send('the needle in the haystack');
    const sentIds = [needle];
    for (let i = 1; i <= 160; i += 1) sentIds.push((await room.send(`hay ${i}`)).id);
    const page = await signedIn('sf-alice');
    await joinInPage(page, 'sf-history');
    await log(page).locator('.msg', { hasText: 'hay 160' }).waitFor();
    // Not in the page held: the join brought the newest 50.
    assert.equal(await log(page).locator(`.msg[data-id="${needle}"]`).count(), 0);

    await search(page, 'needle');
    await hits(page).first().click();
    const found = log(page).locator(`.msg.found[data-id="${needle}"]`);
    await found.waitFor();
    assert.match(await found.textContent(), /the needle in the haystack/);
    assert.equal(await page.evaluate(() => document.activeElement?.closest('.msg')?.dataset.id), String(needle));
    // A window around it, not the live end: newer messages are to be loaded.
    const shown = await shownIds(page);
    assert.ok(shown.length <= 60 && shown.includes(needle) && !shown.includes(sentIds.at(-1)), JSON.stringify(shown));
    await log(page).locator('.load-newer:not([hidden])').waitFor();
    await page.locator('#jump-new:not([hidden])').waitFor();

    // Said while the page is away from the live end: not lost.
    sentIds.push((await room.send('live while detached')).id);
    // Scrolling down loads newer pages until the live end.
    await waitFor(async () => {
      await log(page).evaluate((n) => { n.scrollTop = n.scrollHeight; n.dispatchEvent(new Event('scroll')); });
      return log(page).locator('.load-newer').isHidden();
    }, 'the live end', 20000, 200);
    await log(page).locator('.msg', { hasText: 'live while detached' }).waitFor();
    const ids = await shownIds(page);
    const sorted = [...ids].sort((a, b) => a - b);
    assert.deepEqual(ids, sorted, 'in order');
    assert.equal(new Set(ids).size, ids.length, 'each message once');
    // Everything from the window down to the newest, without a gap.
    const from = ids.indexOf(needle);
    assert.deepEqual(ids.slice(from), sentIds);
    assert.equal(await log(page).locator('.msg', { hasText: 'live while detached' }).count(), 1);
    // And live again: the next message shows at once.
    await room.send('after the catch-up');
    await log(page).locator('.msg', { hasText: 'after the catch-up' }).waitFor();
    await say(page, 'back at the end');
    await log(page).locator('.msg.own', { hasText: 'back at the end' }).waitFor();
  });

  test('a guest searches the room in view', async () => {
    const { page } = await suite.chat('sg-guest');
    await joinInPage(page, 'sg-here');
    const peer = await suite.peer('sg-bob');
    const here = await peer.join('sg-here');
    const elsewhere = await peer.join('sg-elsewhere');
    await here.send('the quarterly report is ready');
    await elsewhere.send('another quarterly report elsewhere');
    await log(page).locator('.msg', { hasText: 'quarterly report is ready' }).waitFor();
    await page.keyboard.press('Control+k');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
    await search(page, 'quarterly');
    assert.equal(await hits(page).count(), 1);
    assert.equal(await page.locator('#search-results .search-group h3').textContent(), '#sg-here');
    assert.equal(await page.locator('#search-results mark').textContent(), 'quarterly');
    await hits(page).first().click();
    await log(page).locator('.msg.found', { hasText: 'quarterly report is ready' }).waitFor();
  });
});
