//! The proxy client's types: requests, responses and errors of the three
//! widget-facing routes, which mirror Layers' paths without `/v1`:
//!
//! | route | request | answer |
//! |---|---|---|
//! | `POST {endpoint}/projects/{projectId}/social/oauth-url` | [`OAuthUrlRequest`] | [`OAuthUrl`] |
//! | `GET {endpoint}/social/oauth-status/{state}` | — | [`OAuthStatus`] |
//! | `GET {endpoint}/projects/{projectId}/social-accounts` | — | [`SocialAccounts`] |
//!
//! Pure and I/O-free: the browser shell fetches, then hands the status code,
//! the `Retry-After` header and a way to decode the body to [`classify`],
//! which returns the typed answer or the crate's one error type, [`ApiError`].
//! Decoding is tolerant by design: unknown fields are ignored, and values
//! Layers promises to extend (failure codes, statuses, kill-switch scopes)
//! keep unknown values instead of failing.

use crate::json::{self, FromJson, Json, Mismatch};
use core::fmt;
use serde::Serialize;

/// A platform the customer can connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// TikTok (`"tiktok"` on the wire).
    Tiktok,
    /// Instagram (`"instagram"` on the wire).
    Instagram,
}

impl Platform {
    /// The wire name: `"tiktok"` or `"instagram"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Tiktok => "tiktok",
            Platform::Instagram => "instagram",
        }
    }

    /// The brand name for copy: `"TikTok"` or `"Instagram"`.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Tiktok => "TikTok",
            Platform::Instagram => "Instagram",
        }
    }

    /// Parses a wire name (case-insensitive, e.g. from an HTML attribute).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("tiktok") {
            Some(Platform::Tiktok)
        } else if s.eq_ignore_ascii_case("instagram") {
            Some(Platform::Instagram)
        } else {
            None
        }
    }
}

/// Body of `POST …/social/oauth-url`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthUrlRequest {
    /// Target platform.
    pub platform: Platform,
    /// Where Layers sends the customer after consent; must be on the key's allowlist.
    pub return_url: String,
    /// Platform scopes; Layers' full default set when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Opaque note for the partner's own return page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_note: Option<String>,
}

/// Answer of `POST …/social/oauth-url`: a fresh, single-use authorize URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthUrl {
    /// The platform's consent page; opened top-level, never framed.
    pub authorize_url: String,
    /// Opaque, case-sensitive token naming this attempt; never reused.
    pub state: String,
    /// RFC 3339 UTC; empty when the server omitted it (the core then assumes
    /// the documented 10 minutes).
    pub expires_at: String,
}

impl FromJson for OAuthUrl {
    fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
        Ok(OAuthUrl {
            authorize_url: json::string(v, "authorizeUrl")?,
            state: json::string(v, "state")?,
            expires_at: json::opt_string(v, "expiresAt")?.unwrap_or_default(),
        })
    }
}

/// Answer of `GET …/social/oauth-status/{state}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OAuthStatus {
    /// The customer has not finished yet: keep polling.
    Pending,
    /// The social account is persisted.
    Completed(Connection),
    /// The attempt ended without an account.
    Failed {
        /// Why; unknown future codes are kept in [`FailureCode::Other`].
        code: FailureCode,
        /// Layers' English explanation, for logs and integrators.
        message: Option<String>,
    },
    /// A status this version does not know (the API may add some): treated
    /// like `pending`, so polling continues until a known answer or expiry.
    Unrecognized(String),
}

/// The account a completed attempt created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// `sa_…` identifier of the new social account.
    pub social_account_id: String,
    /// Platform as Layers reported it.
    pub platform: Option<String>,
    /// The account's handle, without `@`.
    pub handle: Option<String>,
    /// RFC 3339 time of the connection.
    pub connected_at: Option<String>,
}

