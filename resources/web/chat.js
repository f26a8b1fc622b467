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

// A conversation with a channel: a public or private room, a group, or a direct conversation.
// `key` names it in the client (the room name; "dm:<a>:<b>" for a DM, which no room name can
// be, since room names have no ":").
export class Room {
  constructor(key, { topic = `chatter:room:${key}`, kind = "room", peer = "" } = {}) {
    this.key = key;
    this.name = key;           // kept for the room-only code paths (drafts, logs, hash)
    this.topic = topic;
    this.kind = kind;          // room | dm
    this.peer = peer;          // a DM's other side, as registered
    this.channel = null;
    this.presence = null;
    this.messages = new Map(); // id → message; the dedupe key across joins, rejoins and history
    this.lastId = 0;           // newest id seen: sent as last_seen_id when rejoining
    this.changeSeq = 0;        // newest change seen: sent as last_change_seq when rejoining
    this.oldestId = null;
    this.more = false;         // older history exists on the server
    this.loadingOlder = null;  // the promise of the page being fetched
    // Opened at an older message (history {around}): newer messages than lastId exist that are
    // not held; live ones wait in liveBuffer until history {after} pages reach the live end.
    this.detached = false;
    this.loadingNewer = null;
    this.liveBuffer = [];
    this.joinWaiters = [];     // resolved at the next successful join
    this.state = "joining";    // joining | joined | error
    this.joinedOnce = false;
    this.createPrivate = false; // the first join creates the room private
    this.lastReadId = 0;       // the server's read marker (docs/conversations.md)
    this.readSent = 0;         // the newest id this page said it read
    this.unread = 0;           // messages by others after it, as the server counts them
    this.mentioned = false;
    this.muted = false;
    this.private = false;
    this.group = false;
    this.owner = "";
    this.roomMembers = [];     // a private room's members (not who is online: that is presence)
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
        return { nick, client: last.client || "", status: last.status || "online", auto: last.auto === true, role: last.role || "", sessions: metas.length };
      })
      .sort((a, b) => a.nick.localeCompare(b.nick, undefined, { sensitivity: "base" }));
  }

  typingUsers() {
    return [...this.typing.keys()].sort();
  }

  // What the page calls it: #name, a DM's other side, a group's members but oneself.
  title(me = "") {
    if (this.kind === "dm") return this.peer;
    if (this.group && this.roomMembers.length) {
      const others = this.roomMembers.filter((n) => n.toLowerCase() !== me.toLowerCase());
      return (others.length ? others : this.roomMembers).join(", ");
    }
    return `#${this.name}`;
  }

  // Messages by others after the read marker, as the server counts them (capped at 999).
  countUnread(me) {
    let n = 0;
    for (const m of this.messages.values()) if (m.id > this.lastReadId && !m.deleted && m.user !== me && !m.system) n += 1;
    return Math.min(n, 999);
  }
}

