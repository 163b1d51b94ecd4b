//! What a run found: one result per rule, rendered as one PASS/FAIL line each.

use std::fmt;

use url::Url;

/// How one rule went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The proxy did what the rule asks.
    Pass,
    /// It did not; the text says what the kit saw.
    Fail(String),
    /// The rule could not be checked here (e.g. a raw-socket probe on https); the text says why.
    Skip(String),
}

/// One rule's result.
#[derive(Debug, Clone)]
pub struct RuleResult {
    /// The rule's name, e.g. `csrf.no-origin`.
    pub rule: &'static str,
    /// The one-line fix hint printed under a FAIL.
    pub hint: &'static str,
    /// What happened.
    pub outcome: Outcome,
}

/// Every rule's result, in the order the rules ran.
#[derive(Debug, Clone)]
pub struct Report {
    /// The proxy that was checked.
    pub proxy: Url,
    /// The sandbox it forwarded to.
    pub sandbox: Url,
    /// One entry per rule.
    pub results: Vec<RuleResult>,
}

impl Report {
    /// No rule failed (skipped rules do not count as failures).
    pub fn passed(&self) -> bool {
        self.failed().is_empty()
    }

    /// Names of the rules that failed.
    pub fn failed(&self) -> Vec<&'static str> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Fail(_)))
            .map(|r| r.rule)
            .collect()
    }

    /// The result of `rule`, if it ran.
    pub fn get(&self, rule: &str) -> Option<&RuleResult> {
        self.results.iter().find(|r| r.rule == rule)
    }

    /// The process exit code the CLI uses: 0 when nothing failed, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.passed())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "check-proxy: {} (Layers sandbox at {})",
            self.proxy, self.sandbox
        )?;
        let (mut passed, mut failed, mut skipped) = (0, 0, 0);
        for result in &self.results {
            match &result.outcome {
                Outcome::Pass => {
                    passed += 1;
                    writeln!(f, "PASS {}", result.rule)?;
                }
                Outcome::Fail(why) => {
                    failed += 1;
                    writeln!(f, "FAIL {}: {}", result.rule, one_line(why))?;
                    writeln!(f, "     fix: {}", result.hint)?;
                }
                Outcome::Skip(why) => {
                    skipped += 1;
                    writeln!(f, "SKIP {}: {}", result.rule, one_line(why))?;
                }
            }
        }
        writeln!(
            f,
            "{} rules: {passed} passed, {failed} failed, {skipped} skipped",
            self.results.len()
        )
    }
}

/// A proxy's answer can hold anything: keep each finding on its line, and short.
fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > 300 {
        let cut: String = flat.chars().take(300).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcomes: Vec<(&'static str, Outcome)>) -> Report {
        Report {
            proxy: Url::parse("http://127.0.0.1:8080/api/layers/").unwrap(),
            sandbox: Url::parse("http://127.0.0.1:8081/").unwrap(),
            results: outcomes
                .into_iter()
                .map(|(rule, outcome)| RuleResult {
                    rule,
                    hint: "do the thing",
                    outcome,
                })
                .collect(),
        }
    }

    #[test]
    fn one_line_per_rule_and_a_hint_under_each_fail() {
        let r = report(vec![
            ("a", Outcome::Pass),
            ("b", Outcome::Fail("answered 200\nand more".into())),
            ("c", Outcome::Skip("https".into())),
        ]);
        let text = r.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "PASS a");
        assert_eq!(lines[2], "FAIL b: answered 200 and more");
        assert_eq!(lines[3], "     fix: do the thing");
        assert_eq!(lines[4], "SKIP c: https");
        assert_eq!(lines[5], "3 rules: 1 passed, 1 failed, 1 skipped");
        assert_eq!(r.failed(), ["b"]);
        assert!(!r.passed());
        assert_eq!(r.exit_code(), 1);
    }

    #[test]
    fn skips_do_not_fail_the_run() {
        let r = report(vec![("a", Outcome::Pass), ("c", Outcome::Skip("x".into()))]);
        assert!(r.passed());
        assert_eq!(r.exit_code(), 0);
    }

    #[test]
    fn long_findings_are_cut() {
        let r = report(vec![("a", Outcome::Fail("x".repeat(1000)))]);
        let line = r.to_string().lines().nth(1).unwrap().to_owned();
        assert!(line.chars().count() < 320, "{line}");
    }
}