impl FromJson for OAuthStatus {
    fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
        let status = json::string(v, "status")?;
        Ok(match status.as_str() {
            "pending" => OAuthStatus::Pending,
            "completed" => OAuthStatus::Completed(Connection {
                // Without the id there is no account to report: malformed.
                social_account_id: Some(json::string(v, "socialAccountId")?).filter(|id| !id.is_empty()).ok_or(Mismatch)?,
                platform: json::opt_string(v, "platform")?,
                handle: json::opt_string(v, "handle")?,
                connected_at: json::opt_string(v, "connectedAt")?,
            }),
            "failed" => {
                let error = v.member("error");
                let (code, message) = match &error {
                    Some(e) => (json::opt_string(e, "code")?, json::opt_string(e, "message")?),
                    None => (None, None),
                };
                OAuthStatus::Failed {
                    // The spec's own sample tolerates a missing `error`.
                    code: code.map_or_else(|| FailureCode::Other("unknown".into()), FailureCode::from),
                    message,
                }
            }
            _ => OAuthStatus::Unrecognized(status),
        })
    }
}

/// `error.code` of a failed attempt (also the `layers_oauth_error` return
/// parameter). The set only grows, so unknown codes are kept verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum FailureCode {
    /// `state_expired`: the 10-minute state passed before consent finished.
    StateExpired,
    /// `platform_denied`: the customer declined, or the platform said access_denied.
    PlatformDenied,
    /// `platform_mismatch`: the callback's platform differs from the state's.
    PlatformMismatch,
    /// `missing_code`: the platform redirected without `?code`.
    MissingCode,
    /// `exchange_failed`: the platform's token endpoint failed.
    ExchangeFailed,
    /// `persistence_error`: Layers could not store the account.
    PersistenceError,
    /// A code this version does not know yet, verbatim.
    Other(String),
}

impl FailureCode {
    /// The snake_case wire code.
    pub fn as_str(&self) -> &str {
        match self {
            FailureCode::StateExpired => "state_expired",
            FailureCode::PlatformDenied => "platform_denied",
            FailureCode::PlatformMismatch => "platform_mismatch",
            FailureCode::MissingCode => "missing_code",
            FailureCode::ExchangeFailed => "exchange_failed",
            FailureCode::PersistenceError => "persistence_error",
            FailureCode::Other(code) => code,
        }
    }

    /// One English sentence for integrators (customer copy lives in the view).
    pub fn description(&self) -> &'static str {
        match self {
            FailureCode::StateExpired => "The authorize link expired before consent finished.",
            FailureCode::PlatformDenied => "The customer did not grant consent on the platform.",
            FailureCode::PlatformMismatch => "The callback's platform did not match the attempt.",
            FailureCode::MissingCode => "The platform redirected without an authorization code.",
            FailureCode::ExchangeFailed => "The platform's token exchange failed.",
            FailureCode::PersistenceError => "Layers could not store the account.",
            FailureCode::Other(_) => "The connection failed.",
        }
    }
}

impl From<&str> for FailureCode {
    fn from(code: &str) -> Self {
        match code {
            "state_expired" => FailureCode::StateExpired,
            "platform_denied" => FailureCode::PlatformDenied,
            "platform_mismatch" => FailureCode::PlatformMismatch,
            "missing_code" => FailureCode::MissingCode,
            "exchange_failed" => FailureCode::ExchangeFailed,
            "persistence_error" => FailureCode::PersistenceError,
            other => FailureCode::Other(other.to_owned()),
        }
    }
}

impl From<String> for FailureCode {
    fn from(code: String) -> Self {
        match FailureCode::from(code.as_str()) {
            FailureCode::Other(_) => FailureCode::Other(code),
            known => known,
        }
    }
}

impl From<FailureCode> for String {
    fn from(code: FailureCode) -> Self {
        match code {
            FailureCode::Other(code) => code,
            known => known.as_str().to_owned(),
        }
    }
}

impl fmt::Display for FailureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Answer of `GET …/projects/{projectId}/social-accounts`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SocialAccounts {
    /// The project's accounts.
    pub data: Vec<SocialAccount>,
}

impl FromJson for SocialAccounts {
    fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
        json::object(v)?;
        let data = match v.member("data") {
            Some(list) => list.items().ok_or(Mismatch)?.iter().map(SocialAccount::from_json).collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(SocialAccounts { data })
    }
}

/// One social account; only `id`, `platform` and `handle` are guaranteed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocialAccount {
    /// `sa_…` identifier.
    pub id: String,
    /// Platform name; a string, so a platform added later still decodes.
    pub platform: String,
    /// Handle without `@`.
    pub handle: String,
    /// Display name on the platform.
    pub display_name: Option<String>,
    /// Avatar on Layers' CDN.
    pub avatar_url: Option<String>,
    /// Account status as Layers reports it.
    pub status: Option<String>,
    /// RFC 3339 expiry of the platform token.
    pub token_expires_at: Option<String>,
    /// Whether the account is leased.
    pub leased: Option<bool>,
    /// RFC 3339 time of the connection.
    pub connected_at: Option<String>,
}

