// A consumer's code against the package's types. `tsc -p tests/types` must
// pass: every ordinary line type-checks, and every line marked as an expected
// error really is one (tsc fails on an unused expect-error directive).

import "layers-connect";
import {
  LayersConnectElement,
  type LayersConnectedDetail,
  type LayersFailedDetail,
  type LayersStatusDetail,
  type LayersPlatform,
  type LayersPhase,
} from "layers-connect";
import { handleReturn, type ReturnResult, type HandleReturnOptions } from "layers-connect/return";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_ok?: T) => {};

// --- HTMLElementTagNameMap: querySelector and createElement know the tag.
const found = document.querySelector("layers-connect");
assertType<Equal<typeof found, LayersConnectElement | null>>();
const created = document.createElement("layers-connect");
assertType<Equal<typeof created, LayersConnectElement>>();
const all = document.querySelectorAll("layers-connect");
assertType<Equal<typeof all, NodeListOf<LayersConnectElement>>>();

if (found) {
  // --- Typed events.
  found.addEventListener("layers-connected", (e) => {
    assertType<Equal<typeof e, CustomEvent<LayersConnectedDetail>>>();
    const id: string = e.detail.socialAccountId;
    const platform: LayersPlatform = e.detail.platform;
    const handle: string | null = e.detail.handle;
    void id, platform, handle;
    // @ts-expect-error: the detail has no `accountId`
    void e.detail.accountId;
  });
  found.addEventListener("layers-status", (e) => {
    assertType<Equal<typeof e.detail, LayersStatusDetail>>();
    const phase: LayersPhase = e.detail.phase;
    // @ts-expect-error: expiresAt may be null
    const deadline: string = e.detail.expiresAt;
    void phase, deadline;
    if (e.detail.phase === "in_app_browser") {
      const app: "instagram" | "tiktok" | "facebook" | "messenger" | undefined = e.detail.inAppBrowser?.app;
      const os: "android" | "ios" | "other" | undefined = e.detail.inAppBrowser?.os;
      void app, os;
    }
    // @ts-expect-error: absent outside in_app_browser, so possibly undefined
    void e.detail.inAppBrowser.app;
  });
  found.addEventListener("layers-failed", (e) => {
    assertType<Equal<typeof e.detail, LayersFailedDetail>>();
    // Open-ended codes: known ones autocomplete, any string is accepted.
    const known: LayersFailedDetail["code"] = "platform_denied";
    const other: LayersFailedDetail["code"] = "HTTP_502";
    void known, other, e.detail.message.toUpperCase();
  });
  // Ordinary DOM events still work, with `this` the element.
  found.addEventListener("click", function (e) {
    // TypeScript's own DOM lib types `click` (PointerEvent in TS 5.9).
    assertType<Equal<typeof e, HTMLElementEventMap["click"]>>();
    const self: LayersConnectElement = this;
    const t: typeof this = found;
    void self, t;
  });
  // Unknown event names fall back to the plain signature.
  found.addEventListener("something-else", (e) => void e.type);
  const onConnected = (e: CustomEvent<LayersConnectedDetail>) => void e.detail.socialAccountId;
  found.addEventListener("layers-connected", onConnected, { once: true });
  found.removeEventListener("layers-connected", onConnected);
  // @ts-expect-error: a layers-status listener does not take a connected detail
  found.addEventListener("layers-status", onConnected);

  // --- Methods.
  found.start("tiktok");
  found.start("instagram");
  // @ts-expect-error: not a platform
  found.start("youtube");
  // @ts-expect-error: start needs a platform
  found.start();
  found.cancel();
  found.reset();

  // --- Properties mirror attributes.
  found.endpoint = "/api/layers";
  found.projectId = "prj_demo";
  found.returnUrl = null;
  found.mode = "redirect";
  found.mode = "tab";
  found.mode = null;
  // @ts-expect-error: not a mode
  found.mode = "popup";
  found.messages = { connect: "Link {platform}" };
  // @ts-expect-error: not a message key
  found.messages = { conect: "typo" };
  // @ts-expect-error: projectId is a string
  found.projectId = 42;
  // Lists may be set as arrays; they read back as the attribute's string.
  found.platforms = ["instagram", "tiktok"];
  found.platforms = "tiktok";
  found.scopes = ["user.info.basic", "video.list"];
  const platforms: string | null = found.platforms;
  const scopes: string | null = found.scopes;
  void platforms, scopes;
  // @ts-expect-error: not a platform
  found.platforms = ["youtube"];
  // @ts-expect-error: scopes are strings
  found.scopes = [1];
}

// The class is a value too (instanceof, subclassing).
const el: unknown = document.body.firstElementChild;
if (el instanceof LayersConnectElement) el.start("tiktok");

// --- The return page.
const result: ReturnResult = handleReturn();
const error: string | null = result.error;
const closed: boolean = result.closed;
void error, closed;
const options: HandleReturnOptions = { close: false, location: window.location, history: window.history };
handleReturn(options);
// @ts-expect-error: close is a boolean
handleReturn({ close: "no" });
// @ts-expect-error: no such field on the result
void handleReturn().code;
