import "layers-connect";

let count = 0;
document.querySelector("layers-connect").addEventListener("layers-connected", (e) => {
  count += 1;
  document.getElementById("connected-count").textContent = `Connected: ${count} (@${e.detail.handle})`;
});
