//! The probes behind the rules. Each one starts from a reset sandbox, drives
//! the proxy like a browser (or an attacker's page) would, and says what it saw.
//! None prints; none polls one state more than three times (Layers' per-state
//! poll budget): probes mint a fresh state in a fresh browser session instead.

use std::time::Duration;

use serde_json::{json, Value};
use url::Url;

use super::client::{Answer, Browser, Call, Exchange, Kit};
use super::raw::{self, RawError, RawPost};
use super::report::Outcome;
use super::scan;
use super::stream;

/// Which Layers route an error row belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Api {
    OAuthUrl,
    OAuthStatus,
}

/// One row of a spec error table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorRow {
    pub api: Api,
    pub status: u16,
    pub code: &'static str,
    pub retry_after: Option<u64>,
}

/// The `Origin` a forged mint carries.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OriginVariant {
    /// None at all (curl, a server, an old form post).
    Absent,
    /// `null` (a sandboxed iframe, a `data:` page).
    Null,
    /// The page's host with `.evil.test` appended.
    Lookalike,
    /// The page's scheme and host on another port.
    OtherPort,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct CsrfCase {
    pub origin: OriginVariant,
    pub fetch_site: Option<&'static str>,
}

#[derive(Debug)]
pub(crate) enum Probe {
    MintRoute,
    PollRoute,
    PollFailedRoute,
    AccountsRoute,
    Passthrough(ErrorRow),
    KillSwitch(&'static str),
    Csrf(CsrfCase),
    SessionBinding,
    StreamBinding,
    StreamWire,
    ReturnUrlAllowlist,
    OversizedBody,
    DeclaredLength,
    KeyEcho,
    NoKeyInAnswers,
    NoStore,
    RequestIds,
    UpstreamHeaders,
}

/// A probe's verdict before it becomes an [`Outcome`]: `?` on a `String` fails the rule.
enum Failure {
    Fail(String),
    Skip(String),
}

impl From<String> for Failure {
    fn from(why: String) -> Self {
        Self::Fail(why)
    }
}

impl From<&str> for Failure {
    fn from(why: &str) -> Self {
        Self::Fail(why.to_owned())
    }
}

type Checked = Result<(), Failure>;

fn ensure(holds: bool, why: impl FnOnce() -> String) -> Checked {
    if holds {
        Ok(())
    } else {
        Err(Failure::Fail(why()))
    }
}

pub(crate) async fn run(kit: &Kit, probe: &Probe) -> Outcome {
    let checked = match probe {
        Probe::MintRoute => mint_route(kit).await,
        Probe::PollRoute => poll_route(kit).await,
        Probe::PollFailedRoute => poll_failed_route(kit).await,
        Probe::AccountsRoute => accounts_route(kit).await,
        Probe::Passthrough(row) => passthrough(kit, row).await,
        Probe::KillSwitch(scope) => kill_switch(kit, scope).await,
        Probe::Csrf(case) => csrf(kit, case).await,
        Probe::SessionBinding => session_binding(kit).await,
        Probe::StreamBinding => stream_binding(kit).await,
        Probe::StreamWire => stream_wire(kit).await,
        Probe::ReturnUrlAllowlist => return_url_allowlist(kit).await,
        Probe::OversizedBody => oversized_body(kit).await,
        Probe::DeclaredLength => declared_length(kit).await,
        Probe::KeyEcho => key_echo(kit).await,
        Probe::NoKeyInAnswers => no_key_in_answers(kit),
        Probe::NoStore => no_store(kit),
        Probe::RequestIds => request_ids(kit),
        Probe::UpstreamHeaders => upstream_headers(kit).await,
    };
    match checked {
        Ok(()) => Outcome::Pass,
        Err(Failure::Fail(why)) => Outcome::Fail(why),
        Err(Failure::Skip(why)) => Outcome::Skip(why),
    }
}

// ---------------------------------------------------------------- helpers

fn mint_upstream(kit: &Kit) -> String {
    format!("/v1/projects/{}/social/oauth-url", kit.options.project)
}

fn poll_upstream(state: &str) -> String {
    format!("/v1/social/oauth-status/{state}")
}

fn accounts_upstream(kit: &Kit) -> String {
    format!("/v1/projects/{}/social-accounts", kit.options.project)
}

fn describe(calls: &[Call]) -> String {
    if calls.is_empty() {
        return "nothing".to_owned();
    }
    calls
        .iter()
        .map(|c| format!("{} {} → {}", c.method, c.path, c.status))
        .collect::<Vec<_>>()
        .join(", ")
}

fn last_call<'a>(calls: &'a [Call], method: &str, path: &str) -> Option<&'a Call> {
    calls
        .iter()
        .rev()
        .find(|c| c.method == method && c.path == path)
}

