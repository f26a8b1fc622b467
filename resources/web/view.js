// SPDX-License-Identifier: MIT
// The DOM side. Builds everything with el()/textContent (never innerHTML), keeps one
// scrolling log per room so switching rooms keeps each room's scroll position.
import { el, nickHue, parseAt, formatStamp, appendBody, mentions, typingText, validNick, MAX_BODY } from "/assets/util.js";
import { passwordProblem } from "/assets/entry.js";

const $ = (id) => document.getElementById(id);
const GROUP_MS = 5 * 60 * 1000; // consecutive messages by one user within this share a header
const NEAR_BOTTOM_PX = 48;
const NEAR_TOP_PX = 80;
// The counter appears this close to the server's limit, early enough to trim before sending.
const COUNT_FROM = MAX_BODY - 200;
const fmt = (n) => n.toLocaleString("en");
const CONNECTION_TEXT = { connecting: "connecting…", connected: "connected", reconnecting: "reconnecting…", refused: "refused by the server" };

// How roles read in the member list and under one's own name: words, not only a colour.
const ROLE_TEXT = { admin: "admin", member: "registered", guest: "guest" };

// A native modal (showModal): Esc closes it and the page behind is inert; the focus goes back
// to whatever opened it, and Tab wraps around inside instead of leaving for the browser's UI.
export function wireModal(dialog, cancel) {
  let opener = null;
  const showModal = dialog.showModal.bind(dialog);
  dialog.showModal = () => { opener = document.activeElement; showModal(); };
  cancel?.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    // A list re-rendered meanwhile (the member list on a presence change) has replaced the
    // opener: its stand-in has the same name.
    const label = opener?.getAttribute("aria-label");
    if (opener && !opener.isConnected && label) opener = [...document.querySelectorAll("[aria-label]")].find((n) => n.getAttribute("aria-label") === label) ?? null;
    opener?.focus();
  });
  dialog.addEventListener("keydown", (e) => {
    if (e.key !== "Tab") return;
    const items = [...dialog.querySelectorAll("input, button, textarea, select")]
      .filter((n) => !n.disabled && !n.hidden && n.getClientRects().length > 0);
    const first = items[0];
    const last = items.at(-1);
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  });
}

function avatar(nick) {
  const a = el("span", { className: "avatar", "aria-hidden": "true", text: nick.slice(0, 1).toUpperCase() });
  a.style.setProperty("--hue", nickHue(nick));
  return a;
}

export class View {
  constructor() {
    this.nick = "";
    this.logs = new Map(); // room name → {log, list, older}
    this.active = null;
    this.activeRoom = null;
    this.connState = "connecting";
    this.role = "";
    this.handlers = {};
    this.bindStatic();
  }

  // The app registers callbacks: select, join, leave, send, typing, older, draft, changeNick,
  // changePassword, signOut, manage (an admin picked a member).
  on(name, fn) { this.handlers[name] = fn; }

  fire(name, ...args) { return this.handlers[name]?.(...args); }

  bindStatic() {
    // The first sign-in is the entry screen (entry.js); changing the nickname later is a dialog.
    const dialog = $("nick-dialog");
    const nickInput = $("nick-change-input");
    $("nick-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const nick = nickInput.value.trim();
      const error = (text) => { $("nick-change-error").textContent = text; nickInput.focus(); };
      if (!validNick(nick)) {
        error(nick === "" ? "Please enter a nickname." : "Only letters, digits, “_”, “.” and “-” are allowed (no spaces).");
        return;
      }
      if (nick === this.nick) { dialog.close(); return; }
      // The app asks the server first (a guest session for the new name); "" means done.
      const why = await this.fire("changeNick", nick);
      if (why) error(why);
      else dialog.close();
    });
    nickInput.addEventListener("input", () => { $("nick-change-error").textContent = ""; });
    $("change-nick").addEventListener("click", () => this.showNickDialog());
    wireModal(dialog, $("nick-change-cancel"));

