//! One structured line per request: method, route template, status, latency
//! and the request id the caller saw. The route is the matched template
//! (`/social/oauth-status/{state}`), not the raw path: state tokens are not
//! secrets, but one line per template keeps logs groupable and tidy.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::error::X_REQUEST_ID;

pub(crate) async fn access_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "<unmatched>".to_owned(), |path| path.as_str().to_owned());
    let span = tracing::info_span!("layers_proxy", method = %method, route = %route);
    let response = next.run(request).instrument(span).await;
    let request_id = response
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info!(
        target: "layers_proxy::access",
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_micros() as f64 / 1000.0,
        request_id,
        "request"
    );
    response
}
