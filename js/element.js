// <layers-connect>'s class, without defining the tag (`layers-connect/element`).
//
// A thin class over the wasm `Widget`: it turns attributes and properties
// into one config object, keeps the widget alive across DOM moves, and frees
// it (every timer, listener and request) when the element leaves the page.
// Events are dispatched by the widget itself on this element.
//
// Importing this module does nothing else, anywhere: no tag is defined, no
// wasm is fetched, and where there is no DOM (a server render in Node) the
// class extends an empty one, so frameworks that evaluate imports on the
// server can import it. The wasm glue is loaded by the first element that
// connects, with a dynamic import.

import css from "./style.js";

export const TAG = "layers-connect";

const ATTRIBUTES = ["endpoint", "project-id", "platforms", "return-url", "scopes", "usage-note", "mode", "lang"];

let loading;
/** Loads and instantiates the wasm module once per page, whatever the number of elements. */
function loadWidget() {
  if (!loading) {
    // The wasm download starts at once, alongside the glue's: neither waits
    // for the other (wasm-bindgen's init awaits a promised Response).
    const wasm = fetch(new URL("./pkg/layers_connect_bg.wasm", import.meta.url));
    wasm.catch(() => {}); // a failure surfaces through `loading`, once
    loading = import("./pkg/layers_connect.js").then(async (glue) => {
      await glue.default({ module_or_path: wasm });
      return glue.Widget;
    });
    // A page's first sessionStorage access is a synchronous round trip to the
    // browser process (1.5-7 ms measured in Chromium here). Mounting reads the
    // persisted attempt, so make that trip now, while the wasm may still be
    // downloading (on the demo page, which preloads it, the gain is within
    // noise). Storage may be blocked: then it is absent.
    try {
      sessionStorage.length;
    } catch {}
  }
  return loading;
}

let sheet;
/**
 * The widget's stylesheet, adopted by every shadow root: a constructable
 * stylesheet is not an inline `<style>`, so a page whose CSP has
 * `style-src 'self'` (no 'unsafe-inline') styles the widget all the same.
 */
function adoptStyle(root) {
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
    }
    root.adoptedStyleSheets = [sheet];
  } else {
    // Browsers without constructable stylesheets (Safari before 16.4).
    const style = document.createElement("style");
    style.textContent = css;
    root.append(style);
  }
}

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const words = (value) => (value ?? "").split(/[\s,]+/).filter(Boolean);

// Without a DOM there is no HTMLElement to extend; the class must still
// evaluate so that importing it on a server throws nothing.
const Base = globalThis.HTMLElement ?? class {};

export class LayersConnectElement extends Base {
  static observedAttributes = ATTRIBUTES;

  #widget = null;
  #messages = null;
  #pending = [];

  constructor() {
    super();
    adoptStyle(this.attachShadow({ mode: "open" }));
  }

  connectedCallback() {
    if (this.#widget) return; // a move: the running attempt carries on
    // Frameworks may set properties before this class was defined; those
    // landed on the instance and would hide the accessors. Re-apply them.
    for (const name of [...ATTRIBUTES.map(camel), "messages"]) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    loadWidget().then(
      (Widget) => {
        if (!this.isConnected || this.#widget) return;
        this.#widget = new Widget(this, this.shadowRoot, this.#config());
        for (const call of this.#pending.splice(0)) call(this.#widget);
      },
      (error) => {
        console.error("<layers-connect> could not load its wasm module:", error);
        this.shadowRoot.textContent = "This widget could not load. Please reload the page.";
      },
    );
  }

  disconnectedCallback() {
    // A move fires disconnected then connected in the same task; only a real
    // removal is still disconnected once the microtask runs.
    queueMicrotask(() => {
      if (this.isConnected || !this.#widget) return;
      this.#widget.free();
      this.#widget = null;
    });
  }

  // Element.moveBefore() keeps state natively; nothing to tear down.
  connectedMoveCallback() {}

  attributeChangedCallback(_name, oldValue, newValue) {
    if (oldValue !== newValue) this.#widget?.configure(this.#config());
  }

  /** Per-instance string overrides, e.g. `{ connect: "Link {platform}" }`. */
  get messages() {
    return this.#messages;
  }
  set messages(value) {
    this.#messages = value ?? null;
    this.#widget?.configure(this.#config());
  }

  /** Starts connecting `platform` ("tiktok" | "instagram"), as the button does. */
  start(platform) {
    this.#call((w) => w.start(String(platform)));
  }
  /** Stops the current attempt; the customer can start again. */
  cancel() {
    this.#call((w) => w.cancel());
  }
  /** Back to the buttons, forgetting any outcome. */
  reset() {
    this.#call((w) => w.reset());
  }

  #call(f) {
    if (this.#widget) f(this.#widget);
    else this.#pending.push(f);
  }

  // Every `lang` from here up, nearest first, crossing shadow roots.
  #langs() {
    const langs = [];
    for (let n = this; n; n = n.parentElement ?? n.parentNode?.host) {
      if (n.hasAttribute("lang")) langs.push(n.getAttribute("lang"));
    }
    return langs;
  }

  #config() {
    return {
      endpoint: this.getAttribute("endpoint"),
      projectId: this.getAttribute("project-id"),
      platforms: this.hasAttribute("platforms") ? words(this.getAttribute("platforms")) : null,
      returnUrl: this.getAttribute("return-url"),
      scopes: this.hasAttribute("scopes") ? words(this.getAttribute("scopes")) : null,
      usageNote: this.getAttribute("usage-note"),
      mode: this.getAttribute("mode"),
      langs: this.#langs(),
      languages: [...navigator.languages],
      messages: this.#messages,
    };
  }
}

// Properties mirror attributes (`projectId` ⇄ `project-id`). `lang` keeps
// HTMLElement's own accessor, which already reflects the (observed) attribute
// and returns "" when it is absent, as the `string` type promises.
for (const attribute of ATTRIBUTES) {
  if (attribute === "lang") continue;
  Object.defineProperty(LayersConnectElement.prototype, camel(attribute), {
    get() {
      return this.getAttribute(attribute);
    },
    set(value) {
      if (value == null) this.removeAttribute(attribute);
      else this.setAttribute(attribute, Array.isArray(value) ? value.join(" ") : String(value));
    },
    configurable: true,
    enumerable: true,
  });
}

/**
 * Defines `<layers-connect>` unless something already did (another copy of
 * the package, or an earlier call). Does nothing where there is no
 * `customElements` (a server). Returns whether the tag is defined now.
 */
export function defineLayersConnect() {
  if (typeof customElements === "undefined") return false;
  if (!customElements.get(TAG)) customElements.define(TAG, LayersConnectElement);
  return true;
}
