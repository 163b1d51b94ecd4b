//! Contract tests for the Layers sandbox: every row of both spec tables, plus the
//! sandbox's own rules (consent flow, controls, budgets, secrets, concurrency).
//! One test binary, so the crate links once.

mod common;

mod binary;
mod consent_flow;
mod controls;
mod failure_codes;
mod fixtures;
mod oauth_status;
mod oauth_url;
mod poll_budget;
mod social_accounts;
mod webhooks;
