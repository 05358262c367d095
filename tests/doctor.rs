//! `ghl-console doctor` on a good setup and on a broken one, through the real binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use ghl_console::sandbox;

fn doctor(config: &std::path::Path, token: Option<&str>, logs: &std::path::Path) -> (i32, String) {
    let mut command = common::bin::ghl_console(logs);
    command.args(["--config", config.to_str().unwrap(), "doctor"]);
    if let Some(token) = token {
        command.env("GHL_TOKEN", token);
    }
    let out = command.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// Writes a config in `dir` for the sandbox at `base_url`, with its Rankr store at `store`.
fn sandbox_config(
    dir: &std::path::Path,
    base_url: &str,
    store: &std::path::Path,
) -> std::path::PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nbase_url = \"{base_url}\"\nlocation_id = \"{}\"\n[rankr]\nstore_path = \"{}\"\n",
            sandbox::DEMO_LOCATION_ID,
            store.display()
        ),
    )
    .unwrap();
    config
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_passes_a_good_setup() {
    let with_limits = sandbox::SandboxConfig {
        contacts: 5,
        ..sandbox::SandboxConfig::default()
    };
    let (sandbox, _client) = common::start_with(with_limits).await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store/rankr.sqlite3");
    let config = sandbox_config(dir.path(), &sandbox.base_url(), &store);
    let (code, text) = doctor(&config, Some(sandbox::DEMO_TOKEN), &dir.path().join("logs"));
    eprintln!("{text}");
    assert_eq!(code, 0, "{text}");
    for line in [
        "ok   config",
        "ok   token",
        "ok   api",
        "ok   rate limit",
        "ok   clock",
        "ok   store",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(!text.contains(sandbox::DEMO_TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_names_what_is_broken_and_how_to_fix_it() {
    let (sandbox, _client) = common::start(5).await;
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "wrong-token\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{}\"\n[auth]\ntoken_file = \"{}\"\n",
            sandbox.base_url(),
            sandbox::DEMO_LOCATION_ID,
            token_file.display()
        ),
    )
    .unwrap();
    let (code, text) = doctor(&config, None, &dir.path().join("logs"));
    eprintln!("{text}");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("FAIL config"), "{text}");
    // The remedy the message carries is the fix line, not a general word about the file.
    assert!(
        text.contains(&format!("fix: chmod 600 {}", token_file.display())),
        "{text}"
    );
    assert!(!text.contains("correct the file"), "{text}");

    // Fixed permissions, wrong token: the API check fails with the fix.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (code, text) = doctor(&config, None, &dir.path().join("logs"));
    eprintln!("{text}");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("ok   permissions"), "{text}");
    assert!(text.contains("FAIL api"), "{text}");
    assert!(text.contains("unauthorized (401)"), "{text}");
    assert!(
        text.contains("fix: the token is invalid or expired"),
        "{text}"
    );
    assert!(!text.contains("wrong-token"), "{text}");
    assert!(!text.contains("set a token first"), "{text}");
    // The checks that read the test call's answer are listed, skipped, not left out.
    assert!(
        text.contains("skip rate limit       needs a successful API call"),
        "{text}"
    );
    assert!(
        text.contains("skip clock            needs a successful API call"),
        "{text}"
    );
    assert!(text.contains("ok   store"), "{text}");

    // A typo in the file: file, line and key.
    std::fs::write(&config, "[api]\nbase_ulr = \"http://x.test\"\n").unwrap();
    let (code, text) = doctor(&config, None, &dir.path().join("logs"));
    assert_eq!(code, 2);
    assert!(text.contains("config.toml:2:"), "{text}");
    assert!(text.contains("base_ulr"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_parses_the_webhook_keys() {
    let (sandbox, _client) = common::start(2).await;
    let dir = tempfile::tempdir().unwrap();
    let bad_pem = dir.path().join("bad.pem");
    std::fs::write(
        &bad_pem,
        "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let public = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]).verifying_key();
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(&public.to_bytes());
    let spki = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &der);
    let cases = [
        (
            format!("ed25519_public_key = \"{spki}\"\n"),
            "ok   webhook keys",
        ),
        (
            "ed25519_public_key = \"MCowBQYDK2VwAyEA\"\n".to_string(),
            "FAIL webhook keys     webhook.ed25519_public_key: the webhook key cannot be read",
        ),
        (
            format!("rsa_public_key_file = \"{}\"\n", bad_pem.display()),
            "FAIL webhook keys",
        ),
    ];
    for (hook, wanted) in cases {
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[api]\nbase_url = \"{}\"\nlocation_id = \"{}\"\n[rankr]\nstore_path = \"{}\"\n[webhook]\n{hook}",
                sandbox.base_url(),
                sandbox::DEMO_LOCATION_ID,
                dir.path().join("rankr.sqlite3").display()
            ),
        )
        .unwrap();
        let (code, text) = doctor(&config, Some(sandbox::DEMO_TOKEN), dir.path());
        assert!(
            text.contains(wanted),
            "{hook}: missing {wanted:?} in\n{text}"
        );
        if wanted.starts_with("FAIL") {
            assert_eq!(code, 2, "{text}");
        }
    }
}

/// With a token in place, a client that cannot be built gets the fix for what is missing, not
/// "set a token first"; the checks after it are listed as skipped.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_fits_the_fix_to_why_the_api_check_failed() {
    let (sandbox, _client) = common::start(2).await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("oauth.json");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{}\"\n[rankr]\nstore_path = \"{}\"\n\
             [auth]\nkind = \"oauth\"\nclient_id = \"{}\"\noauth_store = \"{}\"\n",
            sandbox.base_url(),
            sandbox::DEMO_LOCATION_ID,
            dir.path().join("rankr.sqlite3").display(),
            sandbox::DEMO_CLIENT_ID,
            store.display()
        ),
    )
    .unwrap();
    let logs = dir.path().join("logs");

    // Not logged in (a stray PIT is set, and ignored under OAuth).
    let (code, text) = doctor(&config, Some(sandbox::DEMO_TOKEN), &logs);
    eprintln!("{text}");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("FAIL api"), "{text}");
    assert!(text.contains("fix: run `ghl-console auth login`"), "{text}");
    assert!(!text.contains("set a token first"), "{text}");
    assert!(text.contains("skip rate limit"), "{text}");
    assert!(text.contains("skip clock"), "{text}");

    // Logged in, the token expired, no client secret to refresh it with.
    let app = common::oauth::login(&sandbox, dir.path()).await;
    let mut stored = app.store.load().unwrap().unwrap();
    stored.expires_at = chrono::Utc::now() - chrono::Duration::seconds(60);
    app.store.save(&stored).unwrap();
    let (code, text) = doctor(&config, None, &logs);
    eprintln!("{text}");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("FAIL api"), "{text}");
    assert!(
        text.contains("fix: the token needs a refresh, which needs the client secret: set GHL_CLIENT_SECRET or auth.client_secret_file"),
        "{text}"
    );
    assert!(!text.contains("set a token first"), "{text}");
    assert!(
        text.contains("skip rate limit       needs a successful API call"),
        "{text}"
    );
    assert!(
        text.contains("skip clock            needs a successful API call"),
        "{text}"
    );
    assert!(text.contains("ok   store"), "{text}");
}

