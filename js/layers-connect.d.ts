// `import "layers-connect"` defines <layers-connect> in the browser (and does
// nothing on a server); its types are the class entry's.
export * from "./element.js";
