// A strict React 19 consumer (`jsx: react-jsx`) of the package's JSX types:
// no `any`, no cast, no declaration of its own. Every line marked as an
// expected error must really be one (tsc fails on an unused directive).

import { useEffect, useRef } from "react";
import "layers-connect";
import type {
  LayersConnectElement,
  LayersConnectedDetail,
  LayersFailedDetail,
  LayersStatusDetail,
} from "layers-connect";
import { LayersConnectElement as Klass, defineLayersConnect, TAG } from "layers-connect/element";
import { LayersConnect, type LayersConnectProps } from "layers-connect/react";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_ok?: T) => {};

// --- The class entry: the same class, and a define function.
assertType<Equal<Klass, LayersConnectElement>>();
const defined: boolean = defineLayersConnect();
const tag: "layers-connect" = TAG;
void defined, tag;

// --- The bare tag, every attribute and property.
export function Tag() {
  const ref = useRef<LayersConnectElement>(null);
  useEffect(() => {
    // A ref to the element, typed: methods and typed events, no `!`, no cast.
    const el = ref.current;
    if (!el) return;
    const onConnected = (e: CustomEvent<LayersConnectedDetail>) => void e.detail.socialAccountId;
    el.addEventListener("layers-connected", onConnected);
    return () => el.removeEventListener("layers-connected", onConnected);
  }, []);
  return (
    <>
      <layers-connect
        ref={ref}
        id="widget"
        className="account-widget"
        style={{ maxWidth: "24rem" }}
        endpoint="/api/layers"
        project-id="prj_demo"
        platforms="tiktok instagram"
        return-url="/return.html"
        scopes="user.info.basic video.list"
        usage-note="onboarding"
        mode="tab"
        lang="fr"
        messages={{ connect: "Lier {platform}" }}
        onlayers-connected={(e) => {
          assertType<Equal<typeof e, CustomEvent<LayersConnectedDetail>>>();
          void e.detail.socialAccountId.toUpperCase();
        }}
        onlayers-failed={(e) => {
          assertType<Equal<typeof e, CustomEvent<LayersFailedDetail>>>();
          void e.detail.code;
        }}
        onlayers-status={(e) => {
          assertType<Equal<typeof e, CustomEvent<LayersStatusDetail>>>();
          void e.detail.phase;
        }}
        onClick={(e) => {
          const self: LayersConnectElement = e.currentTarget;
          void self;
        }}
      />
      <layers-connect endpoint="/api/layers" project-id="prj_demo" platforms={["instagram", "tiktok"]} scopes={["user.info.basic"]} mode="redirect" />
      {/* @ts-expect-error: not a mode */}
      <layers-connect mode="popup" />
      {/* @ts-expect-error: not a platform */}
      <layers-connect platforms={["youtube"]} />
      {/* @ts-expect-error: project-id is a string */}
      <layers-connect project-id={42} />
      {/* @ts-expect-error: not a message key */}
      <layers-connect messages={{ conect: "typo" }} />
      {/* @ts-expect-error: a connected handler does not get a failed detail */}
      <layers-connect onlayers-connected={(e: CustomEvent<LayersFailedDetail>) => void e.detail.code} />
      {/* @ts-expect-error: the detail has no accountId */}
      <layers-connect onlayers-connected={(e) => void e.detail.accountId} />
      {/* @ts-expect-error: not an attribute of the tag */}
      <layers-connect project="prj_demo" />
    </>
  );
}

// --- The wrapper.
export function Wrapper() {
  const ref = useRef<LayersConnectElement>(null);
  return (
    <>
      <LayersConnect
        ref={ref}
        id="widget"
        className="account-widget"
        endpoint="/api/layers"
        projectId="prj_demo"
        platforms={["tiktok"]}
        returnUrl="/return.html"
        scopes="user.info.basic"
        usageNote="onboarding"
        mode="redirect"
        lang="de"
        messages={{ tryAgain: "Nochmal" }}
        onConnected={(e) => {
          assertType<Equal<typeof e, CustomEvent<LayersConnectedDetail>>>();
          ref.current?.reset();
        }}
        onFailed={(e) => void e.detail.message}
        onStatus={(e) => void e.detail.expiresAt}
      />
      {/* @ts-expect-error: projectId is required */}
      <LayersConnect endpoint="/api/layers" />
      {/* @ts-expect-error: no such prop (it is returnUrl) */}
      <LayersConnect endpoint="/api/layers" projectId="prj_demo" returnURL="/return.html" />
      {/* @ts-expect-error: a connected event has no code */}
      <LayersConnect endpoint="/api/layers" projectId="prj_demo" onConnected={(e) => void e.detail.code} />
      {/* @ts-expect-error: not a platform */}
      <LayersConnect endpoint="/api/layers" projectId="prj_demo" platforms={["youtube"]} />
    </>
  );
}

const props: LayersConnectProps = { endpoint: "/api/layers", projectId: "prj_demo" };
void props;
