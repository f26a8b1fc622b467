// SPDX-License-Identifier: MIT
// The protocol side: one phoenix Socket, the room directory and the joined rooms.
// It knows nothing about the DOM; the app listens with on(event, fn).
import { Socket, Presence, LongPoll } from "/assets/vendor/phoenix.mjs";

const TYPING_RESEND_MS = 3000; // re-announce while still typing, so others' timers don't expire
const TYPING_IDLE_MS = 4000;   // stop announcing after this long without a keystroke
const TYPING_EXPIRE_MS = 6000; // forget a remote "typing" if its "false" never arrives
const HISTORY_PAGE = 50;
const CATCH_UP_PAGE = 100;   // the server's largest history page
// Transport policy. Phoenix's own longPollFallbackMs restarts its clock on every reconnect
// attempt (7.5 s of "connecting…" where upgrades are refused) and, once on long-poll, stays
// there for good; so the client decides itself.
const FALLBACK_MS = 2000;       // no working WebSocket this long after trouble began: long-poll
const PROBE_MS = [2000, 4000, 8000, 15000, 30000]; // on long-poll, try WebSocket again after…
const PROBE_TIMEOUT_MS = 5000;
const REFUSAL_CHECK_MS = 5000; // while the first connection fails, ask why at most this often
const FALLBACK_KEY = "phx:fallback:LongPoll"; // phoenix's sessionStorage key: start on long-poll

