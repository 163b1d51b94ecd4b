//! Copying the page's link for the in-app browser handoff.
//!
//! The async Clipboard API first; where it is missing (older iOS webviews)
//! or refused (a webview that denies the permission), the old
//! `execCommand("copy")` on a selected, invisible textarea. Both are called
//! through `Reflect`, so the crate needs no extra web-sys features.

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

/// The fallback: selects `text` in a textarea and runs `execCommand("copy")`.
/// Whether the browser says it copied.
pub fn exec_copy(text: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return false };
    let (Ok(area), Some(body)) = (document.create_element("textarea"), document.body()) else { return false };
    area.set_text_content(Some(text));
    let _ = area.set_attribute("readonly", "");
    // Through the CSSOM, not a `style` attribute: a strict CSP allows it.
    if let Ok(style) = Reflect::get(&area, &"style".into()) {
        for (name, value) in [("position", "fixed"), ("top", "0"), ("opacity", "0")] {
            let _ = Reflect::set(&style, &name.into(), &value.into());
        }
    }
    if body.append_child(&area).is_err() {
        return false;
    }
    let call = |target: &JsValue, name: &str, args: &[JsValue]| -> Option<JsValue> {
        let f: Function = Reflect::get(target, &name.into()).ok()?.dyn_into().ok()?;
        f.apply(target, &args.iter().collect()).ok()
    };
    call(&area, "select", &[]);
    // iOS selects nothing with `select()` alone.
    call(&area, "setSelectionRange", &[0.into(), (text.len() as u32).into()]);
    let copied = call(&document, "execCommand", &["copy".into()]).and_then(|v| v.as_bool()).unwrap_or(false);
    area.remove();
    copied
}
