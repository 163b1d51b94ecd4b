// `import "layers-connect"`: defines <layers-connect> in the browser.
//
// Where there is no `customElements` (a server render in Node, a worker) it
// does nothing and throws nothing; the tag is defined once the same code runs
// in the browser. For the class without any side effect, import
// `layers-connect/element`.

import { defineLayersConnect } from "./element.js";

export { LayersConnectElement, defineLayersConnect } from "./element.js";

defineLayersConnect();
