// SPDX-License-Identifier: MIT
// Files (docs/files-and-search.md): uploads to POST /api/files with the session token, and
// what the composer holds until the message goes out: each file with its progress and a way to
// cancel it. Uploads use XMLHttpRequest, the one browser API that reports upload progress.
import { el } from "/assets/util.js";

export const MAX_ATTACHMENTS = 10;

// "48 KB", "3.2 MB": decimal units, as the sizes of downloads are usually given.
export function formatSize(bytes) {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 1000) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n;
  let i = -1;
  do { v /= 1000; i += 1; } while (v >= 1000 && i < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

// A signed URL's expiry (its exp, Unix seconds) has passed; URLs without one never expire here.
export function urlExpired(url, now = Date.now()) {
  const match = /[?&]exp=(\d+)/.exec(String(url ?? ""));
  return match !== null && Number(match[1]) * 1000 <= now;
}

// A message's text for a one-line preview (a notification, the reply bar): its body, or the
// names of its files when it has no text.
export function previewText(m) {
  const body = String(m?.body ?? "");
  if (body !== "") return body;
  const names = (Array.isArray(m?.attachments) ? m.attachments : []).map((a) => String(a?.name ?? "")).filter(Boolean);
  return names.length ? `📎 ${names.join(", ")}` : "sent a file";
}

// A refused or failed upload: `status` the HTTP status (0: no answer, -1: cancelled), `reason`
// the server's {"error"}, `limit` its byte limit (413, 429), `retryAfter` seconds (429).
export class UploadError extends Error {
  constructor(status, reason, { limit = null, retryAfter = null, message = "" } = {}) {
    super(message || reason);
    this.status = status;
    this.reason = reason;
    this.limit = limit;
    this.retryAfter = retryAfter;
  }
}

// What the page says about a refused upload of `name`.
export function describeUploadError(err, name) {
  const what = `“${name}”`;
  if (!(err instanceof UploadError)) return `${what} was not uploaded: ${err?.message ?? "unknown error"}.`;
  const limit = err.limit !== null ? formatSize(err.limit) : "";
  switch (err.status) {
  case 413: return `${what} is too large to upload${limit ? `: the limit is ${limit}` : ""}.`;
  case 429: {
    const wait = err.retryAfter ? ` Try again in ${err.retryAfter >= 3600 ? `${Math.ceil(err.retryAfter / 3600)} h` : `${Math.ceil(err.retryAfter / 60)} min`}.` : "";
    return `${what} was not uploaded: your upload quota${limit ? ` (${limit} a day)` : ""} is used up.${wait}`;
  }
  case 401: return `${what} was not uploaded: the server did not accept this session. Sign in again to send files.`;
  case 0: return `${what} was not uploaded: the server could not be reached.`;
  default: return `${what} was not uploaded: ${err.message || err.reason}.`;
  }
}

// Sends one file; `onProgress(fraction)` as it goes. Returns {promise, abort}: the promise
// resolves with the attachment object, rejects with an UploadError (status -1 when aborted).
export function upload(file, name, token, onProgress = () => {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    // %20, not the form encoding's "+": the server reads the query by RFC 3986.
    xhr.open("POST", `/api/files?filename=${encodeURIComponent(name)}`);
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total); });
    xhr.addEventListener("load", () => {
      let answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201 && typeof answer?.id === "string") { onProgress(1); resolve(answer); return; }
      const after = Number.parseInt(xhr.getResponseHeader("Retry-After") ?? "", 10);
      reject(new UploadError(xhr.status, typeof answer?.error === "string" ? answer.error : `HTTP ${xhr.status}`, {
        limit: typeof answer?.limit === "number" ? answer.limit : null,
        retryAfter: Number.isFinite(after) ? after : null,
        message: typeof answer?.message === "string" ? answer.message : "",
      }));
    });
    xhr.addEventListener("error", () => reject(new UploadError(0, "network error")));
    xhr.addEventListener("abort", () => reject(new UploadError(-1, "cancelled")));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

// A pasted image is often called "image.png" by the browser, or nothing at all.
function nameOf(file, pasted) {
  const ext = (file.type.split("/")[1] ?? "bin").replace("jpeg", "jpg").replace(/[^a-z0-9]/g, "");
  if (!pasted && file.name) return file.name;
  const stamp = new Date().toISOString().slice(0, 19).replace("T", " ").replace(/:/g, "-");
  return `Pasted image ${stamp}.${ext}`;
}

