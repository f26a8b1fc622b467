// Accessibility of the browser client: axe-core (WCAG 2.2 AA) finds nothing on the sign-in
// page, the chat in light and dark colour schemes and the phone layout; the nickname dialog
// is a real modal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { say, messageBody, WAIT } from './lib/browser.mjs';
import { useSuite, joinInPage } from './lib/suite.mjs';
import { axeViolations, formatViolations, countNodes } from './lib/axe.mjs';
import { registerAccount } from './lib/accounts.mjs';

const suite = useSuite();

async function assertNoViolations(page, where) {
  const violations = await axeViolations(page);
  if (violations.length) console.log(`axe on ${where}: ${countNodes(violations)} element(s)\n${formatViolations(violations)}`);
  assert.equal(violations.length, 0, `axe violations on ${where}:\n${formatViolations(violations)}`);
}

// A chat with something of everything: own and others' messages, a mention and a link,
// an unread and a mentioned room, a room from the directory, typing, two members.
async function busyChat(nick, opts) {
  const s = await suite.chat(nick, opts);
  const { page } = s;
  const phone = (opts?.viewport?.width ?? 1280) < 700;
  const other = `${nick}-side`;
  const main = `${nick}-main`;
  if (phone) await page.locator('#rooms-toggle').click();
  await joinInPage(page, other);
  if (phone) await page.locator('#rooms-toggle').click();
  await joinInPage(page, main);
  const peer = await suite.peer(`${nick}-pal`);
  const room = await peer.join(main);
  const side = await peer.join(other);
  await peer.join(`${nick}-elsewhere`);
  await say(page, 'my own message');
  await room.send(`hello ${nick}, see https://example.com/page`);
  await messageBody(page, `${nick}-pal`, 'hello').waitFor();
  await side.send('unread over here');
  await side.send(`and a mention, @${nick}`);
  await page.locator(`#room-list .room[data-room="${other}"] .badge.mention`).waitFor({ state: 'attached' });
  await page.locator(`#other-rooms .room[data-room="${nick}-elsewhere"]`).waitFor({ state: 'attached' });
  room.setTyping(true);
  await page.locator('#typing', { hasText: 'is typing' }).waitFor();
  await page.locator('#member-list .member').nth(1).waitFor({ state: 'attached' });
  return s;
}

