// SPDX-License-Identifier: MIT
import { Socket } from "/assets/vendor/phoenix.mjs";

document.getElementById("app").textContent = "Chatter web client: " + typeof Socket;
