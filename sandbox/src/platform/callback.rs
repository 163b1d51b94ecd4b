//! The Layers OAuth callback: settles an attempt once and sends the user to the returnUrl.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::html::problem;
use crate::attempts::{FailureCode, Outcome};
use crate::sandbox::{Exchange, World};
use crate::social::{Platform, SocialAccount};
use crate::webhooks::{self, Connected};
use crate::Sandbox;

pub(super) async fn settle(
    State(sandbox): State<Sandbox>,
    Path(path_platform): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let state = query.get("state").map(String::as_str).unwrap_or_default();
    let now = sandbox.now();
    let base = sandbox.public_base();
    let mut connected = None;
    let mut world = sandbox.world();
    let World {
        attempts,
        codes,
        accounts,
        ..
    } = &mut *world;
    let Some(attempt) = attempts.get_mut(state) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "Connection failed",
            "Layers could not match this sign-in to a connection request. Go back to the app and try again.",
        );
    };

    // Once settled, an attempt never changes: a replayed callback only sends
    // the user back with the outcome already recorded.
    if attempt.outcome == Outcome::Pending {
        let code = query.get("code").filter(|c| !c.is_empty());
        let outcome = if attempt.is_expired(now) {
            Outcome::Failed(FailureCode::StateExpired)
        } else if Platform::parse(&path_platform) != Some(attempt.platform) {
            Outcome::Failed(FailureCode::PlatformMismatch)
        } else if query.contains_key("error") {
            Outcome::Failed(FailureCode::PlatformDenied)
        } else if let Some(code) = code {
            match codes.remove(code) {
                Some(issued) if issued.state == attempt.state => match issued.exchange {
                    Exchange::Succeeds => {
                        let account = connect(
                            accounts,
                            &attempt.project_id,
                            attempt.platform,
                            &issued.handle,
                            &base,
                            now,
                        );
                        connected = Some(Connected {
                            project_id: attempt.project_id.clone(),
                            social_account_id: account.id.clone(),
                            platform: account.platform.id(),
                            display_name: account.display_name.clone(),
                            connected_at: now,
                        });
                        Outcome::Completed {
                            social_account_id: account.id.clone(),
                            handle: account.handle.clone(),
                            connected_at: now,
                        }
                    }
                    Exchange::Rejected => Outcome::Failed(FailureCode::ExchangeFailed),
                    Exchange::PersistenceFails => Outcome::Failed(FailureCode::PersistenceError),
                },
                // A code the platform never issued for this state fails at exchange.
                _ => Outcome::Failed(FailureCode::ExchangeFailed),
            }
        } else {
            Outcome::Failed(FailureCode::MissingCode)
        };
        tracing::info!(state = %attempt.state, key_id = %attempt.key_id, outcome = outcome.label(), "oauth attempt settled");
        attempt.outcome = outcome;
    }
    let location = attempt.return_location();
    drop(world);
    // Fired when the account row is persisted, the moment polling flips to completed.
    if let Some(connected) = connected {
        webhooks::send(&sandbox, connected);
    }
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.as_str())],
    )
        .into_response()
}

/// Persists the account; connecting the same platform handle to the same project
/// again refreshes the existing record instead of duplicating it.
fn connect<'a>(
    accounts: &'a mut Vec<SocialAccount>,
    project_id: &str,
    platform: Platform,
    handle: &str,
    base: &url::Url,
    now: time::OffsetDateTime,
) -> &'a SocialAccount {
    let existing = accounts
        .iter()
        .position(|a| a.project_id == project_id && a.platform == platform && a.handle == handle);
    let index = match existing {
        Some(i) => {
            accounts[i].reconnect(now);
            i
        }
        None => {
            accounts.push(SocialAccount::connect(
                project_id, platform, handle, base, now,
            ));
            accounts.len() - 1
        }
    };
    &accounts[index]
}
