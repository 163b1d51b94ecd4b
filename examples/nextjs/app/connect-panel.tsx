"use client";
// The wrapper attaches onConnected through a ref after hydration. The bare
// tag's onlayers-connected prop would never fire on this server-rendered page
// (React issue #35446).
import { useState } from "react";
import { LayersConnect } from "layers-connect/react";
import type { LayersConnectedDetail } from "layers-connect";

export function ConnectPanel({ projectId }: { projectId: string }) {
  const [connected, setConnected] = useState<LayersConnectedDetail[]>([]);
  return (
    <section>
      <LayersConnect
        endpoint="/api/layers"
        projectId={projectId}
        returnUrl="/connect/return"
        onConnected={(e) => setConnected((list) => [...list, e.detail])}
        onFailed={(e) => console.warn(e.detail.code, e.detail.message)}
      />
      <p id="connected-count">onConnected calls: {connected.length}</p>
      <ol id="connected-log">
        {connected.map((d, i) => (
          <li key={i}>
            {d.platform} @{d.handle} ({d.socialAccountId})
          </li>
        ))}
      </ol>
    </section>
  );
}
