// Accounts in the browser (docs/identity.md): the entry screen's three ways in (sign in,
// register, guest) and their refusals, the session token kept instead of the password, a
// reload on the stored token, signing out (the server revokes the session), a session ended
// elsewhere, the password dialog, and role marks in the member list.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, fillEntry, say, messageBody } from './lib/browser.mjs';
import { useSuite } from './lib/suite.mjs';
import { startServer } from './lib/server.mjs';
import { apiCall, registerAccount, signInAccount, connectWithToken, storedText, storedSession } from './lib/accounts.mjs';

// The cheapest Argon2id cost: these tests are about the page, not the hash.
const suite = useSuite({ serverArgs: ['--password-cost', 'minimum'] });
const PASSWORD = 'correct horse 42';

async function entryPage() {
  const context = await suite.context();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  await page.goto(suite.server.base + '/');
  await page.locator('#login-form').waitFor();
  return page;
}

const connected = (page) => page.locator('#conn[data-state="connected"]').waitFor();

describe('entering', () => {
  test('registration: an account is made, the page connects as it, only the session token is kept', async () => {
    const page = await entryPage();
    // The repeated password must match before anything is sent.
    await page.locator('#mode-register').check();
    await page.locator('#nick-input').fill('rita');
    await page.locator('#password-input').fill(PASSWORD);
    await page.locator('#confirm-input').fill('something else');
    await page.locator('#login-submit').click();
    await page.locator('#login-error', { hasText: 'not the same' }).waitFor();
    assert.equal((await apiCall(suite.server, 'POST', '/api/sessions', { body: { user: 'rita', password: PASSWORD } })).status, 401);

    await fillEntry(page, 'register', 'rita', PASSWORD);
    await connected(page);
    assert.equal(await page.locator('#me-nick').textContent(), 'rita');
    assert.equal(await page.locator('#me-role').textContent(), 'registered');
    const session = await storedSession(page);
    assert.equal(session.user, 'rita');
    assert.equal(session.kind, 'account');
    assert.match(session.token, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!(await storedText(page)).includes(PASSWORD), 'the password is in localStorage');
    // The account exists on the server: the password signs in.
    assert.equal((await signInAccount(suite.server, 'rita', PASSWORD)).user, 'rita');
    // And the stored token is the page's session.
    const who = await apiCall(suite.server, 'GET', '/api/sessions', { token: session.token });
    assert.deepEqual([who.status, who.json.user, who.json.kind], [200, 'rita', 'account']);
  });

  test('sign-in with a password; the chat works as that account', async () => {
    await registerAccount(suite.server, 'sam', PASSWORD);
    const page = await entryPage();
    await fillEntry(page, 'signin', 'sam', PASSWORD);
    await connected(page);
    assert.equal(await page.locator('#me-nick').textContent(), 'sam');
    // Accounts change their password, not their nickname.
    assert.equal(await page.locator('#change-nick').isHidden(), true);
    assert.equal(await page.locator('#change-password').isVisible(), true);
    const peer = await suite.peer('sam-pal');
    const room = await peer.join('lobby');
    await say(page, 'signed in for real');
    assert.equal((await room.waitForMessage((m) => m.body === 'signed in for real')).user, 'sam');
    assert.ok(!(await storedText(page)).includes(PASSWORD));
  });

  test('a wrong password is said as such', async () => {
    await registerAccount(suite.server, 'tom', PASSWORD);
    const page = await entryPage();
    await fillEntry(page, 'signin', 'tom', 'not the password');
    await page.locator('#login-error', { hasText: 'Wrong nickname or password.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'password-input');
    assert.equal(await page.locator('#app').isHidden(), true);
    assert.equal(await page.evaluate(() => localStorage.getItem('chatter.session')), null);
  });

  test('guest entry: a guest session holds the nickname, marked as a guest', async () => {
    const page = await entryPage();
    await fillEntry(page, 'guest', 'gus');
    await connected(page);
    assert.equal(await page.locator('#me-role').textContent(), 'guest');
    const session = await storedSession(page);
    assert.deepEqual([session.user, session.kind, session.role], ['gus', 'guest', 'guest']);
    assert.ok(session.token.length > 0);
    // Held: nobody else gets it meanwhile, as a guest or an account.
    assert.equal((await apiCall(suite.server, 'POST', '/api/guests', { body: { user: 'gus' } })).status, 409);
    assert.equal((await apiCall(suite.server, 'POST', '/api/accounts', { body: { user: 'gus', password: PASSWORD } })).status, 409);
  });

  test('a taken nickname is said as such, for registration and for guests', async () => {
    await registerAccount(suite.server, 'una', PASSWORD);
    const page = await entryPage();
    await fillEntry(page, 'register', 'una', PASSWORD);
    await page.locator('#login-error', { hasText: '“una” is taken' }).waitFor();
    // Another case of it is the same person.
    await fillEntry(page, 'guest', 'UNA');
    await page.locator('#login-error', { hasText: '“UNA” is taken' }).waitFor();
    assert.match(await page.locator('#login-error').textContent(), /sign in if it is yours/);
    assert.equal(await page.locator('#app').isHidden(), true);
  });
});

describe('sessions', () => {
  test('a reload connects with the stored token, without the entry screen', async () => {
    const page = await entryPage();
    await fillEntry(page, 'register', 'vic', PASSWORD);
    await connected(page);
    const before = await storedSession(page);
    const requests = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) requests.push(r.url()); });
    await page.reload();
    await connected(page);
    assert.equal(await page.locator('#login').isHidden(), true);
    assert.equal(await page.locator('#me-nick').textContent(), 'vic');
    assert.deepEqual(requests, [], 'the reload asked the API again');
    assert.deepEqual(await storedSession(page), before);
  });

  test('sign out: the server revokes the session, the page forgets it and shows the entry screen', async () => {
    const page = await entryPage();
    await fillEntry(page, 'register', 'wil', PASSWORD);
    await connected(page);
    const { token } = await storedSession(page);
    assert.equal(await connectWithToken(suite.server, token), 101);
    await page.locator('#sign-out').click();
    await page.locator('#login-note', { hasText: 'You have signed out.' }).waitFor();
    assert.equal(await page.locator('#app').isHidden(), true);
    assert.equal(await storedSession(page), null);
    assert.ok(!(await storedText(page)).includes(token), 'the token is still in localStorage');
    // Revoked on the server: the old token opens nothing.
    assert.equal((await apiCall(suite.server, 'GET', '/api/sessions', { token })).status, 401);
    assert.equal(await connectWithToken(suite.server, token), 403);
    // The nickname is remembered for the next sign-in, the password is not.
    assert.equal(await page.locator('#nick-input').inputValue(), 'wil');
    assert.equal(await page.locator('#password-input').inputValue(), '');
  });

  test('a session ended elsewhere sends the page back to the entry screen, saying so', async () => {
    const page = await entryPage();
    await fillEntry(page, 'register', 'xia', PASSWORD);
    await connected(page);
    const { token } = await storedSession(page);
    assert.equal((await apiCall(suite.server, 'DELETE', '/api/sessions', { token })).status, 200);
    await page.locator('#login-note', { hasText: 'Your session has ended' }).waitFor();
    assert.equal(await storedSession(page), null);
    // And a reload stays on the entry screen.
    await page.reload();
    await page.locator('#login-form').waitFor();
    assert.equal(await page.locator('#app').isHidden(), true);
    // A page loaded with a token that no longer works (revoked while the browser was closed)
    // tries it, is refused, drops it and says so.
    await page.evaluate((t) => localStorage.setItem('chatter.session', JSON.stringify({ token: t, user: 'xia', role: 'member', kind: 'account' })), token);
    await page.reload();
    await page.locator('#login-note', { hasText: 'Your session has ended' }).waitFor();
    assert.equal(await storedSession(page), null);
    assert.equal(await page.locator('#nick-input').inputValue(), 'xia');
  });

  test('changing the password: the dialog checks, the server changes it, other sessions end', async () => {
    await registerAccount(suite.server, 'yan', PASSWORD);
    const other = await suite.chat('yan', { password: PASSWORD });
    const page = await entryPage();
    await fillEntry(page, 'signin', 'yan', PASSWORD);
    await connected(page);
    const dialog = page.getByRole('dialog', { name: 'Change password' });
    await page.locator('#change-password').click();
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'old-password');
    await page.locator('#old-password').fill('not it at all');
    await page.locator('#new-password').fill('a new secret 7');
    await page.locator('#new-password-confirm').fill('a new secret 7');
    await page.locator('#new-password-confirm').press('Enter');
    await page.locator('#password-error', { hasText: 'current password is wrong' }).waitFor();
    await page.locator('#old-password').fill(PASSWORD);
    await page.locator('#new-password').fill('short');
    await page.locator('#new-password-confirm').fill('short');
    await page.locator('#new-password-confirm').press('Enter');
    await page.locator('#password-error', { hasText: 'at least 8' }).waitFor();
    await page.locator('#new-password').fill('a new secret 7');
    await page.locator('#new-password-confirm').fill('a new secret 7');
    await page.locator('#new-password-confirm').press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('#banner', { hasText: 'Password changed' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'change-password');
    const kept = await storedText(page);
    assert.ok(!kept.includes(PASSWORD) && !kept.includes('a new secret 7'), 'a password is in localStorage');
    // This page stays in; the other browser's session has ended.
    await other.page.locator('#login-note', { hasText: 'Your session has ended' }).waitFor();
    assert.equal((await apiCall(suite.server, 'POST', '/api/sessions', { body: { user: 'yan', password: PASSWORD } })).status, 401);
    assert.equal((await signInAccount(suite.server, 'yan', 'a new secret 7')).user, 'yan');
    await say(page, 'still here');
    await messageBody(page, 'yan', 'still here').waitFor();
  });
});

