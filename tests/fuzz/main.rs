//! Property-based fuzzing of every parser that reads outside input: API response models, webhook
//! signatures and payloads, typed due dates and the configuration file. The JSON viewer's
//! properties live beside it (`src/tui/widgets/json_view/fuzz.rs`).
//!
//! Each target runs a small number of cases by default so `cargo test` stays quick. The long
//! mode is the same tests with more cases:
//!
//! ```sh
//! PROPTEST_CASES=100000 cargo test --test fuzz -- --test-threads 1
//! ```
//!
//! Every input that once made a target fail is kept as a named regression test in the module
//! of its target.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod config_text;
mod dates;
mod exchanges;
mod models;
mod strategies;
mod sync_mapping;
mod webhooks;

use proptest::test_runner::Config;

/// The proptest configuration of a target: `default_cases` cases, or `PROPTEST_CASES` when it is
/// set (the long mode). Failures are not written to files: each one found becomes a named test.
pub fn config(default_cases: u32) -> Config {
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    config
}
