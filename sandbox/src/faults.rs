//! Injected faults: the next N requests to a route misbehave on purpose.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};

/// The /v1 routes, as fault injection and budgets know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub(crate) enum Route {
    #[serde(rename = "oauth-url")]
    OAuthUrl,
    #[serde(rename = "oauth-status")]
    OAuthStatus,
    #[serde(rename = "social-accounts")]
    SocialAccounts,
}

/// One queued fault, as posted to `/_sandbox/faults`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Fault {
    pub route: Route,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    #[serde(default)]
    pub malformed: bool,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// Why this fault cannot be queued, if it cannot.
    pub(crate) fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.count == 0 {
            return Some(("count", "count must be at least 1."));
        }
        match self.status {
            Some(s) if self.malformed && !(200..=599).contains(&s) => {
                Some(("status", "status must be 200-599."))
            }
            Some(s) if !self.malformed && !(400..=599).contains(&s) => {
                Some(("status", "status must be 400-599 (or set malformed)."))
            }
            None if self.delay_ms.is_none() && !self.malformed => {
                Some(("status", "Give at least one of status, delayMs, malformed."))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queued: HashMap<Route, VecDeque<Fault>>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        self.queued.entry(fault.route).or_default().push_back(fault);
    }

    /// Consumes one use of the oldest fault queued for `route`.
    pub(crate) fn take(&mut self, route: Route) -> Option<Fault> {
        let queue = self.queued.get_mut(&route)?;
        let head = queue.front_mut()?;
        head.count -= 1;
        let fault = head.clone();
        if head.count == 0 {
            queue.pop_front();
        }
        Some(fault)
    }

    pub(crate) fn pending(&self) -> Vec<Fault> {
        let mut all: Vec<Fault> = self.queued.values().flatten().cloned().collect();
        all.sort_by_key(|f| format!("{:?}", f.route));
        all
    }
}
