//! The custom element's attributes, validated. Pure, so every bad input has
//! a tested, readable message; the element shows it instead of a blank box.

use crate::api::Platform;
use crate::flow::Mode;
shell_only! {
    use crate::json::{self, FromJson, Json, Mismatch};
}
use crate::messages::choose_language;

/// What the element's JS shim passes on every change: attributes as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawAttributes {
    /// `endpoint`.
    pub endpoint: Option<String>,
    /// `project-id`.
    pub project_id: Option<String>,
    /// `platforms`, split on spaces and commas; `None` when absent.
    pub platforms: Option<Vec<String>>,
    /// `return-url`.
    pub return_url: Option<String>,
    /// `scopes`, split on spaces and commas.
    pub scopes: Option<Vec<String>>,
    /// `usage-note`.
    pub usage_note: Option<String>,
    /// `mode`.
    pub mode: Option<String>,
    /// The `lang` attributes from the element up to the document element,
    /// nearest first, across shadow roots (the shim walks the DOM).
    pub langs: Option<Vec<String>>,
    /// `navigator.languages`, the browser's preferences in order.
    pub languages: Option<Vec<String>>,
}

/// Valid attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Attributes {
    /// The proxy's base URL.
    pub endpoint: String,
    /// The Layers project.
    pub project_id: String,
    /// Platforms offered, in order, without duplicates.
    pub platforms: Vec<Platform>,
    /// The return URL as written (resolved against the page later).
    pub return_url: Option<String>,
    /// Scopes, if any were given.
    pub scopes: Option<Vec<String>>,
    /// The usage note.
    pub usage_note: Option<String>,
    /// Tab or redirect.
    pub mode: Mode,
    /// The language tag: [`crate::messages::choose_language`]'s pick.
    pub lang: String,
}

/// Why the attributes cannot work, in words for the integrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeError(pub String);

impl core::fmt::Display for AttributeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "<layers-connect>: {}", self.0)
    }
}

// The shim's config object: only the element (and the tests) read one.
shell_only! {
    impl FromJson for RawAttributes {
        /// Reads the shim's config object. The shim always sends strings, string
        /// arrays or null; anything else is a [`Mismatch`] (the element then
        /// shows that `endpoint` is missing rather than guessing).
        fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
            json::object(v)?;
            Ok(RawAttributes {
                endpoint: json::opt_string(v, "endpoint")?,
                project_id: json::opt_string(v, "projectId")?,
                platforms: json::opt_strings(v, "platforms")?,
                return_url: json::opt_string(v, "returnUrl")?,
                scopes: json::opt_strings(v, "scopes")?,
                usage_note: json::opt_string(v, "usageNote")?,
                mode: json::opt_string(v, "mode")?,
                langs: json::opt_strings(v, "langs")?,
                languages: json::opt_strings(v, "languages")?,
            })
        }
    }
}

