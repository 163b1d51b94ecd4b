//! The browser shell: everything that touches web-sys. Each module wraps one
//! browser facility; [`shell`] runs the core's effects with them.

pub mod clipboard;
pub mod clock;
pub mod event_stream;
pub mod http;
pub mod js_json;
pub mod listener;
pub mod return_signal;
pub mod shell;
pub mod storage;
pub mod tab;
