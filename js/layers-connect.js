// <layers-connect>: the framework-agnostic custom element.
//
// A thin class over the wasm `Widget`: it turns attributes and properties
// into one config object, keeps the widget alive across DOM moves, and frees
// it (every timer, listener and request) when the element leaves the page.
// Events are dispatched by the widget itself on this element.

import init, { Widget } from "./pkg/layers_connect.js";

const ATTRIBUTES = ["endpoint", "project-id", "platforms", "return-url", "scopes", "usage-note", "mode", "lang"];

let loading;
/** Loads and instantiates the wasm module once per page, whatever the number of elements. */
function loadWidget() {
  if (!loading) {
    loading = init({ module_or_path: new URL("./pkg/layers_connect_bg.wasm", import.meta.url) });
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

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const words = (value) => (value ?? "").split(/[\s,]+/).filter(Boolean);

export class LayersConnectElement extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #widget = null;
  #messages = null;
  #pending = [];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
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
      () => {
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

  #config() {
    return {
      endpoint: this.getAttribute("endpoint"),
      projectId: this.getAttribute("project-id"),
      platforms: this.hasAttribute("platforms") ? words(this.getAttribute("platforms")) : null,
      returnUrl: this.getAttribute("return-url"),
      scopes: this.hasAttribute("scopes") ? words(this.getAttribute("scopes")) : null,
      usageNote: this.getAttribute("usage-note"),
      mode: this.getAttribute("mode"),
      lang: this.getAttribute("lang") || this.closest("[lang]")?.getAttribute("lang") || document.documentElement.lang || null,
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

if (!customElements.get("layers-connect")) {
  customElements.define("layers-connect", LayersConnectElement);
}
