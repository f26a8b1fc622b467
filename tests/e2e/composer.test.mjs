// Browser tests for the composer: the length limit, sending while offline, drafts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { say, messageBody } from './lib/browser.mjs';
import { useSuite, joinInPage } from './lib/suite.mjs';
import { controlNetwork } from './lib/network.mjs';
import { axeViolations, formatViolations } from './lib/axe.mjs';

const suite = useSuite();
const LIMIT = 4000; // common/chatvalidation.h MaxBodyLength

describe('composer', () => {
  test('a message over the limit is never cut: a counter warns, sending is refused with a reason', async () => {
    const { page } = await suite.chat('lena');
    await joinInPage(page, 'long');
    const mo = await suite.peer('mo');
    const room = await mo.join('long');
    const input = page.locator('#input');
    const count = page.locator('#char-count');

    // Well under the limit: no counter.
    await say(page, 'short one');
    await room.waitForMessage((m) => m.body === 'short one');
    assert.equal(await count.isHidden(), true);

    // Pasted as a user would (insertText goes through the editing pipeline, like a paste).
    const long = 'x'.repeat(LIMIT - 10) + ' tail-12345';
    await input.focus();
    await page.keyboard.insertText(long);
    assert.equal((await input.inputValue()).length, long.length, 'the pasted text is kept whole');
    await count.waitFor();
    assert.match(await count.textContent(), /1 over the 4,000-character limit/);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');

    await input.press('Enter');
    const error = page.locator('#composer-error[role="alert"]');
    await error.filter({ hasText: 'Too long to send' }).waitFor();
    assert.match(await error.textContent(), /4,001 characters, the limit is 4,000/);
    assert.equal(await input.inputValue(), long, 'refused, and still in the box');

    // One character less is exactly the limit: sent whole, and the other side gets all of it.
    await input.press('End');
    await input.press('Backspace');
    assert.match(await count.textContent(), /^0 characters left/);
    await page.locator('#composer-error:empty').waitFor({ state: 'attached' });
    await input.press('Enter');
    const got = await room.waitForMessage((m) => m.body.endsWith('tail-1234'));
    assert.equal(got.body.length, LIMIT);
    assert.equal(await input.inputValue(), '');
    await count.waitFor({ state: 'hidden' });
    // The refused one never went out.
    assert.equal(room.messages.filter((m) => m.body.length > LIMIT).length, 0);
    assert.equal(room.messages.length, 2);
  });
});

describe('offline', () => {
  test('while disconnected, sending says why it is paused and the member list is marked unknown', async () => {
    const context = await suite.context();
    const net = await controlNetwork(context);
    const page = await suite.chatIn(context, 'oli');
    await joinInPage(page, 'outage');
    const pia = await suite.peer('pia');
    const room = await pia.join('outage');
    await page.locator('#member-list .member[data-nick="pia"]').waitFor();
    assert.equal(await page.locator('#members-note').isHidden(), true);
    assert.equal(await page.locator('#composer-note').textContent(), '');

    await net.down();
    await page.locator('#conn[data-state="reconnecting"]').waitFor();
    // The member list is kept but marked as unknown.
    await page.locator('#members.stale #members-note', { hasText: 'unknown' }).waitFor();
    await page.locator('#composer-note', { hasText: 'Sending is paused' }).waitFor();
    // Enter says why nothing happens, and the text stays.
    await say(page, 'typed while offline');
    await page.locator('#composer-error', { hasText: 'you are offline' }).waitFor();
    assert.equal(await page.locator('#input').inputValue(), 'typed while offline');
    // Still WCAG AA while offline (the warning colours).
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, formatViolations(violations));

    net.up();
    await page.locator('#conn[data-state="connected"]').waitFor();
    await page.locator('#send:not([disabled])').waitFor();
    await page.locator('#members-note').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#members.stale').count(), 0);
    await page.locator('#member-list .member[data-nick="pia"]').waitFor();
    assert.equal(await page.locator('#composer-note').textContent(), '');
    await page.locator('#input').press('Enter');
    await room.waitForMessage((m) => m.body === 'typed while offline' && m.user === 'oli');
    assert.equal(await page.locator('#input').inputValue(), '');
  });
});

describe('drafts', () => {
  test('each room keeps its unsent text across room switches and reloads; sending clears it', async () => {
    const { page } = await suite.chat('dee');
    const input = page.locator('#input');
    const open = async (name) => {
      await page.locator(`#room-list .room[data-room="${name}"]`).click();
      await page.locator(`#room-list .room.active[data-room="${name}"]`).waitFor();
    };
    await joinInPage(page, 'draft-a');
    await input.fill('half a thought');
    await joinInPage(page, 'draft-b');
    assert.equal(await input.inputValue(), '');
    await input.fill('another one\nover two lines');
    await open('draft-a');
    assert.equal(await input.inputValue(), 'half a thought');

    await page.reload();
    await page.locator('#send:not([disabled])').waitFor();
    assert.equal(await input.inputValue(), 'half a thought'); // draft-a was in view
    await open('draft-b');
    assert.equal(await input.inputValue(), 'another one\nover two lines');

    await open('draft-a');
    await page.locator('#send:not([disabled])').waitFor();
    await input.press('Enter');
    await messageBody(page, 'dee', 'half a thought').waitFor();
    assert.equal(await input.inputValue(), '');
    await page.reload();
    await page.locator('#send:not([disabled])').waitFor();
    assert.equal(await input.inputValue(), '', 'sent, so no draft');
    await open('draft-b');
    assert.equal(await input.inputValue(), 'another one\nover two lines');
  });
});
