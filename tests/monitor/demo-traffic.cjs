// SPDX-License-Identifier: MIT
// Not a test: a small, lifelike chat session against a running chatter-server, for screenshots
// and manual checks of the monitor window. Official phoenix.js clients over `ws`.
//   node tests/monitor/demo-traffic.cjs PORT [SECONDS]
const path = require('path');
const modules = path.join(__dirname, '..', 'js', 'node_modules');
const WebSocket = require(path.join(modules, 'ws'));
const { Socket } = require(path.join(modules, 'phoenix'));

const port = Number(process.argv[2]);
const seconds = Number(process.argv[3] || 30);
if (!port) {
  console.error('usage: demo-traffic.cjs PORT [SECONDS]');
  process.exit(2);
}

const people = [
  ['alice', 'desktop', ['lobby', 'dev']], ['bob', 'web', ['lobby']], ['carol', 'desktop', ['dev', 'ops']],
  ['dave', 'web', ['lobby', 'random']], ['erin', 'desktop', ['lobby', 'dev', 'random']], ['frank', 'web', ['ops']],
  ['grace', 'desktop', ['lobby']], ['heidi', 'web', ['random']], ['ivan', 'desktop', ['dev']],
  ['judy', 'web', ['lobby', 'ops']], ['mallory', 'web', ['lobby']], ['oscar', 'desktop', ['random', 'dev']],
];
const lines = ['morning all', 'build is green again', 'who broke the staging db?', 'lunch at 12:30?',
  'PR #482 is ready for review', 'deploying 0.1.3 now', 'coffee machine fixed', 'see you at standup',
  'rolling back, one sec', 'nice work on the monitor', 'anyone seen the projector remote?', 'ack'];

const channels = [];
const sockets = [];
let ticks = 0;

for (const [user, client, rooms] of people) {
  const socket = new Socket(`ws://127.0.0.1:${port}/socket`, { transport: WebSocket, params: { user, client } });
  socket.connect();
  sockets.push(socket);
  for (const room of rooms) {
    const channel = socket.channel(`chatter:room:${room}`, {});
    channel.join();
    channels.push(channel);
  }
}
// One refused join, so the log shows what a bad request looks like.
setTimeout(() => sockets[10].channel('chatter:room:no spaces allowed', {}).join(), 1500);

const timer = setInterval(() => {
  ticks += 1;
  // Bursty, like people: a few messages some ticks, none on others.
  const burst = ticks % 7 === 0 ? 6 : ticks % 3 === 0 ? 2 : 0;
  for (let i = 0; i < burst; i += 1) {
    const channel = channels[(ticks * 7 + i * 5) % channels.length];
    channel.push('new_msg', { body: lines[(ticks + i) % lines.length] });
  }
  if (ticks === 40) channels[3].leave();
}, 250);

setTimeout(() => {
  clearInterval(timer);
  for (const s of sockets) s.disconnect();
  setTimeout(() => process.exit(0), 300);
}, seconds * 1000);
