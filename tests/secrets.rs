//! Secrets and files: a whole console session and the headless commands run with a distinctive
//! token, then every output is searched for it; files holding secrets are 0600; a saved
//! exchange never lands outside its directory, whatever the server sent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

#[path = "common/bin.rs"]
mod bin;

mod console_support;

use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use console_support::{Console, Filtering};
use ghl_console::ghl::models::Contact;
use ghl_console::ghl::{ClientConfig, Exchange, GhlClient, Secret};
use ghl_console::rankr::{RankrStore, SqliteStore};
use ghl_console::sandbox::{DEMO_LOCATION_ID, Faults, SandboxConfig, SandboxHandle};
use ghl_console::sync::EngineConfig;
use ghl_console::tui::app::Settings;
use ghl_console::tui::clipboard::osc52_sequence;
use ghl_console::tui::update::Msg;
use ghl_console::worker::messages::Event;
use ghl_console::worker::{self, WorkerExtras};

/// The token of these tests: distinctive, so any hit is a leak.
const TOKEN: &str = "pit-LEAKCHECK-7f3a9c2e-51d4-4b8e-9a61-0c9d8e7f6a5b";

/// A sandbox that opens only for [`TOKEN`].
async fn sandbox() -> SandboxHandle {
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let config = SandboxConfig {
        contacts: 40,
        rate_limit: None,
        tokens: vec![TOKEN.to_string()],
        ..SandboxConfig::default()
    };
    ghl_console::sandbox::spawn(config, listen).await.unwrap()
}

/// A console on the sandbox with a store for syncs, saving exchanges into `dir/exchanges`,
/// keeping every frame it draws.
async fn console(dir: &Path) -> Console {
    let sandbox = sandbox().await;
    let mut config = ClientConfig::new(sandbox.base_url(), Secret::new(TOKEN), DEMO_LOCATION_ID);
    config.rate_limit = None;
    config.max_retries = 1;
    let client = GhlClient::new(config).unwrap();
    let store: Arc<dyn RankrStore> =
        Arc::new(SqliteStore::open(&dir.join("rankr.sqlite3")).unwrap());
    let extras = WorkerExtras {
        sync: Some((store, EngineConfig::new(DEMO_LOCATION_ID))),
        ..WorkerExtras::default()
    };
    let worker = worker::spawn_with(client, console_support::worker_options(), extras);
    let settings = Settings {
        save_dir: dir.join("exchanges"),
        log_path: Some(dir.join("logs")),
        ..console_support::settings()
    };
    let app = console_support::app(settings);
    // The filter pass runs at once: these tests look at its result.
    let mut console = Console::from_parts(app, worker, sandbox, None, Filtering::Inline).await;
    console.frames = Some(Vec::new());
    console
}

/// Fails when `text` holds the token, or its base64.
fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "the token is in {what}");
    assert!(
        !text.contains(&STANDARD.encode(TOKEN)),
        "the token's base64 is in {what}"
    );
    let secret_part = &TOKEN[4..];
    assert!(
        !text.contains(secret_part),
        "part of the token is in {what}"
    );
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

fn assert_files_clean(dir: &Path) -> usize {
    let found = files(dir);
    for path in &found {
        let bytes = std::fs::read(path).unwrap();
        assert_clean(
            &path.display().to_string(),
            &String::from_utf8_lossy(&bytes),
        );
    }
    found.len()
}

/// Captures panic messages instead of printing them, for the forced panic.
fn capture_panic(run: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let caught = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&caught);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        sink.lock().unwrap().push_str(&info.to_string());
    }));
    let outcome = std::panic::catch_unwind(run);
    std::panic::set_hook(previous);
    assert!(outcome.is_err(), "the forced panic did not happen");
    caught.lock().unwrap().clone()
}

