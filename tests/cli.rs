//! The headless commands through the real binary: read-only writes refused, tokens stored by
//! `auth set-token` found again, closed pipes, shell completions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::StoreView;
use ghl_console::sandbox;

/// One way of setting read-only mode on a command.
type Setup<'a> = dyn Fn(&mut Command) + 'a;

/// The binary with a clean environment pointed at a sandbox.
fn console(base_url: &str, dir: &std::path::Path) -> Command {
    let mut command = common::bin::ghl_console(dir);
    command
        .env("GHL_BASE_URL", base_url)
        .env("GHL_CONSOLE_CONFIG_DIR", dir.join("config"));
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn api_refuses_writes_in_read_only_mode_however_it_is_set() {
    let (sandbox, _client) = common::start(3).await;
    let dir = tempfile::tempdir().unwrap();
    let id = sandbox.contact_ids()[0].clone();
    let path = format!("/contacts/{id}");
    let config = dir.path().join("locked.toml");
    std::fs::write(
        &config,
        format!(
            "[[locations]]\nid = \"{}\"\nread_only = true\n",
            sandbox::DEMO_LOCATION_ID
        ),
    )
    .unwrap();

    let ways: Vec<Box<Setup<'_>>> = vec![
        Box::new(|c| {
            c.arg("--read-only");
        }),
        Box::new(|c| {
            c.env("GHL_READ_ONLY", "1");
        }),
        Box::new(|c| {
            c.args(["--config", config.to_str().unwrap()]);
        }),
    ];
    for way in &ways {
        let mut command = console(&sandbox.base_url(), dir.path());
        way(&mut command);
        command
            .args(["api", "DELETE", &path])
            .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
            .env("GHL_LOCATION_ID", sandbox::DEMO_LOCATION_ID);
        let out = command.output().unwrap();
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("read-only mode: refusing DELETE"), "{said}");
    }
    assert!(
        sandbox.store().contact(&id).is_some(),
        "nothing was deleted"
    );

    // Reads and searches still work.
    let mut command = console(&sandbox.base_url(), dir.path());
    command
        .args(["--read-only", "api", "GET", &path, "--json"])
        .env("GHL_TOKEN", sandbox::DEMO_TOKEN);
    assert!(command.output().unwrap().status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_stored_by_set_token_is_used_without_editing_the_config() {
    let (sandbox, _client) = common::start(3).await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = console(&sandbox.base_url(), dir.path())
        .args(["auth", "set-token"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", sandbox::DEMO_TOKEN).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("config/token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let out = console(&sandbox.base_url(), dir.path())
        .args(["doctor", "--location", sandbox::DEMO_LOCATION_ID])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("ok   token"), "{said}");
    assert!(said.contains("ok   api"), "{said}");
    assert!(!said.contains(sandbox::DEMO_TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_with_a_subcommand_is_refused_before_anything_reaches_the_configured_account() {
    let (sandbox, _client) = common::start(3).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("account.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{}\"\n",
            sandbox.base_url(),
            sandbox::DEMO_LOCATION_ID
        ),
    )
    .unwrap();
    let id = sandbox.contact_ids()[0].clone();
    let store = dir.path().join("rankr.sqlite3");
    let run = |args: &[&str]| {
        common::bin::ghl_console(dir.path())
            .args(["--config", config.to_str().unwrap()])
            .args(args)
            .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
            .output()
            .unwrap()
    };
    let path = format!("/contacts/{id}");
    for args in [
        [
            "--demo",
            "sync",
            "--dry-run",
            "--store",
            store.to_str().unwrap(),
        ]
        .as_slice(),
        &["--demo", "sync", "--store", store.to_str().unwrap()],
        &["--demo", "api", "GET", &path],
        &["--demo", "api", "DELETE", &path],
        &["--demo", "doctor"],
        &["--demo", "webhook", "--listen", "127.0.0.1:0"],
    ] {
        let out = run(args);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.contains(&format!(
                "--demo only opens the console and cannot be used with a subcommand: `{}`",
                args[1]
            )),
            "{said}"
        );
        assert!(said.contains("ghl-console sandbox"), "{said}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(sandbox.stats().total, 0, "{:?}", sandbox.stats());
    assert!(
        sandbox.store().contact(&id).is_some(),
        "nothing was deleted"
    );
    assert!(!store.exists(), "no store was made");

    // The same configuration does reach the sandbox without --demo: the refusal is what kept
    // the requests away.
    let out = run(&["api", "GET", &path, "--json"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(sandbox.stats().total, 1, "{:?}", sandbox.stats());
}

#[test]
fn closed_pipes_end_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["completions", "bash"][..], &["doctor"][..]] {
        let mut child = console("http://127.0.0.1:9", dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!said.contains("panicked"), "{args:?}: {said}");
    }
}

/// Writes `text` as a config file in `dir` and runs `config check` on it: the exit code, what
/// it printed and the file's path as the messages spell it.
fn config_check(dir: &std::path::Path, text: &str) -> (Option<i32>, String, String) {
    let config = dir.join("config.toml");
    std::fs::write(&config, text).unwrap();
    let out = common::bin::ghl_console(dir)
        .args(["config", "check", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.code(), said, config.display().to_string())
}

#[test]
fn config_check_validates_key_remaps() {
    let dir = tempfile::tempdir().unwrap();
    let (code, said, path) = config_check(
        dir.path(),
        "[ui.keys]\n\"nope.action\" = [\"x\"]\n\"quit\" = [\"ctrl-zz\"]\n",
    );
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("nope.action"), "{said}");
    assert!(said.contains("ctrl-zz"), "{said}");
    // Each problem names the file and the line of its entry.
    assert!(
        said.contains(&format!("{path}:2: unknown action \"nope.action\"")),
        "{said}"
    );
    assert!(said.contains(&format!("{path}:3: unknown key")), "{said}");
}

#[test]
fn config_check_names_the_line_of_an_unknown_key_action_under_other_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (code, said, path) = config_check(
        dir.path(),
        "[api]\nlocation_id = \"loc\"\n\n[ui.keys]\n\"quit\" = [\"q\"]\n\n\
         \"contacts.nope\" = [\"x\"]\n",
    );
    assert_eq!(code, Some(1), "{said}");
    let line = format!("{path}:7: unknown action \"contacts.nope\" in key remapping");
    assert!(said.contains(&line), "{said}");
}

#[test]
fn config_check_reports_every_problem_with_the_checks_the_runtime_uses() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("many.toml");
    std::fs::write(
        &config,
        "[api]\nbase_url = \"ftp://127.0.0.1:1\"\ntimeout_secs = \"soon\"\nnope = 1\n\n\
         [webhook]\ned25519_public_key = \"bm90IGEga2V5\"\n",
    )
    .unwrap();
    let check = |config: &std::path::Path| {
        let out = common::bin::ghl_console(dir.path())
            .args(["config", "check", "--config", config.to_str().unwrap()])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        (out.status.code(), said)
    };
    let (code, said) = check(&config);
    assert_eq!(code, Some(1), "{said}");
    let path = config.display();
    assert!(
        said.starts_with(&format!("invalid: {path}: 4 errors\n")),
        "{said}"
    );
    for line in [
        format!("{path}:3:"),
        format!("{path}:4:"),
        format!("{path}:2:1: `api.base_url`: base URL \"ftp://127.0.0.1:1\""),
        format!(
            "{path}:7:1: `webhook.ed25519_public_key`: the webhook key cannot be read: Ed25519 key"
        ),
    ] {
        assert!(said.contains(&line), "{line} in {said}");
    }
    assert!(said.contains("timeout_secs"), "{said}");
    assert!(said.contains("nope"), "{said}");

    // A command refused for the file says every problem in it too, not the first alone.
    let out = common::bin::ghl_console(dir.path())
        .args(["--config", config.to_str().unwrap(), "api", "GET", "/x"])
        .env("GHL_TOKEN", "pit-not-used")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("the config has 4 problems"), "{err}");
    for line in [
        format!("{path}:3:"),
        format!("{path}:4:"),
        format!("{path}:7:1:"),
    ] {
        assert!(err.contains(&line), "{line} in {err}");
    }

    // Each alone is still found, and a good file is ok.
    for (text, key) in [
        (
            "[webhook]\ned25519_public_key = \"bm90IGEga2V5\"\n",
            "webhook.ed25519_public_key",
        ),
        ("[api]\nbase_url = \"ftp://127.0.0.1:1\"\n", "api.base_url"),
    ] {
        std::fs::write(&config, text).unwrap();
        let (code, said) = check(&config);
        assert_eq!(code, Some(1), "{said}");
        assert!(
            said.contains(&format!("invalid: {path}:2:1: `{key}`")),
            "{said}"
        );
    }
    std::fs::write(&config, "[api]\nbase_url = \"http://127.0.0.1:1\"\n").unwrap();
    let (code, said) = check(&config);
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn config_check_lists_key_problems_in_the_same_run_as_every_other_problem() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("all.toml");
    let check = |text: &str| {
        std::fs::write(&config, text).unwrap();
        let out = common::bin::ghl_console(dir.path())
            .args(["config", "check", "--config", config.to_str().unwrap()])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        (out.status.code(), said)
    };
    let path = config.display();
    let keys = "[ui.keys]\n\"no.such\" = [\"z\"]\n\"help\" = [\"notakey+++\"]\n";

    // Values out of range: the file parses, so the settings are checked as well.
    let (code, said) = check(&format!(
        "[api]\ntimeout_secs = 0\nrate_limit = \"0/10s\"\n\n{keys}"
    ));
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.starts_with(&format!("invalid: {path}: 4 errors\n")),
        "{said}"
    );
    for line in [
        format!("{path}:2:1: `api.timeout_secs`"),
        format!("{path}:3:1: `api.rate_limit`"),
        format!("{path}:6: unknown action \"no.such\" in key remapping"),
        format!("{path}:7: unknown key \"notakey+++\""),
    ] {
        assert!(said.contains(&line), "{line} in {said}");
    }

    // An unknown key and a wrong type: the file does not load at all, and the remapping is
    // still checked.
    let (code, said) = check(&format!(
        "[api]\ntimeout_secs = \"soon\"\nnope = 1\n\n{keys}"
    ));
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.starts_with(&format!("invalid: {path}: 4 errors\n")),
        "{said}"
    );
    for line in [
        format!("{path}:2:"),
        format!("{path}:3:"),
        format!("{path}:6: unknown action \"no.such\""),
        format!("{path}:7: unknown key \"notakey+++\""),
    ] {
        assert!(said.contains(&line), "{line} in {said}");
    }
}

