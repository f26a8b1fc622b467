// A browser back from an outage during which more was said than one reply may carry: the
// rejoin answers `more: true` and the page fetches the rest with `history {after}`, so it shows
// every message, in order, once (docs/protocol.md).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useSuite, joinInPage } from './lib/suite.mjs';
import { controlNetwork } from './lib/network.mjs';

// Small frames make "more than one reply" a few hundred short messages.
const suite = useSuite({ serverArgs: ['--max-frame-bytes', '16384', '--max-messages-per-second', '100000'] });

describe('catching up after an outage', () => {
  test('everything said while away arrives, in order, across several pages', async () => {
    const context = await suite.context();
    const net = await controlNetwork(context);
    const page = await suite.chatIn(context, 'cat');
    await joinInPage(page, 'busy');
    const pam = await suite.peer('pam');
    const room = await pam.join('busy');
    await room.send('before');
    await page.locator('.log:not([hidden]) .msg[data-user="pam"]').first().waitFor();

    await net.down();
    await page.locator('#conn[data-state="reconnecting"]').waitFor();
    const bodies = Array.from({ length: 240 }, (_, i) => `away ${String(i).padStart(3, '0')} ${'·'.repeat(120)}`);
    for (const body of bodies) await room.send(body);
    net.up();
    await page.locator('#conn[data-state="connected"]').waitFor();

    const shown = async () => page.locator('.log:not([hidden]) .msg[data-user="pam"] .body')
      .allTextContents();
    const deadline = Date.now() + 20000;
    let texts = await shown();
    while (texts.length < bodies.length + 1 && Date.now() < deadline) {
      await page.waitForTimeout(200);
      texts = await shown();
    }
    assert.deepEqual(texts, ['before', ...bodies]);
  });
});