const session = {
  get(key) { try { return sessionStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { sessionStorage.setItem(key, value); } catch { /* not remembered */ } },
  remove(key) { try { sessionStorage.removeItem(key); } catch { /* nothing to forget */ } },
};

export class Room {
  constructor(name) {
    this.name = name;
    this.topic = `chatter:room:${name}`;
    this.channel = null;
    this.presence = null;
    this.messages = new Map(); // id → message; the dedupe key across joins, rejoins and history
    this.lastId = 0;           // newest id seen: sent as last_seen_id when rejoining
    this.oldestId = null;
    this.more = false;         // older history exists on the server
    this.loadingOlder = false;
    this.state = "joining";    // joining | joined | error
    this.joinedOnce = false;
    this.unread = 0;
    this.mentioned = false;
    this.typing = new Map();   // nick → expiry timer
    this.typingSent = 0;       // when we last said typing:true (0 = not typing)
    this.typingIdle = null;
  }

  members() {
    if (!this.presence) return [];
    return this.presence
      .list((nick, { metas }) => {
        const last = metas[metas.length - 1] || {};
        // An admin's or member's role is the account's: every meta carries the same one.
        return { nick, client: last.client || "", status: last.status || "online", role: last.role || "", sessions: metas.length };
      })
      .sort((a, b) => a.nick.localeCompare(b.nick, undefined, { sensitivity: "base" }));
  }

  typingUsers() {
    return [...this.typing.keys()].sort();
  }
}

export class ChatClient {
  // sessionToken: from the accounts API (docs/identity.md), sent as phoenix.js authToken;
  // accessToken: the server's --access-token, if it has one, sent as the access_token param.
  constructor({ nick, forceLongPoll = false, sessionToken = "", accessToken = "" }) {
    this.nick = nick;
    this.sessionToken = sessionToken;
    this.accessToken = accessToken;
    this.refused = false;       // the server refused this nickname, session or token: not retrying
    this.refusalCheck = null;
    this.rooms = new Map();     // joined rooms, in join order
    this.directory = new Map(); // name → {name, members, messages, last_message_id, last_activity_at}
    this.listeners = new Map();
    this.state = "connecting";
    this.everConnected = false;
    this.forceLongPoll = forceLongPoll;
    this.fallingBack = false;   // WebSocket failed; long-poll not connected yet
    this.webSocketOk = false;   // the current WebSocket answered a heartbeat
    this.fallbackTimer = null;
    this.probeTimer = null;
    this.probeAttempt = 0;
    this.sending = 0;           // pushes awaiting their reply: a transport switch would lose them
    // A tab that fell back before starts on long-poll (no wait), and probes WebSocket from there.
    const startOnLongPoll = forceLongPoll || session.get(FALLBACK_KEY) === "true";
    this.socket = new Socket("/socket", {
      params: this.connectParams(),
      // phoenix.js sends it as a WebSocket subprotocol or a long-poll header, not in the URL.
      ...(sessionToken ? { authToken: sessionToken } : {}),
      ...(startOnLongPoll ? { transport: LongPoll } : {}),
    });
    this.longPoll = null;       // the open long-poll transport, to end its session when leaving
    // Phoenix disconnects on pagehide, but a long-poll server cannot see that: it would keep
    // this tab in every member list until its session window ran out (15 s). So say so.
    window.addEventListener("pagehide", () => this.endLongPoll(this.longPoll, true));
    this.socket.onOpen(() => {
      this.longPoll = this.transport === "longpoll" ? this.socket.conn : null;
      if (this.transport === "websocket") {
        // An open WebSocket can still be a proxy that passes nothing: only an answer counts.
        this.socket.ping(() => this.webSocketWorks());
      } else {
        this.fallingBack = false;
        if (this.state !== "connected") {
          // (Re)connected after trouble: the network may have changed, so probe soon again.
          clearTimeout(this.probeTimer);
          this.probeTimer = null;
          this.probeAttempt = 0;
        }
        this.scheduleProbe();
      }
      this.setState("connected");
    });
    const down = () => {
      if (this.refused) return;
      this.webSocketOk = false;
      this.armFallback();
      this.setState(this.everConnected ? "reconnecting" : "connecting");
      // A session can end while connected (signed out elsewhere, password changed, banned):
      // then every reconnect is refused, so ask why as on the first connection.
      if (!this.everConnected || this.sessionToken) this.checkRefusal();
    };
    this.socket.onError(down);
    this.socket.onClose((event) => {
      // The server closed a working connection on purpose (an admin's kick or ban: 1001, a
      // revoked session: 1008): the page says so. A network failure is 1006 and says nothing.
      if (this.state === "connected" && [1001, 1008].includes(event?.code)) this.emit("closed", event.code, event.reason || "");
      down();
    });
  }

  // Ends this client for good (signing out, a new session): no reconnect, no refusal check.
  stop() {
    this.refused = true;
    clearTimeout(this.fallbackTimer);
    this.fallbackTimer = null;
    clearTimeout(this.probeTimer);
    this.probeTimer = null;
    this.socket.disconnect();
  }

  connectParams() {
    return { user: this.nick, client: "web", ...(this.accessToken ? { access_token: this.accessToken } : {}) };
  }

  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push(fn);
  }

  emit(event, ...args) {
    for (const fn of this.listeners.get(event) || []) fn(...args);
  }

  get transport() {
    return this.socket.transport === LongPoll ? "longpoll" : "websocket";
  }

  // What the status line says besides the state: forced long-poll, falling back, or long-poll
  // while WebSocket is retried in the background.
  get transportNote() {
    if (this.forceLongPoll) return "";
    if (this.fallingBack) return "fallback";
    return this.transport === "longpoll" ? "probing" : "";
  }

  setState(state, force = false) {
    if (state === "connected") this.everConnected = true;
    if (state === this.state && state !== "connected" && !force) return;
    this.state = state;
    this.emit("connection", state, this.transport, this.transportNote);
  }

  connect() {
    this.socket.connect();
    this.armFallback();
    this.joinDirectory();
  }

  // A refused WebSocket upgrade looks like any network error to a page; the long-poll endpoint
  // answers the same checks with the reason in its body. Asked at most every 5 s while the
  // first connection has not succeeded; a session it opens is ended at once.
  checkRefusal() {
    if (this.refusalCheck) return;
    this.refusalCheck = setTimeout(() => { this.refusalCheck = null; }, REFUSAL_CHECK_MS);
    const url = `/socket/longpoll?${new URLSearchParams({ vsn: "2.0.0", ...this.connectParams() })}`;
    fetch(url, { headers: this.sessionToken ? { "X-Phoenix-AuthToken": this.sessionToken } : {} })
      .then((r) => r.json())
      .then((answer) => {
        if (this.refused) return; // stopped meanwhile
        if (answer?.status === 403 || answer?.status === 401) {
          // Nothing more may go out: no fallback to long-poll, no probe, no reconnect.
          this.stop();
          this.setState("refused");
          this.emit("refused", typeof answer.reason === "string" ? answer.reason : "refused");
        } else if (typeof answer?.token === "string") {
          fetch("/socket/longpoll", { method: "DELETE", headers: { "X-Phoenix-Longpoll-Token": answer.token } })
            .catch(() => { /* it times out by itself */ });
        }
      })
      .catch(() => { /* no answer at all: the server is down, keep trying */ });
  }

  armFallback() {
    if (this.refused || this.forceLongPoll || this.fallbackTimer || this.transport !== "websocket") return;
    this.fallbackTimer = setTimeout(() => this.fallBack(), FALLBACK_MS);
  }

  webSocketWorks() {
    clearTimeout(this.fallbackTimer);
    this.fallbackTimer = null;
    this.webSocketOk = true;
    this.probeAttempt = 0;
    session.remove(FALLBACK_KEY);
  }

  fallBack() {
    this.fallbackTimer = null;
    if (this.refused || this.webSocketOk || this.transport !== "websocket") return;
    session.set(FALLBACK_KEY, "true");
    this.fallingBack = true;
    this.socket.replaceTransport(LongPoll);
    this.socket.connect();
    this.setState(this.everConnected ? "reconnecting" : "connecting", true);
  }

  scheduleProbe() {
    if (this.forceLongPoll || this.probeTimer || this.transport !== "longpoll") return;
    const delay = PROBE_MS[Math.min(this.probeAttempt, PROBE_MS.length - 1)];
    this.probeTimer = setTimeout(() => { this.probeTimer = null; this.probeWebSocket(); }, delay);
  }

  // A throwaway WebSocket with the same connect params: usable once it answers a heartbeat.
  probeWebSocket() {
    if (this.transport !== "longpoll") return;
    let ws;
    // The same credentials as phoenix.js would offer: the token as a bearer subprotocol.
    const protocols = this.sessionToken
      ? ["phoenix", `base64url.bearer.phx.${btoa(this.sessionToken).replace(/=/g, "")}`]
      : undefined;
    try { ws = new WebSocket(this.socket.endPointURL(), protocols); } catch { this.probeFailed(); return; }
    let done = false;
    const finish = (works) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try { ws.close(1000); } catch { /* already closed */ }
      if (works) this.switchToWebSocket();
      else this.probeFailed();
    };
    const timer = setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    ws.onopen = () => ws.send(JSON.stringify([null, "probe", "phoenix", "heartbeat", {}]));
    ws.onmessage = (e) => {
      let reply = null;
      try { reply = JSON.parse(e.data); } catch { /* not ours */ }
      finish(Array.isArray(reply) && reply[1] === "probe" && reply[3] === "phx_reply");
    };
    ws.onerror = () => finish(false);
    ws.onclose = () => finish(false);
  }

  probeFailed() {
    this.probeAttempt += 1;
    this.scheduleProbe();
  }

  // Channels rejoin on the new transport with last_seen_id, so nothing sent meanwhile is lost.
  switchToWebSocket() {
    if (this.transport !== "longpoll") return;
    if (this.sending > 0 || !this.socket.isConnected()) {
      // A push in flight would lose its reply; try again once it has one.
      this.probeTimer = setTimeout(() => { this.probeTimer = null; this.switchToWebSocket(); }, 500);
      return;
    }
    session.remove(FALLBACK_KEY);
    this.probeAttempt = 0;
    const old = this.socket.conn;
    this.socket.replaceTransport(WebSocket);
    this.endLongPoll(old, false); // or the server shows this tab twice for a while
    this.longPoll = null;
    this.socket.connect();
    this.armFallback();
  }

  // DELETE /socket/longpoll ends the session at once (docs/protocol.md). keepalive lets the
  // request outlive a closing page.
  endLongPoll(conn, keepalive) {
    if (!conn || typeof conn.token !== "string" || typeof conn.endpointURL !== "function") return;
    try {
      fetch(conn.endpointURL(), { method: "DELETE", keepalive, headers: { "X-Phoenix-Longpoll-Token": conn.token } })
        .catch(() => { /* the session ends by itself later */ });
    } catch { /* the same */ }
  }

  // A probe right away, e.g. when the browser says it is back online.
  probeNow() {
    if (this.transport !== "longpoll" || this.forceLongPoll) return;
    clearTimeout(this.probeTimer);
    this.probeTimer = null;
    this.probeAttempt = 0;
    this.probeWebSocket();
  }

  joinDirectory() {
    const ch = this.socket.channel("chatter:rooms", {});
    ch.on("room_update", (room) => {
      this.directory.set(room.name, room);
      this.emit("directory");
    });
    // Runs again after every rejoin: the reply is the full list, so replace it.
    ch.join().receive("ok", ({ rooms = [] }) => {
      this.directory = new Map(rooms.map((r) => [r.name, r]));
      this.emit("directory");
    });
  }

  join(name) {
    if (this.rooms.has(name)) return this.rooms.get(name);
    const room = new Room(name);
    this.rooms.set(name, room);
    // A function, so every rejoin after a reconnect asks only for what we missed.
    const ch = this.socket.channel(room.topic, () => (room.lastId > 0 ? { last_seen_id: room.lastId } : {}));
    room.channel = ch;
    room.presence = new Presence(ch);
    room.presence.onSync(() => {
      // Someone who left can't still be typing.
      const online = new Set(room.members().map((m) => m.nick));
      for (const nick of room.typing.keys()) if (!online.has(nick)) this.clearTyping(room, nick);
      this.emit("presence", room);
    });
    ch.on("new_msg", (msg) => {
      this.clearTyping(room, msg.user);
      this.addMessages(room, [msg], "live");
    });
    ch.on("typing", ({ user, typing }) => this.remoteTyping(room, user, typing));
    ch.onError(() => {
      if (room.state === "joined") { room.state = "joining"; this.emit("room", room); }
    });
    ch.join()
      .receive("ok", (reply) => this.joined(room, reply))
      .receive("error", ({ reason } = {}) => {
        // Join errors here are permanent (bad name, too many channels): stop phoenix's retries.
        room.state = "error";
        this.emit("room-error", room, reason || "could not join");
        this.leave(name);
      });
    this.emit("room", room);
    return room;
  }

  joined(room, { messages = [], more = false }) {
    const rejoin = room.joinedOnce;
    room.joinedOnce = true;
    room.state = "joined";
    if (!rejoin) {
      room.more = more;
      this.addMessages(room, messages, "initial");
    } else if (more) {
      // More was missed than one reply carries: keep it, and fetch the rest forwards.
      this.addMessages(room, messages, "missed");
      this.catchUp(room);
    } else {
      this.addMessages(room, messages, "missed");
    }
    this.emit("room", room);
  }

  // Pages forwards from the newest message held until the server has no more (docs/protocol.md,
  // history {after}); every page fits in one frame.
  catchUp(room) {
    const channel = room.channel;
    channel.push("history", { after: room.lastId, limit: CATCH_UP_PAGE }).receive("ok", (r) => {
      if (room.channel !== channel) return; // left or rejoined meanwhile
      const messages = Array.isArray(r.messages) ? r.messages : [];
      this.addMessages(room, messages, "missed");
      if (r.more && messages.length > 0) this.catchUp(room);
    });
  }

  leave(name) {
    const room = this.rooms.get(name);
    if (!room) return;
    this.setTyping(room, false);
    for (const nick of [...room.typing.keys()]) this.clearTyping(room, nick);
    room.channel.leave();
    this.rooms.delete(name);
    this.emit("left", room);
  }

  // Adds messages not seen before (by id) and reports the new ones, oldest first.
  addMessages(room, list, kind) {
    const fresh = [];
    for (const m of list) {
      if (typeof m?.id !== "number" || room.messages.has(m.id)) continue;
      room.messages.set(m.id, m);
      fresh.push(m);
      if (m.id > room.lastId) room.lastId = m.id;
      if (room.oldestId === null || m.id < room.oldestId) room.oldestId = m.id;
    }
    fresh.sort((a, b) => a.id - b.id);
    if (fresh.length > 0 || kind === "initial" || kind === "older") this.emit("messages", room, fresh, kind);
  }

  loadOlder(room) {
    if (room.loadingOlder || !room.more || room.state !== "joined") return;
    room.loadingOlder = true;
    this.emit("room", room);
    const payload = room.oldestId === null ? { limit: HISTORY_PAGE } : { before: room.oldestId, limit: HISTORY_PAGE };
    const done = () => { room.loadingOlder = false; this.emit("room", room); };
    room.channel.push("history", payload)
      .receive("ok", ({ messages = [], more = false }) => {
        room.more = more;
        room.loadingOlder = false;
        this.addMessages(room, messages, "older");
        this.emit("room", room);
      })
      .receive("error", done)
      .receive("timeout", done);
  }

  // Resolves with the message id, rejects with a reason the user can read.
  send(room, body) {
    this.setTyping(room, false);
    return new Promise((resolve, reject) => {
      if (room.state !== "joined") { reject(new Error("not joined yet")); return; }
      this.sending += 1;
      const settled = () => { this.sending -= 1; };
      room.channel.push("new_msg", { body })
        .receive("ok", ({ id }) => { settled(); resolve(id); })
        .receive("error", ({ reason } = {}) => { settled(); reject(new Error(reason || "rejected by the server")); })
        .receive("timeout", () => { settled(); reject(new Error("no answer from the server")); });
    });
  }

  // Called on every keystroke: says typing:true at most every few seconds and
  // typing:false once the user pauses, sends, or leaves.
  setTyping(room, typing) {
    if (!room || room.state !== "joined") return;
    clearTimeout(room.typingIdle);
    if (typing) {
      const now = Date.now();
      if (now - room.typingSent > TYPING_RESEND_MS) {
        room.typingSent = now;
        room.channel.push("typing", { typing: true });
      }
      room.typingIdle = setTimeout(() => this.setTyping(room, false), TYPING_IDLE_MS);
    } else if (room.typingSent) {
      room.typingSent = 0;
      room.channel.push("typing", { typing: false });
    }
  }

  remoteTyping(room, nick, typing) {
    if (nick === this.nick) return; // another tab of ours
    if (!typing) { this.clearTyping(room, nick); return; }
    clearTimeout(room.typing.get(nick));
    room.typing.set(nick, setTimeout(() => this.clearTyping(room, nick), TYPING_EXPIRE_MS));
    this.emit("typing", room);
  }

  clearTyping(room, nick) {
    if (!room.typing.has(nick)) return;
    clearTimeout(room.typing.get(nick));
    room.typing.delete(nick);
    this.emit("typing", room);
  }
}
