// Browser tests for the composer: the length limit, offline sending and drafts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { say, messageBody } from './lib/browser.mjs';
import { useSuite, joinInPage } from './lib/suite.mjs';

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
