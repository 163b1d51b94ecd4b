// Client-rendered React 19 only (a Vite SPA): the bare tag and its on<event> props.
import "layers-connect";

export function ConnectAccount({ projectId, onSaved }: { projectId: string; onSaved: (id: string) => void }) {
  return (
    <layers-connect
      endpoint="/api/layers"
      project-id={projectId}
      return-url="/layers/return"
      onlayers-connected={(e) => onSaved(e.detail.socialAccountId)}
    />
  );
}