/// The key id the proxy authenticates with, from the log of its last mint.
async fn proxy_key_id(kit: &Kit) -> Result<String, Failure> {
    let calls = kit.sandbox.calls().await?;
    last_call(&calls, "POST", &mint_upstream(kit))
        .and_then(|c| c.key_id.clone())
        .ok_or_else(|| {
            Failure::Fail(format!(
                "Layers did not recognise the proxy's key (calls: {})",
                describe(&calls)
            ))
        })
}

/// A fresh browser session with a fresh state.
async fn minted(kit: &Kit) -> Result<(Browser, super::client::Minted), Failure> {
    let browser = kit.browser();
    let minted = kit.mint_ok(&browser).await?;
    Ok((browser, minted))
}

/// The answer must be Layers' own error, unchanged: status, code, message,
/// requestId (the one Layers logged), details, and Retry-After when sent.
struct Expected<'a> {
    upstream_method: &'a str,
    upstream_path: String,
    status: u16,
    code: &'a str,
    message: Option<&'a str>,
    details: Option<Value>,
    retry_after: Option<u64>,
}

async fn expect_passthrough(kit: &Kit, answer: &Answer, want: Expected<'_>) -> Checked {
    let calls = kit.sandbox.calls().await?;
    let call = last_call(&calls, want.upstream_method, &want.upstream_path).ok_or_else(|| {
        format!(
            "the proxy answered {} without calling {} {} (Layers saw {})",
            answer.summary(),
            want.upstream_method,
            want.upstream_path,
            describe(&calls)
        )
    })?;
    ensure(call.status == want.status, || {
        format!(
            "the sandbox answered {} instead of the injected {} (was a fault already queued?)",
            call.status, want.status
        )
    })?;
    let error = &answer.json["error"];
    ensure(answer.status == want.status, || {
        format!(
            "Layers answered {} {}; the proxy answered {}",
            want.status,
            want.code,
            answer.summary()
        )
    })?;
    ensure(error["code"] == want.code, || {
        format!(
            "Layers' error.code {} became {}",
            want.code,
            answer.summary()
        )
    })?;
    if let Some(message) = want.message {
        ensure(error["message"] == message, || {
            format!("Layers' error.message was changed to {}", error["message"])
        })?;
    }
    ensure(error["requestId"] == call.request_id.as_str(), || {
        format!(
            "error.requestId is {} instead of Layers' {}",
            error["requestId"], call.request_id
        )
    })?;
    if let Some(details) = &want.details {
        ensure(&error["details"] == details, || {
            format!(
                "error.details is {} instead of Layers' {details}",
                error["details"]
            )
        })?;
    }
    if let Some(secs) = want.retry_after {
        let got = answer.header("retry-after");
        ensure(got == Some(secs.to_string().as_str()), || {
            format!("Layers sent Retry-After: {secs}; the proxy sent {got:?}")
        })?;
    }
    Ok(())
}

// ---------------------------------------------------------------- routes

async fn mint_route(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    let (_, minted) = minted(kit).await?;
    let calls = kit.sandbox.calls().await?;
    let path = mint_upstream(kit);
    ensure(
        last_call(&calls, "POST", &path).is_some_and(|c| c.status == 200),
        || {
            format!(
                "Layers saw {} instead of POST {path} → 200",
                describe(&calls)
            )
        },
    )?;
    ensure(
        minted
            .authorize_url
            .query_pairs()
            .any(|(k, v)| k == "state" && v == minted.state),
        || {
            "authorizeUrl does not carry the minted state: pass Layers' body through unchanged"
                .to_owned()
        },
    )
}

