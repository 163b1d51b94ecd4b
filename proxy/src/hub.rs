//! Where webhook nudges and poll outcomes meet the open event streams of this
//! instance. A signal goes to every local stream, each of which keeps only
//! its own (see [`Signal::concerns`]); the [`crate::backplane`] carries
//! signals between instances.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::{broadcast, OwnedSemaphorePermit, Semaphore};

/// Signals in flight per instance before a slow stream misses some; a stream
/// that lags treats the gap as a nudge (a poll too many, never one too few).
const BACKLOG: usize = 1024;

/// Something the open streams may need to hear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Signal {
    /// A webhook said an account of `platform` was connected (in `project`,
    /// when the envelope names it): the streams waiting on such a state
    /// should have their widget poll now.
    Nudge {
        project: Option<String>,
        platform: String,
    },
    /// The poll route relayed a terminal status (completed or failed) for `state`.
    Ended { state: String },
    /// A poll of `state` got no good answer (a 429, another error, none at
    /// all): its widget is waiting one out, so its stream must not poll
    /// for it (`crate::events`, the check).
    Backoff { state: String },
}

/// What one stream is waiting on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Interest {
    pub(crate) state: String,
    /// `None`: a state cookie from before bindings were recorded; any nudge concerns it.
    pub(crate) project: Option<String>,
    pub(crate) platform: Option<String>,
}

impl Signal {
    /// Whether a stream waiting on `interest` should hear this.
    pub(crate) fn concerns(&self, interest: &Interest) -> bool {
        let matches = |want: &Option<String>, got: &str| want.as_deref().is_none_or(|w| w == got);
        match self {
            Self::Nudge { project, platform } => {
                matches(&interest.platform, platform)
                    && project
                        .as_deref()
                        .is_none_or(|p| matches(&interest.project, p))
            }
            Self::Ended { state } | Self::Backoff { state } => *state == interest.state,
        }
    }

    /// The form that travels between instances.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn to_wire(&self, origin: &str) -> Value {
        match self {
            Self::Nudge { project, platform } => {
                json!({ "kind": "nudge", "origin": origin, "project": project, "platform": platform })
            }
            Self::Ended { state } => json!({ "kind": "ended", "origin": origin, "state": state }),
            Self::Backoff { state } => {
                json!({ "kind": "backoff", "origin": origin, "state": state })
            }
        }
    }

    /// The signal and its origin instance, if `wire` is one this proxy wrote.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn from_wire(wire: &Value) -> Option<(Self, String)> {
        let text = |name: &str| wire.get(name).and_then(Value::as_str).map(str::to_owned);
        let origin = text("origin")?;
        let signal = match wire.get("kind").and_then(Value::as_str)? {
            "nudge" => Self::Nudge {
                project: text("project"),
                platform: text("platform")?,
            },
            "ended" => Self::Ended {
                state: text("state")?,
            },
            "backoff" => Self::Backoff {
                state: text("state")?,
            },
            _ => return None,
        };
        Some((signal, origin))
    }
}

/// This instance's streams: the signal channel and the open-stream cap.
#[derive(Clone)]
pub(crate) struct Hub {
    signals: broadcast::Sender<Signal>,
    slots: Arc<Semaphore>,
}

impl Hub {
    pub(crate) fn new(max_streams: usize) -> Self {
        Self {
            signals: broadcast::channel(BACKLOG).0,
            slots: Arc::new(Semaphore::new(max_streams)),
        }
    }

    /// A place for one more stream, or `None` at the cap.
    pub(crate) fn open_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.signals.subscribe()
    }

    /// Tells this instance's streams (none listening is fine).
    pub(crate) fn deliver_local(&self, signal: Signal) {
        let _ = self.signals.send(signal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interest(project: Option<&str>, platform: Option<&str>) -> Interest {
        Interest {
            state: "st_a".into(),
            project: project.map(Into::into),
            platform: platform.map(Into::into),
        }
    }

    fn nudge(project: Option<&str>, platform: &str) -> Signal {
        Signal::Nudge {
            project: project.map(Into::into),
            platform: platform.into(),
        }
    }

    #[test]
    fn nudges_match_as_narrowly_as_they_name() {
        let mine = interest(Some("prj_a"), Some("tiktok"));
        assert!(nudge(Some("prj_a"), "tiktok").concerns(&mine));
        assert!(
            nudge(None, "tiktok").concerns(&mine),
            "no project named: every tiktok stream"
        );
        assert!(!nudge(Some("prj_b"), "tiktok").concerns(&mine));
        assert!(!nudge(Some("prj_a"), "instagram").concerns(&mine));
        assert!(!nudge(None, "instagram").concerns(&mine));
        // An unbound (older) cookie hears every nudge: a poll too many, never one too few.
        assert!(nudge(Some("prj_b"), "instagram").concerns(&interest(None, None)));
    }

    #[test]
    fn ends_match_their_state_only() {
        let mine = interest(Some("prj_a"), Some("tiktok"));
        assert!(Signal::Ended {
            state: "st_a".into()
        }
        .concerns(&mine));
        assert!(!Signal::Ended {
            state: "st_b".into()
        }
        .concerns(&mine));
        assert!(Signal::Backoff {
            state: "st_a".into()
        }
        .concerns(&mine));
        assert!(!Signal::Backoff {
            state: "st_b".into()
        }
        .concerns(&mine));
    }

    #[test]
    fn wire_form_round_trips_and_refuses_strangers() {
        for signal in [
            nudge(Some("prj_a"), "tiktok"),
            nudge(None, "instagram"),
            Signal::Ended {
                state: "st_a".into(),
            },
            Signal::Backoff {
                state: "st_a".into(),
            },
        ] {
            assert_eq!(
                Signal::from_wire(&signal.to_wire("i1")),
                Some((signal, "i1".into()))
            );
        }
        assert_eq!(
            Signal::from_wire(&json!({"kind":"nudge","origin":"i1"})),
            None
        );
        assert_eq!(
            Signal::from_wire(&json!({"kind":"other","origin":"i1"})),
            None
        );
        assert_eq!(
            Signal::from_wire(&json!({"kind":"backoff","origin":"i1"})),
            None
        );
        assert_eq!(Signal::from_wire(&json!("text")), None);
    }

    #[test]
    fn slots_are_capped_and_come_back() {
        let hub = Hub::new(2);
        let a = hub.open_slot().unwrap();
        let _b = hub.open_slot().unwrap();
        assert!(hub.open_slot().is_none());
        drop(a);
        assert!(hub.open_slot().is_some());
    }
}
