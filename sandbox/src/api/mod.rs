//! The Layers `/v1` API: identity, kill switch, scopes, budgets and faults, then the routes.

mod oauth_status;
mod oauth_url;
mod social_accounts;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;

use crate::budget::BudgetClass;
use crate::clock::rfc3339_millis;
use crate::config::{ApiKey, SCOPE_READ, SCOPE_WRITE};
use crate::error::{new_request_id, ApiError, REQUEST_ID};
use crate::faults::Route;
use crate::request_log::LoggedRequest;
use crate::Sandbox;

pub(crate) fn routes(sandbox: Sandbox) -> Router<Sandbox> {
    Router::new()
        .route(
            "/v1/projects/{project_id}/social/oauth-url",
            post(oauth_url::create).fallback(method_not_allowed),
        )
        .route(
            "/v1/social/oauth-status/{state}",
            get(oauth_status::read).fallback(method_not_allowed),
        )
        // An empty :state never reaches the route above; it still deserves a 400.
        .route(
            "/v1/social/oauth-status/",
            get(oauth_status::read_missing).fallback(method_not_allowed),
        )
        .route(
            "/v1/social/oauth-status",
            get(oauth_status::read_missing).fallback(method_not_allowed),
        )
        .route(
            "/v1/projects/{project_id}/social-accounts",
            get(social_accounts::list).fallback(method_not_allowed),
        )
        .route("/v1", any(unknown_route))
        .route("/v1/{*rest}", any(unknown_route))
        .layer(middleware::from_fn_with_state(sandbox, observe))
}

/// The key the `Authorization` header names, if any. Resolved before the handler
/// so the request log knows it even when the request is refused.
#[derive(Clone)]
pub(crate) struct Caller(Option<ApiKey>);

fn authenticate(sandbox: &Sandbox, headers: &HeaderMap) -> Option<ApiKey> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    sandbox.fixtures().key_by_secret(secret.trim()).cloned()
}

/// Gives every API request an id, logs it (key id only, never the secret) and
/// records it for `/_sandbox/requests`.
/// The header the sandbox adds to every `/v1` answer (see `observe`).
const SANDBOX_HEADER: &str = "x-layers-sandbox";

async fn observe(State(sandbox): State<Sandbox>, mut request: Request, next: Next) -> Response {
    let request_id = new_request_id();
    let key = authenticate(&sandbox, request.headers());
    let key_id = key.as_ref().map(|k| k.id.clone());
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    request.extensions_mut().insert(Caller(key));

    let mut response = REQUEST_ID
        .scope(request_id.clone(), next.run(request))
        .await;

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    // Marks every API answer as the sandbox's, the way a real upstream adds
    // headers of its own: a proxy that copies upstream headers down shows it,
    // and `check-proxy`'s hygiene.upstream-headers rule catches that.
    response
        .headers_mut()
        .insert(SANDBOX_HEADER, HeaderValue::from_static("1"));
    let status = response.status().as_u16();
    tracing::info!(
        %method, %path, status,
        key_id = %key_id.as_deref().unwrap_or("-"),
        request_id = %request_id,
        "api request"
    );
    let time = rfc3339_millis(sandbox.now());
    sandbox.world().requests.record(LoggedRequest {
        time,
        method,
        path,
        key_id,
        status,
        request_id,
    });
    response
}

impl Route {
    fn scope(self) -> &'static str {
        match self {
            Route::OAuthUrl => SCOPE_WRITE,
            Route::OAuthStatus | Route::SocialAccounts => SCOPE_READ,
        }
    }

    fn budget(self) -> BudgetClass {
        match self {
            Route::OAuthUrl => BudgetClass::Write,
            Route::OAuthStatus | Route::SocialAccounts => BudgetClass::Read,
        }
    }
}

impl Sandbox {
    /// The checks every route shares, in order: injected fault → 401 → 503 kill
    /// switch → 403 scope → 429 budget. Route-specific checks (400, 404, ...) follow.
    pub(crate) async fn admit(&self, route: Route, caller: &Caller) -> Result<ApiKey, ApiError> {
        let fault = self.world().faults.take(route);
        if let Some(fault) = fault {
            if let Some(ms) = fault.delay_ms {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
            let status = fault
                .status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .or(fault.malformed.then_some(StatusCode::OK));
            if let Some(status) = status {
                return Err(ApiError::injected(
                    status,
                    fault.code,
                    fault.message,
                    fault.retry_after,
                    fault.malformed,
                ));
            }
        }

        let key = caller.0.clone().ok_or_else(ApiError::unauthenticated)?;
        let now = self.now();
        let mut world = self.world();
        if let Some(scope) = world.kill_switch.blocking(&key) {
            return Err(ApiError::kill_switch(scope));
        }
        if !key.has_scope(route.scope()) {
            return Err(ApiError::forbidden_scope(route.scope()));
        }
        let settings = world.settings.clone();
        let limit = match route.budget() {
            BudgetClass::Read => settings.read_budget,
            BudgetClass::Write => settings.write_budget,
        };
        world
            .budgets
            .spend(&key.id, route.budget(), limit, settings.budget_window, now)
            .map_err(ApiError::rate_limited)?;
        Ok(key)
    }
}

async fn unknown_route() -> ApiError {
    ApiError::not_found("No such API route.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