async fn poll_route(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    let (browser, minted) = minted(kit).await?;
    let pending = kit.poll(&browser, &minted.state).await?;
    ensure(
        pending.status == 200 && pending.json["status"] == "pending",
        || format!("polling a fresh state answered {}", pending.summary()),
    )?;
    ensure(pending.json["state"] == minted.state.as_str(), || {
        format!(
            "the poll answer names state {} instead of the minted one",
            pending.json["state"]
        )
    })?;
    let calls = kit.sandbox.calls().await?;
    let path = poll_upstream(&minted.state);
    ensure(last_call(&calls, "GET", &path).is_some(), || {
        format!("Layers saw {} instead of GET {path}", describe(&calls))
    })?;
    kit.sandbox.consent(&minted.authorize_url, "allow").await?;
    let completed = kit.poll(&browser, &minted.state).await?;
    ensure(
        completed.status == 200
            && completed.json["status"] == "completed"
            && completed.json["socialAccountId"].is_string(),
        || format!("after consent, the poll answered {}", completed.summary()),
    )
}

async fn poll_failed_route(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    let (browser, minted) = minted(kit).await?;
    kit.sandbox.consent(&minted.authorize_url, "deny").await?;
    let failed = kit.poll(&browser, &minted.state).await?;
    ensure(
        failed.status == 200
            && failed.json["status"] == "failed"
            && failed.json["error"]["code"] == "platform_denied",
        || format!("after Deny, the poll answered {}", failed.summary()),
    )
}

async fn accounts_route(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    let (browser, minted) = minted(kit).await?;
    kit.sandbox.consent(&minted.authorize_url, "allow").await?;
    let completed = kit.poll(&browser, &minted.state).await?;
    let id = completed.json["socialAccountId"]
        .as_str()
        .ok_or_else(|| format!("after consent, the poll answered {}", completed.summary()))?
        .to_owned();
    let accounts = kit.accounts(&browser).await?;
    ensure(accounts.status == 200, || {
        format!("listing accounts answered {}", accounts.summary())
    })?;
    let listed = accounts.json["data"]
        .as_array()
        .is_some_and(|list| list.iter().any(|a| a["id"] == id.as_str()));
    ensure(listed, || {
        format!(
            "the list does not hold the connected account {id}: {}",
            accounts.summary()
        )
    })?;
    let calls = kit.sandbox.calls().await?;
    let path = accounts_upstream(kit);
    ensure(last_call(&calls, "GET", &path).is_some(), || {
        format!("Layers saw {} instead of GET {path}", describe(&calls))
    })
}

// ---------------------------------------------------------------- pass-through

fn injected_message(row: &ErrorRow) -> String {
    format!("check-proxy: injected {} {}", row.status, row.code)
}

async fn passthrough(kit: &Kit, row: &ErrorRow) -> Checked {
    kit.sandbox.reset().await?;
    let message = injected_message(row);
    let mut fault = json!({ "status": row.status, "code": row.code, "message": message });
    if let Some(secs) = row.retry_after {
        fault["retryAfter"] = json!(secs);
    }
    let (answer, method, path) = match row.api {
        Api::OAuthUrl => {
            fault["route"] = json!("oauth-url");
            kit.sandbox.fault(fault).await?;
            let browser = kit.browser();
            let answer = kit.mint(&browser, kit.options.return_url.as_str()).await?;
            (answer, "POST", mint_upstream(kit))
        }
        Api::OAuthStatus => {
            let (browser, minted) = minted(kit).await?;
            fault["route"] = json!("oauth-status");
            kit.sandbox.fault(fault).await?;
            let answer = kit.poll(&browser, &minted.state).await?;
            (answer, "GET", poll_upstream(&minted.state))
        }
    };
    // The sandbox adds `details.scope` to an injected KILL_SWITCH; nothing else has details.
    let details = (row.code == "KILL_SWITCH").then(|| json!({ "scope": "global" }));
    expect_passthrough(
        kit,
        &answer,
        Expected {
            upstream_method: method,
            upstream_path: path,
            status: row.status,
            code: row.code,
            message: Some(&message),
            details,
            retry_after: row.retry_after,
        },
    )
    .await
}

async fn kill_switch(kit: &Kit, scope: &'static str) -> Checked {
    kit.sandbox.reset().await?;
    let (browser, minted) = minted(kit).await?;
    let key_id = proxy_key_id(kit).await?;
    let target = match scope {
        "key" => Some(key_id.clone()),
        "organization" => Some(
            kit.organization_of(&key_id)
                .ok_or_else(|| format!("key {key_id} is not in the kit's fixtures (--fixtures)"))?
                .to_owned(),
        ),
        _ => None,
    };
    kit.sandbox.kill_switch(scope, target.as_deref()).await?;
    let answer = kit.poll(&browser, &minted.state).await?;
    expect_passthrough(
        kit,
        &answer,
        Expected {
            upstream_method: "GET",
            upstream_path: poll_upstream(&minted.state),
            status: 503,
            code: "KILL_SWITCH",
            message: None,
            details: Some(json!({ "scope": scope })),
            retry_after: None,
        },
    )
    .await
}

