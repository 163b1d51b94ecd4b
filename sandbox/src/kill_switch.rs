//! Layers' emergency brake: disable one key, one organization, or the whole partner API.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::config::ApiKey;

#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct KillSwitch {
    pub global: bool,
    pub organizations: BTreeSet<String>,
    pub keys: BTreeSet<String>,
}

impl KillSwitch {
    /// The broadest switch that blocks `key`, as `details.scope` names it.
    pub(crate) fn blocking(&self, key: &ApiKey) -> Option<&'static str> {
        if self.global {
            Some("global")
        } else if self.organizations.contains(&key.organization) {
            Some("organization")
        } else if self.keys.contains(&key.id) {
            Some("key")
        } else {
            None
        }
    }
}