impl FromJson for SocialAccount {
    fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
        Ok(SocialAccount {
            id: json::string(v, "id")?,
            platform: json::string(v, "platform")?,
            handle: json::string(v, "handle")?,
            display_name: json::opt_string(v, "displayName")?,
            avatar_url: json::opt_string(v, "avatarUrl")?,
            status: json::opt_string(v, "status")?,
            token_expires_at: json::opt_string(v, "tokenExpiresAt")?,
            leased: json::opt_bool(v, "leased")?,
            connected_at: json::opt_string(v, "connectedAt")?,
        })
    }
}

/// Layers' error envelope, `{"error":{"code","message","requestId","details"}}`.
/// Every part is optional so a partial body still yields what it has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorEnvelope {
    /// The error object.
    pub error: Option<ErrorBody>,
}

impl FromJson for ErrorEnvelope {
    fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
        json::object(v)?;
        Ok(ErrorEnvelope { error: json::opt(v, "error")? })
    }
}

/// The `error` object of an [`ErrorEnvelope`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// Machine code such as `RATE_LIMITED`.
    pub code: Option<String>,
    /// English explanation.
    pub message: Option<String>,
    /// Correlates with Layers' logs.
    pub request_id: Option<String>,
    /// Extra data; only `scope` (of `KILL_SWITCH`) is read.
    pub details: Option<ErrorDetails>,
}

impl FromJson for ErrorBody {
    // An error answer is read for what it has: one odd member (a numeric
    // requestId, a string `details`) must not hide the code next to it.
    fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
        json::object(v)?;
        Ok(ErrorBody {
            code: json::opt_string(v, "code").unwrap_or_default(),
            message: json::opt_string(v, "message").unwrap_or_default(),
            request_id: json::opt_string(v, "requestId").unwrap_or_default(),
            details: json::opt(v, "details").unwrap_or_default(),
        })
    }
}

/// `error.details`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorDetails {
    /// `key`, `organization` or `global` on `KILL_SWITCH`.
    pub scope: Option<String>,
}

impl FromJson for ErrorDetails {
    fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
        json::object(v)?;
        Ok(ErrorDetails { scope: json::opt_string(v, "scope").unwrap_or_default() })
    }
}

/// Transport-level error codes of the API and the proxy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `VALIDATION`: a bad request (platform, returnUrl, empty state).
    Validation,
    /// `UNAUTHENTICATED`: the proxy's key is missing or invalid.
    Unauthenticated,
    /// `FORBIDDEN_SCOPE`: the key lacks `social:write` / `social:read`.
    ForbiddenScope,
    /// `RETURN_URL_NOT_ALLOWED`: returnUrl is not on the key's allowlist.
    ReturnUrlNotAllowed,
    /// `NOT_FOUND`: unknown project, or a state minted under another key.
    NotFound,
    /// `RATE_LIMITED`: budget exhausted; honour `Retry-After`.
    RateLimited,
    /// `INTERNAL`: server-side failure; retry with backoff.
    Internal,
    /// `KILL_SWITCH`: the key, organization or whole partner API is disabled.
    KillSwitch,
    /// Any other code (the proxy's own, or a new one), verbatim.
    Other(String),
}

impl ErrorCode {
    /// The wire code.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::ForbiddenScope => "FORBIDDEN_SCOPE",
            ErrorCode::ReturnUrlNotAllowed => "RETURN_URL_NOT_ALLOWED",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::KillSwitch => "KILL_SWITCH",
            ErrorCode::Other(code) => code,
        }
    }
}

impl From<String> for ErrorCode {
    fn from(code: String) -> Self {
        match code.as_str() {
            "VALIDATION" => ErrorCode::Validation,
            "UNAUTHENTICATED" => ErrorCode::Unauthenticated,
            "FORBIDDEN_SCOPE" => ErrorCode::ForbiddenScope,
            "RETURN_URL_NOT_ALLOWED" => ErrorCode::ReturnUrlNotAllowed,
            "NOT_FOUND" => ErrorCode::NotFound,
            "RATE_LIMITED" => ErrorCode::RateLimited,
            "INTERNAL" => ErrorCode::Internal,
            "KILL_SWITCH" => ErrorCode::KillSwitch,
            _ => ErrorCode::Other(code),
        }
    }
}

