// The return-url: Layers sends the customer here after consent.
import { ReturnHandler } from "./return-handler";

export default function ConnectReturn() {
  return (
    <main>
      <ReturnHandler />
    </main>
  );
}
