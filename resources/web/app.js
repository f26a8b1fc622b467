// SPDX-License-Identifier: MIT
// Wires the session (chat.js) to the page (view.js): who is signed in (account.js, entry.js),
// which conversation is in view, unread counts from the server's read markers, notifications
// (notify.js), drafts, and what is remembered in localStorage.
import { ChatClient } from "/assets/chat.js";
import { View } from "/assets/view.js";
import { EntryView } from "/assets/entry.js";
import { AdminPanel } from "/assets/admin.js";
import { api, ApiError, describeError, noAccountsApi, sessionStore } from "/assets/account.js";
import { validRoom, mentions, store } from "/assets/util.js";
import { Notifier } from "/assets/notify.js";
import { SearchView } from "/assets/search.js";
import { previewText } from "/assets/files.js";
import { wireServerInvite } from "/assets/serverinvite.js";

const DEFAULT_ROOM = "lobby";
const NOTE_KEY = "chatter.entry-note"; // what the entry screen says after a reload (signed out)
const BANNER_MS = 30000; // how long "disconnected by the server … connected again" stays
const params = new URLSearchParams(location.search);
// ?transport=longpoll forces HTTP long-polling (tests, and networks that mangle WebSockets).
const forceLongPoll = params.get("transport") === "longpoll";

const view = new View();
wireServerInvite();

// A link with ?token=… (from whoever runs a server with --access-token) signs this browser in;
// the token is kept in localStorage and taken out of the address bar and history.
if (params.has("token")) {
  store.set("chatter.token", params.get("token"));
  params.delete("token");
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : "") + location.hash);
}
const savedToken = () => {
  const token = store.get("chatter.token", "");
  return typeof token === "string" ? token : "";
};
const savedNick = () => {
  const nick = store.get("chatter.nick", "");
  return typeof nick === "string" ? nick : "";
};

// Asks the server for a session in one of the three ways; "" when signed in, else the reason.
async function enter(mode, { nick, password, token }) {
  if (token !== savedToken()) store.set("chatter.token", token);
  // Refused for want of the access token, the session from the first try is still good: the
  // nickname is already its own (a second guest or registration would find it taken).
  const kept = sessionStore.get();
  if (kept && kept.user === nick && (mode === "guest") === (kept.kind !== "account")) {
    location.reload();
    return "";
  }
  let session;
  try {
    if (mode === "signin") session = await api.signIn(nick, password);
    else if (mode === "register") session = await api.register(nick, password);
    else session = await api.guest(nick);
  } catch (err) {
    // A server from before accounts has no /api: a guest is then known by nickname alone.
    if (mode === "guest" && noAccountsApi(err)) session = { token: "", user: nick, role: "guest", kind: "bare" };
    else return describeError(err, mode, nick);
  }
  sessionStore.set(session);
  // Entering again after a refusal: a clean page is simpler than re-keying every channel.
  if (window.chatter) location.reload();
  else start(session);
  return "";
}

const entry = new EntryView(enter);

function showEntry(options = {}) {
  entry.show({ nick: savedNick(), token: savedToken(), ...options });
}

const stored = sessionStore.get();
const note = sessionStorage.getItem(NOTE_KEY) ?? "";
sessionStorage.removeItem(NOTE_KEY);
if (stored) resume(stored);
else showEntry({ note });

// A session kept from before the server named the personal topic asks for it once.
async function resume(session) {
  if (session.kind === "account" && session.personalTopic === undefined) {
    try {
      session.personalTopic = await api.personalTopic(session.token);
      sessionStore.set(session); // asked once: "" is a server that names none
    } catch { /* the socket's refusal check says what is wrong with the session */ }
  }
  start(session);
}

