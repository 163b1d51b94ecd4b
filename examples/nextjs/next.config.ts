import type { NextConfig } from "next";

// Where the reference proxy (or your own) listens. The widget calls
// /api/layers on this app's origin and Next forwards it there, so the
// browser never leaves the dashboard's origin (no CORS, `connect-src 'self'`).
// Next evaluates rewrites() in `next build` and bakes the result into
// .next/routes-manifest.json: set LAYERS_PROXY_URL when you build, not only
// when you start.
const proxy = process.env.LAYERS_PROXY_URL ?? "http://127.0.0.1:8080";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // Only because this example sits inside another npm project (the
  // repository): build from this folder. A standalone app can drop it.
  turbopack: { root: import.meta.dirname },
  async rewrites() {
    return [{ source: "/api/layers/:path*", destination: `${proxy}/api/layers/:path*` }];
  },
};

export default nextConfig;
