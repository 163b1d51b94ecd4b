//! Two proxy instances sharing the cookie secret and a real Redis behave as
//! one: a webhook delivered to B nudges the stream held on A, a webhook id
//! accepted by A is a replay at B, and the per-session mint limit holds across
//! both. Then Redis is stopped mid-test: both keep serving on their own memory
//! (streams open, local nudges, local mint counts), log a warning, and pick
//! Redis up again when it comes back.
//!
//! Needs Debian's `redis-server` (scripts/setup.sh installs it); without it
//! this test fails and says so, it does not pass by skipping.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use layers_sandbox::WebhookSecret;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{json, Value};

// The sandbox consent step, shared with the proxy's and the demo's tests.
#[path = "../../proxy/tests/common/mod.rs"]
mod common;
mod support;
use support::free_port;

const BIN: &str = env!("CARGO_BIN_EXE_layers-proxy");
const COOKIE_SECRET: &str =
    "a-cookie-secret-shared-by-every-instance-of-this-proxy-0123456789abcdef";
const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const RETURN_URL: &str = "http://127.0.0.1:8080/return.html";
const REDIS_WARNING: &str = "Redis unavailable";

/// A redis-server of our own on a free port, stopped when dropped (even when the test panics).
struct Redis {
    port: u16,
    dir: PathBuf,
}

impl Redis {
    fn start(port: u16) -> Self {
        let found = Command::new("sh")
            .args(["-c", "command -v redis-server && command -v redis-cli"])
            .output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "redis-server and redis-cli are required for this test: run scripts/setup.sh \
             (apt-get install -y redis-server)"
        );
        let dir =
            std::env::temp_dir().join(format!("layers-proxy-redis-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let redis = Self { port, dir };
        redis.launch();
        redis
    }

    fn launch(&self) {
        let pidfile = self.dir.join("redis.pid");
        let status = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args([
                "--daemonize",
                "yes",
                "--pidfile",
                pidfile.to_str().unwrap(),
                "--dir",
                self.dir.to_str().unwrap(),
            ])
            .status()
            .unwrap();
        assert!(status.success(), "redis-server did not start");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.ping() {
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} never answered PING",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn ping(&self) -> bool {
        Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "ping"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "PONG")
    }

