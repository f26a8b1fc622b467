// The browser client over https:// and wss://: Chromium loads the page from a server whose
// certificate comes from a CA made for the test and chats. Chromium trusts exactly that
// server key (--ignore-certificate-errors-spki-list, which needs no system CA store and
// leaves every other certificate check on); plain http:// on the port is redirected.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/server.mjs';
import { launchBrowser, openChat, say, messageBody } from './lib/browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));

describe('browser client over https:// and wss://', () => {
  const pki = mkdtempSync(join(tmpdir(), 'chatter-e2e-tls-'));
  let server;
  let browser;
  before(async () => {
    execFileSync(resolve(here, '..', 'tls', 'make-test-ca.sh'), [pki]);
    const cert = new X509Certificate(readFileSync(join(pki, 'server.pem')));
    assert.ok(cert.verify(new X509Certificate(readFileSync(join(pki, 'ca.pem'))).publicKey));
    const spki = createHash('sha256')
      .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    server = await startServer({ args: ['--tls-cert', join(pki, 'server.pem'), '--tls-key', join(pki, 'server.key')] });
    browser = await launchBrowser({ extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`] });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(pki, { recursive: true, force: true });
  });

  test('two people chat; the page and its socket are TLS', async () => {
    const ann = await openChat(browser, server, 'ann');
    const bob = await openChat(browser, server, 'bob');
    try {
      assert.match(ann.page.url(), /^https:\/\/127\.0\.0\.1:\d+\//);
      assert.ok(ann.websockets.length > 0 && ann.websockets.every((ws) => ws.url().startsWith('wss://')),
        ann.websockets.map((ws) => ws.url()).join(', '));
      await say(ann.page, 'hello over TLS');
      await messageBody(bob.page, 'ann', 'hello over TLS').waitFor();
      await say(bob.page, 'and back');
      await messageBody(ann.page, 'bob', 'and back').waitFor();
      assert.deepEqual([...ann.errors, ...bob.errors], []);
    } finally {
      await ann.context.close();
      await bob.context.close();
    }
  });

  test('http:// on the TLS port is redirected to https://', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${server.port}/`);
      assert.equal(page.url(), `https://127.0.0.1:${server.port}/`);
      await page.locator('#nick-input').waitFor();
    } finally {
      await context.close();
    }
  });
});
