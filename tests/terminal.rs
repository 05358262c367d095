//! Terminal stress: every size from 1x1 to 200x60 through the real draw path, resize storms,
//! names in every script keeping the columns aligned, and a 1 MB bracketed paste. The console
//! (state, update and worker) runs against the sandbox on loopback.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod console_support;

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use console_support::{Console, Filtering};
use ghl_console::ghl::models::Contact;
use ghl_console::ghl::{ClientConfig, GhlClient, Secret};
use ghl_console::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN, SandboxConfig};
use ghl_console::tui::app::Pane;
use ghl_console::tui::forms::Modal;
use ghl_console::tui::theme::Theme;
use ghl_console::tui::update::{Msg, after};
use ghl_console::tui::view::{MIN_SIZE, render};
use ghl_console::worker;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;

/// Names that have broken terminal tables: right-to-left scripts, joiners, combining marks,
/// emoji, wide and full-width characters, controls and bidi overrides.
const NAMES: &[&str] = &[
    "محمد بن سلمان العربي",
    "שלום עליכם",
    "👨\u{200D}👩\u{200D}👧\u{200D}👦 Family",
    "Zoë Ze\u{301}\u{301}\u{301}r\u{334}o\u{335}",
    "🇳🇴 Nordmann 🇯🇵",
    "李小龍 王菲",
    "evil\u{202E}txt.exe \u{2066}isolate",
    "tab\there\nnew line",
    "\u{200B}zero\u{200D}width\u{FEFF}joiner",
    "red\u{1b}[31m \u{9b}2J\u{0} nul",
    "Ａｂｃ　ｆｕｌｌ",
    "👩🏽\u{200D}💻 ﷽ ⸻ 𒐫",
    "ค่ำ ก็ ดี ำ ่ ้",
    "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}\u{307}\u{308}",
];

/// The console wired to a worker and a sandbox, driven by messages, and the terminal it
/// draws on.
struct Screen {
    console: Console,
    terminal: Terminal<TestBackend>,
}

impl Deref for Screen {
    type Target = Console;

    fn deref(&self) -> &Console {
        &self.console
    }
}

impl DerefMut for Screen {
    fn deref_mut(&mut self) -> &mut Console {
        &mut self.console
    }
}

impl Screen {
    /// A console on a sandbox holding only the contacts named in [`NAMES`].
    async fn open() -> Self {
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let config = SandboxConfig {
            contacts: 0,
            rate_limit: None,
            ..SandboxConfig::default()
        };
        let sandbox = ghl_console::sandbox::spawn(config, listen).await.unwrap();
        for (i, name) in NAMES.iter().enumerate() {
            let contact = Contact {
                name: Some((*name).to_string()),
                email: Some(format!("zz{i:02}@aligned.test")),
                phone: Some(format!("+4790000{i:03}")),
                tags: vec!["ünï".into(), "标签".into()],
                ..Contact::default()
            };
            sandbox
                .store()
                .insert_contact(DEMO_LOCATION_ID, contact)
                .unwrap();
        }
        let mut config = ClientConfig::new(
            sandbox.base_url(),
            Secret::new(DEMO_TOKEN),
            DEMO_LOCATION_ID,
        );
        config.rate_limit = None;
        let client = GhlClient::new(config).unwrap();
        let worker = worker::spawn(client, console_support::worker_options());
        let app = console_support::app(console_support::settings());
        // The filter pass runs at once: these tests look at its result.
        let console = Console::from_parts(app, worker, sandbox, None, Filtering::Inline).await;
        Self {
            console,
            terminal: Terminal::new(TestBackend::new(120, 40)).unwrap(),
        }
    }

    /// Resizes as the terminal would (a resize event) and draws through the real path.
    fn draw_at(&mut self, width: u16, height: u16) -> Buffer {
        self.console.msg(Msg::Resize(width, height));
        self.terminal.backend_mut().resize(width, height);
        after(&mut self.console.app);
        let app = &self.console.app;
        let frame = self
            .terminal
            .draw(|f| render(f, app, &Theme::plain()))
            .unwrap();
        frame.buffer.clone()
    }
}