describe('axe-core finds no WCAG 2.2 AA violations', () => {
  test('on the sign-in page, also with an error shown', async () => {
    const context = await suite.context();
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(suite.server.base + '/');
    await page.locator('#nick-input').waitFor();
    await assertNoViolations(page, 'the sign-in page');
    await page.locator('#mode-guest').check();
    await page.locator('#nick-input').fill('two words');
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#login-error', { hasText: 'letters' }).waitFor();
    await assertNoViolations(page, 'the sign-in page with an error');
  });

  test('on the entry screen in each of its three ways in, with their errors', async () => {
    const context = await suite.context();
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(suite.server.base + '/');
    // Sign in (the first visit's way), with the server's refusal shown.
    await page.locator('#mode-signin').check();
    await page.locator('#nick-input').fill('nobody-here');
    await page.locator('#password-input').fill('not a password');
    await page.locator('#login-submit').click();
    await page.locator('#login-error', { hasText: 'Wrong nickname or password' }).waitFor();
    await assertNoViolations(page, 'the entry screen, signing in, wrong password');
    // Register: three fields; the passwords differ.
    await page.locator('#mode-register').check();
    await page.locator('#password-input').fill('first password');
    await page.locator('#confirm-input').fill('second password');
    await page.locator('#login-submit').click();
    await page.locator('#login-error', { hasText: 'not the same' }).waitFor();
    await assertNoViolations(page, 'the entry screen, registering, passwords differ');
    // The modes are one radio group, reachable and switchable from the keyboard.
    await page.locator('#mode-register').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('#mode-guest').isChecked(), true);
    assert.equal(await page.locator('#login-submit').textContent(), 'Continue as guest');
    assert.equal(await page.locator('#password-input').isVisible(), false);
    await assertNoViolations(page, 'the entry screen, as a guest');
    for (const colorScheme of ['dark']) {
      await page.emulateMedia({ colorScheme });
      await assertNoViolations(page, `the entry screen (${colorScheme})`);
    }
  });

  test("on the password dialog and the account's own controls", async () => {
    await registerAccount(suite.server, 'axeacct', 'a11y password');
    const { page } = await suite.chat('axeacct', { password: 'a11y password' });
    // Settled first: joined, and listed as a member.
    await page.locator('#send:not([disabled])').waitFor();
    await page.locator('#member-list .member[data-nick="axeacct"] .role').waitFor();
    await assertNoViolations(page, 'the chat as a registered user');
    const opener = page.locator('#change-password');
    const dialog = page.getByRole('dialog', { name: 'Change password' });
    await opener.focus();
    await opener.press('Enter');
    await dialog.waitFor();
    assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true);
    await page.locator('#old-password').fill('wrong one');
    await page.locator('#new-password').fill('a new one here');
    await page.locator('#new-password-confirm').fill('not the same');
    await page.locator('#new-password-confirm').press('Enter');
    await page.locator('#password-error', { hasText: 'not the same' }).waitFor();
    await assertNoViolations(page, 'the password dialog with an error');
    const focusInDialog = () => page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')));
    for (let i = 0; i < 8; i += 1) {
      await page.keyboard.press('Tab');
      assert.ok(await focusInDialog(), `Tab ${i + 1} left the password dialog`);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'change-password');
    // What was typed into it is gone (on the dialog's close event, which follows the hiding).
    await page.waitForFunction(() => document.getElementById('old-password').value === '');
  });

  for (const colorScheme of ['light', 'dark']) {
    test(`in the chat, ${colorScheme} colour scheme`, async () => {
      const { page } = await busyChat(`axe${colorScheme}`, { colorScheme });
      await assertNoViolations(page, `the chat (${colorScheme})`);
      // One level-one heading: the room's name.
      assert.deepEqual(await page.locator('h1:visible').allTextContents(), [`#axe${colorScheme}-main`]);
      // The room with unread messages, opened: its "new" line.
      await page.locator(`#room-list .room[data-room="axe${colorScheme}-side"]`).click();
      await page.locator('.log:not([hidden]) .new-divider').waitFor();
      await assertNoViolations(page, `the "new" line (${colorScheme})`);
      await page.locator('#change-nick').click();
      await page.getByRole('dialog').waitFor();
      await assertNoViolations(page, `the nickname dialog (${colorScheme})`);
    });
  }

  test('in the phone layout, drawers closed and open', async () => {
    const { page } = await busyChat('axephone', { viewport: { width: 390, height: 844 } });
    await assertNoViolations(page, 'the phone layout');
    // The visible counts are part of the buttons' names (WCAG 2.5.3).
    await page.getByRole('button', { name: 'Members 2', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Rooms 2', exact: true }).waitFor();
    // Finger-sized header buttons; nothing clickable under WCAG 2.5.8's 24 px.
    for (const id of ['rooms-toggle', 'members-toggle', 'leave']) {
      const box = await page.locator(`#${id}`).boundingBox();
      assert.ok(box.width >= 44 && box.height >= 44, `#${id} is ${box.width}×${box.height}`);
    }
    await page.locator('#rooms-toggle').click();
    await page.locator('#app.show-rooms').waitFor();
    const small = await page.locator('button:visible, input:visible, textarea:visible, a:visible').evaluateAll((els) => els
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ e, r }) => (r.width < 24 || r.height < 24) && !e.closest('.body')) // links in a sentence are exempt
      .map(({ e, r }) => `${e.id || e.className || e.tagName} ${r.width}×${r.height}`));
    assert.deepEqual(small, []);
    await page.keyboard.press('Escape');
    await page.locator('#members-toggle').click();
    await page.locator('#app.show-members').waitFor();
    await assertNoViolations(page, 'the phone layout, members drawer open');
    await page.keyboard.press('Escape');
    await page.locator('#rooms-toggle').click();
    await page.locator('#app.show-rooms').waitFor();
    await assertNoViolations(page, 'the phone layout, rooms drawer open');
  });
});

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
