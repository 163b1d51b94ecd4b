"use client";
// `layers-connect/react`: <LayersConnect>, the element as a React component.
//
// Why a wrapper: on a server-rendered React 19 page, `onlayers-connected`
// props on the bare tag are never attached during hydration (React issue
// #35446), so the events silently go nowhere. This component attaches its
// listeners through a ref in an effect, which runs after hydration as after
// a client render, and defines the element in an effect too, so the module
// is safe to import on a server. Plain JS with createElement: no JSX build.
//
// "use client": React Server Components bundlers (Next.js App Router) treat
// the module as a client component; elsewhere the directive is a no-op.

import { createElement, forwardRef, useCallback, useEffect, useRef } from "react";
import { defineLayersConnect, TAG } from "./element.js";

const EVENTS = [
  ["layers-connected", "onConnected"],
  ["layers-failed", "onFailed"],
  ["layers-status", "onStatus"],
];

// A list prop becomes the attribute's space-separated form, so the server's
// HTML and the client's DOM say the same.
const list = (value) => (Array.isArray(value) ? value.join(" ") : value);

export const LayersConnect = forwardRef(function LayersConnect(props, forwardedRef) {
  const {
    endpoint,
    projectId,
    platforms,
    returnUrl,
    scopes,
    usageNote,
    mode,
    lang,
    messages,
    onConnected,
    onFailed,
    onStatus,
    ...rest
  } = props;

  // The latest handlers, read when an event arrives: a new callback on each
  // render must not re-attach listeners (nor drop an event in between).
  const handlers = useRef({});
  handlers.current = { onConnected, onFailed, onStatus };

  const element = useRef(null);
  const setRef = useCallback(
    (node) => {
      element.current = node;
      if (typeof forwardedRef === "function") forwardedRef(node);
      else if (forwardedRef) forwardedRef.current = node;
    },
    [forwardedRef],
  );

  // Define the tag, then listen. Effects run only in the browser and after
  // hydration; Strict Mode's extra mount runs cleanup first, so exactly one
  // listener per event is ever attached.
  useEffect(() => {
    defineLayersConnect();
    const el = element.current;
    if (!el) return undefined;
    const listeners = EVENTS.map(([type, prop]) => {
      const listener = (event) => handlers.current[prop]?.(event);
      el.addEventListener(type, listener);
      return [type, listener];
    });
    return () => {
      for (const [type, listener] of listeners) el.removeEventListener(type, listener);
    };
  }, []);

  // An object, so a property, never an attribute (React 18 would stringify it).
  useEffect(() => {
    if (element.current) element.current.messages = messages ?? null;
  }, [messages]);

  return createElement(TAG, {
    ...rest,
    ref: setRef,
    endpoint,
    "project-id": projectId,
    platforms: list(platforms),
    "return-url": returnUrl,
    scopes: list(scopes),
    "usage-note": usageNote,
    mode,
    lang,
  });
});
