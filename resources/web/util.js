// SPDX-License-Identifier: MIT
// Small pure helpers shared by the view and the session: validation that mirrors
// the server's rules, colours, time formatting and safe rich-text rendering.
import { tokenize, mentionsUser, plainText } from "/assets/markup.js";

export { plainText };

// The server refuses anything else (HTTP 403 on connect / join error), so the page
// checks first and can say why instead of retrying forever.
export const NICK_RE = /^[A-Za-z0-9_.-]{1,32}$/;
export const ROOM_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_BODY = 4000;

export const validNick = (s) => NICK_RE.test(s);
export const validRoom = (s) => ROOM_RE.test(s);

// Builds an element without ever parsing markup: text goes through textContent,
// so nothing a user typed can become HTML.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child); // strings become text nodes
  }
  return node;
}

// FNV-1a, so a nick gets the same hue in every client and every session.
export function nickHue(nick) {
  let h = 0x811c9dc5;
  for (let i = 0; i < nick.length; i += 1) {
    h ^= nick.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 360;
}

// `at` is ISO 8601 from the server; accept epoch numbers too, to be lenient.
export function parseAt(at) {
  if (typeof at === "number") return new Date(at < 1e12 ? at * 1000 : at);
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? null : d;
}

const sameDay = (a, b) =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

// Short time for today's messages, with the date in front for older ones.
export function formatStamp(date, now = new Date()) {
  if (!date) return "";
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (sameDay(date, now)) return time;
  const opts = date.getFullYear() === now.getFullYear()
    ? { month: "short", day: "numeric" }
    : { year: "numeric", month: "short", day: "numeric" };
  return `${date.toLocaleDateString([], opts)} ${time}`;
}

// A link's address, if it is one a page may open (http and https only).
function safeHref(text) {
  try {
    const u = new URL(text);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

// Renders a message body by the formatting rules (markup.js, docs/conversations.md): code,
// code blocks, strong, emphasis, links and mentions; a mention of `nick` (or @here) is marked.
// Every piece goes in as a text node: nothing a user typed is ever parsed as HTML.
export function appendBody(parent, body, nick) {
  const me = nick ? nick.toLowerCase() : "";
  for (const { t, s } of tokenize(body)) {
    if (t === "code") parent.append(el("code", { text: s }));
    else if (t === "pre") parent.append(el("pre", {}, el("code", { text: s })));
    else if (t === "strong") parent.append(el("strong", { text: s }));
    else if (t === "em") parent.append(el("em", { text: s }));
    else if (t === "link") {
      const href = safeHref(s);
      parent.append(href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: s }) : s);
    } else if (t === "mention") {
      const who = s.slice(1).toLowerCase();
      const mine = me !== "" && (who === me || who === "here");
      parent.append(el(mine ? "mark" : "span", { className: mine ? "mention" : "mention-other", text: s }));
    } else parent.append(s);
  }
  return parent;
}

// Whether `body` mentions `nick` (or says @here), by the formatting rules.
export const mentions = (body, nick) => mentionsUser(body, nick);

export function typingText(users) {
  if (users.length === 0) return "";
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  return `${users.length} people are typing…`;
}

// localStorage can throw (private mode, disabled storage); the page must still work.
export const store = {
  get(key, fallback = null) {
    try {
      const v = localStorage.getItem(key);
      return v === null ? fallback : JSON.parse(v);
    } catch {
      return fallback;
    }
  },
  set(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* not persisted */ }
  },
  remove(key) {
    try { localStorage.removeItem(key); } catch { /* nothing kept anyway */ }
  },
};
