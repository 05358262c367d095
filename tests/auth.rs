//! OAuth against the sandbox's token endpoint: code exchange, refresh on expiry and on a 401
//! (C30), one refresh at a time across processes (C31), rotation written before use, agency
//! location tokens, and the 0600 store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::sync::Arc;

use common::oauth::{app, consent, oauth_client};
use ghl_console::auth::OAuthApp;
use ghl_console::ghl::client::{BoxFuture, Refresh};
use ghl_console::ghl::{ClientConfig, GhlClient, GhlError, Secret};
use ghl_console::sandbox::{self, SandboxConfig, SandboxHandle};

/// A sandbox of 3 contacts with a second location, for agency logins.
async fn agency_sandbox() -> SandboxHandle {
    common::spawn(SandboxConfig {
        contacts: 3,
        rate_limit: None,
        extra_locations: vec![("pit-second".into(), "sBxSecondL0cation002".into())],
        ..SandboxConfig::default()
    })
    .await
}

async fn logged_in() -> (SandboxHandle, tempfile::TempDir, Arc<OAuthApp>) {
    let sandbox = common::sandbox_of(5).await;
    let dir = tempfile::tempdir().unwrap();
    let app = common::oauth::login(&sandbox, dir.path()).await;
    (sandbox, dir, app)
}