// Ends this browser's session: the server revokes it (and closes its sockets), the page
// forgets it and shows the entry screen again.
async function signOut(client, session) {
  let note = "You have signed out.";
  // First, or the revocation's closing of this socket would look like a refusal.
  client.stop();
  if (session.token) {
    try {
      await api.signOut(session.token);
    } catch (err) {
      // 401: the session had ended anyway. Otherwise it is forgotten here all the same.
      if (!(err instanceof ApiError && err.status === 401)) note = `Signed out in this browser. ${describeError(err, "signout")}`;
    }
  }
  sessionStore.clear();
  try { sessionStorage.setItem(NOTE_KEY, note); } catch { /* the note is lost, nothing else */ }
  location.reload();
}

// A guest's new nickname is a new guest session; the old one is ended once the new one exists.
async function changeGuestNick(client, session, nick) {
  let fresh;
  try {
    fresh = await api.guest(nick);
  } catch (err) {
    if (!noAccountsApi(err)) return describeError(err, "guest", nick);
    fresh = { token: "", user: nick, role: "guest", kind: "bare" };
  }
  client.stop(); // before the old session ends: its sockets are closed then
  if (session.token) await api.signOut(session.token).catch(() => { /* it ends by itself */ });
  sessionStore.set(fresh);
  location.reload();
  return "";
}

