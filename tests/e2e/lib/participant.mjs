// A non-browser chat participant: the official phoenix JS client running in Node over
// `ws`, for tests that need a scripted peer with typing and presence at hand. The C++
// desktop-client library has its own scripted participant in desktop.mjs.
import { Socket, Presence } from 'phoenix';
import WebSocket from 'ws';

// Polls `check` (sync or async) until it returns something truthy.
export async function waitFor(check, what, timeout = 15000, poll = 25) {
  const started = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, poll));
  }
}

function reply(push, what) {
  return new Promise((resolve, reject) => {
    push.receive('ok', resolve)
      .receive('error', (e) => reject(new Error(`${what}: ${JSON.stringify(e)}`)))
      .receive('timeout', () => reject(new Error(`${what}: timeout`)));
  });
}

// `token`: a session token (an account's, docs/identity.md), sent as phoenix.js authToken.
export async function participant(server, nick, { token = '' } = {}) {
  const socket = new Socket(`ws://127.0.0.1:${server.port}/socket`, {
    transport: WebSocket,
    params: { user: nick, client: 'desktop' },
    ...(token ? { authToken: token } : {}),
    reconnectAfterMs: () => 200,
  });
  socket.connect();
  const rooms = new Map();
  return {
    nick,
    socket,
    // A room by name, or any conversation by `topic` (a DM's, as open_dm names it).
    async join(name, { topic = `chatter:room:${name}` } = {}) {
      const channel = socket.channel(topic, {});
      const room = { channel, messages: [], typing: [], events: [], presence: new Presence(channel) };
      channel.on('new_msg', (m) => room.messages.push(m));
      // Edits, deletions and reactions (docs/conversations.md), in arrival order.
      for (const event of ['msg_edited', 'msg_deleted', 'reactions']) channel.on(event, (payload) => room.events.push({ event, ...payload }));
      room.push = (event, payload) => reply(channel.push(event, payload), `${event} in ${name}`);
      room.waitForEvent = (event, pred = () => true) =>
        waitFor(() => room.events.find((e) => e.event === event && pred(e)), `${nick} to receive ${event} in ${name}`);
      channel.on('typing', (t) => room.typing.push(t));
      room.joinReply = await reply(channel.join(), `join ${name}`);
      room.send = (body) => reply(channel.push('new_msg', { body }), `new_msg in ${name}`);
      room.setTyping = (typing) => channel.push('typing', { typing });
      room.waitForMessage = (pred, what = 'a message') =>
        waitFor(() => room.messages.find(pred), `${nick} to receive ${what} in ${name}`);
      room.leave = () => reply(channel.leave(), `leave ${name}`);
      rooms.set(name, room);
      return room;
    },
    // The personal topic (an account's); resolves with the channel and its join reply.
    async joinPersonal(topic) {
      const channel = socket.channel(topic, {});
      const pushes = [];
      for (const event of ['dm', 'mention', 'read', 'unread', 'muted', 'room_invited', 'room_removed']) channel.on(event, (payload) => pushes.push({ event, ...payload }));
      const joinReply = await reply(channel.join(), `join ${topic}`);
      return { channel, joinReply, pushes, push: (event, payload) => reply(channel.push(event, payload), `${event} on ${topic}`) };
    },
    close() {
      return new Promise((resolve) => socket.disconnect(resolve));
    },
  };
}