// The files waiting in the composer, per conversation: uploading (a progress bar and Cancel),
// ready (Remove), each on a line above the text field. `token` is the session's; `onError`
// says why an upload was refused; `onChange` lets the composer re-check whether it may send.
export class PendingFiles {
  constructor(container, { token, onError, onChange }) {
    this.container = container;
    this.token = token;
    this.onError = onError;
    this.onChange = onChange;
    this.items = [];     // {key, name, size, type, state: uploading|ready, fraction, abort, attachment, node}
    this.active = null;  // the conversation whose files show
    this.nextId = 1;
  }

  show(key) {
    this.active = key;
    this.render();
  }

  of(key) { return this.items.filter((i) => i.key === key); }

  uploading(key) { return this.of(key).some((i) => i.state === "uploading"); }

  ready(key) { return this.of(key).filter((i) => i.state === "ready"); }

  // Files picked, dropped or pasted into the conversation `key`.
  add(key, files, { pasted = false } = {}) {
    if (!key) return;
    for (const file of files) {
      if (this.of(key).length >= MAX_ATTACHMENTS) {
        this.onError(`A message carries at most ${MAX_ATTACHMENTS} files.`);
        break;
      }
      if (!this.token) {
        this.onError("Sending files needs a session: sign in, or enter as a guest again.");
        break;
      }
      const name = nameOf(file, pasted);
      const item = { id: this.nextId++, key, name, size: file.size, type: file.type, state: "uploading", fraction: 0, abort: null, attachment: null, node: null };
      const { promise, abort } = upload(file, name, this.token, (f) => { item.fraction = f; this.progress(item); });
      item.abort = abort;
      this.items.push(item);
      promise.then((attachment) => {
        item.state = "ready";
        item.attachment = attachment;
        this.render();
        this.onChange();
      }, (err) => {
        this.drop(item);
        if (err.status !== -1) this.onError(describeUploadError(err, name));
      });
    }
    this.render();
    this.onChange();
  }

  // Takes out the ready files of `key` (they are being sent); any still uploading stay.
  take(key) {
    const taken = this.ready(key);
    this.items = this.items.filter((i) => !taken.includes(i));
    this.render();
    return taken;
  }

  // A message that was not sent gives its files back.
  restore(taken) {
    this.items.push(...taken);
    this.render();
    this.onChange();
  }

  drop(item) {
    if (item.state === "uploading") item.abort?.();
    this.items = this.items.filter((i) => i !== item);
    this.render();
    this.onChange();
  }

  progress(item) {
    const bar = item.node?.querySelector("progress");
    if (!bar) return;
    const percent = Math.round(item.fraction * 100);
    bar.value = percent;
    item.node.dataset.progress = String(percent);
  }

  render() {
    const list = this.of(this.active);
    this.container.hidden = list.length === 0;
    this.container.replaceChildren(...list.map((item) => {
      const ready = item.state === "ready";
      const thumb = ready && item.attachment?.thumb_url;
      const label = ready ? `Remove ${item.name}` : `Cancel the upload of ${item.name}`;
      item.node = el("li", { className: `pending-file ${item.state}`, dataset: { state: item.state, name: item.name, progress: String(Math.round(item.fraction * 100)) } },
        thumb ? el("img", { className: "pending-thumb", src: thumb, alt: "", width: "32", height: "32" })
          : el("span", { className: "pending-icon", "aria-hidden": "true", text: item.type.startsWith("image/") ? "🖼" : "📄" }),
        el("span", { className: "pending-main" },
          el("span", { className: "pending-name", text: item.name }),
          el("span", { className: "pending-size", text: ready ? formatSize(item.size) : `${formatSize(item.size)}, uploading…` })),
        ready ? null : el("progress", { max: "100", value: String(Math.round(item.fraction * 100)), "aria-label": `Uploading ${item.name}` }),
        el("button", { type: "button", className: "icon-button pending-cancel", "aria-label": label, title: ready ? "Remove" : "Cancel upload", onclick: () => this.drop(item) },
          el("span", { "aria-hidden": "true", text: "×" })));
      return item.node;
    }));
  }
}
