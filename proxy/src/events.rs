//! `GET /social/oauth-events/{state}`: a server-sent-events stream that tells
//! the widget when to poll, bound to the minting browser like the poll route.
//!
//! Wire format (the widget codes against it; `docs/proxy.md` "Outcome stream"):
//! `event: ready` `data: {}` first; `event: nudge` `data: {"platform":"…"}`
//! when a webhook concerns this state's project and platform; `event: end`
//! `data: {"reason":"outcome"|"expired"}` last, then the stream closes; a
//! `: heartbeat` comment line every heartbeat interval. No event carries an
//! outcome: the widget confirms with an oauth-status poll.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde_json::json;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::OwnedSemaphorePermit;

use crate::error::AppError;
use crate::extract::Id;
use crate::hub::{Interest, Signal};
use crate::routes::Proxy;
use crate::session;

pub(crate) async fn oauth_events(
    State(proxy): State<Arc<Proxy>>,
    Id(state): Id,
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
    Ok(response)
}

enum Phase {
    Start,
    Waiting,
    Done,
}

/// One stream's state; dropping it (the browser left, or the stream ended)
/// gives its slot back.
struct Watch {
    signals: broadcast::Receiver<Signal>,
    interest: Interest,
    deadline: tokio::time::Instant,
    phase: Phase,
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
                        return Some(named("nudge", json!({ "platform": platform })));
                    }
                    Signal::Ended { .. } => {
                        watch.phase = Phase::Done;
                        return Some(named("end", json!({ "reason": "outcome" })));
                    }
                },
                Ok(_) => {}
                // Missed signals might have concerned us: one poll too many, never one too few.
                Err(RecvError::Lagged(_)) => {
                    if let Some(platform) = &watch.interest.platform {
                        return Some(named("nudge", json!({ "platform": platform })));
                    }
                }
                Err(RecvError::Closed) => return None,
            },
        }
    }
}

fn named(name: &str, data: serde_json::Value) -> Event {
    Event::default().event(name).data(data.to_string())
}
