// SPDX-License-Identifier: MIT
// Wires the session (chat.js) to the page (view.js): who is signed in (account.js, entry.js),
// which room is in view, unread counts, drafts, and what is remembered in localStorage.
import { ChatClient } from "/assets/chat.js";
import { View } from "/assets/view.js";
import { EntryView } from "/assets/entry.js";
import { AdminPanel } from "/assets/admin.js";
import { api, ApiError, describeError, noAccountsApi, sessionStore } from "/assets/account.js";
import { validRoom, mentions, store } from "/assets/util.js";

const DEFAULT_ROOM = "lobby";
const NOTE_KEY = "chatter.entry-note"; // what the entry screen says after a reload (signed out)
const BANNER_MS = 30000; // how long "disconnected by the server … connected again" stays
const params = new URLSearchParams(location.search);
// ?transport=longpoll forces HTTP long-polling (tests, and networks that mangle WebSockets).
const forceLongPoll = params.get("transport") === "longpoll";

const view = new View();

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
if (stored) start(stored);
else showEntry({ note });

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
  const client = new ChatClient({ nick, forceLongPoll, sessionToken: session.token, accessToken: savedToken() });
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
  let active = null;
  // What was typed and not sent, per room; kept across reloads.
  const savedDrafts = store.get("chatter.drafts", {});
  const drafts = new Map(Object.entries(savedDrafts && typeof savedDrafts === "object" ? savedDrafts : {}).filter(([, v]) => typeof v === "string"));
  const saveDraft = (name, text) => {
    if (!name) return;
    if (text === "") drafts.delete(name);
    else drafts.set(name, text);
    store.set("chatter.drafts", Object.fromEntries(drafts));
  };
  const dirBaseline = new Map(); // directory message counts when first seen: unread for rooms not joined

  view.showApp(session);
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

  const hashRoom = () => decodeURIComponent(location.hash.slice(1));

  function persist() {
    store.set("chatter.rooms", [...client.rooms.keys()]);
    store.set("chatter.active", active);
  }

  function updateTitle() {
    let total = 0;
    for (const r of client.rooms.values()) if (r.name !== active || document.hidden) total += r.unread;
    view.setTitle(total, active);
  }

  function renderRooms() {
    const joined = [...client.rooms.values()].map((r) => ({
      name: r.name, joined: true, unread: r.unread, mentioned: r.mentioned, state: r.state,
    }));
    const others = [...client.directory.values()]
      .filter((d) => !client.rooms.has(d.name))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => {
        if (!dirBaseline.has(d.name)) dirBaseline.set(d.name, d.messages ?? 0);
        return { name: d.name, joined: false, members: d.members ?? 0, unread: Math.max(0, (d.messages ?? 0) - dirBaseline.get(d.name)) };
      });
    view.renderRooms(joined, others, active);
    updateTitle();
  }

  function activate(name) {
    const room = name ? client.rooms.get(name) : null;
    const previous = active;
    active = room ? room.name : null;
    if (previous && previous !== active) client.setTyping(client.rooms.get(previous), false);
    const firstUnread = room && room.unread > 0 ? room.firstUnreadId : null;
    if (room) { room.unread = 0; room.mentioned = false; }
    view.showRoom(room, (text) => { if (previous && client.rooms.has(previous)) saveDraft(previous, text); }, drafts.get(active) ?? "");
    if (room && previous !== active) view.markNew(room, firstUnread);
    if (active && hashRoom() !== active) history.replaceState(null, "", `#${active}`);
    persist();
    renderRooms();
  }

  function joinRoom(name) {
    if (!validRoom(name)) return "Room names are 1–64 letters, digits, “.”, “_” or “-”.";
    if (!client.rooms.has(name)) {
      client.join(name);
      dirBaseline.delete(name);
    }
    activate(name);
    return "";
  }

  client.on("connection", (state, transport, note) => view.setConnection(state, transport, note));
  window.addEventListener("online", () => client.probeNow());
  client.on("directory", renderRooms);
  client.on("room", (room) => { view.updateRoom(room); renderRooms(); });
  client.on("presence", (room) => view.renderMembers(room));
  client.on("typing", (room) => view.renderTyping(room));
  client.on("room-error", (room, reason) => view.fire("joinError", room, reason));
  client.on("messages", (room, msgs, kind) => {
    view.addMessages(room, msgs, kind);
    // Only news counts as unread: not the join backlog, not older pages.
    if (kind !== "live" && kind !== "missed") return;
    if (room.name === active && !document.hidden) return;
    const others = msgs.filter((m) => m.user !== nick);
    if (others.length === 0) return;
    if (room.unread === 0) room.firstUnreadId = others[0].id; // where the "new" line goes
    room.unread += others.length;
    if (others.some((m) => mentions(m.body, nick))) room.mentioned = true;
    renderRooms();
  });
  client.on("left", (room) => {
    view.removeLog(room.name);
    saveDraft(room.name, "");
    dirBaseline.set(room.name, client.directory.get(room.name)?.messages ?? 0);
    if (active === room.name) activate(client.rooms.keys().next().value ?? null);
    else { persist(); renderRooms(); }
  });

  view.on("joinError", (room, reason) => {
    document.getElementById("join-error").textContent = `Couldn't join #${room.name}: ${reason}.`;
  });
  view.on("select", (name) => joinRoom(name));
  view.on("join", (name) => joinRoom(name));
  view.on("leave", (name) => client.leave(name));
  view.on("typing", () => client.setTyping(client.rooms.get(active), true));
  view.on("draft", (name, text) => saveDraft(name, text));
  view.on("older", (name) => { const r = client.rooms.get(name); if (r) client.loadOlder(r); });
  view.on("send", (name, body) => {
    const room = client.rooms.get(name);
    if (!room) return;
    client.send(room, body).catch((err) => {
      view.restoreDraft(name, body);
      view.notice(name, `Not sent: ${err.message}.`);
    });
  });

  document.addEventListener("visibilitychange", () => {
    const room = client.rooms.get(active);
    if (!document.hidden && room) { room.unread = 0; room.mentioned = false; renderRooms(); }
    else updateTitle();
  });
  window.addEventListener("hashchange", () => { if (validRoom(hashRoom())) joinRoom(hashRoom()); });

  client.connect();
  if (session.role === "admin") {
    const admin = new AdminPanel(client, () => active);
    view.on("manage", (member) => admin.open(member));
  }
  const remembered = store.get("chatter.rooms", [DEFAULT_ROOM]);
  const names = (Array.isArray(remembered) ? remembered : [DEFAULT_ROOM]).filter((n) => typeof n === "string" && validRoom(n));
  for (const name of names) client.join(name);
  const wanted = [hashRoom(), store.get("chatter.active")].find((n) => typeof n === "string" && validRoom(n));
  if (wanted) joinRoom(wanted);
  else activate(names[0] ?? null);
}
