//! The rules, as data: a name, a one-line fix hint, and the probe that checks it.
//! Order matters twice: each rule resets the sandbox first, and the `hygiene.*`
//! rules run last because they judge every answer the earlier rules collected.

use super::probes::{Api, CsrfCase, ErrorRow, OriginVariant, Probe};

/// One named rule.
#[derive(Debug)]
pub struct Rule {
    /// e.g. `session-binding`.
    pub name: &'static str,
    /// What to change when it fails, in one line.
    pub hint: &'static str,
    pub(crate) probe: Probe,
}

/// Every rule, in the order the kit runs them.
pub fn rules() -> &'static [Rule] {
    RULES
}

const fn row(
    name: &'static str,
    api: Api,
    status: u16,
    code: &'static str,
    retry_after: Option<u64>,
) -> Rule {
    Rule {
        name,
        hint: PASSTHROUGH_HINT,
        probe: Probe::Passthrough(ErrorRow {
            api,
            status,
            code,
            retry_after,
        }),
    }
}

const PASSTHROUGH_HINT: &str = "forward Layers' status, JSON body (code, message, requestId, details) and Retry-After unchanged; do not map errors to your own";

const fn csrf(name: &'static str, origin: OriginVariant, fetch_site: Option<&'static str>) -> Rule {
    Rule {
        name,
        hint: "on the mint route, accept only Sec-Fetch-Site: same-origin or an Origin that exactly equals an allowed origin; refuse (403) before calling Layers",
        probe: Probe::Csrf(CsrfCase { origin, fetch_site }),
    }
}

