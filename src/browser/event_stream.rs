//! The outcome stream in the browser: one `EventSource` and its listeners,
//! as an RAII handle. Dropping it closes the connection; the listeners are
//! removed a task later, because the handle is usually dropped from inside
//! one of them (an `end` makes the core close the stream) and a closure must
//! not be freed while it runs.
//!
//! Credentials: `EventSource` without `withCredentials` sends cookies to the
//! same origin only, which is exactly what [`super::http`] does for fetches
//! (`credentials: "same-origin"`), so the stream and the polls carry the
//! proxy's session cookie in the same cases.
//!
//! Only the documented events are listened for (`ready`, `nudge`, `end`);
//! every `error` (a 404, an answer that is not `text/event-stream`, a
//! dropped connection) closes the source at once, so the browser's own
//! reconnection never runs: the core decides about reopening.

use super::js_json;
use super::listener::Listener;
use crate::api;
use crate::flow::StreamSignal;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// An open outcome stream.
pub struct OutcomeStream {
    source: EventSource,
    listeners: Vec<Listener>,
}

impl OutcomeStream {
    /// Opens `url` and reports its events to `report`; `None` when the
    /// browser has no `EventSource` (or refuses the URL).
    pub fn open(url: &str, report: impl Fn(StreamSignal) + 'static) -> Option<Self> {
        let source = EventSource::new(url).ok()?;
        let report = Rc::new(report);
        let mut listeners = Vec::new();
        for name in api::EVENT_NAMES {
            let report = report.clone();
            listeners.push(Listener::new(&source, name, move |event| {
                let data = event
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                    .and_then(|text| js_json::parse(&text));
                if let Some(signal) = api::stream_signal(name, data.as_ref()) {
                    report(signal);
                }
            }));
        }
        let failed = source.clone();
        listeners.push(Listener::new(&source, "error", move |_| {
            // Stop the browser's reconnection loop before anything else.
            failed.close();
            report(StreamSignal::Dropped);
        }));
        Some(Self { source, listeners })
    }
}

impl Drop for OutcomeStream {
    fn drop(&mut self) {
        self.source.close();
        let listeners = std::mem::take(&mut self.listeners);
        wasm_bindgen_futures::spawn_local(async move { drop(listeners) });
    }
}