/// Each screen row as drawn: the symbols of its cells, the cells a wide character covers left
/// out, as a terminal would show them.
fn rows(buf: &Buffer) -> Vec<String> {
    let width = usize::from(buf.area.width);
    if width == 0 {
        return Vec::new();
    }
    buf.content
        .chunks(width)
        .map(|cells| {
            let mut row = String::new();
            let mut covered = 0;
            for cell in cells {
                if covered > 0 {
                    covered -= 1;
                    continue;
                }
                row.push_str(cell.symbol());
                covered = cell.symbol().width().saturating_sub(1);
            }
            row
        })
        .collect()
}

/// Every row is exactly as wide as the screen, and carries no control character.
fn assert_aligned(buf: &Buffer, label: &str) {
    let width = usize::from(buf.area.width);
    for (y, row) in rows(buf).iter().enumerate() {
        assert_eq!(row.width(), width, "{label}: row {y} is {row:?}");
        assert!(
            !row.chars()
                .any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c)),
            "{label}: row {y} carries a control character: {row:?}"
        );
    }
}

fn text(buf: &Buffer) -> String {
    rows(buf).join("\n")
}

/// What must hold of the screen at a size: the "too small" view below the minimum, the panes
/// at or above it, every row as wide as the screen.
fn check_size(buf: &Buffer, width: u16, height: u16) {
    let screen = text(buf);
    let label = format!("{width}x{height}");
    assert_aligned(buf, &label);
    if width < MIN_SIZE.0 || height < MIN_SIZE.1 {
        assert!(
            !screen.contains("Email"),
            "{label}: panes drawn when too small"
        );
        if width >= 18 {
            assert!(
                screen.starts_with("Terminal too small"),
                "{label}:\n{screen}"
            );
        }
    } else {
        assert!(screen.starts_with(" ghl-console "), "{label}:\n{screen}");
        assert!(
            screen.contains("Email"),
            "{label}: no contacts pane:\n{screen}"
        );
    }
}

/// The sizes to draw at: by default every size up to 70x20 (the minimum and the "too small"
/// view on both sides of it) and every third height of every fifth width up to 200x60;
/// `GHL_STRESS_ALL_SIZES=1` draws all 12,000.
fn sizes() -> Vec<(u16, u16)> {
    let all = std::env::var_os("GHL_STRESS_ALL_SIZES").is_some();
    let mut sizes = Vec::new();
    for width in 1..=200u16 {
        for height in 1..=60u16 {
            let near_minimum = width <= 70 && height <= 20;
            if all || near_minimum || (width % 5 == 0 && height % 3 == 0) {
                sizes.push((width, height));
            }
        }
    }
    sizes
}

