//! What the kit expects of a proxy's outcome stream
//! (`GET {base}/social/oauth-events/{state}`, docs/proxy.md): pure judges
//! of what the kit read, so each can be shown to fail on a bad answer.
//!
//! The stream is optional: a proxy that answers every stream with a 4xx
//! leaves the widget polling, and the kit then skips the wire rule. What is
//! never optional is the binding: a stream is an answer about a state, so it
//! is refused to every browser but the one that minted it, as the poll is.

use reqwest::header::{HeaderMap, CONTENT_TYPE, SET_COOKIE};

/// How a stream answer to a browser that did not mint the state must look:
/// a refusal (any 4xx but 429, which says "later" rather than "not yours"),
/// and not a byte of an event stream.
pub(crate) fn refused_to_a_stranger(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), String> {
    if !(400..500).contains(&status) || status == 429 {
        return Err(format!(
            "answered {status}{}",
            first_event(body).map_or(String::new(), |e| format!(" and sent `event: {e}`"))
        ));
    }
    if is_event_stream(headers) {
        return Err(format!("answered {status} as text/event-stream"));
    }
    Ok(())
}

/// Whether the minting browser's answer is a stream at all: a 4xx means the
/// proxy serves none (the widget polls), which is allowed.
pub(crate) fn serves_a_stream(status: u16) -> bool {
    !(400..500).contains(&status)
}

/// The minting browser's stream: `200 text/event-stream`, no cookie set, and
/// `ready` as its first event.
pub(crate) fn well_formed(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
    if status != 200 {
        return Err(format!(
            "the minting session's stream answered {status}, not 200"
        ));
    }
    if !is_event_stream(headers) {
        let kind = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no Content-Type");
        return Err(format!(
            "the stream's Content-Type is {kind}, not text/event-stream"
        ));
    }
    if headers.contains_key(SET_COOKIE) {
        return Err("the stream sets a cookie (the state's cookie is the poll route's)".to_owned());
    }
    match first_event(body) {
        Some("ready") => Ok(()),
        Some(other) => Err(format!(
            "the stream's first event is `{other}`, not `ready`"
        )),
        None => Err(format!(
            "no complete event within {} s",
            super::client::STREAM_WAIT.as_secs()
        )),
    }
}

fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("text/event-stream"))
}

/// The type of the first complete event of an SSE body (`message` when it
/// names none), skipping comment lines (`: heartbeat`). `None` until an event
/// with a field has ended at its blank line.
pub(crate) fn first_event(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    // What follows the last `\n` is a line still on its way: not judged.
    let (complete, _partial) = text.rsplit_once('\n')?;
    let mut name = None;
    let mut has_field = false;
    for line in complete
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
    {
        if line.is_empty() {
            if has_field {
                return Some(name.unwrap_or("message"));
            }
        } else if !line.starts_with(':') {
            has_field = true;
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            if field == "event" {
                name = Some(value.strip_prefix(' ').unwrap_or(value));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    const SSE: &[(&str, &str)] = &[
        ("content-type", "text/event-stream"),
        ("cache-control", "no-store"),
    ];

    #[test]
    fn the_first_event_skips_comments_and_needs_its_blank_line() {
        assert_eq!(first_event(b"event: ready\ndata: {}\n\n"), Some("ready"));
        assert_eq!(
            first_event(b": heartbeat\n\nevent: nudge\r\ndata: {}\r\n\r\n"),
            Some("nudge")
        );
        assert_eq!(first_event(b"data: {}\n\n"), Some("message"));
        assert_eq!(first_event(b"event:ready\n\n"), Some("ready"));
        assert_eq!(
            first_event(b"event: ready\ndata: {}\n"),
            None,
            "not dispatched yet"
        );
        assert_eq!(first_event(b"event: rea"), None);
        assert_eq!(first_event(b": heartbeat\n\n"), None);
        assert_eq!(first_event(b""), None);
        assert_eq!(first_event(&[0xff, b'\n', b'\n']), None);
    }

    #[test]
    fn a_stream_shown_to_a_stranger_fails_the_binding() {
        let stream = first_event(b"event: ready\ndata: {}\n\n");
        assert_eq!(stream, Some("ready"));
        let leaked = refused_to_a_stranger(200, &headers(SSE), b"event: ready\ndata: {}\n\n");
        assert_eq!(leaked.unwrap_err(), "answered 200 and sent `event: ready`");
        assert!(
            refused_to_a_stranger(404, &headers(SSE), b"").is_err(),
            "a 404 that is a stream"
        );
        assert!(
            refused_to_a_stranger(429, &headers(&[]), b"").is_err(),
            "429 is not a refusal"
        );
        assert!(refused_to_a_stranger(302, &headers(&[]), b"").is_err());
        let envelope = br#"{"error":{"code":"NOT_FOUND"}}"#;
        assert_eq!(
            refused_to_a_stranger(
                404,
                &headers(&[("content-type", "application/json")]),
                envelope
            ),
            Ok(())
        );
        assert_eq!(
            refused_to_a_stranger(405, &headers(&[]), b""),
            Ok(()),
            "no stream route at all"
        );
    }

    #[test]
    fn the_minting_session_gets_ready_first_without_a_cookie() {
        let ready = b"event: ready\ndata: {}\n\n";
        assert_eq!(well_formed(200, &headers(SSE), ready), Ok(()));
        let charset = headers(&[("content-type", "text/event-stream; charset=utf-8")]);
        assert_eq!(well_formed(200, &charset, ready), Ok(()));

        let json = headers(&[("content-type", "application/json")]);
        assert!(well_formed(200, &json, ready)
            .unwrap_err()
            .contains("application/json"));
        let mut cookie = headers(SSE);
        cookie.insert(SET_COOKIE, HeaderValue::from_static("lc_st=x"));
        assert!(well_formed(200, &cookie, ready)
            .unwrap_err()
            .contains("cookie"));
        let nudge = b"event: nudge\ndata: {}\n\n";
        assert!(well_formed(200, &headers(SSE), nudge)
            .unwrap_err()
            .contains("`nudge`"));
        assert!(well_formed(200, &headers(SSE), b": heartbeat\n\n")
            .unwrap_err()
            .contains("no complete event"));
        assert!(well_formed(204, &headers(SSE), ready).is_err());
    }

    #[test]
    fn a_4xx_to_the_minting_session_means_no_stream() {
        assert!(!serves_a_stream(404));
        assert!(!serves_a_stream(405));
        assert!(serves_a_stream(200));
        assert!(
            serves_a_stream(503),
            "a stream cap reached is a stream, judged as one"
        );
    }
}
