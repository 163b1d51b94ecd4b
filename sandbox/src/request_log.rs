//! The /v1 requests the sandbox received, so a test can check how a client polled.

use std::collections::VecDeque;

use serde::Serialize;

/// Oldest entries are dropped past this, so a long demo does not grow without bound.
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoggedRequest {
    /// RFC 3339 with milliseconds, from the sandbox clock.
    pub time: String,
    pub method: String,
    pub path: String,
    pub key_id: Option<String>,
    pub status: u16,
    pub request_id: String,
}

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: VecDeque<LoggedRequest>,
}

impl RequestLog {
    pub(crate) fn record(&mut self, entry: LoggedRequest) {
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub(crate) fn entries(&self) -> Vec<LoggedRequest> {
        self.entries.iter().cloned().collect()
    }
}
