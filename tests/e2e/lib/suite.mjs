// One server and one headless Chromium per test file, and the helpers the tests share.
// Each test uses its own browser context (fresh localStorage), nicknames and rooms.
import { before, after } from 'node:test';
import { startServer } from './server.mjs';
import { launchBrowser, openChat, fillEntry, serveWebDir, WAIT } from './browser.mjs';
import { participant } from './participant.mjs';

// `serverArgs`: extra chatter-server flags for this file's server; `prepare(dataDir)` runs
// before it starts (accounts made with the command line).
export function useSuite({ serverArgs = [], prepare = null } = {}) {
  const suite = { server: null, browser: null, cleanups: [] };
  before(async () => {
    suite.server = await startServer({ args: serverArgs, prepare });
    suite.browser = await launchBrowser();
  });
  after(async () => {
    for (const fn of suite.cleanups.reverse()) await fn().catch(() => {});
    await suite.browser?.close();
    await suite.server?.stop();
  });
  // A signed-in page (see openChat), closed with the file.
  suite.chat = async (nick, opts) => {
    const s = await openChat(suite.browser, suite.server, nick, opts);
    suite.cleanups.push(() => s.context.close());
    return s;
  };
  // A scripted phoenix (Node) participant, closed with the file.
  suite.peer = async (nick) => {
    const p = await participant(suite.server, nick);
    suite.cleanups.push(() => p.close());
    return p;
  };
  // A context of its own (for routes set up before the page loads), closed with the file.
  suite.context = async (opts = {}) => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts });
    suite.cleanups.push(() => context.close());
    await serveWebDir(context);
    return context;
  };
  // A signed-in page in `context` (made with suite.context()).
  suite.chatIn = async (context, nick, path = '/') => {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(suite.server.base + path);
    await signIn(page, nick);
    return page;
  };
  return suite;
}

// Enters as the guest `nick` on a page that shows the entry screen and waits for the connection
// and the room in view (connected comes first; what is typed before the join is not sent).
export async function signIn(page, nick) {
  page.setDefaultTimeout(WAIT);
  await fillEntry(page, 'guest', nick);
  await page.locator('#conn[data-state="connected"]').waitFor();
  await page.locator('#send:not([disabled])').waitFor();
}

// The page starts in #lobby unless told otherwise; this moves it to `room`.
export async function joinInPage(page, room) {
  await page.locator('#join-input').fill(room);
  await page.locator('#join-input').press('Enter');
  await page.locator(`#room-list .room.active[data-room="${room}"]`).waitFor();
  await page.locator('#send:not([disabled])').waitFor();
}
