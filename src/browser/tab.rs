//! The consent tab: a top-level browsing context, never a frame.
//!
//! TikTok and Instagram refuse to render inside iframes, and a popup opened
//! after an `await` is blocked, so the tab is opened blank inside the click
//! handler and navigated once the authorize URL is minted.

use wasm_bindgen::JsValue;
use web_sys::Window;

/// A blank tab opened synchronously from a user gesture.
pub struct ConsentTab(Window);

impl ConsentTab {
    /// Opens a blank top-level tab, or `None` when the browser blocked it.
    pub fn open_blank() -> Option<Self> {
        let window = web_sys::window()?;
        let tab = window.open_with_url_and_target("about:blank", "_blank").ok().flatten()?;
        Some(Self::adopt(tab))
    }

    /// A blank tab `js/element.js` opened the same way, from a click that
    /// came before the wasm was ready (see `openConsentTab` there, which must
    /// keep doing exactly what [`Self::open_blank`] does).
    pub fn adopt(tab: Window) -> Self {
        // Cut the back-reference so the platform's page cannot script ours.
        // (The `noopener` feature would do that too, but then `open` returns
        // null and the tab could never be navigated.) The element's JS has
        // cut it already; doing it again costs nothing.
        let _ = js_sys::Reflect::set(&tab, &JsValue::from_str("opener"), &JsValue::NULL);
        Self(tab)
    }

    /// Sends the tab to the platform's consent page.
    pub fn navigate(&self, url: &str) -> bool {
        !self.0.closed().unwrap_or(true) && self.0.location().set_href(url).is_ok()
    }

    /// Closes the tab (minting failed, or the attempt was cancelled before it loaded).
    ///
    /// Only while the tab shows a page of this origin: once it is on the
    /// platform's page, this page is no longer "familiar with" it (HTML: its
    /// opener was cut above, and the origins differ), so the browser refuses
    /// and logs an error. Under `Cross-Origin-Opener-Policy: same-origin` the
    /// handle is dead by then anyway (`closed` reads true).
    pub fn close(&self) {
        let ours = !self.0.closed().unwrap_or(true) && self.0.location().href().is_ok();
        if ours {
            let _ = self.0.close();
        }
    }
}

/// Sends the page itself to `url` (redirect mode).
pub fn redirect_page(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}