#[tokio::test]
async fn code_exchange_stores_private_tokens_that_work() {
    let (sandbox, dir, app) = logged_in().await;
    let stored = app.store.load().unwrap().unwrap();
    assert_eq!(
        stored.location_id.as_deref(),
        Some(sandbox::DEMO_LOCATION_ID)
    );
    assert!(stored.scopes.iter().any(|s| s == "contacts.write"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("oauth.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let client = oauth_client(&sandbox, app);
    let page = client
        .list_contacts(&ghl_console::ghl::ListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.value.contacts.len(), 5);
    let text = std::fs::read_to_string(dir.path().join("oauth.json")).unwrap();
    assert!(!format!("{:?}", page.exchange).contains(&stored.access_token.expose().to_string()));
    assert!(text.contains(stored.refresh_token.expose()));
}

#[tokio::test]
async fn c30_refresh_once_on_401_then_retry() {
    let (sandbox, _dir, app) = logged_in().await;
    let client = oauth_client(&sandbox, app.clone());
    let mut recorder = common::Recorder::new(&client);
    sandbox.revoke_access_tokens();
    let before = app.store.load().unwrap().unwrap();

    client
        .list_contacts(&ghl_console::ghl::ListQuery::default())
        .await
        .unwrap();
    let statuses: Vec<_> = recorder.drain().iter().map(|e| e.status).collect();
    assert_eq!(statuses, vec![Some(401), Some(200)]);
    assert_eq!(sandbox.oauth_stats().refreshes, 1);
    let after = app.store.load().unwrap().unwrap();
    assert_ne!(
        before.refresh_token, after.refresh_token,
        "the refresh token rotated"
    );
}

/// A token source whose refresh yields a token the server refuses too.
#[derive(Debug)]
struct Refused;

impl Refresh for Refused {
    fn current(&self) -> BoxFuture<'_, Result<Secret, GhlError>> {
        Box::pin(async { Ok(Secret::new("refused-token-1")) })
    }

    fn refresh<'a>(&'a self, _: &'a Secret) -> BoxFuture<'a, Result<Secret, GhlError>> {
        Box::pin(async { Ok(Secret::new("refused-token-2")) })
    }
}

#[tokio::test]
async fn c30_second_401_asks_for_reauthorisation_without_looping() {
    let (sandbox, client) = common::start(3).await;
    let mut config = ClientConfig::new(
        sandbox.base_url(),
        Secret::default(),
        sandbox::DEMO_LOCATION_ID,
    );
    config.rate_limit = None;
    let client2 = GhlClient::with_refresh(config, Arc::new(Refused)).unwrap();
    drop(client);
    let mut recorder = common::Recorder::new(&client2);
    let err = client2.get_contact("abc").await.unwrap_err();
    assert!(matches!(err, GhlError::Unauthorized { .. }));
    assert!(err.to_string().contains("re-authorise"), "{err}");
    assert_eq!(recorder.drain().len(), 2, "one try, one retry, no loop");
}

#[tokio::test]
async fn c30_expired_token_is_refreshed_before_the_call() {
    let (sandbox, _dir, app) = logged_in().await;
    let mut stored = app.store.load().unwrap().unwrap();
    stored.expires_at = chrono::Utc::now() + chrono::Duration::seconds(30);
    app.store.save(&stored).unwrap();
    let client = oauth_client(&sandbox, app);
    let mut recorder = common::Recorder::new(&client);
    client
        .list_contacts(&ghl_console::ghl::ListQuery::default())
        .await
        .unwrap();
    assert_eq!(
        recorder.drain().len(),
        1,
        "refreshed ahead, so no 401 was drawn"
    );
    assert_eq!(sandbox.oauth_stats().refreshes, 1);
}

#[tokio::test]
async fn c31_two_refreshers_one_refresh_token_no_invalid_grant() {
    let (sandbox, dir, app) = logged_in().await;
    sandbox.revoke_access_tokens();
    let rejected = app.store.load().unwrap().unwrap().access_token;
    // Two independent users of the same store, as two processes would be.
    let a = Arc::new(self::app(&sandbox, &dir.path().join("oauth.json")));
    let b = Arc::new(self::app(&sandbox, &dir.path().join("oauth.json")));
    let (ra, rb) = tokio::join!(a.refresh(Some(&rejected)), b.refresh(Some(&rejected)));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(
        ra.access_token, rb.access_token,
        "the second saw the first's refresh"
    );
    assert_eq!(sandbox.oauth_stats().refreshes, 1);
    assert_eq!(sandbox.oauth_stats().invalid_grants, 0);
}

#[tokio::test]
async fn c31_two_processes_refresh_at_once() {
    let (sandbox, dir, app) = logged_in().await;
    sandbox.revoke_access_tokens();
    let mut stored = app.store.load().unwrap().unwrap();
    stored.expires_at = chrono::Utc::now() - chrono::Duration::seconds(1);
    app.store.save(&stored).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{}\"\nrate_limit = \"off\"\n[auth]\nkind = \"oauth\"\nclient_id = \"{}\"\noauth_store = \"{}\"\n",
            sandbox.base_url(),
            sandbox::DEMO_LOCATION_ID,
            sandbox::DEMO_CLIENT_ID,
            dir.path().join("oauth.json").display()
        ),
    )
    .unwrap();
    let run = || {
        common::bin::ghl_console(dir.path())
            .args([
                "--config",
                config.to_str().unwrap(),
                "api",
                "GET",
                &format!(
                    "/contacts/?limit=1&locationId={}",
                    sandbox::DEMO_LOCATION_ID
                ),
                "--json",
            ])
            .env("GHL_CLIENT_SECRET", sandbox::DEMO_CLIENT_SECRET)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (run(), run());
    let outputs = tokio::task::spawn_blocking(move || {
        (
            first.wait_with_output().unwrap(),
            second.wait_with_output().unwrap(),
        )
    })
    .await
    .unwrap();
    for out in [&outputs.0, &outputs.1] {
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{said}");
        assert!(said.contains("\"contacts\""), "{said}");
    }
    assert_eq!(sandbox.oauth_stats().refreshes, 1);
    assert_eq!(sandbox.oauth_stats().invalid_grants, 0);
}

#[tokio::test]
async fn a_spent_refresh_token_is_invalid_grant() {
    let (sandbox, _dir, app) = logged_in().await;
    let old = app.store.load().unwrap().unwrap();
    app.refresh(None).await.unwrap();
    // Put the spent pair back, as a store that was not written before use would hold.
    app.store.save(&old).unwrap();
    let err = app.refresh(None).await.unwrap_err();
    assert!(err.to_string().contains("re-authorise"), "{err}");
    assert_eq!(sandbox.oauth_stats().invalid_grants, 1);
}

#[tokio::test]
async fn agency_token_lists_locations_and_gets_a_location_token() {
    let sandbox = agency_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(&sandbox, &dir.path().join("oauth.json"));
    let code = consent(&sandbox, "Company").await;
    let tokens = app
        .exchange_code(&code, "http://127.0.0.1:9/cb")
        .await
        .unwrap();
    assert_eq!(tokens.user_type.as_deref(), Some("Company"));
    let company = tokens.company_id.unwrap();
    let locations = app.installed_locations(&company).await.unwrap();
    let ids: Vec<_> = locations.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, vec![sandbox::DEMO_LOCATION_ID, "sBxSecondL0cation002"]);

    for location in ids {
        let token = app.location_token(&company, location).await.unwrap();
        let mut config = ClientConfig::new(sandbox.base_url(), token, location);
        config.rate_limit = None;
        let client = GhlClient::new(config).unwrap();
        client
            .list_contacts(&ghl_console::ghl::ListQuery::default())
            .await
            .unwrap();
    }
    // A company token cannot call location endpoints itself.
    let mut config = ClientConfig::new(
        sandbox.base_url(),
        tokens.access_token,
        sandbox::DEMO_LOCATION_ID,
    );
    config.rate_limit = None;
    let direct = GhlClient::new(config).unwrap();
    assert!(
        direct
            .list_contacts(&ghl_console::ghl::ListQuery::default())
            .await
            .is_err()
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_readable_store_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (_sandbox, dir, app) = logged_in().await;
    let path = dir.path().join("oauth.json");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = app.store.load().unwrap_err().to_string();
    assert!(err.contains("chmod 600"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn agency_login_switches_location_by_flag() {
    let sandbox = agency_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("oauth.json");
    let code = consent(&sandbox, "Company").await;
    app(&sandbox, &store)
        .exchange_code(&code, "http://127.0.0.1:9/cb")
        .await
        .unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nbase_url = \"{}\"\nrate_limit = \"off\"\n[auth]\nkind = \"oauth\"\nclient_id = \"{}\"\noauth_store = \"{}\"\n",
            sandbox.base_url(),
            sandbox::DEMO_CLIENT_ID,
            store.display()
        ),
    )
    .unwrap();
    for (location, contacts) in [(sandbox::DEMO_LOCATION_ID, 3), ("sBxSecondL0cation002", 0)] {
        let path = format!("/contacts/?locationId={location}");
        let out = common::bin::ghl_console(dir.path())
            .args([
                "--config",
                config.to_str().unwrap(),
                "api",
                "--location",
                location,
                "GET",
                &path,
                "--json",
            ])
            .env("GHL_CLIENT_SECRET", sandbox::DEMO_CLIENT_SECRET)
            .output()
            .unwrap();
        let body = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{body}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["contacts"].as_array().unwrap().len(), contacts);
    }
}

#[tokio::test]
async fn forbidden_names_the_scope_and_the_location() {
    let (sandbox, _client) = common::start(3).await;
    let mut config = ClientConfig::new(
        sandbox.base_url(),
        Secret::new(sandbox::DEMO_TOKEN),
        "someone-elses-location",
    );
    config.rate_limit = None;
    config.scopes = Some(vec!["contacts.readonly".into()]);
    let client = GhlClient::new(config).unwrap();
    let err = client
        .list_contacts(&ghl_console::ghl::ListQuery::default())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, GhlError::Forbidden { .. }), "{text}");
    assert!(text.contains("needs the scope contacts.readonly"), "{text}");
    assert!(text.contains("the token has: contacts.readonly"), "{text}");
    assert!(text.contains("someone-elses-location"), "{text}");
}

