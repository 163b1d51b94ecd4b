// The element's screens before the wasm is ready: the idle buttons, and the
// "Opening {platform}…" screen a click before the wasm shows, painted from
// `templates.js`, which the build renders from the Leptos view itself (see
// examples/first_paint.rs). Nothing here decides what a screen shows; it only
// picks the template and adapts it to the element's `platforms` and
// `messages`, as the wasm would. Also the consent tab a click opens before
// the wasm is ready, opened exactly as src/browser/shell.rs opens it.

import templates, { labels } from "./templates.js";

/**
 * The element's language, as `choose_language` in src/messages.rs picks it:
 * the first tag of the `lang` walk, then of the browser's preferences, whose
 * primary subtag is a shipped language; English otherwise.
 */
export function chooseLanguage(langs, languages) {
  for (const tag of [...langs, ...languages]) {
    const primary = String(tag).trim().split(/[-_]/)[0].toLowerCase();
    if (Object.prototype.hasOwnProperty.call(templates, primary)) return primary;
  }
  return "en";
}

/** Replaces each `{name}` in `template`, exactly as `fill` in src/messages.rs. */
export function fill(template, values) {
  let out = "";
  let rest = template;
  for (let open; (open = rest.indexOf("{")) >= 0; ) {
    out += rest.slice(0, open);
    const after = rest.slice(open + 1);
    const close = after.indexOf("}");
    if (close < 0) return out + rest.slice(open);
    const name = after.slice(0, close);
    out += Object.prototype.hasOwnProperty.call(values, name) ? values[name] : `{${name}}`;
    rest = after.slice(close + 1);
  }
  return out + rest;
}

let policy;
/**
 * The template's nodes. A page that enforces Trusted Types
 * (`require-trusted-types-for 'script'`) must allow the policy
 * `layers-connect` (`trusted-types layers-connect`); where it does not, this
 * throws and the element waits for the wasm to render, as without templates.
 */
function parse(html) {
  const template = document.createElement("template");
  if (globalThis.trustedTypes?.createPolicy) {
    // The templates are this package's own build output, never page input.
    // A refused policy is asked for once (each refusal is a CSP report).
    policy ??= (() => {
      try {
        return trustedTypes.createPolicy("layers-connect", { createHTML: (s) => s });
      } catch (error) {
        return { error };
      }
    })();
    if (policy.error) throw policy.error;
    template.innerHTML = policy.createHTML(html);
  } else {
    template.innerHTML = html;
  }
  return template.content;
}

// The strings a first screen shows, by their `messages` names.
const SHOWN = ["connect", "opening", "cancel"];

/**
 * Applies `messages` overrides: each text the language's string produced
 * becomes what the override produces, as the wasm's `Messages::with` then
 * `fill` would render it.
 */
function override(fragment, strings, messages, platforms) {
  const swaps = new Map();
  for (const key of SHOWN) {
    const text = messages?.[key];
    if (typeof text !== "string") continue;
    for (const p of platforms) swaps.set(fill(strings[key], { platform: labels[p] }), fill(text, { platform: labels[p] }));
  }
  if (!swaps.size) return;
  const walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    if (swaps.has(node.data)) node.data = swaps.get(node.data);
  }
}

/**
 * The idle screen for `lang` with `platforms` (valid names, in order) and
 * `messages`, as nodes to put in the element's container.
 */
export function idleScreen(lang, platforms, messages) {
  const t = templates[lang] ?? templates.en;
  const fragment = parse(t.idle);
  // The template offers every platform in the default order; keep the
  // element's, in its order, as `connect_buttons` in src/screen.rs does.
  const buttons = fragment.querySelectorAll("button[data-platform]");
  const parent = buttons[0]?.parentNode;
  const byName = new Map([...buttons].map((b) => [b.dataset.platform, b]));
  for (const b of buttons) b.remove();
  for (const p of platforms) parent?.append(byName.get(p));
  override(fragment, t.messages, messages, platforms);
  return fragment;
}

/** The screen a click shows until the wasm takes over ("Opening TikTok…", Cancel). */
export function startingScreen(lang, platform, messages) {
  const t = templates[lang] ?? templates.en;
  const fragment = parse(t.starting[platform]);
  override(fragment, t.messages, messages, [platform]);
  return fragment;
}

/** Whether `name` is a platform the templates know. */
export const isPlatform = (name) => Object.prototype.hasOwnProperty.call(labels, name);

// Shared with src/browser/return_signal.rs (TOKEN_KEY) and js/return.js.
const TOKEN_KEY = "layers-connect:return-token";

/**
 * Opens the blank consent tab inside the click, as `open_consent_tab` and
 * `ConsentTab::open_blank` in src/browser/ do: a fresh return token in
 * sessionStorage for the instant the tab copies it, `about:blank` in a new
 * top-level tab (not `noopener`, or the handle would be null and the tab
 * could never be navigated), then its opener cut so the platform's page
 * cannot script this one. `tab` is null when the browser blocked it.
 */
export function openConsentTab() {
  const token = Math.floor(Math.random() * 9007199254740991).toString(16) + Math.floor(Date.now() * 1000).toString(16);
  const storage = (f) => {
    try {
      f(sessionStorage);
    } catch {}
  };
  storage((s) => s.setItem(TOKEN_KEY, token));
  let tab = null;
  try {
    tab = window.open("about:blank", "_blank");
  } catch {}
  storage((s) => s.removeItem(TOKEN_KEY));
  if (tab) {
    try {
      tab.opener = null;
    } catch {}
  }
  return { tab, token };
}

/** Closes a consent tab that is still ours (blank, this origin), as `ConsentTab::close`. */
export function closeConsentTab(tab) {
  try {
    if (tab && !tab.closed && tab.location.href) tab.close();
  } catch {}
}