#[test]
fn config_check_warns_about_a_key_taken_from_another_action_and_still_says_ok() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("keys.toml");
    let check = |text: &str| {
        std::fs::write(&config, text).unwrap();
        let out = common::bin::ghl_console(dir.path())
            .args(["config", "check", "--config", config.to_str().unwrap()])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        (out.status.code(), said)
    };
    let path = config.display();
    let taken = format!(
        "  warning: {path}:3: key \"q\" of \"task.new\" was also bound to \"quit\"; it now \
         does only \"task.new\""
    );

    // The console applies this mapping, so it is a warning: exit 0.
    let (code, said) = check("[ui.keys]\n\n\"task.new\" = [\"q\"]\n");
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.starts_with(&format!("ok: {path}: 1 warning\n")),
        "{said}"
    );
    assert!(said.contains(&taken), "{said}");

    // With an error beside it, the error decides the exit code and both are listed.
    let (code, said) = check("[ui.keys]\n\"no.such\" = [\"z\"]\n\"task.new\" = [\"q\"]\n");
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.starts_with(&format!("invalid: {path}: 1 error, 1 warning\n")),
        "{said}"
    );
    assert!(
        said.contains(&format!("  error: {path}:2: unknown action \"no.such\"")),
        "{said}"
    );
    assert!(said.contains(&taken), "{said}");
}

