// SPDX-License-Identifier: MIT
// Message formatting (docs/conversations.md, "Formatting"): a port of common/messagemarkup
// (function for function), checked against the same cases (tests/data/markup-cases.json, tests/js/markup.test.mjs).
// A body becomes a list of tokens {t, s}: t is text, code, pre, strong, em, link or mention.
// Tokens are data, never HTML: the view puts each `s` into the page as a text node.
// No imports, so that Node runs it as it is in the tests.

const FENCE = "```";
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const SPACE = /^\s$/u;
const LINK_TRAILING = ".,;:!?'*";

// Code points, as the C++ side reads them (QChar::isLetterOrNumber on char32_t): a letter
// outside the BMP is one character, not two surrogates.
const codePointBefore = (s, i) => {
  if (i <= 0) return "";
  const low = s.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = s.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return s.slice(i - 2, i);
  }
  return s[i - 1];
};
const codePointAt = (s, i) => (i < s.length ? String.fromCodePoint(s.codePointAt(i)) : "");
const isLetterOrDigit = (c) => c !== "" && LETTER_OR_NUMBER.test(c);
const isWordChar = (c) => c === "_" || isLetterOrDigit(c);
const isNickChar = (c) => c === "." || c === "-" || isWordChar(c);
const isSpace = (c) => SPACE.test(c);

// Inner text of strong and emphasis: not empty, no line break, no space at either end.
const plainInner = (inner) => inner !== "" && !inner.includes("\n") && !isSpace(inner[0]) && !isSpace(inner.at(-1));

function push(tokens, t, s) {
  if (s === "") return;
  const last = tokens.at(-1);
  if (t === "text" && last?.t === "text") last.s += s;
  else tokens.push({ t, s });
}

// `code`: a backtick, one or more characters without a backtick or line break, a backtick.
function matchCode(text, i) {
  for (let j = i + 1; j < text.length; j += 1) {
    if (text[j] === "\n") return null;
    if (text[j] === "`") return j > i + 1 ? { t: "code", s: text.slice(i + 1, j), end: j + 1 } : null;
  }
  return null;
}

// **strong**: up to the next "**", plain inside.
function matchStrong(text, i) {
  if (!text.startsWith("**", i)) return null;
  const close = text.indexOf("**", i + 2);
  if (close < 0 || !plainInner(text.slice(i + 2, close))) return null;
  return { t: "strong", s: text.slice(i + 2, close), end: close + 2 };
}

// *emphasis*: not after a letter or digit, not before one (2*3*4 stays as typed).
function matchEm(text, i) {
  if (isLetterOrDigit(codePointBefore(text, i))) return null;
  const close = text.indexOf("*", i + 1);
  if (close < 0 || !plainInner(text.slice(i + 1, close)) || isLetterOrDigit(codePointAt(text, close + 1))) return null;
  return { t: "em", s: text.slice(i + 1, close), end: close + 1 };
}

// http:// or https:// (any case), not inside a word, up to whitespace, <, > or ", without the
// sentence's trailing punctuation; a ")" stays when the URL opened one (Wikipedia links).
function matchLink(text, i) {
  const rest = text.slice(i, i + 8).toLowerCase();
  const scheme = rest.startsWith("https://") ? 8 : rest.startsWith("http://") ? 7 : 0;
  if (scheme === 0 || isWordChar(codePointBefore(text, i))) return null;
  let end = i + scheme;
  while (end < text.length && !isSpace(text[end]) && text[end] !== "<" && text[end] !== ">" && text[end] !== "\"") end += 1;
  for (;;) {
    const last = text[end - 1];
    const url = text.slice(i, end);
    if (LINK_TRAILING.includes(last)) end -= 1;
    else if (last === ")" && url.split("(").length < url.split(")").length) end -= 1;
    else break;
  }
  if (end - i <= scheme) return null;
  return { t: "link", s: text.slice(i, end), end };
}

// @nick: not after a letter, digit or "_"; trailing "." and "-" are the sentence's.
function matchMention(text, i) {
  if (isWordChar(codePointBefore(text, i))) return null;
  let end = i + 1;
  for (let c = codePointAt(text, end); c !== "" && isNickChar(c); c = codePointAt(text, end)) end += c.length;
  while (end > i + 1 && (text[end - 1] === "." || text[end - 1] === "-")) end -= 1;
  if (end === i + 1) return null;
  return { t: "mention", s: text.slice(i, end), end };
}

function tryToken(text, i) {
  const c = text[i];
  if (c === "`") return matchCode(text, i);
  if (c === "*") return matchStrong(text, i) ?? matchEm(text, i);
  if (c === "h" || c === "H") return matchLink(text, i);
  if (c === "@") return matchMention(text, i);
  return null;
}

function inline(tokens, text) {
  let i = 0;
  let plain = "";
  while (i < text.length) {
    const hit = tryToken(text, i);
    if (!hit) {
      const c = codePointAt(text, i);
      plain += c;
      i += c.length;
      continue;
    }
    push(tokens, "text", plain);
    plain = "";
    push(tokens, hit.t, hit.s);
    i = hit.end;
  }
  push(tokens, "text", plain);
}

const isClosingFence = (line) => line.startsWith(FENCE) && line.slice(FENCE.length).trim() === "";

// Splits off code blocks by lines (the fences' line breaks belong to the block); the lines
// between blocks go through the inline rules together, so that text spans their line breaks.
export function tokenize(body) {
  const tokens = [];
  const lines = String(body).split("\n");
  let prose = [];
  const flush = () => {
    if (prose.length === 0) return;
    inline(tokens, prose.join("\n"));
    prose = [];
  };
  for (let n = 0; n < lines.length; n += 1) {
    const line = lines[n];
    if (!line.startsWith(FENCE)) {
      prose.push(line);
      continue;
    }
    flush();
    const opening = line.slice(FENCE.length);
    // ```one line``` is a block of its own line.
    if (opening.length > FENCE.length && opening.endsWith(FENCE)) {
      tokens.push({ t: "pre", s: opening.slice(0, -FENCE.length) });
      continue;
    }
    const block = [];
    for (n += 1; n < lines.length && !isClosingFence(lines[n]); n += 1) block.push(lines[n]);
    tokens.push({ t: "pre", s: block.join("\n") });
  }
  flush();
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

// A body as one line of plain text (quotes, alerts, previews): the markup characters go, the
// text they mark stays.
export function plainText(body) {
  return tokenize(body).map(({ t, s }) => (t === "pre" ? ` ${s} ` : s)).join("").replace(/\s+/g, " ").trim();
}
