// Browser tests for files and images (docs/files-and-search.md, "Clients"): the attach button
// (file chooser), drag and drop onto the conversation, a pasted image, pending files with a
// progress bar and Cancel, refusals said near the composer (413 with the limit, 429 quota),
// thumbnails and file cards in the other browser, the full image in a viewer, the download
// link (attachment disposition, the bytes as sent), and an expired thumbnail URL signed again
// with history {around}.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { say } from './lib/browser.mjs';
import { useSuite, joinInPage } from './lib/suite.mjs';
import { pngImage } from './lib/images.mjs';
import { axeViolations, formatViolations } from './lib/axe.mjs';
import { waitFor } from './lib/participant.mjs';

const MAX_UPLOAD = 120000;
const QUOTA = 300000;
const suite = useSuite({ serverArgs: ['--max-upload-bytes', String(MAX_UPLOAD), '--upload-quota-bytes', String(QUOTA)] });

const log = (page) => page.locator('.log:not([hidden])');
const message = (page, user, text) => log(page).locator(`.msg[data-user="${user}"]`, { hasText: text });
const pending = (page) => page.locator('#pending-files .pending-file');
const PHOTO = pngImage(640, 400);
const NOTES = Buffer.from('Shopping list\n- bread\n- <b>not bold</b>\n');

// Two guests in `room`, each in a browser of their own.
async function pair(room, a, b) {
  const one = await suite.chat(a);
  await joinInPage(one.page, room);
  const two = await suite.chat(b);
  await joinInPage(two.page, room);
  return [one.page, two.page, two];
}

async function chooseFiles(page, files) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('#attach').click()]);
  await chooser.setFiles(files);
}