/// Runs `command` to its end, or kills it after 20 s (a command that should have refused to
/// start but serves instead), and returns its exit code and stderr.
fn run_briefly(command: &mut Command) -> (Option<i32>, String) {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_range_settings_are_refused_by_config_check_and_by_the_commands_that_use_them() {
    let (sandbox, _client) = common::start(3).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ranges.toml");
    let head = format!(
        "[api]\nbase_url = \"{}\"\nlocation_id = \"{}\"\n",
        sandbox.base_url(),
        sandbox::DEMO_LOCATION_ID
    );
    let path = config.display();
    let store = dir.path().join("rankr.sqlite3");
    let store = store.to_str().unwrap();
    let sync = ["sync", "--store", store];
    let webhook = ["webhook", "--listen", "127.0.0.1:0"];
    for (lines, message, uses) in [
        (
            "[sync]\ninterval_secs = 0\n",
            ":5:1: `sync.interval_secs`: must be from 10 to 86400 seconds, not 0",
            &[
                "sync",
                "--watch",
                "--listen",
                "127.0.0.1:0",
                "--store",
                store,
            ][..],
        ),
        (
            "[sync]\ndefault_country = \"XX\"\n",
            ":5:1: `sync.default_country`: unknown default country \"XX\"",
            &sync[..],
        ),
        (
            "[webhook]\nmax_body_bytes = 0\n",
            ":5:1: `webhook.max_body_bytes`: must be from 4096 to 4194304 bytes, not 0",
            &webhook[..],
        ),
        (
            "max_retries = 1000000\n",
            ":4:1: `api.max_retries`: must be from 0 to 10 retries, not 1000000",
            &["api", "GET", "/contacts/x"][..],
        ),
    ] {
        std::fs::write(&config, format!("{head}{lines}")).unwrap();
        let expected = format!("{path}{message}");
        let out = common::bin::ghl_console(dir.path())
            .args(["config", "check", "--config", config.to_str().unwrap()])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(
            said.contains(&format!("invalid: {expected}")),
            "{expected} in {said}"
        );

        // The command that uses the value refuses to start, with the same message.
        let (code, said) = run_briefly(
            common::bin::ghl_console(dir.path())
                .args(["--config", config.to_str().unwrap()])
                .args(uses)
                .env("GHL_TOKEN", sandbox::DEMO_TOKEN),
        );
        assert_eq!(code, Some(2), "{uses:?}: {said}");
        assert!(
            said.contains(&format!("error: {expected}")),
            "{expected} in {said}"
        );
    }
    assert_eq!(sandbox.stats().total, 0, "{:?}", sandbox.stats());
    assert!(!std::path::Path::new(store).exists(), "no store was made");

    // A flag is held to the same rule as the key it overrides.
    std::fs::write(&config, &head).unwrap();
    let (code, said) = run_briefly(
        common::bin::ghl_console(dir.path())
            .args(["--config", config.to_str().unwrap()])
            .args(sync)
            .args(["--default-country", "XX"])
            .env("GHL_TOKEN", sandbox::DEMO_TOKEN),
    );
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("unknown default country \"XX\""), "{said}");
    assert_eq!(sandbox.stats().total, 0, "{:?}", sandbox.stats());
}

