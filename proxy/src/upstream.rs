//! The one place that talks to Layers and the one place that reads the key.
//!
//! Nothing from the browser's request goes up except the validated JSON body
//! and the path ids; nothing from Layers' answer comes down except the status,
//! the JSON body, `Retry-After` and `x-request-id`, and those only once they
//! are known not to carry the key: an upstream that echoes its `Authorization`
//! (a debug server, a misconfigured gateway) must not hand it to the browser.
//! A body containing the key is replaced by `UPSTREAM_INVALID`; `Retry-After`
//! comes down only as delay-seconds or an HTTP date, `x-request-id` only as a
//! plain token ([`is_request_id`]); anything else is dropped, and never logged.

use std::cell::RefCell;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::rt::TokioExecutor;
use tokio::runtime::RuntimeFlavor;
use url::Url;

use crate::config::ApiKey;
use crate::error::{AppError, X_REQUEST_ID};
use crate::extract::is_token;

/// Upstream answers larger than this are not a Layers answer.
const MAX_UPSTREAM_BODY: usize = 1024 * 1024;

/// A pooled, redirect-free client for one Layers base URL and key.
///
/// hyper's own client, not reqwest: under load reqwest's layers (URL to URI,
/// the redirect policy even when off, its timeout and decoder wrappers) were
/// about 40% of the proxy's CPU per forwarded poll (docs/proxy.md,
/// Performance). hyper never follows a redirect, which is what we want: a
/// redirect would carry the key somewhere we did not choose.
#[derive(Clone)]
pub(crate) struct LayersClient {
    /// The pool for multi-threaded runtimes (and the template for the others).
    http: HttpClient,
    /// For the per-thread pools.
    connector: HttpsConnector<HttpConnector>,
    /// Who this client is in [`LOCAL_POOLS`] (and whether it still exists).
    identity: Arc<()>,
    base: Url,
    /// `base` with `/v1` pushed, serialised once: the prefix every call's
    /// URL starts with (see [`Self::uri`]).
    v1: String,
    key: ApiKey,
    /// `Bearer <key>`, built once and marked sensitive (never printed);
    /// `None` when the key holds bytes a header cannot carry (every call
    /// then fails as 502, with that cause in the log, as reqwest did).
    authorization: Option<HeaderValue>,
    timeout: Duration,
}

type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

thread_local! {
    /// On a current-thread runtime, one pool per client and thread: a pooled
    /// connection's task runs on the runtime that opened it, so sharing one
    /// pool between runtimes (the standalone binary runs one per core,
    /// `layers-proxy-server`'s `workers`) would hand most exchanges to another
    /// thread and back, two cross-thread wake-ups per request. Entries of
    /// dropped clients are swept when a new one is added.
    static LOCAL_POOLS: RefCell<Vec<(Weak<()>, HttpClient)>> = const { RefCell::new(Vec::new()) };
}

/// What comes back down from Layers (already checked to be JSON).
#[derive(Debug)]
pub(crate) struct UpstreamReply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) json: serde_json::Value,
    retry_after: Option<HeaderValue>,
    request_id: Option<HeaderValue>,
}

/// Why a request to Layers got no answer: the two cases the caller tells
/// apart (504 against 502), with the transport's own words for the log.
#[derive(Debug)]
enum Transport {
    TimedOut(String),
    Failed(String),
}

impl From<Transport> for AppError {
    fn from(error: Transport) -> Self {
        match error {
            Transport::TimedOut(cause) => AppError::upstream_timeout().with_cause(cause),
            Transport::Failed(cause) => AppError::upstream_unavailable().with_cause(cause),
        }
    }
}

