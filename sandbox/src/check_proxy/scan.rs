//! Checks over every answer the kit collected (sans-IO): each returns the
//! findings, one per offending answer, empty when the rule holds.

use serde_json::Value;

use super::client::Exchange;

/// Headers any HTTP stack sets itself; a proxy sending them proves nothing.
const GENERIC_HEADERS: [&str; 11] = [
    "content-type",
    "content-length",
    "date",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "vary",
    "cache-control",
    // The two a proxy is meant to copy from Layers.
    "retry-after",
    "x-request-id",
    "server",
];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Answers whose headers or body contain one of `secrets`. The finding names
/// where, never the secret itself (the report may be pasted into a ticket).
pub(crate) fn key_leaks<'a>(
    exchanges: impl IntoIterator<Item = &'a Exchange>,
    secrets: &[String],
) -> Vec<String> {
    let mut findings = Vec::new();
    for exchange in exchanges {
        for secret in secrets {
            let secret = secret.as_bytes();
            for (name, value) in &exchange.headers {
                if contains(value, secret) {
                    findings.push(format!(
                        "{} ({}): the key is in header {name}",
                        exchange.request, exchange.status
                    ));
                }
            }
            if contains(&exchange.body, secret) {
                findings.push(format!(
                    "{} ({}): the key is in the body",
                    exchange.request, exchange.status
                ));
            }
        }
    }
    findings
}

fn header_values<'e>(exchange: &'e Exchange, name: &'e str) -> impl Iterator<Item = &'e [u8]> {
    exchange
        .headers
        .iter()
        .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// Answers without `Cache-Control: no-store`.
pub(crate) fn missing_no_store(exchanges: &[Exchange]) -> Vec<String> {
    exchanges
        .iter()
        .filter(|e| {
            !header_values(e, "cache-control").any(|v| {
                String::from_utf8_lossy(v)
                    .split(',')
                    .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
            })
        })
        .map(|e| format!("{} ({}): no Cache-Control: no-store", e.request, e.status))
        .collect()
}

/// `[A-Za-z0-9][A-Za-z0-9._:-]{7,127}`: an id a log search can find, and nothing else.
pub(crate) fn is_request_id(id: &[u8]) -> bool {
    (8..=128).contains(&id.len())
        && id[0].is_ascii_alphanumeric()
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Answers without exactly one well-formed `x-request-id`, or whose error
/// envelope names another request id than the header.
pub(crate) fn bad_request_ids(exchanges: &[Exchange]) -> Vec<String> {
    let mut findings = Vec::new();
    for e in exchanges {
        let ids: Vec<&[u8]> = header_values(e, "x-request-id").collect();
        let at = format!("{} ({})", e.request, e.status);
        match ids.as_slice() {
            [] => findings.push(format!("{at}: no x-request-id")),
            [id] if !is_request_id(id) => findings.push(format!(
                "{at}: x-request-id is not a plain id ({} bytes)",
                id.len()
            )),
            [id] => {
                let envelope = serde_json::from_slice::<Value>(&e.body).ok();
                let in_body = envelope
                    .as_ref()
                    .and_then(|v| v["error"]["requestId"].as_str().map(str::to_owned));
                if let Some(in_body) = in_body {
                    if in_body.as_bytes() != *id {
                        findings.push(format!(
                            "{at}: x-request-id differs from the envelope's requestId {in_body}"
                        ));
                    }
                }
            }
            more => findings.push(format!("{at}: {} x-request-id headers", more.len())),
        }
    }
    findings
}

/// Of the headers the sandbox sends on its own answers, those no proxy has a
/// reason to copy (everything but the generic ones).
pub(crate) fn upstream_only(sandbox_headers: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut names: Vec<String> = sandbox_headers
        .into_iter()
        .map(|n| n.to_ascii_lowercase())
        .filter(|n| !GENERIC_HEADERS.contains(&n.as_str()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Answers that carry one of `upstream_only`.
pub(crate) fn copied_upstream_headers(
    exchanges: &[Exchange],
    upstream_only: &[String],
) -> Vec<String> {
    let mut findings = Vec::new();
    for e in exchanges {
        for name in upstream_only {
            if header_values(e, name).next().is_some() {
                findings.push(format!(
                    "{} ({}): carries Layers' own header {name}",
                    e.request, e.status
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            rule: "r",
            request: "GET /x".into(),
            status: 200,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    const GOOD_ID: (&str, &str) = ("x-request-id", "req_01HXZ8K2M4P5QRS6TUV7WXYZ9A");

    #[test]
    fn key_anywhere_is_found_and_not_repeated_in_the_finding() {
        let secrets = vec!["lp_test_demo".to_owned()];
        let clean = exchange(&[GOOD_ID], r#"{"state":"st_1"}"#);
        let in_body = exchange(&[], r#"{"error":{"message":"Bearer lp_test_demo"}}"#);
        let in_header = exchange(&[("x-debug", "lp_test_demo")], "{}");
        assert!(key_leaks([&clean], &secrets).is_empty());
        let findings = key_leaks([&clean, &in_body, &in_header], &secrets);
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert!(findings.iter().all(|f| !f.contains("lp_test_demo")));
        assert!(findings[1].contains("x-debug"));
    }

    #[test]
    fn no_store_must_be_a_directive() {
        let ok = exchange(&[("cache-control", "private, no-store")], "");
        let missing = exchange(&[], "");
        let wrong = exchange(&[("cache-control", "no-cache")], "");
        assert!(missing_no_store(&[ok]).is_empty());
        assert_eq!(missing_no_store(&[missing, wrong]).len(), 2);
    }

    #[test]
    fn request_ids_are_present_single_well_formed_and_agree_with_the_envelope() {
        assert!(bad_request_ids(&[exchange(&[GOOD_ID], "{}")]).is_empty());
        let agreeing = exchange(
            &[GOOD_ID],
            r#"{"error":{"code":"X","requestId":"req_01HXZ8K2M4P5QRS6TUV7WXYZ9A"}}"#,
        );
        assert!(bad_request_ids(&[agreeing]).is_empty());
        for bad in [
            exchange(&[], "{}"),
            exchange(&[("x-request-id", "short")], "{}"),
            exchange(&[("x-request-id", "req 01HXZ8K2M4P5 Bearer x")], "{}"),
            exchange(&[GOOD_ID, ("x-request-id", "prx_0123456789abcdef")], "{}"),
            exchange(
                &[GOOD_ID],
                r#"{"error":{"code":"X","requestId":"prx_0123456789abcdef"}}"#,
            ),
        ] {
            assert_eq!(
                bad_request_ids(std::slice::from_ref(&bad)).len(),
                1,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn only_headers_a_proxy_has_no_reason_to_copy_count() {
        let names = upstream_only(
            [
                "Content-Type",
                "x-request-id",
                "Retry-After",
                "x-layers-edge",
                "date",
            ]
            .map(String::from),
        );
        assert_eq!(names, ["x-layers-edge"]);
        let copied = exchange(&[("x-layers-edge", "fra1")], "{}");
        let own = exchange(&[GOOD_ID, ("content-type", "application/json")], "{}");
        assert_eq!(copied_upstream_headers(&[copied, own], &names).len(), 1);
    }
}
