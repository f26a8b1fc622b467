// SPDX-License-Identifier: MIT
// Notifications for mentions and direct messages (docs/conversations.md, "Clients"). Browsers
// offer the Notification API only in a secure context (HTTPS, or the machine itself): there it
// is used once the user allows it. Over plain HTTP on a LAN address, the page shows an alert
// of its own with a short beep (WebAudio, no sound file) and says that HTTPS would allow
// system notifications. Do-not-disturb silences everything; a muted conversation only
// mentions (the caller says which).

import { plainText } from "/assets/markup.js";

const BEEP_HZ = 880;
const BEEP_S = 0.25;
const NOTE = "Served over HTTPS, this page could use your system's notifications.";

export class Notifier {
  constructor(view) {
    this.view = view;
    this.seen = new Set(); // "topic/id": a DM that mentions someone arrives as both dm and mention
    this.audio = null;
    this.beeps = 0;
    this.update();
  }

  // system: the Notification API can be asked for at all here.
  get system() {
    return window.isSecureContext === true && typeof window.Notification === "function";
  }

  // insecure | ask | granted | denied
  get state() {
    if (!this.system) return "insecure";
    return Notification.permission === "default" ? "ask" : Notification.permission;
  }

  update() {
    this.view.setNotificationState(this.state);
  }

  // Asked from a click (browsers ignore a request without one).
  ask() {
    if (!this.system) return;
    Promise.resolve(Notification.requestPermission()).catch(() => "denied").then(() => this.update());
  }

  // {key, title, body, id, status, muted}: key opens the conversation when clicked.
  notify({ key, title, body, id, status, muted }) {
    if (status === "dnd" || muted) return;
    if (id) {
      if (this.seen.has(id)) return;
      this.seen.add(id);
      if (this.seen.size > 500) this.seen.delete(this.seen.values().next().value);
    }
    const plain = plainText(body);
    const text = plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
    if (this.state === "granted") {
      try {
        const n = new Notification(title, { body: text, tag: id || undefined });
        n.onclick = () => { window.focus(); this.view.fire("select", key); n.close(); };
        return;
      } catch { /* some browsers allow notifications only from a service worker: alert here */ }
    }
    this.view.toast(title, text, key, this.state === "insecure" ? NOTE : "");
    this.beep();
  }

  // A mention found in a room's news (guests, who have no personal topic).
  mention(room, m, { status }) {
    this.notify({ key: room.key, title: `${m.user} mentioned you in ${room.title(this.view.nick)}`, body: String(m.body ?? ""), id: `${room.topic}/${m.id}`, status, muted: false });
  }

  beep() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      this.audio ??= new Context();
      const ctx = this.audio;
      if (ctx.state === "suspended") ctx.resume().catch(() => { /* no sound until a click */ });
      const t = ctx.currentTime;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = BEEP_HZ;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.12, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + BEEP_S);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + BEEP_S + 0.05);
      this.beeps += 1;
      document.getElementById("toasts").dataset.beeps = String(this.beeps); // what was played, for tests
    } catch { /* no audio here: the alert shows all the same */ }
  }
}
