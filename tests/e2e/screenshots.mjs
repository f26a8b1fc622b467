// Renders the screenshots in docs/images/ from a real server, browser and a phoenix
// (Node) participant: `npm run screenshots`. Not part of `npm test`, so test runs
// never rewrite the docs. CHATTER_SCREENSHOT_DIR and COLOR_SCHEME override defaults.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/server.mjs';
import { launchBrowser, openChat, say, messageBody } from './lib/browser.mjs';
import { participant } from './lib/participant.mjs';
import { registerAccount } from './lib/accounts.mjs';
import { guestSession, uploadFile } from './lib/files.mjs';
import { pngImage } from './lib/images.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.env.CHATTER_SCREENSHOT_DIR || resolve(here, '..', '..', 'docs', 'images');
const colorScheme = process.env.COLOR_SCHEME || 'light';
mkdirSync(outDir, { recursive: true });

const server = await startServer({ args: ['--password-cost', 'minimum'] });
const browser = await launchBrowser();
const people = [];
try {
  // The entry screen, as a first visit shows it (sign in), the nickname typed.
  {
    const context = await browser.newContext({ viewport: { width: 960, height: 720 }, colorScheme });
    const page = await context.newPage();
    await page.goto(server.base + '/');
    await page.locator('#mode-signin').check();
    await page.locator('#nick-input').fill('ann');
    await page.locator('#password-input').focus();
    await page.screenshot({ path: join(outDir, 'web-sign-in.png') });
    await context.close();
  }

  // ann has an account: the desktop and the phone sign in to it.
  const password = 'screenshot password';
  await registerAccount(server, 'ann', password);

  // Other rooms with people in them, so the directory looks lived-in.
  const carol = await participant(server, 'carol');
  people.push(carol);
  await (await carol.join('design')).send('New icon drafts are in the shared folder.');
  await carol.join('random');
  const bob = await participant(server, 'bob');
  people.push(bob);
  const lobby = await bob.join('lobby');
  await lobby.send('Morning! Is the staging server back up?');

  const open = async (viewport) => {
    const { page, context } = await openChat(browser, server, 'ann', { viewport, colorScheme, password });
    await page.locator('#send:not([disabled])').waitFor();
    const phone = viewport.width < 700; // the room list is a drawer there
    if (phone) await page.locator('#rooms-toggle').click();
    await page.locator('#join-input').fill('releases');
    await page.locator('#join-input').press('Enter');
    if (phone) await page.locator('#rooms-toggle').click();
    await page.locator('#room-list .room[data-room="lobby"]').click();
    await page.locator('#send:not([disabled])').waitFor();
    return { page, context };
  };

  // One conversation, seen from the desktop; the phone joins later and sees it as history.
  const desk = await open({ width: 1280, height: 800 });
  await say(desk.page, 'Yes, since about ten minutes ago. Deploy notes are at https://example.com/wiki/staging');
  await lobby.waitForMessage((m) => m.user === 'ann');
  await lobby.send('Great, thanks ann! I will run the smoke tests now.');
  await say(desk.page, 'Ping me if anything looks off.\nI am around until 6.');
  await lobby.send('Will do. The release notes draft is in #releases if you want to take a look 👀');
  const releases = await bob.join('releases');
  await releases.send('Draft v0.4 notes: web client, long-poll fallback, history paging.');
  await releases.send('Comments welcome before Friday.');
  lobby.setTyping(true);
  await desk.page.locator('#typing', { hasText: 'bob is typing' }).waitFor();
  await desk.page.locator('#room-list .room[data-room="releases"] .badge').waitFor();
  await desk.page.screenshot({ path: join(outDir, 'web-client.png') });
  await desk.context.close();

  // Conversations: a DM with a reply, reactions and formatting, the DM list beside the rooms.
  {
    const dave = await registerAccount(server, 'dave', password);
    const erin = await registerAccount(server, 'erin', password);
    const davePeer = await participant(server, 'dave', { token: dave.token });
    people.push(davePeer);
    const erinPeer = await participant(server, 'erin', { token: erin.token });
    people.push(erinPeer);
    const { page, context } = await openChat(browser, server, 'ann', { viewport: { width: 1280, height: 800 }, colorScheme, password });
    await page.locator('#send:not([disabled])').waitFor();
    const { topic } = await (await davePeer.joinPersonal(dave.personal_topic)).push('open_dm', { user: 'ann' });
    const dm = await davePeer.join('dm', { topic });
    const question = await dm.send('Could you look at `deploy.sh`? It fails on **staging**:\n```\nerror: connect ECONNREFUSED 10.0.4.12:5432\n```');
    await dm.send('No hurry, the release is *tomorrow*.');
    await page.locator('#dm-list .room[data-peer="dave"]').click();
    const asked = page.locator(`.msg[data-id="${question.id}"]`);
    await asked.hover();
    await asked.locator('.act-reply').click();
    await say(page, 'On it: the database moved to 10.0.4.20 last night. @dave I will update the config.');
    const answer = await dm.waitForMessage((m) => m.user === 'ann' && m.reply_to === question.id);
    await dm.push('react', { id: answer.id, emoji: '👍', on: true });
    await dm.push('react', { id: answer.id, emoji: '🎉', on: true });
    await dm.send('Thanks, that explains it!');
    const { topic: erinTopic } = await (await erinPeer.joinPersonal(erin.personal_topic)).push('open_dm', { user: 'ann' });
    await (await erinPeer.join('dm', { topic: erinTopic })).send('Lunch at 12?');
    await page.locator('#dm-list .room[data-peer="erin"] .badge').waitFor();
    await page.locator(`.msg[data-id="${answer.id}"] .reaction[data-emoji="🎉"]`).waitFor();
    await page.locator('.msg', { hasText: 'Thanks, that explains it!' }).waitFor();
    // The in-page alerts of the DMs (notifications not allowed in this browser) are dismissed.
    while (await page.locator('.toast-close').count() > 0) await page.locator('.toast-close').first().click();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(outDir, 'web-conversations.png') });
    await context.close();
  }

  // Files: a picture and a document from carol in #design, ann's own picture on its way.
  {
    const frank = await guestSession(server, 'frank');
    const frankPeer = await participant(server, 'frank', { token: frank.token });
    people.push(frankPeer);
    const design = await frankPeer.join('design');
    const photo = await uploadFile(server, frank.token, 'moodboard.png', 'image/png', pngImage(960, 600, 12));
    const spec = await uploadFile(server, frank.token, 'icon-spec.pdf', 'application/pdf', Buffer.alloc(184320, 1));
    await design.push('new_msg', { body: 'Moodboard for the new icons, and the spec:', attachments: [photo.id, spec.id] });
    const { page, context } = await openChat(browser, server, 'ann', { viewport: { width: 1280, height: 800 }, colorScheme, password });
    await page.locator('#send:not([disabled])').waitFor();
    await page.locator('#room-list .room[data-room="design"], #other-rooms .room[data-room="design"]').first().click();
    await page.locator('.log:not([hidden]) .att-file').waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.log:not([hidden]) .att-image img')].every((i) => i.complete && i.naturalWidth > 0));
    await say(page, 'Love the warm colours. Here is the sketch from this morning:');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('#attach').click()]);
    await chooser.setFiles([{ name: 'sketch.png', mimeType: 'image/png', buffer: pngImage(480, 360, 90) }]);
    await page.locator('#pending-files [data-state="ready"] img').waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('#pending-files img')].every((i) => i.complete && i.naturalWidth > 0));
    await page.locator('#input').fill('Sketch attached');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(outDir, 'web-files.png') });

    // Search: results from every room ann may read, grouped, the words highlighted.
    await releases.send('Deploy window for v0.4 is Thursday 14:00.');
    await lobby.send('The deploy to staging went fine.');
    await page.locator('#search-input').fill('deploy');
    await page.locator('#search-input').press('Enter');
    await page.locator('#search-status', { hasText: 'results' }).waitFor();
    await page.locator('#search-input').blur();
    await page.screenshot({ path: join(outDir, 'web-search.png') });
    await context.close();
  }

  const phone = await open({ width: 390, height: 844 });
  await messageBody(phone.page, 'bob', 'release notes').waitFor();
  lobby.setTyping(true);
  await phone.page.locator('#typing', { hasText: 'bob is typing' }).waitFor();
  await phone.page.waitForFunction(() => document.getElementById('sidebar').getBoundingClientRect().right <= 0);
  await phone.page.waitForTimeout(300); // the scrim fades out
  await phone.page.screenshot({ path: join(outDir, 'web-client-phone.png') });
  if (process.env.DRAWER_SHOT) {
    await phone.page.locator('#rooms-toggle').click();
    await phone.page.waitForTimeout(400); // let the slide-in transition finish for the picture
    await phone.page.screenshot({ path: join(outDir, 'web-client-phone-drawer.png') });
  }
  await phone.context.close();
  console.log(`screenshots written to ${outDir}`);
} finally {
  for (const p of people) await p.close().catch(() => {});
  await browser.close();
  await server.stop();
}