    /// Waits (10 s at most) until `n` clients subscribe to the proxies' channel.
    fn wait_for_subscribers(&self, n: u32) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = Command::new("redis-cli")
                .args([
                    "-p",
                    &self.port.to_string(),
                    "pubsub",
                    "numsub",
                    "layers_proxy:signals",
                ])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            if text
                .lines()
                .nth(1)
                .and_then(|l| l.trim().parse::<u32>().ok())
                == Some(n)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{n} subscribers never showed up: {text:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&self) {
        let _ = Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "shutdown", "nosave"])
            .output();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.ping() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
        // If shutdown did not take, the pid file still names it.
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("redis.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A proxy process whose every log line is kept.
struct Instance {
    child: Child,
    api: String,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Instance {
    fn start(port: u16, env: &[(&str, &str)]) -> Self {
        let port_text = port.to_string();
        let mut child = Command::new(BIN)
            .env_clear()
            .envs(std::env::var_os("PATH").map(|p| ("PATH", p)))
            .envs(env.iter().copied())
            .env("PORT", &port_text)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let logs: Arc<Mutex<Vec<String>>> = Arc::default();
        let (ready, is_ready) = mpsc::channel();
        let kept = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("Layers API:") {
                    let _ = ready.send(());
                }
                kept.lock().unwrap().push(line);
            }
        });
        is_ready
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("instance on {port} not ready: {:?}", logs.lock().unwrap()));
        Self {
            child,
            api: format!("http://127.0.0.1:{port}/api/layers"),
            logs,
        }
    }

    fn logged(&self, text: &str) -> bool {
        self.logs.lock().unwrap().iter().any(|l| l.contains(text))
    }

    /// Whether `text` is logged within 5 s (stdout reaches us through a pipe and a thread).
    async fn logs_soon(&self, text: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.logged(text) {
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser: a cookie jar shared across instances (one site, a load balancer in front).
#[derive(Default)]
struct Browser {
    jar: Vec<(String, String)>,
}

impl Browser {
    fn keep(&mut self, response: &reqwest::Response) {
        for set in response.headers().get_all(SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            self.jar.retain(|(n, _)| n != name);
            if !set.contains("Max-Age=0") {
                self.jar.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    fn cookie(&self) -> String {
        self.jar
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn mint(&mut self, http: &reqwest::Client, at: &Instance) -> (u16, Value) {
        let response = http
            .post(format!("{}/projects/prj_demo/social/oauth-url", at.api))
            .header("sec-fetch-site", "same-origin")
            .header(COOKIE, self.cookie())
            .json(&json!({ "platform": "tiktok", "returnUrl": RETURN_URL }))
            .send()
            .await
            .unwrap();
        self.keep(&response);
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn poll(&self, http: &reqwest::Client, at: &Instance, state: &str) -> Value {
        let response = http
            .get(format!("{}/social/oauth-status/{state}", at.api))
            .header(COOKIE, self.cookie())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn stream(&self, http: &reqwest::Client, at: &Instance, state: &str) -> Stream {
        let response = http
            .get(format!("{}/social/oauth-events/{state}", at.api))
            .header(COOKIE, self.cookie())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let mut stream = Stream {
            response,
            buffer: String::new(),
        };
        assert_eq!(
            stream.next_event(Duration::from_secs(5)).await.as_deref(),
            Some("event: ready\ndata: {}")
        );
        stream
    }
}

struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    /// The next non-heartbeat block within `wait`.
    async fn next_event(&mut self, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                if !block.starts_with(':') {
                    return Some(block);
                }
            }
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(std::str::from_utf8(&bytes).unwrap()),
                _ => return None,
            }
        }
    }
}

/// A webhook signed as the sandbox signs them.
async fn deliver(http: &reqwest::Client, at: &Instance, id: &str, platform: &str) -> u16 {
    let body = json!({"type": "social_account.connected", "timestamp": "2026-04-18T19:06:42Z",
        "data": {"projectId": "prj_demo", "socialAccountId": "sa_1", "platform": platform,
                 "displayName": "Acme Coffee", "connectedAt": "2026-04-18T19:06:42Z"}})
    .to_string();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signature = WebhookSecret::new(WEBHOOK_SECRET)
        .unwrap()
        .sign(id, now, body.as_bytes());
    http.post(format!("{}/webhooks/layers", at.api))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

const NUDGE: &str = "event: nudge\ndata: {\"platform\":\"tiktok\"}";

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_share_nudges_replays_and_mint_counts_and_survive_redis_going_away() {
    let redis = Redis::start(free_port());
    let (port_a, port_b) = (free_port(), free_port());
    let webhook_to_b = format!("http://127.0.0.1:{port_b}/api/layers/webhooks/layers");
    let sandbox = layers_sandbox::spawn(
        layers_sandbox::Config::default().webhook(
            webhook_to_b.parse().unwrap(),
            WebhookSecret::new(WEBHOOK_SECRET).unwrap(),
        ),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let base = sandbox.url().to_string();
    let redis_url = format!("redis://127.0.0.1:{}/0", redis.port);
    let env = [
        ("LAYERS_API_BASE", base.as_str()),
        ("LAYERS_API_KEY", "lp_test_demo"),
        ("LAYERS_PROXY_COOKIE_SECRET", COOKIE_SECRET),
        ("LAYERS_PROXY_PROJECTS", "prj_demo"),
        ("LAYERS_PROXY_RETURN_URLS", RETURN_URL),
        ("LAYERS_PROXY_AUTHORIZE_ORIGINS", base.as_str()),
        ("LAYERS_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("LAYERS_PROXY_REDIS_URL", redis_url.as_str()),
        ("LAYERS_PROXY_MINT_LIMIT", "3"),
        ("RUST_LOG", "info"),
    ];
    let mut a = tokio::task::block_in_place(|| Instance::start(port_a, &env));
    let mut b = tokio::task::block_in_place(|| Instance::start(port_b, &env));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Both subscribed before anything is published (the subscription is made in the background).
    tokio::task::block_in_place(|| redis.wait_for_subscribers(2));

    // 1. The sandbox's webhook goes to B; the stream held by A hears it.
    let mut browser = Browser::default();
    let (status, minted) = browser.mint(&http, &a).await;
    assert_eq!(status, 200, "{minted}");
    let state = minted["state"].as_str().unwrap().to_owned();
    let mut stream = browser.stream(&http, &a, &state).await;
    let consented = Instant::now();
    common::consent(minted["authorizeUrl"].as_str().unwrap(), "allow", "acmecoffee").await;
    let nudge = stream.next_event(Duration::from_secs(5)).await;
    let latency = consented.elapsed();
    assert_eq!(
        nudge.as_deref(),
        Some(NUDGE),
        "A's stream is nudged by B's webhook"
    );
    println!(
        "consent → nudge on the other instance's stream: {} ms",
        latency.as_millis()
    );
    let delivered: Value = http
        .get(sandbox.url().join("_sandbox/webhooks/deliveries").unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(delivered["data"][0]["status"], 204, "{delivered}");
    assert!(
        b.logs_soon("layers webhook: nudging streams").await,
        "B received it"
    );
    assert!(
        !a.logged("layers webhook: nudging streams"),
        "A did not: the nudge came through Redis"
    );
    // The confirming poll, on A, relays completed; the stream ends.
    assert_eq!(browser.poll(&http, &a, &state).await["status"], "completed");
    assert_eq!(
        stream.next_event(Duration::from_secs(5)).await.as_deref(),
        Some("event: end\ndata: {\"reason\":\"outcome\"}")
    );

    // 2. An id accepted by A is a replay at B.
    assert_eq!(deliver(&http, &a, "msg_shared", "tiktok").await, 204);
    assert_eq!(deliver(&http, &b, "msg_shared", "tiktok").await, 409);

    // 3. One session, limit 3, spread over both instances.
    let mut session = Browser::default();
    let statuses = [
        session.mint(&http, &a).await.0,
        session.mint(&http, &b).await.0,
        session.mint(&http, &a).await.0,
        session.mint(&http, &b).await.0,
        session.mint(&http, &a).await.0,
    ];
    assert_eq!(
        statuses,
        [200, 200, 200, 429, 429],
        "N instances count as one"
    );

    // 4. Redis goes away mid-test.
    let mut waiting = Browser::default();
    let (_, minted) = waiting.mint(&http, &a).await;
    let waiting_state = minted["state"].as_str().unwrap().to_owned();
    let mut held = waiting.stream(&http, &a, &waiting_state).await;
    redis.stop();
    // Webhooks still verify and nudge the receiving instance's own streams…
    assert_eq!(deliver(&http, &a, "msg_local", "tiktok").await, 204);
    assert_eq!(
        held.next_event(Duration::from_secs(5)).await.as_deref(),
        Some(NUDGE)
    );
    // …while B's nudges cannot reach A (the widget's poll covers it).
    assert_eq!(deliver(&http, &b, "msg_lost", "tiktok").await, 204);
    assert_eq!(held.next_event(Duration::from_millis(700)).await, None);
    // Mints count locally; polls and new streams work.
    let mut offline = Browser::default();
    let (status, minted) = offline.mint(&http, &b).await;
    assert_eq!(status, 200, "{minted}");
    let offline_state = minted["state"].as_str().unwrap().to_owned();
    assert_eq!(
        offline.poll(&http, &a, &offline_state).await["status"],
        "pending"
    );
    let _offline_stream = offline.stream(&http, &b, &offline_state).await;
    for instance in [&a, &b] {
        let health = http
            .get(instance.api.replace("/api/layers", "/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        assert!(
            instance.logs_soon(REDIS_WARNING).await,
            "a warning in the log: {:?}",
            instance.logs.lock().unwrap()
        );
        assert!(
            !instance.logged("panicked"),
            "{:?}",
            instance.logs.lock().unwrap()
        );
    }
    assert!(a.alive() && b.alive(), "nothing crashed");

    // 5. Redis comes back: the instances reconnect (with backoff) and share again.
    redis.launch();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut n = 0;
    loop {
        n += 1;
        assert_eq!(
            deliver(&http, &b, &format!("msg_back_{n}"), "tiktok").await,
            204
        );
        if held.next_event(Duration::from_millis(500)).await.as_deref() == Some(NUDGE) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "A never heard B again after Redis came back"
        );
    }
    assert!(a.alive() && b.alive());
}