/// What a `KILL_SWITCH` disabled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KillSwitchScope {
    /// The partner's API key.
    Key,
    /// The partner's organization.
    Organization,
    /// Layers' whole partner API.
    Global,
    /// A scope this version does not know, verbatim (empty when absent).
    Other(String),
}

impl KillSwitchScope {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            KillSwitchScope::Key => "key",
            KillSwitchScope::Organization => "organization",
            KillSwitchScope::Global => "global",
            KillSwitchScope::Other(s) => s,
        }
    }
}

impl From<String> for KillSwitchScope {
    fn from(scope: String) -> Self {
        match scope.as_str() {
            "key" => KillSwitchScope::Key,
            "organization" => KillSwitchScope::Organization,
            "global" => KillSwitchScope::Global,
            _ => KillSwitchScope::Other(scope),
        }
    }
}

/// The crate's one error type: why a request to the proxy did not yield its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The request never got an HTTP answer (offline, DNS, CORS, connection reset).
    Network,
    /// The shell gave up waiting for the answer.
    Timeout,
    /// The shell aborted the request.
    Aborted,
    /// A non-2xx answer. Fields the body did not carry are `None`.
    Http {
        /// HTTP status.
        status: u16,
        /// `error.code`, when the body was an error envelope.
        code: Option<ErrorCode>,
        /// `error.message`.
        message: Option<String>,
        /// `error.requestId`, to quote to Layers support.
        request_id: Option<String>,
        /// `Retry-After` in seconds (an HTTP-date reads as unknown).
        retry_after: Option<u32>,
        /// `error.details.scope` of a `KILL_SWITCH`.
        scope: Option<KillSwitchScope>,
    },
    /// A 2xx answer whose body is not the documented JSON.
    Malformed {
        /// HTTP status.
        status: u16,
    },
}

