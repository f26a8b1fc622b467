// SPDX-License-Identifier: MIT
// Admin tools (docs/identity.md): the `chatter:admin` channel, which only admins' sockets may
// join, and its dialog: disconnect (kick), ban, unban, a system message to the room in view.
// Every reply is shown as it comes.
import { wireModal } from "/assets/view.js";
import { validNick, validRoom, parseAt } from "/assets/util.js";

const $ = (id) => document.getElementById(id);

export class AdminPanel {
  // client: the ChatClient (its socket carries the admin's session); activeRoom(): the name of
  // the room in view, or null.
  constructor(client, activeRoom) {
    this.client = client;
    this.activeRoom = activeRoom;
    this.state = "joining"; // joining | joined | refused
    this.channel = client.socket.channel("chatter:admin", {});
    this.channel.join()
      .receive("ok", () => { this.state = "joined"; this.result(""); })
      .receive("error", ({ reason } = {}) => {
        // Not an admin after all (the role changed since signing in): no tools, no retries.
        this.state = "refused";
        this.channel.leave();
        $("admin-open").hidden = true;
        this.result(`The admin channel refused this session: ${reason || "forbidden"}.`, "error");
      });

    const dialog = $("admin-dialog");
    wireModal(dialog, $("admin-close"));
    $("admin-open").addEventListener("click", () => this.open(""));
    $("admin-user-form").addEventListener("submit", (e) => { e.preventDefault(); this.kick(); });
    $("admin-kick").addEventListener("click", () => this.kick());
    $("admin-ban").addEventListener("click", () => this.ban());
    $("admin-unban").addEventListener("click", () => this.unban());
    $("admin-system-form").addEventListener("submit", (e) => { e.preventDefault(); this.system(); });
  }

  // Opens the dialog, for `nick` when an admin picked a member.
  open(nick) {
    const room = this.activeRoom();
    $("admin-user").value = nick;
    $("admin-system-label").textContent = room ? `System message to #${room}` : "System message (join a room first)";
    $("admin-system-body").disabled = !room;
    $("admin-system-send").disabled = !room;
    if (this.state !== "refused") this.result("");
    $("admin-dialog").showModal();
    (nick ? $("admin-kick") : $("admin-user")).focus();
  }

  result(text, tone = "ok") {
    $("admin-result").textContent = text;
    $("admin-result").dataset.tone = tone;
  }

  target() {
    const user = $("admin-user").value.trim();
    if (!validNick(user)) {
      this.result(user === "" ? "Enter the nickname to act on." : "That is not a valid nickname.", "error");
      $("admin-user").focus();
      return null;
    }
    return user;
  }

  // Sends one admin push and reports its reply with `describe(reply)`.
  push(event, payload, describe) {
    // While the channel is still joining, phoenix.js holds the push and sends it once joined.
    if (this.state === "refused") {
      this.result("Not allowed: this session is not an admin's.", "error");
      return;
    }
    this.result("Sending…", "ok");
    this.channel.push(event, payload)
      .receive("ok", (reply) => this.result(describe(reply ?? {}), "ok"))
      .receive("error", ({ reason } = {}) => this.result(`Refused: ${reason || "error"}.`, "error"))
      .receive("timeout", () => this.result("No answer from the server.", "error"));
  }

  kick() {
    const user = this.target();
    if (!user) return;
    this.push("kick", { user }, ({ closed }) =>
      `Disconnected ${user}: ${closed === 1 ? "1 connection" : `${closed ?? 0} connections`} closed.`);
  }

  ban() {
    const user = this.target();
    if (!user) return;
    const minutes = Number($("ban-minutes").value || "0");
    if (!Number.isInteger(minutes) || minutes < 0) {
      this.result("Ban minutes are a whole number, 0 for until lifted.", "error");
      $("ban-minutes").focus();
      return;
    }
    const reason = $("ban-reason").value.trim();
    this.push("ban", { user, minutes, reason }, ({ until }) => {
      const date = until ? parseAt(until) : null;
      return `Banned ${user} ${date ? `until ${date.toLocaleString()}` : "until lifted"}.`;
    });
  }

  unban() {
    const user = this.target();
    if (!user) return;
    this.push("unban", { user }, () => `Lifted the ban on ${user}.`);
  }

  system() {
    const room = this.activeRoom();
    const body = $("admin-system-body").value.trim();
    if (!room || !validRoom(room)) { this.result("Join a room first.", "error"); return; }
    if (body === "") { this.result("Write the message first.", "error"); $("admin-system-body").focus(); return; }
    this.push("system", { room, body }, () => {
      $("admin-system-body").value = "";
      return `Posted to #${room} as system.`;
    });
  }
}
