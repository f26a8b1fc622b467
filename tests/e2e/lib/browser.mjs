// Headless Debian Chromium driven by playwright-core (no downloaded browsers).
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const WAIT = 15000; // generous: CI machines are small and shared

// extraArgs: more Chromium switches (the TLS test trusts its server's key with one).
export function launchBrowser({ extraArgs = [] } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // Belt and braces: nothing but loopback is ever resolved.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ...extraArgs,
    ],
  });
}

// Fills in the entry screen: `mode` is 'signin', 'register' or 'guest' (docs/identity.md), and
// submits it. Waits for nothing: the caller knows what should follow.
export async function fillEntry(page, mode, nick, password = '') {
  await page.locator(`#mode-${mode}`).check();
  await page.locator('#nick-input').fill(nick);
  if (mode !== 'guest') await page.locator('#password-input').fill(password);
  if (mode === 'register') await page.locator('#confirm-input').fill(password);
  await page.locator('#login-form button[type=submit]').click();
}

// Opens the client in a fresh context (own localStorage), enters as the guest `nick` (or signs
// in with `password`) through the entry screen and waits until the socket is connected.
export async function openChat(browser, server, nick, { path = '/', viewport = { width: 1280, height: 800 }, colorScheme = 'light', password = '' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const session = { context, page, dialogs: [], errors: [], websockets: [], requests: [] };
  page.on('dialog', (d) => { session.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => session.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') session.errors.push(m.text()); });
  page.on('websocket', (ws) => session.websockets.push(ws));
  page.on('request', (r) => session.requests.push(r.url()));
  await page.goto(server.base + path);
  await fillEntry(page, password ? 'signin' : 'guest', nick, password);
  await page.locator('#conn[data-state="connected"]').waitFor();
  return session;
}

// Types into the composer and presses Enter, as a person would.
export async function say(page, text) {
  await page.locator('#input').fill(text);
  await page.locator('#input').press('Enter');
}

export const messageBody = (page, user, text) =>
  page.locator(`.log:not([hidden]) .msg[data-user="${user}"] .body`, { hasText: text });
