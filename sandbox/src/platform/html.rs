//! Minimal, accessible HTML for the platform pages (no JavaScript).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font-family:system-ui,sans-serif;background:#f4f4f5;color:#18181b;margin:0;padding:2rem 1rem}\
main{max-width:26rem;margin:0 auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px #0002}\
.note{font-size:.85rem;background:#fef9c3;border-radius:6px;padding:.5rem .75rem;margin:0 0 1rem}\
h1{margin:.25rem 0 1rem}label{display:block;font-weight:600;margin:1rem 0 .25rem}\
input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #71717a;border-radius:6px}\
button{font:inherit;padding:.55rem 1.1rem;border-radius:6px;border:1px solid #18181b;background:#18181b;color:#fff;cursor:pointer;margin:.25rem .25rem .25rem 0}\
button.secondary{background:#fff;color:#18181b}\
button:focus-visible,input:focus-visible{outline:3px solid #2563eb;outline-offset:2px}\
.actions{margin:1.25rem 0}fieldset{border:1px dashed #71717a;border-radius:8px;margin-top:1.5rem}\
fieldset button{background:#fff;color:#18181b;font-family:ui-monospace,monospace;font-size:.85rem}";

/// A whole page. Consent screens refuse framing, like the real platforms'.
pub(super) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>\n",
        escape(title)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// A page that explains a dead end; there is nowhere safe to redirect to.
pub(super) fn problem(status: StatusCode, heading: &str, explanation: &str) -> Response {
    let body = format!(
        "<p class=\"note\" role=\"note\">Layers sandbox</p><h1>{}</h1><p>{}</p>",
        escape(heading),
        escape(explanation)
    );
    page(status, heading, &body)
}
