//! C33: the official HighLevel JavaScript SDK (`@gohighlevel/api-client`, pinned in
//! `tests/sdk/package.json`) pointed at the sandbox on loopback. `tests/sdk/c33.mjs` lists,
//! searches, reads, creates, updates and deletes contacts, tags, tasks and notes through the SDK
//! and checks every answer; this test starts the sandbox, runs the script with node and checks
//! what the sandbox saw. Skipped (with the reason printed) when `node` or
//! `tests/sdk/node_modules` is missing; `.ci/run` installs both (`npm ci --prefix tests/sdk`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use ghl_console::sandbox::{self, DEMO_LOCATION_ID, DEMO_TOKEN, SandboxConfig};

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk")
}

/// Why the test cannot run here, if it cannot.
fn missing() -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("node is not installed".into());
    }
    let sdk = sdk_dir().join("node_modules/@gohighlevel/api-client/package.json");
    if !sdk.is_file() {
        return Some(format!(
            "{} is missing; run `npm ci --prefix tests/sdk`",
            sdk.display()
        ));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c33_the_official_js_sdk_works_against_the_sandbox() {
    if let Some(why) = missing() {
        println!("skipped: {why}");
        return;
    }
    let config = SandboxConfig {
        contacts: 20,
        rate_limit: None,
        daily_limit: None,
        ..SandboxConfig::default()
    };
    let handle = sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = handle.base_url();
    let script = sdk_dir().join("c33.mjs");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .args([base.as_str(), DEMO_TOKEN, DEMO_LOCATION_ID])
            // Only the sandbox: no proxy may carry a request elsewhere.
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{said}");
    assert!(out.status.success(), "the SDK script failed:\n{said}");
    assert!(said.contains("c33: ok"), "{said}");

    let stats = handle.stats();
    let count = |version: &str| stats.versions.get(version).copied().unwrap_or(0);
    // Every call but two carried the SDK's default version; one client was set to the older
    // published version, and one to an unknown version, which was refused before routing.
    assert!(count("2023-02-21") >= 20, "{stats:?}");
    assert_eq!(count("2023-02-21"), stats.total - 2, "{stats:?}");
    assert_eq!(count("2021-07-28"), 1, "{stats:?}");
    assert_eq!(count("(other)"), 1, "{stats:?}");
    assert_eq!(count("(missing)"), 0, "{stats:?}");
    let unmatched: u64 = stats
        .routes
        .iter()
        .filter(|(route, _)| route.contains("(unmatched)"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(unmatched, 1, "{stats:?}");
    // The refused version (400) and the deleted contact read back (404); all else succeeded.
    let failed: Vec<(u16, u64)> = stats
        .statuses
        .iter()
        .filter(|(status, _)| !matches!(status, 200 | 201))
        .map(|(s, n)| (*s, *n))
        .collect();
    assert_eq!(failed, [(400, 1), (404, 1)], "{stats:?}");
    for route in [
        "GET /contacts/",
        "POST /contacts/",
        "POST /contacts/search",
        "GET /contacts/{contactId}",
        "PUT /contacts/{contactId}",
        "POST /contacts/{contactId}/tasks",
        "GET /contacts/{contactId}/tasks/{taskId}",
        "POST /contacts/{contactId}/notes",
        "GET /contacts/{contactId}/notes/{id}",
    ] {
        assert!(stats.routes.contains_key(route), "{route}: {stats:?}");
    }
    handle.shutdown().await;
}