/// `api.version` is sent as a header: a value that is not a date (`YYYY-MM-DD`), a control
/// character above all, is refused by `config check` and by the commands that load the config,
/// from the file and from `GHL_VERSION` alike, and nothing is sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_version_that_is_not_a_date_is_refused_from_the_file_and_the_environment() {
    let (sandbox, _client) = common::start(3).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("version.toml");
    let head = format!(
        "[api]\nbase_url = \"{}\"\nlocation_id = \"{}\"\n",
        sandbox.base_url(),
        sandbox::DEMO_LOCATION_ID
    );
    let store = dir.path().join("rankr.sqlite3");
    let store = store.to_str().unwrap();
    let commands: [&[&str]; 3] = [
        &["api", "GET", "/contacts/x"],
        &["sync", "--store", store],
        &["doctor"],
    ];
    for bad in [
        "2021-07-28\nX-Evil: 1",
        "2021-07-28\r",
        "v2",
        "2021-13-45",
        " 2021-07-28",
    ] {
        let shown = bad.escape_debug().to_string();
        // From the environment: the variable is named.
        std::fs::write(&config, &head).unwrap();
        let out = common::bin::ghl_console(dir.path())
            .args(["config", "check", "--config", config.to_str().unwrap()])
            .env("GHL_VERSION", bad)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {said}");
        assert!(
            said.contains(&format!(
                "invalid: environment variable GHL_VERSION: `api.version`: must be a date like 2021-07-28 (YYYY-MM-DD), not \"{shown}\""
            )),
            "{bad:?}: {said}"
        );
        for uses in commands {
            let out = common::bin::ghl_console(dir.path())
                .args(["--config", config.to_str().unwrap()])
                .args(uses)
                .env("GHL_VERSION", bad)
                .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{uses:?} {bad:?}: {said}");
            assert!(
                said.contains("environment variable GHL_VERSION: `api.version`: must be a date"),
                "{uses:?} {bad:?}: {said}"
            );
        }

        // From the file: its file and line, and the variable that also sets it.
        let text = format!("{head}version = \"{shown}\"\n");
        std::fs::write(&config, &text).unwrap();
        let out = common::bin::ghl_console(dir.path())
            .args(["config", "check", "--config", config.to_str().unwrap()])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {said}");
        assert!(
            said.contains(&format!("invalid: {}:4:1: `api.version`: must be a date like 2021-07-28 (YYYY-MM-DD), not \"{shown}\" (GHL's `Version` header; GHL_VERSION sets it too)", config.display())),
            "{bad:?}: {said}"
        );
        let (code, said) = run_briefly(
            common::bin::ghl_console(dir.path())
                .args([
                    "--config",
                    config.to_str().unwrap(),
                    "api",
                    "GET",
                    "/contacts/x",
                ])
                .env("GHL_TOKEN", sandbox::DEMO_TOKEN),
        );
        assert_eq!(code, Some(2), "{bad:?}: {said}");
        assert!(said.contains("`api.version`: must be a date"), "{said}");
    }
    assert_eq!(sandbox.stats().total, 0, "{:?}", sandbox.stats());

    // The published versions pass.
    for good in ["2021-07-28", "2023-02-21"] {
        std::fs::write(&config, &head).unwrap();
        let out = common::bin::ghl_console(dir.path())
            .args(["config", "check", "--config", config.to_str().unwrap()])
            .env("GHL_VERSION", good)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{good}");
    }
}

/// A file in `dir` holding a secret, readable by group and others.
#[cfg(unix)]
fn open_secret(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, "pit-not-private\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    path
}

/// `config check` on `text` with `envs` set: its exit code, what it said (never the secret)
/// and the file's path.
fn check_with_env(
    dir: &std::path::Path,
    text: &str,
    envs: &[(&str, &str)],
) -> (Option<i32>, String, String) {
    let config = dir.join("config.toml");
    std::fs::write(&config, text).unwrap();
    let mut command = common::bin::ghl_console(dir);
    command.args(["config", "check", "--config", config.to_str().unwrap()]);
    for (name, value) in envs {
        command.env(name, value);
    }
    let out = command.output().unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("pit-not-private"), "{said}");
    (out.status.code(), said, config.display().to_string())
}

