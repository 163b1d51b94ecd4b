import { defineConfig } from "vite";

// Where the proxy listens. `vite` (dev) and `vite preview` forward
// /api/layers there, so the page calls its own origin. In production, route
// /api/layers to the proxy on the server that serves dist/.
const proxy = process.env.LAYERS_PROXY_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  server: { proxy: { "/api/layers": proxy } },
  preview: { proxy: { "/api/layers": proxy } },
  // Two pages: the dashboard and the return page (which loads no wasm).
  build: { rolldownOptions: { input: { main: "index.html", return: "return.html" } } },
});
