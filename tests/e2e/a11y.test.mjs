// Accessibility of the browser client: the nickname dialog is a real modal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useSuite } from './lib/suite.mjs';

const suite = useSuite();

describe('accessibility', () => {
  test('changing the nickname is a modal dialog: focus stays inside, Esc closes, focus returns', async () => {
    const { page } = await suite.chat('uma');
    const opener = page.locator('#change-nick');
    const dialog = page.getByRole('dialog', { name: 'Change nickname' });
    const focusInDialog = () => page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')));
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');

    await opener.focus();
    await opener.press('Enter');
    await dialog.waitFor();
    // Modal (aria-modal by being shown with showModal()): the page behind is inert.
    assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true);
    assert.equal(await focusedId(), 'nick-change-input');
    assert.equal(await page.locator('#nick-change-input').inputValue(), 'uma');
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      assert.ok(await focusInDialog(), `Tab ${i + 1} left the dialog for #${await focusedId()}`);
    }
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Shift+Tab');
      assert.ok(await focusInDialog(), `Shift+Tab ${i + 1} left the dialog for #${await focusedId()}`);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focusedId(), 'change-nick');

    // Cancel closes it too; a refused name keeps it open with the reason.
    await opener.click();
    await dialog.waitFor();
    await page.locator('#nick-change-input').fill('no spaces');
    await page.locator('#nick-change-input').press('Enter');
    await page.locator('#nick-change-error', { hasText: 'no spaces' }).waitFor();
    assert.equal(await dialog.isVisible(), true);
    await page.locator('#nick-change-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focusedId(), 'change-nick');
    assert.equal(await page.locator('#me-nick').textContent(), 'uma');

    // A new name takes effect (the page reloads under it).
    await opener.click();
    await page.locator('#nick-change-input').fill('uma2');
    await page.locator('#nick-change-input').press('Enter');
    await page.locator('#me-nick', { hasText: 'uma2' }).waitFor();
    await page.locator('#conn[data-state="connected"]').waitFor();
  });
});
