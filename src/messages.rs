//! Every string the widget shows, in English, Spanish, French, German and
//! Japanese. Integrators override any of them per instance.
//!
//! Templates use `{name}` placeholders, filled in when shown: `{platform}`,
//! `{handle}`, `{time}`, `{scope}`, `{code}`, `{message}`, `{app}`.

use std::borrow::Cow;
#[cfg(any(all(browser, feature = "csr"), test, feature = "fuzzing"))]
use crate::json::{Json, Mismatch};

macro_rules! messages {
    ($( $(#[doc = $doc:literal])* $key:ident ),* $(,)?) => {
        /// The widget's strings in one language.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Messages {
            $( $(#[doc = $doc])* pub $key: Cow<'static, str>, )*
        }

        /// A partial set of strings that replaces some of a [`Messages`];
        /// the custom element's `messages` property decodes into this.
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct Overrides {
            $( $(#[doc = $doc])* pub $key: Option<String>, )*
        }

        impl Overrides {
            /// Reads a `messages` object, whose names are the camelCase
            /// spellings of the fields (`tryAgain`). Returns the overrides
            /// and the names it ignored, unknown or not mapped to a string,
            /// so the element can say which; `null` values are skipped.
            #[cfg(any(all(browser, feature = "csr"), test, feature = "fuzzing"))]
            pub(crate) fn read<J: Json>(v: &J) -> Result<(Self, Vec<String>), Mismatch> {
                let mut overrides = Overrides::default();
                let mut ignored = Vec::new();
                for name in v.names().ok_or(Mismatch)? {
                    let Some(index) = NAMES.iter().position(|key| is_camel_of(key, &name)) else {
                        ignored.push(name);
                        continue;
                    };
                    match v.member(&name).map(|v| v.string()) {
                        None => {}
                        Some(Some(text)) => *overrides.slots()[index] = Some(text),
                        Some(None) => ignored.push(name),
                    }
                }
                Ok((overrides, ignored))
            }

            /// Every field, in [`NAMES`] order.
            #[cfg(any(all(browser, feature = "csr"), test, feature = "fuzzing"))]
            fn slots(&mut self) -> [&mut Option<String>; COUNT] {
                [$( &mut self.$key, )*]
            }
        }

        /// The field names, in declaration order. The per-field work
        /// (`read`, `with`, `for_lang`) loops over this order instead of
        /// being expanded once per field: 32 copies of the same few
        /// instructions were some 5 KB of the shipped wasm (docs/size.md).
        #[cfg(any(all(browser, feature = "csr"), test, feature = "fuzzing"))]
        const NAMES: [&str; COUNT] = [$( stringify!($key), )*];
        const COUNT: usize = [$( stringify!($key), )*].len();

        /// One language's strings, as data: one `static` per language, and
        /// one function that turns any of them into [`Messages`].
        struct Texts {
            $( $key: &'static str, )*
        }

        impl Texts {
            fn messages(&'static self) -> Messages {
                Messages { $( $key: Cow::Borrowed(self.$key), )* }
            }
        }

        impl Messages {
            /// Replaces the strings `overrides` names, keeping the others.
            pub fn with(mut self, overrides: &Overrides) -> Self {
                let values = [$( &overrides.$key, )*];
                for (slot, value) in self.slots().into_iter().zip(values) {
                    if let Some(v) = value {
                        *slot = Cow::Owned(v.clone());
                    }
                }
                self
            }

            /// Every field, in declaration order.
            fn slots(&mut self) -> [&mut Cow<'static, str>; COUNT] {
                [$( &mut self.$key, )*]
            }
        }
    };
}

messages! {
    /// Button per platform: "Connect {platform}".
    connect,
    /// Progress while the URL is minted: "Opening {platform}…".
    opening,
    /// Progress while the customer consents.
    waiting,
    /// Time left before the link expires: "{time}".
    time_left,
    /// After the customer came back, before the poll confirms.
    finishing,
    /// Link shown when the browser blocked the new tab: "Continue to {platform}".
    continue_to,
    /// Why the link is shown.
    tab_blocked,
    /// Cancel button.
    cancel,
    /// Retry button after a failure or expiry.
    try_again,
    /// Button to connect one more account after a success.
    connect_another,
    /// Success: "Connected as @{handle}".
    connected,
    /// Success when the answer has no handle: "Connected".
    connected_no_handle,
    /// The attempt was cancelled.
    cancelled,
    /// The ten-minute link expired before the customer finished.
    expired,
    /// The customer declined on the platform (`platform_denied`).
    platform_denied,
    /// `state_expired`: the platform round trip finished too late.
    state_expired,
    /// `missing_code` and `platform_mismatch`: a glitch a retry usually fixes.
    platform_glitch,
    /// `exchange_failed`: the platform's side failed.
    exchange_failed,
    /// `persistence_error`: Layers' side failed.
    persistence_error,
    /// Any failure code this version does not know: "{code}" is kept.
    failed_generic,
    /// Minting or polling was refused by configuration (integrator's problem).
    setup_error,
    /// 503 KILL_SWITCH: "{scope}" is key, organization or global.
    unavailable,
    /// Polling paused while the browser is offline.
    offline,
    /// The connection to the proxy is failing; retrying.
    retrying,
    /// In an in-app browser: why the buttons are not shown; "{app}" is
    /// Instagram, TikTok, Facebook or Messenger.
    in_app,
    /// Android, in an in-app browser: the link that opens this page in the
    /// default browser.
    open_in_browser,
    /// iOS, in Instagram's, Facebook's or Messenger's browser: how to leave it.
    in_app_steps,
    /// iOS, in TikTok's browser: how to leave it (its menu item differs).
    in_app_steps_tiktok,
    /// In an in-app browser: the button that copies this page's link.
    copy_link,
    /// The link was copied.
    link_copied,
    /// The browser refused to copy: the link is shown to copy by hand.
    copy_failed,
    /// In an in-app browser: show the buttons anyway.
    try_here,
}

/// Whether `camel` (`tryAgain`) is the camelCase spelling of `snake` (`try_again`).
#[cfg(any(all(browser, feature = "csr"), test, feature = "fuzzing"))]
fn is_camel_of(snake: &str, camel: &str) -> bool {
    let mut camel = camel.chars();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
            continue;
        }
        let want = if upper { c.to_ascii_uppercase() } else { c };
        upper = false;
        if camel.next() != Some(want) {
            return false;
        }
    }
    camel.next().is_none()
}

static EN: Texts = Texts {
    connect: "Connect {platform}",
    opening: "Opening {platform}…",
    waiting: "Finish connecting in the {platform} tab.",
    time_left: "Link expires in {time}",
    finishing: "Finishing…",
    continue_to: "Continue to {platform}",
    tab_blocked: "Your browser blocked the new tab.",
    cancel: "Cancel",
    try_again: "Try again",
    connect_another: "Connect another account",
    connected: "Connected as @{handle}",
    connected_no_handle: "Connected.",
    cancelled: "Connection cancelled.",
    expired: "The link expired before you finished. Try again for a new one.",
    platform_denied: "You didn't give access on {platform}, so nothing was connected.",
    state_expired: "That took too long and the link expired. Try again for a new one.",
    platform_glitch: "{platform} sent you back without finishing. Please try again.",
    exchange_failed: "{platform} couldn't complete the connection. Please try again in a few minutes.",
    persistence_error: "We couldn't save the connection. Please try again; if it keeps happening, contact support.",
    failed_generic: "The connection failed ({code}). Please try again.",
    setup_error: "Connecting accounts isn't set up correctly: {message}",
    unavailable: "Connecting accounts is unavailable right now ({scope}).",
    offline: "You're offline. We'll check again when you're back online.",
    retrying: "Having trouble reaching the server. Retrying…",
    in_app: "Accounts can't be connected inside {app}. Open this page in your browser to continue.",
    open_in_browser: "Open in browser",
    in_app_steps: "Tap ••• at the top right, then “Open in external browser”.",
    in_app_steps_tiktok: "Tap ••• at the top right, then “Open in browser”.",
    copy_link: "Copy link",
    link_copied: "Link copied. Paste it into your browser.",
    copy_failed: "The link couldn't be copied. Press and hold it to copy it:",
    try_here: "Try here anyway",
};

static ES: Texts = Texts {
    connect: "Conectar {platform}",
    opening: "Abriendo {platform}…",
    waiting: "Termina la conexión en la pestaña de {platform}.",
    time_left: "El enlace caduca en {time}",
    finishing: "Finalizando…",
    continue_to: "Continuar a {platform}",
    tab_blocked: "Tu navegador bloqueó la nueva pestaña.",
    cancel: "Cancelar",
    try_again: "Reintentar",
    connect_another: "Conectar otra cuenta",
    connected: "Conectado como @{handle}",
    connected_no_handle: "Cuenta conectada.",
    cancelled: "Conexión cancelada.",
    expired: "El enlace caducó antes de que terminaras. Reinténtalo para obtener uno nuevo.",
    platform_denied: "No diste acceso en {platform}, así que no se conectó nada.",
    state_expired: "Tardó demasiado y el enlace caducó. Reinténtalo para obtener uno nuevo.",
    platform_glitch: "{platform} te devolvió sin terminar. Inténtalo de nuevo.",
    exchange_failed: "{platform} no pudo completar la conexión. Inténtalo de nuevo en unos minutos.",
    persistence_error: "No pudimos guardar la conexión. Inténtalo de nuevo; si sigue ocurriendo, contacta con soporte.",
    failed_generic: "La conexión falló ({code}). Inténtalo de nuevo.",
    setup_error: "La conexión de cuentas no está bien configurada: {message}",
    unavailable: "La conexión de cuentas no está disponible ahora ({scope}).",
    offline: "Estás sin conexión. Volveremos a comprobarlo cuando vuelvas.",
    retrying: "Problemas para contactar con el servidor. Reintentando…",
    in_app: "No se pueden conectar cuentas dentro de {app}. Abre esta página en tu navegador para continuar.",
    open_in_browser: "Abrir en el navegador",
    in_app_steps: "Toca ••• arriba a la derecha y luego “Abrir en el navegador externo”.",
    in_app_steps_tiktok: "Toca ••• arriba a la derecha y luego “Abrir en el navegador”.",
    copy_link: "Copiar enlace",
    link_copied: "Enlace copiado. Pégalo en tu navegador.",
    copy_failed: "No se pudo copiar el enlace. Mantenlo pulsado para copiarlo:",
    try_here: "Intentarlo aquí de todos modos",
};

static FR: Texts = Texts {
    connect: "Connecter {platform}",
    opening: "Ouverture de {platform}…",
    waiting: "Terminez la connexion dans l’onglet {platform}.",
    time_left: "Le lien expire dans {time}",
    finishing: "Finalisation…",
    continue_to: "Continuer vers {platform}",
    tab_blocked: "Votre navigateur a bloqué le nouvel onglet.",
    cancel: "Annuler",
    try_again: "Réessayer",
    connect_another: "Connecter un autre compte",
    connected: "Connecté en tant que @{handle}",
    connected_no_handle: "Compte connecté.",
    cancelled: "Connexion annulée.",
    expired: "Le lien a expiré avant la fin. Réessayez pour en obtenir un nouveau.",
    platform_denied: "Vous n’avez pas donné l’accès sur {platform} : rien n’a été connecté.",
    state_expired: "C’était trop long et le lien a expiré. Réessayez pour en obtenir un nouveau.",
    platform_glitch: "{platform} vous a renvoyé sans terminer. Veuillez réessayer.",
    exchange_failed: "{platform} n’a pas pu finaliser la connexion. Réessayez dans quelques minutes.",
    persistence_error: "Impossible d’enregistrer la connexion. Réessayez ; si cela persiste, contactez le support.",
    failed_generic: "La connexion a échoué ({code}). Veuillez réessayer.",
    setup_error: "La connexion des comptes est mal configurée : {message}",
    unavailable: "La connexion des comptes est indisponible pour le moment ({scope}).",
    offline: "Vous êtes hors ligne. Nous vérifierons à votre retour en ligne.",
    retrying: "Le serveur est difficile à joindre. Nouvel essai…",
    in_app: "Impossible de connecter un compte dans {app}. Ouvrez cette page dans votre navigateur pour continuer.",
    open_in_browser: "Ouvrir dans le navigateur",
    in_app_steps: "Touchez ••• en haut à droite, puis « Ouvrir dans le navigateur externe ».",
    in_app_steps_tiktok: "Touchez ••• en haut à droite, puis « Ouvrir dans le navigateur ».",
    copy_link: "Copier le lien",
    link_copied: "Lien copié. Collez-le dans votre navigateur.",
    copy_failed: "Impossible de copier le lien. Appuyez longuement dessus pour le copier :",
    try_here: "Essayer ici quand même",
};

static DE: Texts = Texts {
    connect: "{platform} verbinden",
    opening: "{platform} wird geöffnet…",
    waiting: "Schließe die Verbindung im {platform}-Tab ab.",
    time_left: "Link läuft ab in {time}",
    finishing: "Wird abgeschlossen…",
    continue_to: "Weiter zu {platform}",
    tab_blocked: "Dein Browser hat den neuen Tab blockiert.",
    cancel: "Abbrechen",
    try_again: "Erneut versuchen",
    connect_another: "Weiteres Konto verbinden",
    connected: "Verbunden als @{handle}",
    connected_no_handle: "Konto verbunden.",
    cancelled: "Verbindung abgebrochen.",
    expired: "Der Link ist abgelaufen, bevor du fertig warst. Versuche es erneut, um einen neuen zu erhalten.",
    platform_denied: "Du hast auf {platform} keinen Zugriff gewährt, daher wurde nichts verbunden.",
    state_expired: "Das hat zu lange gedauert und der Link ist abgelaufen. Versuche es erneut.",
    platform_glitch: "{platform} hat dich ohne Abschluss zurückgeschickt. Bitte versuche es erneut.",
    exchange_failed: "{platform} konnte die Verbindung nicht abschließen. Versuche es in ein paar Minuten erneut.",
    persistence_error: "Die Verbindung konnte nicht gespeichert werden. Versuche es erneut; wenn es weiter passiert, wende dich an den Support.",
    failed_generic: "Die Verbindung ist fehlgeschlagen ({code}). Bitte versuche es erneut.",
    setup_error: "Das Verbinden von Konten ist nicht richtig eingerichtet: {message}",
    unavailable: "Das Verbinden von Konten ist gerade nicht verfügbar ({scope}).",
    offline: "Du bist offline. Wir prüfen erneut, sobald du wieder online bist.",
    retrying: "Der Server ist schwer erreichbar. Neuer Versuch…",
    in_app: "In {app} lassen sich keine Konten verbinden. Öffne diese Seite in deinem Browser, um fortzufahren.",
    open_in_browser: "Im Browser öffnen",
    in_app_steps: "Tippe oben rechts auf ••• und dann auf „In externem Browser öffnen“.",
    in_app_steps_tiktok: "Tippe oben rechts auf ••• und dann auf „Im Browser öffnen“.",
    copy_link: "Link kopieren",
    link_copied: "Link kopiert. Füge ihn in deinem Browser ein.",
    copy_failed: "Der Link konnte nicht kopiert werden. Halte ihn gedrückt, um ihn zu kopieren:",
    try_here: "Trotzdem hier versuchen",
};

static JA: Texts = Texts {
    connect: "{platform} を連携",
    opening: "{platform} を開いています…",
    waiting: "{platform} のタブで連携を完了してください。",
    time_left: "リンクの有効期限まで {time}",
    finishing: "完了しています…",
    continue_to: "{platform} へ進む",
    tab_blocked: "ブラウザが新しいタブをブロックしました。",
    cancel: "キャンセル",
    try_again: "もう一度試す",
    connect_another: "別のアカウントを連携",
    connected: "@{handle} として連携しました",
    connected_no_handle: "連携しました",
    cancelled: "連携をキャンセルしました。",
    expired: "完了前にリンクの有効期限が切れました。もう一度お試しください。",
    platform_denied: "{platform} でアクセスが許可されなかったため、連携されませんでした。",
    state_expired: "時間がかかりすぎたため、リンクの有効期限が切れました。もう一度お試しください。",
    platform_glitch: "{platform} から完了前に戻されました。もう一度お試しください。",
    exchange_failed: "{platform} で連携を完了できませんでした。数分後にもう一度お試しください。",
    persistence_error: "連携を保存できませんでした。もう一度お試しください。続く場合はサポートにお問い合わせください。",
    failed_generic: "連携に失敗しました（{code}）。もう一度お試しください。",
    setup_error: "アカウント連携の設定に問題があります: {message}",
    unavailable: "現在アカウント連携はご利用いただけません（{scope}）。",
    offline: "オフラインです。オンラインに戻ったら再確認します。",
    retrying: "サーバーに接続できません。再試行しています…",
    in_app: "{app} のアプリ内ではアカウントを連携できません。ブラウザでこのページを開いてください。",
    open_in_browser: "ブラウザで開く",
    in_app_steps: "右上の ••• をタップし、「外部ブラウザで開く」を選んでください。",
    in_app_steps_tiktok: "右上の ••• をタップし、「ブラウザで開く」を選んでください。",
    copy_link: "リンクをコピー",
    link_copied: "リンクをコピーしました。ブラウザに貼り付けてください。",
    copy_failed: "リンクをコピーできませんでした。長押ししてコピーしてください：",
    try_here: "このまま試す",
};

/// The languages shipped, as BCP 47 primary subtags.
pub(crate) const LANGUAGES: &[&str] = &["en", "es", "fr", "de", "ja"];

/// The shipped language `tag` names (`es-MX` is `es`), if any.
fn shipped(tag: &str) -> Option<&'static str> {
    let primary = tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    LANGUAGES.iter().copied().find(|l| *l == primary)
}

impl Messages {
    /// The strings for a BCP 47 tag (`es`, `es-MX`, `ja-JP`…); English when the
    /// language is not shipped.
    pub fn for_lang(tag: &str) -> Self {
        match shipped(tag) {
            Some("es") => &ES,
            Some("fr") => &FR,
            Some("de") => &DE,
            Some("ja") => &JA,
            _ => &EN,
        }
        .messages()
    }
}

view_only! {
    /// The element's language: the nearest `lang` that names a shipped
    /// language, from the element itself up to the document element
    /// (nearest first, as `js/element.js` walks them), then the first shipped one of the
    /// browser's preferences (`navigator.languages`), then English. An
    /// unshipped `lang="pt"` on the element does not hide `lang="fr"` on the
    /// page, and `lang=""` (which means "unknown") is skipped like any other.
    pub(crate) fn choose_language<'a>(
        lang_attributes: impl IntoIterator<Item = &'a str>,
        navigator_languages: impl IntoIterator<Item = &'a str>,
    ) -> &'static str {
        lang_attributes.into_iter().chain(navigator_languages).find_map(shipped).unwrap_or("en")
    }

}

/// Replaces each `{name}` in `template` with its value; unknown placeholders
/// stay as written so a typo in an override is visible, not silently empty.
#[cfg(any(feature = "csr", feature = "hydrate", feature = "ssr", test, feature = "fuzzing"))]
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<(&'static str, Messages)> {
        LANGUAGES.iter().map(|l| (*l, Messages::for_lang(l))).collect()
    }

    #[test]
    fn regional_tags_pick_their_language_and_unknown_ones_fall_back_to_english() {
        assert_eq!(Messages::for_lang("es-MX").connect, "Conectar {platform}");
        assert_eq!(Messages::for_lang("JA_jp").connected, "@{handle} として連携しました");
        assert_eq!(Messages::for_lang("pt-BR"), Messages::for_lang("en"));
        assert_eq!(Messages::for_lang(""), Messages::for_lang("en"));
        assert_eq!((shipped("fr-CA"), shipped("pt")), (Some("fr"), None));
    }

    #[test]
    fn the_nearest_shipped_language_wins() {
        let none: [&str; 0] = [];
        // The bug this fixes: an unshipped language on the element hid the page's.
        assert_eq!(choose_language(["pt", "fr"], ["en-US"]), "fr");
        // The nearest shipped one, not the farthest.
        assert_eq!(choose_language(["de-AT", "ja", "fr"], none), "de");
        // `lang=""` means unknown: skipped.
        assert_eq!(choose_language(["", "es-MX"], none), "es");
        // Nothing shipped on the page: the browser's first shipped preference.
        assert_eq!(choose_language(["pt"], ["pt-BR", "ja-JP", "fr"]), "ja");
        // Nothing shipped anywhere, or nothing at all: English.
        assert_eq!(choose_language(["pt", "zh"], ["ko"]), "en");
        assert_eq!(choose_language(none, none), "en");
    }

    #[test]
    fn every_language_keeps_the_placeholders_the_view_fills() {
        for (lang, m) in all() {
            for (key, text, needs) in [
                ("connect", &m.connect, "{platform}"),
                ("continue_to", &m.continue_to, "{platform}"),
                ("connected", &m.connected, "{handle}"),
                ("time_left", &m.time_left, "{time}"),
                ("failed_generic", &m.failed_generic, "{code}"),
                ("unavailable", &m.unavailable, "{scope}"),
                ("setup_error", &m.setup_error, "{message}"),
                ("in_app", &m.in_app, "{app}"),
            ] {
                assert!(text.contains(needs), "{lang}.{key} lost {needs}: {text}");
            }
        }
    }

    #[test]
    fn languages_are_translated_not_copied() {
        let en = Messages::for_lang("en");
        for (lang, m) in all().into_iter().skip(1) {
            assert_ne!(m.connect, en.connect, "{lang}");
            assert_ne!(m.platform_denied, en.platform_denied, "{lang}");
            for (key, text, english) in [
                ("in_app", &m.in_app, &en.in_app),
                ("open_in_browser", &m.open_in_browser, &en.open_in_browser),
                ("in_app_steps", &m.in_app_steps, &en.in_app_steps),
                ("in_app_steps_tiktok", &m.in_app_steps_tiktok, &en.in_app_steps_tiktok),
                ("copy_link", &m.copy_link, &en.copy_link),
                ("link_copied", &m.link_copied, &en.link_copied),
                ("copy_failed", &m.copy_failed, &en.copy_failed),
                ("try_here", &m.try_here, &en.try_here),
            ] {
                assert_ne!(text, english, "{lang}.{key}");
            }
        }
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let value = serde_json::json!({"connect": "Link {platform}", "tryAgain": "Again", "cancel": null});
        let (o, ignored) = Overrides::read(&value).unwrap();
        assert!(ignored.is_empty(), "{ignored:?}");
        let m = Messages::for_lang("en").with(&o);
        assert_eq!(m.connect, "Link {platform}");
        assert_eq!(m.try_again, "Again");
        assert_eq!(m.cancel, "Cancel");
    }

    #[test]
    fn overrides_name_what_they_ignore() {
        let value = serde_json::json!({"conect": "typo", "try_again": "snake", "cancel": 3, "retrying": "ok", "connectAnother": "More"});
        let (o, mut ignored) = Overrides::read(&value).unwrap();
        ignored.sort();
        assert_eq!(ignored, ["cancel", "conect", "try_again"]);
        assert_eq!((o.retrying.as_deref(), o.connect_another.as_deref()), (Some("ok"), Some("More")));
        assert_eq!(o.cancel, None);
        assert_eq!(Overrides::read(&serde_json::json!(["connect"])), Err(Mismatch));
    }

    #[test]
    fn camel_case_spellings() {
        assert!(is_camel_of("connect_another", "connectAnother"));
        assert!(is_camel_of("connect", "connect"));
        assert!(!is_camel_of("connect_another", "connect_another"));
        assert!(!is_camel_of("connect_another", "connectAnotherX"));
        assert!(!is_camel_of("connect", "conn"));
    }

    #[test]
    fn fill_replaces_known_placeholders_and_keeps_unknown_ones_visible() {
        assert_eq!(fill("Connect {platform}", &[("platform", "TikTok")]), "Connect TikTok");
        assert_eq!(fill("{a}-{b}-{a}", &[("a", "1"), ("b", "2")]), "1-2-1");
        assert_eq!(fill("Hi {nme}", &[("name", "x")]), "Hi {nme}");
        assert_eq!(fill("broken {brace", &[]), "broken {brace");
        assert_eq!(fill("", &[]), "");
    }
}
