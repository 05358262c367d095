//! End to end: the real binary with `--demo` in a tmux session. It starts, shows contacts,
//! completes a task, quits, and leaves the terminal as it found it. Skipped (with the reason
//! printed) when tmux is not installed. Every tmux command goes to a server of this test
//! process's own (`tmux -L`), never to the user's.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ghl_console::sandbox::DEMO_TOKEN;

/// The private tmux server of this test process.
fn socket() -> String {
    format!("ghl-smoke-{}", std::process::id())
}

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", &socket(), "-f", "/dev/null"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Session {
    name: String,
}

impl Session {
    fn capture(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.name])
    }

    fn send(&self, key: &str) {
        tmux(&["send-keys", "-t", &self.name, key]);
        std::thread::sleep(Duration::from_millis(300));
    }

    fn wait_for(&self, what: impl Fn(&str) -> bool, label: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.capture();
            if what(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {label}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn format(&self, format: &str) -> String {
        tmux(&["display-message", "-p", "-t", &self.name, format])
            .trim()
            .to_string()
    }
}

impl Session {
    /// The demo console in a new session of `width` x `height`, with its home, config, data,
    /// state and log dirs under `home`; the shell prints `EXITED:<code>` when it ends.
    fn demo(label: &str, home: &Path, width: u16, height: u16) -> Self {
        let home = home.display();
        let binary = env!("CARGO_BIN_EXE_ghl-console");
        let script = format!(
            "env -u GHL_TOKEN HOME='{home}' XDG_CONFIG_HOME='{home}/c' XDG_DATA_HOME='{home}/d' \
             XDG_STATE_HOME='{home}/s' GHL_CONSOLE_LOG_DIR='{home}/logs' '{binary}' --demo; \
             echo EXITED:$?; sleep 60"
        );
        let session = Self {
            name: format!("ghl-{label}-{}", std::process::id()),
        };
        let (width, height) = (width.to_string(), height.to_string());
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session.name,
            "-x",
            &width,
            "-y",
            &height,
            &script,
        ]);
        session
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.name]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The open-task count in the tasks pane title, when shown.
fn open_tasks(screen: &str) -> Option<usize> {
    screen.match_indices("Tasks ").find_map(|(at, _)| {
        let rest = &screen[at + "Tasks ".len()..];
        rest[..rest.find(" open")?].parse().ok()
    })
}

fn no_token_in(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        assert!(!text.contains(DEMO_TOKEN), "the token is in the log file");
    }
}

#[test]
fn demo_starts_completes_a_task_quits_and_restores_the_terminal() {
    if !tmux_available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let logs = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_ghl-console");
    let script = format!(
        "env GHL_CONSOLE_LOG_DIR='{}' GHL_LOG=debug '{binary}' --demo; echo EXITED:$?; \
         stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?icanon'; sleep 60",
        logs.path().display()
    );
    let session = Session {
        name: format!("ghl-smoke-{}", std::process::id()),
    };
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session.name,
        "-x",
        "120",
        "-y",
        "40",
        &script,
    ]);

    session.wait_for(
        |s| s.contains("/200 by updated") && s.contains("online"),
        "contacts",
    );
    assert_eq!(session.format("#{alternate_on}"), "1");

    session.send("Tab");
    session.send("Tab");
    let mut before = None;
    for _ in 0..40 {
        let screen = session.wait_for(
            |s| open_tasks(s).is_some() || s.contains("Loading"),
            "tasks",
        );
        if let Some(open) = open_tasks(&screen).filter(|n| *n > 0) {
            before = Some(open);
            break;
        }
        // Back from Tasks to Contacts, to the next contact.
        session.send("BTab");
        session.send("BTab");
        session.send("j");
        session.send("Tab");
        session.send("Tab");
    }
    let before = before.expect("a demo contact with an open task");

    session.send("x");
    let screen = session.wait_for(|s| open_tasks(s) == Some(before - 1), "the task completed");
    assert!(screen.contains("Task completed"), "{screen}");

    session.send("q");
    let screen = session.wait_for(|s| s.contains("EXITED:"), "the console to quit");
    assert!(screen.contains("EXITED:0"), "{screen}");
    assert!(
        !screen.contains("Contacts"),
        "the alternate screen is gone:\n{screen}"
    );
    session.wait_for(
        |s| s.lines().any(|l| l.trim() == "icanon"),
        "the terminal back in cooked mode",
    );
    assert_eq!(session.format("#{alternate_on}"), "0");
    assert_eq!(session.format("#{mouse_any_flag}"), "0");
    no_token_in(logs.path());
}