impl LayersClient {
    pub(crate) fn new(
        base: Url,
        key: ApiKey,
        connect_timeout: Duration,
        timeout: Duration,
    ) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.set_connect_timeout(Some(connect_timeout));
        tcp.set_nodelay(true);
        // The https connector refuses nothing by itself: `http://` bases are
        // the sandbox and tests (the config decides which schemes are allowed).
        tcp.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let http = pool(connector.clone());
        let identity = Arc::new(());
        let v1 = segments_url(&base, &[]).into();
        let authorization = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
            .ok()
            .map(|mut value| {
                value.set_sensitive(true);
                value
            });
        Self {
            http,
            connector,
            identity,
            base,
            v1,
            key,
            authorization,
            timeout,
        }
    }

    /// Sends `method /v1/<segments…>` with the key and an optional JSON body.
    /// Segments are percent-encoded one by one, so an id can never add a path level.
    pub(crate) async fn send(
        &self,
        method: Method,
        segments: &[&str],
        json_body: Option<Vec<u8>>,
    ) -> Result<UpstreamReply, AppError> {
        let uri = self.uri(segments)?;

        let authorization = self.authorization.clone().ok_or_else(|| {
            Transport::Failed("the API key holds bytes an HTTP header cannot carry".into())
        })?;
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, authorization)
            .header(header::ACCEPT, "application/json")
            .header(
                header::USER_AGENT,
                concat!("layers-proxy/", env!("CARGO_PKG_VERSION")),
            );
        let body = match json_body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Full::new(Bytes::from(body))
            }
            None => Full::new(Bytes::new()),
        };
        let request = request
            .body(body)
            .map_err(|_| Transport::Failed("upstream request could not be built".into()))?;

        // One deadline for the whole exchange, headers and body, like
        // reqwest's `timeout`: a Layers that dribbles its answer gets 504.
        let deadline = tokio::time::Instant::now() + self.timeout;
        let timed_out =
            || Transport::TimedOut(format!("no complete answer within {:?}", self.timeout));
        let response = tokio::time::timeout_at(deadline, self.request(request))
            .await
            .map_err(|_| timed_out())?
            .map_err(|error| transport_error(&error))?;
        let (parts, mut incoming) = response.into_parts();
        let status = parts.status;
        let key = self.key.expose();
        let retry_after = parts
            .headers
            .get(header::RETRY_AFTER)
            .filter(|v| is_retry_after(v, key))
            .cloned();
        let request_id = parts
            .headers
            .get(X_REQUEST_ID)
            .filter(|v| is_request_id(v, key))
            .cloned();

        let mut body = Vec::new();
        loop {
            let frame = tokio::time::timeout_at(deadline, incoming.frame())
                .await
                .map_err(|_| timed_out())?;
            let Some(frame) = frame else { break };
            let frame = frame.map_err(|error| Transport::Failed(error_chain(&error)))?;
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            if body.len() + chunk.len() > MAX_UPSTREAM_BODY {
                return Err(AppError::upstream_invalid(status.as_u16())
                    .with_retry_after(retry_after)
                    .with_cause("upstream body exceeds 1 MiB"));
            }
            body.extend_from_slice(&chunk);
        }
        let body = Bytes::from(body);

        let invalid = |why: &str| {
            AppError::upstream_invalid(status.as_u16())
                .with_retry_after(retry_after.clone())
                .with_cause(format!("{why} (upstream request id {:?})", request_id))
        };
        if contains(&body, key) {
            return Err(invalid("upstream body contains the API key; not forwarded"));
        }
        let json: serde_json::Value =
            serde_json::from_slice(&body).map_err(|_| invalid("body is not JSON"))?;
        // The same check on the decoded text: `lp\u005f…` is the key to a browser.
        // Without a backslash in the body there is no escape, so the decoded
        // strings are substrings of the raw bytes already checked: skip the
        // re-serialisation (an allocation and a format per answer).
        if body.contains(&b'\\') && contains(json.to_string().as_bytes(), key) {
            return Err(invalid("upstream body contains the API key; not forwarded"));
        }
        if !(status.is_success() || status.is_client_error() || status.is_server_error()) {
            return Err(invalid(
                "unexpected status class (redirects are not followed)",
            ));
        }
        if !status.is_success() && !is_error_envelope(&json) {
            return Err(invalid("error body is not the Layers envelope"));
        }
        Ok(UpstreamReply {
            status,
            body,
            json,
            retry_after,
            request_id,
        })
    }
}

impl LayersClient {
    /// `<base>/v1/<segments…>`. Every id the routes pass is a plain token
    /// (`extract::is_token`, never `.` or `..`), which the url crate's
    /// segment encoding leaves as it is, so the usual case appends to the prefix serialised once and
    /// hands the string to `Uri` without a copy; anything else takes the url
    /// crate's path, which encodes it. The same URL either way (tested).
    fn uri(&self, segments: &[&str]) -> Result<Uri, Transport> {
        let text = if segments.iter().all(|s| is_token(s)) {
            let length = segments.iter().map(|s| s.len() + 1).sum::<usize>();
            let mut text = String::with_capacity(self.v1.len() + length);
            text.push_str(&self.v1);
            for segment in segments {
                text.push('/');
                text.push_str(segment);
            }
            text
        } else {
            segments_url(&self.base, segments).into()
        };
        Uri::try_from(text).map_err(|_| Transport::Failed("upstream URL is not a valid URI".into()))
    }