/// The log of every thread of this test binary at TRACE level, in one file (a tracing
/// subscriber is per process). It lives in Cargo's scratch directory for tests and is
/// started afresh by each run.
fn log_file() -> &'static Path {
    static LOG: OnceLock<PathBuf> = OnceLock::new();
    LOG.get_or_init(|| {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("secrets-trace.log");
        let writer = std::fs::File::create(&path).unwrap();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(Mutex::new(writer))
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        path
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_console_session_never_shows_the_token() {
    let log = log_file();
    let dir = tempfile::tempdir().unwrap();
    let mut console = console(dir.path()).await;
    let contact: Contact = console
        .sandbox
        .store()
        .contacts(DEMO_LOCATION_ID)
        .into_iter()
        .find(|c| c.email.is_some())
        .unwrap();

    // List, search, open, edit a task, write a note.
    console.keys(&["/"]).await;
    console.type_text(contact.email.as_deref().unwrap()).await;
    console.keys(&["enter", "y", "tab", "y", "tab", "n"]).await;
    console.type_text("Leak check").await;
    console.keys(&["tab", "tab", "ctrl-u"]).await;
    console.type_text("+3d").await;
    console.keys(&["ctrl-s", "y", "tab", "n"]).await;
    console.type_text("A note").await;
    console.keys(&["ctrl-s"]).await;

    // The inspector: copy as curl, copy the body, save, search the body.
    console.keys(&["i", "c", "y", "s", "s", "/"]).await;
    console.type_text("contact").await;
    console.keys(&["enter", "n", "f"]).await;

    // A sync, then an error.
    console.keys(&["tab", "S"]).await;
    assert!(console.app.sync.last.is_some(), "the sync did not end");
    console.sandbox.set_faults(Faults {
        error_every: Some(1),
        error_statuses: vec![500],
        ..Faults::default()
    });
    console.keys(&["tab", "/"]).await;
    console.type_text("zzz").await;
    console.keys(&["enter"]).await;
    console.sandbox.set_faults(Faults::default());
    assert!(
        console.app.status.last_error.is_some(),
        "no error was shown"
    );
    for _ in 0..7 {
        console.keys(&["tab"]).await;
    }

    // A panic while the state is live: its message is what a crash would print.
    let state = format!("{:?}", console.app);
    let panic_text = capture_panic(move || panic!("forced panic with the state: {state}"));
    assert!(panic_text.contains("forced panic"), "{panic_text}");
    assert_clean("the panic message", &panic_text);

    let (frames, copies) = (console.frames.as_ref().unwrap(), &console.copied);
    assert!(frames.len() > 30, "{} frames", frames.len());
    for (n, frame) in frames.iter().enumerate() {
        assert_clean(&format!("frame {n}"), frame);
    }
    assert!(
        copies.iter().any(|c| c.contains("$GHL_TOKEN")),
        "no curl was copied"
    );
    for copy in copies {
        assert_clean("a copy", copy);
        for in_tmux in [false, true] {
            if let Ok(sequence) = osc52_sequence(copy, in_tmux) {
                assert_clean("an OSC 52 sequence", &sequence);
            }
        }
    }
    for exchange in &console.app.inspector.exchanges {
        assert_clean(
            "an exchange",
            &serde_json::to_string(exchange.as_ref()).unwrap(),
        );
        assert_clean("a curl", &exchange.to_curl());
    }
    let saved = files(&dir.path().join("exchanges"));
    assert_eq!(saved.len(), 2, "two saves, two files: {saved:?}");
    for path in &saved {
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    let log = std::fs::read_to_string(log).unwrap();
    assert!(log.contains("/contacts"), "the log has no request");
    assert_clean("the log", &log);
    println!("{} bytes of log", log.len());
    let checked = assert_files_clean(dir.path());
    println!(
        "{} frames, {} copies, {checked} files checked",
        frames.len(),
        copies.len()
    );
}

/// Runs the real binary with the token in its environment; returns stdout and stderr.
fn run_cli(args: &[&str], base_url: &str, home: &Path) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ghl-console"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("GHL_CONSOLE_LOG_DIR", home.join("logs"))
        .env("GHL_CONSOLE_CONFIG_DIR", home.join("config/ghl-console"))
        .env("GHL_LOG", "trace")
        .env("GHL_TOKEN", TOKEN)
        .env("GHL_BASE_URL", base_url)
        .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn headless_commands_never_print_or_log_the_token() {
    log_file();
    let sandbox = sandbox().await;
    let base_url = sandbox.base_url();
    let contact = sandbox.store().contacts(DEMO_LOCATION_ID)[0].id.clone();
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("rankr.sqlite3");
    let store = store.to_str().unwrap().to_string();
    let get = format!("/contacts/{contact}");
    let search = format!(r#"{{"locationId":"{DEMO_LOCATION_ID}","pageLimit":2}}"#);
    let runs: Vec<Vec<&str>> = vec![
        vec!["api", "GET", &get],
        vec!["api", "GET", &get, "--json"],
        vec!["api", "GET", "/contacts/no-such-contact"],
        vec!["api", "POST", "/contacts/search", "--data", &search],
        vec!["api", "GET", "/oauth/installedLocations"],
        vec!["sync", "--full", "--store", &store],
        vec!["sync", "--store", &store, "--json"],
        vec!["doctor"],
        vec!["config", "show"],
        vec!["auth", "status"],
    ];
    for args in runs {
        let (home_dir, base) = (home.path().to_path_buf(), base_url.clone());
        let argv: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
        let (code, stdout, stderr) = tokio::task::spawn_blocking(move || {
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            run_cli(&argv, &base, &home_dir)
        })
        .await
        .unwrap();
        let label = args.join(" ");
        println!(
            "`{label}` exited {code}, {} bytes out",
            stdout.len() + stderr.len()
        );
        assert!(code >= 0, "{label} was killed; stderr: {stderr}");
        if label == format!("api GET {get}") || label.starts_with("sync --full") {
            assert_eq!(
                code, 0,
                "{label} failed, so the token was not used: {stdout}{stderr}"
            );
        }
        assert_clean(&format!("stdout of `{label}`"), &stdout);
        assert_clean(&format!("stderr of `{label}`"), &stderr);
    }
    let logs = files(&home.path().join("logs"));
    let logged: u64 = logs
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(logged > 0, "no log was written");
    println!("{} log files, {logged} bytes", logs.len());
    let checked = assert_files_clean(home.path());
    println!("{checked} files checked");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_stored_by_auth_set_token_is_0600() {
    let home = tempfile::tempdir().unwrap();
    let config_dir = home.path().join("config/ghl-console");
    let out = bin::ghl_console(home.path())
        .args(["auth", "set-token"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("GHL_CONSOLE_CONFIG_DIR", &config_dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{TOKEN}\n").as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_clean("the output of auth set-token", &format!("{stdout}{stderr}"));
    let token_file = config_dir.join("token");
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::read_to_string(&token_file).unwrap().trim(), TOKEN);
    for path in files(home.path()) {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains(TOKEN) {
            assert_eq!(mode, 0o600, "{} holds the token", path.display());
        }
    }
}

/// Exchanges whose URL, trace id and error carry what a hostile server could put in them.
fn hostile_exchanges() -> Vec<Exchange> {
    let long = "a".repeat(10_000);
    let odd = [
        "../../x".to_string(),
        "/etc/passwd".to_string(),
        "..\\..\\x".to_string(),
        "x\u{0}y".to_string(),
        format!("{long}/{long}"),
        "~/.ssh/authorized_keys".to_string(),
        "%2e%2e%2f%2e%2e%2fx".to_string(),
    ];
    odd.iter()
        .enumerate()
        .map(|(i, bad)| Exchange {
            id: 9_000 + i as u64,
            started_at: bad.clone(),
            method: "GET".into(),
            url: format!("http://127.0.0.1:1/contacts/{bad}"),
            status: Some(200),
            response_body: Some(format!(
                r#"{{"id":"{}","path":"{}"}}"#,
                bad.escape_default(),
                bad.escape_default()
            )),
            trace_id: Some(bad.clone()),
            error: Some(bad.clone()),
            ..Exchange::default()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_exchanges_stay_in_their_directory_whatever_the_server_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut console = console(dir.path()).await;
    let before: Vec<PathBuf> = files(dir.path());
    let exchanges = hostile_exchanges();
    for exchange in &exchanges {
        console.msg(Msg::Worker(Event::Exchange(Arc::new(exchange.clone()))));
    }
    console.keys(&["i", "g"]).await;
    for _ in 0..exchanges.len() {
        console.keys(&["s", "s", "j"]).await;
    }

    let save_dir = dir.path().join("exchanges");
    let saved = files(&save_dir);
    assert_eq!(saved.len(), 2 * exchanges.len(), "{saved:?}");
    for path in &saved {
        assert_eq!(
            path.parent(),
            Some(save_dir.as_path()),
            "{}",
            path.display()
        );
        let name = path.file_name().unwrap().to_str().unwrap();
        let stem = name
            .strip_prefix("ghl-exchange-")
            .and_then(|rest| rest.strip_suffix(".json"));
        let ok = stem.is_some_and(|s| s.chars().all(|c| c.is_ascii_digit() || c == '-'));
        assert!(ok, "a file name built from something else: {name}");
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
        let back: Exchange = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(back.id >= 9_000 || back.url.starts_with("http"), "{name}");
    }
    let after: Vec<PathBuf> = files(dir.path())
        .into_iter()
        .filter(|p| !p.starts_with(&save_dir))
        .collect();
    let new: Vec<&PathBuf> = after
        .iter()
        .filter(|p| !before.contains(p) && !p.to_string_lossy().contains("rankr.sqlite3"))
        .collect();
    assert!(
        new.is_empty(),
        "files written outside the save directory: {new:?}"
    );
    let parent = dir.path().parent().unwrap();
    assert!(!parent.join("x").exists() && !dir.path().join("x").exists());
}