static RULES: &[Rule] = &[
    Rule {
        name: "routes.mint",
        hint: "serve POST {base}/projects/{projectId}/social/oauth-url and forward it to POST /v1/projects/{projectId}/social/oauth-url with the bearer key, returning Layers' 200 JSON",
        probe: Probe::MintRoute,
    },
    Rule {
        name: "routes.poll",
        hint: "serve GET {base}/social/oauth-status/{state} and forward it to GET /v1/social/oauth-status/{state}, returning Layers' JSON (pending, then completed)",
        probe: Probe::PollRoute,
    },
    Rule {
        name: "routes.poll-failed",
        hint: "a failed attempt is a 200 with status \"failed\" and error.code from Layers: pass it through as is",
        probe: Probe::PollFailedRoute,
    },
    Rule {
        name: "routes.accounts",
        hint: "serve GET {base}/projects/{projectId}/social-accounts and forward it to GET /v1/projects/{projectId}/social-accounts",
        probe: Probe::AccountsRoute,
    },
    row("passthrough.oauth-url.400-VALIDATION", Api::OAuthUrl, 400, "VALIDATION", None),
    row("passthrough.oauth-url.401-UNAUTHENTICATED", Api::OAuthUrl, 401, "UNAUTHENTICATED", None),
    row("passthrough.oauth-url.403-FORBIDDEN_SCOPE", Api::OAuthUrl, 403, "FORBIDDEN_SCOPE", None),
    row("passthrough.oauth-url.403-RETURN_URL_NOT_ALLOWED", Api::OAuthUrl, 403, "RETURN_URL_NOT_ALLOWED", None),
    row("passthrough.oauth-url.404-NOT_FOUND", Api::OAuthUrl, 404, "NOT_FOUND", None),
    row("passthrough.oauth-url.429-RATE_LIMITED", Api::OAuthUrl, 429, "RATE_LIMITED", Some(7)),
    row("passthrough.oauth-status.400-VALIDATION", Api::OAuthStatus, 400, "VALIDATION", None),
    row("passthrough.oauth-status.401-UNAUTHENTICATED", Api::OAuthStatus, 401, "UNAUTHENTICATED", None),
    row("passthrough.oauth-status.403-FORBIDDEN_SCOPE", Api::OAuthStatus, 403, "FORBIDDEN_SCOPE", None),
    row("passthrough.oauth-status.404-NOT_FOUND", Api::OAuthStatus, 404, "NOT_FOUND", None),
    row("passthrough.oauth-status.429-RATE_LIMITED", Api::OAuthStatus, 429, "RATE_LIMITED", Some(9)),
    row("passthrough.oauth-status.500-INTERNAL", Api::OAuthStatus, 500, "INTERNAL", None),
    row("passthrough.oauth-status.503-KILL_SWITCH", Api::OAuthStatus, 503, "KILL_SWITCH", None),
    Rule {
        name: "passthrough.kill-switch.key",
        hint: PASSTHROUGH_HINT,
        probe: Probe::KillSwitch("key"),
    },
    Rule {
        name: "passthrough.kill-switch.organization",
        hint: PASSTHROUGH_HINT,
        probe: Probe::KillSwitch("organization"),
    },
    Rule {
        name: "passthrough.kill-switch.global",
        hint: PASSTHROUGH_HINT,
        probe: Probe::KillSwitch("global"),
    },
    csrf("csrf.no-origin", OriginVariant::Absent, None),
    csrf("csrf.null-origin", OriginVariant::Null, Some("cross-site")),
    csrf("csrf.lookalike-origin", OriginVariant::Lookalike, Some("cross-site")),
    csrf("csrf.other-port", OriginVariant::OtherPort, Some("same-site")),
    Rule {
        name: "session-binding",
        hint: "remember each minted state in the minting browser's session (e.g. a signed HttpOnly cookie) and answer 404 NOT_FOUND, without calling Layers, when another session polls it",
        probe: Probe::SessionBinding,
    },
    Rule {
        name: "stream.session-binding",
        hint: "answer the outcome stream (GET {base}/social/oauth-events/{state}) as the poll route does: 404 NOT_FOUND, not a byte of the stream and no call to Layers, for a state minted in another session",
        probe: Probe::StreamBinding,
    },
    Rule {
        name: "stream.wire",
        hint: "serve the minting session's stream as 200 text/event-stream without Set-Cookie, send `event: ready` first and at once, and call Layers only on a webhook (or answer every stream 404 and let the widget poll)",
        probe: Probe::StreamWire,
    },
    Rule {
        name: "return-url-allowlist",
        hint: "check returnUrl against your own allowlist (scheme, host, port and path equal) and refuse (403 RETURN_URL_NOT_ALLOWED) before calling Layers",
        probe: Probe::ReturnUrlAllowlist,
    },
    Rule {
        name: "body-limit.oversized",
        hint: "cap the mint body (the widget sends a few hundred bytes; 16 KiB is plenty) and answer 413",
        probe: Probe::OversizedBody,
    },
    Rule {
        name: "body-limit.declared-length",
        hint: "answer 413 as soon as the declared Content-Length exceeds your cap, before reading the body",
        probe: Probe::DeclaredLength,
    },
    Rule {
        name: "key-echo",
        hint: "an upstream answer that contains your key must not reach the browser: check Layers' body and headers for the key and answer your own 502 instead",
        probe: Probe::KeyEcho,
    },
    Rule {
        name: "hygiene.no-key",
        hint: "the API key belongs in the upstream Authorization header only: never in a response body, header, cookie or error message",
        probe: Probe::NoKeyInAnswers,
    },
    Rule {
        name: "hygiene.no-store",
        hint: "send Cache-Control: no-store on every answer of the three routes, errors included (states and account lists are per user)",
        probe: Probe::NoStore,
    },
    Rule {
        name: "hygiene.request-id",
        hint: "send exactly one x-request-id on every answer ([A-Za-z0-9._:-], 8 to 128 chars): Layers' own on forwarded answers, equal to the envelope's requestId",
        probe: Probe::RequestIds,
    },
    Rule {
        name: "hygiene.upstream-headers",
        hint: "copy only Retry-After and x-request-id from Layers' answer; build every other response header yourself",
        probe: Probe::UpstreamHeaders,
    },
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_and_hints_are_one_line() {
        let mut seen = HashSet::new();
        for rule in rules() {
            assert!(seen.insert(rule.name), "duplicate rule {}", rule.name);
            assert!(
                !rule.hint.contains('\n') && !rule.hint.is_empty(),
                "{}",
                rule.name
            );
        }
    }

    #[test]
    fn hygiene_rules_run_after_every_probe_that_feeds_them() {
        let first_hygiene = rules()
            .iter()
            .position(|r| r.name.starts_with("hygiene."))
            .unwrap();
        assert!(rules()[first_hygiene..]
            .iter()
            .all(|r| r.name.starts_with("hygiene.")));
    }

    #[test]
    fn the_docs_list_every_rule_with_its_hint() {
        let docs = include_str!("../../../docs/check-proxy.md");
        for rule in rules() {
            assert!(
                docs.contains(&format!("`{}`", rule.name)),
                "docs/check-proxy.md does not list {}",
                rule.name
            );
            assert!(
                docs.contains(rule.hint),
                "docs/check-proxy.md does not carry the hint of {}",
                rule.name
            );
        }
    }
}