    /// Starts `request` on this runtime's pool (see [`LOCAL_POOLS`]).
    fn request(&self, request: Request<Full<Bytes>>) -> ResponseFuture {
        let flavor = tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor());
        if !matches!(flavor, Ok(RuntimeFlavor::CurrentThread)) {
            return self.http.request(request);
        }
        LOCAL_POOLS.with(|pools| {
            let mut pools = pools.borrow_mut();
            let mine = |(owner, _): &&(Weak<()>, HttpClient)| {
                std::ptr::eq(owner.as_ptr(), Arc::as_ptr(&self.identity))
            };
            if let Some((_, pool)) = pools.iter().find(mine) {
                return pool.request(request);
            }
            pools.retain(|(owner, _)| owner.strong_count() > 0);
            // The same connector and settings, none of the other pools' connections.
            let local = pool(self.connector.clone());
            let future = local.request(request);
            pools.push((Arc::downgrade(&self.identity), local));
            future
        })
    }
}

/// `base` + `/v1/<segments…>`, each segment percent-encoded by the url crate
/// (so an id can never add a path level).
fn segments_url(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.path_segments_mut()
        .expect("an http(s) base URL has path segments")
        .pop_if_empty()
        .push("v1")
        .extend(segments);
    url
}

/// Connections to Layers are kept alive 90 s between requests.
fn pool(connector: HttpsConnector<HttpConnector>) -> HttpClient {
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .build(connector)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
}

/// Layers' request ids are short tokens (`req_…`); anything else (a header
/// echoing the request, a script) is replaced by the proxy's own id.
pub(crate) fn is_request_id(value: &HeaderValue, key: &str) -> bool {
    let bytes = value.as_bytes();
    (1..=128).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        && !contains(bytes, key)
}

/// `Retry-After` as RFC 9110 allows it: delay-seconds or an HTTP date.
fn is_retry_after(value: &HeaderValue, key: &str) -> bool {
    let Ok(text) = value.to_str() else {
        return false;
    };
    let seconds = (1..=10).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    (seconds || httpdate::parse_http_date(text).is_ok()) && !contains(value.as_bytes(), key)
}

fn is_error_envelope(json: &serde_json::Value) -> bool {
    json.get("error")
        .and_then(|e| e.get("code"))
        .is_some_and(serde_json::Value::is_string)
}

/// A connect timeout → 504; refused, reset, DNS, TLS, garbage → 502. The
/// chain names no URL (it holds a state token; the key is never in it).
fn transport_error(error: &hyper_util::client::legacy::Error) -> Transport {
    let cause = error_chain(error);
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(inner) = source {
        if inner
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return Transport::TimedOut(cause);
        }
        source = inner.source();
    }
    Transport::Failed(cause)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

