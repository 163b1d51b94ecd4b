// The return page's script: tells the widget that started the attempt, then
// closes the tab. /connect/return.js is layers_connect::return_page::SCRIPT,
// the same helper as the npm package's `layers-connect/return`.
import { handleReturn } from "/connect/return.js";

const { error, closed } = handleReturn();
if (!closed) {
  const message = document.getElementById("message");
  message.textContent = error
    ? `The connection did not complete (${error}). You can close this tab and try again from your dashboard.`
    : "You can close this tab and go back to your dashboard.";
}