describe('member list', () => {
  test('registered users and guests are marked in words', async () => {
    await registerAccount(suite.server, 'zed', PASSWORD);
    const { page } = await suite.chat('zed', { password: PASSWORD });
    await suite.chat('zoe-guest');
    const member = (nick) => page.locator(`#member-list .member[data-nick="${nick}"]`);
    await member('zoe-guest').waitFor();
    assert.equal(await member('zed').locator('.role').textContent(), 'registered');
    assert.equal(await member('zoe-guest').locator('.role').textContent(), 'guest');
    assert.equal(await member('zed').getAttribute('data-role'), 'member');
    // Not an admin: no admin tools anywhere.
    assert.equal(await page.locator('#admin-open').isHidden(), true);
    assert.equal(await page.locator('#member-list .manage').count(), 0);
  });
});

describe('a closed server', () => {
  test('registration closed and guests not allowed are said as such', async () => {
    const closed = await startServer({ args: ['--password-cost', 'minimum', '--registration', 'closed', '--accounts', 'required'] });
    const context = await suite.context();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT);
      await page.goto(closed.base + '/');
      await fillEntry(page, 'register', 'opal', PASSWORD);
      await page.locator('#login-error', { hasText: 'Registration is closed on this server' }).waitFor();
      await fillEntry(page, 'guest', 'opal');
      await page.locator('#login-error', { hasText: 'This server does not let guests in' }).waitFor();
      assert.equal(await page.locator('#app').isHidden(), true);
      assert.equal(await storedSession(page), null);
    } finally {
      await context.close();
      await closed.stop();
    }
  });
});

// Last: it spends this address's budget of failed logins, and right passwords wait too.
describe('throttling', () => {
  test('too many wrong passwords: the page shows how long to wait', async () => {
    const page = await entryPage();
    await fillEntry(page, 'signin', 'tom', 'not the password');
    await page.locator('#login-error:not(:empty)').waitFor();
    // Five failures per address, then 429 with Retry-After.
    for (let i = 0; i < 6 && !(await page.locator('#login-error', { hasText: 'try again in' }).count()); i += 1) {
      await page.locator('#login-error').evaluate((e) => { e.textContent = ''; });
      await page.locator('#login-submit').click();
      await page.locator('#login-error:not(:empty)').waitFor();
    }
    assert.match(await page.locator('#login-error').textContent(), /^Too many attempts: try again in \d+ s\.$/);
  });
});
