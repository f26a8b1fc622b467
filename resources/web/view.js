// SPDX-License-Identifier: MIT
// The DOM side. Builds everything with el()/textContent (never innerHTML), keeps one
// scrolling log per room so switching rooms keeps each room's scroll position.
import { el, nickHue, parseAt, formatStamp, appendBody, mentions, plainText, typingText, validNick, MAX_BODY } from "/assets/util.js";
import { passwordProblem } from "/assets/entry.js";
import { PendingFiles, formatSize, urlExpired, previewText } from "/assets/files.js";

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
// Statuses other than online, in words (the dot's colour is not the only mark).
const STATUS_TEXT = { away: "away", busy: "busy", dnd: "do not disturb" };

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
    this.mode = null;          // {kind: "reply"|"edit", id, saved}: what Enter does in the composer
    this.pendingDelete = null; // {room, id} while the confirmation is open
    this.pickerFor = null;     // {room, id} while the reaction picker is open
    this.canMessage = false;   // a registered account: DMs, groups and private rooms
    this.pending = null;       // PendingFiles, once signed in (it needs the session token)
    this.refreshing = new Set(); // "room/id" whose attachment URLs are being asked for again
    this.bindStatic();
    this.bindConversations();
    this.bindFiles();
  }

  // Attach button, drag and drop onto the conversation or the composer, pasted images, and the
  // image viewer (a native modal: Esc closes it).
  bindFiles() {
    const picker = $("file-input");
    $("attach").addEventListener("click", () => picker.click());
    picker.addEventListener("change", () => {
      this.attach([...picker.files]);
      picker.value = "";
      $("input").focus();
    });
    const chat = document.querySelector("main.chat");
    const hint = $("drop-hint");
    const carriesFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes("Files");
    let depth = 0; // dragenter/dragleave pairs of the children crossed
    chat.addEventListener("dragenter", (e) => {
      if (!carriesFiles(e) || !this.activeRoom) return;
      depth += 1;
      hint.hidden = false;
    });
    chat.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) hint.hidden = true;
    });
    chat.addEventListener("dragover", (e) => {
      if (!carriesFiles(e) || !this.activeRoom) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    });
    chat.addEventListener("drop", (e) => {
      depth = 0;
      hint.hidden = true;
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length === 0 || !this.activeRoom) return;
      e.preventDefault();
      this.attach(files);
      $("input").focus();
    });
    // A file pasted (an image from the clipboard) is attached; text pastes as usual. Text
    // copied from an office program comes with a picture of itself: the text wins then.
    $("input").addEventListener("paste", (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length === 0 || e.clipboardData.getData("text/plain") !== "") return;
      e.preventDefault();
      this.attach(files, { pasted: true });
    });

    const viewer = $("image-viewer");
    wireModal(viewer, $("image-viewer-close"));
    viewer.addEventListener("click", (e) => { if (e.target === viewer) viewer.close(); });
    viewer.addEventListener("close", () => { $("image-viewer-img").removeAttribute("src"); this.viewing = null; });
    $("image-viewer-img").addEventListener("error", () => {
      if (this.viewing) this.refreshAttachments(this.viewing.room, this.viewing.id);
    });
  }

  attach(files, opts = {}) {
    if (!this.pending || !this.active) return;
    this.composerError("");
    this.pending.add(this.active, files, opts);
  }

  // The attachments of a message: thumbnails of images (a click shows the full image), other
  // files as cards with a download link. Signed URLs expire: a thumbnail that fails to load, or
  // a URL whose exp has passed, asks for the message again (the app's refreshAttachments).
  attachmentsNode(m, room) {
    const list = Array.isArray(m.attachments) ? m.attachments.filter((a) => a && typeof a.url === "string") : [];
    if (list.length === 0) return null;
    if (list.some((a) => urlExpired(a.url) || urlExpired(a.thumb_url))) queueMicrotask(() => this.refreshAttachments(room, m.id));
    return el("div", { className: "attachments" }, list.map((a) => {
      const name = String(a.name ?? "file");
      const size = formatSize(a.size);
      if (typeof a.thumb_url === "string" && String(a.type ?? "").startsWith("image/")) {
        const img = el("img", {
          src: a.thumb_url, alt: name, loading: "lazy", decoding: "async",
          width: a.thumb_width ? String(a.thumb_width) : null, height: a.thumb_height ? String(a.thumb_height) : null,
        });
        img.addEventListener("error", () => this.refreshAttachments(room, m.id), { once: true });
        return el("button", {
          type: "button", className: "att-image", tabindex: "-1", dataset: { file: String(a.id ?? "") },
          "aria-label": `Open the image ${name} (${size})`, title: `${name} (${size})`,
          onclick: () => this.viewImage(room, m.id, a),
        }, img);
      }
      return el("div", { className: "att-file", dataset: { file: String(a.id ?? "") } },
        el("span", { className: "att-icon", "aria-hidden": "true", text: "📄" }),
        el("span", { className: "att-main" },
          el("a", {
            className: "att-name", href: a.url, download: name, tabindex: "-1", text: name,
            onclick: (e) => {
              if (!urlExpired(a.url)) return;
              e.preventDefault();
              this.refreshAttachments(room, m.id).then(() => this.logs.get(room)?.list
                .querySelector(`.msg[data-id="${m.id}"] .att-file[data-file="${CSS.escape(String(a.id ?? ""))}"] a`)?.click());
            },
          }),
          el("span", { className: "att-size", text: size })));
    }));
  }

  // Asks once at a time per message; the app replaces the message, which redraws its node.
  refreshAttachments(room, id) {
    const key = `${room}/${id}`;
    if (this.refreshing.has(key)) return Promise.resolve();
    this.refreshing.add(key);
    return Promise.resolve(this.fire("refreshAttachments", room, id))
      .finally(() => setTimeout(() => this.refreshing.delete(key), 30000));
  }

  viewImage(room, id, a) {
    this.viewing = { room, id, file: a.id };
    const img = $("image-viewer-img");
    img.alt = String(a.name ?? "");
    if (a.width && a.height) { img.width = a.width; img.height = a.height; } else { img.removeAttribute("width"); img.removeAttribute("height"); }
    img.src = a.url;
    $("image-viewer-name").textContent = `${a.name ?? ""} (${formatSize(a.size)}${a.width ? `, ${a.width}×${a.height}` : ""})`;
    $("image-viewer-download").href = a.url;
    $("image-viewer-download").download = String(a.name ?? "");
    $("image-viewer").showModal();
    $("image-viewer-close").focus();
  }

  // A message's attachments were signed again: an open viewer of one of them follows.
  updateViewer(room, m) {
    const v = this.viewing;
    if (!v || v.room !== room.name || v.id !== m.id || !$("image-viewer").open) return;
    const a = (m.attachments ?? []).find((x) => x.id === v.file);
    if (a) { $("image-viewer-img").src = a.url; $("image-viewer-download").href = a.url; }
  }

  // The app registers callbacks: select, join, leave, send, typing, older, draft, changeNick,
  // changePassword, signOut, manage (an admin picked a member), and for conversations: edit,
  // delete, react, jump (to a quoted message), message (open a DM), newConversation, invite,
  // mute, status, step (the next or previous conversation), notifications.
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
      const why = this.fire("join", name, { private: $("join-private").checked && !$("join-private-field").hidden });
      $("join-error").textContent = why || "";
      if (!why) { $("join-input").value = ""; $("join-private").checked = false; this.closeDrawers(); }
    });
    $("join-input").addEventListener("input", () => { $("join-error").textContent = ""; });

    $("composer").addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });
    const input = $("input");
    input.addEventListener("keydown", (e) => {
      // Enter sends, Shift+Enter is a newline; never while an IME is composing.
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.submit(); }
      // Up in an empty composer edits one's last message; Escape leaves reply or edit.
      else if (e.key === "ArrowUp" && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && input.value === "" && !this.mode) {
        if (this.editLast()) e.preventDefault();
      } else if (e.key === "Escape" && this.mode) {
        e.preventDefault();
        e.stopPropagation();
        this.cancelMode();
      }
    });
    input.addEventListener("input", () => {
      this.autosize();
      this.updateCount();
      this.composerError("");
      // An edit in progress is not a draft: the draft is kept aside and comes back after it.
      if (this.mode?.kind !== "edit") this.fire("draft", this.active, input.value);
      if (input.value.trim() !== "") this.fire("typing");
    });

    $("jump-new").addEventListener("click", () => {
      const entry = this.logs.get(this.active);
      if (this.activeRoom?.detached) this.fire("latest", this.active);
      else if (entry) this.scrollToLatest(entry);
      $("input").focus();
    });
    $("leave").addEventListener("click", () => this.active && this.fire("leave", this.active));
    $("rooms-toggle").addEventListener("click", () => this.toggleDrawer("rooms"));
    $("members-toggle").addEventListener("click", () => this.toggleDrawer("members"));
    $("scrim").addEventListener("click", () => this.closeDrawers());
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") this.closeDrawers(); });
  }

  bindConversations() {
    $("composer-mode-cancel").addEventListener("click", () => { this.cancelMode(); $("input").focus(); });

    const confirm = $("confirm-dialog");
    wireModal(confirm, $("confirm-cancel"));
    $("confirm-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const target = this.pendingDelete;
      this.pendingDelete = null;
      confirm.close();
      if (target) this.fire("delete", target.room, target.id);
    });
    confirm.addEventListener("close", () => { this.pendingDelete = null; });

    const picker = $("emoji-picker");
    wireModal(picker, $("emoji-picker-close"));
    picker.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-emoji]");
      if (b) this.pick(b.dataset.emoji, b.getAttribute("aria-pressed") !== "true");
      else if (e.target === picker) picker.close(); // a click beside it
    });
    picker.addEventListener("keydown", (e) => {
      const buttons = [...picker.querySelectorAll("button[data-emoji]")];
      const at = buttons.indexOf(document.activeElement);
      if (at < 0) return;
      const step = { ArrowRight: 1, ArrowDown: 4, ArrowLeft: -1, ArrowUp: -4 }[e.key];
      if (step === undefined) return;
      e.preventDefault();
      buttons[(at + step + buttons.length) % buttons.length].focus();
    });
    picker.addEventListener("close", () => { this.pickerFor = null; });

    wireModal($("help-dialog"), $("help-close"));
    $("help-open").addEventListener("click", () => $("help-dialog").showModal());

    const conv = $("conversation-dialog");
    wireModal(conv, $("conversation-cancel"));
    $("conversation-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const names = $("conversation-input").value.split(/[\s,]+/).map((n) => n.replace(/^@/, "")).filter(Boolean);
      const error = (text) => { $("conversation-error").textContent = text; $("conversation-input").focus(); };
      if (names.length === 0) { error("Please enter one nickname for a direct conversation, or several for a group."); return; }
      const bad = names.find((n) => !validNick(n));
      if (bad) { error(`“${bad}” is not a nickname.`); return; }
      if (names.length > 8) { error("A group has at most 8 other people."); return; }
      const why = await this.fire("newConversation", names);
      if (why) error(why);
      else conv.close();
    });
    $("conversation-input").addEventListener("input", () => { $("conversation-error").textContent = ""; });

    const invite = $("invite-dialog");
    wireModal(invite, $("invite-cancel"));
    $("invite").addEventListener("click", () => {
      $("invite-input").value = "";
      $("invite-error").textContent = "";
      $("invite-result").textContent = "";
      invite.showModal();
      $("invite-input").focus();
    });
    $("invite-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const nick = $("invite-input").value.trim().replace(/^@/, "");
      if (!validNick(nick)) { $("invite-error").textContent = "Please enter a nickname."; return; }
      const why = await this.fire("invite", this.active, nick);
      $("invite-error").textContent = why || "";
      $("invite-result").textContent = why ? "" : `${nick} is invited.`;
      if (!why) $("invite-input").value = "";
    });

    $("mute").addEventListener("click", () => {
      if (this.activeRoom) this.fire("mute", this.active, !this.activeRoom.muted);
    });
    $("status-select").addEventListener("change", (e) => this.fire("status", e.target.value));
    $("notify-enable").addEventListener("click", () => this.fire("notifications"));

    // Shortcuts anywhere on the page; "?" only outside text fields (it is typed there).
    document.addEventListener("keydown", (e) => {
      if ($("app").hidden) return;
      const typing = e.target instanceof HTMLElement && e.target.matches("input, textarea, select, [contenteditable]");
      if (document.querySelector("dialog[open]")) return;
      if (e.key === "F1" || (e.key === "?" && !typing && !e.ctrlKey && !e.altKey && !e.metaKey)) {
        e.preventDefault();
        $("help-dialog").showModal();
      } else if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
        e.preventDefault();
        this.fire("step", e.key === "ArrowUp" ? -1 : 1);
        $("input").focus();
      } else if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyN" && this.canMessage) {
        e.preventDefault();
        this.showConversationDialog();
      } else if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyM" && this.activeRoom) {
        e.preventDefault();
        const log = this.logs.get(this.active)?.log;
        log?.focus();
      }
    });
  }

  showConversationDialog(names = "") {
    $("conversation-input").value = names;
    $("conversation-error").textContent = "";
    $("conversation-dialog").showModal();
    $("conversation-input").focus();
  }

  // Accounts get DMs, groups and private rooms; guests do not (docs/conversations.md).
  setAccountFeatures(enabled) {
    this.canMessage = enabled;
    $("join-private-field").hidden = !enabled;
  }

  setStatus(status) {
    $("status-select").value = status;
  }

  // Offers the browser's notifications when they are possible and not yet decided; otherwise
  // says what happens instead.
  setNotificationState(state) {
    $("notify-enable").hidden = state !== "ask";
    $("notify-note").hidden = state !== "insecure";
  }

  // An in-page alert for a mention or DM (when system notifications are unavailable): clicking
  // it opens the conversation; it goes by itself after a while.
  toast(title, text, key, note = "") {
    const box = $("toasts");
    const node = el("div", { className: "toast", role: "alert", dataset: { room: key } },
      el("button", {
        type: "button", className: "toast-open",
        onclick: () => { node.remove(); this.fire("select", key); $("input").focus(); },
      }, el("strong", { text: title }), el("span", { className: "toast-text", text })),
      note ? el("p", { className: "toast-note", text: note }) : null,
      el("button", { type: "button", className: "icon-button toast-close", "aria-label": "Dismiss", onclick: () => node.remove() },
        el("span", { "aria-hidden": "true", text: "×" })));
    box.append(node);
    while (box.children.length > 3) box.firstElementChild.remove();
    setTimeout(() => node.remove(), 12000);
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
    this.pending = new PendingFiles($("pending-files"), {
      token: session.token,
      onError: (text) => this.composerError(text),
      onChange: () => {},
    });
    $("attach").hidden = !session.token; // a bare guest (no session) cannot upload
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

  // Three lists: direct conversations (accounts only; `dms` is null for guests), the rooms
  // joined (public, private, groups) and the other rooms of the directory. Each entry:
  // {key, label, kind, joined, unread, mentioned, muted, state, members, private, group}.
  // A muted conversation shows no count unless it mentions the user.
  renderRooms(dms, joined, others, active) {
    const item = (r) => {
      const shown = r.unread > 0 && (!r.muted || r.mentioned);
      const badge = shown
        ? el("span", { className: r.mentioned ? "badge mention" : "badge", text: r.unread > 99 ? "99+" : String(r.unread), "aria-label": `${r.unread} unread${r.mentioned ? ", mentions you" : ""}` })
        : r.joined || r.kind === "dm" ? null : el("span", { className: "count", title: `${r.members} online`, text: r.members > 0 ? String(r.members) : "" });
      const mark = r.kind === "dm" ? "@" : r.group ? "●" : r.private ? "🔒" : "#";
      return el("li", {},
        el("button", {
          type: "button",
          className: ["room", r.key === active && "active", shown && "unread", r.state === "joining" && "pending", r.muted && "muted"].filter(Boolean).join(" "),
          "aria-current": r.key === active ? "page" : null,
          dataset: { room: r.key, ...(r.kind === "dm" ? { peer: r.label } : {}) },
          // Then the composer has the focus, so that typing goes to the conversation chosen.
          onclick: () => { this.fire("select", r.key); this.closeDrawers(); $("input").focus(); },
        },
        el("span", { className: "hash", "aria-hidden": "true", text: mark }),
        el("span", { className: "room-name", text: r.label }),
        r.private && !r.group && r.kind !== "dm" ? el("span", { className: "sr-only", text: " (private)" }) : null,
        r.muted ? el("span", { className: "muted-mark", title: "Muted", "aria-label": "muted", text: "🔕" }) : null,
        badge));
    };
    const nav = $("room-nav");
    // replaceChildren() turns null into the text "null": only real nodes go in.
    nav.replaceChildren(...[
      dms ? el("div", { className: "nav-head" }, el("h2", { text: "Direct messages" }),
        el("button", { type: "button", id: "new-conversation", className: "icon-button small-button", "aria-label": "New conversation", title: "New conversation (Alt+N)", onclick: () => this.showConversationDialog() },
          el("span", { "aria-hidden": "true", text: "+" }))) : null,
      dms && dms.length ? el("ul", { id: "dm-list", className: "room-list" }, dms.map(item)) : null,
      dms && !dms.length ? el("p", { className: "muted small", text: "None yet — “Message” on a member starts one." }) : null,
      el("h2", { text: "Your rooms" }),
      joined.length ? el("ul", { id: "room-list", className: "room-list" }, joined.map(item)) : el("p", { className: "muted small", text: "None yet — join one above." }),
      others.length ? el("h2", { text: "Other rooms" }) : null,
      others.length ? el("ul", { id: "other-rooms", className: "room-list" }, others.map(item)) : null,
    ].filter(Boolean));
    const total = [...(dms ?? []), ...joined].reduce((n, r) => n + (r.key === active || (r.muted && !r.mentioned) ? 0 : r.unread), 0);
    $("rooms-toggle-badge").hidden = total === 0;
    $("rooms-toggle-badge").textContent = String(total);
  }

  logFor(room) {
    let entry = this.logs.get(room.name);
    if (entry) return entry;
    const older = el("button", { type: "button", className: "load-older", text: "Load older messages", onclick: () => this.fire("older", room.name) });
    const title = room.title(this.nick);
    const start = el("p", { className: "log-start", text: room.kind === "dm" ? `This is the beginning of your conversation with ${title}.` : `This is the beginning of ${title}.` });
    const list = el("div", { className: "msgs" });
    // Opened at an older message (a search result): newer pages come as the reader scrolls down.
    const newer = el("button", { type: "button", className: "load-newer", hidden: true, text: "Load newer messages", onclick: () => this.fire("newer", room.name) });
    const log = el("div", { className: "log", hidden: true, dataset: { room: room.name }, role: "log", "aria-label": `Messages in ${title}` },
      el("div", { className: "log-top" }, older, start), list, newer);
    entry = { log, list, older, newer, start, stick: true, unseen: 0, current: null };
    // One stop in the Tab order for the whole log: it hands the focus to the message last
    // visited (or the newest); arrow keys move from there.
    log.tabIndex = 0;
    log.addEventListener("focus", (e) => {
      if (e.target !== log) return;
      const msgs = list.querySelectorAll(":scope > .msg");
      const node = (entry.current !== null && list.querySelector(`.msg[data-id="${entry.current}"]`)) || msgs[msgs.length - 1];
      if (node) node.focus();
    });
    log.addEventListener("keydown", (e) => {
      const node = e.target.closest?.(".msg");
      if (node && e.target === node) this.messageKey(e, node);
    });
    log.addEventListener("focusin", (e) => {
      const node = e.target.closest?.(".msg");
      if (node) entry.current = Number(node.dataset.id);
    });
    log.addEventListener("scroll", () => {
      entry.stick = log.scrollTop + log.clientHeight >= log.scrollHeight - NEAR_BOTTOM_PX;
      if (entry.stick && entry.unseen > 0) { entry.unseen = 0; this.updateJump(); }
      if (log.scrollTop < NEAR_TOP_PX) this.fire("older", room.name);
      if (room.detached && log.scrollTop + log.clientHeight >= log.scrollHeight - NEAR_TOP_PX) this.fire("newer", room.name);
    }, { passive: true });
    $("logs").append(log);
    this.logs.set(room.name, entry);
    return entry;
  }

  removeLog(name) {
    this.logs.get(name)?.log.remove();
    this.logs.delete(name);
  }

  // One message: the quote of the message it answers, the header, the body by the formatting
  // rules, the reactions, and a toolbar (reply, react, edit, delete) shown on hover and focus.
  // A deleted message keeps its place as a line saying so.
  messageNode(m, roomKey = this.active) {
    if (m.deleted) {
      return el("div", { className: "msg deleted", tabindex: "-1", dataset: { id: String(m.id), user: "", ts: "" } },
        el("span", { className: "avatar-space", "aria-hidden": "true" }),
        el("div", { className: "msg-main" }, el("p", { className: "body deleted-text", text: "This message was deleted." })));
    }
    const own = m.user === this.nick;
    const date = parseAt(m.at);
    const hue = nickHue(m.user);
    const body = String(m.body ?? "");
    const edited = m.edited_at ? parseAt(m.edited_at) : null;
    const node = el("div", {
      className: ["msg", own && "own", !own && !m.system && mentions(body, this.nick) && "mentioned", m.system && "system", m.reply_to && "reply"].filter(Boolean).join(" "),
      tabindex: "-1",
      dataset: { id: String(m.id), user: m.user, ts: date ? String(date.getTime()) : "" },
    },
    avatar(m.user),
    el("div", { className: "msg-main" },
      m.reply_to ? this.quoteNode(m) : null,
      el("div", { className: "msg-head" },
        el("span", { className: "nick", text: m.user }),
        own ? el("span", { className: "you", text: "you" }) : null,
        el("time", { datetime: date?.toISOString(), title: date?.toLocaleString(), text: formatStamp(date) }),
        edited ? el("span", { className: "edited", title: `Edited ${edited.toLocaleString()}`, text: "(edited)" }) : null),
      body === "" && Array.isArray(m.attachments) && m.attachments.length ? null : appendBody(el("div", { className: "body" }), body, own ? "" : this.nick),
      this.attachmentsNode(m, roomKey),
      this.reactionsNode(m)),
    el("time", { className: "side-time", "aria-hidden": "true", text: date ? formatStamp(date).split(" ").at(-1) : "" }),
    this.actionsNode(m, own));
    node.style.setProperty("--hue", hue);
    return node;
  }

  // "↩ bob: first words of the parent" above a reply; a click (or Enter) scrolls to the parent.
  quoteNode(m) {
    const q = m.quote && typeof m.quote === "object" ? m.quote : {};
    const text = q.deleted ? "deleted message" : plainText(String(q.body ?? ""));
    return el("button", {
      type: "button", className: "quote", tabindex: "-1", dataset: { replyTo: String(m.reply_to) },
      title: "Show the message this answers",
      onclick: () => this.fire("jump", this.active, m.reply_to),
    },
    el("span", { className: "quote-mark", "aria-hidden": "true", text: "↩" }),
    el("span", { className: "sr-only", text: "In reply to " }),
    el("span", { className: "quote-user", text: String(q.user ?? "") }),
    el("span", { className: q.deleted ? "quote-body deleted-text" : "quote-body", text: text.length > 140 ? `${text.slice(0, 140)}…` : text }));
  }

  // Counts under the message; who reacted in the title (hover); a click toggles one's own.
  reactionsNode(m) {
    const entries = Object.entries(m.reactions && typeof m.reactions === "object" ? m.reactions : {})
      .filter(([, users]) => Array.isArray(users) && users.length > 0);
    if (entries.length === 0) return null;
    const me = this.nick.toLowerCase();
    return el("div", { className: "reactions" }, entries.map(([emoji, users]) => {
      const mine = users.some((u) => String(u).toLowerCase() === me);
      const who = users.join(", ");
      return el("button", {
        type: "button", className: mine ? "reaction mine" : "reaction", tabindex: "-1",
        "aria-pressed": String(mine), dataset: { emoji },
        title: `${who} reacted with ${emoji}`,
        "aria-label": `${emoji} ${users.length}: ${who}`,
        onclick: () => this.fire("react", this.active, m.id, emoji, !mine),
      }, el("span", { className: "reaction-emoji", text: emoji }), el("span", { className: "reaction-count", text: String(users.length) }));
    }));
  }

  // The toolbar: mouse users hover, keyboard users press the letters in the help dialog on a
  // focused message (its buttons stay out of the Tab order, or Tab would crawl the history).
  actionsNode(m, own) {
    if (m.system && this.role !== "admin") return null;
    const button = (cls, label, key, glyph, fn) => el("button", {
      type: "button", className: `icon-button ${cls}`, tabindex: "-1", "aria-label": label, title: `${label} (${key})`, onclick: fn,
    }, el("span", { "aria-hidden": "true", text: glyph }));
    return el("div", { className: "msg-actions" },
      m.system ? null : button("act-reply", "Reply", "R", "↩", () => this.startReply(m.id)),
      m.system ? null : button("act-react", "Add reaction", "+", "☺", (e) => this.openPicker(m.id, e.currentTarget)),
      own && !m.system ? button("act-edit", "Edit", "E", "✎", () => this.startEdit(m.id)) : null,
      own || this.role === "admin" ? button("act-delete", "Delete", "Delete", "🗑", () => this.confirmDelete(m.id)) : null);
  }

  // Messages with the same author in a row collapse into one header, like the desktop client.
  regroup(node) {
    if (!node) return;
    const prev = node.previousElementSibling;
    const cont = prev && node.dataset.user && !node.classList.contains("reply") && prev.dataset.user === node.dataset.user &&
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
      const node = this.messageNode(m, room.name);
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
    } else if (kind === "around" || kind === "newer") {
      // The app reveals the message opened; newer pages go below without moving the view.
      entry.stick = false;
    } else if (kind === "initial" || ownAdded || entry.stick) {
      entry.stick = true;
      if (visible) log.scrollTop = log.scrollHeight;
    } else if (othersAdded > 0) {
      // Reading older messages: news does not pull the view down, a button offers it.
      entry.unseen += othersAdded;
      this.updateJump();
    }
  }

  // A message changed (edited, deleted, reactions): its node is rebuilt in place.
  updateMessage(room, m) {
    const entry = this.logs.get(room.name);
    const old = entry?.list.querySelector(`.msg[data-id="${m.id}"]`);
    if (!old) return;
    const focused = old.contains(document.activeElement);
    const found = old.classList.contains("found");
    const node = this.messageNode(m, room.name);
    node.classList.toggle("found", found);
    old.replaceWith(node);
    this.regroup(node);
    this.regroup(node.nextElementSibling);
    if (focused) node.focus();
    if (m.deleted && this.mode?.id === m.id) this.cancelMode();
    this.updateViewer(room, m);
  }

  // Everything held of a room was dropped (too much changed while away): an empty log.
  resetLog(room) {
    const entry = this.logs.get(room.name);
    if (entry) { entry.list.replaceChildren(); entry.unseen = 0; this.updateJump(); }
  }

  // Scrolls to a message and lights it up for a moment; false when it is not in the log.
  revealMessage(roomName, id, found = false) {
    const entry = this.logs.get(roomName);
    const node = entry?.list.querySelector(`.msg[data-id="${id}"]`);
    if (!node) return false;
    node.scrollIntoView({ block: "center" });
    if (found) {
      for (const n of entry.list.querySelectorAll(".msg.found")) n.classList.remove("found");
      node.classList.add("found");
    }
    entry.stick = entry.log.scrollTop + entry.log.clientHeight >= entry.log.scrollHeight - NEAR_BOTTOM_PX;
    node.classList.remove("flash");
    void node.offsetWidth; // restarts the animation when the same message is shown again
    node.classList.add("flash");
    node.focus({ preventScroll: true });
    return true;
  }

  messageById(id) {
    return this.activeRoom?.messages.get(id) ?? null;
  }

  // Reply and edit change what the composer does; a bar above it says so, Esc cancels.
  startReply(id) {
    const m = this.messageById(id);
    if (!m || m.deleted) return;
    if (this.mode?.kind === "edit") this.cancelMode();
    this.mode = { kind: "reply", id };
    this.showMode(`Replying to ${m.user}`, plainText(previewText(m)));
    $("input").focus();
  }

  startEdit(id) {
    const m = this.messageById(id);
    if (!m || m.deleted || m.user !== this.nick || m.system) return;
    const input = $("input");
    const saved = this.mode?.kind === "edit" ? this.mode.saved : input.value;
    this.mode = { kind: "edit", id, saved };
    input.value = String(m.body ?? "");
    this.autosize();
    this.updateCount();
    this.showMode("Editing your message", "");
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  showMode(title, snippet) {
    $("composer-mode").hidden = false;
    $("composer-mode-title").textContent = title;
    $("composer-mode-text").textContent = snippet.replace(/\s+/g, " ").slice(0, 140);
    $("composer").dataset.mode = this.mode.kind;
    $("send").setAttribute("aria-label", this.mode.kind === "edit" ? "Save" : "Send reply");
  }

  // Leaves reply or edit mode; an edit gives back what was being typed before it.
  cancelMode() {
    if (!this.mode) return;
    const { kind, saved } = this.mode;
    this.mode = null;
    $("composer-mode").hidden = true;
    delete $("composer").dataset.mode;
    $("send").setAttribute("aria-label", "Send");
    if (kind === "edit") {
      $("input").value = saved ?? "";
      this.autosize();
      this.updateCount();
    }
  }

  // Up in an empty composer: the newest own message of the conversation, to edit.
  editLast() {
    const room = this.activeRoom;
    if (!room) return false;
    let last = null;
    for (const m of room.messages.values()) {
      if (m.user === this.nick && !m.deleted && !m.system && (!last || m.id > last.id)) last = m;
    }
    if (!last) return false;
    this.startEdit(last.id);
    return true;
  }

  confirmDelete(id) {
    const m = this.messageById(id);
    if (!m || m.deleted) return;
    this.pendingDelete = { room: this.active, id };
    $("confirm-text").textContent = plainText(String(m.body ?? "")).slice(0, 140);
    $("confirm-dialog").showModal();
    $("confirm-cancel").focus();
  }

  // The reaction picker, by the button or message that opened it; the emoji already given are
  // marked, and picking one again takes it back.
  openPicker(id, anchor) {
    const m = this.messageById(id);
    if (!m || m.deleted) return;
    this.pickerFor = { room: this.active, id };
    const me = this.nick.toLowerCase();
    const reactions = m.reactions && typeof m.reactions === "object" ? m.reactions : {};
    const picker = $("emoji-picker");
    for (const b of picker.querySelectorAll("button[data-emoji]")) {
      const users = reactions[b.dataset.emoji];
      b.setAttribute("aria-pressed", String(Array.isArray(users) && users.some((u) => String(u).toLowerCase() === me)));
    }
    picker.showModal();
    const box = (anchor ?? document.activeElement)?.getBoundingClientRect?.();
    if (box) {
      const width = picker.offsetWidth;
      picker.style.left = `${Math.max(8, Math.min(box.right - width, window.innerWidth - width - 8))}px`;
      picker.style.top = `${Math.max(8, box.top - picker.offsetHeight - 6)}px`;
    }
    picker.querySelector("button[data-emoji]").focus();
  }

  pick(emoji, on) {
    const target = this.pickerFor;
    $("emoji-picker").close();
    if (target) this.fire("react", target.room, target.id, emoji, on);
  }

  // Keys on a focused message (the help dialog lists them).
  messageKey(e, node) {
    const id = Number(node.dataset.id);
    const m = this.messageById(id);
    const msgs = [...node.parentElement.querySelectorAll(":scope > .msg")];
    const at = msgs.indexOf(node);
    const go = (i) => { const n = msgs[Math.max(0, Math.min(msgs.length - 1, i))]; if (n) { this.focusMessage(n); } };
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    switch (e.key) {
    case "ArrowUp": go(at - 1); break;
    case "ArrowDown": if (at === msgs.length - 1) $("input").focus(); else go(at + 1); break;
    case "Home": go(0); break;
    case "End": go(msgs.length - 1); break;
    case "PageUp": go(at - 10); break;
    case "PageDown": go(at + 10); break;
    case "r": case "R": this.startReply(id); break;
    case "e": case "E": this.startEdit(id); break;
    case "+": case "=": this.openPicker(id, node); break;
    case "Delete": case "Backspace":
      if (m && (m.user === this.nick || this.role === "admin")) this.confirmDelete(id);
      break;
    case "Enter": case "g": case "G":
      if (m?.reply_to) this.fire("jump", this.active, m.reply_to);
      break;
    case "Escape": $("input").focus(); break;
    default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  }

  focusMessage(node) {
    const entry = this.logs.get(this.active);
    if (entry) entry.current = Number(node.dataset.id);
    node.focus();
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
    const detached = this.activeRoom?.detached === true;
    $("jump-new").hidden = n === 0 && !detached;
    $("jump-new").textContent = detached ? "Jump to the latest messages ↓" : `${n === 1 ? "1 new message" : `${n} new messages`} ↓`;
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
    entry.newer.hidden = !room.detached;
    entry.newer.disabled = Boolean(room.loadingNewer);
    entry.newer.textContent = room.loadingNewer ? "Loading…" : "Load newer messages";
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
    if (this.mode && this.activeRoom !== room) this.cancelMode();
    if (draftOut !== undefined) draftOut(input.value);
    this.active = room?.name ?? null;
    this.activeRoom = room ?? null;
    for (const [name, entry] of this.logs) entry.log.hidden = name !== this.active;
    $("empty").hidden = Boolean(room);
    $("room-title").textContent = room ? room.title(this.nick) : "Chatter";
    $("leave").hidden = !room || room.kind === "dm";
    $("composer").hidden = !room;
    input.value = draftIn;
    this.pending?.show(this.active);
    this.autosize();
    this.updateCount();
    this.composerError("");
    if (room) {
      const entry = this.logFor(room);
      entry.log.hidden = false;
      if (entry.stick) entry.log.scrollTop = entry.log.scrollHeight;
      this.updateRoom(room);
    } else {
      $("mute").hidden = true;
      $("invite").hidden = true;
    }
    this.updateJump();
    this.renderMembers(room);
    this.renderTyping(room);
  }

  updateRoom(room) {
    this.updateLogTop(room);
    if (room.name !== this.active) return;
    this.updateJump();
    const title = room.title(this.nick);
    $("room-title").textContent = title;
    $("room-title").dataset.kind = room.kind === "dm" ? "dm" : room.group ? "group" : room.private ? "private" : "room";
    $("send").disabled = room.state !== "joined";
    this.updateReachability();
    $("input").placeholder = room.state === "joined" ? `Message ${title}` : `Joining ${title}…`;
    const mute = $("mute");
    mute.hidden = room.state !== "joined";
    mute.setAttribute("aria-pressed", String(room.muted));
    mute.title = room.muted ? "Muted: no counts or notifications but mentions (click to unmute)" : "Mute this conversation";
    $("mute-label").textContent = room.muted ? "Unmute" : "Mute";
    const me = this.nick.toLowerCase();
    $("invite").hidden = !(room.private && room.state === "joined" && (room.owner.toLowerCase() === me || this.role === "admin"));
    const leave = room.private ? "Leave (it takes a new invitation to come back)" : "Leave room";
    $("leave").title = leave;
    $("leave").setAttribute("aria-label", leave);
  }

  renderMembers(room) {
    if (room && room.name !== this.active) return;
    const members = room ? room.members() : [];
    const admin = this.role === "admin";
    const canMessage = this.canMessage;
    $("member-count").textContent = members.length ? String(members.length) : "";
    $("members-toggle-count").textContent = String(members.length);
    const row = (m, online) => el("li", {
      className: ["member", m.nick === this.nick && "self", !online && "offline"].filter(Boolean).join(" "),
      dataset: { nick: m.nick, status: online ? m.status : "offline", role: m.role },
      title: [m.client && `on ${m.client}`, m.sessions > 1 && `${m.sessions} sessions`, m.auto && "away automatically"].filter(Boolean).join(", ") || null,
    },
    el("span", { className: "avatar-wrap" }, avatar(m.nick), el("span", { className: `presence ${online ? m.status : "offline"}` })),
    el("span", { className: "member-main" },
      el("span", { className: "member-line" },
        el("span", { className: "member-nick", text: m.nick }),
        m.nick === this.nick ? el("span", { className: "you", text: "you" }) : null),
      el("span", { className: "member-meta" },
        ROLE_TEXT[m.role] ? el("span", { className: `role role-${m.role}`, text: ROLE_TEXT[m.role] }) : null,
        online && STATUS_TEXT[m.status] ? el("span", { className: `status status-${m.status}`, text: STATUS_TEXT[m.status] }) : null,
        online && (m.client === "web" || m.client === "desktop") ? el("span", { className: "client", text: m.client }) : null)),
    // DMs are between registered accounts: guests have none to offer or receive.
    canMessage && m.nick !== this.nick && (m.role === "member" || m.role === "admin" || !online)
      ? el("button", {
        type: "button", className: "icon-button message-member", "aria-label": `Message ${m.nick}`, title: `Message ${m.nick}`,
        onclick: () => this.fire("message", m.nick),
      }, el("span", { "aria-hidden": "true", text: "✉" }))
      : null,
    admin && m.nick !== this.nick && online
      ? el("button", {
        type: "button", className: "icon-button manage", "aria-label": `Admin actions for ${m.nick}`, title: `Admin actions for ${m.nick}`,
        onclick: () => this.fire("manage", m.nick),
      }, el("span", { "aria-hidden": "true", text: "⋯" }))
      : null);
    // A private room's members who are not here are listed after those who are.
    const here = new Set(members.map((m) => m.nick.toLowerCase()));
    const away = room?.private ? room.roomMembers.filter((n) => !here.has(n.toLowerCase())).map((nick) => ({ nick, role: "member", status: "offline" })) : [];
    $("member-list").replaceChildren(...members.map((m) => row(m, true)), ...away.map((m) => row(m, false)));
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
    const mode = this.mode;
    if (!this.active) return;
    const files = mode?.kind === "edit" ? [] : this.pending?.ready(this.active) ?? [];
    if (mode?.kind !== "edit" && this.pending?.uploading(this.active)) {
      this.composerError("A file is still uploading: send once it is done, or cancel the upload.");
      return;
    }
    if (body.trim() === "" && files.length === 0) {
      if (mode?.kind === "edit") this.composerError("An edit cannot be empty: Esc cancels it, and Delete on the message removes it.");
      return;
    }
    if (this.connState !== "connected") {
      this.composerError("Not sent: you are offline. The message stays here; press Enter again once reconnected.");
      return;
    }
    if ($("send").disabled) {
      this.composerError(`Not sent yet: still joining ${this.activeRoom?.title(this.nick) ?? ""}. Press Enter again in a moment.`);
      return;
    }
    // The server refuses longer bodies; the text stays in the box so that nothing is lost.
    if (body.length > MAX_BODY) {
      this.composerError(`Too long to send: ${fmt(body.length)} characters, the limit is ${fmt(MAX_BODY)}. ` +
        `Shorten it by ${fmt(body.length - MAX_BODY)} or split it.`);
      return;
    }
    if (mode?.kind === "edit") {
      const m = this.messageById(mode.id);
      this.cancelMode(); // gives back the draft from before the edit
      if (m && m.body !== body) this.fire("edit", this.active, mode.id, body);
      return;
    }
    if (mode) this.cancelMode();
    input.value = "";
    this.autosize();
    this.updateCount();
    this.composerError("");
    this.fire("draft", this.active, "");
    const taken = this.pending?.take(this.active) ?? [];
    this.fire("send", this.active, body.trim() === "" ? "" : body, mode?.kind === "reply" ? mode.id : null, taken);
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

  // title: what the conversation in view is called (#room, a DM's other side, a group's members).
  setTitle(unread, title) {
    document.title = `${unread > 0 ? `(${unread}) ` : ""}${title ? `${title} · ` : ""}Chatter`;
  }
}
