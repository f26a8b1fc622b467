// "Invite by QR": the dialog's QR code (drawn by the server at /invite.svg with libqrencode)
// is screenshotted and read back with zbarimg (Debian zbar-tools), as a phone's camera would;
// the copy button puts the same URL on the clipboard (Clipboard API, and the copy command where
// the page may not use it); a fresh browser that opens the URL lands on the sign-in page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WAIT } from './lib/browser.mjs';
import { useSuite, signIn } from './lib/suite.mjs';
import { axeViolations, formatViolations } from './lib/axe.mjs';

const suite = useSuite();
const CLIPBOARD = ['clipboard-read', 'clipboard-write'];

// The text of the one QR code in the element's screenshot.
async function decodeQr(locator, name) {
  const dir = mkdtempSync(join(tmpdir(), 'chatter-qr-'));
  try {
    const png = join(dir, `${name}.png`);
    await locator.screenshot({ path: png });
    return execFileSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', png],
      { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Signs in as a guest in a context of its own and opens the dialog, its code loaded.
async function openInvite(nick, contextOptions = {}) {
  const context = await suite.context(contextOptions);
  const page = await suite.chatIn(context, nick);
  await page.locator('#server-invite-open').click();
  await page.locator('#server-invite-dialog[open]').waitFor();
  await page.waitForFunction(() => {
    const img = document.getElementById('server-invite-qr');
    return img.complete && img.naturalWidth > 0;
  }, null, { timeout: WAIT });
  return { context, page };
}

describe('inviting by QR code', () => {
  test('the code reads back as the page\'s address, and the copy button copies it', async () => {
    const { page } = await openInvite('qr-ann', { permissions: CLIPBOARD });
    const url = `${suite.server.base}/`;
    assert.equal(await decodeQr(page.locator('#server-invite-qr'), 'light'), url);
    assert.equal(await page.locator('#server-invite-url').inputValue(), url);
    assert.equal(await page.locator('#server-invite-qr').getAttribute('alt'), `QR code of ${url}`);

    await page.evaluate(() => navigator.clipboard.writeText('something else'));
    await page.locator('#server-invite-copy').click();
    await page.locator('#server-invite-status', { hasText: 'Link copied.' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);

    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `axe violations in the invite dialog:\n${formatViolations(violations)}`);
    // A real modal: Esc closes it and the focus goes back to the button that opened it.
    await page.keyboard.press('Escape');
    await page.locator('#server-invite-dialog').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'server-invite-open');
  });

  test('in a dark colour scheme the code is still black on white and reads back', async () => {
    const { page } = await openInvite('qr-bob', { colorScheme: 'dark' });
    assert.equal(await decodeQr(page.locator('#server-invite-qr'), 'dark'), `${suite.server.base}/`);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `axe violations in the dark invite dialog:\n${formatViolations(violations)}`);
  });

  test('without the Clipboard API the link is copied with the copy command', async () => {
    const context = await suite.context({ permissions: CLIPBOARD });
    const reader = await context.newPage();
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    // As on a plain-HTTP LAN address, where the page is not a secure context.
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await page.goto(`${suite.server.base}/`);
    await signIn(page, 'qr-cat');
    assert.equal(await page.evaluate(() => navigator.clipboard), undefined);
    await page.locator('#server-invite-open').click();
    await page.locator('#server-invite-copy').click();
    await page.locator('#server-invite-status', { hasText: 'Link copied.' }).waitFor();
    await reader.goto(`${suite.server.base}/`);
    await reader.bringToFront();
    assert.equal(await reader.evaluate(() => navigator.clipboard.readText()), `${suite.server.base}/`);
  });

  test('a phone that opens the URL lands on the sign-in page', async () => {
    const { page } = await openInvite('qr-dan');
    const url = await decodeQr(page.locator('#server-invite-qr'), 'phone');
    const phone = await suite.context({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const landing = await phone.newPage();
    landing.setDefaultTimeout(WAIT);
    await landing.goto(url);
    await landing.locator('#login').waitFor();
    await landing.locator('#mode-signin:checked').waitFor({ state: 'attached' });
    await landing.locator('#nick-input').waitFor();
    assert.equal(await landing.locator('#app').isHidden(), true);
    assert.equal(landing.url(), url);
  });

  test('the server encodes only its own origin', async () => {
    const base = suite.server.base;
    const good = await fetch(`${base}/invite.svg?origin=${encodeURIComponent(base)}`);
    assert.equal(good.status, 200);
    assert.equal(good.headers.get('content-type'), 'image/svg+xml');
    assert.equal(good.headers.get('content-security-policy'), "default-src 'none'");
    assert.match(await good.text(), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const origin of ['http://evil.example:4000', `${base}/elsewhere`, 'javascript:alert(1)', '']) {
      const refused = await fetch(`${base}/invite.svg?origin=${encodeURIComponent(origin)}`);
      assert.equal(refused.status, 400, origin);
      assert.match(await refused.text(), /origin/);
    }
  });
});