#[test]
fn quitting_after_the_terminal_grew_leaves_no_frame_on_the_normal_screen() {
    if !tmux_available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let dirs = tempfile::tempdir().unwrap();
    let home = dirs.path().display();
    let binary = env!("CARGO_BIN_EXE_ghl-console");
    let script = format!(
        "echo BEFORE; env -u GHL_TOKEN HOME='{home}' XDG_CONFIG_HOME='{home}/c' \
         XDG_DATA_HOME='{home}/d' XDG_STATE_HOME='{home}/s' GHL_CONSOLE_LOG_DIR='{home}/logs' \
         '{binary}' --demo; echo EXITED:$?; sleep 60"
    );
    let session = Session {
        name: format!("ghl-grow-{}", std::process::id()),
    };
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session.name,
        "-x",
        "80",
        "-y",
        "24",
        &script,
    ]);
    session.wait_for(|s| s.contains("online"), "the console");
    tmux(&[
        "resize-window",
        "-t",
        &session.name,
        "-x",
        "120",
        "-y",
        "40",
    ]);
    // The frame drawn at the new size: rows below the old bottom, wider than the old width.
    session.wait_for(
        |s| {
            let lines: Vec<&str> = s.lines().collect();
            lines.len() >= 39 && lines[38].contains("online")
        },
        "a frame at 120x40",
    );
    session.send("q");
    let screen = session.wait_for(|s| s.contains("EXITED:"), "the console to quit");
    let shown: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        shown,
        ["BEFORE", "EXITED:0"],
        "only the shell's lines are left on the normal screen:\n{screen}"
    );
    assert_eq!(session.format("#{alternate_on}"), "0");
}

/// The children of a process, from `/proc`.
fn children(pid: &str) -> Vec<String> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_sigint_sent_with_kill_restores_the_terminal() {
    if !tmux_available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let dirs = tempfile::tempdir().unwrap();
    let session = Session::demo("sigint", dirs.path(), 100, 30);
    session.wait_for(|s| s.contains("online"), "the console");
    assert_eq!(session.format("#{alternate_on}"), "1");
    let shell = session.format("#{pane_pid}");
    let console = children(&shell);
    assert_eq!(console.len(), 1, "one console under the shell: {console:?}");
    let killed = Command::new("kill")
        .args(["-INT", &console[0]])
        .status()
        .unwrap();
    assert!(killed.success());

    let screen = session.wait_for(|s| s.contains("EXITED:"), "the console to exit");
    assert!(screen.contains("EXITED:130"), "128 + SIGINT:\n{screen}");
    assert_eq!(
        session.format("#{alternate_on}"),
        "0",
        "left the alternate screen"
    );
    assert_eq!(
        session.format("#{mouse_any_flag}"),
        "0",
        "mouse reporting off"
    );
    assert_eq!(session.format("#{cursor_flag}"), "1", "cursor shown");
}

