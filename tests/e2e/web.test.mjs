// Browser tests for the web client served by chatter-server at /.
// One server and one headless Chromium for the file; each test uses its own
// browser context (fresh localStorage) and its own nicknames and rooms.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, openChat, say, messageBody, WAIT } from './lib/browser.mjs';
import { participant, waitFor } from './lib/participant.mjs';
import { desktopUser } from './lib/desktop.mjs';

let server;
let browser;
const cleanups = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function chat(nick, opts) {
  const s = await openChat(browser, server, nick, opts);
  cleanups.push(() => s.context.close());
  return s;
}

async function peer(nick) {
  const p = await participant(server, nick);
  cleanups.push(() => p.close());
  return p;
}

// The page starts in #lobby unless told otherwise; this moves it to `room`.
async function joinInPage(page, room) {
  await page.locator('#join-input').fill(room);
  await page.locator('#join-input').press('Enter');
  await page.locator(`#room-list .room.active[data-room="${room}"]`).waitFor();
  await page.locator('#send:not([disabled])').waitFor();
}

describe('web client', () => {
  test('on a fresh server the room list shows the joined room and no stray text', async () => {
    const fresh = await startServer(); // no rooms from the other tests
    const s = await openChat(browser, fresh, 'nora');
    try {
      const nav = s.page.locator('#room-nav');
      await nav.locator('#room-list .room-name', { hasText: 'lobby' }).waitFor();
      assert.doesNotMatch(await nav.innerText(), /null|undefined/);
      assert.equal(await nav.locator('#other-rooms').count(), 0);
    } finally {
      await s.context.close();
      await fresh.stop();
    }
  });

  test('after sign-in and after choosing a room, typing goes to the composer', async () => {
    const { page } = await chat('fay');
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    assert.equal(await focused(), 'input');
    await joinInPage(page, 'focus-b');
    await page.locator('#room-list .room[data-room="lobby"]').click();
    await page.locator('#room-list .room.active[data-room="lobby"]').waitFor();
    assert.equal(await focused(), 'input');
    await page.keyboard.type('typed straight away');
    assert.equal(await page.locator('#input').inputValue(), 'typed straight away');
  });

  test('a browser user and a desktop-client-library user chat both ways, presence shows both', async () => {
    const { page, errors } = await chat('wes');
    await joinInPage(page, 'mixed');
    const desk = await desktopUser(server, 'dora');
    cleanups.push(() => desk.close());
    await desk.join('mixed');

    await page.locator('#member-list .member[data-nick="dora"]').waitFor();
    await desk.waitForMembers('mixed', (nicks) => nicks.includes('wes') && nicks.includes('dora'));

    await say(page, 'hello desktop');
    const got = await desk.waitForMessage('mixed', (m) => m.body === 'hello desktop');
    assert.equal(got.user, 'wes');

    desk.say('mixed', 'hello browser <b>not bold</b>');
    await messageBody(page, 'dora', 'hello browser <b>not bold</b>').waitFor();
    assert.equal(await page.locator('.log:not([hidden]) .msg[data-user="dora"] b').count(), 0);
    assert.deepEqual(errors, []);
  });

  test('a browser user and a phoenix (Node) user chat both ways', async () => {
    const { page, errors } = await chat('ann');
    await joinInPage(page, 'both-ways');
    const bob = await peer('bob');
    const room = await bob.join('both-ways');

    await say(page, 'hello from the browser');
    const got = await room.waitForMessage((m) => m.body === 'hello from the browser');
    assert.equal(got.user, 'ann');
    // Own messages are marked as such.
    await page.locator('.log:not([hidden]) .msg.own[data-user="ann"]', { hasText: 'hello from the browser' }).waitFor();

    // Typing indicator, then the message from the other side.
    room.setTyping(true);
    await page.locator('#typing', { hasText: 'bob is typing…' }).waitFor();
    await room.send('hi @ann, see https://example.com/docs.');
    await messageBody(page, 'bob', 'hi @ann').waitFor();
    await page.locator('#typing:empty').waitFor(); // a message ends that user's typing

    // The link is clickable, safe, and stops before the sentence's full stop.
    const link = messageBody(page, 'bob', 'hi @ann').locator('a');
    assert.equal(await link.getAttribute('href'), 'https://example.com/docs');
    assert.match(await link.getAttribute('rel'), /noopener/);
    // "@ann" is a mention of the browser user: highlighted.
    await page.locator('.msg.mentioned[data-user="bob"] mark.mention', { hasText: 'ann' }).waitFor();
    // Timestamps are shown.
    assert.match(await page.locator('.msg[data-user="bob"] .msg-head time').first().textContent(), /\d/);
    assert.deepEqual(errors, []);
  });

  test('presence lists both users in the member list', async () => {
    const { page } = await chat('cara');
    await joinInPage(page, 'presence-room');
    await page.locator('#member-list .member[data-nick="cara"]').waitFor();
    const dan = await peer('dan');
    const room = await dan.join('presence-room');
    await page.locator('#member-list .member[data-nick="dan"]').waitFor();
    assert.deepEqual(await page.locator('#member-list .member').evaluateAll((els) => els.map((e) => e.dataset.nick)), ['cara', 'dan']);
    assert.equal(await page.locator('#member-count').textContent(), '2');
    // Leaving shows up too (presence_diff).
    await room.leave();
    await page.locator('#member-list .member[data-nick="dan"]').waitFor({ state: 'detached' });
  });

  test('leaving a room drops it from the list and from presence', async () => {
    const { page } = await chat('sam');
    await joinInPage(page, 'exit');
    const tom = await peer('tom');
    const room = await tom.join('exit');
    const present = () => room.presence.list((nick) => nick);
    await waitFor(() => present().includes('sam'), 'sam in the presence list');
    await page.locator('#leave').click();
    await waitFor(() => !present().includes('sam'), 'sam to leave');
    await page.locator('#room-list .room[data-room="exit"]').waitFor({ state: 'detached' });
    // The page moves on to a room it is still in.
    await page.locator('#room-title', { hasText: '#lobby' }).waitFor();
  });

  test('markup in a message is shown as literal text', async () => {
    const { page, dialogs } = await chat('erin');
    await joinInPage(page, 'xss');
    const fred = await peer('fred');
    const room = await fred.join('xss');
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    await room.send(evil);
    const body = messageBody(page, 'fred', '<script>');
    await body.waitFor();
    assert.equal(await body.textContent(), evil);
    // The browser user's own copy, typed into the composer, is literal as well.
    await say(page, `${evil} again`);
    await messageBody(page, 'erin', 'again').waitFor();
    assert.equal(await messageBody(page, 'erin', 'again').textContent(), `${evil} again`);
    // A later message has round-tripped, so a handler would have had its chance to run.
    await room.send('after');
    await messageBody(page, 'fred', 'after').waitFor();
    assert.equal(await page.locator('#logs img, #logs script').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  test('a browser on long-poll chats with a WebSocket user', async () => {
    const s = await chat('gil', { path: '/?transport=longpoll' });
    const { page } = s;
    await page.locator('#conn[data-state="connected"][data-transport="longpoll"]').waitFor();
    await joinInPage(page, 'lp');
    const hal = await peer('hal');
    const room = await hal.join('lp');
    await say(page, 'sent over long-poll');
    assert.equal((await room.waitForMessage((m) => m.body === 'sent over long-poll')).user, 'gil');
    await room.send('received over long-poll');
    await messageBody(page, 'hal', 'received over long-poll').waitFor();
    // Everything went through /socket/longpoll: no WebSocket was ever opened.
    assert.equal(s.websockets.length, 0);
    assert.ok(s.requests.some((u) => new URL(u).pathname === '/socket/longpoll'));
  });

  test('with WebSockets blocked, the page falls back to long-poll by itself', async () => {
    const context = await browser.newContext();
    cleanups.push(() => context.close());
    // Every WebSocket upgrade fails, as behind a proxy that does not pass them.
    await context.routeWebSocket(/\/socket\/websocket/, (ws) => ws.close({ code: 1006, reason: 'blocked' }));
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT * 2);
    await page.goto(server.base + '/');
    await page.locator('#mode-guest').check();
    await page.locator('#nick-input').fill('quin');
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#conn[data-state="connected"][data-transport="longpoll"]').waitFor();
    await page.locator('#send:not([disabled])').waitFor();
    const rex = await peer('rex');
    const room = await rex.join('lobby');
    await say(page, 'made it through');
    assert.equal((await room.waitForMessage((m) => m.body === 'made it through')).user, 'quin');
  });

  test('unread counts for rooms not in view', async () => {
    const { page } = await chat('ivy');
    await joinInPage(page, 'quiet');
    await joinInPage(page, 'busy');
    await joinInPage(page, 'quiet'); // back to quiet: busy is out of view
    const jon = await peer('jon');
    const busy = await jon.join('busy');
    await busy.send('one');
    await busy.send('two');
    await busy.send('three');
    const badge = page.locator('#room-list .room[data-room="busy"] .badge');
    await waitFor(async () => (await badge.textContent().catch(() => '')) === '3', 'badge 3');
    await page.waitForFunction(() => document.title.startsWith('(3)'), null, { timeout: WAIT });
    assert.equal(await badge.getAttribute('class'), 'badge');
    // A mention makes it stand out.
    await busy.send('@ivy look');
    await page.locator('#room-list .room[data-room="busy"] .badge.mention', { hasText: '4' }).waitFor();
    // The room in view never counts.
    const quiet = await jon.join('quiet');
    await quiet.send('seen right away');
    await messageBody(page, 'jon', 'seen right away').waitFor();
    assert.equal(await page.locator('#room-list .room[data-room="quiet"] .badge').count(), 0);
    // Opening the room clears its count.
    await page.locator('#room-list .room[data-room="busy"]').click();
    await messageBody(page, 'jon', '@ivy look').waitFor();
    await page.locator('#room-list .room[data-room="busy"] .badge').waitFor({ state: 'detached' });
    // A room the browser never joined shows up from the directory, with its activity.
    const elsewhere = await jon.join('elsewhere');
    await page.locator('#other-rooms .room[data-room="elsewhere"]').waitFor();
    await elsewhere.send('psst');
    await page.locator('#other-rooms .room[data-room="elsewhere"] .badge', { hasText: '1' }).waitFor();
  });

  test('older history loads on demand', async () => {
    const kim = await peer('kim');
    const room = await kim.join('archive');
    for (let i = 1; i <= 60; i += 1) await room.send(`message ${i}`);
    const { page } = await chat('lou');
    await joinInPage(page, 'archive');
    const msgs = page.locator('.log:not([hidden]) .msg');
    await waitFor(async () => (await msgs.count()) === 50, '50 messages from the join reply');
    // Scrolling the button into view may already start loading (the log loads older messages
    // near its top) and hide the button, so press it through the DOM: a second request while
    // one is under way is ignored by the page.
    await page.locator('.log:not([hidden]) .load-older').evaluate((button) => button.click());
    await waitFor(async () => (await msgs.count()) === 60, 'all 60 messages after loading older');
    assert.equal(await msgs.first().locator('.body').textContent(), 'message 1');
    await page.locator('.log:not([hidden]) .log-start').waitFor();
    assert.equal(await page.locator('.log:not([hidden]) .load-older').isHidden(), true);
  });

  test('reconnect asks only for missed messages and shows each once', async () => {
    const s = await chat('max');
    const { page } = s;
    await joinInPage(page, 'flaky');
    const ned = await peer('ned');
    const room = await ned.join('flaky');
    await room.send('before the drop');
    await messageBody(page, 'ned', 'before the drop').waitFor();
    const sent = [];
    page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));
    // "reconnecting…" may last only milliseconds, so record every state the page shows.
    await page.evaluate(() => {
      const conn = document.getElementById('conn');
      window.connStates = [];
      new MutationObserver(() => window.connStates.push(conn.dataset.state))
        .observe(conn, { attributes: true, attributeFilter: ['data-state'] });
    });
    // Drop the connection abnormally (no phx_leave): phoenix reconnects by itself.
    await page.evaluate(() => window.chatter.socket.conn.close(4000, 'test drop'));
    await page.waitForFunction(() => window.connStates.includes('reconnecting'));
    await room.send('while away');
    await page.waitForFunction(() => window.connStates.at(-1) === 'connected');
    await messageBody(page, 'ned', 'while away').waitFor();
    const rejoin = await waitFor(() => sent.map((f) => JSON.parse(f)).find((m) => m[2] === 'chatter:room:flaky' && m[3] === 'phx_join'), 'a rejoin');
    assert.equal(typeof rejoin[4].last_seen_id, 'number');
    await room.send('after the drop');
    await messageBody(page, 'ned', 'after the drop').waitFor();
    for (const text of ['before the drop', 'while away', 'after the drop']) {
      assert.equal(await messageBody(page, 'ned', text).count(), 1, text);
    }
  });

  test('phone-size layout: composer visible, rooms in a drawer', async () => {
    const { page } = await chat('ora', { viewport: { width: 390, height: 844 } });
    const composer = page.locator('#composer');
    await composer.waitFor();
    const box = await composer.boundingBox();
    assert.ok(box.y + box.height <= 844 && box.x >= 0 && box.x + box.width <= 390, `composer at ${JSON.stringify(box)}`);
    // The room list is off-screen until the drawer toggle is used.
    const sidebarRight = () => page.locator('#sidebar').evaluate((e) => e.getBoundingClientRect().right);
    await waitFor(async () => (await sidebarRight()) <= 0, 'the drawer to be closed');
    const toggle = page.locator('#rooms-toggle');
    assert.ok(await toggle.isVisible());
    await toggle.click();
    await waitFor(async () => (await page.locator('#sidebar').evaluate((e) => e.getBoundingClientRect().left)) >= 0, 'the drawer to open');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    // Joining from the drawer closes it and shows the room.
    await page.locator('#join-input').fill('pocket');
    await page.locator('#join-input').press('Enter');
    await page.locator('#room-title', { hasText: '#pocket' }).waitFor();
    await waitFor(async () => (await sidebarRight()) <= 0, 'the drawer to close again');
    await page.locator('#send:not([disabled])').waitFor();
    await say(page, 'typed on a phone');
    await messageBody(page, 'ora', 'typed on a phone').waitFor();
    // No horizontal scrolling on a phone.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  });

  test('nickname prompt refuses what the server would refuse', async () => {
    const context = await browser.newContext();
    cleanups.push(() => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(server.base + '/');
    await page.locator('#mode-guest').check();
    await page.locator('#nick-input').fill('no spaces please');
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#login-error', { hasText: 'letters' }).waitFor();
    assert.equal(await page.locator('#app').isHidden(), true);
    await page.locator('#nick-input').fill('pat');
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#conn[data-state="connected"]').waitFor();
    // Remembered: a reload goes straight in.
    await page.reload();
    await page.locator('#conn[data-state="connected"]').waitFor();
    assert.equal(await page.locator('#me-nick').textContent(), 'pat');
    assert.equal(await page.locator('#login').isHidden(), true);
  });
});
