//! One structured line per request, from tower-http's `TraceLayer`: the span
//! carries the method and the route template (`/social/oauth-status/{state}`,
//! not the raw path: state tokens are not secrets, but one line per template
//! keeps logs groupable and tidy); the line itself the status, latency and the
//! request id the caller saw. The proxy's own refusals and failures add a line
//! with their code and internal cause, read from the response they rendered.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

use crate::error::{Refusal, X_REQUEST_ID};

/// The access log layer for [`crate::router`].
pub(crate) fn layer(
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RouteSpan, (), AccessLine, (), (), ()> {
    TraceLayer::new_for_http()
        .make_span_with(RouteSpan)
        .on_request(())
        .on_response(AccessLine)
        .on_body_chunk(())
        .on_eos(())
        // A 5xx is already logged by `AccessLine`, with its cause.
        .on_failure(())
}

/// `layers_proxy{method, route}`: everything logged while handling the request
/// (upstream calls included) is inside it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RouteSpan;

impl<B> MakeSpan<B> for RouteSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("<unmatched>", MatchedPath::as_str);
        tracing::info_span!("layers_proxy", method = %request.method(), route = %route)
    }
}

/// The `layers_proxy::access` line, and the proxy's own error line if any.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AccessLine;

impl<B> OnResponse<B> for AccessLine {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        let request_id = response
            .headers()
            .get(X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        if let Some(refusal) = response.extensions().get::<Refusal>() {
            let cause = refusal.cause.as_deref();
            if response.status().is_server_error() {
                tracing::warn!(code = refusal.code, request_id, cause, "proxy error");
            } else {
                tracing::debug!(code = refusal.code, request_id, cause, "request refused");
            }
        }
        tracing::info!(
            target: "layers_proxy::access",
            status = response.status().as_u16(),
            latency_ms = latency.as_micros() as f64 / 1000.0,
            request_id,
            "request"
        );
    }
}