/// A config for the sandbox's demo OAuth app with its tokens in `dir/oauth.json`.
fn oauth_config(sandbox: &SandboxHandle, dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{}\"\nrate_limit = \"off\"\n[auth]\nkind = \"oauth\"\nclient_id = \"{}\"\noauth_store = \"{}\"\n{extra}",
            sandbox.base_url(),
            sandbox::DEMO_LOCATION_ID,
            sandbox::DEMO_CLIENT_ID,
            dir.join("oauth.json").display()
        ),
    )
    .unwrap();
    config
}

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stored_pit_never_replaces_the_oauth_login() {
    let (sandbox, dir, _app) = logged_in().await;
    let config = oauth_config(&sandbox, dir.path(), "");
    // What an earlier `auth set-token` left in the config dir, and a stray GHL_TOKEN: both
    // would be refused by the sandbox, so a call that goes through used the OAuth token.
    let config_dir = dir.path().join("config-dir");
    std::fs::create_dir_all(&config_dir).unwrap();
    ghl_console::config::write_private(&config_dir.join("token"), b"pit-left-over-token\n")
        .unwrap();
    let path = format!(
        "/contacts/?limit=1&locationId={}",
        sandbox::DEMO_LOCATION_ID
    );
    for stray in [None, Some("pit-stray-env-token")] {
        let mut command = common::bin::ghl_console(dir.path());
        command
            .args([
                "--config",
                config.to_str().unwrap(),
                "api",
                "GET",
                &path,
                "--json",
            ])
            .env("GHL_CLIENT_SECRET", sandbox::DEMO_CLIENT_SECRET);
        if let Some(token) = stray {
            command.env("GHL_TOKEN", token);
        }
        let out = command.output().unwrap();
        assert!(out.status.success(), "{}", said(&out));
        assert!(said(&out).contains("\"contacts\""), "{}", said(&out));
    }
    let out = common::bin::ghl_console(dir.path())
        .args(["--config", config.to_str().unwrap(), "config", "show"])
        .output()
        .unwrap();
    let text = said(&out);
    assert!(
        text.contains("# token: OAuth access token **** from"),
        "{text}"
    );
    assert!(!text.contains("Private Integration Token"), "{text}");
    assert!(!text.contains("pit-left-over-token"), "{text}");
    let out = common::bin::ghl_console(dir.path())
        .args(["--config", config.to_str().unwrap(), "doctor"])
        .env("GHL_CLIENT_SECRET", sandbox::DEMO_CLIENT_SECRET)
        .output()
        .unwrap();
    let text = said(&out);
    assert!(
        text.contains("token            OAuth access token"),
        "{text}"
    );
    assert!(text.contains("ok   api"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_status_shows_an_oauth_login_without_the_client_secret() {
    let (sandbox, dir, _app) = logged_in().await;
    let config = oauth_config(&sandbox, dir.path(), "");
    let out = common::bin::ghl_console(dir.path())
        .args(["--config", config.to_str().unwrap(), "auth", "status"])
        .output()
        .unwrap();
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("auth: OAuth (Location)"), "{text}");
    assert!(text.contains(sandbox::DEMO_LOCATION_ID), "{text}");
}

/// Runs `auth login` on a loopback redirect port it picks itself (`redirect_port = 0`: no port
/// is freed here and handed over, which another process could take meanwhile; the login binds
/// it before printing the URL, so the redirect cannot arrive before it listens); `tamper`
/// turns the redirect the browser would follow into the requests made to the listener, in
/// order. Returns the listener's status for each, whether the login was still running after
/// each, the login's output and whether tokens were stored.
async fn login_through_loopback(
    tamper: fn(&str) -> Vec<String>,
) -> (Vec<u16>, Vec<bool>, std::process::Output, bool) {
    use std::io::BufRead as _;
    let sandbox = common::sandbox_of(2).await;
    let dir = tempfile::tempdir().unwrap();
    let config = oauth_config(&sandbox, dir.path(), "redirect_port = 0\n");
    let mut child = common::bin::ghl_console(dir.path())
        .args(["--config", config.to_str().unwrap(), "auth", "login"])
        .env("GHL_CLIENT_SECRET", sandbox::DEMO_CLIENT_SECRET)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (url, rest) = tokio::task::spawn_blocking(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        let mut url = None;
        let mut port = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line.trim().starts_with("http") {
                url = Some(line.trim().to_string());
            }
            if let Some(rest) = line.strip_prefix("Waiting for the redirect on 127.0.0.1:") {
                port = rest.split(' ').next().map(str::to_string);
                break;
            }
        }
        let url = url.unwrap();
        // The URL names the port the login took, which is the one it says it waits on.
        let port = port.expect("the login says where it waits");
        assert_ne!(port, "0");
        let redirect = format!("127.0.0.1%3A{port}%2Fcallback");
        assert!(
            url.contains(&redirect),
            "{url} should redirect to port {port}"
        );
        (url, lines)
    })
    .await
    .unwrap();
    assert!(url.contains("state="), "{url}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let consent = http.get(&url).send().await.unwrap();
    let callback = consent.headers()["location"].to_str().unwrap().to_string();
    let mut statuses = Vec::new();
    let mut running = Vec::new();
    for request in tamper(&callback) {
        let status = http.get(&request).send().await.unwrap().status().as_u16();
        statuses.push(status);
        // A login that ends on this request has exited well within this time.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        running.push(child.try_wait().unwrap().is_none());
    }
    if running.last() == Some(&true) && statuses.last() != Some(&200) {
        // Still waiting, as it should after a refusal: end it here.
        child.kill().unwrap();
    }
    let out = tokio::task::spawn_blocking(move || {
        let printed: Vec<String> = rest.map_while(Result::ok).collect();
        let mut out = child.wait_with_output().unwrap();
        out.stdout = printed.join("\n").into_bytes();
        out
    })
    .await
    .unwrap();
    (
        statuses,
        running,
        out,
        dir.path().join("oauth.json").exists(),
    )
}

/// A redirect with another state, or none, is refused (400, its code never exchanged) and
/// said on stderr; the login goes on waiting and takes its own redirect after it.
#[tokio::test(flavor = "multi_thread")]
async fn auth_login_refuses_a_callback_with_another_state_and_keeps_waiting() {
    let forged_then_real = |callback: &str| {
        let (before, _) = callback.split_once("&state=").unwrap();
        let forged = format!("{before}&state=forged-by-someone-else");
        let port = callback.split("127.0.0.1:").nth(1).unwrap();
        let port = port.split('/').next().unwrap();
        let bare = format!("http://127.0.0.1:{port}/callback?code=abc&state=forged");
        vec![forged, bare, callback.to_string()]
    };
    let (statuses, running, out, stored) = login_through_loopback(forged_then_real).await;
    let text = said(&out);
    assert_eq!(statuses, [400, 400, 200], "{text}");
    assert_eq!(
        running[..2],
        [true, true],
        "still waiting after a refusal: {text}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr
            .matches("refused a redirect with a wrong state")
            .count(),
        2,
        "{stderr}"
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("logged in"), "{text}");
    assert!(stored);

    let dropped = |callback: &str| vec![callback.split_once("&state=").unwrap().0.to_string()];
    let (statuses, running, out, stored) = login_through_loopback(dropped).await;
    let text = said(&out);
    assert_eq!(statuses, [400], "{text}");
    assert_eq!(running, [true], "{text}");
    assert!(
        text.contains("refused a redirect with a wrong state"),
        "{text}"
    );
    assert!(!stored, "no tokens from a callback without state");

    let (statuses, _, out, stored) = login_through_loopback(|c| vec![c.to_string()]).await;
    let text = said(&out);
    assert_eq!(statuses, [200], "{text}");
    assert!(out.status.success(), "{text}");
    assert!(text.contains("logged in"), "{text}");
    assert!(stored);
}

/// Over SSH the redirect URL is pasted: one with another state is refused and said on stderr,
/// and the login asks again and takes its own.
#[tokio::test(flavor = "multi_thread")]
async fn auth_login_paste_refuses_a_url_with_another_state_and_asks_again() {
    use std::io::{BufRead as _, Write as _};
    let sandbox = common::sandbox_of(2).await;
    let dir = tempfile::tempdir().unwrap();
    let config = oauth_config(&sandbox, dir.path(), "");
    let mut child = common::bin::ghl_console(dir.path())
        .args([
            "--config",
            config.to_str().unwrap(),
            "auth",
            "login",
            "--paste",
        ])
        .env("GHL_CLIENT_SECRET", sandbox::DEMO_CLIENT_SECRET)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (url, rest) = tokio::task::spawn_blocking(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        let url = lines
            .by_ref()
            .map(Result::unwrap)
            .find(|line| line.trim().starts_with("http"))
            .unwrap();
        (url.trim().to_string(), lines)
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let consent = http.get(&url).send().await.unwrap();
    let callback = consent.headers()["location"].to_str().unwrap().to_string();
    let (before, _) = callback.split_once("&state=").unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{before}&state=stale-from-another-login").unwrap();
    writeln!(stdin, "{callback}").unwrap();
    drop(stdin);
    let out = tokio::task::spawn_blocking(move || {
        let printed: Vec<String> = rest.map_while(Result::ok).collect();
        let mut out = child.wait_with_output().unwrap();
        out.stdout = printed.join("\n").into_bytes();
        out
    })
    .await
    .unwrap();
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refused a redirect with a wrong state"),
        "{stderr}"
    );
    assert!(text.contains("logged in"), "{text}");
    assert!(dir.path().join("oauth.json").exists());
}

/// An unexpired stored access token is used as is: `doctor`, `api` and `sync` need no client
/// secret for it. Once a refresh is due, the error says so and asks for the secret.
#[tokio::test(flavor = "multi_thread")]
async fn an_unexpired_oauth_token_needs_no_client_secret() {
    let (sandbox, dir, app) = logged_in().await;
    let config = oauth_config(&sandbox, dir.path(), "");
    let config = config.to_str().unwrap();
    let path = format!(
        "/contacts/?limit=1&locationId={}",
        sandbox::DEMO_LOCATION_ID
    );
    let run = |args: &[&str]| {
        let out = common::bin::ghl_console(dir.path())
            .args(["--config", config])
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), said(&out))
    };
    let (code, text) = run(&["api", "GET", &path, "--json"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("\"contacts\""), "{text}");
    assert!(!text.contains("client secret"), "{text}");

    let (_, text) = run(&["doctor"]);
    assert!(text.contains("ok   api"), "{text}");
    assert!(!text.contains("no client secret"), "{text}");

    let store = dir.path().join("rankr.sqlite3");
    let (code, text) = run(&["sync", "--dry-run", "--store", store.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("client secret"), "{text}");
    assert_eq!(sandbox.oauth_stats().refreshes, 0);

    // Expired: a refresh is due, and it needs the secret.
    let mut stored = app.store.load().unwrap().unwrap();
    stored.expires_at = chrono::Utc::now() - chrono::Duration::seconds(60);
    app.store.save(&stored).unwrap();
    let (code, text) = run(&["api", "GET", &path, "--json"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("the OAuth access token expired at"), "{text}");
    assert!(
        text.contains("refreshing it needs the client secret: set GHL_CLIENT_SECRET or auth.client_secret_file"),
        "{text}"
    );
    assert_eq!(sandbox.oauth_stats().refreshes, 0);

    // With the secret, the same call refreshes and goes through.
    let out = common::bin::ghl_console(dir.path())
        .args(["--config", config, "api", "GET", &path, "--json"])
        .env("GHL_CLIENT_SECRET", sandbox::DEMO_CLIENT_SECRET)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(sandbox.oauth_stats().refreshes, 1);
}