/// A version GHL does not serve fails the test call with a fix that names `api.version` and
/// `GHL_VERSION`; one that is not a date at all fails the config, fixed in the variable.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_names_the_version_setting_when_the_version_is_refused() {
    let (sandbox, _client) = common::start(2).await;
    let dir = tempfile::tempdir().unwrap();
    let config = sandbox_config(
        dir.path(),
        &sandbox.base_url(),
        &dir.path().join("rankr.sqlite3"),
    );
    let run = |version: &str| {
        let out = common::bin::ghl_console(dir.path())
            .args(["--config", config.to_str().unwrap(), "doctor"])
            .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
            .env("GHL_VERSION", version)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.code().unwrap_or(-1), text)
    };

    let (code, text) = run("2099-01-01");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("FAIL api"), "{text}");
    assert!(
        text.contains(
            "fix: set api.version (or GHL_VERSION) to a version GHL serves, such as 2021-07-28; it is \"2099-01-01\" now"
        ),
        "{text}"
    );
    assert!(!text.contains("see the message"), "{text}");

    let (code, text) = run("2021-07-28\nX-Evil: 1");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("FAIL config           environment variable GHL_VERSION: `api.version`"),
        "{text}"
    );
    assert!(
        text.contains("fix: correct GHL_VERSION as the message says, or unset it"),
        "{text}"
    );
    assert!(!text.contains("correct the file"), "{text}");
}

/// Without a token the checks that need one are skipped with the reason, not passed.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_skips_what_needs_a_token_when_there_is_none() {
    let (sandbox, _client) = common::start(2).await;
    let dir = tempfile::tempdir().unwrap();
    let config = sandbox_config(
        dir.path(),
        &sandbox.base_url(),
        &dir.path().join("rankr.sqlite3"),
    );
    let (code, text) = doctor(&config, None, dir.path());
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("FAIL token            no token"), "{text}");
    assert!(
        text.contains("skip scopes           needs a token"),
        "{text}"
    );
    assert!(
        text.contains("skip api              needs a token"),
        "{text}"
    );
    assert!(
        text.contains("skip rate limit       needs a successful API call"),
        "{text}"
    );
    assert!(!text.contains("ok   scopes"), "{text}");
    assert_eq!(sandbox.stats().total, 0, "nothing was sent");

    // With a token, a PIT's scopes still say what the console needs.
    let (_, text) = doctor(&config, Some(sandbox::DEMO_TOKEN), dir.path());
    assert!(
        text.contains("ok   scopes           not readable from a PIT"),
        "{text}"
    );
    assert!(text.contains("ok   api"), "{text}");
}