impl IntoResponse for UpstreamReply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(value) = self.retry_after {
            headers.insert(header::RETRY_AFTER, value);
        }
        match self.request_id {
            Some(id) => {
                headers.insert(X_REQUEST_ID, id);
            }
            None => {
                if let Ok(id) = HeaderValue::from_str(&crate::error::new_request_id()) {
                    headers.insert(X_REQUEST_ID, id);
                }
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "lp_live_SECRET";

    #[test]
    fn request_ids_are_plain_tokens_without_the_key() {
        let ok = |v: &str| is_request_id(&HeaderValue::from_str(v).unwrap(), KEY);
        assert!(ok("req_01HXZ8K2M4P5QRS6TUV7WXYZ9A"));
        assert!(ok("a-b_C9"));
        assert!(!ok(""));
        assert!(!ok(&"x".repeat(129)));
        assert!(!ok("Bearer lp_live_SECRET"));
        assert!(!ok("req_lp_live_SECRET"), "shape alone is not enough");
        assert!(!ok("<script>"));
        assert!(!ok("req 1"));
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let ok = |v: &str| is_retry_after(&HeaderValue::from_str(v).unwrap(), KEY);
        assert!(ok("7"));
        assert!(ok("Wed, 21 Oct 2026 07:28:00 GMT"));
        assert!(!ok("-1"));
        assert!(!ok("1.5"));
        assert!(!ok("Bearer lp_live_SECRET"));
        assert!(!ok("7 lp_live_SECRET"));
        assert!(!ok("12345678901"));
    }

    #[tokio::test]
    async fn a_key_no_header_can_carry_fails_the_call_as_unavailable() {
        // An upstream that would answer: the call must not even connect.
        let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        upstream.set_nonblocking(true).unwrap();
        let base = format!("http://{}", upstream.local_addr().unwrap());
        let client = LayersClient::new(
            base.parse().unwrap(),
            ApiKey::new("lp_live_\u{7}bell"),
            Duration::from_secs(1),
            Duration::from_secs(1),
        );
        let error = client.send(Method::GET, &["x"], None).await.unwrap_err();
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(
            upstream.accept().map(|_| ()).unwrap_err().kind(),
            std::io::ErrorKind::WouldBlock,
            "no connection was opened with a key that cannot be sent"
        );
    }

    /// A keep-alive upstream answering every request `{"status":"pending"}`,
    /// counting the connections it accepted.
    fn counting_upstream() -> (Url, Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    loop {
                        line.clear();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) if line == "\r\n" => {
                                let body = r#"{"status":"pending"}"#;
                                let answer = format!(
                                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                                    body.len()
                                );
                                if stream.write_all(answer.as_bytes()).is_err() {
                                    return;
                                }
                            }
                            Ok(_) => {}
                        }
                    }
                });
            }
        });
        (base.parse().unwrap(), accepted)
    }

    #[test]
    fn each_current_thread_runtime_keeps_its_own_pool_and_reuses_it() {
        let (base, accepted) = counting_upstream();
        let client = LayersClient::new(
            base,
            ApiKey::new(KEY),
            Duration::from_secs(2),
            Duration::from_secs(2),
        );
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        };
        let polls = |client: LayersClient| async move {
            for _ in 0..3 {
                let reply = client.send(Method::GET, &["x"], None).await.unwrap();
                assert_eq!(reply.status, StatusCode::OK);
            }
        };
        // The first runtime stays alive (idle, not driven) while the second
        // polls: with one shared pool the second would take the first's idle
        // connection, whose task only the first runtime can run.
        let first = runtime();
        first.block_on(polls(client.clone()));
        let count = || accepted.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(count(), 1, "three polls on one runtime, one connection");
        let other = client.clone();
        std::thread::spawn(move || runtime().block_on(polls(other)))
            .join()
            .unwrap();
        assert_eq!(count(), 2, "another runtime's thread opens its own");
        drop(first);
    }

    #[test]
    fn the_fast_url_is_the_url_crates_url() {
        let cases: [&[&str]; 6] = [
            &["social", "oauth-status", "st_01HXZ8K2M4P5QRS6"],
            &["projects", "prj_demo", "social-accounts"],
            &[],
            // Not plain: the url crate's path, encoded.
            &["social", "oauth-status", "a/b"],
            &["social", "..", "x y"],
            &["", "%2F"],
        ];
        for base in [
            "http://127.0.0.1:8081",
            "http://127.0.0.1:8081/",
            "https://api.layers.com/prefix",
            "https://api.layers.com/prefix/",
        ] {
            let client = LayersClient::new(
                base.parse().unwrap(),
                ApiKey::new(KEY),
                Duration::from_secs(1),
                Duration::from_secs(1),
            );
            for segments in cases {
                let expected: Uri = segments_url(&client.base, segments)
                    .as_str()
                    .parse()
                    .unwrap();
                let uri = client.uri(segments).unwrap();
                assert_eq!(uri, expected, "{base} {segments:?}");
                assert_eq!(uri.to_string(), expected.to_string());
            }
        }
        assert_eq!(
            LayersClient::new(
                "http://h:1/p/".parse().unwrap(),
                ApiKey::new(KEY),
                Duration::from_secs(1),
                Duration::from_secs(1),
            )
            .uri(&["a", "b/c"])
            .unwrap()
            .to_string(),
            "http://h:1/p/v1/a/b%2Fc",
            "a slash inside a segment stays inside it"
        );
        assert!(is_token("st_AZaz09-"));
        for bad in ["", ".", "..", "a.b", "a/b", "a%2F", "é"] {
            assert!(!is_token(bad), "{bad}");
        }
    }

    #[test]
    fn key_search() {
        assert!(contains(b"{\"k\":\"lp_live_SECRET\"}", KEY));
        assert!(!contains(b"lp_live_SECRE", KEY));
        assert!(!contains(b"anything", ""));
    }
}
