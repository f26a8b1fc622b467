// Browser tests for the transports: falling back to long-poll where WebSockets are blocked,
// and back to WebSocket once they work again.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { say, messageBody, WAIT } from './lib/browser.mjs';
import { useSuite, joinInPage } from './lib/suite.mjs';
import { controlNetwork } from './lib/network.mjs';
import { waitFor } from './lib/participant.mjs';

const suite = useSuite();

// Every text the status line shows, recorded from the first paint on.
async function recordStatus(context) {
  await context.addInitScript(() => {
    window.connTexts = [];
    document.addEventListener('DOMContentLoaded', () => {
      const text = document.getElementById('conn-text');
      new MutationObserver(() => window.connTexts.push(text.textContent))
        .observe(text, { childList: true, characterData: true, subtree: true });
    });
  });
}

describe('transports', () => {
  test('with WebSockets blocked it falls back and says so, and returns to WebSocket once they work, losing no message', async () => {
    const context = await suite.context();
    await recordStatus(context);
    const net = await controlNetwork(context);
    net.webSocketBlocked = true;
    const page = await suite.chatIn(context, 'val');
    const conn = page.locator('#conn');
    await page.locator('#conn[data-state="connected"][data-transport="longpoll"]').waitFor();
    // Honest about it: the fallback was announced, and that WebSocket is being retried.
    assert.ok((await page.evaluate(() => window.connTexts)).some((t) => /WebSocket failed, trying long-poll/.test(t)));
    assert.equal(await page.locator('#conn-text').textContent(), 'connected (long-poll, retrying WebSocket)');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('phx:fallback:LongPoll')), 'true');

    await joinInPage(page, 'comeback');
    const wen = await suite.peer('wen');
    const room = await wen.join('comeback');
    await room.send('over long-poll');
    await messageBody(page, 'wen', 'over long-poll').waitFor();

    // WebSockets work again: the page moves back by itself while messages keep coming.
    const opened = net.webSocketsOpened;
    net.webSocketBlocked = false;
    let n = 0;
    let switched = false;
    const sender = (async () => {
      for (let after = 0; after < 3; after += switched ? 1 : 0) {
        n += 1;
        await room.send(`during ${n}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    await page.locator('#conn[data-state="connected"][data-transport="websocket"]').waitFor({ timeout: WAIT * 4 });
    switched = true;
    await sender;
    assert.ok(net.webSocketsOpened > opened);
    assert.equal(await page.locator('#conn-text').textContent(), 'connected');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('phx:fallback:LongPoll')), null);
    for (let i = 1; i <= n; i += 1) await messageBody(page, 'wen', new RegExp(`^during ${i}$`)).waitFor();
    for (let i = 1; i <= n; i += 1) assert.equal(await messageBody(page, 'wen', new RegExp(`^during ${i}$`)).count(), 1, `during ${i}`);
    const order = await page.locator('.log:not([hidden]) .msg[data-user="wen"] .body').allTextContents();
    assert.deepEqual(order, ['over long-poll', ...Array.from({ length: n }, (_, i) => `during ${i + 1}`)]);

    // And it chats over the WebSocket.
    await say(page, 'back on a WebSocket');
    assert.equal((await room.waitForMessage((m) => m.body === 'back on a WebSocket')).user, 'val');
    assert.equal(await page.evaluate(() => window.chatter.transport), 'websocket');
    assert.equal(await conn.getAttribute('data-transport'), 'websocket');
  });

  test('after an outage it comes back on WebSocket, not stuck on long-poll', async () => {
    const context = await suite.context();
    const net = await controlNetwork(context);
    const page = await suite.chatIn(context, 'xia');
    await joinInPage(page, 'outage-2');
    await page.locator('#conn[data-transport="websocket"]').waitFor();
    await net.down();
    await page.locator('#conn[data-state="reconnecting"]').waitFor();
    // Long enough for the page to give up on WebSocket for a while.
    await page.locator('#conn[data-transport="longpoll"]').waitFor();
    net.up();
    await page.locator('#conn[data-state="connected"][data-transport="websocket"]').waitFor({ timeout: WAIT * 4 });
    await page.locator('#send:not([disabled])').waitFor();
    const yan = await suite.peer('yan');
    const room = await yan.join('outage-2');
    await say(page, 'after the outage');
    assert.equal((await room.waitForMessage((m) => m.body === 'after the outage')).user, 'xia');
  });
});

describe('closing the page', () => {
  test('a long-poll user who closes the tab leaves the member list at once', async () => {
    const s = await suite.chat('zed', { path: '/?transport=longpoll' });
    await s.page.locator('#conn[data-state="connected"][data-transport="longpoll"]').waitFor();
    await joinInPage(s.page, 'closing');
    const ada = await suite.peer('ada');
    const room = await ada.join('closing');
    const present = () => room.presence.list((nick) => nick);
    await waitFor(() => present().includes('zed'), 'zed in the member list');
    await s.page.locator('#member-list .member[data-nick="ada"]').waitFor();

    const closed = Date.now();
    await s.page.close();
    // The server would drop a silent long-poll session only after 15 s; a bound well under it.
    await waitFor(() => !present().includes('zed'), 'zed to leave after closing the tab', 5000);
    console.log(`# the closed long-poll tab left the member list after ${Date.now() - closed} ms`);
  });
});