impl ApiError {
    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } | ApiError::Malformed { status } => Some(*status),
            _ => None,
        }
    }

    /// The kill-switch scope when this is a `503 KILL_SWITCH`.
    pub fn kill_switch(&self) -> Option<KillSwitchScope> {
        match self {
            ApiError::Http {
                status: 503,
                code: Some(ErrorCode::KillSwitch),
                scope,
                ..
            } => Some(
                scope
                    .clone()
                    .unwrap_or(KillSwitchScope::Other(String::new())),
            ),
            _ => None,
        }
    }

    /// A short machine code for events: the API's code (`RETURN_URL_NOT_ALLOWED`),
    /// else `HTTP_<status>`, `NETWORK`, `TIMEOUT`, `ABORTED` or `MALFORMED_RESPONSE`.
    pub fn code(&self) -> String {
        match self {
            ApiError::Network => "NETWORK".into(),
            ApiError::Timeout => "TIMEOUT".into(),
            ApiError::Aborted => "ABORTED".into(),
            ApiError::Http {
                code: Some(code), ..
            } => code.as_str().into(),
            ApiError::Http { status, .. } => format!("HTTP_{status}"),
            ApiError::Malformed { .. } => "MALFORMED_RESPONSE".into(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network => {
                f.write_str("could not reach the proxy (network error, CORS or offline)")
            }
            ApiError::Timeout => f.write_str("the proxy did not answer in time"),
            ApiError::Aborted => f.write_str("the request was aborted"),
            ApiError::Malformed { status } => {
                write!(
                    f,
                    "the proxy answered HTTP {status} with a body that is not the documented JSON"
                )
            }
            ApiError::Http {
                status,
                code,
                message,
                request_id,
                scope,
                ..
            } => {
                write!(f, "HTTP {status}")?;
                if let Some(code) = code {
                    write!(f, " {}", code.as_str())?;
                }
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                // What the integrator should do next, for the codes that have one answer.
                let hint = match code {
                    Some(ErrorCode::ReturnUrlNotAllowed) => {
                        " (add returnUrl to the key's return_url_allowlist)"
                    }
                    Some(ErrorCode::ForbiddenScope) => {
                        " (the key needs social:write and social:read)"
                    }
                    Some(ErrorCode::Unauthenticated) => " (check the proxy's Layers API key)",
                    Some(ErrorCode::NotFound) => {
                        " (check projectId, and that one key mints and polls)"
                    }
                    _ => "",
                };
                f.write_str(hint)?;
                if let Some(scope) = scope {
                    write!(f, " [scope: {}]", scope.as_str())?;
                }
                if let Some(id) = request_id {
                    write!(f, " [requestId: {id}]")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ApiError {}

/// Reads a `Retry-After` header: delta-seconds only. An HTTP-date, or
/// anything else, is `None`, which the poll policy treats as "use the backoff".
pub fn parse_retry_after(header: &str) -> Option<u32> {
    let s = header.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // More digits than a u32 holds still means "a long time".
    Some(s.parse().unwrap_or(u32::MAX))
}

/// Turns a finished HTTP exchange into the typed answer or an [`ApiError`].
///
/// `decode_success` and `decode_error` decode the body as the route's answer
/// or as Layers' [`ErrorEnvelope`] (see [`crate::json`]); only the one the
/// status calls for runs, and `None` means the body is not that.
/// A 2xx body that does not decode is [`ApiError::Malformed`]; a non-2xx one
/// that does not decode (an HTML error page from a gateway) is still
/// [`ApiError::Http`] with its status and `Retry-After`, because the status
/// is what the poll policy acts on.
///
/// ```
/// use layers_connect::api::{classify, ApiError, ErrorBody, ErrorEnvelope, OAuthStatus};
/// let envelope = ErrorEnvelope {
///     error: Some(ErrorBody { code: Some("RATE_LIMITED".into()), ..Default::default() }),
/// };
/// let answer: Result<OAuthStatus, ApiError> = classify(429, Some("12"), || None, || Some(envelope));
/// assert!(matches!(answer, Err(ApiError::Http { status: 429, retry_after: Some(12), .. })));
/// assert_eq!(answer.unwrap_err().code(), "RATE_LIMITED");
/// ```
pub fn classify<T>(
    status: u16,
    retry_after: Option<&str>,
    decode_success: impl FnOnce() -> Option<T>,
    decode_error: impl FnOnce() -> Option<ErrorEnvelope>,
) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        return decode_success().ok_or(ApiError::Malformed { status });
    }
    let body = decode_error().and_then(|e| e.error).unwrap_or_default();
    Err(ApiError::Http {
        status,
        code: body.code.map(ErrorCode::from),
        message: body.message,
        request_id: body.request_id,
        retry_after: retry_after.and_then(parse_retry_after),
        scope: body.details.and_then(|d| d.scope).map(KillSwitchScope::from),
    })
}

/// `{endpoint}/projects/{projectId}/social/oauth-url`.
pub fn oauth_url_url(endpoint: &str, project_id: &str) -> String {
    let mut url = base(endpoint);
    url.push_str("/projects/");
    push_segment(&mut url, project_id);
    url.push_str("/social/oauth-url");
    url
}

/// `{endpoint}/social/oauth-status/{state}`.
pub fn oauth_status_url(endpoint: &str, state: &str) -> String {
    let mut url = base(endpoint);
    url.push_str("/social/oauth-status/");
    push_segment(&mut url, state);
    url
}

/// `{endpoint}/projects/{projectId}/social-accounts`.
pub fn social_accounts_url(endpoint: &str, project_id: &str) -> String {
    let mut url = base(endpoint);
    url.push_str("/projects/");
    push_segment(&mut url, project_id);
    url.push_str("/social-accounts");
    url
}

fn base(endpoint: &str) -> String {
    endpoint.trim_end_matches('/').to_owned()
}

// Percent-encodes everything but RFC 3986 unreserved characters, so an id
// can never add a path segment or a query to the proxy's URL.
fn push_segment(out: &mut String, segment: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode<T: FromJson>(status: u16, retry_after: Option<&str>, body: &str) -> Result<T, ApiError> {
        classify(status, retry_after, || json::parse(body).ok(), || json::parse(body).ok())
    }

    #[test]
    fn oauth_url_spec_example() {
        let body = r#"{
          "authorizeUrl": "https://www.tiktok.com/v2/auth/authorize?client_key=...&state=st_01HXZ8...",
          "state": "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A",
          "expiresAt": "2026-04-18T19:12:11Z"
        }"#;
        let url: OAuthUrl = decode(200, None, body).unwrap();
        assert_eq!(url.state, "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A");
        assert_eq!(url.expires_at, "2026-04-18T19:12:11Z");
        assert!(url.authorize_url.starts_with("https://www.tiktok.com/"));
    }

    #[test]
    fn oauth_url_request_body() {
        let request = OAuthUrlRequest {
            platform: Platform::Tiktok,
            return_url: "https://app.gicgrowth.com/connect/tiktok/return".into(),
            scopes: None,
            usage_note: Some("Connecting Acme Coffee".into()),
        };
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"platform":"tiktok","returnUrl":"https://app.gicgrowth.com/connect/tiktok/return","usageNote":"Connecting Acme Coffee"}"#
        );
        let with_scopes = OAuthUrlRequest {
            scopes: Some(vec!["user.info.basic".into()]),
            usage_note: None,
            ..request
        };
        assert!(serde_json::to_string(&with_scopes)
            .unwrap()
            .contains(r#""scopes":["user.info.basic"]"#));
    }

    #[test]
    fn status_spec_examples() {
        let pending = r#"{"state":"st_01HXZ8K2M4P5QRS6TUV7WXYZ9A","status":"pending","expiresAt":"2026-04-18T19:12:11Z"}"#;
        assert_eq!(
            decode::<OAuthStatus>(200, None, pending),
            Ok(OAuthStatus::Pending)
        );

        let completed = r#"{
          "state": "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A",
          "status": "completed",
          "socialAccountId": "sa_9c1e42a0-b7f3-4e5d-a2c1-8b4f5e6c7d8e",
          "platform": "tiktok",
          "handle": "acmecoffee",
          "connectedAt": "2026-04-18T19:06:42Z"
        }"#;
        assert_eq!(
            decode::<OAuthStatus>(200, None, completed),
            Ok(OAuthStatus::Completed(Connection {
                social_account_id: "sa_9c1e42a0-b7f3-4e5d-a2c1-8b4f5e6c7d8e".into(),
                platform: Some("tiktok".into()),
                handle: Some("acmecoffee".into()),
                connected_at: Some("2026-04-18T19:06:42Z".into()),
            }))
        );

        let failed = r#"{
          "state": "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A",
          "status": "failed",
          "error": {
            "code": "platform_denied",
            "message": "The user did not grant consent on the platform."
          }
        }"#;
        assert_eq!(
            decode::<OAuthStatus>(200, None, failed),
            Ok(OAuthStatus::Failed {
                code: FailureCode::PlatformDenied,
                message: Some("The user did not grant consent on the platform.".into()),
            })
        );
    }

    #[test]
    fn every_documented_failure_code_round_trips() {
        for code in [
            "state_expired",
            "platform_denied",
            "platform_mismatch",
            "missing_code",
            "exchange_failed",
            "persistence_error",
        ] {
            let parsed = FailureCode::from(code);
            assert!(!matches!(parsed, FailureCode::Other(_)), "{code}");
            assert_eq!(parsed.as_str(), code);
            assert_eq!(String::from(parsed), code);
        }
    }

    #[test]
    fn future_values_do_not_break_decoding() {
        let new_code = r#"{"status":"failed","error":{"code":"captcha_required","extra":1}}"#;
        assert_eq!(
            decode::<OAuthStatus>(200, None, new_code),
            Ok(OAuthStatus::Failed {
                code: FailureCode::Other("captcha_required".into()),
                message: None
            })
        );
        let new_status = r#"{"status":"awaiting_review","state":"st_1","newField":{"a":[1,2]}}"#;
        assert_eq!(
            decode::<OAuthStatus>(200, None, new_status),
            Ok(OAuthStatus::Unrecognized("awaiting_review".into()))
        );
        let bare_failure = r#"{"status":"failed"}"#;
        assert!(matches!(
            decode::<OAuthStatus>(200, None, bare_failure),
            Ok(OAuthStatus::Failed {
                code: FailureCode::Other(_),
                ..
            })
        ));
        assert_eq!(
            serde_json::to_string(&FailureCode::Other("x_y".into())).unwrap(),
            r#""x_y""#
        );
    }

    #[test]
    fn malformed_success_bodies() {
        for body in [
            "<html>502</html>",
            "",
            "{}",
            r#"{"status":"completed"}"#,
            r#"{"status":"completed","socialAccountId":""}"#,
            r#"{"status":7}"#,
        ] {
            assert_eq!(
                decode::<OAuthStatus>(200, None, body),
                Err(ApiError::Malformed { status: 200 }),
                "{body}"
            );
        }
        assert_eq!(
            decode::<OAuthUrl>(201, None, r#"{"state":"st_1"}"#),
            Err(ApiError::Malformed { status: 201 })
        );
        // A documented member with another type breaks the contract, even an optional one.
        for body in [
            r#"{"status":"completed","socialAccountId":"sa_1","handle":42}"#,
            r#"{"status":"failed","error":{"code":7}}"#,
            r#"["pending"]"#,
            r#""pending""#,
        ] {
            assert_eq!(decode::<OAuthStatus>(200, None, body), Err(ApiError::Malformed { status: 200 }), "{body}");
        }
        assert_eq!(
            decode::<OAuthUrl>(201, None, r#"{"authorizeUrl":"https://x","state":"st_1","expiresAt":1}"#),
            Err(ApiError::Malformed { status: 201 })
        );
        assert_eq!(
            decode::<SocialAccounts>(200, None, r#"{"data":[{"id":"sa_1","platform":"tiktok"}]}"#),
            Err(ApiError::Malformed { status: 200 })
        );
        // null is absent.
        assert_eq!(
            decode::<OAuthUrl>(201, None, r#"{"authorizeUrl":"https://x","state":"st_1","expiresAt":null}"#),
            Ok(OAuthUrl { authorize_url: "https://x".into(), state: "st_1".into(), expires_at: String::new() })
        );
    }

    #[test]
    fn one_odd_member_of_an_error_answer_does_not_hide_the_rest() {
        let body = r#"{"error":{"code":"KILL_SWITCH","requestId":12345,"details":"organization","message":"off"}}"#;
        let error = decode::<OAuthStatus>(503, Some("60"), body).unwrap_err();
        assert_eq!(
            error,
            ApiError::Http {
                status: 503,
                code: Some(ErrorCode::KillSwitch),
                message: Some("off".into()),
                request_id: None,
                retry_after: Some(60),
                scope: None,
            }
        );
        // An `error` that is not an object is no envelope at all.
        let error = decode::<OAuthStatus>(500, None, r#"{"error":"boom"}"#).unwrap_err();
        assert!(matches!(error, ApiError::Http { status: 500, code: None, message: None, .. }), "{error:?}");
    }

    #[test]
    fn error_envelope_is_read_tolerantly() {
        let body = r#"{"error":{"code":"RATE_LIMITED","message":"Polling budget exhausted.","requestId":"req_1","unknown":true}}"#;
        assert_eq!(
            decode::<OAuthStatus>(429, Some("12"), body),
            Err(ApiError::Http {
                status: 429,
                code: Some(ErrorCode::RateLimited),
                message: Some("Polling budget exhausted.".into()),
                request_id: Some("req_1".into()),
                retry_after: Some(12),
                scope: None,
            })
        );
        let kill = r#"{"error":{"code":"KILL_SWITCH","details":{"scope":"global","since":"x"}}}"#;
        let error = decode::<OAuthStatus>(503, None, kill).unwrap_err();
        assert_eq!(error.kill_switch(), Some(KillSwitchScope::Global));
        assert_eq!(error.code(), "KILL_SWITCH");
        // Missing message and requestId.
        let bare = decode::<OAuthUrl>(403, None, r#"{"error":{"code":"RETURN_URL_NOT_ALLOWED"}}"#)
            .unwrap_err();
        assert!(matches!(
            bare,
            ApiError::Http {
                code: Some(ErrorCode::ReturnUrlNotAllowed),
                message: None,
                request_id: None,
                ..
            }
        ));
        // A gateway's HTML page keeps its status and Retry-After.
        let html = decode::<OAuthUrl>(502, Some("30"), "<html>Bad Gateway</html>").unwrap_err();
        assert_eq!(
            html,
            ApiError::Http {
                status: 502,
                code: None,
                message: None,
                request_id: None,
                retry_after: Some(30),
                scope: None
            }
        );
        assert_eq!(html.code(), "HTTP_502");
        // The proxy's own codes are kept verbatim.
        let csrf = decode::<OAuthUrl>(
            403,
            None,
            r#"{"error":{"code":"CSRF","message":"bad origin"}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(csrf, ApiError::Http { code: Some(ErrorCode::Other(ref c)), .. } if c == "CSRF")
        );
        // An unknown scope is kept too.
        let scope = decode::<OAuthUrl>(
            503,
            None,
            r#"{"error":{"code":"KILL_SWITCH","details":{"scope":"region"}}}"#,
        );
        assert_eq!(
            scope.unwrap_err().kill_switch(),
            Some(KillSwitchScope::Other("region".into()))
        );
    }

    #[test]
    fn retry_after_is_delta_seconds_only() {
        assert_eq!(parse_retry_after("12"), Some(12));
        assert_eq!(parse_retry_after(" 0 "), Some(0));
        assert_eq!(parse_retry_after("99999999999"), Some(u32::MAX));
        for unknown in [
            "",
            "Wed, 21 Oct 2026 07:28:00 GMT",
            "-1",
            "1.5",
            "+3",
            "soon",
        ] {
            assert_eq!(parse_retry_after(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn social_accounts_tolerate_missing_fields() {
        let body = r#"{"data":[
          {"id":"sa_1","platform":"tiktok","handle":"acmecoffee","displayName":"Acme Coffee",
           "avatarUrl":"https://cdn.layers.com/a.png","status":"active","tokenExpiresAt":"2026-05-18T19:06:42Z",
           "leased":false,"connectedAt":"2026-04-18T19:06:42Z","future":1},
          {"id":"sa_2","platform":"youtube","handle":"acme"}
        ]}"#;
        let list: SocialAccounts = decode(200, None, body).unwrap();
        assert_eq!(list.data.len(), 2);
        assert_eq!(list.data[0].display_name.as_deref(), Some("Acme Coffee"));
        assert_eq!(list.data[0].leased, Some(false));
        assert_eq!(
            (
                list.data[1].platform.as_str(),
                list.data[1].avatar_url.as_ref()
            ),
            ("youtube", None)
        );
        assert_eq!(
            decode::<SocialAccounts>(200, None, "{}").unwrap(),
            SocialAccounts::default()
        );
    }

    #[test]
    fn display_text_helps_integrators() {
        let error = ApiError::Http {
            status: 403,
            code: Some(ErrorCode::ReturnUrlNotAllowed),
            message: Some("returnUrl not allowed".into()),
            request_id: Some("req_9".into()),
            retry_after: None,
            scope: None,
        };
        assert_eq!(
            error.to_string(),
            "HTTP 403 RETURN_URL_NOT_ALLOWED: returnUrl not allowed (add returnUrl to the key's return_url_allowlist) [requestId: req_9]"
        );
        assert_eq!(
            ApiError::Malformed { status: 200 }.to_string(),
            "the proxy answered HTTP 200 with a body that is not the documented JSON"
        );
        assert_eq!(ApiError::Network.code(), "NETWORK");
    }

    #[test]
    fn route_urls_encode_their_segments() {
        assert_eq!(
            oauth_url_url("https://p.example/layers/", "prj_1"),
            "https://p.example/layers/projects/prj_1/social/oauth-url"
        );
        assert_eq!(
            oauth_status_url("/layers", "st_01HX"),
            "/layers/social/oauth-status/st_01HX"
        );
        assert_eq!(
            oauth_status_url("/layers", "a/../b?c#d é"),
            "/layers/social/oauth-status/a%2F..%2Fb%3Fc%23d%20%C3%A9"
        );
        assert_eq!(
            social_accounts_url("/l", "prj 1"),
            "/l/projects/prj%201/social-accounts"
        );
    }

    #[test]
    fn platforms() {
        assert_eq!(Platform::parse(" TikTok "), Some(Platform::Tiktok));
        assert_eq!(Platform::parse("instagram"), Some(Platform::Instagram));
        assert_eq!(Platform::parse("youtube"), None);
        assert_eq!(
            serde_json::to_string(&Platform::Instagram).unwrap(),
            r#""instagram""#
        );
        assert_eq!(Platform::Tiktok.label(), "TikTok");
    }
}
