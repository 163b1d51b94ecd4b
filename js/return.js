// The return page helper: the page at your `returnUrl` calls this once.
//
// Layers appends `layers_oauth_error=<code>` to the return URL only on failure.
// This reads and strips it, tells the widget that started the attempt (same
// origin, through a BroadcastChannel), then tries to close the tab. Browsers
// only let a script close a tab a script opened; otherwise it reports that the
// customer can close it. No wasm is loaded here: the page should be instant.

const CHANNEL = "layers-connect";
const KIND = "layers-connect:return";
const ERROR_PARAM = "layers_oauth_error";
// The widget stamps this into the consent tab's sessionStorage as it opens it
// (a tab opened by window.open starts with a copy of the opener's), so the
// message names the widget it answers when several share a page.
const TOKEN_KEY = "layers-connect:return-token";
// Layers' failure codes: snake_case, short.
const CODE_SHAPE = /^[a-z_]{1,64}$/;

/**
 * @param {{ close?: boolean, location?: Location, history?: History }} [options]
 * @returns {{ error: string | null, closed: boolean }}
 */
export function handleReturn(options = {}) {
  const loc = options.location ?? window.location;
  const hist = options.history ?? window.history;
  const url = new URL(loc.href);
  // Anyone can open this page with any text in the parameter: report only
  // codes of the documented shape, so a page never echoes someone's words.
  const raw = url.searchParams.get(ERROR_PARAM)?.trim() || null;
  const error = raw === null ? null : CODE_SHAPE.test(raw) ? raw : "unknown";
  if (url.searchParams.has(ERROR_PARAM)) {
    url.searchParams.delete(ERROR_PARAM);
    hist.replaceState(hist.state, "", url.href);
  }

  let token = null;
  try {
    token = sessionStorage.getItem(TOKEN_KEY);
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage blocked: any waiting widget takes the signal.
  }

  if (typeof BroadcastChannel === "function") {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ kind: KIND, error, token });
    channel.close();
  }

  let closed = false;
  if (options.close !== false) {
    try {
      window.close();
      closed = window.closed;
    } catch {
      closed = false;
    }
  }
  return { error, closed };
}
