//! `GET /v1/social/oauth-status/{state}`: where an attempt stands, for the key that minted it.
//!
//! Order of checks: 401 → 503 → 403 FORBIDDEN_SCOPE → 429 key budget → 400 →
//! 404 → 429 state poll budget. The per-state budget comes last so only
//! states this key really minted get a bucket (unknown states cannot grow the
//! map) and a wrong state still reads 404, not 429.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::Value;

use super::Caller;
use crate::error::ApiError;
use crate::faults::Route;
use crate::Sandbox;

pub(super) async fn read(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    let key = sandbox.admit(Route::OAuthStatus, &caller).await?;
    // A state that is not valid UTF-8 once decoded cannot be one we minted.
    let state = match path {
        Ok(Path(state)) => state,
        Err(_) => return Err(not_found()),
    };
    if state.trim().is_empty() {
        return Err(missing());
    }
    let now = sandbox.now();
    let mut world = sandbox.world();
    let world = &mut *world;
    // States are scoped to the minting key: another key, even of the same
    // organization, gets the same 404 as for a state that never existed.
    match world.attempts.get(&state) {
        Some(attempt) if attempt.key_id == key.id => {
            world
                .poll_budgets
                .spend(&state, world.settings.state_poll, now)
                .map_err(ApiError::state_polled_too_fast)?;
            Ok(Json(attempt.status_body(now)).into_response())
        }
        _ => Err(not_found()),
    }
}

pub(super) async fn read_missing(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    sandbox.admit(Route::OAuthStatus, &caller).await?;
    Err(missing())
}

fn missing() -> ApiError {
    ApiError::validation("state", "The state path parameter is missing or empty.")
}

fn not_found() -> ApiError {
    ApiError::not_found("No OAuth attempt with this state for this API key.")
}
