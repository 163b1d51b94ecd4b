//! In-app browsers: Instagram's, TikTok's, Facebook's and Messenger's
//! webviews, where `window.open` is blocked or does nothing and the
//! platforms may refuse OAuth. Sans-IO: the shell reads `navigator.userAgent`
//! and the page's address once at mount and hands them here.
//!
//! Our own user-agent table, not an npm library (such as `inapp-spy`): the
//! element's JS is budgeted to a few kilobytes, and the Leptos component,
//! which has no JS of its own, needs the same answer in Rust. The table is
//! four rows of plain substrings, checked in order (first match wins):
//!
//! | app         | tokens (case-sensitive)                                   |
//! |-------------|-----------------------------------------------------------|
//! | `messenger` | `FBAN/Messenger` (iOS), `FB_IAB/MESSENGER`, `FB_IAB/Orca-Android` (Android) |
//! | `instagram` | `Instagram ` followed by a version digit                  |
//! | `facebook`  | `FBAN/`, `FBAV/`, `FB_IAB/`, `MetaIAB Facebook`           |
//! | `tiktok`    | `musical_ly`, `BytedanceWebview`, `trill_`                |
//!
//! Sources: the user agents in inapp-spy's test corpus
//! (github.com/shalanah/inapp-spy, `src/tests/mobile.ts`) and the tokens its
//! `regexAppName.ts` keys on, cross-checked against published captures; the
//! corpus in this file's tests is taken from them. Messenger's newest
//! Android webview sends Facebook's own `FB_IAB/FB4A`: it is reported as
//! `facebook`, which changes nothing for the customer (the same Meta
//! webview, the same handoff). Crawlers such as `facebookexternalhit` carry
//! none of these tokens. To extend the table, add a row to [`TABLE`] and a
//! real user agent of the app to the tests (and one that must not match).
//!
//! The operating system: `Android` in the user agent is Android; `iPhone`,
//! `iPad` or `iPod` is iOS; anything else is `other`.

use serde::Serialize;

/// An app whose in-app browser the widget hands off from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum App {
    /// Instagram.
    Instagram,
    /// TikTok (whose app names itself `trill` in some regions).
    Tiktok,
    /// Facebook.
    Facebook,
    /// Messenger.
    Messenger,
}

impl App {
    /// The name shown to the customer.
    pub fn label(self) -> &'static str {
        match self {
            App::Instagram => "Instagram",
            App::Tiktok => "TikTok",
            App::Facebook => "Facebook",
            App::Messenger => "Messenger",
        }
    }
}

/// The device's operating system, as far as the handoff cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Os {
    /// Android: an `intent:` link opens the page in the default browser.
    Android,
    /// iOS and iPadOS: the customer copies the link, or uses the app's menu.
    Ios,
    /// Anything else: the customer copies the link.
    Other,
}

/// An in-app browser: which app, on which system. The `layers-status`
/// detail's `inAppBrowser` member (`{"app":"tiktok","os":"ios"}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct InAppBrowser {
    /// The app.
    pub app: App,
    /// Its system.
    pub os: Os,
}

/// The table: per app, the substrings that identify its webview.
const TABLE: &[(App, &[&str])] = &[
    (App::Messenger, &["FBAN/Messenger", "FB_IAB/MESSENGER", "FB_IAB/Orca-Android"]),
    (App::Instagram, &[]), // `Instagram <version>`: see `is_instagram`
    (App::Facebook, &["FBAN/", "FBAV/", "FB_IAB/", "MetaIAB Facebook"]),
    (App::Tiktok, &["musical_ly", "BytedanceWebview", "trill_"]),
];

/// The in-app browser `user_agent` names, if it is one of the four.
pub fn detect(user_agent: &str) -> Option<InAppBrowser> {
    let app = TABLE.iter().find_map(|&(app, tokens)| {
        let hit = match app {
            App::Instagram => is_instagram(user_agent),
            _ => tokens.iter().any(|t| find(user_agent, t).is_some()),
        };
        hit.then_some(app)
    })?;
    Some(InAppBrowser { app, os: os_of(user_agent) })
}

