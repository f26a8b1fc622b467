// Headless Debian Chromium driven by playwright-core (no downloaded browsers).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const WAIT = 15000; // generous: CI machines are small and shared

// extraArgs: more Chromium switches (the TLS test trusts its server's key with one).
// loopbackNames: host names that resolve to 127.0.0.1 (a page under such a name is not a
// secure context, as a LAN address over plain HTTP is not).
export function launchBrowser({ extraArgs = [], loopbackNames = [] } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // Belt and braces: nothing but loopback is ever resolved.
      `--host-resolver-rules=${loopbackNames.map((n) => `MAP ${n} 127.0.0.1, `).join('')}MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
      // A page served by CHATTER_WEB_DIR is not from 127.0.0.1 as far as Chromium knows: its
      // Local Network Access checks would keep it from the server's WebSocket.
      ...(process.env.CHATTER_WEB_DIR ? ['--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessRespectPreflightResults'] : []),
      ...extraArgs,
    ],
  });
}

// CHATTER_WEB_DIR: the page's own files (index.html, *.js, *.css) come from this folder
// instead of the server's embedded copy: to try a change to resources/web, or to break a
// feature on purpose and watch its test fail, without rebuilding the server.
const TYPES = { js: 'text/javascript', css: 'text/css', html: 'text/html', svg: 'image/svg+xml' };
export async function serveWebDir(context) {
  const dir = process.env.CHATTER_WEB_DIR;
  if (!dir) return;
  await context.route((url) => url.pathname === '/' || /^\/assets\/[^/]+\.(js|css|svg)$/.test(url.pathname), (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = path === '/' ? 'index.html' : path.slice('/assets/'.length);
    route.fulfill({ body: readFileSync(join(dir, file)), contentType: TYPES[file.split('.').pop()] });
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
  await serveWebDir(context);
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
