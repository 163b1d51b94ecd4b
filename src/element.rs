//! The wasm side of `<layers-connect>`: `js/layers-connect.js` creates one
//! [`Widget`] per connected element and frees it when the element leaves
//! the page. Events are dispatched on the host element, bubbling and
//! composed, so listeners outside the shadow root receive them.

use crate::api::{OAuthUrlRequest, Platform};
use crate::attributes::{quoted, AttributeError, Attributes, RawAttributes};
use crate::browser::shell::{PreOpened, Settings};
use crate::browser::tab::ConsentTab;
use crate::flow::{Event, Mode};
use crate::json::{FromJson, Json};
use crate::messages::{Messages, Overrides};
use crate::ui::{resolve_return_url, use_connect_with_settings, ConnectView, UseConnect};
use leptos::mount::mount_to;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement, ShadowRoot, Window};

/// One mounted `<layers-connect>`.
#[wasm_bindgen]
pub struct Widget {
    config: RwSignal<Result<Attributes, AttributeError>>,
    overrides: RwSignal<Overrides>,
    connect: Rc<Cell<Option<UseConnect>>>,
    // Dropping it unmounts the view and disposes its owner: the shell, its
    // timers, listeners and requests go with it.
    _mounted: Box<dyn std::any::Any>,
    // Owns `config` and `overrides` (and is the mount's parent). Signals made
    // with no owner are never disposed: each mount/remove leaked about 1 KB of
    // wasm memory (tests/e2e/soak.spec.mjs). Declared last, so it is dropped
    // after the view is unmounted.
    _owner: Owner,
}

#[wasm_bindgen]
impl Widget {
    /// Mounts the widget into `root` (the host's shadow root) with the
    /// shim's config object.
    #[wasm_bindgen(constructor)]
    pub fn new(host: HtmlElement, root: ShadowRoot, config: JsValue) -> Result<Widget, JsError> {
        let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| JsError::new("no document"))?;
        // The view is built in a detached container, which then replaces the
        // first paint `js/element.js` put in the root (the same markup,
        // rendered at build time) in this same task: the browser never paints
        // the root empty or half-built.
        let container: HtmlElement = document.create_element("div").map_err(|_| JsError::new("createElement failed"))?.unchecked_into();

        let (attributes, overrides) = decode(&config);
        let owner = Owner::new();
        let (config, overrides) = owner.with(|| (RwSignal::new(attributes), RwSignal::new(overrides)));
        let connect = Rc::new(Cell::new(None));
        let slot = connect.clone();
        // The id at mount time scopes the persisted attempt (see Settings::instance_id).
        let instance_id = host.id();
        let mounted = owner.with(|| mount_to(container.clone(), move || {
            let host = send_wrapper::SendWrapper::new(host);
            let valid = move || config.get().ok();
            let on_event: Rc<dyn Fn(&Event)> = Rc::new(move |event| dispatch(&host, event));
            let connect = use_connect_with_settings(Box::new(ElementSettings { config, instance_id }), Some(on_event));
            slot.set(Some(connect));
            let platforms = Signal::derive(move || valid().map(|a| a.platforms).unwrap_or_default());
            let messages = Signal::derive(move || {
                let lang = valid().map(|a| a.lang).unwrap_or_default();
                overrides.with(|o| Messages::for_lang(&lang).with(o))
            });
            move || match config.get() {
                Ok(_) => view! { <ConnectView connect platforms messages/> }.into_any(),
                Err(e) => view! {
                    <div class="lc-root" part="root" data-phase="invalid">
                        <p class="lc-status lc-error" part="status error" role="alert">{e.to_string()}</p>
                    </div>
                }
                .into_any(),
            }
        }));
        root.set_text_content(None);
        root.append_child(&container).map_err(|_| JsError::new("appendChild failed"))?;
        let widget = Widget { config, overrides, connect, _mounted: Box::new(mounted), _owner: owner };
        widget.report();
        Ok(widget)
    }

    /// Applies a new config object (an attribute or `messages` changed).
    pub fn configure(&self, config: JsValue) {
        let (attributes, overrides) = decode(&config);
        if self.config.with_untracked(|c| *c != attributes) {
            self.config.set(attributes);
            self.report();
        }
        if self.overrides.with_untracked(|o| *o != overrides) {
            self.overrides.set(overrides);
        }
    }

    /// Starts connecting `platform`, as its button does.
    pub fn start(&self, platform: &str) -> Result<(), JsError> {
        let p = Platform::parse(platform)
            .ok_or_else(|| JsError::new(&format!("<layers-connect>: unknown platform {}; use \"tiktok\" or \"instagram\"", quoted(platform))))?;
        if let Some(c) = self.connect.get() {
            c.connect(p);
        }
        Ok(())
    }

    /// Starts connecting `platform` in `tab`, the blank consent tab the
    /// element's JS opened inside a click that came before the wasm was
    /// ready (`null` when the browser blocked it), whose sessionStorage
    /// inherited `token`. The attempt then runs as if the widget's own button
    /// had been pressed. A tab the attempt cannot use (invalid attributes, an
    /// attempt already under way) is closed.
    #[wasm_bindgen(js_name = connectWithTab)]
    pub fn connect_with_tab(&self, platform: &str, tab: Option<Window>, token: String) -> Result<(), JsError> {
        let tab = tab.map(ConsentTab::adopt);
        let connect = self.connect.get().filter(|_| self.config.with_untracked(Result::is_ok));
        let (Some(platform), Some(connect)) = (Platform::parse(platform), connect) else {
            if let Some(tab) = tab {
                tab.close();
            }
            return Err(JsError::new(&format!("<layers-connect>: cannot start {platform:?}")));
        };
        connect.connect_with_tab(platform, PreOpened { tab, token });
        Ok(())
    }

    /// Stops the attempt under way.
    pub fn cancel(&self) {
        if let Some(c) = self.connect.get() {
            c.cancel();
        }
    }

    /// Back to the buttons.
    pub fn reset(&self) {
        if let Some(c) = self.connect.get() {
            c.reset();
        }
    }

    fn report(&self) {
        if let Err(e) = self.config.get_untracked() {
            web_sys::console::error_1(&JsValue::from_str(&e.to_string()));
        }
    }
}

