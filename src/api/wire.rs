//! The bodies of the three routes: what the widget sends and what it reads
//! back. Decoding is tolerant by design: unknown fields are ignored, and
//! values Layers promises to extend (failure codes, statuses) keep unknown
//! values instead of failing.

use super::FailureCode;
shell_only! {
    use crate::json::{self, FromJson, Json, Mismatch};
}
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

shell_only! {
    impl FromJson for OAuthUrl {
        fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
            let url = OAuthUrl {
                authorize_url: json::string(v, "authorizeUrl")?,
                state: json::string(v, "state")?,
                expires_at: json::opt_string(v, "expiresAt")?.unwrap_or_default(),
            };
            // The URL becomes a link and a navigation: only http(s), never
            // `javascript:`. Refused here, the answer is `Malformed` with its
            // own status (a mint answers 201), not a guessed 200.
            if crate::url::is_http_url(&url.authorize_url) && !url.state.is_empty() {
                Ok(url)
            } else {
                Err(Mismatch)
            }
        }
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

shell_only! {
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
                        code: code.map_or_else(|| FailureCode::Other(FailureCode::UNKNOWN.into()), |c| FailureCode::from_wire(&c)),
                        message,
                    }
                }
                _ => OAuthStatus::Unrecognized(status),
            })
        }
    }
}

/// Answer of `GET …/projects/{projectId}/social-accounts`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SocialAccounts {
    /// The project's accounts.
    pub data: Vec<SocialAccount>,
}

shell_only! {
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

shell_only! {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::response::decode;
    use crate::api::ApiError;

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
        // A code of another shape than `[a-z_]{1,64}` is never echoed.
        for forged in [r#""<img src=x onerror=alert(1)>""#, r#""Platform_Denied""#, r#""""#] {
            let body = format!(r#"{{"status":"failed","error":{{"code":{forged}}}}}"#);
            assert_eq!(
                decode::<OAuthStatus>(200, None, &body),
                Ok(OAuthStatus::Failed { code: FailureCode::Other("unknown".into()), message: None }),
                "{forged}"
            );
        }
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
        // A URL that must not become a link, or no state: malformed, with
        // the answer's own status in the copy (it said "HTTP 200" for a 201).
        for body in [
            r#"{"authorizeUrl":"javascript:alert(1)","state":"st_1","expiresAt":"2026-04-18T19:12:11Z"}"#,
            r#"{"authorizeUrl":"https://www.tiktok.com/auth","state":"","expiresAt":"2026-04-18T19:12:11Z"}"#,
        ] {
            let error = decode::<OAuthUrl>(201, None, body).unwrap_err();
            assert_eq!(error, ApiError::Malformed { status: 201 }, "{body}");
            assert!(error.to_string().contains("HTTP 201"), "{error}");
        }
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
