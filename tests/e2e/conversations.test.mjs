// Browser tests for conversations (docs/conversations.md, "Clients"): replies, edits with Up,
// deletion with a confirmation, reactions, a DM opened from the member list with a
// desktop-library user, unread counts that follow a read on another socket, a mention's in-page
// alert over plain HTTP, changes made during an outage (last_change_seq), and the formatting
// rules (with HTML shown as text).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openChat, say, messageBody } from './lib/browser.mjs';
import { useSuite, joinInPage } from './lib/suite.mjs';
import { axeViolations, formatViolations } from './lib/axe.mjs';
import { participant, waitFor } from './lib/participant.mjs';
import { desktopUser } from './lib/desktop.mjs';
import { registerAccount, signInAccount } from './lib/accounts.mjs';
import { controlNetwork } from './lib/network.mjs';

const PASSWORD = 'conversations e2e';
// chatter.test resolves to 127.0.0.1 in the browser of the HTTP test: a name, not loopback,
// so the page is not a secure context there, as on a LAN address.
const LAN_NAME = 'chatter.test';
const suite = useSuite({ serverArgs: ['--password-cost', 'minimum', '--public-host', LAN_NAME] });

const log = (page) => page.locator('.log:not([hidden])');
const message = (page, user, text) => log(page).locator(`.msg[data-user="${user}"]`, { hasText: text });
const account = (nick) => registerAccount(suite.server, nick, PASSWORD);
// An account's page: registered from the test's side, signed in through the entry screen.
async function signedIn(nick) {
  const session = await account(nick);
  const chat = await suite.chat(nick, { password: PASSWORD });
  await chat.page.locator('#send:not([disabled])').waitFor();
  return { ...chat, session };
}
// A second socket of an account, as another device would have.
async function secondDevice(nick) {
  const session = await signInAccount(suite.server, nick, PASSWORD);
  const p = await participant(suite.server, nick, { token: session.token });
  suite.cleanups.push(() => p.close());
  return { p, session };
}

