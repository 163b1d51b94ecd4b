//! `layers-bench-floor`: the floor of `npm run bench` (scripts/bench.sh).
//!
//! The question it answers (issue 14): is "≥ 0.8× nginx's throughput" within
//! reach of a proxy built on `layers-proxy`'s stack on this machine at all?
//! So it runs that stack and does only what nginx does in the benchmark:
//! accept, forward the request to the upstream with `Authorization: Bearer`
//! injected, and relay the status, the headers that matter and the body. No
//! cookie check, no router, no logging, no JSON decode, no key scan. Whatever
//! `layers-proxy` spends per poll beyond this binary is the cost of its own
//! logic; whatever this binary spends beyond nginx is the stack's.
//!
//! The stack, as `layers-proxy` runs it by default: tokio's multi-threaded
//! runtime (proxy-server/src/workers.rs `run_shared`), hyper's HTTP/1 server
//! through hyper-util with a header read timeout (proxy-server/src/serve.rs),
//! hyper-util's pooled legacy client with nodelay and a 90 s idle pool and
//! one deadline per exchange (proxy/src/upstream.rs; plain TCP here, where
//! `layers-proxy` wraps the same connector in hyper-rustls' http-or-https
//! enum), mimalloc as the global allocator (proxy-server/src/main.rs).
//!
//! Bench only (`publish = false`): it binds 127.0.0.1, speaks plain http to
//! the upstream, and is configured from the environment:
//! `FLOOR_UPSTREAM` (`http://host:port`), `FLOOR_API_KEY`, `PORT`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::http::uri::{Authority, PathAndQuery, Scheme};
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `layers-proxy`'s defaults for the same knobs (docs/proxy.md).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(15);
const POOL_IDLE: Duration = Duration::from_secs(90);

/// Headers relayed each way besides the injected key: what `layers-proxy`
/// sends up (`Accept`, `Content-Type`) and lets down (`Content-Type`,
/// `Retry-After`, `x-request-id`). `Content-Length` is hyper's business.
const UP: [HeaderName; 2] = [header::ACCEPT, header::CONTENT_TYPE];
const DOWN: [HeaderName; 3] = [
    header::CONTENT_TYPE,
    header::RETRY_AFTER,
    HeaderName::from_static("x-request-id"),
];

type Body = Either<Incoming, Full<Bytes>>;

/// What every connection shares, built once.
struct Forwarder {
    client: Client<HttpConnector, Incoming>,
    upstream: Authority,
    /// `Bearer <key>`, built once and marked sensitive, as upstream.rs does.
    authorization: HeaderValue,
}

/// Why the floor cannot start; the key is never part of one.
#[derive(Debug, PartialEq, Eq)]
enum SettingsError {
    Missing(&'static str),
    Upstream(String),
    Key,
    Port(String),
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing(name) => write!(f, "{name} is required"),
            Self::Upstream(value) => write!(
                f,
                "FLOOR_UPSTREAM must be http://host:port with nothing after it, not {value:?}"
            ),
            Self::Key => f.write_str("FLOOR_API_KEY holds bytes an HTTP header cannot carry"),
            Self::Port(value) => write!(f, "PORT must be a port number, not {value:?}"),
        }
    }
}

/// `http://host:port` (or `http://host:port/`) → its authority; anything
/// else (https, a path, credentials, a query) is refused rather than
/// silently forwarded somewhere else.
fn parse_upstream(value: &str) -> Result<Authority, SettingsError> {
    let refused = || SettingsError::Upstream(value.to_owned());
    let uri: Uri = value.parse().map_err(|_| refused())?;
    let plain_root = matches!(uri.path_and_query().map(|pq| pq.as_str()), None | Some("/"));
    match (uri.scheme(), uri.authority()) {
        (Some(scheme), Some(authority))
            if *scheme == Scheme::HTTP && plain_root && !authority.as_str().contains('@') =>
        {
            Ok(authority.clone())
        }
        _ => Err(refused()),
    }
}

fn bearer(key: &str) -> Result<HeaderValue, SettingsError> {
    let mut value =
        HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| SettingsError::Key)?;
    value.set_sensitive(true);
    Ok(value)
}

