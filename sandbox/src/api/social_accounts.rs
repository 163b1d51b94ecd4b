//! `GET /v1/projects/{projectId}/social-accounts`: the project's connected accounts.
//!
//! Shape (the sandbox's assumption; the spec does not show it): `{"data":[record...]}`,
//! oldest connection first. Order of checks: 401 → 503 → 403 → 429 → 404.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::Caller;
use crate::error::ApiError;
use crate::faults::Route;
use crate::Sandbox;

pub(super) async fn list(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let key = sandbox.admit(Route::SocialAccounts, &caller).await?;
    if sandbox.fixtures().organization_of(&project_id) != Some(key.organization.as_str()) {
        return Err(ApiError::not_found(
            "Project not found in your organization.",
        ));
    }
    let world = sandbox.world();
    let mut accounts: Vec<_> = world
        .accounts
        .iter()
        .filter(|a| a.project_id == project_id)
        .collect();
    accounts.sort_by_key(|a| a.connected_at);
    Ok(Json(json!({ "data": accounts })))
}