// ---------------------------------------------------------------- CSRF, sessions, allowlist

/// `http://127.0.0.1:8080` → `http://127.0.0.1.evil.test:8080`.
pub(crate) fn lookalike(page: &Url) -> String {
    let host = page.host_str().unwrap_or("localhost");
    match page.port() {
        Some(port) => format!("{}://{host}.evil.test:{port}", page.scheme()),
        None => format!("{}://{host}.evil.test", page.scheme()),
    }
}

/// The page's scheme and host on the next port.
pub(crate) fn other_port(page: &Url) -> String {
    let host = page.host_str().unwrap_or("localhost");
    let port = page.port_or_known_default().unwrap_or(80);
    let other = if port == u16::MAX { port - 1 } else { port + 1 };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    format!("{}://{host}:{other}", page.scheme())
}

async fn csrf(kit: &Kit, case: &CsrfCase) -> Checked {
    kit.sandbox.reset().await?;
    let page = kit.page_origin();
    let origin = match case.origin {
        OriginVariant::Absent => None,
        OriginVariant::Null => Some("null".to_owned()),
        OriginVariant::Lookalike => Some(lookalike(&page)),
        OriginVariant::OtherPort => Some(other_port(&page)),
    };
    let shown = origin.clone().unwrap_or_else(|| "no Origin".to_owned());
    let forged = Browser::new(origin, case.fetch_site.map(str::to_owned));
    let answer = kit.mint(&forged, kit.options.return_url.as_str()).await?;
    let calls = kit.sandbox.calls().await?;
    ensure(
        (400..500).contains(&answer.status) && calls.is_empty(),
        || {
            format!(
                "a mint from {shown} (Sec-Fetch-Site: {}) answered {} and Layers saw {}",
                case.fetch_site.unwrap_or("none"),
                answer.summary(),
                describe(&calls)
            )
        },
    )
}

