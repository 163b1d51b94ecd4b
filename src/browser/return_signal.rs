//! The customer's return from the consent page.
//!
//! Layers redirects to the partner's `returnUrl`, appending
//! `layers_oauth_error=<code>` only on failure. In tab mode that page is a
//! different tab; it tells the widget through a same-origin BroadcastChannel
//! (see `js/return.js`, which must keep this wire format). In redirect mode the
//! widget's own page is the return page and reads the address bar itself.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

/// The channel name shared with `js/return.js`.
pub const CHANNEL: &str = "layers-connect";
/// The message kind shared with `js/return.js`.
pub const KIND: &str = "layers-connect:return";
/// The query parameter Layers appends on failure.
pub const ERROR_PARAM: &str = "layers_oauth_error";
/// The sessionStorage key of the return token, shared with `js/return.js`.
///
/// A tab opened with `window.open` starts with a copy of the opener's
/// sessionStorage, and keeps it through the platform round trip. The shell
/// writes a fresh token there just before opening the consent tab (and
/// removes it from its own page right after), so the return page in that tab
/// can say which widget it answers. With several widgets on a page, the
/// others ignore the signal. A signal without a token (a tab the customer
/// opened from the fallback link) is taken by any waiting widget.
pub const TOKEN_KEY: &str = "layers-connect:return-token";

/// One return message.
pub struct ReturnMessage {
    /// `layers_oauth_error`, if any.
    pub error: Option<String>,
    /// The token the consent tab inherited, if any.
    pub token: Option<String>,
}

/// Listens for return signals until dropped.
#[must_use = "the channel closes as soon as the handle is dropped"]
pub struct ReturnChannel {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl ReturnChannel {
    /// Calls `f` for each well-formed return message. Anything else on the
    /// channel is ignored: it is shared with other code on the origin.
    pub fn listen(mut f: impl FnMut(ReturnMessage) + 'static) -> Option<Self> {
        let channel = BroadcastChannel::new(CHANNEL).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(message) = decode(&event.data()) {
                f(message);
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Self { channel, _on_message: on_message })
    }
}

impl Drop for ReturnChannel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

/// The message, for a return message; `None` for anything else.
fn decode(data: &JsValue) -> Option<ReturnMessage> {
    let field = |name: &str| js_sys::Reflect::get(data, &JsValue::from_str(name)).ok();
    let text = |name: &str| field(name).and_then(|v| v.as_string()).filter(|v| !v.is_empty());
    if field("kind")?.as_string()? != KIND {
        return None;
    }
    Some(ReturnMessage { error: text("error"), token: text("token") })
}

/// Sends a return signal to the widgets of this origin in other tabs (the
/// same message `js/return.js` sends).
pub fn broadcast(error: Option<&str>, token: Option<&str>) {
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else { return };
    let message = js_sys::Object::new();
    let set = |name: &str, value: Option<&str>| {
        let value = value.map_or(JsValue::NULL, JsValue::from_str);
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(name), &value);
    };
    set("kind", Some(KIND));
    set("error", error);
    set("token", token);
    let _ = channel.post_message(&message);
    channel.close();
}

/// Reads `layers_oauth_error` from the address bar, without stripping it
/// (see [`strip_error_from_address_bar`]). `None` when the parameter is absent.
pub fn error_in_address_bar() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    web_sys::Url::new(&href).ok()?.search_params().get(ERROR_PARAM)
}

/// Strips `layers_oauth_error` from the address bar (keeping the rest of the
/// URL), so a reload or a shared link does not replay it. Only the widget the
/// return belongs to does this: with several widgets on a page, the others
/// must leave it for the one whose attempt it is.
pub fn strip_error_from_address_bar() {
    let Some(window) = web_sys::window() else { return };
    let Some(url) = window.location().href().ok().and_then(|href| web_sys::Url::new(&href).ok()) else { return };
    url.search_params().delete(ERROR_PARAM);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url.href()));
    }
}
