// Types for `layers-connect/react`.
import type { ForwardRefExoticComponent, HTMLAttributes, RefAttributes } from "react";
import type {
  LayersConnectedDetail,
  LayersConnectElement,
  LayersFailedDetail,
  LayersMessages,
  LayersPlatform,
  LayersStatusDetail,
} from "./element.js";

export interface LayersConnectProps
  extends Omit<HTMLAttributes<LayersConnectElement>, "lang" | "children" | "dangerouslySetInnerHTML"> {
  /** Base URL of your backend proxy, e.g. "/api/layers". */
  endpoint: string;
  /** The Layers project that will own the account. */
  projectId: string;
  /** Default "tiktok instagram". */
  platforms?: string | readonly LayersPlatform[];
  /** Where Layers sends the customer back (on your proxy's allowlist); default this page without query. */
  returnUrl?: string;
  /** Platform scopes; default Layers' full set. */
  scopes?: string | readonly string[];
  /** Opaque note passed to Layers. */
  usageNote?: string;
  /** "tab" (default) or "redirect". */
  mode?: "tab" | "redirect";
  /** BCP 47; default the nearest `lang` in the page. */
  lang?: string;
  /** String overrides, set as the element's `messages` property. */
  messages?: LayersMessages | null;
  /** Once per successful attempt. */
  onConnected?: (event: CustomEvent<LayersConnectedDetail>) => void;
  /** Once per failed attempt, including a failed start. */
  onFailed?: (event: CustomEvent<LayersFailedDetail>) => void;
  /** Every phase change. */
  onStatus?: (event: CustomEvent<LayersStatusDetail>) => void;
}

/**
 * `<layers-connect>` for React 18 and 19, server rendering included: defines
 * the element and attaches its listeners in effects (once per mount, Strict
 * Mode too). The ref is the element, for `start()`, `cancel()`, `reset()`.
 */
export const LayersConnect: ForwardRefExoticComponent<LayersConnectProps & RefAttributes<LayersConnectElement>>;
