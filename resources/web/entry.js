// SPDX-License-Identifier: MIT
// The entry screen: sign in, register, or continue as a guest. It checks what it can before
// asking the server (the nickname rules, password length, the repeated password) and hands
// the rest to the app through submit(mode, fields), which resolves to an error to show or "".
import { validNick, store } from "/assets/util.js";

const $ = (id) => document.getElementById(id);
const MODES = {
  signin: { intro: "Sign in with your nickname and password.", button: "Sign in", password: "current-password" },
  register: { intro: "Choose a nickname and a password of at least 8 characters.", button: "Create account", password: "new-password" },
  guest: { intro: "Pick a nickname to chat without an account. It is yours while you are here.", button: "Continue as guest", password: null },
};
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 256;

export function passwordProblem(password, confirm) {
  if (password.length < MIN_PASSWORD) return `The password needs at least ${MIN_PASSWORD} characters.`;
  if (password.length > MAX_PASSWORD) return `The password can have at most ${MAX_PASSWORD} characters.`;
  if (confirm !== undefined && confirm !== password) return "The two passwords are not the same.";
  return "";
}

export class EntryView {
  constructor(submit) {
    this.submit = submit;
    this.busy = false;
    const form = $("login-form");
    for (const radio of form.querySelectorAll("input[name=mode]")) {
      radio.addEventListener("change", () => { if (radio.checked) this.setMode(radio.value, true); });
    }
    for (const id of ["nick-input", "password-input", "confirm-input"]) {
      $(id).addEventListener("input", () => { $("login-error").textContent = ""; });
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); this.send(); });
    const remembered = store.get("chatter.mode");
    this.setMode(Object.hasOwn(MODES, remembered) ? remembered : "signin", false);
  }

  get mode() { return $("login-form").dataset.mode; }

  setMode(mode, remember) {
    const form = $("login-form");
    form.dataset.mode = mode;
    $(`mode-${mode}`).checked = true;
    const { intro, button, password } = MODES[mode];
    $("login-intro").textContent = intro;
    $("login-submit").textContent = button;
    // Hidden fields are disabled too: not submitted, not offered by password managers.
    $("password-field").hidden = password === null;
    $("password-input").disabled = password === null;
    if (password) $("password-input").autocomplete = password;
    $("confirm-field").hidden = mode !== "register";
    $("confirm-input").disabled = mode !== "register";
    $("login-error").textContent = "";
    if (remember) store.set("chatter.mode", mode);
  }

  // note: why the entry screen is back (signed out, session ended); error: a refusal.
  // askToken opens the access-token field and puts the focus there.
  show({ nick = "", note = "", error = "", token = "", askToken = false, mode = null } = {}) {
    $("app").hidden = true;
    $("login").hidden = false;
    if (mode) this.setMode(mode, false);
    $("nick-input").value = nick;
    $("password-input").value = "";
    $("confirm-input").value = "";
    $("token-input").value = token;
    $("login-note").textContent = note;
    $("login-error").textContent = error;
    $("token-details").open = askToken || token !== "";
    const focus = askToken ? $("token-input") : (nick && this.mode !== "guest" ? $("password-input") : $("nick-input"));
    focus.focus();
    focus.select?.();
  }

  async send() {
    if (this.busy) return;
    const mode = this.mode;
    const nick = $("nick-input").value.trim();
    const password = $("password-input").value;
    const error = (text, field) => {
      $("login-error").textContent = text;
      field?.focus();
    };
    if (!validNick(nick)) {
      error(nick === "" ? "Please enter a nickname." : "Only letters, digits, “_”, “.” and “-” are allowed (no spaces).", $("nick-input"));
      return;
    }
    if (mode === "signin" && password === "") { error("Please enter your password.", $("password-input")); return; }
    if (mode === "register") {
      const problem = passwordProblem(password, $("confirm-input").value);
      if (problem) { error(problem, problem.includes("same") ? $("confirm-input") : $("password-input")); return; }
    }
    this.busy = true;
    $("login-submit").disabled = true;
    $("login-form").setAttribute("aria-busy", "true");
    try {
      const why = await this.submit(mode, { nick, password, token: $("token-input").value.trim() });
      if (why) error(why, mode === "signin" && /password/i.test(why) ? $("password-input") : $("nick-input"));
    } finally {
      this.busy = false;
      $("login-submit").disabled = false;
      $("login-form").removeAttribute("aria-busy");
      $("password-input").value = $("login").hidden ? "" : $("password-input").value;
      $("confirm-input").value = $("login").hidden ? "" : $("confirm-input").value;
    }
  }
}