    const passwordDialog = $("password-dialog");
    $("password-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const old = $("old-password").value;
      const fresh = $("new-password").value;
      const error = (text, field) => { $("password-error").textContent = text; field.focus(); };
      if (old === "") { error("Please enter your current password.", $("old-password")); return; }
      const problem = passwordProblem(fresh, $("new-password-confirm").value);
      if (problem) { error(problem, problem.includes("same") ? $("new-password-confirm") : $("new-password")); return; }
      const why = await this.fire("changePassword", old, fresh);
      if (why) { error(why, /current/i.test(why) ? $("old-password") : $("new-password")); return; }
      passwordDialog.close();
      this.showBanner("Password changed. Your other signed-in browsers and devices were signed out.", "ok");
    });
    for (const id of ["old-password", "new-password", "new-password-confirm"]) {
      $(id).addEventListener("input", () => { $("password-error").textContent = ""; });
    }
    $("change-password").addEventListener("click", () => this.showPasswordDialog());
    // Nothing typed into a password field outlives the dialog.
    passwordDialog.addEventListener("close", () => {
      for (const id of ["old-password", "new-password", "new-password-confirm"]) $(id).value = "";
    });
    wireModal(passwordDialog, $("password-cancel"));
    $("sign-out").addEventListener("click", () => this.fire("signOut"));

    $("join-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const name = $("join-input").value.trim().replace(/^#/, "");
      if (name === "") return;
      const why = this.fire("join", name);
      $("join-error").textContent = why || "";
      if (!why) { $("join-input").value = ""; this.closeDrawers(); }
    });
    $("join-input").addEventListener("input", () => { $("join-error").textContent = ""; });

    $("composer").addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });
    const input = $("input");
    input.addEventListener("keydown", (e) => {
      // Enter sends, Shift+Enter is a newline; never while an IME is composing.
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.submit(); }
    });
    input.addEventListener("input", () => {
      this.autosize();
      this.updateCount();
      this.composerError("");
      this.fire("draft", this.active, input.value);
      if (input.value.trim() !== "") this.fire("typing");
    });

    $("jump-new").addEventListener("click", () => {
      const entry = this.logs.get(this.active);
      if (entry) this.scrollToLatest(entry);
      $("input").focus();
    });
    $("leave").addEventListener("click", () => this.active && this.fire("leave", this.active));
    $("rooms-toggle").addEventListener("click", () => this.toggleDrawer("rooms"));
    $("members-toggle").addEventListener("click", () => this.toggleDrawer("members"));
    $("scrim").addEventListener("click", () => this.closeDrawers());
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") this.closeDrawers(); });
  }

  showNickDialog() {
    $("nick-change-input").value = this.nick;
    $("nick-change-error").textContent = "";
    $("nick-dialog").showModal();
    $("nick-change-input").select();
  }

  showPasswordDialog() {
    $("password-user").value = this.nick;
    $("password-error").textContent = "";
    $("password-dialog").showModal();
    $("old-password").focus();
  }

  // session: {user, role, kind} (kind "account", "guest" or "bare"). Accounts change their
  // password; guests change their nickname; admins get the admin tools.
  showApp(session) {
    const nick = session.user;
    this.nick = nick;
    this.role = session.role;
    $("login").hidden = true;
    $("app").hidden = false;
    $("me-nick").textContent = nick;
    $("me-role").textContent = ROLE_TEXT[session.role] ?? "";
    $("change-nick").hidden = session.kind === "account";
    $("change-password").hidden = session.kind !== "account";
    $("admin-open").hidden = session.role !== "admin";
    $("me-avatar").replaceWith(Object.assign(avatar(nick), { id: "me-avatar" }));
    $("input").focus(); // signed in: the next keystrokes are a message
  }

  // note: "" | "fallback" (WebSocket failed, long-poll on its way) | "probing" (on long-poll,
  // WebSocket retried in the background).
  setConnection(state, transport, note = "") {
    this.connState = state;
    this.updateReachability();
    const conn = $("conn");
    conn.dataset.state = state;
    conn.dataset.transport = transport;
    let text = CONNECTION_TEXT[state];
    if (note === "fallback" && state !== "connected") text = "WebSocket failed, trying long-poll…";
    else if (state === "connected" && transport === "longpoll") text += note === "probing" ? " (long-poll, retrying WebSocket)" : " (long-poll)";
    $("conn-text").textContent = text;
    conn.title = transport !== "longpoll" ? "Using WebSocket"
      : note ? "WebSocket does not get through here, so HTTP long-polling is used; WebSocket is tried again in the background"
        : "Using HTTP long-polling";
  }

  // Drawers exist only on narrow screens (CSS decides); the classes are harmless elsewhere.
  toggleDrawer(which) {
    const app = $("app");
    const open = !app.classList.contains(`show-${which}`);
    this.closeDrawers();
    app.classList.toggle(`show-${which}`, open);
    $(`${which}-toggle`).setAttribute("aria-expanded", String(open));
  }

  closeDrawers() {
    $("app").classList.remove("show-rooms", "show-members");
    $("rooms-toggle").setAttribute("aria-expanded", "false");
    $("members-toggle").setAttribute("aria-expanded", "false");
  }

  // entries: [{name, joined, unread, mentioned, members}]
  renderRooms(joined, others, active) {
    const item = (r) => {
      const badge = r.unread > 0
        ? el("span", { className: r.mentioned ? "badge mention" : "badge", text: r.unread > 99 ? "99+" : String(r.unread), "aria-label": `${r.unread} unread` })
        : r.joined ? null : el("span", { className: "count", title: `${r.members} online`, text: r.members > 0 ? String(r.members) : "" });
      return el("li", {},
        el("button", {
          type: "button",
          className: ["room", r.name === active && "active", r.unread > 0 && "unread", r.state === "joining" && "pending"].filter(Boolean).join(" "),
          "aria-current": r.name === active ? "page" : null,
          dataset: { room: r.name },
          // Then the composer has the focus, so that typing goes to the room just chosen.
          onclick: () => { this.fire("select", r.name); this.closeDrawers(); $("input").focus(); },
        }, el("span", { className: "hash", "aria-hidden": "true", text: "#" }), el("span", { className: "room-name", text: r.name }), badge));
    };
    const nav = $("room-nav");
    // replaceChildren() turns null into the text "null": only real nodes go in.
    nav.replaceChildren(...[
      el("h2", { text: "Your rooms" }),
      joined.length ? el("ul", { id: "room-list", className: "room-list" }, joined.map(item)) : el("p", { className: "muted small", text: "None yet — join one above." }),
      others.length ? el("h2", { text: "Other rooms" }) : null,
      others.length ? el("ul", { id: "other-rooms", className: "room-list" }, others.map(item)) : null,
    ].filter(Boolean));
    const total = joined.reduce((n, r) => n + (r.name === active ? 0 : r.unread), 0);
    $("rooms-toggle-badge").hidden = total === 0;
    $("rooms-toggle-badge").textContent = String(total);
  }

  logFor(room) {
    let entry = this.logs.get(room.name);
    if (entry) return entry;
    const older = el("button", { type: "button", className: "load-older", text: "Load older messages", onclick: () => this.fire("older", room.name) });
    const start = el("p", { className: "log-start", text: `This is the beginning of #${room.name}.` });
    const list = el("div", { className: "msgs" });
    const log = el("div", { className: "log", hidden: true, dataset: { room: room.name }, role: "log", "aria-label": `Messages in #${room.name}` },
      el("div", { className: "log-top" }, older, start), list);
    entry = { log, list, older, start, stick: true, unseen: 0 };
    log.addEventListener("scroll", () => {
      entry.stick = log.scrollTop + log.clientHeight >= log.scrollHeight - NEAR_BOTTOM_PX;
      if (entry.stick && entry.unseen > 0) { entry.unseen = 0; this.updateJump(); }
      if (log.scrollTop < NEAR_TOP_PX) this.fire("older", room.name);
    }, { passive: true });
    $("logs").append(log);
    this.logs.set(room.name, entry);
    return entry;
  }

  removeLog(name) {
    this.logs.get(name)?.log.remove();
    this.logs.delete(name);
  }

  messageNode(m) {
    const own = m.user === this.nick;
    const date = parseAt(m.at);
    const hue = nickHue(m.user);
    const node = el("div", {
      className: ["msg", own && "own", !own && mentions(m.body, this.nick) && "mentioned"].filter(Boolean).join(" "),
      dataset: { id: String(m.id), user: m.user, ts: date ? String(date.getTime()) : "" },
    },
    avatar(m.user),
    el("div", { className: "msg-main" },
      el("div", { className: "msg-head" },
        el("span", { className: "nick", text: m.user }),
        own ? el("span", { className: "you", text: "you" }) : null,
        el("time", { datetime: date?.toISOString(), title: date?.toLocaleString(), text: formatStamp(date) })),
      appendBody(el("div", { className: "body" }), String(m.body ?? ""), own ? "" : this.nick)),
    el("time", { className: "side-time", "aria-hidden": "true", text: date ? formatStamp(date).split(" ").at(-1) : "" }));
    node.style.setProperty("--hue", hue);
    return node;
  }

  // Messages with the same author in a row collapse into one header, like the desktop client.
  regroup(node) {
    if (!node) return;
    const prev = node.previousElementSibling;
    const cont = prev && prev.dataset.user === node.dataset.user &&
      Math.abs(Number(node.dataset.ts) - Number(prev.dataset.ts)) < GROUP_MS;
    node.classList.toggle("cont", Boolean(cont));
  }

  // msgs are new (deduped by the session) and sorted by id; usually they go at the end,
  // but history pages and late arrivals are slotted in by id.
  addMessages(room, msgs, kind) {
    const entry = this.logFor(room);
    const { log, list } = entry;
    const visible = !log.hidden;
    const prevHeight = log.scrollHeight;
    const prevTop = log.scrollTop;
    // Where the reader is now, not as of the last scroll event (which may still be queued).
    if (visible) entry.stick = prevTop + log.clientHeight >= prevHeight - NEAR_BOTTOM_PX;
    let ownAdded = false;
    let othersAdded = 0;
    for (const m of msgs) {
      const node = this.messageNode(m);
      let before = null;
      const last = list.lastElementChild;
      if (last && Number(last.dataset.id) > m.id) {
        before = [...list.children].find((c) => Number(c.dataset.id) > m.id) || null;
      }
      list.insertBefore(node, before);
      this.regroup(node);
      this.regroup(node.nextElementSibling);
      if (m.user === this.nick) ownAdded = true;
      else othersAdded += 1;
    }
    this.updateLogTop(room);
    if (kind === "older") {
      if (visible) log.scrollTop = prevTop + (log.scrollHeight - prevHeight);
    } else if (kind === "initial" || ownAdded || entry.stick) {
      entry.stick = true;
      if (visible) log.scrollTop = log.scrollHeight;
    } else if (othersAdded > 0) {
      // Reading older messages: news does not pull the view down, a button offers it.
      entry.unseen += othersAdded;
      this.updateJump();
    }
  }

  scrollToLatest(entry) {
    entry.stick = true;
    entry.unseen = 0;
    entry.log.scrollTop = entry.log.scrollHeight;
    this.updateJump();
  }

  updateJump() {
    const entry = this.logs.get(this.active);
    const n = entry?.unseen ?? 0;
    $("jump-new").hidden = n === 0;
    $("jump-new").textContent = `${n === 1 ? "1 new message" : `${n} new messages`} ↓`;
  }

  // A "new" line above the first message not seen yet, when a room with unread messages is
  // opened; the view starts there instead of at the bottom. Any older line goes.
  markNew(room, firstUnreadId) {
    const entry = this.logFor(room);
    const old = entry.list.querySelector(".new-divider");
    if (old) {
      const next = old.nextElementSibling;
      old.remove();
      this.regroup(next);
    }
    if (firstUnreadId === null || firstUnreadId === undefined) return;
    const first = [...entry.list.children].find((c) => c.dataset.id && Number(c.dataset.id) >= firstUnreadId);
    if (!first) return;
    const divider = el("div", { className: "new-divider", role: "separator", "aria-label": "New messages below" },
      el("span", { text: "New" }));
    entry.list.insertBefore(divider, first);
    this.regroup(first);
    if (entry.log.hidden) return;
    const top = entry.log.scrollTop + divider.getBoundingClientRect().top - entry.log.getBoundingClientRect().top - 8;
    if (top < entry.log.scrollTop || top > entry.log.scrollTop + entry.log.clientHeight - 40) {
      entry.log.scrollTop = top;
      entry.stick = entry.log.scrollTop + entry.log.clientHeight >= entry.log.scrollHeight - NEAR_BOTTOM_PX;
    }
  }

  updateLogTop(room) {
    const entry = this.logFor(room);
    entry.older.hidden = !room.more;
    entry.older.disabled = room.loadingOlder;
    entry.older.textContent = room.loadingOlder ? "Loading…" : "Load older messages";
    // Only claim "the beginning" once the server said there is nothing older.
    entry.start.hidden = room.more || room.state !== "joined";
  }

  notice(roomName, text) {
    const entry = this.logs.get(roomName);
    if (!entry) return;
    entry.list.append(el("div", { className: "notice", role: "alert", text }));
    entry.log.scrollTop = entry.log.scrollHeight;
  }

  // room is a Room or null (nothing joined).
  showRoom(room, draftOut, draftIn = "") {
    const input = $("input");
    if (draftOut !== undefined) draftOut(input.value);
    this.active = room?.name ?? null;
    this.activeRoom = room ?? null;
    for (const [name, entry] of this.logs) entry.log.hidden = name !== this.active;
    $("empty").hidden = Boolean(room);
    $("room-title").textContent = room ? `#${room.name}` : "Chatter";
    $("leave").hidden = !room;
    $("composer").hidden = !room;
    input.value = draftIn;
    input.placeholder = room ? `Message #${room.name}` : "";
    this.autosize();
    this.updateCount();
    this.composerError("");
    if (room) {
      const entry = this.logFor(room);
      entry.log.hidden = false;
      if (entry.stick) entry.log.scrollTop = entry.log.scrollHeight;
      this.updateRoom(room);
    }
    this.updateJump();
    this.renderMembers(room);
    this.renderTyping(room);
  }

  updateRoom(room) {
    this.updateLogTop(room);
    if (room.name !== this.active) return;
    $("send").disabled = room.state !== "joined";
    this.updateReachability();
    $("input").placeholder = room.state === "joined" ? `Message #${room.name}` : `Joining #${room.name}…`;
  }

  renderMembers(room) {
    if (room && room.name !== this.active) return;
    const members = room ? room.members() : [];
    const admin = this.role === "admin";
    $("member-count").textContent = members.length ? String(members.length) : "";
    $("members-toggle-count").textContent = String(members.length);
    $("member-list").replaceChildren(...members.map((m) => el("li", {
      className: ["member", m.nick === this.nick && "self"].filter(Boolean).join(" "),
      dataset: { nick: m.nick, status: m.status, role: m.role },
      title: [m.client && `on ${m.client}`, m.sessions > 1 && `${m.sessions} sessions`].filter(Boolean).join(", ") || null,
    },
    el("span", { className: "avatar-wrap" }, avatar(m.nick), el("span", { className: `presence ${m.status}` })),
    el("span", { className: "member-main" },
      el("span", { className: "member-line" },
        el("span", { className: "member-nick", text: m.nick }),
        m.nick === this.nick ? el("span", { className: "you", text: "you" }) : null),
      el("span", { className: "member-meta" },
        ROLE_TEXT[m.role] ? el("span", { className: `role role-${m.role}`, text: ROLE_TEXT[m.role] }) : null,
        m.client === "web" || m.client === "desktop" ? el("span", { className: "client", text: m.client }) : null)),
    admin && m.nick !== this.nick
      ? el("button", {
        type: "button", className: "icon-button manage", "aria-label": `Admin actions for ${m.nick}`, title: `Admin actions for ${m.nick}`,
        onclick: () => this.fire("manage", m.nick),
      }, el("span", { "aria-hidden": "true", text: "⋯" }))
      : null)));
  }

  // A line under the header for what happened to the whole session (disconnected by an admin,
  // password changed); tone "ok" or "warn".
  showBanner(text, tone = "warn") {
    const banner = $("banner");
    banner.hidden = text === "";
    banner.textContent = text;
    banner.dataset.tone = tone;
  }

  renderTyping(room) {
    if (room && room.name !== this.active) return;
    $("typing").textContent = room ? typingText(room.typingUsers()) : "";
  }

  // While the connection (or the room's channel) is down, sending is paused and the member
  // list is only what was true before: both say so instead of failing silently.
  updateReachability() {
    const room = this.activeRoom;
    const online = this.connState === "connected";
    const stale = !online || (room !== null && room.state !== "joined");
    $("members").classList.toggle("stale", stale);
    $("members-note").hidden = !stale || !room;
    $("members-note").textContent = online
      ? `Joining #${room?.name ?? ""}: who is here is not known yet.`
      : "Not connected: who is here is unknown until the connection is back.";
    $("composer-note").textContent = online || !room ? ""
      : this.connState === "reconnecting"
        ? "Offline, reconnecting… Sending is paused; what you type stays here."
        : "Connecting… You can send once connected.";
  }

  submit() {
    const input = $("input");
    const body = input.value;
    if (body.trim() === "" || !this.active) return;
    if (this.connState !== "connected") {
      this.composerError("Not sent: you are offline. The message stays here; press Enter again once reconnected.");
      return;
    }
    if ($("send").disabled) {
      this.composerError(`Not sent yet: still joining #${this.active}. Press Enter again in a moment.`);
      return;
    }
    // The server refuses longer bodies; the text stays in the box so that nothing is lost.
    if (body.length > MAX_BODY) {
      this.composerError(`Too long to send: ${fmt(body.length)} characters, the limit is ${fmt(MAX_BODY)}. ` +
        `Shorten it by ${fmt(body.length - MAX_BODY)} or split it.`);
      return;
    }
    input.value = "";
    this.autosize();
    this.updateCount();
    this.composerError("");
    this.fire("draft", this.active, "");
    this.fire("send", this.active, body);
  }

  composerError(text) {
    if ($("composer-error").textContent !== text) $("composer-error").textContent = text;
  }

  // Shown near the limit: how many characters are left, or how many too many.
  updateCount() {
    const input = $("input");
    const n = input.value.length; // UTF-16 units, as the server counts (QString::size)
    const count = $("char-count");
    const over = n > MAX_BODY;
    count.hidden = n < COUNT_FROM;
    count.textContent = over ? `${fmt(n - MAX_BODY)} over the ${fmt(MAX_BODY)}-character limit` : `${fmt(MAX_BODY - n)} characters left`;
    count.classList.toggle("over", over);
    input.setAttribute("aria-invalid", String(over));
  }

  // A message the server refused comes back into the composer, unless the user
  // already started typing something else.
  restoreDraft(roomName, body) {
    if (roomName === this.active && $("input").value === "") {
      $("input").value = body;
      this.autosize();
      this.updateCount();
      this.fire("draft", roomName, body);
    }
  }

  autosize() {
    const input = $("input");
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
  }

  setTitle(unread, roomName) {
    document.title = `${unread > 0 ? `(${unread}) ` : ""}${roomName ? `#${roomName} · ` : ""}Chatter`;
  }
}
