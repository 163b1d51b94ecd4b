//! Raw HTTP/1.1 over a plain TCP socket, for the two probes an HTTP client
//! cannot make: a body far larger than the proxy should read, and a declared
//! `Content-Length` the body never reaches.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

/// The first answer on the socket, as far as it arrived.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

/// Why a raw probe could not even be made.
#[derive(Debug)]
pub(crate) enum RawError {
    /// Only `http://` is spoken here.
    NotPlainHttp,
    /// Connecting failed.
    Connect(String),
}

/// What to send: headers, a declared length, and the bytes actually sent
/// (after which the socket stays open, silent, until the answer or `wait`).
pub(crate) struct RawPost<'a> {
    pub url: &'a Url,
    pub headers: &'a [(String, String)],
    pub declared_length: u64,
    pub body: &'a [u8],
    pub wait: Duration,
}

/// Sends the request and waits up to `wait` for a status line. `Ok(None)`:
/// no answer in time (or the connection closed without one).
pub(crate) async fn post(req: RawPost<'_>) -> Result<Option<RawAnswer>, RawError> {
    if req.url.scheme() != "http" {
        return Err(RawError::NotPlainHttp);
    }
    let host = req.url.host_str().ok_or(RawError::NotPlainHttp)?;
    let port = req.url.port_or_known_default().unwrap_or(80);
    let address = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let stream = tokio::time::timeout(req.wait, TcpStream::connect(&address))
        .await
        .map_err(|_| RawError::Connect(format!("connecting to {address} timed out")))?
        .map_err(|e| RawError::Connect(format!("cannot connect to {address}: {e}")))?;
    let (mut reader, mut writer) = stream.into_split();

    let mut head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        path_and_query(req.url),
        host_header(req.url),
        req.declared_length
    );
    for (name, value) in req.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");

    let write = async {
        // A proxy that answers early may stop reading or close: that is its right.
        let _ = writer.write_all(head.as_bytes()).await;
        let _ = writer.write_all(req.body).await;
        let _ = writer.flush().await;
        // Hold the connection open, as a slow client would.
        std::future::pending::<()>().await;
    };
    let read = read_answer(&mut reader);
    let answer = tokio::select! {
        _ = write => None,
        answer = tokio::time::timeout(req.wait, read) => answer.ok().flatten(),
    };
    Ok(answer)
}

async fn read_answer(reader: &mut tokio::net::tcp::OwnedReadHalf) -> Option<RawAnswer> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = find(&buffer, b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > 64 * 1024 {
            return None;
        }
        let n = reader.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, Vec<u8>)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().as_bytes().to_vec()))
        .collect();
    let mut body = buffer[head_end + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse::<usize>().ok())
        .unwrap_or(0)
        .min(64 * 1024);
    // The body is only kept for the key scan: a short wait for the rest is enough.
    while body.len() < length {
        match tokio::time::timeout(Duration::from_millis(500), reader.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => body.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    Some(RawAnswer {
        status,
        headers,
        body,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    async fn server(answer: &'static [u8]) -> Url {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/x", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            if !answer.is_empty() {
                socket.write_all(answer).await.unwrap();
            }
            // Keep the socket open without answering further.
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        url
    }

    fn req(url: &Url) -> RawPost<'_> {
        RawPost {
            url,
            headers: &[],
            declared_length: 10_000_000_000,
            body: b"{",
            wait: Duration::from_millis(500),
        }
    }

    #[tokio::test]
    async fn reads_an_early_answer_while_the_body_is_unfinished() {
        let url = server(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 2\r\nCache-Control: no-store\r\n\r\n{}").await;
        let answer = post(req(&url)).await.unwrap().unwrap();
        assert_eq!(answer.status, 413);
        assert_eq!(answer.body, b"{}");
        assert!(answer
            .headers
            .iter()
            .any(|(k, v)| k == "cache-control" && v == b"no-store"));
    }

    #[tokio::test]
    async fn a_server_that_waits_for_the_body_gives_no_answer() {
        let url = server(b"").await;
        assert!(post(req(&url)).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn https_is_not_spoken() {
        let url = Url::parse("https://127.0.0.1:1/").unwrap();
        assert!(matches!(post(req(&url)).await, Err(RawError::NotPlainHttp)));
    }
}
