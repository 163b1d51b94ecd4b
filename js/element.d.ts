// Types for <layers-connect> (`layers-connect/element`; `layers-connect`
// re-exports them). Hand-written: they are the package's contract.

/** A platform the customer can connect. */
export type LayersPlatform = "tiktok" | "instagram";

/** The widget's phases, as `layers-status` reports them. */
export type LayersPhase =
  | "idle"
  | "starting"
  | "redirecting"
  | "waiting"
  | "finishing"
  | "connected"
  | "failed"
  | "failed_to_start"
  | "expired"
  | "unavailable"
  | "cancelled"
  /** Instagram's, TikTok's, Facebook's or Messenger's in-app browser: the handoff shows; see `inAppBrowser`. */
  | "in_app_browser";

/** The app whose in-app browser the page runs in. */
export type LayersInAppApp = "instagram" | "tiktok" | "facebook" | "messenger";

/** Which in-app browser, on which system (`layers-status` in `in_app_browser`). */
export interface LayersInAppBrowser {
  app: LayersInAppApp;
  /** `android`: an "Open in browser" `intent:` link; `ios`: the app's menu and "Copy link"; `other`: "Copy link". */
  os: "android" | "ios" | "other";
}

/**
 * Layers' OAuth failure codes. The set only grows, so any other string may
 * arrive too; so may the API codes of a failed start (`RETURN_URL_NOT_ALLOWED`,
 * `FORBIDDEN_SCOPE`, `NOT_FOUND`, `KILL_SWITCH`, `NETWORK`, `HTTP_502`…), and
 * `LOAD_FAILED` when the customer clicked before the widget's wasm was ready
 * and it then could not load.
 */
export type LayersFailureCode =
  | "state_expired"
  | "platform_denied"
  | "platform_mismatch"
  | "missing_code"
  | "exchange_failed"
  | "persistence_error"
  | (string & {});

/** Detail of `layers-status`, fired on every phase change. */
export interface LayersStatusDetail {
  phase: LayersPhase;
  platform: LayersPlatform | null;
  /** RFC 3339 deadline of the attempt, while it has one. */
  expiresAt: string | null;
  /** In `failed`, `failed_to_start` and `unavailable`. */
  code: LayersFailureCode | null;
  /** Present in `in_app_browser` only. */
  inAppBrowser?: LayersInAppBrowser;
}

/** Detail of `layers-connected`, fired once per successful attempt. */
export interface LayersConnectedDetail {
  /** The new `sa_…` social account. */
  socialAccountId: string;
  platform: LayersPlatform;
  handle: string | null;
  /** RFC 3339. */
  connectedAt: string | null;
}

/** Detail of `layers-failed`, fired once per failed attempt. */
export interface LayersFailedDetail {
  code: LayersFailureCode;
  /** English, for your logs; the widget shows localized copy itself. */
  message: string;
  platform: LayersPlatform;
}

/** The events `<layers-connect>` dispatches (they bubble and are composed). */
export interface LayersConnectEventMap extends HTMLElementEventMap {
  "layers-status": CustomEvent<LayersStatusDetail>;
  "layers-connected": CustomEvent<LayersConnectedDetail>;
  "layers-failed": CustomEvent<LayersFailedDetail>;
}

/** Names of the strings `messages` can override; `{placeholders}` are kept. */
export type LayersMessageKey =
  | "connect" | "opening" | "waiting" | "timeLeft" | "finishing" | "continueTo"
  | "tabBlocked" | "cancel" | "tryAgain" | "connectAnother" | "connected" | "connectedNoHandle"
  | "cancelled" | "expired" | "platformDenied" | "stateExpired" | "platformGlitch"
  | "exchangeFailed" | "persistenceError" | "failedGeneric" | "setupError"
  | "unavailable" | "offline" | "retrying"
  | "inApp" | "openInBrowser" | "inAppSteps" | "inAppStepsTiktok" | "copyLink" | "linkCopied"
  | "copyFailed" | "tryHere";

