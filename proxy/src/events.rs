//! `GET /social/oauth-events/{state}`: a server-sent-events stream that tells
//! the widget when to poll, bound to the minting browser like the poll route.
//!
//! Wire format (the widget codes against it; `docs/proxy.md` "Outcome stream"):
//! `event: ready` `data: {}` first; `event: nudge` `data: {"platform":"…"}`
//! when a webhook concerns this state's project and platform; `event: end`
//! `data: {"reason":"outcome"|"expired"}` last, then the stream closes; a
//! `: heartbeat` comment line every heartbeat interval.
//!
//! **The check.** A widget whose nudge poll is still unused opens the stream
//! with `?check=1`. On the first nudge for it, this stream polls the state
//! itself (the proxy is next to Layers; the widget is a browser round trip
//! away) and sends `event: status` with Layers' answer (`data: {}` when
//! there was none) instead of `nudge`; a completed or failed answer is
//! followed by `end` (`reason: outcome`). The widget counts that poll as
//! its nudge poll, so the budget is the same. No check while the widget
//! waits out an error (the poll route's [`Signal::Backoff`]), and at most
//! one per stream. Without `check=1` no event carries an outcome: the
//! widget confirms with an oauth-status poll.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde_json::{json, Value};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::OwnedSemaphorePermit;

use crate::error::{new_request_id, AppError, X_REQUEST_ID};
use crate::extract::Id;
use crate::hub::{Interest, Signal};
use crate::routes::Proxy;
use crate::session;

pub(crate) async fn oauth_events(
    State(proxy): State<Arc<Proxy>>,
    Id(state): Id,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let now = SystemTime::now();
    let Some(held) = session::held(
        &headers,
        &proxy.cookie_key,
        &state,
        now,
        proxy.state_max_age,
    ) else {
        // The poll route's answer for a state that is not this browser's.
        return Err(AppError::not_found());
    };
    let slot = proxy
        .hub
        .open_slot()
        .ok_or_else(AppError::streams_exhausted)?;
    // Subscribed before the answer goes out: a webhook that lands after the
    // browser saw the headers is never missed.
    let signals = proxy.hub.subscribe();
    let now_unix = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let left = Duration::from_secs(held.expires.saturating_sub(now_unix));
    let (project, platform) = held
        .binding
        .map_or((None, None), |b| (Some(b.project), Some(b.platform)));
    let watch = Watch {
        signals,
        interest: Interest {
            state,
            project,
            platform,
        },
        deadline: tokio::time::Instant::now() + left,
        phase: Phase::Start,
        check: asks_for_check(query.as_deref()).then(|| proxy.clone()),
        _slot: slot,
    };
    let keep_alive = KeepAlive::new()
        .interval(proxy.event_heartbeat)
        .text("heartbeat");
    let mut response = Sse::new(outcome_stream(watch))
        .keep_alive(keep_alive)
        .into_response();
    // nginx and similar buffer responses by default; a buffered stream is a late one.
    response.headers_mut().insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    // Every answer has an id the access line names, the stream's too: a
    // partner searching the logs for one customer's stream can find it.
    if let Ok(id) = HeaderValue::from_str(&new_request_id()) {
        response.headers_mut().insert(X_REQUEST_ID, id);
    }
    Ok(response)
}

/// `?check=1` (any other query asks for nothing).
fn asks_for_check(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.split('&').any(|pair| pair == "check=1"))
}

enum Phase {
    Start,
    Waiting,
    /// The check saw the outcome: `end` goes next.
    Ending,
    Done,
}

/// One stream's state; dropping it (the browser left, or the stream ended)
/// gives its slot back.
struct Watch {
    signals: broadcast::Receiver<Signal>,
    interest: Interest,
    deadline: tokio::time::Instant,
    phase: Phase,
    /// The proxy, while this stream may still poll once for its widget.
    check: Option<Arc<Proxy>>,
    _slot: OwnedSemaphorePermit,
}

fn outcome_stream(watch: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(watch, |mut watch| async move {
        let event = match watch.phase {
            Phase::Done => return None,
            Phase::Start => {
                watch.phase = Phase::Waiting;
                named("ready", json!({}))
            }
            Phase::Waiting => next_event(&mut watch).await?,
            Phase::Ending => {
                watch.phase = Phase::Done;
                named("end", json!({ "reason": "outcome" }))
            }
        };
        Some((Ok(event), watch))
    })
}

/// Waits for the next event this stream sends; `None` if the hub is gone.
async fn next_event(watch: &mut Watch) -> Option<Event> {
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(watch.deadline) => {
                watch.phase = Phase::Done;
                return Some(named("end", json!({ "reason": "expired" })));
            }
            received = watch.signals.recv() => match received {
                Ok(signal) if signal.concerns(&watch.interest) => match signal {
                    Signal::Nudge { platform, .. } => {
                        if let Some(proxy) = watch.check.take() {
                            return Some(check(&proxy, watch).await);
                        }
                        return Some(named("nudge", json!({ "platform": platform })));
                    }
                    Signal::Ended { .. } => {
                        watch.phase = Phase::Done;
                        return Some(named("end", json!({ "reason": "outcome" })));
                    }
                    Signal::Backoff { .. } => watch.check = None,
                },
                Ok(_) => {}
                // Missed signals might have concerned us: one poll too many,
                // never one too few. A missed one may have been a backoff, so
                // the widget polls by its own rules, not this stream.
                Err(RecvError::Lagged(_)) => {
                    watch.check = None;
                    if let Some(platform) = &watch.interest.platform {
                        return Some(named("nudge", json!({ "platform": platform })));
                    }
                }
                Err(RecvError::Closed) => return None,
            },
        }
    }
}

/// The nudge's poll, made here for the widget: `status` with Layers'
/// answer (`{}` without a good one: the poll was spent all the same), and
/// `end` after a completed or failed one.
async fn check(proxy: &Proxy, watch: &mut Watch) -> Event {
    let state = &watch.interest.state;
    let reply = proxy
        .layers
        .send(Method::GET, &["social", "oauth-status", state], None)
        .await;
    let answer = match reply {
        Ok(reply) if reply.status == StatusCode::OK => Some(reply.json),
        Ok(reply) => {
            tracing::debug!(
                status = reply.status.as_u16(),
                "the stream's check was refused"
            );
            None
        }
        Err(error) => {
            let (code, cause) = error.log_fields();
            tracing::warn!(code, cause, "the stream's check got no answer");
            None
        }
    };
    let status = answer
        .as_ref()
        .and_then(|a| a.get("status"))
        .and_then(Value::as_str);
    if matches!(status, Some("completed" | "failed")) {
        // Other tabs' streams of this state, here or elsewhere, end too.
        proxy.backplane.publish(
            &proxy.hub,
            Signal::Ended {
                state: state.clone(),
            },
        );
        watch.phase = Phase::Ending;
    }
    named("status", answer.unwrap_or_else(|| json!({})))
}

fn named(name: &str, data: serde_json::Value) -> Event {
    Event::default().event(name).data(data.to_string())
}
