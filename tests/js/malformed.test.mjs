// Checklist items 37 (malformed input) and invalid UTF-8.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/fixture.mjs';

const ctx = useServer();
const LOG_RE = /malformed|protocol error/i;

async function expectKilled(send, { code = 1011, log = true, join = true } = {}) {
  const c = await ctx.open();
  if (join) await c.joinOk('chatter:room:lobby');
  const mark = ctx.server.logMark();
  send(c);
  const info = await c.expectClose();
  assert.equal(info.code, code, `close code ${info.code} (${info.reason})`);
  if (log) await ctx.server.waitForLog(LOG_RE, { since: mark });
  return c;
}

describe('malformed text frames (item 37)', () => {
  const cases = [
    ['not JSON', 'this is not json'],
    ['3-element array', '[null,"1","phoenix"]'],
    ['4-element array', '[null,"1","phoenix","heartbeat"]'],
    ['empty array', '[]'],
    ['V1 object on a V2 socket', '{"topic":"chatter:room:lobby","event":"phx_join","payload":{},"ref":"1"}'],
    ['JSON string', '"heartbeat"'],
    ['JSON number', '42'],
    ['JSON null', 'null'],
    ['empty frame', ''],
    ['truncated array', '[null,"1","phoenix","heartbeat",{}'],
    ['trailing garbage', '[null,"1","phoenix","heartbeat",{}] x'],
    ['numeric topic', '[null,"1",5,"heartbeat",{}]'],
    ['null topic', '[null,"1",null,"heartbeat",{}]'],
    ['numeric event', '[null,"1","phoenix",7,{}]'],
    ['object join_ref', '[{},"1","phoenix","heartbeat",{}]'],
    ['array ref', '[null,["1"],"phoenix","heartbeat",{}]'],
    ['boolean ref', '[null,true,"chatter:room:lobby","phx_join",{}]'],
    ['invalid string escape', '[null,"1\\q","phoenix","heartbeat",{}]'],
    ['unescaped control character in a string', '[null,"1\u0001","phoenix","heartbeat",{}]'],
    ['single-quoted string', "[null,'1','phoenix','heartbeat',{}]"],
  ];
  for (const [name, text] of cases) {
    test(`${name} → close 1011 and a log line`, async () => {
      await expectKilled((c) => c.sendText(text));
    });
  }

  test('deeply nested arrays → close 1011', async () => {
    await expectKilled((c) => c.sendText('['.repeat(10000) + ']'.repeat(10000)));
  });

  test('malformed frame before any join is also fatal', async () => {
    await expectKilled((c) => c.sendText('{oops'), { join: false });
  });

  test('frames queued after the bad one are not answered', async () => {
    const c = await expectKilled((cl) => {
      cl.sendText('nope');
      cl.sendText('[null,"after","phoenix","heartbeat",{}]');
    });
    assert.ok(!c.all.some((f) => f.m?.ref === 'after'));
  });

  test('other connections survive a malformed frame', async () => {
    const good = await ctx.open();
    await expectKilled((c) => c.sendText('garbage'));
    assert.equal((await good.heartbeat()).m.payload.status, 'ok');
  });
});

describe('invalid UTF-8 text', () => {
  for (const [name, bytes] of [
    ['lone continuation byte', [0x5b, 0x80, 0x5d]],
    ['overlong encoding', [0x22, 0xc0, 0xaf, 0x22]],
    ['truncated sequence inside a string', Buffer.concat([Buffer.from('[null,"1","phoenix","heartbeat",{"a":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}]')])],
    ['UTF-16 surrogate encoded in UTF-8', [0x22, 0xed, 0xa0, 0x80, 0x22]],
  ]) {
    test(`${name} → close 1007`, async () => {
      await expectKilled((c) => c.sendTextBytes(Buffer.from(bytes)), { code: 1007, log: false });
    });
  }
});

describe('malformed binary frames', () => {
  const cases = [
    ['truncated header (2 bytes)', [0x00, 0x01]],
    ['header only, lengths missing', [0x00]],
    ['lengths beyond the frame', [0x00, 5, 5, 5, 5, 0x61]],
    ['kind 1 (reply) from a client', [0x01, 1, 1, 5, 2, ...Buffer.from('11lobbyok')]],
    ['kind 2 (broadcast) from a client', [0x02, 5, 2, ...Buffer.from('lobbyok')]],
    ['unknown kind 7', [0x07, 0, 0, 0, 0]],
    ['empty binary frame', []],
  ];
  for (const [name, bytes] of cases) {
    test(`${name} → close 1011 and a log line`, async () => {
      await expectKilled((c) => c.sendBinary(Buffer.from(bytes)));
    });
  }
});
