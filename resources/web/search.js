// SPDX-License-Identifier: MIT
// The search box and its results (docs/files-and-search.md, "Search"): results grouped by
// conversation, snippets with their highlights as <mark> (text nodes only: nothing in a snippet
// is markup), "More results" with the server's cursor. The app does the asking (`run`) and the
// opening (`open`); this file knows only the DOM.
import { el, parseAt, formatStamp } from "/assets/util.js";

const $ = (id) => document.getElementById(id);

// The snippet as text and <mark> nodes; highlights are [start, length] in UTF-16 units, which
// is how JavaScript strings count. Overlapping or out-of-range pairs are skipped.
export function snippetNodes(snippet, highlights) {
  const text = String(snippet ?? "");
  const spans = (Array.isArray(highlights) ? highlights : [])
    .filter((h) => Array.isArray(h) && Number.isInteger(h[0]) && Number.isInteger(h[1]) && h[1] > 0)
    .map(([s, n]) => [Math.max(0, s), Math.min(text.length, s + n)])
    .filter(([s, e]) => s < e)
    .sort((a, b) => a[0] - b[0]);
  const nodes = [];
  let at = 0;
  for (const [s, e] of spans) {
    if (s < at) continue;
    if (s > at) nodes.push(text.slice(at, s));
    nodes.push(el("mark", { text: text.slice(s, e) }));
    at = e;
  }
  if (at < text.length) nodes.push(text.slice(at));
  return nodes;
}

export class SearchView {
  // run(query, cursor) resolves with {results, cursor} or rejects with an Error;
  // label(result) names a result's conversation; open(result) shows it.
  constructor({ run, label, open }) {
    this.run = run;
    this.label = label;
    this.open = open;
    this.query = "";
    this.cursor = null;
    this.groups = new Map(); // topic → {node, list}
    this.count = 0;
    this.generation = 0;     // answers to an older query are dropped
    this.bind();
  }

  bind() {
    const input = $("search-input");
    $("search-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.start(input.value.trim());
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        if (!$("search-panel").hidden) this.close();
        else { input.value = ""; $("input").focus(); }
      } else if (e.key === "ArrowDown" && !$("search-panel").hidden) {
        e.preventDefault();
        $("search-results").querySelector(".search-hit")?.focus();
      }
    });
    $("search-close").addEventListener("click", () => this.close());
    $("search-more").addEventListener("click", () => this.more());
    const panel = $("search-panel");
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); this.close(); return; }
      if (!e.target.classList?.contains("search-hit") || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) return;
      const hits = [...panel.querySelectorAll(".search-hit")];
      const at = hits.indexOf(e.target);
      const next = hits[at + (e.key === "ArrowDown" ? 1 : -1)];
      e.preventDefault();
      if (next) next.focus();
      else if (e.key === "ArrowUp") $("search-input").focus();
    });
    // "/" (outside text fields) or Ctrl+K focuses the box; Ctrl+F stays the browser's find.
    document.addEventListener("keydown", (e) => {
      if ($("app").hidden || document.querySelector("dialog[open]")) return;
      const typing = e.target instanceof HTMLElement && e.target.matches("input, textarea, select, [contenteditable]");
      const slash = e.key === "/" && !typing && !e.ctrlKey && !e.altKey && !e.metaKey;
      const ctrlK = (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "k";
      if (!slash && !ctrlK) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
  }

  start(query) {
    if (query === "") { this.close(); return; }
    this.query = query;
    this.cursor = null;
    this.groups.clear();
    this.count = 0;
    this.generation += 1;
    $("search-results").replaceChildren();
    $("search-panel").hidden = false;
    $("search-title").textContent = `Results for “${query}”`;
    this.fetch();
  }

  more() {
    if (this.cursor) this.fetch();
  }

  fetch() {
    const generation = this.generation;
    const status = $("search-status");
    const more = $("search-more");
    more.disabled = true;
    status.textContent = "Searching…";
    this.run(this.query, this.cursor).then(({ results, cursor }) => {
      if (generation !== this.generation) return;
      const list = Array.isArray(results) ? results : [];
      for (const r of list) this.addResult(r);
      this.count += list.length;
      this.cursor = typeof cursor === "string" && cursor !== "" ? cursor : null;
      more.hidden = this.cursor === null;
      more.disabled = false;
      status.textContent = this.count === 0 ? `Nothing found for “${this.query}”.`
        : `${this.count} ${this.count === 1 ? "result" : "results"}${this.cursor ? ", more available" : ""}.`;
    }, (err) => {
      if (generation !== this.generation) return;
      more.disabled = false;
      more.hidden = this.cursor === null;
      status.textContent = `Search failed: ${err.message}.`;
    });
  }

  addResult(r) {
    if (typeof r?.topic !== "string" || typeof r.id !== "number") return;
    let group = this.groups.get(r.topic);
    if (!group) {
      const title = this.label(r);
      const list = el("ul", { className: "search-list" });
      const node = el("section", { className: "search-group", dataset: { topic: r.topic, room: String(r.room ?? "") }, "aria-label": title },
        el("h3", { className: "search-group-title", text: title }), list);
      $("search-results").append(node);
      group = { node, list };
      this.groups.set(r.topic, group);
    }
    const date = parseAt(r.at);
    const user = String(r.user ?? "");
    group.list.append(el("li", {},
      el("button", {
        type: "button", className: "search-hit", dataset: { id: String(r.id), topic: r.topic },
        onclick: () => this.open(r),
      },
      el("span", { className: "search-hit-head" },
        el("span", { className: "search-hit-user", text: user }),
        el("time", { datetime: date?.toISOString(), text: formatStamp(date) })),
      el("span", { className: "search-snippet" }, snippetNodes(r.snippet, r.highlights)))));
  }

  close() {
    this.generation += 1;
    $("search-panel").hidden = true;
    $("search-input").focus();
  }

  // After a result was opened: the panel goes, the opened message has the focus.
  hide() {
    this.generation += 1;
    $("search-panel").hidden = true;
  }
}