/// A token file readable by others is refused with where its path was set: the config file
/// and the key's line, the variable, or the default path `auth set-token` writes.
#[cfg(unix)]
#[test]
fn a_token_file_readable_by_others_is_named_with_where_its_path_was_set() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let token = open_secret(dir.path(), "token");
    let chmod = format!(
        "is readable by group or others (mode 644); fix it with: chmod 600 {}",
        token.display()
    );

    // Set in the file: its file and line.
    let text = format!(
        "[api]\nlocation_id = \"L\"\n\n[auth]\ntoken_file = \"{}\"\n",
        token.display()
    );
    let (code, said, file) = check_with_env(dir.path(), &text, &[]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "invalid: {file}:5:1: `auth.token_file`: {} {chmod}",
            token.display()
        )),
        "{said}"
    );

    // Set by the variable: the variable.
    let plain = "[api]\nlocation_id = \"L\"\n";
    let envs = [("GHL_TOKEN_FILE", token.to_str().unwrap())];
    let (code, said, _) = check_with_env(dir.path(), plain, &envs);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "invalid: environment variable GHL_TOKEN_FILE: `auth.token_file`: {} {chmod}",
            token.display()
        )),
        "{said}"
    );

    // Not set: the default path, said as such.
    let stored = dir.path().join("config-dir/token");
    std::fs::create_dir_all(stored.parent().unwrap()).unwrap();
    std::fs::copy(&token, &stored).unwrap();
    std::fs::set_permissions(&stored, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, said, _) = check_with_env(dir.path(), plain, &[]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "invalid: `auth.token_file` is not set (nor GHL_TOKEN_FILE), so the token `auth set-token` stores is read: {} is readable",
            stored.display()
        )),
        "{said}"
    );
}

/// The OAuth client secret and the remote Rankr's key, in files readable by others, are
/// named by their keys and lines, by `config check` and by the command that reads them.
#[cfg(unix)]
#[test]
fn the_other_secret_files_are_named_by_their_keys_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let secret = open_secret(dir.path(), "secret");
    let oauth = format!(
        "[api]\nlocation_id = \"L\"\n\n[auth]\nkind = \"oauth\"\nclient_id = \"app\"\nclient_secret_file = \"{}\"\n",
        secret.display()
    );
    let (code, said, file) = check_with_env(dir.path(), &oauth, &[]);
    assert_eq!(code, Some(1), "{said}");
    let wanted = format!(
        "{file}:7:1: `auth.client_secret_file`: {} is readable",
        secret.display()
    );
    assert!(said.contains(&format!("invalid: {wanted}")), "{said}");
    let envs = [("GHL_CLIENT_SECRET", "from-env")];
    let (code, said, _) = check_with_env(dir.path(), &oauth, &envs);
    assert_eq!(
        code,
        Some(0),
        "the variable is used, the file not read: {said}"
    );

    // The command that reads the client secret says it the same way, before sending anything.
    std::fs::write(&file, &oauth).unwrap();
    let out = common::bin::ghl_console(dir.path())
        .args(["--config", &file, "auth", "login", "--paste"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains(&wanted), "{said}");

    let key = open_secret(dir.path(), "rankr-key");
    let text = format!(
        "[api]\nlocation_id = \"L\"\n\n[rankr]\ntarget = \"http\"\nhttp_url = \"http://127.0.0.1:9\"\napi_key_file = \"{}\"\n",
        key.display()
    );
    let (code, said, file) = check_with_env(dir.path(), &text, &[("GHL_TOKEN", "t")]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "invalid: {file}:7:1: `rankr.api_key_file`: {} is readable",
            key.display()
        )),
        "{said}"
    );
}

