// The demo's return page script. A file, not an inline <script>, so that the
// page works under a strict CSP (`script-src 'self'`).
import { handleReturn } from "/dist/return.js";

const { error, closed } = handleReturn();
if (!closed) {
  const message = document.getElementById("message");
  if (error) {
    message.className = "error";
    message.textContent = `The connection did not complete (${error}). You can close this tab and try again from your dashboard.`;
  } else {
    message.textContent = "You can close this tab and go back to your dashboard.";
  }
}
