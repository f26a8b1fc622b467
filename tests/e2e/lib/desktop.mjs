// A desktop-client-library user: `chatter-desktop-peer` (tests/client/desktoppeer.cpp), the
// C++ ChatSession driven over stdin/stdout, one JSON event per line.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './participant.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const DESKTOP_PEER_BIN =
  process.env.CHATTER_DESKTOP_PEER_BIN || resolve(here, '..', '..', '..', 'build', 'tests', 'client', 'chatter-desktop-peer');

// With `session` (an account's session answer: {token, personal_topic}) the peer signs in as
// that account; the library then joins a DM when its first message arrives.
export async function desktopUser(server, nick, { session = null } = {}) {
  if (!existsSync(DESKTOP_PEER_BIN)) {
    throw new Error(`desktop peer not found at ${DESKTOP_PEER_BIN} (set CHATTER_DESKTOP_PEER_BIN)`);
  }
  const args = [`127.0.0.1:${server.port}`, nick, ...(session ? [session.token, session.personal_topic] : [])];
  const proc = spawn(DESKTOP_PEER_BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const events = [];
  let pending = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk) => {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim()) events.push(JSON.parse(line));
    }
  });
  const exited = new Promise((res) => proc.on('exit', res));
  const find = (match) => events.find(match);
  await waitFor(() => find((e) => e.event === 'connected'), `${nick} (desktop) connected`);
  return {
    nick,
    events,
    async join(room) {
      proc.stdin.write(`join ${room}\n`);
      await waitFor(() => find((e) => e.event === 'joined' && e.room === room), `${nick} (desktop) joined ${room}`);
    },
    say(room, text) {
      proc.stdin.write(`say ${room} ${text}\n`);
    },
    waitForMessage(room, match) {
      return waitFor(() => find((e) => e.event === 'message' && e.room === room && match(e)), `a message in ${room} for ${nick}`);
    },
    // A DM message, as the library reports it (its room is the DM's key, dm:<a>:<b>), with the
    // DM's topic: {topic, room, id, user, body}.
    async waitForDm(match) {
      const dm = (e) => e.event === 'message' && e.room.startsWith('dm:') && match({ ...e, topic: `chatter:${e.room}` });
      const e = await waitFor(() => find(dm), `a DM for ${nick}`);
      return { ...e, topic: `chatter:${e.room}` };
    },
    dmSay(topic, text) {
      proc.stdin.write(`say ${topic.replace(/^chatter:/, '')} ${text}\n`);
    },
    waitForMembers(room, match) {
      return waitFor(() => [...events].reverse().find((e) => e.event === 'members' && e.room === room && match(e.nicks)),
        `members of ${room} as ${nick} sees them`);
    },
    async close() {
      if (proc.exitCode === null) {
        proc.stdin.end('quit\n');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
