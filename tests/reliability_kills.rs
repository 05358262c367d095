//! Issue 7, kill -9: the real binary killed at random points of a sync, again and again, while
//! the sandbox's data keeps changing; each kill is followed by a resumed run. At the end the
//! store passes `PRAGMA integrity_check` and holds exactly the sandbox's contacts, tasks and
//! notes, with no GHL id twice and the same content as a fresh sync.
//!
//! `GHL_KILL_POINTS` sets how many headless kills (24 by default; 200 for the long run),
//! `GHL_KILL_SEED` replays a run's kill points. The console is killed at a few points too, in
//! a tmux server of its own (skipped, with the reason printed, without tmux).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod sync_support;

use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ghl_console::ghl::models::{Contact, Task};
use ghl_console::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN, SandboxConfig};
use ghl_console::sync::SyncMode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sync_support::{World, assert_mirrors_sandbox, integrity};

/// A sandbox with enough contacts that a full run takes a while, and the files of one test.
struct Bench {
    runtime: tokio::runtime::Runtime,
    world: World,
    config: PathBuf,
    store: PathBuf,
    rng: StdRng,
    seed: u64,
}

impl Bench {
    fn new(contacts: usize, name: &str) -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let world = runtime.block_on(World::with(SandboxConfig {
            contacts,
            rate_limit: None,
            ..SandboxConfig::default()
        }));
        let dir = world.dir.path();
        let store = dir.join(format!("{name}.sqlite3"));
        let config = dir.join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[api]\nbase_url = \"{}\"\nlocation_id = \"{DEMO_LOCATION_ID}\"\n\
                 rate_limit = \"off\"\n\n[rankr]\nstore_path = \"{}\"\n",
                world.sandbox.base_url(),
                store.display()
            ),
        )
        .unwrap();
        let seed = std::env::var("GHL_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(rand::random);
        println!("{name}: kill points from GHL_KILL_SEED={seed}");
        Self {
            runtime,
            world,
            config,
            store,
            rng: StdRng::seed_from_u64(seed),
            seed,
        }
    }

    /// The binary with this test's config, data dirs and token.
    fn command(&self, args: &[&str]) -> Command {
        let dir = self.world.dir.path();
        let mut command = sync_support::bin::ghl_console(dir);
        command
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("GHL_TOKEN", DEMO_TOKEN)
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_STATE_HOME", dir.join("state"))
            .env("HOME", dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// Changes the sandbox's data the way people do between two runs: updates, a new contact
    /// with a task, a deletion.
    fn change_data(&mut self, round: usize) {
        let store = self.world.sandbox.store();
        let ids: Vec<String> = store
            .contacts(DEMO_LOCATION_ID)
            .into_iter()
            .map(|c| c.id)
            .collect();
        for _ in 0..3 {
            let id = &ids[self.rng.random_range(0..ids.len())];
            store.update_contact(id, |c| c.tags.push(format!("round-{round}")));
        }
        if round.is_multiple_of(3) {
            let gone = &ids[self.rng.random_range(0..ids.len())];
            store.delete_contact(gone);
            let new = Contact {
                first_name: Some(format!("Round {round}")),
                email: Some(format!("round-{round}-{}@example.test", self.seed)),
                ..Contact::default()
            };
            let new = store.insert_contact(DEMO_LOCATION_ID, new).unwrap();
            let task = Task {
                title: Some(format!("Call round {round}")),
                ..Task::default()
            };
            store.insert_task(&new.id, task).unwrap();
        }
    }

    /// Runs `sync --json` to its end and checks it succeeded.
    fn sync_to_the_end(&self, args: &[&str]) {
        let mut all = vec!["sync", "--json"];
        all.extend_from_slice(args);
        let status = self.command(&all).status().unwrap();
        assert!(status.success(), "sync {args:?} ended with {status}");
    }

    /// How long an uninterrupted full run takes here, on a scratch store.
    fn time_full_run(&self) -> Duration {
        let scratch = self.world.dir.path().join("timing.sqlite3");
        let started = Instant::now();
        let status = self
            .command(&["sync", "--json", "--store", scratch.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success());
        started.elapsed()
    }

    /// Checks the store against the sandbox after a last full run.
    fn check(&self) {
        self.sync_to_the_end(&["--full"]);
        self.runtime
            .block_on(assert_mirrors_sandbox(&self.world, &self.store));
    }
}

fn kill_points() -> usize {
    std::env::var("GHL_KILL_POINTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24)
}

#[test]
fn a_headless_sync_killed_at_random_points_resumes_without_loss_or_duplicates() {
    let mut bench = Bench::new(300, "headless");
    let full_run = bench.time_full_run();

    let points = kill_points();
    let (mut mid_run, mut finished_first) = (0, 0);
    for round in 0..points {
        bench.change_data(round);
        let full = !round.is_multiple_of(4);
        let args: &[&str] = if full {
            &["sync", "--json", "--full"]
        } else {
            &["sync", "--json"]
        };
        let reach = if full { full_run } else { full_run / 4 };
        let delay = reach.mul_f64(bench.rng.random_range(0.02..0.95));
        let mut child = bench.command(args).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if status.signal() == Some(9) {
            mid_run += 1;
        } else {
            assert!(status.success(), "round {round}: {status}");
            finished_first += 1;
        }
        assert_eq!(integrity(&bench.store), "ok", "round {round}");
    }
    println!(
        "kill -9 loop: {points} points (seed {}), {mid_run} killed mid-run, {finished_first} \
         finished before the kill; a full run took {full_run:?}",
        bench.seed
    );
    assert!(
        mid_run * 3 >= points,
        "a third of the kills at least landed mid-run"
    );
    bench.check();
}

/// What the kill loops found, made deterministic: a walk stopped part way (here by `--limit`)
/// and resumed by a later run must end with the contacts it passed early deleted or changed in
/// the meantime brought up to date, not left as they were.
#[tokio::test(flavor = "multi_thread")]
async fn a_walk_resumed_after_deletions_and_changes_ends_current() {
    let world = World::new(60).await;
    let mut first = sync_support::config();
    first.page_size = 10;
    first.limit = Some(20);
    let part = world.sync_with(&first, SyncMode::Auto).await;
    assert!(part.walk_pending, "{part:?}");
    let walked: Vec<String> = ghl_ids(world.store.path());
    assert_eq!(walked.len(), 20);

    let sandbox = world.sandbox.store();
    assert!(sandbox.delete_contact(&walked[0]));
    sandbox.update_contact(&walked[1], |c| c.tags.push("changed-while-walking".into()));
    let mut rest = sync_support::config();
    rest.page_size = 10;
    let resumed = world.sync_with(&rest, SyncMode::Auto).await;
    assert!(resumed.is_ok() && !resumed.walk_pending, "{resumed:?}");
    assert_mirrors_sandbox(&world, world.store.path()).await;
}

fn ghl_ids(store: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(store).unwrap();
    let mut stmt = conn.prepare("SELECT ghl_id FROM contacts").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A tmux server of this test's own.
fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", "rel"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(what: impl Fn() -> bool, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !what() {
        assert!(Instant::now() < deadline, "waited for {label}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn count(store: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(store)
        .and_then(|c| c.query_row(sql, [], |r| r.get(0)))
        .unwrap_or(0)
}

fn contacts_in(store: &Path) -> i64 {
    count(store, "SELECT count(*) FROM contacts")
}

/// Runs that started and never ended: each is a run the kill cut short.
fn unfinished_runs(store: &Path) -> i64 {
    count(
        store,
        "SELECT count(*) FROM sync_runs WHERE ended_at IS NULL",
    )
}

#[test]
fn the_console_killed_during_a_sync_resumes_without_loss_or_duplicates() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipped: tmux is not installed");
        return;
    }
    let mut bench = Bench::new(300, "console");
    let full_run = bench.time_full_run();
    let dir = bench.world.dir.path().to_path_buf();
    let session = format!("kill-{}", std::process::id());
    let mut killed = 0;
    for round in 0..5 {
        bench.change_data(round);
        let script = format!(
            "cd '{}' && exec env -u GHL_CONSOLE_CONFIG_DIR -u GHL_TOKEN_FILE -u GHL_READ_ONLY \
             GHL_TOKEN='{DEMO_TOKEN}' XDG_CONFIG_HOME='{0}/config' \
             XDG_DATA_HOME='{0}/data' XDG_STATE_HOME='{0}/state' GHL_CONSOLE_LOG_DIR='{0}/logs' \
             HOME='{0}' '{}' --config '{}'",
            dir.display(),
            env!("CARGO_BIN_EXE_ghl-console"),
            bench.config.display()
        );
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "120",
            "-y",
            "40",
            &script,
        ]);
        let screen = || tmux(&["capture-pane", "-p", "-t", &session]);
        wait_for(|| screen().contains("by updated"), "the contact list");
        let pid = tmux(&["display-message", "-p", "-t", &session, "#{pane_pid}"]);
        let before = contacts_in(&bench.store);
        tmux(&["send-keys", "-t", &session, "S"]);
        let delay = full_run.mul_f64(bench.rng.random_range(0.05..0.9));
        let started = Instant::now();
        wait_for(
            || contacts_in(&bench.store) > before || started.elapsed() > delay,
            "the sync to start writing",
        );
        std::thread::sleep(delay.saturating_sub(started.elapsed()));
        let status = Command::new("kill")
            .args(["-9", pid.trim()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -9 {pid}");
        killed += 1;
        tmux(&["kill-session", "-t", &session]);
        assert_eq!(integrity(&bench.store), "ok", "round {round}");
    }
    let mid_run = unfinished_runs(&bench.store);
    println!(
        "console kill -9: {killed} points (seed {}), {mid_run} during a sync",
        bench.seed
    );
    assert!(mid_run >= 1, "at least one kill landed during a sync");
    bench.check();
}
