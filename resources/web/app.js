// SPDX-License-Identifier: MIT
// Wires the session (chat.js) to the page (view.js): which room is in view, unread
// counts, drafts, and what is remembered in localStorage.
import { ChatClient } from "/assets/chat.js";
import { View } from "/assets/view.js";
import { validNick, validRoom, mentions, store } from "/assets/util.js";

const DEFAULT_ROOM = "lobby";
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

view.on("login", (nick, token) => {
  const previous = store.get("chatter.nick");
  const previousToken = savedToken();
  store.set("chatter.nick", nick);
  if (token !== undefined) store.set("chatter.token", token);
  // Changing nick (or token) mid-session: a clean reload is simpler than re-keying every channel.
  if (window.chatter && ((previous && previous !== nick) || (token !== undefined && token !== previousToken) || window.chatter.refused)) location.reload();
  else if (!window.chatter) start(nick);
  else view.showApp(nick);
});

const saved = store.get("chatter.nick");
if (typeof saved === "string" && validNick(saved)) start(saved);
else view.showLogin(typeof saved === "string" ? saved : "", "", { token: savedToken() });

function start(nick) {
  const client = new ChatClient({ nick, forceLongPoll, token: savedToken() });
  // The server said no (a wrong or missing access token, a ban): back to the sign-in, saying why.
  client.on("refused", (reason) => {
    const token = savedToken();
    const wantsToken = /token/i.test(reason);
    const why = wantsToken
      ? (token ? "The server did not accept this access token." : "This server needs an access token.")
      : `The server refused the connection: ${reason}`;
    view.showLogin(nick, why, { token, askToken: wantsToken });
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

  view.showApp(nick);

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
  const remembered = store.get("chatter.rooms", [DEFAULT_ROOM]);
  const names = (Array.isArray(remembered) ? remembered : [DEFAULT_ROOM]).filter((n) => typeof n === "string" && validRoom(n));
  for (const name of names) client.join(name);
  const wanted = [hashRoom(), store.get("chatter.active")].find((n) => typeof n === "string" && validRoom(n));
  if (wanted) joinRoom(wanted);
  else activate(names[0] ?? null);
}