fn present(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

impl RawAttributes {
    /// Checks every attribute; the first problem found is reported.
    pub fn validate(&self) -> Result<Attributes, AttributeError> {
        let err = |m: String| Err(AttributeError(m));
        let Some(endpoint) = present(&self.endpoint) else {
            return err("the `endpoint` attribute is required: the URL of your backend proxy, e.g. endpoint=\"/api/layers\".".into());
        };
        if endpoint.to_ascii_lowercase().starts_with("javascript:") {
            return err(format!("`endpoint` must be an http(s) URL or a path, not {endpoint:?}."));
        }
        let Some(project_id) = present(&self.project_id) else {
            return err("the `project-id` attribute is required: the Layers project that will own the account, e.g. project-id=\"prj_…\".".into());
        };
        let platforms = match &self.platforms {
            None => vec![Platform::Tiktok, Platform::Instagram],
            Some(names) => {
                let mut platforms = Vec::new();
                for name in names {
                    let Some(p) = Platform::parse(name) else {
                        return err(format!("`platforms` has {name:?}; use \"tiktok\", \"instagram\" or both."));
                    };
                    if !platforms.contains(&p) {
                        platforms.push(p);
                    }
                }
                if platforms.is_empty() {
                    return err("`platforms` is empty; use \"tiktok\", \"instagram\" or both, or remove it.".into());
                }
                platforms
            }
        };
        let mode = match present(&self.mode).as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("tab") => Mode::Tab,
            Some("redirect") => Mode::Redirect,
            Some(other) => return err(format!("`mode` is {other:?}; use \"tab\" (default) or \"redirect\".")),
        };
        Ok(Attributes {
            endpoint,
            project_id,
            platforms,
            return_url: present(&self.return_url),
            scopes: self.scopes.clone().filter(|s| !s.is_empty()),
            usage_note: present(&self.usage_note),
            mode,
            lang: choose_language(
                self.langs.iter().flatten().map(String::as_str),
                self.languages.iter().flatten().map(String::as_str),
            )
            .into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawAttributes {
        RawAttributes { endpoint: Some("/api/layers".into()), project_id: Some("prj_demo".into()), ..Default::default() }
    }

    #[test]
    fn minimal_attributes_default_to_both_platforms_in_a_tab() {
        let a = raw().validate().unwrap();
        assert_eq!(a.platforms, vec![Platform::Tiktok, Platform::Instagram]);
        assert_eq!(a.mode, Mode::Tab);
        assert_eq!(a.lang, "en");
        assert_eq!((a.return_url, a.scopes, a.usage_note), (None, None, None));
    }

    #[test]
    fn missing_required_attributes_say_which_and_how_to_fix_it() {
        let e = RawAttributes { endpoint: Some("  ".into()), ..raw() }.validate().unwrap_err();
        assert!(e.to_string().contains("`endpoint` attribute is required"), "{e}");
        let e = RawAttributes { project_id: None, ..raw() }.validate().unwrap_err();
        assert!(e.to_string().contains("`project-id`"), "{e}");
    }

    #[test]
    fn platforms_are_parsed_case_insensitively_deduplicated_and_checked() {
        let a = RawAttributes { platforms: Some(vec!["Instagram".into(), "tiktok".into(), "instagram".into()]), ..raw() }.validate().unwrap();
        assert_eq!(a.platforms, vec![Platform::Instagram, Platform::Tiktok]);
        let e = RawAttributes { platforms: Some(vec!["youtube".into()]), ..raw() }.validate().unwrap_err();
        assert!(e.0.contains("\"youtube\""), "{e}");
        assert!(RawAttributes { platforms: Some(vec![]), ..raw() }.validate().is_err());
    }

    #[test]
    fn mode_accepts_tab_and_redirect_only() {
        assert_eq!(RawAttributes { mode: Some("REDIRECT".into()), ..raw() }.validate().unwrap().mode, Mode::Redirect);
        assert!(RawAttributes { mode: Some("popup".into()), ..raw() }.validate().is_err());
    }

    #[test]
    fn the_shims_config_object_decodes() {
        let raw: RawAttributes = json::parse(
            r#"{"endpoint":"/api/layers","projectId":"prj_1","platforms":["instagram"],"returnUrl":null,
                "scopes":["a","b"],"usageNote":"n","mode":"tab","langs":["pt","fr-CA","de"],
                "languages":["ja"],"messages":{"connect":"x"}}"#,
        )
        .unwrap();
        assert_eq!(raw.project_id.as_deref(), Some("prj_1"));
        assert_eq!(raw.platforms, Some(vec!["instagram".to_string()]));
        assert_eq!(raw.return_url, None);
        // The nearest shipped language of the DOM walk wins.
        assert_eq!(raw.validate().unwrap().lang, "fr");
        let browser_only = RawAttributes { langs: Some(vec!["pt".into(), "".into()]), languages: Some(vec!["ko".into(), "es-MX".into()]), ..raw };
        assert_eq!(browser_only.validate().unwrap().lang, "es");
        assert_eq!(json::parse::<RawAttributes>(r#"{"endpoint":1}"#), Err(Mismatch));
    }

    #[test]
    fn a_script_url_is_never_an_endpoint() {
        assert!(RawAttributes { endpoint: Some("JavaScript:alert(1)".into()), ..raw() }.validate().is_err());
    }
}