// axe in the light and the dark colour scheme.
async function assertAccessible(page, what) {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `${what} (${colorScheme}):\n${formatViolations(violations)}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('files', () => {
  test('attach with the file chooser: the other browser sees the thumbnail and the file card, opens the full image, downloads the bytes', async () => {
    const [alice, bob] = await pair('files-chooser', 'fc-alice', 'fc-bob');
    await chooseFiles(alice, [
      { name: 'sunset.png', mimeType: 'image/png', buffer: PHOTO },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: NOTES },
    ]);
    await pending(alice).filter({ hasText: 'sunset.png' }).and(alice.locator('[data-state="ready"]')).waitFor();
    await pending(alice).filter({ hasText: 'notes.txt' }).and(alice.locator('[data-state="ready"]')).waitFor();
    assert.equal(await pending(alice).filter({ hasText: 'sunset.png' }).getAttribute('data-progress'), '100');
    await assertAccessible(alice, 'files waiting in the composer');
    await say(alice, 'pictures from the weekend');
    await assert.doesNotReject(pending(alice).first().waitFor({ state: 'detached' }));

    const mine = message(alice, 'fc-alice', 'pictures from the weekend');
    await mine.locator('.att-image img').waitFor();
    const theirs = message(bob, 'fc-alice', 'pictures from the weekend');
    const thumb = theirs.locator('.att-image img');
    await thumb.waitFor();
    await bob.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumb.elementHandle());
    // The thumbnail is the server's (at most 320 wide), not the original.
    assert.equal(await thumb.evaluate((img) => img.naturalWidth), 320);
    assert.match(await thumb.getAttribute('src'), /^\/files\/[A-Za-z0-9_-]{22}\/thumb\?exp=\d+&sig=/);
    assert.equal(await thumb.getAttribute('alt'), 'sunset.png');
    const card = theirs.locator('.att-file');
    await assert.doesNotReject(card.waitFor());
    assert.equal(await card.locator('.att-name').textContent(), 'notes.txt');
    assert.equal(await card.locator('.att-size').textContent(), `${NOTES.length} B`);
    assert.equal(await card.locator('a').getAttribute('download'), 'notes.txt');
    await assertAccessible(bob, 'a thumbnail and a file card');

    // A click shows the full image; Escape closes it and gives the focus back.
    await theirs.locator('.att-image').click();
    const viewer = bob.locator('#image-viewer[open]');
    await viewer.waitFor();
    await bob.waitForFunction(() => {
      const img = document.getElementById('image-viewer-img');
      return img.complete && img.naturalWidth === 640;
    });
    assert.match(await bob.locator('#image-viewer-name').textContent(), /sunset\.png \(.*640×400\)/);
    await assertAccessible(bob, 'the image viewer');
    await bob.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });

    // The download link: the bytes as sent, as an attachment under the file's name.
    const href = await card.locator('a').getAttribute('href');
    const answer = await bob.request.get(new URL(href, bob.url()).href);
    assert.equal(answer.status(), 200);
    assert.match(answer.headers()['content-disposition'], /^attachment/);
    assert.deepEqual(Buffer.from(await answer.body()), NOTES);
    const [download] = await Promise.all([bob.waitForEvent('download'), card.locator('a').click()]);
    assert.equal(download.suggestedFilename(), 'notes.txt');
    assert.deepEqual(readFileSync(await download.path()), NOTES);
    // The text of the file never became markup in the page.
    assert.equal(await bob.locator('.log b').count(), 0);
  });

  test('a file dropped onto the conversation is attached; a message may be only files', async () => {
    const [alice, bob] = await pair('files-drop', 'fd-alice', 'fd-bob');
    await alice.evaluate((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'dropped report.csv', { type: 'text/csv' }));
      const target = document.querySelector('.log:not([hidden])');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    }, 'a,b\n1,2\n');
    await pending(alice).and(alice.locator('[data-state="ready"]')).waitFor();
    assert.equal(await pending(alice).locator('.pending-name').textContent(), 'dropped report.csv');
    // No text: Enter sends the file alone.
    await alice.locator('#input').press('Enter');
    const card = log(bob).locator('.msg[data-user="fd-alice"] .att-file', { hasText: 'dropped report.csv' });
    await card.waitFor();
    assert.equal(await log(bob).locator('.msg[data-user="fd-alice"] .body').count(), 0);
    // A reply to it names the file in the reply bar.
    const onlyFiles = log(bob).locator('.msg[data-user="fd-alice"]').last();
    await onlyFiles.hover();
    await onlyFiles.locator('.act-reply').click();
    await bob.locator('#composer-mode-text', { hasText: '📎 dropped report.csv' }).waitFor();
  });

  test('an image pasted into the composer is attached and sent', async () => {
    const [alice, bob] = await pair('files-paste', 'fp-alice', 'fp-bob');
    await alice.locator('#input').focus();
    await alice.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
      document.getElementById('input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, [...pngImage(200, 120, 40)]);
    const item = pending(alice).and(alice.locator('[data-state="ready"]'));
    await item.waitFor();
    assert.match(await item.locator('.pending-name').textContent(), /^Pasted image .*\.png$/);
    // Once uploaded, the composer shows the server's thumbnail of it.
    await item.locator('img.pending-thumb').waitFor();
    assert.equal(await alice.locator('#input').inputValue(), '');
    // Text with a picture of itself (as office programs put it on the clipboard) pastes as text.
    await alice.evaluate((bytes) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'a pasted line');
      data.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
      const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
      document.getElementById('input').dispatchEvent(event);
      window.pasteTaken = event.defaultPrevented;
    }, [...pngImage(20, 10, 5)]);
    assert.equal(await alice.evaluate(() => window.pasteTaken), false);
    assert.equal(await pending(alice).count(), 1);
    await say(alice, 'from the clipboard');
    const thumb = message(bob, 'fp-alice', 'from the clipboard').locator('.att-image img');
    await thumb.waitFor();
    await bob.waitForFunction((img) => img.complete && img.naturalWidth === 200, await thumb.elementHandle());
  });

  test('an upload shows its progress and can be cancelled; sending waits for it', async () => {
    const [alice, bob] = await pair('files-progress', 'fg-alice', 'fg-bob');
    // The first upload is held on its way (as on a slow network) until the test lets it go.
    let held = null;
    await alice.route('**/api/files**', (route) => { if (!held) held = route; else route.continue(); });
    const aborted = [];
    alice.on('requestfailed', (r) => { if (r.url().includes('/api/files')) aborted.push(r.failure()?.errorText); });
    await chooseFiles(alice, [{ name: 'slow.png', mimeType: 'image/png', buffer: PHOTO }]);
    const uploading = pending(alice).and(alice.locator('[data-state="uploading"]'));
    await uploading.waitFor();
    assert.equal(await uploading.locator('progress').count(), 1);
    assert.equal(await uploading.locator('progress').getAttribute('aria-label'), 'Uploading slow.png');
    await assertAccessible(alice, 'an upload in progress');
    await say(alice, 'waiting for the picture');
    await alice.locator('#composer-error', { hasText: 'still uploading' }).waitFor();
    assert.equal(await alice.locator('#input').inputValue(), 'waiting for the picture');

    // Cancel: the request is aborted, the file is gone from the composer.
    await uploading.locator('.pending-cancel').click();
    await pending(alice).first().waitFor({ state: 'detached' });
    assert.ok(held, 'the upload reached the network');
    await waitFor(() => aborted.length > 0, 'the upload to be aborted');
    assert.deepEqual(aborted, ['net::ERR_ABORTED']);
    await held.continue().catch(() => { /* aborted by the page: nothing to continue */ });

    // The next one goes through, to 100 %, and is sent with the text.
    await chooseFiles(alice, [{ name: 'second.png', mimeType: 'image/png', buffer: pngImage(64, 64, 9) }]);
    const ready = pending(alice).and(alice.locator('[data-state="ready"]'));
    await ready.waitFor();
    assert.equal(await ready.getAttribute('data-progress'), '100');
    assert.equal(await pending(alice).count(), 1);
    await alice.locator('#input').press('Enter');
    const shown = message(bob, 'fg-alice', 'waiting for the picture');
    await shown.locator('.att-image img').waitFor();
    assert.equal(await shown.locator('.att-image').count(), 1);
  });

  test('refused uploads say why near the composer: too large (with the limit), quota used up', async () => {
    const { page } = await suite.chat('fr-alice');
    await joinInPage(page, 'files-refused');
    // Over the limit by less than the server's allowance for a form's framing (16 KiB): the
    // upload API answers, with the limit.
    await chooseFiles(page, [{ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_UPLOAD + 8000, 7) }]);
    const error = page.locator('#composer-error');
    await error.filter({ hasText: 'too large' }).waitFor();
    assert.equal(await error.textContent(), '“huge.bin” is too large to upload: the limit is 120 KB.');
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal(await pending(page).count(), 0);
    // Far over it, the request is refused on its head, with the same answer.
    await page.locator('#input').fill('x'); // clears the alert
    await page.locator('#input').fill('');
    await chooseFiles(page, [{ name: 'enormous.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_UPLOAD * 3, 7) }]);
    await error.filter({ hasText: 'enormous.bin' }).waitFor();
    assert.equal(await error.textContent(), '“enormous.bin” is too large to upload: the limit is 120 KB.');

    // Two files of 110 KB fit in the 300 KB a day; the third does not.
    const part = (n) => ({ name: `part${n}.bin`, mimeType: 'application/octet-stream', buffer: Buffer.alloc(110000, n) });
    await chooseFiles(page, [part(1)]);
    await pending(page).and(page.locator('[data-state="ready"]')).waitFor();
    await chooseFiles(page, [part(2)]);
    await page.locator('#pending-files [data-state="ready"]').nth(1).waitFor();
    await chooseFiles(page, [part(3)]);
    await error.filter({ hasText: 'quota' }).waitFor();
    assert.match(await error.textContent(), /^“part3\.bin” was not uploaded: your upload quota \(300 KB a day\) is used up\. Try again in \d+ (h|min)\.$/);
    assert.equal(await pending(page).count(), 2);
  });

  test('a thumbnail whose URL has expired is signed again through history {around}', async () => {
    const [alice, bob, bobSession] = await pair('files-expired', 'fx-alice', 'fx-bob');
    await chooseFiles(alice, [{ name: 'old.png', mimeType: 'image/png', buffer: pngImage(400, 300, 77) }]);
    await pending(alice).and(alice.locator('[data-state="ready"]')).waitFor();
    // bob's browser is told the thumbnail URL expired, once, as after a day away.
    let refused = 0;
    await bob.route('**/files/*/thumb?*', (route) => {
      if (refused++ > 0) return route.continue();
      return route.fulfill({ status: 403, contentType: 'application/json', body: '{"error":"expired"}' });
    });
    const sent = [];
    for (const ws of bobSession.websockets) ws.on('framesent', (f) => sent.push(String(f.payload)));
    await say(alice, 'an old picture');
    const thumb = message(bob, 'fx-alice', 'an old picture').locator('.att-image img');
    await thumb.waitFor();
    await bob.waitForFunction(() => {
      const img = document.querySelector('.log:not([hidden]) .att-image img');
      return img && img.complete && img.naturalWidth === 320;
    });
    const around = sent.filter((p) => p.includes('"around"'));
    assert.ok(refused >= 2, 'the thumbnail was asked for again');
    assert.equal(around.length, 1);
    assert.match(around[0], /"history",\{"around":\d+,"limit":1\}/);

    // A day and more later by bob's clock: a URL whose exp has passed is not even tried, the
    // message is asked for at once.
    await bob.clock.setSystemTime(Date.now() + 25 * 3600 * 1000);
    const before = sent.length;
    await chooseFiles(alice, [{ name: 'later.txt', mimeType: 'text/plain', buffer: Buffer.from('later') }]);
    await pending(alice).and(alice.locator('[data-state="ready"]')).waitFor();
    await say(alice, 'a file for tomorrow');
    const later = message(bob, 'fx-alice', 'a file for tomorrow');
    await later.locator('.att-file').waitFor();
    const laterId = await later.getAttribute('data-id');
    await waitFor(() => sent.slice(before).some((p) => p.includes(`"history",{"around":${laterId},"limit":1}`)), 'the message asked for again');
  });
});
