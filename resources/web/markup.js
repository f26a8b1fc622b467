// SPDX-License-Identifier: MIT
// Message formatting (docs/conversations.md, "Formatting"): a port of common/messagemarkup,
// checked against the same cases (tests/data/markup-cases.json, tests/js/markup.test.mjs).
// A body becomes a list of tokens {t, s}: t is text, code, pre, strong, em, link or mention.
// Tokens are data, never HTML: the view puts each `s` into the page as a text node.
// No imports, so that Node runs it as it is in the tests.

const FENCE = "```";
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const MENTION_CHAR = /[\p{L}\p{N}_.-]/u;
const LINK_END = /\s/u;
const LINK_TRAILING = ".,;:!?)'\"";

// One UTF-16 unit at a time, as QString indexes: a character outside the BMP is a surrogate
// pair, never a letter here, on both sides.
const isLetterOrDigit = (c) => c !== undefined && c.length === 1 && LETTER_OR_DIGIT.test(c) && !isSurrogate(c);
const isSurrogate = (c) => c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff;
const isMentionChar = (c) => c !== undefined && !isSurrogate(c) && MENTION_CHAR.test(c);
const isSpace = (c) => /\s/u.test(c);

function push(tokens, t, s) {
  if (s === "") return;
  const last = tokens.at(-1);
  if (t === "text" && last?.t === "text") last.s += s;
  else tokens.push({ t, s });
}

// `code`: a backtick, one or more characters without a backtick or line break, a backtick.
function matchCode(text, i) {
  if (text[i] !== "`") return null;
  let j = i + 1;
  while (j < text.length && text[j] !== "`" && text[j] !== "\n") j += 1;
  if (j >= text.length || text[j] !== "`" || j === i + 1) return null;
  return { t: "code", s: text.slice(i + 1, j), end: j + 1 };
}

// **strong**: no line break, no "**" inside, not starting or ending with whitespace.
function matchStrong(text, i) {
  if (!text.startsWith("**", i)) return null;
  const close = text.indexOf("**", i + 2);
  if (close < 0) return null;
  const inner = text.slice(i + 2, close);
  if (inner === "" || inner.includes("\n") || isSpace(inner[0]) || isSpace(inner.at(-1))) return null;
  return { t: "strong", s: inner, end: close + 2 };
}

// *emphasis*: not after a letter or digit, not before one (2*3*4 stays as typed).
function matchEm(text, i) {
  if (text[i] !== "*" || isLetterOrDigit(text[i - 1])) return null;
  let j = i + 1;
  while (j < text.length && text[j] !== "*" && text[j] !== "\n") j += 1;
  if (j >= text.length || text[j] !== "*") return null;
  const inner = text.slice(i + 1, j);
  if (inner === "" || isSpace(inner[0]) || isSpace(inner.at(-1))) return null;
  if (isLetterOrDigit(text[j + 1])) return null;
  return { t: "em", s: inner, end: j + 1 };
}

// http:// or https:// up to whitespace, without trailing punctuation.
function matchLink(text, i) {
  let scheme = 0;
  if (text.startsWith("http://", i)) scheme = 7;
  else if (text.startsWith("https://", i)) scheme = 8;
  else return null;
  let j = i + scheme;
  while (j < text.length && !LINK_END.test(text[j])) j += 1;
  while (j > i + scheme && LINK_TRAILING.includes(text[j - 1])) j -= 1;
  if (j === i + scheme) return null;
  return { t: "link", s: text.slice(i, j), end: j };
}

// @nick: not after a letter, digit or "_"; trailing "." and "-" are the sentence's.
function matchMention(text, i) {
  if (text[i] !== "@") return null;
  const before = text[i - 1];
  if (before !== undefined && (before === "_" || isLetterOrDigit(before))) return null;
  let j = i + 1;
  while (j < text.length && isMentionChar(text[j])) j += 1;
  while (j > i + 1 && (text[j - 1] === "." || text[j - 1] === "-")) j -= 1;
  if (j === i + 1) return null;
  return { t: "mention", s: text.slice(i, j), end: j };
}

const INLINE = [matchCode, matchStrong, matchEm, matchLink, matchMention];

function inline(tokens, text) {
  let i = 0;
  let plain = "";
  while (i < text.length) {
    let hit = null;
    for (const rule of INLINE) {
      hit = rule(text, i);
      if (hit) break;
    }
    if (!hit) {
      plain += text[i];
      i += 1;
      continue;
    }
    push(tokens, "text", plain);
    plain = "";
    push(tokens, hit.t, hit.s);
    i = hit.end;
  }
  push(tokens, "text", plain);
}

const isClosingFence = (line) => line.replace(/ +$/, "") === FENCE;

// Splits off code blocks (by lines), the rest goes through the inline rules.
export function tokenize(body) {
  const tokens = [];
  const lines = String(body).split("\n");
  let outside = []; // lines outside blocks not yet tokenized
  const flush = (withBreak) => {
    if (outside.length === 0) return;
    inline(tokens, outside.join("\n") + (withBreak ? "\n" : ""));
    outside = [];
  };
  for (let n = 0; n < lines.length; n += 1) {
    if (!lines[n].startsWith(FENCE)) {
      outside.push(lines[n]);
      continue;
    }
    flush(true); // the line break before the fence ends the text before it
    const block = [];
    n += 1;
    while (n < lines.length && !isClosingFence(lines[n])) block.push(lines[n++]);
    tokens.push({ t: "pre", s: block.join("\n") });
    // The closing fence's own line break belongs to the block: the next line starts afresh.
  }
  flush(false);
  return tokens;
}

// The mentions of a body, as nicknames without the "@", in order, once each (by case).
export function mentionsIn(body) {
  const seen = new Set();
  const out = [];
  for (const tok of tokenize(body)) {
    if (tok.t !== "mention") continue;
    const nick = tok.s.slice(1);
    const key = nick.toLowerCase();
    if (!seen.has(key)) { seen.add(key); out.push(nick); }
  }
  return out;
}

// Whether a body mentions `nick` (case-insensitively) or says @here.
export function mentionsUser(body, nick) {
  if (!nick) return false;
  const me = nick.toLowerCase();
  return mentionsIn(body).some((n) => { const k = n.toLowerCase(); return k === me || k === "here"; });
}