export type LayersMessages = Partial<Record<LayersMessageKey, string>>;

export class LayersConnectElement extends HTMLElement {
  /** Base URL of your backend proxy, e.g. "/api/layers". Required. */
  endpoint: string | null;
  /** The Layers project that will own the account. Required. */
  projectId: string | null;
  /** Space-separated platforms; default "tiktok instagram". An array may be set: it is joined. */
  get platforms(): string | null;
  set platforms(value: string | readonly LayersPlatform[] | null);
  /** Where Layers sends the customer back; default this page without query. */
  returnUrl: string | null;
  /** Space-separated platform scopes; default Layers' full set. An array may be set: it is joined. */
  get scopes(): string | null;
  set scopes(value: string | readonly string[] | null);
  /** Opaque note passed to Layers. */
  usageNote: string | null;
  /** "tab" (default) or "redirect". */
  mode: "tab" | "redirect" | null;
  /** Per-instance string overrides. */
  messages: LayersMessages | null;
  /** Starts connecting, as the platform's button does. Call it from a click handler. */
  start(platform: LayersPlatform): void;
  /** Stops the attempt under way. */
  cancel(): void;
  /** Back to the buttons, forgetting any outcome. */
  reset(): void;

  addEventListener<K extends keyof LayersConnectEventMap>(
    type: K,
    listener: (this: LayersConnectElement, ev: LayersConnectEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof LayersConnectEventMap>(
    type: K,
    listener: (this: LayersConnectElement, ev: LayersConnectEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** The tag name, "layers-connect". */
export const TAG: "layers-connect";

/**
 * Defines `<layers-connect>` unless it already is (by another copy of the
 * package too). Does nothing where there is no `customElements`, e.g. in a
 * server render. Returns whether the tag is defined now.
 */
export function defineLayersConnect(): boolean;

declare global {
  interface HTMLElementTagNameMap {
    "layers-connect": LayersConnectElement;
  }
}

/**
 * The tag's attributes as markup (JSX, templates) writes them. A list may be
 * a space-separated string or an array; `messages` is a property.
 */
export interface LayersConnectAttributes {
  /** Base URL of your backend proxy, e.g. "/api/layers". Required. */
  endpoint?: string;
  /** The Layers project that will own the account. Required. */
  "project-id"?: string;
  /** Default "tiktok instagram". */
  platforms?: string | readonly LayersPlatform[];
  /** Where Layers sends the customer back; default this page without query. */
  "return-url"?: string;
  /** Platform scopes; default Layers' full set. */
  scopes?: string | readonly string[];
  /** Opaque note passed to Layers. */
  "usage-note"?: string;
  /** "tab" (default) or "redirect". */
  mode?: "tab" | "redirect";
  /** BCP 47; default the nearest `lang` in the page. */
  lang?: string;
  /** Per-instance string overrides. */
  messages?: LayersMessages | null;
}

/**
 * React 19's `on<event>` props for the tag. On a server-rendered page React
 * does not attach them during hydration (React issue #35446): use
 * `layers-connect/react` or a ref there.
 */
export interface LayersConnectJSXEvents {
  "onlayers-status"?: (event: CustomEvent<LayersStatusDetail>) => void;
  "onlayers-connected"?: (event: CustomEvent<LayersConnectedDetail>) => void;
  "onlayers-failed"?: (event: CustomEvent<LayersFailedDetail>) => void;
}

// <layers-connect> in React 19 JSX (`react-jsx`), which reads React.JSX.
// The two empty interfaces merge into React's own when @types/react is
// installed, and keep this file valid without it (nobody writes JSX then).
declare module "react" {
  interface ClassAttributes<T> {}
  interface HTMLAttributes<T> {}
  namespace JSX {
    interface IntrinsicElements {
      "layers-connect": ClassAttributes<LayersConnectElement> &
        Omit<HTMLAttributes<LayersConnectElement>, keyof LayersConnectAttributes> &
        LayersConnectAttributes &
        LayersConnectJSXEvents;
    }
  }
}
