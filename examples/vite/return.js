import { handleReturn } from "layers-connect/return";

const { error, closed } = handleReturn();
if (!closed) {
  document.getElementById("message").textContent = error
    ? `The connection did not complete (${error}). You can close this tab.`
    : "You can close this tab and go back to your dashboard.";
}
