//! Platforms and the social accounts a completed connection leaves behind.

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use url::Url;

use crate::clock::rfc3339_seconds;

/// A platform Layers can connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Platform {
    TikTok,
    Instagram,
}

impl Platform {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "tiktok" => Some(Self::TikTok),
            "instagram" => Some(Self::Instagram),
            _ => None,
        }
    }

    /// The wire name: `tiktok` / `instagram`.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Self::TikTok => "tiktok",
            Self::Instagram => "instagram",
        }
    }

    pub(crate) fn display_name(self) -> &'static str {
        match self {
            Self::TikTok => "TikTok",
            Self::Instagram => "Instagram",
        }
    }

    pub(crate) fn other(self) -> Self {
        match self {
            Self::TikTok => Self::Instagram,
            Self::Instagram => Self::TikTok,
        }
    }

    /// The scopes Layers asks for when the partner names none (publishing and metrics).
    pub(crate) fn default_scopes(self) -> Vec<String> {
        let scopes: &[&str] = match self {
            Self::TikTok => &[
                "user.info.basic",
                "user.info.profile",
                "user.info.stats",
                "video.list",
                "video.upload",
                "video.publish",
            ],
            Self::Instagram => &[
                "instagram_business_basic",
                "instagram_business_content_publish",
                "instagram_business_manage_insights",
                "instagram_business_manage_comments",
            ],
        };
        scopes.iter().map(|s| (*s).to_owned()).collect()
    }

    /// The handle the consent page suggests.
    pub(crate) fn default_handle(self) -> &'static str {
        match self {
            Self::TikTok => "acmecoffee",
            Self::Instagram => "acme.coffee",
        }
    }

    /// Lifetime of the platform access token (TikTok: 24 h; Instagram long-lived: 60 days).
    pub(crate) fn token_lifetime(self) -> Duration {
        match self {
            Self::TikTok => Duration::from_secs(24 * 3600),
            Self::Instagram => Duration::from_secs(60 * 24 * 3600),
        }
    }
}

/// A connected account, as the social-accounts list shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SocialAccount {
    pub id: String,
    #[serde(skip)]
    pub project_id: String,
    #[serde(serialize_with = "platform_id")]
    pub platform: Platform,
    pub handle: String,
    pub display_name: String,
    pub avatar_url: String,
    pub status: &'static str,
    #[serde(serialize_with = "seconds")]
    pub token_expires_at: OffsetDateTime,
    pub leased: bool,
    #[serde(serialize_with = "seconds")]
    pub connected_at: OffsetDateTime,
}

impl SocialAccount {
    pub(crate) fn connect(
        project_id: &str,
        platform: Platform,
        handle: &str,
        base: &Url,
        now: OffsetDateTime,
    ) -> Self {
        let id = format!("sa_{}", uuid::Uuid::new_v4());
        Self {
            avatar_url: avatar_url(base, &id),
            id,
            project_id: project_id.to_owned(),
            platform,
            handle: handle.to_owned(),
            display_name: display_name(handle),
            status: "active",
            token_expires_at: now + platform.token_lifetime(),
            leased: false,
            connected_at: now,
        }
    }

    /// Connecting an already connected account again refreshes its token, like a re-login.
    pub(crate) fn reconnect(&mut self, now: OffsetDateTime) {
        self.token_expires_at = now + self.platform.token_lifetime();
        self.connected_at = now;
        self.status = "active";
    }
}

fn avatar_url(base: &Url, account_id: &str) -> String {
    base.join(&format!("_sandbox/avatars/{account_id}.svg"))
        .map(String::from)
        .unwrap_or_default()
}

/// `acme.coffee` → `Acme Coffee`.
fn display_name(handle: &str) -> String {
    handle
        .split(['.', '_', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn platform_id<S: serde::Serializer>(p: &Platform, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.id())
}

fn seconds<S: serde::Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339_seconds(*t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_title_cases_handle_words() {
        assert_eq!(display_name("acme.coffee"), "Acme Coffee");
        assert_eq!(display_name("acmecoffee"), "Acmecoffee");
        assert_eq!(display_name("big_bean-co"), "Big Bean Co");
    }
}