fn settings(
    var: impl Fn(&'static str) -> Option<String>,
) -> Result<(Authority, HeaderValue, u16), SettingsError> {
    let required = |name| var(name).ok_or(SettingsError::Missing(name));
    let upstream = parse_upstream(&required("FLOOR_UPSTREAM")?)?;
    let authorization = bearer(&required("FLOOR_API_KEY")?)?;
    let port = required("PORT")?;
    let port = port.parse().map_err(|_| SettingsError::Port(port))?;
    Ok((upstream, authorization, port))
}

impl Forwarder {
    fn new(upstream: Authority, authorization: HeaderValue) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE)
            .build(tcp);
        Self {
            client,
            upstream,
            authorization,
        }
    }

    async fn forward(&self, request: Request<Incoming>) -> Response<Body> {
        let (parts, body) = request.into_parts();
        // The request's own path and query, on the upstream's origin.
        let mut uri = parts.uri.into_parts();
        uri.scheme = Some(Scheme::HTTP);
        uri.authority = Some(self.upstream.clone());
        if uri.path_and_query.is_none() {
            uri.path_and_query = Some(PathAndQuery::from_static("/"));
        }
        let Ok(uri) = Uri::from_parts(uri) else {
            return answer(StatusCode::BAD_REQUEST, "BAD_REQUEST");
        };
        let mut up = Request::builder()
            .method(parts.method)
            .uri(uri)
            .header(header::AUTHORIZATION, self.authorization.clone());
        for name in &UP {
            if let Some(value) = parts.headers.get(name) {
                up = up.header(name, value.clone());
            }
        }
        let Ok(up) = up.body(body) else {
            return answer(StatusCode::BAD_REQUEST, "BAD_REQUEST");
        };
        let reply = match tokio::time::timeout(UPSTREAM_TIMEOUT, self.client.request(up)).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => return answer(StatusCode::BAD_GATEWAY, "UPSTREAM_UNAVAILABLE"),
            Err(_) => return answer(StatusCode::GATEWAY_TIMEOUT, "UPSTREAM_TIMEOUT"),
        };
        let (parts, body) = reply.into_parts();
        let mut down = Response::builder().status(parts.status);
        for name in &DOWN {
            if let Some(value) = parts.headers.get(name) {
                down = down.header(name, value.clone());
            }
        }
        down.body(Either::Left(body))
            .unwrap_or_else(|_| answer(StatusCode::BAD_GATEWAY, "UPSTREAM_INVALID"))
    }
}

/// The floor's own answers, in the Layers error envelope's shape.
fn answer(status: StatusCode, code: &'static str) -> Response<Body> {
    let body = format!(r#"{{"error":{{"code":"{code}"}}}}"#);
    let mut response = Response::new(Either::Right(Full::new(Bytes::from(body))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn serve(listener: tokio::net::TcpListener, forwarder: Arc<Forwarder>) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // EMFILE and friends: wait for descriptors instead of spinning.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let forwarder = forwarder.clone();
        let service = hyper::service::service_fn(move |request| {
            let forwarder = forwarder.clone();
            async move { Ok::<_, Infallible>(forwarder.forward(request).await) }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            // A header timeout or a reset is an ordinary end for a connection.
            let _ = connection.await;
        });
    }
}

fn main() -> ExitCode {
    let (upstream, authorization, port) = match settings(|name| std::env::var(name).ok()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("layers-bench-floor: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("layers-bench-floor: no runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("layers-bench-floor: cannot listen on {addr}: {error}");
                return ExitCode::FAILURE;
            }
        };
        println!("Floor: http://{addr}/ -> http://{upstream}/");
        serve(listener, Arc::new(Forwarder::new(upstream, authorization))).await;
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upstream_is_a_plain_http_origin() {
        assert_eq!(
            parse_upstream("http://127.0.0.1:8081").unwrap().as_str(),
            "127.0.0.1:8081"
        );
        assert!(parse_upstream("http://127.0.0.1:8081/").is_ok());
        for bad in [
            "https://127.0.0.1:8081",
            "http://127.0.0.1:8081/v1",
            "http://127.0.0.1:8081/?x=1",
            "http://user:pw@127.0.0.1:8081",
            "127.0.0.1:8081",
            "",
        ] {
            assert_eq!(
                parse_upstream(bad),
                Err(SettingsError::Upstream(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn settings_name_what_is_missing_and_never_echo_the_key() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &'static str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let (upstream, authorization, port) = settings(env(&[
            ("FLOOR_UPSTREAM", "http://127.0.0.1:9"),
            ("FLOOR_API_KEY", "lp_test_x"),
            ("PORT", "8082"),
        ]))
        .unwrap();
        assert_eq!((upstream.as_str(), port), ("127.0.0.1:9", 8082));
        assert_eq!(authorization.as_bytes(), b"Bearer lp_test_x");
        assert!(authorization.is_sensitive());
        assert_eq!(
            settings(env(&[("FLOOR_UPSTREAM", "http://127.0.0.1:9")])),
            Err(SettingsError::Missing("FLOOR_API_KEY"))
        );
        let bad_key = settings(env(&[
            ("FLOOR_UPSTREAM", "http://127.0.0.1:9"),
            ("FLOOR_API_KEY", "lp_test_\nx"),
            ("PORT", "1"),
        ]))
        .unwrap_err();
        assert_eq!(bad_key, SettingsError::Key);
        assert!(!bad_key.to_string().contains("lp_test_"));
        assert_eq!(
            settings(env(&[
                ("FLOOR_UPSTREAM", "http://127.0.0.1:9"),
                ("FLOOR_API_KEY", "k"),
                ("PORT", "http"),
            ])),
            Err(SettingsError::Port("http".into()))
        );
    }
}
