// Any React 18 or 19 app, server-rendered (Next.js, Remix) or not.
import { LayersConnect } from "layers-connect/react";

export function ConnectAccount({ projectId, onSaved }: { projectId: string; onSaved: (id: string) => void }) {
  return (
    <LayersConnect
      endpoint="/api/layers"
      projectId={projectId}
      returnUrl="/layers/return"
      onConnected={(e) => onSaved(e.detail.socialAccountId)}
      onFailed={(e) => console.warn(e.detail.code, e.detail.message)}
    />
  );
}
