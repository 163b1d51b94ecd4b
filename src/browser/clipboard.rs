//! Copying the page's link for the in-app browser handoff: the async
//! Clipboard API, called through `Reflect` (the crate needs no extra web-sys
//! features). Where it is missing or refused, the view shows the link to
//! copy by hand. No `execCommand("copy")` fallback: every webview that
//! matters has the Clipboard API (iOS 13.4 and later), and the fallback
//! cost 1.5 KB of wasm for browsers that are gone.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Starts `navigator.clipboard.writeText(text)` now (call it in the click
/// handler: the browser wants a user activation), or `None` where the page
/// has no Clipboard API.
pub fn write_text(text: &str) -> Option<JsFuture> {
    let navigator = web_sys::window()?.navigator();
    let clipboard = Reflect::get(&navigator, &"clipboard".into()).ok().filter(JsValue::is_object)?;
    let write: Function = Reflect::get(&clipboard, &"writeText".into()).ok()?.dyn_into().ok()?;
    let promise: Promise = write.call1(&clipboard, &text.into()).ok()?.dyn_into().ok()?;
    Some(JsFuture::from(promise))
}