#[test]
fn a_yank_inside_tmux_reaches_a_paste_buffer_with_set_clipboard_on() {
    if !tmux_available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let server = format!("ghl-osc-{}", std::process::id());
    let on_server = |args: &[&str]| {
        let out = Command::new("tmux")
            .args(["-L", &server])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let dirs = tempfile::tempdir().unwrap();
    let home = dirs.path().display();
    let binary = env!("CARGO_BIN_EXE_ghl-console");
    let script = format!(
        "env -u GHL_TOKEN HOME='{home}' XDG_CONFIG_HOME='{home}/c' XDG_DATA_HOME='{home}/d' \
         XDG_STATE_HOME='{home}/s' GHL_CONSOLE_LOG_DIR='{home}/logs' '{binary}' --demo"
    );
    on_server(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "osc",
        "-x",
        "120",
        "-y",
        "40",
        &script,
    ]);
    on_server(&["set-option", "-g", "set-clipboard", "on"]);
    let screen = || on_server(&["capture-pane", "-p", "-t", "osc"]);
    let wait = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let now = screen();
            if now.contains(what) {
                return now;
            }
            assert!(Instant::now() < deadline, "waited for {what:?}:\n{now}");
            std::thread::sleep(Duration::from_millis(150));
        }
    };
    wait("online");
    // The selected contact's id, copied from the contacts pane.
    on_server(&["send-keys", "-t", "osc", "y"]);
    let toast = wait("to the clipboard");
    assert!(toast.contains("set-clipboard on"), "{toast}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let buffer = loop {
        let buffer = on_server(&["show-buffer"]);
        if !buffer.is_empty() || Instant::now() > deadline {
            break buffer;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    on_server(&["kill-server"]);
    assert_eq!(buffer.trim().len(), 20, "a GHL contact id: {buffer:?}");
    assert!(
        buffer.trim().chars().all(char::is_alphanumeric),
        "{buffer:?}"
    );
}

/// Sends what a terminal sends for a mouse event in SGR mode (1-based column and row).
fn mouse(session: &Session, button: u8, column: usize, row: usize, press_only: bool) {
    let press = format!("\x1b[<{button};{column};{row}M");
    let release = format!("\x1b[<{button};{column};{row}m");
    let text = if press_only { press } else { press + &release };
    tmux(&["send-keys", "-t", &session.name, "-l", &text]);
    std::thread::sleep(Duration::from_millis(300));
}

/// The 1-based column and row where `needle` first shows on the screen.
fn position_of(screen: &str, needle: &str) -> (usize, usize) {
    screen
        .lines()
        .enumerate()
        .find_map(|(row, line)| {
            let at = line.find(needle)?;
            Some((line[..at].chars().count() + 1, row + 1))
        })
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{screen}"))
}

/// The contact the Detail pane shows, from its Name row.
fn detail_name(screen: &str) -> String {
    let line = screen.lines().nth(2).unwrap_or_default();
    let detail = line.split("Name").nth(2).unwrap_or_default();
    detail
        .trim_matches(|c: char| c.is_whitespace() || c == '│')
        .to_string()
}

#[test]
fn the_mouse_selects_a_contact_focuses_a_tab_and_scrolls_a_list() {
    if !tmux_available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let dirs = tempfile::tempdir().unwrap();
    let session = Session::demo("mouse", dirs.path(), 120, 40);
    let screen = session.wait_for(
        |s| s.contains("/200 by updated") && s.contains("online") && !detail_name(s).is_empty(),
        "contacts and a detail",
    );
    assert_eq!(
        session.format("#{mouse_any_flag}"),
        "1",
        "the console asks for the mouse"
    );

    // A click on the fifth listed contact opens it in Detail.
    let fifth = screen.lines().nth(7).unwrap();
    let name = fifth
        .trim_start_matches(['┃', ' '])
        .split("  ")
        .next()
        .unwrap()
        .trim_end_matches('…')
        .to_string();
    assert!(!name.is_empty(), "{screen}");
    assert!(
        !detail_name(&screen).starts_with(&name),
        "another contact is open first"
    );
    mouse(&session, 0, 10, 8, false);
    session.wait_for(
        |s| detail_name(s).starts_with(&name),
        "the clicked contact in Detail",
    );

    // A click on the Raw tab focuses the inspector.
    let (column, row) = position_of(&screen, " Raw ");
    mouse(&session, 0, column + 1, row, false);
    let screen = session.wait_for(|s| s.contains("Exchanges ") && s.contains("[list]"), "Raw");

    // The wheel over the exchange list moves its selection: another exchange is shown.
    let (_, list_row) = position_of(&screen, "Time  Code");
    let shown = |s: &str| s.lines().nth(2).unwrap_or_default().to_string();
    let before = shown(&screen);
    for _ in 0..3 {
        mouse(&session, 65, 10, list_row + 3, true);
    }
    session.wait_for(|s| shown(s) != before, "another exchange after the wheel");

    session.send("q");
    let screen = session.wait_for(|s| s.contains("EXITED:"), "the console to quit");
    assert!(screen.contains("EXITED:0"), "{screen}");
    assert_eq!(session.format("#{mouse_any_flag}"), "0");
}