/// The request log (and its retry lines) never carries an email or a phone, in the path or in
/// the query; the call stays recognisable by its other segments.
#[tokio::test(flavor = "multi_thread")]
async fn the_request_log_masks_an_email_or_a_phone_in_the_path() {
    let config = sandbox::SandboxConfig {
        contacts: 3,
        rate_limit: None,
        faults: sandbox::Faults {
            error_every: Some(1),
            error_statuses: vec![503],
            ..sandbox::Faults::default()
        },
        ..sandbox::SandboxConfig::default()
    };
    let (sandbox, _client) = common::start_with(config).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "[api]\nmax_retries = 1\n").unwrap();
    for path in [
        "/contacts/olga.ivanova14@example.com",
        "/contacts/olga.ivanova14%40example.com/tasks",
        "/contacts/+1%20(555)%20010-0123",
        "/contacts/search/duplicate?locationId=L&email=olga.ivanova14%40example.com",
    ] {
        let out = console(&sandbox.base_url(), dir.path())
            .args(["--config", file.to_str().unwrap(), "api", "GET", path])
            .env("GHL_CONSOLE_LOG_DIR", dir.path().join("logs"))
            .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
            .env("GHL_LOCATION_ID", sandbox::DEMO_LOCATION_ID)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{path}");
    }
    assert!(sandbox.stats().total >= 8, "each call was tried twice");
    let logs: String = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    for leaked in ["olga", "ivanova", "example.com", "555", "0123"] {
        assert!(!logs.contains(leaked), "{leaked} in the log:\n{logs}");
    }
    for logged in [
        "path=/contacts/***",
        "path=/contacts/***/tasks",
        "path=/contacts/search/duplicate?locationId=L&email=***",
    ] {
        assert!(
            logs.lines()
                .any(|l| l.contains("exchange") && l.contains(&format!("{logged} "))),
            "no exchange line with {logged}:\n{logs}"
        );
        assert!(
            logs.lines()
                .any(|l| l.contains("retrying") && l.trim_end().ends_with(logged)),
            "no retry line with {logged}:\n{logs}"
        );
    }
}

