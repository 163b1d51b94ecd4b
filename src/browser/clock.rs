//! The one clock the shell feeds the core.

/// Milliseconds since the epoch, monotonic within a page.
///
/// `performance.timeOrigin + performance.now()` rather than `Date.now()`: the
/// core spaces polls by this clock, and a wall clock can jump backwards when
/// the system time is corrected.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.time_origin() + p.now())
        .unwrap_or_else(js_sys::Date::now)
}