describe('conversations', () => {
  test('reply: the quote shows above the message; a click on it brings the parent into view, loading older history', async () => {
    const { page } = await suite.chat('rita');
    await joinInPage(page, 'replies');
    const sam = await suite.peer('sam');
    const room = await sam.join('replies');
    const original = await room.send('the original question');
    for (let i = 1; i <= 60; i += 1) await room.send(`filler ${i}`);
    await messageBody(page, 'sam', 'filler 60').waitFor();

    // Reply from the message's toolbar.
    const parent = message(page, 'sam', 'filler 60');
    await parent.hover();
    await parent.locator('.act-reply').click();
    await page.locator('#composer-mode', { hasText: 'Replying to sam' }).waitFor();
    await say(page, 'answering the last filler');
    const sent = await room.waitForMessage((m) => m.body === 'answering the last filler');
    assert.equal(sent.reply_to, Number(await parent.getAttribute('data-id')));
    assert.equal(sent.quote?.user, 'sam');
    const mine = log(page).locator('.msg.own', { hasText: 'answering the last filler' });
    const quote = mine.locator('.quote');
    await quote.filter({ hasText: 'filler 60' }).waitFor();
    assert.equal(await mine.evaluate((n) => n.querySelector('.quote').compareDocumentPosition(n.querySelector('.body')) & Node.DOCUMENT_POSITION_FOLLOWING), 4,
      'the quote comes before the body');
    assert.equal(await page.locator('#composer-mode').isHidden(), true);

    // A reply whose parent a fresh page does not hold (only the newest 50 come with the join).
    await room.push('new_msg', { body: 'about that question', reply_to: original.id });
    await page.reload();
    await page.locator('#send:not([disabled])').waitFor();
    const reply = message(page, 'sam', 'about that question');
    await reply.waitFor();
    assert.equal(await log(page).locator(`.msg[data-id="${original.id}"]`).count(), 0);
    await reply.locator('.quote', { hasText: 'the original question' }).click();
    const target = log(page).locator(`.msg[data-id="${original.id}"]`);
    await target.waitFor();
    await waitFor(() => target.evaluate((n) => {
      const box = n.getBoundingClientRect();
      const view = n.closest('.log').getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom && document.activeElement === n;
    }), 'the parent in view, focused');
    assert.match(await target.getAttribute('class'), /\bflash\b/);
  });

  test('edit: Up in an empty composer edits the last own message; Escape cancels; Enter saves', async () => {
    const { page } = await suite.chat('eddie');
    await joinInPage(page, 'edits');
    const fay = await suite.peer('fay');
    const room = await fay.join('edits');
    await say(page, 'teh first draft');
    const sent = await room.waitForMessage((m) => m.body === 'teh first draft');
    await log(page).locator(`.msg.own[data-id="${sent.id}"]`).waitFor(); // the page's own copy too
    const input = page.locator('#input');

    // Escape gives back what was typed before (nothing) and changes nothing.
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'teh first draft');
    await page.locator('#composer-mode', { hasText: 'Editing' }).waitFor();
    await input.press('Escape');
    assert.equal(await input.inputValue(), '');
    assert.equal(await page.locator('#composer-mode').isHidden(), true);

    await input.press('ArrowUp');
    await input.fill('the first draft');
    await input.press('Enter');
    const edited = await room.waitForEvent('msg_edited', (e) => e.id === sent.id);
    assert.equal(edited.body, 'the first draft');
    const mine = log(page).locator(`.msg[data-id="${sent.id}"]`);
    await mine.locator('.body', { hasText: 'the first draft' }).waitFor();
    await mine.locator('.edited').waitFor();
    assert.equal(await input.inputValue(), '');
    assert.equal(room.events.filter((e) => e.event === 'msg_edited').length, 1);
  });

  test('delete: asks first; Cancel keeps the message, Delete removes it for everyone', async () => {
    const { page } = await suite.chat('dina');
    await joinInPage(page, 'deletions');
    const gil = await suite.peer('gil');
    const room = await gil.join('deletions');
    await say(page, 'remove me please');
    const sent = await room.waitForMessage((m) => m.body === 'remove me please');
    const mine = log(page).locator(`.msg[data-id="${sent.id}"]`);

    // From the keyboard: the message focused, Delete.
    await mine.focus();
    await mine.press('Delete');
    const dialog = page.locator('#confirm-dialog');
    await dialog.waitFor();
    await dialog.locator('#confirm-text', { hasText: 'remove me please' }).waitFor();
    await page.locator('#confirm-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
    await mine.locator('.body', { hasText: 'remove me please' }).waitFor();

    // With the mouse, confirmed.
    await mine.hover();
    await mine.locator('.act-delete').click();
    await dialog.waitFor();
    assert.equal(room.events.length, 0, 'nothing deleted before the confirmation');
    await page.locator('#confirm-delete').click();
    await room.waitForEvent('msg_deleted', (e) => e.id === sent.id);
    await log(page).locator(`.msg.deleted[data-id="${sent.id}"]`, { hasText: 'This message was deleted.' }).waitFor();
    assert.equal(await log(page).getByText('remove me please').count(), 0);
  });

  test('reactions: picked from the picker, counted under the message, who reacted on hover, a click takes one back', async () => {
    const { page } = await suite.chat('gus');
    await joinInPage(page, 'reactions');
    const hal = await suite.peer('hal');
    const room = await hal.join('reactions');
    const target = await room.send('react to me');
    const msg = log(page).locator(`.msg[data-id="${target.id}"]`);
    await msg.waitFor();

    await msg.hover();
    await msg.locator('.act-react').click();
    await page.locator('#emoji-picker').waitFor();
    await page.locator('#emoji-picker button[data-emoji="👍"]').click();
    const chip = msg.locator('.reaction[data-emoji="👍"]');
    await chip.locator('.reaction-count', { hasText: /^1$/ }).waitFor();
    assert.equal(await chip.getAttribute('aria-pressed'), 'true');
    await room.waitForEvent('reactions', (e) => e.id === target.id && e.reactions['👍']?.includes('gus'));

    await room.push('react', { id: target.id, emoji: '👍', on: true });
    await chip.locator('.reaction-count', { hasText: /^2$/ }).waitFor();
    const who = await chip.getAttribute('title');
    assert.match(who, /gus/);
    assert.match(who, /hal/);

    await chip.click();
    await chip.locator('.reaction-count', { hasText: /^1$/ }).waitFor();
    assert.equal(await chip.getAttribute('aria-pressed'), 'false');
    assert.doesNotMatch(await chip.getAttribute('title'), /gus/);

    // From the keyboard: + on the focused message, Enter on the first emoji.
    await msg.focus();
    await msg.press('+');
    await page.locator('#emoji-picker button[data-emoji="👍"]:focus').waitFor();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await msg.locator('.reaction[data-emoji="❤️"] .reaction-count', { hasText: /^1$/ }).waitFor();
  });

  test('DM: "Message" on a member opens it, and a desktop-library user answers', async () => {
    const { page } = await signedIn('dora');
    const deku = await desktopUser(suite.server, 'deku', { session: await account('deku') });
    suite.cleanups.push(() => deku.close());
    await joinInPage(page, 'dm-lobby');
    await deku.join('dm-lobby');
    const member = page.locator('#member-list .member[data-nick="deku"]');
    await member.waitFor();
    await member.getByRole('button', { name: 'Message deku' }).click();
    await page.locator('#room-title', { hasText: 'deku' }).waitFor();
    await page.locator('#dm-list .room.active[data-peer="deku"]').waitFor();
    await page.waitForFunction(() => document.title === 'deku · Chatter');
    await page.locator('#send:not([disabled])').waitFor();

    await say(page, 'hello deku, just us');
    const dm = await deku.waitForDm((e) => e.body === 'hello deku, just us');
    assert.equal(dm.user, 'dora');
    assert.match(dm.topic, /^chatter:dm:/);
    deku.dmSay(dm.topic, 'hi dora, from the desktop');
    await messageBody(page, 'deku', 'hi dora, from the desktop').waitFor();

    // Out of view, a DM counts in the DM list.
    await page.locator('#room-list .room[data-room="dm-lobby"]').click();
    await page.locator('#room-list .room.active[data-room="dm-lobby"]').waitFor();
    deku.dmSay(dm.topic, 'one more');
    await page.locator('#dm-list .room[data-peer="deku"] .badge', { hasText: '1' }).waitFor();
  });

  test('unread counts come from the server and agree after a read on another socket', async () => {
    const { page } = await signedIn('una');
    await joinInPage(page, 'tally');
    await joinInPage(page, 'tally-other'); // tally out of view
    const vic = await suite.peer('vic');
    const room = await vic.join('tally');
    for (const body of ['one', 'two', 'three']) await room.send(body);
    const badge = page.locator('#room-list .room[data-room="tally"] .badge');
    await badge.filter({ hasText: /^3$/ }).waitFor();

    // The same account elsewhere sees the same count, then reads.
    const { p: other } = await secondDevice('una');
    const seen = await other.join('tally');
    assert.equal(seen.joinReply.unread, 3);
    const last = seen.joinReply.messages.at(-1).id;
    const read = await seen.push('read', { id: last });
    assert.equal(read.unread, 0);
    await badge.waitFor({ state: 'detached' });

    // News after the read: one, here and in a fresh join reply.
    await room.send('four');
    await badge.filter({ hasText: /^1$/ }).waitFor();
    await seen.leave();
    const again = await other.join('tally');
    assert.equal(again.joinReply.unread, 1);
    assert.equal(await badge.textContent(), String(again.joinReply.unread));

    // A fresh page counts from the marker too: the join reply's count, not what it happens to see.
    await page.reload();
    await page.locator('#room-list .room.active[data-room="tally-other"]').waitFor();
    await badge.filter({ hasText: /^1$/ }).waitFor();
  });

  test('a mention over plain HTTP: an in-page alert with a sound and a note about HTTPS; none in do-not-disturb', async () => {
    await account('mia');
    const browser = await launchBrowser({ loopbackNames: [LAN_NAME] });
    suite.cleanups.push(() => browser.close());
    const lan = { base: `http://${LAN_NAME}:${suite.server.port}` };
    const { page } = await openChat(browser, lan, 'mia', { password: PASSWORD });
    await page.locator('#send:not([disabled])').waitFor();
    assert.equal(await page.evaluate(() => window.isSecureContext), false);
    await page.locator('#notify-note', { hasText: 'HTTPS' }).waitFor();
    await joinInPage(page, 'alerts');
    await joinInPage(page, 'elsewhere-quiet'); // alerts out of view

    const ned = await suite.peer('ned');
    const room = await ned.join('alerts');
    await room.send('hey @mia, the build is green');
    const toast = page.locator('#toasts .toast', { hasText: 'ned mentioned you' });
    await toast.waitFor();
    await toast.locator('.toast-text', { hasText: 'hey @mia, the build is green' }).waitFor();
    await toast.locator('.toast-note', { hasText: 'HTTPS' }).waitFor();
    await page.locator('#toasts[data-beeps="1"]').waitFor({ state: 'attached' });
    await page.locator('#room-list .room[data-room="alerts"] .badge.mention').waitFor();

    // Do not disturb: the count goes on, the alert and the sound do not.
    await page.locator('#status-select').selectOption('dnd');
    await room.send('@mia are you there?');
    await page.locator('#room-list .room[data-room="alerts"] .badge', { hasText: '2' }).waitFor();
    await room.send('a last line, no mention'); // by now the mention's push has been handled
    await page.locator('#room-list .room[data-room="alerts"] .badge', { hasText: '3' }).waitFor();
    assert.equal(await page.locator('#toasts .toast').count(), 1);
    assert.equal(await page.locator('#toasts').getAttribute('data-beeps'), '1');

    // The alert opens the conversation.
    await toast.locator('.toast-open').click();
    await page.locator('#room-list .room.active[data-room="alerts"]').waitFor();
  });

  test('back from an outage, the edits, deletions and reactions made meanwhile are shown (last_change_seq)', async () => {
    const context = await suite.context();
    const net = await controlNetwork(context);
    const page = await suite.chatIn(context, 'otto');
    await joinInPage(page, 'outage-changes');
    const pam = await suite.peer('pam');
    const room = await pam.join('outage-changes');
    const edited = await room.send('to be edited');
    const deleted = await room.send('to be deleted');
    const liked = await room.send('to get a reaction');
    await messageBody(page, 'pam', 'to get a reaction').waitFor();

    await net.down();
    await page.locator('#conn[data-state="reconnecting"]').waitFor();
    await room.push('edit_msg', { id: edited.id, body: 'edited while you were away' });
    await room.push('delete_msg', { id: deleted.id });
    await room.push('react', { id: liked.id, emoji: '🎉', on: true });
    net.up();
    await page.locator('#conn[data-state="connected"]').waitFor();
    await log(page).locator(`.msg[data-id="${edited.id}"] .body`, { hasText: 'edited while you were away' }).waitFor();
    await log(page).locator(`.msg[data-id="${edited.id}"] .edited`).waitFor();
    await log(page).locator(`.msg.deleted[data-id="${deleted.id}"]`).waitFor();
    await log(page).locator(`.msg[data-id="${liked.id}"] .reaction[data-emoji="🎉"] .reaction-count`, { hasText: '1' }).waitFor();
  });

  test('keyboard: ? and F1 list the shortcuts; a message is answered and reacted to without the mouse', async () => {
    const { page } = await suite.chat('kit');
    await joinInPage(page, 'keys');
    const lou = await suite.peer('lou');
    const room = await lou.join('keys');
    const first = await room.send('first from lou');
    await room.send('second from lou');
    await messageBody(page, 'lou', 'second from lou').waitFor();

    // Shift+Tab from the composer reaches the newest message; Up moves to the one before.
    await page.locator('#input').press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await log(page).locator('.msg:focus', { hasText: 'second from lou' }).waitFor();
    await page.keyboard.press('ArrowUp');
    await log(page).locator(`.msg[data-id="${first.id}"]:focus`).waitFor();

    await page.keyboard.press('?');
    const help = page.locator('#help-dialog');
    await help.waitFor();
    await help.locator('td', { hasText: 'Edit your last message' }).waitFor();
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, formatViolations(violations));
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    await log(page).locator(`.msg[data-id="${first.id}"]:focus`).waitFor(); // the focus came back

    await page.keyboard.press('r');
    await page.locator('#composer-mode', { hasText: 'Replying to lou' }).waitFor();
    await page.keyboard.type('answered by keyboard');
    await page.keyboard.press('Enter');
    const reply = await room.waitForMessage((m) => m.body === 'answered by keyboard');
    assert.equal(reply.reply_to, first.id);

    await page.locator('#input').press('F1');
    await help.waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
  });

  test('mute: a muted room shows no count, but a mention of the user still does', async () => {
    const { page } = await signedIn('moe');
    await joinInPage(page, 'noisy');
    await page.locator('#mute').click();
    await page.locator('#mute[aria-pressed="true"]').waitFor();
    await joinInPage(page, 'calm'); // noisy out of view
    const ned = await suite.peer('nat');
    const room = await ned.join('noisy');
    await room.send('chatter one');
    await room.send('chatter two');
    await page.locator('.log[data-room="noisy"] .msg', { hasText: 'chatter two' }).waitFor({ state: 'attached' });
    assert.equal(await page.locator('#room-list .room[data-room="noisy"] .badge').count(), 0);
    assert.equal(await page.locator('#room-list .room[data-room="noisy"] .muted-mark').count(), 1);
    await room.send('@moe this one is for you');
    await page.locator('#room-list .room[data-room="noisy"] .badge.mention', { hasText: '3' }).waitFor();
    // The mute is stored for the account: another device's join says so.
    const { p: other } = await secondDevice('moe');
    assert.equal((await other.join('noisy')).joinReply.muted, true);
  });

  test('groups and private rooms: created from the page, members invited, others kept out', async () => {
    const { page } = await signedIn('gwen');
    const hugo = await account('hugo');
    await account('ivan');
    const { p: hugoDevice } = await secondDevice('hugo');
    const personal = await hugoDevice.joinPersonal(hugo.personal_topic);

    await page.locator('#new-conversation').click();
    let violations = await axeViolations(page);
    assert.equal(violations.length, 0, formatViolations(violations));
    await page.locator('#conversation-input').fill('hugo, ivan');
    await page.locator('#conversation-input').press('Enter');
    await page.locator('#room-title', { hasText: 'hugo, ivan' }).waitFor();
    await page.locator('#send:not([disabled])').waitFor();
    const invited = await waitFor(() => personal.pushes.find((e) => e.event === 'room_invited' && e.group === true), 'hugo invited to the group');
    assert.deepEqual([...invited.members].sort(), ['gwen', 'hugo', 'ivan']);
    await say(page, 'welcome to the group');
    const group = await hugoDevice.join(invited.name);
    assert.ok(group.joinReply.messages.some((m) => m.body === 'welcome to the group'));

    await page.locator('#join-private').check();
    await page.locator('#join-input').fill('secret-plans');
    await page.locator('#join-input').press('Enter');
    await page.locator('#room-list .room.active[data-room="secret-plans"]').waitFor();
    await page.locator('#send:not([disabled])').waitFor();
    await page.locator('#invite').click();
    await page.locator('#invite-input').fill('hugo');
    await page.locator('#invite-input').press('Enter');
    await page.locator('#invite-result', { hasText: 'hugo is invited' }).waitFor();
    violations = await axeViolations(page);
    assert.equal(violations.length, 0, formatViolations(violations));
    await page.locator('#invite-cancel').click();
    // The account's view of the chat (direct messages, a group, a private room), light and dark.
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      violations = await axeViolations(page);
      assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
    }
    await waitFor(() => personal.pushes.find((e) => e.event === 'room_invited' && e.name === 'secret-plans'), 'hugo invited to secret-plans');
    await hugoDevice.join('secret-plans');
    const outsider = await suite.peer('oscar');
    await assert.rejects(outsider.join('secret-plans'), /forbidden/);
    await page.locator('#member-list .member[data-nick="hugo"]').waitFor();
  });

  test('a mention on a secure page (the machine itself) uses the Notification API once allowed', async () => {
    const context = await suite.context({ permissions: ['notifications'] });
    // The real API, watched: what the page asks of it is recorded.
    await context.addInitScript(() => {
      const Real = window.Notification;
      window.shown = [];
      window.Notification = class extends Real {
        constructor(title, options) {
          super(title, options);
          window.shown.push({ title, body: options?.body });
        }
      };
    });
    const page = await suite.chatIn(context, 'sue');
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    assert.equal(await page.locator('#notify-note').isHidden(), true);
    await joinInPage(page, 'secure-alerts');
    await joinInPage(page, 'secure-elsewhere');
    const tom = await suite.peer('tom');
    const room = await tom.join('secure-alerts');
    await room.send('@sue the release is out');
    await waitFor(() => page.evaluate(() => window.shown.length === 1), 'a system notification');
    const [shown] = await page.evaluate(() => window.shown);
    assert.match(shown.title, /tom mentioned you in #secure-alerts/);
    assert.equal(shown.body, '@sue the release is out');
    assert.equal(await page.locator('#toasts .toast').count(), 0);
  });

  test('formatting: code, code blocks, strong and emphasis; HTML in a body is shown as text', async () => {
    const { page, errors } = await suite.chat('fern');
    await joinInPage(page, 'formatting');
    const ike = await suite.peer('ike');
    const room = await ike.join('formatting');
    await room.send('run `make test` then **really** check *carefully*, 2*3*4\n```sh\nlet x = 1 < 2;\n```\n<b>not bold</b> <img src="x" onerror="window.pwned = 1">');
    const body = log(page).locator('.msg[data-user="ike"] .body').last();
    await body.locator('code', { hasText: 'make test' }).first().waitFor();
    assert.equal(await body.locator('strong').textContent(), 'really');
    assert.equal(await body.locator('em').textContent(), 'carefully');
    assert.equal(await body.locator('pre code').textContent(), 'let x = 1 < 2;');
    const text = await body.textContent();
    assert.ok(text.includes('2*3*4'), text);
    assert.ok(text.includes('<b>not bold</b> <img src="x" onerror="window.pwned = 1">'), text);
    assert.ok(!text.includes('**') && !text.includes('```'), text);
    assert.equal(await body.locator('b, img').count(), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.deepEqual(errors, []);
  });
});