#[test]
fn the_config_dir_variable_moves_the_config_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let config_dir = dir.path().join("elsewhere");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        "[api]\nlocation_id = \"from-the-config-dir\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = common::bin::ghl_console(dir.path())
            .args(args)
            .env("GHL_CONSOLE_CONFIG_DIR", &config_dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let path = run(&["config", "path"]);
    assert!(
        path.starts_with(&format!(
            "{} (exists)",
            config_dir.join("config.toml").display()
        )),
        "{path}"
    );
    let shown = run(&["config", "show"]);
    assert!(shown.contains("from-the-config-dir"), "{shown}");
    assert!(shown.contains("# api.location_id from file"), "{shown}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_creates_and_changes_no_store() {
    let (sandbox, _client) = common::start(5).await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("rankr.sqlite3");
    let sync = |args: &[&str]| {
        let out = console(&sandbox.base_url(), dir.path())
            .args(["sync", "--store", store.to_str().unwrap()])
            .args(args)
            .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
            .env("GHL_LOCATION_ID", sandbox::DEMO_LOCATION_ID)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };
    let (code, text) = sync(&["--dry-run"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("created contact"), "{text}");
    assert!(!store.exists(), "a dry run created the store");

    let (code, text) = sync(&[]);
    assert_eq!(code, Some(0), "{text}");
    let files = |d: &std::path::Path| {
        let mut names: Vec<(String, Vec<u8>)> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            // The -shm file is SQLite's shared-memory index, which any reader touches, and a
            // reader of a WAL store opens an empty -wal: neither holds data.
            .filter(|p| p.is_file() && !p.to_string_lossy().ends_with("-shm"))
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        names.sort();
        names
    };
    let before = files(dir.path());
    let (code, text) = sync(&["--dry-run", "--full"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("0 changes would be applied"), "{text}");
    let after = files(dir.path());
    let sizes = |f: &[(String, Vec<u8>)]| {
        f.iter()
            .map(|(n, b)| format!("{n} {}", b.len()))
            .collect::<Vec<_>>()
    };
    assert!(
        before == after,
        "a dry run changed the store's files: {:?} {:?}",
        sizes(&before),
        sizes(&after)
    );

    let (code, text) = sync(&["--watch", "--dry-run"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("cannot be used with"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_alert_command_runs_without_the_secrets_in_its_environment() {
    let (sandbox, _client) = common::start(3).await;
    // Every note listing fails, so the run has failed records and alerts.
    sandbox.set_faults(sandbox::Faults {
        error_every: Some(1),
        error_statuses: vec![500],
        paths: vec!["/notes".into()],
        ..sandbox::Faults::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("alerting.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{}\"\nmax_retries = 0\n\
             rate_limit = \"off\"\n",
            sandbox.base_url(),
            sandbox::DEMO_LOCATION_ID
        ),
    )
    .unwrap();
    let store = dir.path().join("rankr.sqlite3");
    let secrets = [
        ("GHL_TOKEN", sandbox::DEMO_TOKEN),
        ("GHL_CLIENT_SECRET", "client-secret-for-the-alert-test"),
        ("RANKR_API_KEY", "rankr-key-for-the-alert-test"),
    ];
    let out = common::bin::ghl_console(dir.path())
        .current_dir(dir.path())
        .args(["--config", config.to_str().unwrap()])
        .args(["sync", "--json", "--store", store.to_str().unwrap()])
        .args(["--alert-cmd", "env > alert.env; cat > summary.json"])
        .envs(secrets)
        .env("ALERT_TEST_KEPT", "the rest of the environment")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");

    let env = std::fs::read_to_string(dir.path().join("alert.env")).expect("the alert ran");
    assert!(
        env.contains("ALERT_TEST_KEPT=the rest of the environment"),
        "{env}"
    );
    for (name, value) in secrets {
        assert!(!env.contains(&format!("{name}=")), "{name} in {env}");
        assert!(!env.contains(value), "the value of {name} in {env}");
    }
    let summary = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert!(
        !summary["failed"].as_array().unwrap().is_empty(),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_says_which_earlier_runs_it_marks_interrupted() {
    use ghl_console::rankr::RankrStore as _;
    let (sandbox, _client) = common::start(3).await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("rankr.sqlite3");
    let killed = ghl_console::rankr::SqliteStore::open(&store)
        .unwrap()
        .start_run(sandbox::DEMO_LOCATION_ID, "full")
        .unwrap();
    let out = console(&sandbox.base_url(), dir.path())
        .args(["sync", "--store", store.to_str().unwrap()])
        .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
        .env("GHL_LOCATION_ID", sandbox::DEMO_LOCATION_ID)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("now marked interrupted: #{killed} ")),
        "{stderr}"
    );
    let runs = ghl_console::rankr::SqliteStore::open(&store)
        .unwrap()
        .runs(10)
        .unwrap();
    let marked = runs.iter().find(|r| r.id == killed).unwrap();
    assert_eq!(marked.outcome.as_deref(), Some("interrupted"));
}

/// C01 through the raw command: a contact create answered 422 that GHL kept anyway. The
/// command fails (exit 1) and says the contact may be saved, with the lookup that tells,
/// instead of inviting a second POST.
#[tokio::test(flavor = "multi_thread")]
async fn c01_a_failed_create_through_api_says_it_may_be_saved_and_how_to_look() {
    let (sandbox, _client) = common::start(3).await;
    sandbox.set_faults(sandbox::Faults {
        quirks: sandbox::Quirks {
            create_stores_then_422: true,
            ..sandbox::Quirks::default()
        },
        ..sandbox::Faults::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        r#"{{"locationId":"{}","firstName":"Pat","email":"pat.c01@example.test"}}"#,
        sandbox::DEMO_LOCATION_ID
    );
    let out = console(&sandbox.base_url(), dir.path())
        .args(["api", "POST", "/contacts/", "--data", &body])
        .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
        .env("GHL_LOCATION_ID", sandbox::DEMO_LOCATION_ID)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("may still have been saved"), "{said}");
    assert!(
        said.contains("/contacts/search/duplicate?locationId="),
        "{said}"
    );
    let kept = sandbox.store().contacts(sandbox::DEMO_LOCATION_ID);
    assert!(
        kept.iter()
            .any(|c| c.email.as_deref() == Some("pat.c01@example.test")),
        "the sandbox kept it, as GHL does"
    );

    // A read that fails gets no such warning.
    let out = console(&sandbox.base_url(), dir.path())
        .args(["api", "GET", "/contacts/nope"])
        .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("may still have been saved"));
}

/// `api GET <full URL>`: a URL under the base URL is cut to its path and query; any other
/// absolute URL is refused (exit 2) before anything is sent, so the token goes nowhere else.
#[tokio::test(flavor = "multi_thread")]
async fn api_takes_a_full_url_only_under_the_base_url() {
    let (sandbox, _client) = common::start(3).await;
    let dir = tempfile::tempdir().unwrap();
    let id = sandbox.contact_ids()[0].clone();
    let api = |target: &str| {
        let out = console(&sandbox.base_url(), dir.path())
            .args(["api", "GET", target])
            .env("GHL_TOKEN", sandbox::DEMO_TOKEN)
            .env("GHL_LOCATION_ID", sandbox::DEMO_LOCATION_ID)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };
    let base = sandbox.base_url();
    let base = base.trim_end_matches('/');
    let (code, text) = api(&format!("{base}/contacts/{id}"));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.starts_with(&format!("GET {base}/contacts/{id}\n")),
        "{text}"
    );
    assert!(text.contains(&format!("\"id\": \"{id}\"")), "{text}");

    // Another host (here: another port on loopback, listened on to see whether anything
    // arrives): refused, nothing sent.
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    other.set_nonblocking(true).unwrap();
    let elsewhere = format!("http://{}/contacts/{id}", other.local_addr().unwrap());
    let (code, text) = api(&elsewhere);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "give a path like /contacts/ID; {elsewhere} is not under the base URL {}",
            sandbox.base_url()
        )),
        "{text}"
    );
    assert!(
        other.accept().is_err(),
        "a connection reached the other host"
    );
}

/// `[ui.keys]` entries given as one string are a list of one, checked like lists; the problems
/// are listed in the order of the file, errors before warnings, each marked; `doctor` lists
/// every one of them too.
#[test]
fn config_check_takes_a_single_key_string_and_lists_problems_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("keys.toml");
    std::fs::write(
        &config,
        "[ui.keys]\n\"no.such.action\" = \"q\"\nhelp = \"ctrl-alt-bogus-key\"\n\
         \"task.new\" = \"q\"\n\n[api]\ntimeout_secs = 0\nnope = 1\n",
    )
    .unwrap();
    let path = config.display();
    let out = common::bin::ghl_console(dir.path())
        .args(["config", "check", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(!said.contains("expected a sequence"), "{said}");
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(
        lines[0],
        format!("invalid: {path}: 4 errors, 1 warning"),
        "{said}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "  error: {path}:2: unknown action \"no.such.action\""
        )),
        "{said}"
    );
    assert!(
        lines[2].starts_with(&format!(
            "  error: {path}:3: unknown key \"ctrl-alt-bogus-key\""
        )),
        "{said}"
    );
    assert!(
        lines[3].starts_with(&format!("  error: {path}:7:1: `api.timeout_secs`")),
        "{said}"
    );
    assert!(
        lines[4].starts_with(&format!(
            "  error: {path}:8:1: `api.nope`: unknown field `nope`"
        )),
        "{said}"
    );
    assert!(
        lines[5].starts_with(&format!("  warning: {path}:4: key \"q\" of \"task.new\"")),
        "{said}"
    );
    assert_eq!(lines.len(), 6, "{said}");

    // doctor refuses the file with every problem, in the same order.
    let out = common::bin::ghl_console(dir.path())
        .args(["--config", config.to_str().unwrap(), "doctor"])
        .args(["--base-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(2), "{said}");
    let at = |wanted: String| {
        said.find(&wanted)
            .unwrap_or_else(|| panic!("{wanted} in {said}"))
    };
    let order = [
        at(format!("{path}:2: unknown action \"no.such.action\"")),
        at(format!("{path}:3: unknown key \"ctrl-alt-bogus-key\"")),
        at(format!("{path}:8:1: `api.nope`: unknown field `nope`")),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{said}");
    assert!(said.contains("FAIL config"), "{said}");
    assert!(said.contains("skip api"), "{said}");

    // A file whose only problems are in [ui.keys] loads; doctor's keys check names them.
    std::fs::write(
        &config,
        "[ui.keys]\n\"no.such.action\" = \"q\"\nquit = \"ctrl-alt-bogus-key\"\n",
    )
    .unwrap();
    let out = common::bin::ghl_console(dir.path())
        .args(["--config", config.to_str().unwrap(), "doctor"])
        .args(["--base-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(said.contains("ok   config"), "{said}");
    assert!(said.contains("FAIL keys"), "{said}");
    assert!(
        said.contains(&format!("{path}:2: unknown action \"no.such.action\"")),
        "{said}"
    );
    assert!(
        said.contains(&format!("{path}:3: unknown key \"ctrl-alt-bogus-key\"")),
        "{said}"
    );
}

/// Remaps written as an inline table or as dotted keys are found on the line that writes them,
/// and a key read inside another table is named with that table.
#[test]
fn config_check_finds_keys_however_the_toml_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let (code, said, path) = config_check(
        dir.path(),
        "[api]\nlocation_id = \"x\"\n\n[ui]\nkeys = { \"task.toggle\" = \"x\", \"nope.action\" = \"y\" }\n\
         [sync]\ninterval_secs = 60\n",
    );
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!("{path}:5: unknown action \"nope.action\"")),
        "{said}"
    );

    let (_, said, path) = config_check(
        dir.path(),
        "[api]\nlocation_id = \"x\"\nui.keys.quit = \"q\"\n",
    );
    assert!(
        said.contains(&format!("{path}:3:1: `api.ui`: unknown field `ui`")),
        "{said}"
    );
}

/// What the environment sets is judged whole, beside the file's own problems: two bad
/// variables are both named, with a broken file as without one, by `config check` and by a
/// command refused for them.
#[test]
fn every_problem_of_the_environment_is_listed_too() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let run = |args: &[&str]| {
        let out = common::bin::ghl_console(dir.path())
            .args(["--config", config.to_str().unwrap()])
            .args(args)
            .env("GHL_VERSION", "last tuesday")
            .env("GHL_BASE_URL", "ftp://127.0.0.1:1")
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    for file in ["[api]\nlocation_id = \"x\"\n", "[api]\nnope = 1\n"] {
        std::fs::write(&config, file).unwrap();
        for args in [&["config", "check"][..], &["sync"][..]] {
            let said = run(args);
            assert!(said.contains("GHL_VERSION"), "{args:?} {file:?}: {said}");
            assert!(said.contains("GHL_BASE_URL"), "{args:?} {file:?}: {said}");
            if file.contains("nope") {
                assert!(said.contains("`api.nope`"), "{args:?}: {said}");
            }
        }
    }
}
