// Admin tools in the browser (docs/identity.md): an admin account made with
// `chatter-server account add NAME --admin` (password on stdin) signs in, is marked as admin,
// joins chatter:admin and, from a member's ⋯ button or the Admin dialog, disconnects someone
// (their page shows it), bans and unbans, and posts a system message; every reply is shown.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, messageBody, fillEntry } from './lib/browser.mjs';
import { useSuite, joinInPage } from './lib/suite.mjs';
import { addAccount } from './lib/server.mjs';
import { connectWithToken, storedSession } from './lib/accounts.mjs';
import { axeViolations, formatViolations } from './lib/axe.mjs';

const ADMIN = 'boss';
const ADMIN_PASSWORD = 'admin password 1';
// The admin account is made on the server's database before it starts, the way an operator
// does: `chatter-server account add NAME --admin`, the password on stdin.
const suite = useSuite({
  serverArgs: ['--password-cost', 'minimum'],
  prepare: (dataDir) => addAccount(dataDir, ADMIN, ADMIN_PASSWORD, { admin: true }),
});

const adminChat = () => suite.chat(ADMIN, { password: ADMIN_PASSWORD });
const member = (page, nick) => page.locator(`#member-list .member[data-nick="${nick}"]`);

// Opens the admin dialog for `nick` from its ⋯ button in the member list.
async function manage(page, nick) {
  await member(page, nick).getByRole('button', { name: `Admin actions for ${nick}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Admin tools' });
  await dialog.waitFor();
  assert.equal(await page.locator('#admin-user').inputValue(), nick);
  return dialog;
}

describe('admin tools', () => {
  test('an admin is marked as such, in the member list too, and has the admin tools', async () => {
    const { page } = await adminChat();
    assert.equal(await page.locator('#me-role').textContent(), 'admin');
    assert.equal((await storedSession(page)).role, 'admin');
    await page.locator('#admin-open').waitFor();
    const { page: other } = await suite.chat('ned');
    await member(other, ADMIN).waitFor();
    assert.equal(await member(other, ADMIN).locator('.role').textContent(), 'admin');
    assert.equal(await member(other, ADMIN).getAttribute('data-role'), 'admin');
    // Others get no admin tools.
    assert.equal(await other.locator('#admin-open').isHidden(), true);
    assert.equal(await other.locator('#member-list .manage').count(), 0);
    // The admin sees a ⋯ for everyone but himself.
    await member(page, 'ned').getByRole('button', { name: 'Admin actions for ned' }).waitFor();
    assert.equal(await member(page, ADMIN).locator('.manage').count(), 0);
  });

  test("disconnect from a member's menu closes the target's sockets; the target's page says so", async () => {
    const { page } = await adminChat();
    const target = await suite.chat('kim');
    const closed = new Promise((resolve) => target.websockets[0].on('close', resolve));
    await member(page, 'kim').waitFor();
    await manage(page, 'kim');
    await page.locator('#admin-kick').click();
    await page.locator('#admin-result', { hasText: 'Disconnected kim: 1 connection closed.' }).waitFor();
    await closed;
    await target.page.locator('#banner', { hasText: 'Disconnected by the server' }).waitFor();
    // Disconnected, not banned: the page comes back by itself and says that too.
    await target.page.locator('#banner', { hasText: 'Connected again.' }).waitFor();
    await target.page.locator('#conn[data-state="connected"]').waitFor();
    assert.ok(target.websockets.length >= 2, 'the page did not open a new socket');
  });

  test('ban with minutes and a reason, then unban; the replies are shown', async () => {
    const { page } = await adminChat();
    const target = await suite.chat('bea');
    await member(page, 'bea').waitFor();
    await manage(page, 'bea');
    await page.locator('#ban-minutes').fill('5');
    await page.locator('#ban-reason').fill('flooding the lobby');
    await page.locator('#admin-ban').click();
    await page.locator('#admin-result', { hasText: /^Banned bea until \d/ }).waitFor();
    // The banned page is closed, its reconnect refused: back at the entry screen with the reason.
    await target.page.locator('#login-error', { hasText: 'banned' }).waitFor();
    assert.equal(await target.page.locator('#app').isHidden(), true);
    const { token } = await storedSession(target.page);
    assert.equal(await connectWithToken(suite.server, token), 403);

    await page.locator('#admin-unban').click();
    await page.locator('#admin-result', { hasText: 'Lifted the ban on bea.' }).waitFor();
    await page.locator('#admin-unban').click();
    await page.locator('#admin-result', { hasText: 'Refused: not banned.' }).waitFor();
    // Lifted: the kept guest session works again, and the page gets back in under its name.
    assert.equal(await connectWithToken(suite.server, token), 101);
    await fillEntry(target.page, 'guest', 'bea');
    await target.page.locator('#conn[data-state="connected"]').waitFor();
    assert.equal((await storedSession(target.page)).token, token);
  });

  test('a system message goes to the room in view', async () => {
    const { page } = await adminChat();
    await joinInPage(page, 'notices');
    const { page: reader } = await suite.chat('rae');
    await joinInPage(reader, 'notices');
    await page.locator('#admin-open').click();
    await page.getByRole('dialog', { name: 'Admin tools' }).waitFor();
    assert.equal(await page.locator('#admin-system-label').textContent(), 'System message to #notices');
    await page.locator('#admin-system-body').fill('The server restarts at noon.');
    await page.locator('#admin-system-send').click();
    await page.locator('#admin-result', { hasText: 'Posted to #notices as system.' }).waitFor();
    await messageBody(reader, 'system', 'The server restarts at noon.').waitFor();
    await page.keyboard.press('Escape');
    await messageBody(page, 'system', 'The server restarts at noon.').waitFor();
  });

  test('axe finds nothing on the admin dialog, and it is a modal', async () => {
    const { page } = await adminChat();
    await suite.chat('axe-target');
    await member(page, 'axe-target').waitFor();
    let violations = await axeViolations(page);
    assert.equal(violations.length, 0, `the chat as an admin:\n${formatViolations(violations)}`);
    const dialog = await manage(page, 'axe-target');
    assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true);
    await page.locator('#admin-unban').click();
    await page.locator('#admin-result', { hasText: 'not banned' }).waitFor();
    violations = await axeViolations(page);
    assert.equal(violations.length, 0, `the admin dialog:\n${formatViolations(violations)}`);
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]'))), `Tab ${i + 1} left the dialog`);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Admin actions for axe-target');
    page.setDefaultTimeout(WAIT);
  });
});
