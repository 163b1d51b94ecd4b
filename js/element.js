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
//
// Until the wasm is ready the element shows the view's idle screen, rendered
// at build time (first-paint.js), in the task it connects in; a click on it
// opens the consent tab at once (inside the user activation, as the wasm
// would) and hands it to the widget once the wasm is there.

import css from "./style.js";
import { chooseLanguage, closeConsentTab, idleScreen, isPlatform, openConsentTab, startingScreen } from "./first-paint.js";

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
  // Until the wasm takes over: whether the element is connected, the
  // container of the screen painted from the templates, and the attempt a
  // click started ({ platform, tab, token, redirect }).
  #connected = false;
  #container = null;
  #early = null;
  #waiting = false;

  constructor() {
    super();
    adoptStyle(this.attachShadow({ mode: "open" }));
  }

  connectedCallback() {
    this.#connected = true;
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
    this.#paint();
    if (this.#waiting) return; // a move while the wasm loads
    this.#waiting = true;
    loadWidget().then(
      (Widget) => {
        this.#waiting = false;
        if (!this.isConnected || this.#widget) return;
        this.#takeOver(Widget);
      },
      (error) => {
        this.#waiting = false;
        console.error("<layers-connect> could not load its wasm module:", error);
        this.#failed();
      },
    );
  }

  disconnectedCallback() {
    this.#connected = false;
    // A move fires disconnected then connected in the same task; only a real
    // removal is still disconnected once the microtask runs.
    queueMicrotask(() => {
      if (this.isConnected) return;
      if (this.#early) {
        // A tab opened before the wasm, for an element that is gone.
        closeConsentTab(this.#early.tab);
        this.#early = null;
      }
      if (!this.#widget) return;
      this.#widget.free();
      this.#widget = null;
    });
  }

  // Element.moveBefore() keeps state natively; nothing to tear down.
  connectedMoveCallback() {}

  attributeChangedCallback(_name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (this.#widget) this.#widget.configure(this.#config());
    else this.#paint();
  }

  /** Per-instance string overrides, e.g. `{ connect: "Link {platform}" }`. */
  get messages() {
    return this.#messages;
  }
  set messages(value) {
    this.#messages = value ?? null;
    if (this.#widget) this.#widget.configure(this.#config());
    else this.#paint();
  }

  /** Starts connecting `platform` ("tiktok" | "instagram"), as the button does. */
  start(platform) {
    const name = String(platform).trim().toLowerCase();
    if (this.#widget || !isPlatform(name)) {
      this.#call((w) => w.start(String(platform)));
      return;
    }
    // Before the wasm: the consent tab must open now, inside the click, or
    // the browser blocks it. Redirect mode needs no tab: the page itself
    // leaves once the widget has minted the URL.
    if (this.#early) return; // an attempt is starting; the wasm would ignore this too
    const redirect = (this.getAttribute("mode") ?? "").trim().toLowerCase() === "redirect";
    this.#early = { platform: name, redirect, ...(redirect ? { tab: null, token: "" } : openConsentTab()) };
    this.#paint();
  }
  /** Stops the current attempt; the customer can start again. */
  cancel() {
    if (!this.#widget && this.#early) this.#dropEarly();
    else this.#call((w) => w.cancel());
  }
  /** Back to the buttons, forgetting any outcome. */
  reset() {
    if (!this.#widget && this.#early) this.#dropEarly();
    else this.#call((w) => w.reset());
  }

  #call(f) {
    if (this.#widget) f(this.#widget);
    else this.#pending.push(f);
  }

  #dropEarly() {
    closeConsentTab(this.#early.tab);
    this.#early = null;
    this.#paint();
  }

  /**
   * Shows the screen the wasm would show now, from the build's templates:
   * the idle buttons, or "Opening {platform}…" after an early click. Nothing
   * when the wasm may show something else: invalid attributes (it explains
   * them), an attempt persisted by an earlier page load (it resumes it).
   */
  #paint() {
    if (this.#widget || !this.#connected) return;
    const focus = this.#focusKey();
    let screen = null;
    try {
      screen = this.#screen();
    } catch (error) {
      // Trusted Types without the `layers-connect` policy allowed, mostly.
      console.warn("<layers-connect>: no first screen before the wasm:", error);
    }
    this.#container?.remove();
    this.#container = null;
    if (!screen) return;
    // The same container the widget mounts its view in (src/element.rs).
    const container = document.createElement("div");
    container.append(screen);
    container.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest("button") : null;
      if (!button) return;
      if (button.dataset.platform) this.start(button.dataset.platform);
      else if (button.matches("[part~=cancel]")) this.cancel();
    });
    this.shadowRoot.append(container);
    this.#container = container;
    this.#restoreFocus(focus);
  }

  #screen() {
    const endpoint = (this.getAttribute("endpoint") ?? "").trim();
    const projectId = (this.getAttribute("project-id") ?? "").trim();
    const mode = (this.getAttribute("mode") ?? "").trim().toLowerCase();
    if (!endpoint || /^javascript:/i.test(endpoint) || !projectId || !["", "tab", "redirect"].includes(mode)) return null;
    let platforms = ["tiktok", "instagram"];
    if (this.hasAttribute("platforms")) {
      platforms = [...new Set(words(this.getAttribute("platforms")).map((p) => p.toLowerCase()))];
      if (!platforms.length || !platforms.every(isPlatform)) return null;
    }
    // The key the shell persists an attempt under (Shell::storage_key).
    const key = `layers-connect:${projectId}${this.id ? `#${this.id}` : ""}`;
    try {
      if (!this.#early && sessionStorage.getItem(key) !== null) return null;
    } catch {}
    const lang = chooseLanguage(this.#langs(), navigator.languages);
    return this.#early ? startingScreen(lang, this.#early.platform, this.#messages) : idleScreen(lang, platforms, this.#messages);
  }

  /** Mounts the wasm widget over the first screen, which it replaces in this task. */
  #takeOver(Widget) {
    const focus = this.#focusKey();
    this.#container = null; // the widget empties the root as it mounts
    this.#widget = new Widget(this, this.shadowRoot, this.#config());
    const early = this.#early;
    this.#early = null;
    if (early) {
      try {
        if (early.redirect) this.#widget.start(early.platform);
        else this.#widget.connectWithTab(early.platform, early.tab, early.token);
      } catch (error) {
        console.error(error);
      }
    }
    for (const call of this.#pending.splice(0)) call(this.#widget);
    // The widget's screen is already built; a phase the early click started
    // renders in a microtask, before the next frame.
    this.#restoreFocus(focus);
    if (focus) requestAnimationFrame(() => this.#restoreFocus(focus));
  }

  /** The wasm could not load: no widget will come, so no tab either. */
  #failed() {
    const early = this.#early;
    this.#early = null;
    if (early) closeConsentTab(early.tab);
    this.#container?.remove();
    this.#container = null;
    const message = "This widget could not load. Please reload the page.";
    const root = document.createElement("div");
    root.className = "lc-root";
    root.setAttribute("part", "root");
    root.dataset.phase = "failed_to_start";
    const status = document.createElement("p");
    status.className = "lc-status lc-error";
    status.setAttribute("part", "status error");
    status.setAttribute("role", "alert");
    status.textContent = message;
    root.append(status);
    this.shadowRoot.append(root);
    // An attempt the customer started has failed to start (README, Events).
    if (early) {
      const detail = { code: "LOAD_FAILED", message, platform: early.platform };
      this.dispatchEvent(new CustomEvent("layers-failed", { detail, bubbles: true, composed: true }));
    }
  }

  // Which control has focus, to give it back in a new tree.
  #focusKey() {
    const active = this.shadowRoot.activeElement;
    if (!active) return null;
    if (active.dataset?.platform) return `button[data-platform="${active.dataset.platform}"]`;
    return active.matches("[part~=cancel]") ? "button[part~=cancel]" : "button";
  }

  // Focus the same control if focus was lost with the old tree, or else the
  // next action, as the view's focus_next_action does.
  #restoreFocus(key) {
    if (!key) return;
    const active = this.shadowRoot.activeElement;
    if (active?.isConnected) return;
    const target = this.shadowRoot.querySelector(key) ?? this.shadowRoot.querySelector("[data-autofocus], button");
    target?.focus();
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