fn decode(config: &JsValue) -> (Result<Attributes, AttributeError>, Overrides) {
    // The shim builds this object itself, so a mismatch means a broken
    // shim; it reads as "no attributes", which the element reports.
    // The shim also sends the `lang` attributes it found walking up from the
    // element (a walk in JS costs the wasm no DOM imports); the choice is
    // `choose_language`'s, in `validate` (tested natively).
    let raw = RawAttributes::from_json(config).unwrap_or_default();
    // `messages` comes from the integrator: a bad entry is named on the
    // console and skipped, and the rest still apply.
    let overrides = match config.member("messages") {
        None => Overrides::default(),
        Some(messages) => match Overrides::read(&messages) {
            Ok((overrides, ignored)) => {
                for name in ignored {
                    warn(&format!("<layers-connect>: ignoring messages.{name}: not a message name, or not a string"));
                }
                overrides
            }
            Err(_) => {
                warn("<layers-connect>: ignoring `messages`, which must be an object mapping message names to strings");
                Overrides::default()
            }
        },
    };
    (raw.validate(), overrides)
}

fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(text));
}

/// The shell's settings, read from the element's attributes at each request.
struct ElementSettings {
    config: RwSignal<Result<Attributes, AttributeError>>,
    instance_id: String,
}

impl ElementSettings {
    fn read<T>(&self, f: impl FnOnce(&Attributes) -> T) -> Option<T> {
        self.config.try_with_untracked(|c| c.as_ref().ok().map(f)).flatten()
    }
}

impl Settings for ElementSettings {
    fn endpoint(&self) -> String {
        self.read(|a| a.endpoint.clone()).unwrap_or_default()
    }
    fn project_id(&self) -> String {
        self.read(|a| a.project_id.clone()).unwrap_or_default()
    }
    fn mode(&self) -> Mode {
        self.read(|a| a.mode).unwrap_or_default()
    }
    fn instance_id(&self) -> String {
        self.instance_id.clone()
    }
    fn mint_request(&self, platform: Platform) -> OAuthUrlRequest {
        let (return_url, scopes, usage_note) =
            self.read(|a| (a.return_url.clone(), a.scopes.clone(), a.usage_note.clone())).unwrap_or_default();
        OAuthUrlRequest { platform, return_url: resolve_return_url(return_url.as_deref()), scopes, usage_note }
    }
}

fn dispatch(host: &HtmlElement, event: &Event) {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let detail = match event {
        Event::Status(d) => serde::Serialize::serialize(d, &serializer),
        Event::Connected(d) => serde::Serialize::serialize(d, &serializer),
        Event::Failed(d) => serde::Serialize::serialize(d, &serializer),
    }
    .unwrap_or(JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(e) = CustomEvent::new_with_event_init_dict(event.name(), &init) {
        let _ = host.dispatch_event(&e);
    }
}