/// Two browsers a state minted elsewhere must be refused to, each named for
/// findings. The first has a session of its own (it minted a state), so "no
/// cookie" is not the only thing refused.
async fn strangers(kit: &Kit) -> Result<[(&'static str, Browser); 2], Failure> {
    let (other, _) = minted(kit).await?;
    Ok([
        ("another session", other),
        ("a browser without cookies", kit.browser()),
    ])
}

async fn session_binding(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    let (owner, minted) = minted(kit).await?;
    for (who, browser) in strangers(kit).await? {
        let answer = kit.poll(&browser, &minted.state).await?;
        ensure(answer.status == 404, || {
            format!(
                "{who} polled a state minted in another session and got {}",
                answer.summary()
            )
        })?;
    }
    let own = kit.poll(&owner, &minted.state).await?;
    ensure(own.status == 200, || {
        format!(
            "the minting session itself could not poll its state: {} (does the proxy keep its cookie?)",
            own.summary()
        )
    })
}

// ---------------------------------------------------------------- the outcome stream

/// Opens the stream of a state minted in one session from another session
/// and from a browser without cookies (with `?check=1`, so a stream that
/// would poll Layers for a stranger is asked to).
async fn stream_binding(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    let (_owner, minted) = minted(kit).await?;
    for (who, browser) in strangers(kit).await? {
        let answer = kit.open_stream(&browser, &minted.state).await?;
        stream::refused_to_a_stranger(answer.status, &answer.headers, answer.text.as_bytes())
            .map_err(|why| format!("{who} opened the stream of a state it did not mint: {why}"))?;
    }
    unpolled(
        kit,
        &minted.state,
        "opening another session's stream made the proxy call Layers",
    )
    .await
}

/// The minting session's own stream: skipped when the proxy serves none.
async fn stream_wire(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    let (owner, minted) = minted(kit).await?;
    let answer = kit.open_stream(&owner, &minted.state).await?;
    if !stream::serves_a_stream(answer.status) {
        return Err(Failure::Skip(format!(
            "the proxy serves no outcome stream (the minting session's stream answered {}); the widget polls",
            answer.status
        )));
    }
    stream::well_formed(answer.status, &answer.headers, answer.text.as_bytes())?;
    unpolled(
        kit,
        &minted.state,
        "opening the stream called Layers before any webhook",
    )
    .await
}

/// Layers saw no poll of `state`: opening a stream is not a reason to call it.
async fn unpolled(kit: &Kit, state: &str, what: &str) -> Checked {
    let calls = kit.sandbox.calls().await?;
    ensure(
        last_call(&calls, "GET", &poll_upstream(state)).is_none(),
        || format!("{what}: {}", describe(&calls)),
    )
}

/// Return URLs no partner allowlists: another host, a lookalike host, another path.
pub(crate) fn foreign_return_urls(allowed: &Url) -> Vec<String> {
    let scheme = allowed.scheme();
    let host = allowed.host_str().unwrap_or("localhost");
    let port = allowed.port().map(|p| format!(":{p}")).unwrap_or_default();
    vec![
        format!("{scheme}://evil.test{}", allowed.path()),
        format!("{scheme}://{host}.evil.test{port}{}", allowed.path()),
        format!("{scheme}://{host}{port}/check-proxy-not-allowed"),
    ]
}

async fn return_url_allowlist(kit: &Kit) -> Checked {
    for candidate in foreign_return_urls(&kit.options.return_url) {
        kit.sandbox.reset().await?;
        let browser = kit.browser();
        let answer = kit.mint(&browser, &candidate).await?;
        let calls = kit.sandbox.calls().await?;
        ensure(
            (400..500).contains(&answer.status) && calls.is_empty(),
            || {
                format!(
                    "returnUrl {candidate} answered {} and Layers saw {}",
                    answer.summary(),
                    describe(&calls)
                )
            },
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------- body limits

const OVERSIZED: usize = 1024 * 1024;
const DECLARED: u64 = 10_000_000_000;
const QUICKLY: Duration = Duration::from_secs(3);

/// The headers of the widget's own mint, for the raw-socket probes.
fn legit_headers(kit: &Kit) -> Vec<(String, String)> {
    vec![
        (
            "Origin".to_owned(),
            kit.page_origin().origin().ascii_serialization(),
        ),
        (
            "Sec-Fetch-Site".to_owned(),
            kit.page_fetch_site().to_owned(),
        ),
        ("Sec-Fetch-Mode".to_owned(), "cors".to_owned()),
        ("Sec-Fetch-Dest".to_owned(), "empty".to_owned()),
    ]
}

async fn raw_mint(
    kit: &Kit,
    declared: u64,
    body: &[u8],
) -> Result<Option<raw::RawAnswer>, Failure> {
    let url = kit.proxy_url(&kit.mint_path());
    let headers = legit_headers(kit);
    let answer = raw::post(RawPost {
        url: &url,
        headers: &headers,
        declared_length: declared,
        body,
        wait: QUICKLY,
    })
    .await
    .map_err(|e| match e {
        RawError::NotPlainHttp => Failure::Skip(
            "raw-socket probes speak plain http only: run the kit against your proxy's http listener"
                .to_owned(),
        ),
        RawError::Connect(why) => Failure::Fail(why),
    })?;
    if let Some(answer) = &answer {
        kit.record(Exchange {
            rule: kit.rule(),
            request: format!("POST {} (Content-Length: {declared})", url.path()),
            status: answer.status,
            headers: answer.headers.clone(),
            body: answer.body.clone(),
        });
    }
    Ok(answer)
}

async fn oversized_body(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    // Valid JSON all the way: only its size is wrong.
    let mut body = kit.mint_body(kit.options.return_url.as_str());
    body["usageNote"] = json!("x".repeat(OVERSIZED));
    let bytes = body.to_string().into_bytes();
    let answer = raw_mint(kit, bytes.len() as u64, &bytes).await?;
    let calls = kit.sandbox.calls().await?;
    match answer {
        Some(a) if a.status == 413 && calls.is_empty() => Ok(()),
        Some(a) => Err(format!(
            "a {} KiB mint body answered {} and Layers saw {}",
            bytes.len() / 1024,
            a.status,
            describe(&calls)
        )
        .into()),
        None => Err(format!(
            "a {} KiB mint body got no answer within {} s",
            bytes.len() / 1024,
            QUICKLY.as_secs()
        )
        .into()),
    }
}

async fn declared_length(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    let answer = raw_mint(kit, DECLARED, br#"{"platform":"tiktok","#).await?;
    match answer {
        Some(a) if a.status == 413 => Ok(()),
        Some(a) => Err(format!(
            "Content-Length: {DECLARED} with a stalled body answered {}",
            a.status
        )
        .into()),
        None => Err(format!(
            "Content-Length: {DECLARED} with a stalled body got no answer within {} s (the proxy waits for 10 GB)",
            QUICKLY.as_secs()
        )
        .into()),
    }
}

// ---------------------------------------------------------------- the key

async fn key_echo(kit: &Kit) -> Checked {
    kit.sandbox.reset().await?;
    let (browser, minted) = minted(kit).await?;
    let key_id = proxy_key_id(kit).await?;
    let secret = kit
        .secret_of(&key_id)
        .ok_or_else(|| format!("key {key_id} is not in the kit's fixtures (--fixtures)"))?
        .to_owned();
    // What a debugging gateway in front of Layers might send back.
    kit.sandbox
        .fault(json!({
            "route": "oauth-status",
            "status": 500,
            "code": "INTERNAL",
            "message": format!("upstream debug: Authorization: Bearer {secret}"),
        }))
        .await?;
    let answer = kit.poll(&browser, &minted.state).await?;
    let echoed: Vec<Exchange> = kit
        .transcript()
        .into_iter()
        .filter(|e| e.rule == kit.rule())
        .collect();
    let leaks = scan::key_leaks(&echoed, &[secret]);
    ensure(leaks.is_empty(), || {
        format!(
            "Layers' answer echoed the key and the proxy passed it on ({}): {}",
            answer.status,
            leaks.join("; ")
        )
    })
}

fn no_key_in_answers(kit: &Kit) -> Checked {
    let transcript = kit.transcript();
    ensure(!transcript.is_empty(), || {
        "no answer from the proxy to scan".to_owned()
    })?;
    // `key-echo` provokes a leak on purpose and judges it itself.
    let scanned = transcript.iter().filter(|e| e.rule != "key-echo");
    let leaks = scan::key_leaks(scanned, &kit.secrets());
    ensure(leaks.is_empty(), || leaks.join("; "))
}

fn no_store(kit: &Kit) -> Checked {
    let transcript = kit.transcript();
    ensure(!transcript.is_empty(), || {
        "no answer from the proxy to check".to_owned()
    })?;
    let missing = scan::missing_no_store(&transcript);
    ensure(missing.is_empty(), || {
        format!(
            "{} of {} answers: {}",
            missing.len(),
            transcript.len(),
            missing.join("; ")
        )
    })
}

fn request_ids(kit: &Kit) -> Checked {
    let transcript = kit.transcript();
    ensure(!transcript.is_empty(), || {
        "no answer from the proxy to check".to_owned()
    })?;
    let bad = scan::bad_request_ids(&transcript);
    ensure(bad.is_empty(), || {
        format!(
            "{} of {} answers: {}",
            bad.len(),
            transcript.len(),
            bad.join("; ")
        )
    })
}

async fn upstream_headers(kit: &Kit) -> Checked {
    let transcript = kit.transcript();
    ensure(!transcript.is_empty(), || {
        "no answer from the proxy to check".to_owned()
    })?;
    // What the sandbox sends on its own, asked directly with a fixture key.
    let secret = kit
        .options
        .fixtures
        .keys
        .first()
        .map(|k| k.secret.clone())
        .ok_or("the kit's fixtures have no key")?;
    kit.sandbox.reset().await?;
    let headers = kit.sandbox_direct_headers(&secret).await?;
    let upstream_only = scan::upstream_only(headers.keys().map(|k| k.as_str().to_owned()));
    let copied = scan::copied_upstream_headers(&transcript, &upstream_only);
    ensure(copied.is_empty(), || copied.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_origins_differ_from_the_page_only_where_they_should() {
        let page = Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(lookalike(&page), "http://127.0.0.1.evil.test:8080");
        assert_eq!(other_port(&page), "http://127.0.0.1:8081");
        let page = Url::parse("https://app.example.com").unwrap();
        assert_eq!(lookalike(&page), "https://app.example.com.evil.test");
        assert_eq!(other_port(&page), "https://app.example.com:444");
    }

    #[test]
    fn foreign_return_urls_keep_everything_but_one_part() {
        let allowed = Url::parse("http://127.0.0.1:8080/return.html").unwrap();
        assert_eq!(
            foreign_return_urls(&allowed),
            [
                "http://evil.test/return.html",
                "http://127.0.0.1.evil.test:8080/return.html",
                "http://127.0.0.1:8080/check-proxy-not-allowed",
            ]
        );
    }
}
