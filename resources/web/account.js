// SPDX-License-Identifier: MIT
// The account side of the page: the server's HTTP API (docs/identity.md: /api/accounts,
// /api/sessions, /api/guests, /api/accounts/password) and the one thing kept of it in this
// browser, the session {token, user, role, kind}. Passwords only pass through; they are never
// stored. Knows nothing about the DOM.
import { store } from "/assets/util.js";

const SESSION_KEY = "chatter.session";
const ROLES = new Set(["member", "admin", "guest"]);

// A refusal from the API: `status` is the HTTP status, `reason` the server's {"error"},
// `retryAfter` the seconds of a 429's Retry-After (null when absent). `fromApi` is false when
// the answer was not the API's JSON at all: a server from before accounts (or a proxy).
export class ApiError extends Error {
  constructor(status, reason, retryAfter = null, fromApi = true) {
    super(reason);
    this.status = status;
    this.reason = reason;
    this.retryAfter = retryAfter;
    this.fromApi = fromApi;
  }
}

// A server from before accounts has no /api (it answers 404, or 413 to any other body).
export const noAccountsApi = (err) => err instanceof ApiError && !err.fromApi && [404, 405, 413].includes(err.status);

async function call(method, path, { body, token } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch {
    throw new ApiError(0, "the server could not be reached");
  }
  let answer = null;
  try { answer = await response.json(); } catch { /* not JSON: an older server, a proxy's page */ }
  if (response.ok && answer && typeof answer === "object") return answer;
  const fromApi = typeof answer?.error === "string" && answer.error !== "";
  const reason = fromApi ? answer.error : `HTTP ${response.status}`;
  const after = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  throw new ApiError(response.ok ? 502 : response.status, reason, Number.isFinite(after) ? after : null, fromApi);
}

// The personal topic the server named (docs/conversations.md), "" when it names none (guests,
// or a server from before conversations).
const personalTopicOf = (answer) =>
  (typeof answer?.personal_topic === "string" && answer.personal_topic.startsWith("chatter:user:") ? answer.personal_topic : "");

// A session answer ({user, token, role}) as kept: anything malformed is refused here, so the
// rest of the page can trust what it reads back.
function sessionFrom(answer, kind) {
  if (typeof answer?.user !== "string" || typeof answer?.token !== "string" || answer.token === "") {
    throw new ApiError(502, "the server's answer was not understood");
  }
  const role = ROLES.has(answer.role) ? answer.role : (kind === "guest" ? "guest" : "member");
  return { token: answer.token, user: answer.user, role, kind, personalTopic: personalTopicOf(answer) };
}

export const api = {
  signIn: async (user, password) => sessionFrom(await call("POST", "/api/sessions", { body: { user, password } }), "account"),
  register: async (user, password) => sessionFrom(await call("POST", "/api/accounts", { body: { user, password } }), "account"),
  guest: async (user) => sessionFrom(await call("POST", "/api/guests", { body: { user } }), "guest"),
  signOut: (token) => call("DELETE", "/api/sessions", { token }),
  // Who a token is, with the personal topic: for a session kept from before it was named.
  personalTopic: async (token) => personalTopicOf(await call("GET", "/api/sessions", { token })),
  changePassword: (token, oldPassword, newPassword) =>
    call("POST", "/api/accounts/password", { token, body: { old_password: oldPassword, new_password: newPassword } }),
};

// What went wrong, as a sentence for the person at the keyboard. `action` is "signin",
// "register", "guest" or "password"; `nick` the nickname asked for.
export function describeError(err, action, nick = "") {
  if (!(err instanceof ApiError)) return `Something went wrong: ${err?.message ?? err}.`;
  if (noAccountsApi(err)) return "This server has no accounts: continue as a guest.";
  const reason = err.reason.replace(/\.$/, "");
  switch (err.status) {
  case 0: return "The server could not be reached. Check the connection and try again.";
  case 401:
    if (action === "password") return "The current password is wrong.";
    return action === "signin" ? "Wrong nickname or password." : `Not signed in: ${reason}.`;
  case 403:
    if (action === "register" && /regist/i.test(reason)) return "Registration is closed on this server: sign in with an existing account, or ask its admin.";
    if (action === "guest" && /guest|account/i.test(reason)) return "This server does not let guests in: sign in or register.";
    if (/ban/i.test(reason)) return `You are banned from this server: ${reason}.`;
    return `Refused by the server: ${reason}.`;
  case 409: {
    const who = nick ? `“${nick}”` : "That nickname";
    const why = /taken/i.test(reason) ? "someone has registered it or a look-alike, or a guest is using it now" : reason;
    return `${who} is taken: ${why}. Pick another nickname${action === "guest" ? ", or sign in if it is yours" : ""}.`;
  }
  case 413: return "That is too long for the server.";
  case 429:
    return err.retryAfter !== null
      ? `Too many attempts: try again in ${err.retryAfter} s.`
      : "Too many attempts: wait a little and try again.";
  default: return `${err.status >= 500 ? "The server had a problem" : "Refused by the server"}: ${reason}.`;
  }
}

// The stored session, or null. Kind "bare" (no token) is a guest on a server without the
// accounts API, known only by its nickname.
export const sessionStore = {
  get() {
    const s = store.get(SESSION_KEY);
    if (!s || typeof s !== "object" || typeof s.user !== "string" || typeof s.token !== "string") return null;
    if (!["account", "guest", "bare"].includes(s.kind) || !ROLES.has(s.role)) return null;
    if (s.kind !== "bare" && s.token === "") return null;
    // Kept by a page from before conversations: unknown (undefined) until asked once.
    if (typeof s.personalTopic !== "string") delete s.personalTopic;
    return s;
  },
  set(session) {
    store.set(SESSION_KEY, { token: session.token, user: session.user, role: session.role, kind: session.kind, personalTopic: session.personalTopic ?? "" });
    store.set("chatter.nick", session.user); // to prefill the entry screen next time
  },
  clear() { store.remove(SESSION_KEY); },
};
