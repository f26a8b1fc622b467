// SPDX-License-Identifier: MIT
// "Invite by QR" (docs/monitor.md, "Joining with a QR code"): the address this browser reached
// the server at, as a QR code for a phone's camera and as a link to copy. The code is drawn by
// the server (GET /invite.svg, the same libqrencode code as the monitor's header), for this
// page's own origin: the server checks that the origin is its own before it encodes it.
import { wireModal } from "/assets/view.js";

const $ = (id) => document.getElementById(id);

// The page a phone should open: this server's sign-in page, under the address used here.
export const joinUrl = () => `${location.origin}/`;

// The link onto the clipboard: the Clipboard API where the page may use it (HTTPS, localhost),
// else the selected text field and the older copy command (plain HTTP on a LAN address).
async function copyText(field) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(field.value);
      return true;
    } catch {
      // Refused (no permission, page not focused): the fallback may still work.
    }
  }
  field.focus();
  field.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

export function wireServerInvite() {
  const dialog = $("server-invite-dialog");
  const field = $("server-invite-url");
  const image = $("server-invite-qr");
  const status = $("server-invite-status");
  wireModal(dialog, $("server-invite-close"));
  $("server-invite-open").addEventListener("click", () => {
    const url = joinUrl();
    field.value = url;
    status.textContent = "";
    image.alt = `QR code of ${url}`;
    image.src = `/invite.svg?origin=${encodeURIComponent(location.origin)}`;
    dialog.showModal();
    $("server-invite-copy").focus();
  });
  image.addEventListener("error", () => {
    status.textContent = "The server did not make a QR code for this address; the link works all the same.";
  });
  $("server-invite-copy").addEventListener("click", async () => {
    const copied = await copyText(field);
    status.textContent = copied ? "Link copied." : "Copying is not allowed here: select the link and copy it.";
    if (!copied) { field.focus(); field.select(); }
  });
}
