// Browser tests for reading a room: the "new messages" button while reading older ones,
// and the "new" line above the first unread message of a room that is opened.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { say, messageBody } from './lib/browser.mjs';
import { useSuite, joinInPage } from './lib/suite.mjs';
import { waitFor } from './lib/participant.mjs';

const suite = useSuite();
const atBottom = (page) => page.locator('.log:not([hidden])').evaluate((log) => log.scrollTop + log.clientHeight >= log.scrollHeight - 4);

describe('reading', () => {
  test('a message arriving while reading older ones shows a button that jumps to the latest', async () => {
    const { page } = await suite.chat('rae');
    await joinInPage(page, 'scrollback');
    const sol = await suite.peer('sol');
    const room = await sol.join('scrollback');
    for (let i = 1; i <= 30; i += 1) await room.send(`line ${i}\nsecond line\nthird line`);
    await messageBody(page, 'sol', 'line 30').waitFor();
    const jump = page.locator('#jump-new');
    assert.equal(await jump.isHidden(), true);

    // At the bottom, news simply shows: no button.
    await room.send('seen at once');
    await messageBody(page, 'sol', 'seen at once').waitFor();
    assert.ok(await atBottom(page));
    assert.equal(await jump.isHidden(), true);

    // Scrolled up to read: news does not move the view, a button offers it.
    await page.locator('.log:not([hidden]) .msg').nth(3).scrollIntoViewIfNeeded();
    await page.locator('.log:not([hidden])').evaluate((log) => log.scrollBy(0, -20));
    await waitFor(async () => !(await atBottom(page)), 'the log to be scrolled up');
    await room.send('while you were reading');
    await jump.filter({ hasText: '1 new message ↓' }).waitFor();
    await room.send('and another');
    await jump.filter({ hasText: '2 new messages ↓' }).waitFor();
    assert.equal(await atBottom(page), false);
    assert.equal(await messageBody(page, 'sol', 'and another').isVisible(), true); // in the DOM…
    assert.equal(await messageBody(page, 'sol', 'and another').evaluate((n) => {
      const log = n.closest('.log').getBoundingClientRect();
      return n.getBoundingClientRect().top < log.bottom;
    }), false, '…but below the visible part of the log');

    await jump.click();
    await waitFor(() => atBottom(page), 'the log at its latest message');
    await jump.waitFor({ state: 'hidden' });
    // Back at the bottom, it follows news again.
    await room.send('following again');
    await messageBody(page, 'sol', 'following again').waitFor();
    await waitFor(() => atBottom(page), 'the log to follow');
    assert.equal(await jump.isHidden(), true);
  });

  test('opening a room with unread messages shows a "new" line above the first of them', async () => {
    const { page } = await suite.chat('tia');
    await joinInPage(page, 'news-b');
    const uli = await suite.peer('uli');
    const b = await uli.join('news-b');
    await b.send('read already');
    await messageBody(page, 'uli', 'read already').waitFor();
    await joinInPage(page, 'news-a'); // news-b out of view
    await b.send('first unread');
    await b.send('second unread');
    await page.locator('#room-list .room[data-room="news-b"] .badge', { hasText: '2' }).waitFor();
    assert.equal(await page.locator('.new-divider').count(), 0);

    await page.locator('#room-list .room[data-room="news-b"]').click();
    const divider = page.locator('.log:not([hidden]) .new-divider');
    await divider.waitFor();
    assert.equal(await page.locator('.log:not([hidden]) .new-divider').count(), 1);
    assert.equal(await divider.getAttribute('role'), 'separator');
    assert.equal(await divider.evaluate((d) => d.nextElementSibling.querySelector('.body').textContent), 'first unread');
    assert.equal(await divider.evaluate((d) => d.previousElementSibling.querySelector('.body').textContent), 'read already');

    // Opened again with nothing unread: no line.
    await page.locator('#room-list .room[data-room="news-a"]').click();
    await page.locator('#room-list .room.active[data-room="news-a"]').waitFor();
    await page.locator('#room-list .room[data-room="news-b"]').click();
    await page.locator('#room-list .room.active[data-room="news-b"]').waitFor();
    assert.equal(await page.locator('.new-divider').count(), 0);
    await say(page, 'thanks');
    await b.waitForMessage((m) => m.body === 'thanks');
  });
});
