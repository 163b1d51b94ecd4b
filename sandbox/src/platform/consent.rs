//! The consent screen a platform would show, and what its buttons send back.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use super::callback_url;
use super::html::{escape, page, problem};
use crate::sandbox::{AuthCode, Exchange};
use crate::social::Platform;
use crate::Sandbox;

/// Failure paths the page can trigger on purpose, besides Deny.
const SANDBOX_OUTCOMES: [(&str, &str); 4] = [
    (
        "missing_code",
        "The platform redirects back without a code.",
    ),
    (
        "platform_mismatch",
        "The platform redirects to the other platform's callback.",
    ),
    (
        "exchange_failed",
        "The platform rejects the code at token exchange.",
    ),
    (
        "persistence_error",
        "Layers fails to save the connected account.",
    ),
];

pub(super) async fn show(
    State(sandbox): State<Sandbox>,
    Path(platform): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(platform) = Platform::parse(&platform) else {
        return problem(
            StatusCode::NOT_FOUND,
            "Page not found",
            "The sandbox serves TikTok and Instagram only.",
        );
    };
    let name = platform.display_name();
    let state = query.get("state").map(String::as_str).unwrap_or_default();
    let now = sandbox.now();
    let world = sandbox.world();
    let Some(attempt) = world.attempts.get(state) else {
        return problem(
            StatusCode::BAD_REQUEST,
            &format!("{name}: this link is not valid"),
            "This authorization request is unknown. Go back to the app and start connecting again.",
        );
    };

    let hidden_state = format!(
        "<input type=\"hidden\" name=\"state\" value=\"{}\">",
        escape(&attempt.state)
    );
    if attempt.is_expired(now) {
        // A real platform does not know Layers' TTL; leaving goes through the
        // callback, which settles the attempt as state_expired.
        let body = format!(
            "{note}<h1>{name}</h1><p>This authorization request has expired. \
             Go back to the app and start connecting again.</p>\
             <form method=\"post\" action=\"authorize\">{hidden_state}\
             <button type=\"submit\" name=\"decision\" value=\"deny\">Return to the app</button></form>",
            note = sandbox_note(platform)
        );
        return page(StatusCode::OK, &format!("{name}: request expired"), &body);
    }

    let scopes: String = attempt
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    let outcomes: String = SANDBOX_OUTCOMES
        .iter()
        .map(|(code, why)| {
            format!(
                "<button type=\"submit\" name=\"decision\" value=\"{code}\" \
                 class=\"secondary\" title=\"{why}\">{code}</button>"
            )
        })
        .collect();
    let body = format!(
        "{note}<h1>{name}</h1>\
         <p><strong>Layers</strong> would like to connect your {name} account.</p>\
         <h2 id=\"scopes-heading\">Requested permissions</h2>\
         <ul aria-labelledby=\"scopes-heading\">{scopes}</ul>\
         <form method=\"post\" action=\"authorize\">{hidden_state}\
         <label for=\"handle\">Handle</label>\
         <input id=\"handle\" name=\"handle\" value=\"{handle}\" autocomplete=\"username\" \
          spellcheck=\"false\" maxlength=\"30\">\
         <div class=\"actions\">\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button>\
         </div>\
         <fieldset><legend>Sandbox outcomes</legend>{outcomes}</fieldset>\
         </form>",
        note = sandbox_note(platform),
        handle = platform.default_handle(),
    );
    page(StatusCode::OK, &format!("{name}: authorize Layers"), &body)
}

fn sandbox_note(platform: Platform) -> String {
    format!(
        "<p class=\"note\" role=\"note\">Layers sandbox: a stand-in for {}'s consent screen. \
         Nothing leaves this machine.</p>",
        platform.display_name()
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ConsentForm {
    state: Option<String>,
    handle: Option<String>,
    decision: Option<String>,
}

pub(super) async fn submit(
    State(sandbox): State<Sandbox>,
    Path(platform): Path<String>,
    form: Result<Form<ConsentForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Some(platform) = Platform::parse(&platform) else {
        return problem(
            StatusCode::NOT_FOUND,
            "Page not found",
            "The sandbox serves TikTok and Instagram only.",
        );
    };
    let Ok(Form(form)) = form else {
        return problem(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "The consent form could not be read.",
        );
    };
    let state = form.state.unwrap_or_default();
    let handle = clean_handle(form.handle.as_deref(), platform);
    let mut world = sandbox.world();
    if !world.attempts.contains_key(&state) {
        return problem(
            StatusCode::BAD_REQUEST,
            &format!("{}: this link is not valid", platform.display_name()),
            "This authorization request is unknown. Go back to the app and start connecting again.",
        );
    }

    let mut issue_code = |exchange: Exchange| {
        let code = format!("code_{}", ulid::Ulid::new());
        world.codes.insert(
            code.clone(),
            AuthCode {
                state: state.clone(),
                handle: handle.clone(),
                exchange,
            },
        );
        code
    };
    let (callback_platform, params): (Platform, Vec<(&str, String)>) =
        match form.decision.as_deref().unwrap_or_default() {
            "allow" => (platform, vec![("code", issue_code(Exchange::Succeeds))]),
            "deny" => (
                platform,
                vec![
                    ("error", "access_denied".to_owned()),
                    (
                        "error_description",
                        "The user denied the request.".to_owned(),
                    ),
                ],
            ),
            "missing_code" => (platform, vec![]),
            "platform_mismatch" => (
                platform.other(),
                vec![("code", issue_code(Exchange::Succeeds))],
            ),
            "exchange_failed" => (platform, vec![("code", issue_code(Exchange::Rejected))]),
            "persistence_error" => (
                platform,
                vec![("code", issue_code(Exchange::PersistenceFails))],
            ),
            _ => {
                return problem(StatusCode::BAD_REQUEST, "Bad request", "Unknown decision.");
            }
        };
    drop(world);

    let mut location = callback_url(&sandbox.public_base(), callback_platform);
    {
        let mut query = location.query_pairs_mut();
        for (name, value) in &params {
            query.append_pair(name, value);
        }
        query.append_pair("state", &state);
    }
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.as_str())],
    )
        .into_response()
}

/// What a platform would accept as a username; the default when nothing usable is left.
fn clean_handle(raw: Option<&str>, platform: Platform) -> String {
    let handle: String = raw
        .unwrap_or_default()
        .trim()
        .trim_start_matches('@')
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'))
        .take(30)
        .collect();
    if handle.is_empty() {
        platform.default_handle().to_owned()
    } else {
        handle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_is_cleaned_like_a_platform_username() {
        assert_eq!(
            clean_handle(Some(" @acme.coffee "), Platform::Instagram),
            "acme.coffee"
        );
        assert_eq!(clean_handle(Some("<script>"), Platform::TikTok), "script");
        assert_eq!(clean_handle(Some("  "), Platform::TikTok), "acmecoffee");
        assert_eq!(clean_handle(None, Platform::Instagram), "acme.coffee");
    }
}
