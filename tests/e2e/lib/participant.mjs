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

export async function participant(server, nick) {
  const socket = new Socket(`ws://127.0.0.1:${server.port}/socket`, {
    transport: WebSocket,
    params: { user: nick, client: 'desktop' },
    reconnectAfterMs: () => 200,
  });
  socket.connect();
  const rooms = new Map();
  return {
    nick,
    socket,
    async join(name) {
      const channel = socket.channel(`chatter:room:${name}`, {});
      const room = { channel, messages: [], typing: [], presence: new Presence(channel) };
      channel.on('new_msg', (m) => room.messages.push(m));
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
    close() {
      return new Promise((resolve) => socket.disconnect(resolve));
    },
  };
}
