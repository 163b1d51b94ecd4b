//! Per-key request budgets in fixed windows (aligned to the Unix epoch).

use std::collections::HashMap;
use std::time::Duration;

use time::OffsetDateTime;

/// Which budget a route spends: polling and listing share one, minting has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BudgetClass {
    Read,
    Write,
}

#[derive(Debug, Default)]
pub(crate) struct Budgets {
    used: HashMap<(String, BudgetClass), (i128, u32)>,
}

impl Budgets {
    /// Spends one request, or returns the whole seconds until the window resets.
    pub(crate) fn spend(
        &mut self,
        key_id: &str,
        class: BudgetClass,
        limit: u32,
        window: Duration,
        now: OffsetDateTime,
    ) -> Result<(), u64> {
        let window_ns = window.as_nanos().max(1_000_000_000) as i128;
        let now_ns = now.unix_timestamp_nanos();
        let index = now_ns.div_euclid(window_ns);
        let entry = self
            .used
            .entry((key_id.to_owned(), class))
            .or_insert((index, 0));
        if entry.0 != index {
            *entry = (index, 0);
        }
        if entry.1 >= limit {
            let remaining_ns = (index + 1) * window_ns - now_ns;
            let secs = (remaining_ns + 999_999_999) / 1_000_000_000;
            return Err(secs.max(1) as u64);
        }
        entry.1 += 1;
        Ok(())
    }

    pub(crate) fn clear(&mut self) {
        self.used.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn exhausts_then_reports_seconds_to_window_end_then_refills() {
        let mut b = Budgets::default();
        let w = Duration::from_secs(60);
        let t = datetime!(2026-04-18 19:00:15.5 UTC);
        assert!(b.spend("k", BudgetClass::Read, 2, w, t).is_ok());
        assert!(b.spend("k", BudgetClass::Read, 2, w, t).is_ok());
        assert_eq!(b.spend("k", BudgetClass::Read, 2, w, t), Err(45));
        // Other class and other key are untouched.
        assert!(b.spend("k", BudgetClass::Write, 2, w, t).is_ok());
        assert!(b.spend("k2", BudgetClass::Read, 2, w, t).is_ok());
        assert!(b
            .spend(
                "k",
                BudgetClass::Read,
                2,
                w,
                datetime!(2026-04-18 19:01:00 UTC)
            )
            .is_ok());
    }
}