#[tokio::test(flavor = "multi_thread")]
async fn every_size_from_1x1_to_200x60_draws_the_right_view() {
    let mut console = Screen::open().await;
    assert_eq!(console.app.contacts.len(), NAMES.len());
    console.keys(&["j", "j", "j"]).await;
    let started = Instant::now();
    let mut draws = 0;
    for (width, height) in sizes() {
        let buf = console.draw_at(width, height);
        check_size(&buf, width, height);
        draws += 1;
    }
    println!("{draws} sizes drawn in {:?}", started.elapsed());
    assert_eq!(
        console.app.focus,
        Pane::Contacts,
        "no key was lost or acted on"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resize_storm_over_every_pane_and_dialog_holds() {
    let mut console = Screen::open().await;
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |below: u16| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        u16::try_from(rng % u64::from(below)).unwrap()
    };
    let states: &[&[&str]] = &[
        &[],
        &["tab"],
        &["tab"],
        &["tab"],
        &["tab"],
        &["tab"],
        &["tab"],
        &["tab", "?"],
        &["esc", ":"],
        &["esc", "tab", "tab", "n"],
    ];
    let mut draws = 0;
    for keys in states {
        console.keys(keys).await;
        for _ in 0..120 {
            let (width, height) = (next(260), next(90));
            console.msg(Msg::Resize(width, height));
            if next(3) == 0 {
                continue;
            }
            let buf = console.draw_at(width, height);
            assert_aligned(&buf, &format!("{width}x{height} after {keys:?}"));
            draws += 1;
        }
    }
    println!("{draws} draws in the storm");
    let buf = console.draw_at(120, 40);
    assert!(text(&buf).contains("ghl-console"));
}

#[tokio::test(flavor = "multi_thread")]
async fn names_in_every_script_keep_every_row_aligned() {
    let mut console = Screen::open().await;
    for size in [(60, 16), (80, 24), (120, 40), (200, 60)] {
        for row in 0..NAMES.len() {
            console.press("g");
            for _ in 0..row {
                console.press("j");
            }
            console.settle().await;
            assert_eq!(console.app.contacts.cursor.selected, row);
            let buf = console.draw_at(size.0, size.1);
            assert_aligned(&buf, &format!("{size:?} on row {row}"));

            // The email column starts at the same display column on every contact row.
            let starts: Vec<usize> = rows(&buf)
                .iter()
                .filter_map(|r| r.find("@aligned").map(|at| r[..at].width() - 4))
                .collect();
            if size.0 >= 80 {
                assert_eq!(starts.len(), NAMES.len(), "{size:?}: {starts:?}");
            }
            assert!(
                starts.windows(2).all(|w| w[0] == w[1]),
                "{size:?}: {starts:?}"
            );
        }
    }
}

/// A megabyte of text: numbered lines of mixed scripts, emoji, tabs, quotes and backslashes.
fn megabyte() -> String {
    let line = "Ligne ünïcödé 李小龍 👩\u{200D}💻 שלום\twith a tab and \"quotes\" \\ back";
    let mut text = String::with_capacity(1 << 20);
    let mut n = 0;
    while text.len() < 1 << 20 {
        writeln!(text, "{n:06} {line}").unwrap();
        n += 1;
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn a_megabyte_pasted_into_the_note_editor_arrives_whole() {
    let mut console = Screen::open().await;
    let contact_id = console.app.contacts.at(0).unwrap().id.clone();
    console.keys(&["tab", "tab", "tab", "n"]).await;
    let pasted = megabyte();

    let started = Instant::now();
    console.msg(Msg::Paste(pasted.clone()));
    let pasting = started.elapsed();
    let started = Instant::now();
    let buf = console.draw_at(120, 40);
    let drawing = started.elapsed();
    assert_aligned(&buf, "after the paste");
    println!(
        "paste of {} bytes: {pasting:?}, next frame {drawing:?}",
        pasted.len()
    );
    assert!(
        pasting < Duration::from_secs(10),
        "the paste took {pasting:?}"
    );
    assert!(
        drawing < Duration::from_secs(5),
        "the frame took {drawing:?}"
    );

    console.keys(&["ctrl-s"]).await;
    let notes = console.sandbox.store().notes(&contact_id).unwrap();
    let saved = notes
        .iter()
        .filter_map(|n| n.body.as_deref())
        .find(|b| b.starts_with("000000 "))
        .unwrap_or_else(|| {
            panic!(
                "no note saved; screen:\n{}",
                text(&console.draw_at(120, 40))
            )
        });
    assert_eq!(saved.len(), pasted.len());
    assert_eq!(saved, pasted, "the note differs from the paste");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_megabyte_pasted_into_one_line_inputs_stays_responsive() {
    let mut console = Screen::open().await;
    let pasted = megabyte();
    for (keys, label) in [
        (&["t"][..], "tag input"),
        (&[":"][..], "palette"),
        (&["/"][..], "filter"),
    ] {
        console.keys(keys).await;
        let started = Instant::now();
        console.msg(Msg::Paste(pasted.clone()));
        let buf = console.draw_at(120, 40);
        let took = started.elapsed();
        println!("{label}: paste and frame in {took:?}");
        assert!(took < Duration::from_secs(10), "{label}: {took:?}");
        assert_aligned(&buf, label);
        console.keys(&["esc"]).await;
        // Esc over typed tags asks before discarding them.
        if matches!(console.app.modal, Some(Modal::Discard(_))) {
            console.keys(&["y"]).await;
        }
        assert!(
            !matches!(console.app.modal, Some(Modal::Tags(_))),
            "{label}"
        );
        console.keys(&["esc"]).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pasted_line_endings_become_newlines_in_the_editor() {
    let mut console = Screen::open().await;
    let contact_id = console.app.contacts.at(0).unwrap().id.clone();
    console.keys(&["tab", "tab", "tab", "n"]).await;
    console.msg(Msg::Paste("one\r\ntwo\rthree\nfour".into()));
    assert_aligned(&console.draw_at(120, 40), "after the paste");
    console.keys(&["ctrl-s"]).await;
    let notes = console.sandbox.store().notes(&contact_id).unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.body.as_deref() == Some("one\ntwo\nthree\nfour")),
        "{notes:?}"
    );
}

/// tmux on a server of this test's own (`-L fuzz`), never the user's.
fn tmux(args: &[&str]) -> String {
    let out = std::process::Command::new("tmux")
        .args(["-L", "fuzz"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tmux_available() -> bool {
    std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Kills the session when the test ends, however it ends.
struct Session(String);

impl Session {
    fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.0])
    }

    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(what) {
                return screen;
            }
            assert!(Instant::now() < deadline, "waited for {what:?}:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.0]);
    }
}

/// The CPU time (user plus system, in clock ticks) a process has used, or `None` once it has
/// exited (gone, or a zombie waiting to be reaped).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    if fields.first() == Some(&"Z") {
        return None;
    }
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

#[test]
fn the_real_console_survives_a_resize_storm_and_exits_when_its_pty_closes() {
    if !tmux_available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let dirs = tempfile::tempdir().unwrap();
    let dir = |name: &str| {
        let path = dirs.path().join(name);
        std::fs::create_dir_all(&path).unwrap();
        path.display().to_string()
    };
    let (tmp, logs, home) = (dir("tmp"), dir("logs"), dir("home"));
    let binary = env!("CARGO_BIN_EXE_ghl-console");
    let command = format!(
        "exec env -u GHL_TOKEN -u GHL_TOKEN_FILE -u GHL_CONSOLE_CONFIG_DIR -u GHL_READ_ONLY \
         TMPDIR='{tmp}' HOME='{home}' XDG_CONFIG_HOME='{home}/c' \
         XDG_DATA_HOME='{home}/d' XDG_STATE_HOME='{home}/s' GHL_CONSOLE_LOG_DIR='{logs}' \
         GHL_LOG=debug '{binary}' --demo"
    );
    let session = Session(format!("ghl-pty-{}", std::process::id()));
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session.0,
        "-x",
        "120",
        "-y",
        "40",
        &command,
    ]);
    session.wait_for("online");
    let pid: u32 = tmux(&["display-message", "-p", "-t", &session.0, "#{pane_pid}"])
        .trim()
        .parse()
        .unwrap();

    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..60 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let (width, height) = (1 + rng % 220, 1 + (rng >> 20) % 70);
        let (width, height) = (width.to_string(), height.to_string());
        tmux(&[
            "resize-window",
            "-t",
            &session.0,
            "-x",
            &width,
            "-y",
            &height,
        ]);
    }
    tmux(&["resize-window", "-t", &session.0, "-x", "40", "-y", "10"]);
    session.wait_for("Terminal too small");
    tmux(&["resize-window", "-t", &session.0, "-x", "120", "-y", "40"]);
    let screen = session.wait_for("online");
    assert!(screen.contains("Contacts"), "{screen}");
    assert!(cpu_ticks(pid).is_some(), "the console died in the storm");

    // Closing the pane closes the pty; the console must notice and end, not spin.
    tmux(&["kill-session", "-t", &session.0]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while cpu_ticks(pid).is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    if let Some(before) = cpu_ticks(pid) {
        std::thread::sleep(Duration::from_secs(1));
        let after = cpu_ticks(pid).unwrap_or(before);
        panic!(
            "the console still runs 10 s after its pty closed, using {} ticks a second",
            after - before
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(
        leftovers.is_empty(),
        "the demo store was left behind: {leftovers:?}"
    );
    let log: String = std::fs::read_dir(&logs)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    let why = log
        .lines()
        .find(|l| l.contains("signal received") || l.contains("terminal went away"));
    let why = why.unwrap_or_else(|| panic!("the log does not say why the console closed:\n{log}"));
    println!("closed: {why}");
    assert!(!log.contains(DEMO_TOKEN), "the token is in the log");
}
