//! The demo pages and the widget bundle, served from a folder.
//!
//! Not tower-http's `ServeDir`, which reads through `tokio::fs`: a hop to
//! the blocking thread pool for the open, the metadata and each 64 KB chunk.
//! On the 2-CPU machine the report runs on, shared with compilers, each hop
//! waits for a thread to be scheduled: the browser saw 30-56 ms from request
//! to first byte for each bundle file, against 4-6 ms for the same bytes from
//! a node server, and the element's first paint waits for two of them
//! (README, Size and speed). These files are a few, small, and in the page
//! cache, so this reads them with one blocking read on the async worker,
//! which takes microseconds.
//!
//! What it serves: GET and HEAD of a file under the folder (a path ending in
//! `/` serves that folder's `index.html`), with its content type, an ETag
//! and `Cache-Control: no-cache` (the bundle is rebuilt in place, so a
//! browser revalidates and gets a 304 while it is unchanged). A path with a
//! `..`, `.`, empty, backslash or percent-escaped segment is not a file here.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};

/// Serves the files under `root`; anything else is a 404 with `not_found` as its text.
#[derive(Debug, Clone)]
pub struct StaticFiles {
    root: PathBuf,
    not_found: String,
}

impl StaticFiles {
    /// Files under `root`, and the 404 text for everything else.
    pub fn new(root: &Path, not_found: String) -> Self {
        Self {
            root: root.to_path_buf(),
            not_found,
        }
    }

    /// The answer to `request` (its method, path and `If-None-Match`).
    pub fn respond<B>(&self, request: &Request<B>) -> Response {
        if !matches!(*request.method(), Method::GET | Method::HEAD) {
            return (
                StatusCode::METHOD_NOT_ALLOWED,
                [(header::ALLOW, "GET, HEAD")],
            )
                .into_response();
        }
        let Some(path) = self.file_path(request.uri().path()) else {
            return self.not_found();
        };
        // One blocking read of a small file in the page cache: see the module doc.
        let Ok(metadata) = std::fs::metadata(&path) else {
            return self.not_found();
        };
        if !metadata.is_file() {
            return self.not_found();
        }
        let tag = etag(metadata.len(), metadata.modified().ok());
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(&path)),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if let Ok(value) = HeaderValue::from_str(&tag) {
            headers.insert(header::ETAG, value);
        }
        let unchanged = request
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
        if unchanged {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        if request.method() == Method::HEAD {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(metadata.len()));
            return (StatusCode::OK, headers).into_response();
        }
        let Ok(bytes) = std::fs::read(&path) else {
            return self.not_found();
        };
        (StatusCode::OK, headers, Body::from(bytes)).into_response()
    }

    /// The file a URL path names under the root, if it can name one.
    fn file_path(&self, url_path: &str) -> Option<PathBuf> {
        let relative = url_path.strip_prefix('/')?;
        let mut path = self.root.clone();
        let mut segments = relative.split('/').peekable();
        while let Some(segment) = segments.next() {
            if segment.is_empty() && segments.peek().is_none() {
                path.push("index.html"); // a folder: its index
                return Some(path);
            }
            let plain = !segment.is_empty()
                && segment != "."
                && segment != ".."
                && !segment.contains(['\\', '%', '\0']);
            if !plain {
                return None;
            }
            path.push(segment);
        }
        Some(path)
    }

    fn not_found(&self) -> Response {
        (StatusCode::NOT_FOUND, self.not_found.clone()).into_response()
    }
}

/// A validator that changes whenever the file is rewritten (size or mtime).
fn etag(len: u64, modified: Option<std::time::SystemTime>) -> String {
    let nanos = modified
        .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("\"{len:x}-{nanos:x}\"")
}

/// The types this folder's files need; anything else is a download.
fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt" | "ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> (StaticFiles, PathBuf) {
        let root =
            std::env::temp_dir().join(format!("layers-demo-static-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        std::fs::write(root.join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(root.join("pkg/w.wasm"), b"\0asm").unwrap();
        (StaticFiles::new(&root, "missing".into()), root)
    }

    fn get(files: &StaticFiles, path: &str, etag: Option<&str>) -> Response {
        let mut request = Request::get(path);
        if let Some(tag) = etag {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        files.respond(&request.body(()).unwrap())
    }

    #[test]
    fn serves_files_with_their_type_and_folders_by_their_index() {
        let (files, root) = files();
        let wasm = get(&files, "/pkg/w.wasm", None);
        assert_eq!(wasm.status(), StatusCode::OK);
        assert_eq!(wasm.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(wasm.headers()[header::CACHE_CONTROL], "no-cache");
        let index = get(&files, "/", None);
        assert_eq!(index.status(), StatusCode::OK);
        assert_eq!(
            index.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn nothing_outside_the_folder_and_no_folder_itself() {
        let (files, root) = files();
        let outside = root.parent().unwrap().join("layers-demo-secret.txt");
        std::fs::write(&outside, "secret").unwrap();
        for path in [
            "/../layers-demo-secret.txt",
            "/pkg/../../layers-demo-secret.txt",
            "/%2e%2e/layers-demo-secret.txt",
            "/pkg\\..\\..\\layers-demo-secret.txt",
            "/pkg",
            "//etc/passwd",
            "/nope.js",
        ] {
            assert_eq!(
                get(&files, path, None).status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        std::fs::remove_file(outside).unwrap();
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn an_unchanged_file_revalidates_to_304_and_a_rewritten_one_does_not() {
        let (files, root) = files();
        let first = get(&files, "/pkg/w.wasm", None);
        let tag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
        assert_eq!(
            get(&files, "/pkg/w.wasm", Some(&tag)).status(),
            StatusCode::NOT_MODIFIED
        );
        std::fs::write(root.join("pkg/w.wasm"), b"\0asm\x01").unwrap();
        assert_eq!(
            get(&files, "/pkg/w.wasm", Some(&tag)).status(),
            StatusCode::OK
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn only_get_and_head() {
        let (files, root) = files();
        let post = files.respond(&Request::post("/index.html").body(()).unwrap());
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        let head = files.respond(&Request::head("/index.html").body(()).unwrap());
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(head.headers()[header::CONTENT_LENGTH], "15");
        std::fs::remove_dir_all(root).unwrap();
    }
}