export class ChatClient {
  // sessionToken: from the accounts API (docs/identity.md), sent as phoenix.js authToken;
  // accessToken: the server's --access-token, if it has one, sent as the access_token param.
  // personalTopic: chatter:user:<nick> as the session answer names it (accounts only).
  constructor({ nick, forceLongPoll = false, sessionToken = "", accessToken = "", personalTopic = "" }) {
    this.nick = nick;
    this.personalTopic = personalTopic;
    this.personal = null;       // the personal topic's channel, once joined
    this.conversations = new Map(); // topic → the personal topic's entry (DMs, rooms with a marker)
    this.privateRooms = new Map();  // topic → {topic, name, group, members, owner}
    this.status = "online";     // online | away | busy | dnd: said in every joined channel
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
    if (this.personalTopic) this.joinPersonal();
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

  // The personal topic (docs/conversations.md): the DM list, read state and notifications.
  joinPersonal() {
    const ch = this.socket.channel(this.personalTopic, {});
    this.personal = ch;
    const entry = (topic) => {
      if (!this.conversations.has(topic)) this.conversations.set(topic, { topic, unread: 0, last_read_id: 0, muted: false });
      return this.conversations.get(topic);
    };
    ch.on("dm", (msg) => {
      if (typeof msg?.topic !== "string") return;
      const c = entry(msg.topic);
      if (!c.with) c.with = msg.user !== this.nick ? msg.user : this.dmPeerFromTopic(msg.topic);
      if (typeof msg.id === "number") c.last_id = Math.max(c.last_id ?? 0, msg.id);
      c.last_at = msg.at;
      this.emit("conversations");
      if (msg.user !== this.nick) this.emit("dm", msg);
    });
    ch.on("mention", (msg) => {
      if (typeof msg?.topic !== "string" || msg.user === this.nick) return;
      const room = this.roomByTopic(msg.topic);
      if (room) room.mentioned = true;
      this.emit("mention", msg);
      this.emit("conversations");
    });
    ch.on("read", ({ topic, last_read_id: id } = {}) => {
      if (typeof topic !== "string" || typeof id !== "number") return;
      const room = this.roomByTopic(topic);
      if (room && id >= room.lastReadId) {
        room.lastReadId = id;
        room.unread = room.countUnread(this.nick);
        if (room.unread === 0) room.mentioned = false;
        this.emit("room", room);
      }
      const c = entry(topic);
      c.last_read_id = Math.max(c.last_read_id ?? 0, id);
      this.emit("conversations");
    });
    ch.on("unread", ({ topic, count, last_read_id: id } = {}) => {
      if (typeof topic !== "string" || typeof count !== "number") return;
      const room = this.roomByTopic(topic);
      // An older marker's count is stale: a read from here has overtaken it.
      if (room && !(typeof id === "number" && id < room.lastReadId)) {
        if (typeof id === "number") room.lastReadId = id;
        room.unread = count;
        if (count === 0) room.mentioned = false;
        this.emit("room", room);
      }
      const c = entry(topic);
      c.unread = count;
      if (typeof id === "number") c.last_read_id = id;
      this.emit("conversations");
    });
    ch.on("muted", ({ topic, muted } = {}) => {
      if (typeof topic !== "string") return;
      entry(topic).muted = muted === true;
      const room = this.roomByTopic(topic);
      if (room) { room.muted = muted === true; this.emit("room", room); }
      this.emit("conversations");
    });
    ch.on("room_invited", (info) => {
      if (typeof info?.topic !== "string") return;
      this.privateRooms.set(info.topic, info);
      this.emit("private-rooms", info);
    });
    ch.on("room_removed", ({ topic } = {}) => {
      if (typeof topic !== "string") return;
      this.privateRooms.delete(topic);
      const room = this.roomByTopic(topic);
      if (room) { this.emit("removed", room); this.leave(room.key); }
      this.emit("conversations");
    });
    // Runs again after every rejoin: the reply is the whole picture, so replace it.
    ch.join().receive("ok", (reply = {}) => {
      this.conversations = new Map((Array.isArray(reply.conversations) ? reply.conversations : [])
        .filter((c) => typeof c?.topic === "string").map((c) => [c.topic, { ...c }]));
      for (const c of this.conversations.values()) {
        const room = this.roomByTopic(c.topic);
        if (room && typeof c.muted === "boolean") room.muted = c.muted;
      }
      this.privateRooms = new Map((Array.isArray(reply.private_rooms) ? reply.private_rooms : [])
        .filter((r) => typeof r?.topic === "string").map((r) => [r.topic, r]));
      this.emit("conversations");
      this.emit("private-rooms", null);
    });
  }

  // The other side of a DM topic, case-folded as the topic has it (when nothing better is known).
  dmPeerFromTopic(topic) {
    const [a = "", b = ""] = topic.replace(/^chatter:dm:/, "").split(":");
    const me = this.personalTopic.replace(/^chatter:user:/, "");
    return a === me ? b : a;
  }

  roomByTopic(topic) {
    for (const room of this.rooms.values()) if (room.topic === topic) return room;
    return null;
  }

  // A push on the personal topic as a promise: resolves with the reply, rejects with a reason.
  personalPush(event, payload) {
    return new Promise((resolve, reject) => {
      if (!this.personal) { reject(new Error("direct messages need a registered account")); return; }
      this.personal.push(event, payload)
        .receive("ok", resolve)
        .receive("error", ({ reason } = {}) => reject(new Error(reason || "refused")))
        .receive("timeout", () => reject(new Error("no answer from the server")));
    });
  }

  // Resolves with {topic, with}: the DM's topic as the server spells it.
  openDm(user) { return this.personalPush("open_dm", { user }); }

  // Resolves with {topic} of a new group conversation with these registered accounts.
  createGroup(users) { return this.personalPush("create_group", { users }); }

  // opts: {topic, kind: "room"|"dm", peer, createPrivate}. key: a room's name, or "dm:a:b".
  join(key, opts = {}) {
    if (this.rooms.has(key)) return this.rooms.get(key);
    const room = new Room(key, opts);
    room.createPrivate = opts.createPrivate === true;
    const known = this.conversations.get(room.topic);
    if (known) room.muted = known.muted === true;
    this.rooms.set(key, room);
    // A function, so every rejoin after a reconnect asks only for what we missed, and for the
    // edits, deletions and reactions since the last change seen.
    const ch = this.socket.channel(room.topic, () => {
      if (room.lastId > 0) return { last_seen_id: room.lastId, last_change_seq: room.changeSeq };
      return room.createPrivate && !room.joinedOnce ? { private: true } : {};
    });
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
      if (room.detached) room.liveBuffer.push(msg);
      else this.addMessages(room, [msg], "live");
    });
    ch.on("msg_edited", ({ id, body, edited_at: editedAt } = {}) => {
      const m = room.messages.get(id);
      if (!m || m.deleted || typeof body !== "string") return;
      this.changeMessage(room, { ...m, body, edited_at: editedAt });
    });
    ch.on("msg_deleted", ({ id } = {}) => {
      if (room.messages.has(id)) this.changeMessage(room, { id, deleted: true });
    });
    ch.on("reactions", ({ id, reactions } = {}) => {
      const m = room.messages.get(id);
      if (!m || m.deleted) return;
      this.changeMessage(room, { ...m, reactions: reactions && typeof reactions === "object" ? reactions : {} });
    });
    ch.on("typing", ({ user, typing }) => this.remoteTyping(room, user, typing));
    ch.onError(() => {
      if (room.state === "joined") { room.state = "joining"; this.emit("room", room); }
    });
    ch.join()
      .receive("ok", (reply) => this.joined(room, reply))
      .receive("error", ({ reason } = {}) => {
        // Join errors here are permanent (bad name, forbidden, too many channels): stop
        // phoenix's retries.
        room.state = "error";
        this.emit("room-error", room, reason || "could not join");
        this.leave(key);
      });
    this.emit("room", room);
    return room;
  }

  joined(room, reply = {}) {
    const { messages = [], more = false } = reply;
    const rejoin = room.joinedOnce;
    room.joinedOnce = true;
    room.state = "joined";
    if (typeof reply.change_seq === "number") room.changeSeq = reply.change_seq;
    if (typeof reply.last_read_id === "number") room.lastReadId = Math.max(reply.last_read_id, rejoin ? room.lastReadId : 0);
    room.readSent = Math.min(room.readSent, room.lastReadId);
    if (typeof reply.unread === "number") room.unread = reply.unread;
    if (typeof reply.muted === "boolean") room.muted = reply.muted;
    room.private = reply.private === true;
    room.group = reply.group === true;
    room.owner = typeof reply.owner === "string" ? reply.owner : "";
    room.roomMembers = Array.isArray(reply.members) ? reply.members.filter((n) => typeof n === "string") : [];
    if (!rejoin) {
      room.more = more;
      this.addMessages(room, messages, "initial");
    } else if (room.detached && reply.changes_more !== true) {
      // Away from the live end: what was missed after the window is its next newer page.
      for (const m of Array.isArray(reply.changes) ? reply.changes : []) {
        if (typeof m?.id === "number" && room.messages.has(m.id)) this.changeMessage(room, m);
      }
      this.addMessages(room, messages, "newer");
      if (!more) this.attach(room);
    } else if (reply.changes_more === true) {
      // More changed meanwhile than one reply lists: start afresh from the newest page.
      this.restart(room);
    } else {
      for (const m of Array.isArray(reply.changes) ? reply.changes : []) {
        if (typeof m?.id === "number" && room.messages.has(m.id)) this.changeMessage(room, m);
      }
      this.addMessages(room, messages, "missed");
      // More was missed than one reply carries: keep it, and fetch the rest forwards.
      if (more) this.catchUp(room);
    }
    if (this.status !== "online") pushStatus(room, this.status);
    for (const resolve of room.joinWaiters.splice(0)) resolve();
    this.emit("room", room);
  }

  // Resolves once the room is joined (at once if it is).
  whenJoined(room) {
    if (room.state === "joined") return Promise.resolve();
    return new Promise((resolve) => room.joinWaiters.push(resolve));
  }

  // Shows the window around message `id` (docs/files-and-search.md, history {around}). Resolves
  // true when the message is held afterwards. A message already held is just shown.
  async openAt(room, id) {
    await this.whenJoined(room);
    if (room.messages.has(id)) return true;
    const r = await this.request(room, "history", { around: id, limit: HISTORY_PAGE });
    const messages = Array.isArray(r.messages) ? r.messages : [];
    room.messages.clear();
    room.oldestId = null;
    room.lastId = 0;
    room.more = r.more_before === true;
    room.detached = r.more_after === true;
    room.liveBuffer = [];
    this.emit("reset", room);
    this.addMessages(room, messages, "around");
    this.emit("room", room);
    return room.messages.has(id);
  }

  // The next newer page of a detached room (history {after}); back at the live end when the
  // server has no more, where the live messages kept meanwhile are added.
  loadNewer(room) {
    if (room.loadingNewer) return room.loadingNewer;
    if (!room.detached || room.state !== "joined") return Promise.resolve();
    const channel = room.channel;
    room.loadingNewer = new Promise((resolve) => {
      const done = () => { room.loadingNewer = null; this.emit("room", room); resolve(); };
      channel.push("history", { after: room.lastId, limit: HISTORY_PAGE })
        .receive("ok", (r) => {
          if (room.channel !== channel || !room.detached) { done(); return; }
          const messages = Array.isArray(r.messages) ? r.messages : [];
          this.addMessages(room, messages, "newer");
          if (r.more !== true || messages.length === 0) this.attach(room);
          done();
        })
        .receive("error", done)
        .receive("timeout", done);
    });
    this.emit("room", room);
    return room.loadingNewer;
  }

  // Back at the live end: what arrived live while detached joins the log (each message once).
  attach(room) {
    room.detached = false;
    const buffered = room.liveBuffer;
    room.liveBuffer = [];
    this.addMessages(room, buffered, "live");
  }

  // The newest page again, as after a first join (the "latest" button of a detached room).
  latest(room) {
    if (room.state === "joined") this.restart(room);
  }

  // The message as the server has it now, with freshly signed attachment URLs.
  async refreshMessage(room, id) {
    const r = await this.request(room, "history", { around: id, limit: 1 });
    const m = (Array.isArray(r.messages) ? r.messages : []).find((x) => x?.id === id);
    if (m && room.messages.has(id)) this.changeMessage(room, m);
  }

  // Full-text search: on the personal topic (an account's every conversation) when there is
  // one, otherwise in `room`. Resolves with {results, cursor}.
  search(room, query, cursor = null) {
    const payload = { query, limit: 20, ...(cursor ? { cursor } : {}) };
    if (this.personal) return this.personalPush("search", payload);
    if (!room) return Promise.reject(new Error("open a room to search it"));
    return this.request(room, "search", payload);
  }

  // Drops what is held of a room and shows its newest page, as on a first join.
  restart(room) {
    room.detached = false;
    room.liveBuffer = [];
    room.messages.clear();
    room.lastId = 0;
    room.oldestId = null;
    room.more = false;
    this.emit("reset", room);
    const channel = room.channel;
    channel.push("history", { limit: HISTORY_PAGE }).receive("ok", (r) => {
      if (room.channel !== channel) return;
      room.more = r.more === true;
      this.addMessages(room, Array.isArray(r.messages) ? r.messages : [], "initial");
      this.emit("room", room);
    });
  }

  // A message as it is now (edited, deleted, reactions): replaces the one held, and the quotes
  // of the replies to it.
  changeMessage(room, msg) {
    room.messages.set(msg.id, msg);
    this.emit("changed", room, msg);
    for (const m of room.messages.values()) {
      if (m.reply_to !== msg.id || !m.quote) continue;
      const quote = msg.deleted ? { user: m.quote.user, deleted: true } : { ...m.quote, body: String(msg.body ?? "").slice(0, 140) };
      room.messages.set(m.id, { ...m, quote });
      this.emit("changed", room, room.messages.get(m.id));
    }
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

  leave(key) {
    const room = this.rooms.get(key);
    if (!room) return;
    this.setTyping(room, false);
    for (const nick of [...room.typing.keys()]) this.clearTyping(room, nick);
    room.channel.leave();
    this.rooms.delete(key);
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
    if (fresh.length > 0 || kind === "initial" || kind === "older" || kind === "around") this.emit("messages", room, fresh, kind);
  }

  // Resolves once the next older page is in (at once when there is none).
  loadOlder(room) {
    if (room.loadingOlder) return room.loadingOlder;
    if (!room.more || room.state !== "joined") return Promise.resolve();
    const payload = room.oldestId === null ? { limit: HISTORY_PAGE } : { before: room.oldestId, limit: HISTORY_PAGE };
    room.loadingOlder = new Promise((resolve) => {
      const done = () => { room.loadingOlder = null; this.emit("room", room); resolve(); };
      room.channel.push("history", payload)
        .receive("ok", ({ messages = [], more = false }) => {
          room.more = more;
          room.loadingOlder = null;
          this.addMessages(room, messages, "older");
          this.emit("room", room);
          resolve();
        })
        .receive("error", done)
        .receive("timeout", done);
    });
    this.emit("room", room);
    return room.loadingOlder;
  }

  // A push on a room's channel as a promise: resolves with the reply, rejects with a reason
  // the user can read.
  request(room, event, payload) {
    return new Promise((resolve, reject) => {
      if (!room || room.state !== "joined") { reject(new Error("not joined yet")); return; }
      this.sending += 1;
      const settled = () => { this.sending -= 1; };
      room.channel.push(event, payload)
        .receive("ok", (r) => { settled(); resolve(r ?? {}); })
        .receive("error", ({ reason } = {}) => { settled(); reject(new Error(reason || "refused by the server")); })
        .receive("timeout", () => { settled(); reject(new Error("no answer from the server")); });
    });
  }

  // Resolves with the message id. replyTo: the id of the message answered, or null;
  // attachments: the ids of uploaded files.
  send(room, body, replyTo = null, attachments = []) {
    this.setTyping(room, false);
    // Sent from an older window: the live end comes back, so that one's own message shows.
    if (room.detached) this.restart(room);
    return this.request(room, "new_msg", {
      body, ...(replyTo ? { reply_to: replyTo } : {}), ...(attachments.length ? { attachments } : {}),
    }).then(({ id }) => id);
  }

  edit(room, id, body) { return this.request(room, "edit_msg", { id, body }); }

  remove(room, id) { return this.request(room, "delete_msg", { id }); }

  react(room, id, emoji, on) { return this.request(room, "react", { id, emoji, on }); }

  invite(room, user) { return this.request(room, "invite", { user }); }

  // Moves the read marker to `id` (the newest message seen); the reply is the server's count.
  markRead(room, id) {
    if (!room || room.state !== "joined" || id <= room.readSent) return;
    room.readSent = id;
    // Seen here is read here at once; the server's answer then gives its own count.
    if (id > room.lastReadId) room.lastReadId = id;
    room.channel.push("read", { id }).receive("ok", ({ last_read_id: marker, unread } = {}) => {
      if (typeof marker === "number" && marker >= room.lastReadId) room.lastReadId = marker;
      if (typeof unread === "number") room.unread = unread;
      if (room.unread === 0) room.mentioned = false;
      const c = this.conversations.get(room.topic);
      if (c) { c.unread = room.unread; c.last_read_id = room.lastReadId; }
      this.emit("room", room);
      this.emit("conversations");
    });
  }

  setMuted(room, muted) {
    return this.request(room, "mute", { muted }).then((r) => {
      room.muted = typeof r.muted === "boolean" ? r.muted : muted;
      const c = this.conversations.get(room.topic);
      if (c) c.muted = room.muted;
      this.emit("room", room);
      this.emit("conversations");
    });
  }

  // online | away | busy | dnd, in every joined room and DM (presence is per channel).
  setStatus(status) {
    this.status = status;
    for (const room of this.rooms.values()) if (room.state === "joined") pushStatus(room, status);
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

function pushStatus(room, status) {
  room.channel.push("status", { status });
}
