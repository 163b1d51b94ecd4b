// The dashboard: a server component. It renders the client component that
// holds <LayersConnect>; the tag and its attributes are already in the
// server's HTML, and the element upgrades when the browser loads it.
import { ConnectPanel } from "./connect-panel";

export default function Dashboard() {
  return (
    <main>
      <h1>Social accounts</h1>
      <ConnectPanel projectId="prj_demo" />
    </main>
  );
}