function start(session) {
  const nick = session.user;
  const client = new ChatClient({ nick, forceLongPoll, sessionToken: session.token, accessToken: savedToken(), personalTopic: session.personalTopic ?? "" });
  // The server said no: a missing or wrong access token, a session that has ended (signed out
  // elsewhere, expired, password changed), a ban. Back to the entry screen, saying why.
  client.on("refused", (reason) => {
    const token = savedToken();
    const mode = session.kind === "account" ? "signin" : "guest";
    if (/access|wrong or missing token/i.test(reason)) {
      showEntry({ error: token ? "The server did not accept this access token." : "This server needs an access token.", askToken: true, mode });
      return;
    }
    const banned = /banned/i.test(reason);
    // A ban may be lifted: the session stays, and entering again under its name reuses it.
    // (Only if it is still this page's: another tab may have signed in anew meanwhile.)
    if (!banned && sessionStore.get()?.token === session.token) sessionStore.clear();
    if (banned || session.kind === "bare") {
      showEntry({ error: `The server refused the connection: ${reason.replace(/^connect refused: /, "")}.`, mode });
    } else {
      showEntry({ note: "Your session has ended (signed out elsewhere, expired, or the password was changed). Please sign in again.", mode });
    }
  });
  // Closed by the server (an admin's kick or ban, a session ended elsewhere): said in a banner
  // that stays a while after the page is back in; a refusal moves to the entry screen instead.
  let bannerTimer = null;
  client.on("closed", (code, reason) => {
    clearTimeout(bannerTimer);
    const why = reason && reason !== "disconnected" ? `: ${reason}` : "";
    view.showBanner(`Disconnected by the server${why}. Reconnecting…`);
  });
  client.on("connection", (state) => {
    const banner = document.getElementById("banner");
    if (state !== "connected" || banner.hidden || !banner.textContent.endsWith("Reconnecting…")) return;
    view.showBanner(banner.textContent.replace("Reconnecting…", "Connected again."));
    bannerTimer = setTimeout(() => view.showBanner(""), BANNER_MS);
  });
  window.chatter = client; // handy in the devtools console
  let active = null; // the key of the conversation in view: a room's name, or "dm:<a>:<b>"
  // What was typed and not sent, per conversation; kept across reloads.
  const savedDrafts = store.get("chatter.drafts", {});
  const drafts = new Map(Object.entries(savedDrafts && typeof savedDrafts === "object" ? savedDrafts : {}).filter(([, v]) => typeof v === "string"));
  const saveDraft = (name, text) => {
    if (!name) return;
    if (text === "") drafts.delete(name);
    else drafts.set(name, text);
    store.set("chatter.drafts", Object.fromEntries(drafts));
  };
  const dirBaseline = new Map(); // directory message counts when first seen: unread for rooms not joined
  const accounts = Boolean(client.personalTopic); // DMs, groups, private rooms, stored read state
  const notifier = new Notifier(view);

  view.showApp(session);
  view.setAccountFeatures(accounts);
  view.on("signOut", () => signOut(client, session));
  view.on("changeNick", (newNick) => changeGuestNick(client, session, newNick));
  view.on("changePassword", async (oldPassword, newPassword) => {
    try {
      await api.changePassword(session.token, oldPassword, newPassword);
      return "";
    } catch (err) {
      return describeError(err, "password");
    }
  });

  const dmKey = (topic) => topic.replace(/^chatter:/, ""); // "dm:<a>:<b>": no room name has ":"
  const isDmKey = (key) => typeof key === "string" && /^dm:[^:]+:[^:]+$/.test(key);
  const validKey = (key) => validRoom(key) || isDmKey(key);
  const hashKey = () => decodeURIComponent(location.hash.slice(1));
  const inView = (room) => room && room.key === active && !document.hidden;

  function persist() {
    store.set("chatter.rooms", [...client.rooms.keys()]);
    store.set("chatter.active", active);
  }

  // A muted conversation counts only when it mentions the user.
  const counts = (r) => r.unread > 0 && (!r.muted || r.mentioned);

  // Every direct conversation: the joined ones and those the personal topic lists.
  function dmEntries() {
    const byTopic = new Map();
    for (const c of client.conversations.values()) {
      if (!c.topic.startsWith("chatter:dm:")) continue;
      byTopic.set(c.topic, {
        key: dmKey(c.topic), label: c.with || client.dmPeerFromTopic(c.topic), kind: "dm", joined: false,
        unread: c.unread ?? 0, mentioned: false, muted: c.muted === true, last: c.last_id ?? 0,
      });
    }
    for (const r of client.rooms.values()) {
      if (r.kind !== "dm") continue;
      const known = byTopic.get(r.topic);
      byTopic.set(r.topic, {
        key: r.key, label: r.peer, kind: "dm", joined: true, unread: r.key === active && !document.hidden ? 0 : r.unread,
        mentioned: r.mentioned, muted: r.muted, state: r.state, last: Math.max(r.lastId, known?.last ?? 0),
      });
    }
    return [...byTopic.values()].sort((a, b) => b.last - a.last || a.label.localeCompare(b.label));
  }

  function updateTitle() {
    let total = 0;
    for (const r of client.rooms.values()) if ((r.key !== active || document.hidden) && counts(r)) total += r.unread;
    for (const d of dmEntries()) if (!d.joined && counts(d)) total += d.unread;
    view.setTitle(total, client.rooms.get(active)?.title(nick) ?? null);
  }

  function renderRooms() {
    const joined = [...client.rooms.values()].filter((r) => r.kind !== "dm").map((r) => ({
      key: r.key, label: r.group ? r.title(nick) : r.name, kind: "room", joined: true, private: r.private, group: r.group,
      unread: r.key === active && !document.hidden ? 0 : r.unread, mentioned: r.mentioned, muted: r.muted, state: r.state,
    }));
    const others = [...client.directory.values()]
      .filter((d) => !client.rooms.has(d.name))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => {
        if (!dirBaseline.has(d.name)) dirBaseline.set(d.name, d.messages ?? 0);
        return { key: d.name, label: d.name, kind: "room", joined: false, private: d.private === true, members: d.members ?? 0, unread: Math.max(0, (d.messages ?? 0) - dirBaseline.get(d.name)) };
      });
    view.renderRooms(accounts ? dmEntries() : null, joined, others, active);
    updateTitle();
  }

  // The read marker follows what is in view: a moment after news shows, the server is told.
  const readTimers = new Map();
  function scheduleRead(room) {
    if (!inView(room) || room.lastId <= room.readSent) return;
    room.unread = 0;
    room.mentioned = false;
    room.lastReadId = Math.max(room.lastReadId, room.lastId);
    if (readTimers.has(room.key)) return;
    readTimers.set(room.key, setTimeout(() => {
      readTimers.delete(room.key);
      if (inView(room)) client.markRead(room, room.lastId);
    }, 300));
  }

  function activate(key) {
    const room = key ? client.rooms.get(key) : null;
    const previous = active;
    active = room ? room.key : null;
    if (previous && previous !== active) client.setTyping(client.rooms.get(previous), false);
    const firstUnread = room && room.unread > 0 ? room.lastReadId + 1 : null;
    view.showRoom(room, (text) => { if (previous && client.rooms.has(previous)) saveDraft(previous, text); }, drafts.get(active) ?? "");
    if (room && previous !== active) view.markNew(room, firstUnread);
    if (room) scheduleRead(room);
    if (active && hashKey() !== active) history.replaceState(null, "", `#${active}`);
    persist();
    renderRooms();
  }

  function joinRoom(name, { createPrivate = false } = {}) {
    if (!validRoom(name)) return "Room names are 1–64 letters, digits, “.”, “_” or “-”.";
    if (!client.rooms.has(name)) {
      client.join(name, { createPrivate });
      dirBaseline.delete(name);
    }
    activate(name);
    return "";
  }

  // A DM by the topic the server named; `peer` as registered (or folded, until known).
  function openDmTopic(topic, peer, { show = true } = {}) {
    const key = dmKey(topic);
    if (!client.rooms.has(key)) client.join(key, { topic, kind: "dm", peer: peer || client.dmPeerFromTopic(topic) });
    if (show) activate(key);
    return key;
  }

  function select(key) {
    if (client.rooms.has(key)) { activate(key); return ""; }
    if (isDmKey(key)) { openDmTopic(`chatter:${key}`, client.conversations.get(`chatter:${key}`)?.with); return ""; }
    return joinRoom(key);
  }

  client.on("connection", (state, transport, note) => view.setConnection(state, transport, note));
  window.addEventListener("online", () => client.probeNow());
  client.on("directory", renderRooms);
  client.on("conversations", () => {
    // A DM's other side as registered, once the personal topic says it.
    for (const r of client.rooms.values()) {
      const c = client.conversations.get(r.topic);
      if (r.kind === "dm" && c?.with && r.peer !== c.with) { r.peer = c.with; if (r.key === active) view.updateRoom(r); }
    }
    renderRooms();
  });
  // Private rooms and groups of the user are joined, so that their counts and news show.
  client.on("private-rooms", () => {
    for (const info of client.privateRooms.values()) {
      const name = typeof info.name === "string" ? info.name : info.topic.replace(/^chatter:room:/, "");
      if (validRoom(name) && !client.rooms.has(name)) client.join(name);
    }
    renderRooms();
  });
  client.on("removed", (room) => view.showBanner(`You were removed from ${room.title(nick)}.`));
  client.on("room", (room) => {
    view.updateRoom(room);
    if (room.state === "joined") scheduleRead(room);
    renderRooms();
  });
  client.on("presence", (room) => view.renderMembers(room));
  client.on("typing", (room) => view.renderTyping(room));
  client.on("room-error", (room, reason) => view.fire("joinError", room, reason));
  client.on("reset", (room) => view.resetLog(room));
  client.on("changed", (room, msg) => view.updateMessage(room, msg));
  client.on("messages", (room, msgs, kind) => {
    view.addMessages(room, msgs, kind);
    if (inView(room)) { scheduleRead(room); renderRooms(); return; }
    // Live news adds to the server's count; a join's or catch-up's count came with its reply.
    if (kind !== "live") return;
    const others = msgs.filter((m) => m.user !== nick && !m.system && m.id > room.lastReadId);
    if (others.length === 0) return;
    room.unread = Math.min(999, room.unread + others.length);
    const mentioned = others.filter((m) => mentions(m.body, nick));
    if (mentioned.length) room.mentioned = true;
    // Without a personal topic (guests) mentions are found here; accounts hear of them there.
    if (!accounts) for (const m of mentioned) notifier.mention(room, m, { status: client.status });
    renderRooms();
  });
  client.on("mention", (msg) => {
    const room = client.roomByTopic(msg.topic);
    if (room && inView(room)) return;
    notifier.notify({
      key: room ? room.key : msg.topic.startsWith("chatter:dm:") ? dmKey(msg.topic) : msg.topic.replace(/^chatter:room:/, ""),
      title: room ? `${msg.user} mentioned you in ${room.title(nick)}` : `${msg.user} mentioned you`,
      body: previewText(msg), id: `${msg.topic}/${msg.id}`, status: client.status, muted: false,
    });
  });
  client.on("dm", (msg) => {
    const room = client.roomByTopic(msg.topic);
    if (room && inView(room)) return;
    const muted = room ? room.muted : client.conversations.get(msg.topic)?.muted === true;
    notifier.notify({
      key: dmKey(msg.topic), title: `${msg.user} (direct message)`, body: previewText(msg),
      id: `${msg.topic}/${msg.id}`, status: client.status, muted,
    });
  });
  client.on("left", (room) => {
    view.removeLog(room.name);
    saveDraft(room.key, "");
    if (room.kind === "room") dirBaseline.set(room.name, client.directory.get(room.name)?.messages ?? 0);
    if (active === room.key) activate(client.rooms.keys().next().value ?? null);
    else { persist(); renderRooms(); }
  });

  view.on("joinError", (room, reason) => {
    document.getElementById("join-error").textContent = `Couldn't open ${room.title(nick)}: ${reason}.`;
  });
  view.on("select", (key) => select(key));
  view.on("join", (name, opts = {}) => joinRoom(name, { createPrivate: opts.private === true && accounts }));
  view.on("leave", (key) => {
    const room = client.rooms.get(key);
    // Leaving a private room gives up its membership (docs/conversations.md: remove oneself).
    if (room?.private) client.request(room, "remove", { user: nick }).catch(() => { /* left here all the same */ }).finally(() => client.leave(key));
    else client.leave(key);
  });
  view.on("typing", () => client.setTyping(client.rooms.get(active), true));
  view.on("draft", (key, text) => saveDraft(key, text));
  view.on("older", (key) => { const r = client.rooms.get(key); if (r) client.loadOlder(r); });
  view.on("send", (key, body, replyTo, files = []) => {
    const room = client.rooms.get(key);
    if (!room) return;
    client.send(room, body, replyTo, files.map((f) => f.attachment.id)).catch((err) => {
      view.restoreDraft(key, body);
      if (files.length) view.pending.restore(files);
      view.notice(key, `Not sent: ${err.message}.`);
    });
  });
  view.on("newer", (key) => { const r = client.rooms.get(key); if (r) client.loadNewer(r); });
  view.on("latest", (key) => { const r = client.rooms.get(key); if (r) client.latest(r); });
  // An attachment's signed URL expired (or failed to load): the message is asked for again.
  view.on("refreshAttachments", (key, id) => {
    const room = client.rooms.get(key);
    return room ? client.refreshMessage(room, id).catch(() => { /* the old URLs stay */ }) : undefined;
  });

  // Search: an account's every conversation (the personal topic), a guest's room in view.
  const conversationKey = (r) => (r.topic.startsWith("chatter:dm:") ? dmKey(r.topic) : r.topic.replace(/^chatter:room:/, ""));
  const search = new SearchView({
    run: (query, cursor) => client.search(client.rooms.get(active) ?? null, query, cursor),
    label: (r) => {
      const key = conversationKey(r);
      const room = client.rooms.get(key);
      if (isDmKey(key)) return `@${room?.peer || client.conversations.get(r.topic)?.with || client.dmPeerFromTopic(r.topic)}`;
      return room ? room.title(nick) : `#${key}`;
    },
    open: async (r) => {
      const key = conversationKey(r);
      if (!validKey(key)) return;
      const why = select(key);
      if (why) { view.showBanner(why); return; }
      const room = client.rooms.get(key);
      if (!room) return;
      search.hide();
      view.closeDrawers();
      try {
        await client.openAt(room, r.id);
        if (active === key && !view.revealMessage(key, r.id, true)) view.notice(key, "That message is no longer in the history.");
      } catch (err) {
        view.notice(key, `Could not open that message: ${err.message}.`);
      }
    },
  });
  const act = (what, key, fn) => {
    const room = client.rooms.get(key);
    if (room) fn(room).catch((err) => view.notice(key, `${what}: ${err.message}.`));
  };
  view.on("edit", (key, id, body) => act("Not edited", key, (room) => client.edit(room, id, body)));
  view.on("delete", (key, id) => act("Not deleted", key, (room) => client.remove(room, id)));
  view.on("react", (key, id, emoji, on) => act("Reaction not changed", key, (room) => client.react(room, id, emoji, on)));
  view.on("mute", (key, muted) => act("Mute not changed", key, (room) => client.setMuted(room, muted)));
  // Scrolls to a quoted message, fetching older pages until it is there (or history ends).
  view.on("jump", async (key, id) => {
    const room = client.rooms.get(key);
    if (!room) return;
    while (!room.messages.has(id) && room.more && room.state === "joined") {
      const oldest = room.oldestId;
      await client.loadOlder(room);
      if (room.oldestId === oldest) break;
    }
    if (!view.revealMessage(key, id)) view.notice(key, "That message is no longer in the history.");
  });
  view.on("message", (peer) => {
    client.openDm(peer)
      .then(({ topic, with: registered }) => { openDmTopic(topic, registered); view.closeDrawers(); })
      .catch((err) => view.showBanner(`Couldn't open a conversation with ${peer}: ${err.message}.`));
  });
  view.on("newConversation", async (names) => {
    try {
      if (names.length === 1) {
        const { topic, with: registered } = await client.openDm(names[0]);
        openDmTopic(topic, registered);
      } else {
        const { topic } = await client.createGroup(names);
        joinRoom(topic.replace(/^chatter:room:/, ""));
      }
      return "";
    } catch (err) {
      return err.message === "no such account" ? "Everyone must have a registered account (one of these has not)." : `Refused: ${err.message}.`;
    }
  });
  view.on("invite", async (key, user) => {
    const room = client.rooms.get(key);
    if (!room) return "Not in a room.";
    try { await client.invite(room, user); return ""; } catch (err) { return `Refused: ${err.message}.`; }
  });
  view.on("status", (status) => {
    client.setStatus(status);
    store.set("chatter.status", status);
  });
  view.on("notifications", () => notifier.ask());
  view.on("step", (dir) => {
    const keys = [...(accounts ? dmEntries().map((d) => d.key) : []), ...[...client.rooms.values()].filter((r) => r.kind !== "dm").map((r) => r.key)];
    if (keys.length === 0) return;
    const at = keys.indexOf(active);
    select(keys[(at + dir + keys.length) % keys.length]);
  });

  document.addEventListener("visibilitychange", () => {
    const room = client.rooms.get(active);
    if (!document.hidden && room) scheduleRead(room);
    renderRooms();
  });
  window.addEventListener("hashchange", () => { if (validKey(hashKey())) select(hashKey()); });

  const status = store.get("chatter.status", "online");
  if (["away", "busy", "dnd"].includes(status)) { client.status = status; view.setStatus(status); }
  client.connect();
  if (session.role === "admin") {
    const admin = new AdminPanel(client, () => active);
    view.on("manage", (member) => admin.open(member));
  }
  const remembered = store.get("chatter.rooms", [DEFAULT_ROOM]);
  const keys = (Array.isArray(remembered) ? remembered : [DEFAULT_ROOM]).filter((n) => typeof n === "string" && (validRoom(n) || (accounts && isDmKey(n))));
  for (const key of keys) {
    if (isDmKey(key)) openDmTopic(`chatter:${key}`, "", { show: false });
    else client.join(key);
  }
  const wanted = [hashKey(), store.get("chatter.active")].find((n) => typeof n === "string" && (validRoom(n) || client.rooms.has(n)));
  if (wanted) select(wanted);
  else activate(keys[0] ?? null);
}