/// `Instagram 354.0.0.29.90`: the word, a space, a digit (a page or a
/// crawler that merely mentions Instagram does not match).
fn is_instagram(user_agent: &str) -> bool {
    let word = b"Instagram ";
    user_agent.as_bytes().windows(word.len() + 1).any(|w| w.starts_with(word) && w[word.len()].is_ascii_digit())
}

/// Where `needle` starts in `haystack`. Byte windows rather than
/// `str::contains`: core's substring searcher costs about 3 KB of wasm, and
/// user agents are a few hundred bytes.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w == needle.as_bytes())
}

fn os_of(user_agent: &str) -> Os {
    if find(user_agent, "Android").is_some() {
        Os::Android
    } else if ["iPhone", "iPad", "iPod"].iter().any(|d| find(user_agent, d).is_some()) {
        Os::Ios
    } else {
        Os::Other
    }
}

/// The `intent:` URL that opens `page` (an `http:` or `https:` address) in
/// Android's default browser: `intent://HOST/PATH?QUERY#Intent;scheme=https;end`.
/// `None` for anything else, so the widget never links to another scheme.
///
/// No `package=com.android.chrome`: that would force Chrome on a customer
/// whose default is Samsung Internet or Firefox, and fail where Chrome is
/// missing. Without a package, Android resolves an ordinary VIEW intent for
/// the https address, which is what the system's default browser handles.
/// No `S.browser_fallback_url` either: it is a Chrome extra that the
/// webviews do not honour, and its only effect here would be to reload this
/// same page in the same webview. The page's fragment is dropped: `#`
/// starts the intent's own part.
pub fn intent_url(page: &str) -> Option<String> {
    let at = find(page, "://")?;
    let scheme = page[..at].to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = &page[at + 3..];
    let rest = &rest[..rest.bytes().position(|b| b == b'#').unwrap_or(rest.len())];
    // A host is required: `https:///path` is no page.
    let host = rest.bytes().take_while(|&b| b != b'/' && b != b'?').count();
    if host == 0 || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some(format!("intent://{rest}#Intent;scheme={scheme};end"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real user agents: inapp-spy's corpus (see the module docs) and published
    // captures (Messenger on Android as `Orca-Android`).
    const INSTAGRAM_IOS: &[&str] = &[
        "Mozilla/5.0 (iPhone; CPU iPhone OS 10_2_1 like Mac OS X) AppleWebKit/602.4.6 (KHTML, like Gecko) Mobile/14D27 Instagram 10.21.0 (iPhone7,2; iOS 10_2_1; zh-Hant_JP; zh-Hant-JP; scale=2.00; gamut=normal; 750x1334)",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22B83 Instagram 354.0.0.29.90 (iPhone12,8; iOS 18_1; en_US; en; scale=2.00; 750x1334; 654111336; IABMV/1)",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22F76 Instagram 393.1.0.36.70 (iPhone15,3; iOS 18_5; en_US; en; scale=3.00; 1290x2796; IABMV/1; 776538208) Safari/604.1)",
    ];
    const INSTAGRAM_ANDROID: &[&str] = &[
        "Mozilla/5.0 (Linux; Android 6.0.1; D6653 Build/23.5.A.0.575; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/58.0.3029.83 Mobile Safari/537.36 Instagram 10.21.0 Android (23/6.0.1; 480dpi; 1080x1776; Sony; D6653; D6653; qcom; zh_TW)",
        "Mozilla/5.0 (Linux; Android 11; Mi A3 Build/RKQ1.200903.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.14 Mobile Safari/537.36 Instagram 355.0.0.37.103 Android (30/11; 320dpi; 720x1411; Xiaomi; Mi A3; laurel_sprout; qcom; pt_BR; 657300861)",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.58 Mobile Safari/537.36 Instagram 355.1.0.44.103 Android (34/14; 420dpi; 1080x2205; Google/google; Pixel 8; shiba; shiba; en_US; 658190016)",
    ];
    const TIKTOK_IOS: &[&str] = &[
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 BytedanceWebview/d8a21c6 musical_ly_33.2.1 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US FalconTag/BDB55B46-0286-4504-847E-C8300CB9F79D",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari/604.1 musical_ly_41.9.0",
    ];
    const TIKTOK_ANDROID: &[&str] = &[
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240105.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/121.0.6167.143 Mobile Safari/537.36 musical_ly_2023303040 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly app_version/33.3.4 ByteLocale/en ByteFullLocale/en Region/US AppId/1233 Spark/1.5.0.5-alpha.2 AppVersion/33.3.4 BytedanceWebview/d8a21c6",
    ];
    const FACEBOOK_IOS: &[&str] = &[
        "Mozilla/5.0 (iPhone; CPU iPhone OS 10_2_1 like Mac OS X) AppleWebKit/602.4.6 (KHTML, like Gecko) Mobile/14D27 [FBAN/FBIOS;FBAV/93.0.0.49.65;FBBV/58440824;FBDV/iPhone7,2;FBMD/iPhone;FBSN/iOS;FBSV/10.2.1;FBSS/2;FBCR/;FBID/phone;FBLC/zh_TW;FBOP/5;FBRV/0]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22B83 [FBAN/FBIOS;FBAV/488.0.0.68.101;FBBV/658219612;FBDV/iPhone12,8;FBMD/iPhone;FBSN/iOS;FBSV/18.1;FBSS/2;FBID/phone;FBLC/en_US;FBOP/5;FBRV/0;IABMV/1]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22G100 Safari/604.1 MetaIAB Facebook",
    ];
    const FACEBOOK_ANDROID: &[&str] = &[
        "Mozilla/5.0 (Linux; Android 6.0.1; D6653 Build/23.5.A.0.575; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/58.0.3029.83 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/124.0.0.22.66;]",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.83 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/488.0.0.62.79;IABMV/1;]",
    ];
    const MESSENGER_IOS: &[&str] = &[
        "Mozilla/5.0 (iPhone; CPU iPhone OS 10_2_1 like Mac OS X) AppleWebKit/602.4.6 (KHTML, like Gecko) Mobile/14D27 [FBAN/MessengerForiOS;FBAV/117.0.0.36.70;FBBV/57539258;FBDV/iPhone7,2;FBMD/iPhone;FBSN/iOS;FBSV/10.2.1;FBSS/2;FBCR/;FBID/phone;FBLC/zh_TW;FBOP/5;FBRV/0]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_2 like Mac OS X) AppleWebKit/603.2.4 (KHTML, like Gecko) Mobile/14F89 [FBAN/MessengerForiOS;FBAV/129.0.0.44.91;FBBV/66845013;FBDV/iPhone9,1;FBMD/iPhone;FBSN/iOS;FBSV/10.3.2;FBSS/2;FBCR/Carrier;FBID/phone;FBLC/en_US;FBOP/5;FBRV/0]",
    ];
    const MESSENGER_ANDROID: &[&str] = &[
        "Mozilla/5.0 (Linux; Android 6.0.1; SM-N9208 Build/MMB29K; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/58.0.3029.83 Mobile Safari/537.36 [FB_IAB/MESSENGER;FBAV/118.0.0.19.82;]",
        "Mozilla/5.0 (Linux; Android 7.0; SM-G950F Build/NRD90M; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/65.0.3325.109 Mobile Safari/537.36 [FB_IAB/Orca-Android;FBAV/157.0.0.21.89;]",
        "Mozilla/5.0 (Linux; Android 12; RMX2111 Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/108.0.5359.128 Mobile Safari/537.36 [FB_IAB/Orca-Android;FBAV/390.2.0.29.103;]",
    ];
    /// Ordinary browsers, webviews of other apps, and crawlers: no handoff.
    const NOT_IN_APP: &[&str] = &[
        // Chrome, Edge, Firefox, Safari on desktops.
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        // Headless Chromium, as the e2e suite runs it.
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
        // Mobile Safari, Chrome, Firefox, Edge on iOS.
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 10_2_1 like Mac OS X) AppleWebKit/602.1.50 (KHTML, like Gecko) CriOS/58.0.3029.113 Mobile/14D27 Safari/602.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/130.1  Mobile/15E148 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) EdgiOS/128.0.2739.82 Version/18.0 Mobile/15E148 Safari/604.1",
        // Chrome, Samsung Internet, Firefox on Android.
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
        // Other apps' webviews: not ours to hand off from.
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.58 Mobile Safari/537.36 Barcelona 355.0.0.39.109 Android (34/14; 420dpi; 1080x2205; Google/google; Pixel 8; shiba; shiba; en_US; 657318936)",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Mobile/15E148 Snapchat/12.72.0.39 (like Safari/8617.2.4.10.8, panda)",
        // WeChat: "MicroMessenger" is not Messenger.
        "Mozilla/5.0 (iPhone; CPU iPhone OS 10_2_1 like Mac OS X) AppleWebKit/602.4.6 (KHTML, like Gecko) Mobile/14D27 MicroMessenger/6.5.8 NetType/WIFI Language/zh_CN",
        // Meta's crawler, and a UA that merely mentions Instagram.
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; InstagramBot/1.0; Instagram preview)",
        "",
    ];

    fn check(corpus: &[&str], app: App, os: Os) {
        for ua in corpus {
            assert_eq!(detect(ua), Some(InAppBrowser { app, os }), "{ua}");
        }
    }

    #[test]
    fn each_app_is_recognised_on_android_and_ios() {
        check(INSTAGRAM_IOS, App::Instagram, Os::Ios);
        check(INSTAGRAM_ANDROID, App::Instagram, Os::Android);
        check(TIKTOK_IOS, App::Tiktok, Os::Ios);
        check(TIKTOK_ANDROID, App::Tiktok, Os::Android);
        check(FACEBOOK_IOS, App::Facebook, Os::Ios);
        check(FACEBOOK_ANDROID, App::Facebook, Os::Android);
        check(MESSENGER_IOS, App::Messenger, Os::Ios);
        check(MESSENGER_ANDROID, App::Messenger, Os::Android);
    }

    #[test]
    fn ordinary_browsers_other_webviews_and_crawlers_are_not_in_app() {
        for ua in NOT_IN_APP {
            assert_eq!(detect(ua), None, "{ua}");
        }
    }

    #[test]
    fn an_app_on_neither_system_is_other() {
        // Constructed: the system rule alone.
        let desktop = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) [FBAN/FBIOS;FBAV/488.0]";
        assert_eq!(detect(desktop), Some(InAppBrowser { app: App::Facebook, os: Os::Other }));
    }

    #[test]
    fn the_status_detail_spells_app_and_os_in_snake_case() {
        let b = InAppBrowser { app: App::Messenger, os: Os::Ios };
        assert_eq!(serde_json::to_string(&b).unwrap(), r#"{"app":"messenger","os":"ios"}"#);
    }

    #[test]
    fn the_intent_url_reopens_this_very_page() {
        assert_eq!(
            intent_url("https://partner.example/onboarding/connect?ref=bio&x=1#step-2").as_deref(),
            Some("intent://partner.example/onboarding/connect?ref=bio&x=1#Intent;scheme=https;end")
        );
        assert_eq!(
            intent_url("http://127.0.0.1:4173/demo/").as_deref(),
            Some("intent://127.0.0.1:4173/demo/#Intent;scheme=http;end")
        );
        assert_eq!(intent_url("HTTPS://Partner.example").as_deref(), Some("intent://Partner.example#Intent;scheme=https;end"));
        assert_eq!(intent_url("https://p.example?q=1").as_deref(), Some("intent://p.example?q=1#Intent;scheme=https;end"));
    }

    #[test]
    fn the_intent_url_is_only_ever_built_for_an_http_page() {
        for page in [
            "javascript:alert(1)//https://x",
            "file:///sdcard/page.html",
            "intent://evil#Intent;scheme=https;end",
            "data:text/html,<p>hi</p>",
            "blob:https://partner.example/uuid",
            "about:blank",
            "https:///no-host",
            "https://",
            "https://partner.example/a b",
            "https://partner.example/\n",
            "partner.example/connect",
            "",
        ] {
            assert_eq!(intent_url(page), None, "{page:?}");
        }
    }
}
