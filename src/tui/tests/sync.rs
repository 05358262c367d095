//! The Sync pane and the location switch with in-memory answers: snapshots of a running and a
//! finished sync, the log filters, opening a line's exchange, and what a switch resets.

use std::time::Duration;

use insta::assert_snapshot;

use super::{Fixture, exchange};
use crate::rankr::{Counts, Level as LogLevel, LogEntry};
use crate::sync::{Phase, SyncMode, SyncProgress, SyncSummary};
use crate::tui::app::Pane;
use crate::tui::location::KnownLocation;
use crate::tui::update::Effect;
use crate::worker::messages::{Command, Event};

fn commands(fixture: &mut Fixture) -> Vec<Command> {
    fixture
        .sent
        .drain(..)
        .filter_map(|e| match e {
            Effect::Send(command) => Some(command),
            _ => None,
        })
        .collect()
}

fn line(id: i64, level: LogLevel, entity: &str, action: &str, exchange: Option<u64>) -> LogEntry {
    LogEntry {
        id,
        run_id: Some(7),
        at: "2026-03-01T11:58:00.000Z".into(),
        level,
        entity: entity.into(),
        entity_id: Some(format!("{entity}-{id}")),
        action: action.into(),
        message: format!("{entity} {action}"),
        exchange_id: exchange,
    }
}

fn log_answer(request: u64) -> Event {
    Event::SyncLog {
        request,
        entries: vec![
            line(3, LogLevel::Error, "task", "failed", Some(3)),
            line(2, LogLevel::Info, "contact", "updated", Some(2)),
            line(1, LogLevel::Info, "run", "started", None),
        ],
        runs: Vec::new(),
        error: None,
    }
}

fn progress() -> SyncProgress {
    SyncProgress {
        run_id: Some(7),
        mode: "full".into(),
        phase: Phase::Contacts,
        done: 40,
        total: Some(200),
        counts: Counts {
            seen: 40,
            created: 38,
            updated: 2,
            ..Counts::default()
        },
        written: 40,
        rate: 12.5,
        eta: Some(Duration::from_secs(13)),
        elapsed: Duration::from_secs(3),
    }
}

fn summary() -> SyncSummary {
    SyncSummary {
        run_id: Some(7),
        location_id: "loc_demo".into(),
        mode: "full".into(),
        outcome: "ok".into(),
        counts: Counts {
            seen: 200,
            created: 200,
            children: 410,
            requests: 612,
            ..Counts::default()
        },
        elapsed_ms: 4_200,
        ..SyncSummary::default()
    }
}

/// The Sync pane focused, its log read.
fn sync_pane(width: u16, height: u16) -> Fixture {
    let mut f = Fixture::loaded(width, height);
    f.keys(&["shift-tab"]);
    let sent = commands(&mut f);
    assert!(matches!(sent[..], [Command::SyncLog { request: 1, .. }]));
    f.event(log_answer(1));
    f
}

#[test]
fn sync_pane_running_and_finished() {
    for (width, height) in [(80, 24), (160, 48)] {
        let mut f = sync_pane(width, height);
        f.keys(&["s"]);
        assert_eq!(
            commands(&mut f),
            vec![Command::Sync {
                mode: SyncMode::Auto
            }]
        );
        f.event(Event::SyncStarted {
            mode: SyncMode::Auto,
        });
        f.event(Event::SyncProgress(Box::new(progress())));
        assert!(matches!(
            commands(&mut f)[..],
            [Command::SyncLog { request: 2, .. }]
        ));
        f.event(log_answer(2));
        f.app.toast = None;
        assert_snapshot!(format!("sync_running_{width}x{height}"), f.render());

        f.event(Event::SyncEnded {
            summary: Some(Box::new(summary())),
            error: None,
        });
        assert!(matches!(
            commands(&mut f)[..],
            [Command::SyncLog { request: 3, .. }]
        ));
        f.event(log_answer(3));
        f.app.toast = None;
        assert_snapshot!(format!("sync_finished_{width}x{height}"), f.render());
    }
}

#[test]
fn level_and_entity_keys_read_the_log_again_with_the_filter() {
    let mut f = sync_pane(80, 24);
    f.keys(&["l", "e"]);
    let filters: Vec<_> = commands(&mut f)
        .into_iter()
        .filter_map(|c| match c {
            Command::SyncLog { filter, .. } => Some((filter.min_level, filter.entity)),
            _ => None,
        })
        .collect();
    assert_eq!(
        filters,
        vec![
            (Some(LogLevel::Warn), None),
            (Some(LogLevel::Warn), Some("contact".to_string()))
        ]
    );
    f.event(log_answer(1));
    assert_eq!(f.app.sync.entries.len(), 3, "an older answer is dropped");
}

#[test]
fn a_line_opens_its_exchange_only_for_runs_of_this_session() {
    let mut f = sync_pane(80, 24);
    f.keys(&["j", "enter"]);
    assert_eq!(f.app.focus, Pane::Log);
    assert!(f.render().contains("not in this session"));

    f.event(Event::SyncProgress(Box::new(progress())));
    f.keys(&["enter"]);
    assert_eq!(f.app.focus, Pane::Inspector);
    assert_eq!(f.app.selected_exchange().map(|e| e.id), Some(2));
}

#[test]
fn sync_is_allowed_in_read_only_mode_and_cancel_is_sent() {
    let mut f = sync_pane(80, 24);
    f.app.settings.read_only = true;
    f.keys(&["S"]);
    f.event(Event::SyncStarted {
        mode: SyncMode::Full,
    });
    f.keys(&["c"]);
    assert_eq!(
        commands(&mut f),
        vec![
            Command::Sync {
                mode: SyncMode::Full
            },
            Command::CancelSync
        ]
    );
}

/// A cancelled run says so once, and tells the contacts the progress counted as fetched
/// from those it committed, so `97/200 fetched` and `75 seen` do not seem to disagree.
#[test]
fn a_cancelled_run_says_it_once_and_what_was_fetched_but_not_committed() {
    let mut f = sync_pane(160, 48);
    f.keys(&["S"]);
    f.event(Event::SyncStarted {
        mode: SyncMode::Full,
    });
    let running = SyncProgress {
        done: 97,
        written: 75,
        counts: Counts {
            seen: 75,
            created: 75,
            ..Counts::default()
        },
        ..progress()
    };
    f.event(Event::SyncProgress(Box::new(running)));
    let shown = f.render();
    assert!(
        shown.contains("full sync, contacts: 97/200 fetched, 75 committed"),
        "{shown}"
    );
    let cancelled = SyncSummary {
        outcome: "cancelled".into(),
        message: Some("cancelled".into()),
        counts: Counts {
            seen: 75,
            created: 75,
            requests: 212,
            ..Counts::default()
        },
        ..summary()
    };
    f.event(Event::SyncEnded {
        summary: Some(Box::new(cancelled)),
        error: Some("the sync was cancelled".into()),
    });
    let toast = f.app.toast.as_ref().map(|t| t.text.clone()).unwrap();
    assert_eq!(
        toast,
        "Sync cancelled: 22 fetched contacts were not committed; the next run does them \
         (full run: 75 seen, 75 created, 0 updated, 0 unchanged, 0 deleted, 0 tasks/notes, 0 \
         failed, 212 requests)"
    );
    assert_eq!(toast.matches("cancelled").count(), 1, "{toast}");

    // A run that stopped for a reason gives it, once, before the counts.
    let mut f = sync_pane(160, 48);
    f.event(Event::SyncStarted {
        mode: SyncMode::Auto,
    });
    let stopped = SyncSummary {
        outcome: "stopped".into(),
        message: Some("GHL unreachable".into()),
        ..summary()
    };
    f.event(Event::SyncEnded {
        summary: Some(Box::new(stopped)),
        error: Some("sync stopped: GHL unreachable".into()),
    });
    let toast = f.app.toast.as_ref().map(|t| t.text.clone()).unwrap();
    assert!(
        toast.starts_with("Sync stopped: GHL unreachable (full run: 200 seen"),
        "{toast}"
    );
}

#[test]
fn switching_location_resets_the_listing_and_follows_read_only() {
    let mut f = Fixture::loaded(80, 24);
    f.app.locations.known = vec![KnownLocation {
        id: "loc_other".into(),
        name: "Other".into(),
        read_only: true,
    }];
    f.keys(&["L"]);
    assert!(f.render().contains("Switch location"));
    assert_eq!(commands(&mut f), vec![Command::Locations]);
    f.keys(&["enter"]);
    assert_eq!(
        commands(&mut f),
        vec![Command::SwitchLocation {
            location_id: "loc_other".into()
        }]
    );
    f.event(Event::Exchange(exchange(
        9,
        "POST",
        "/contacts/search",
        200,
        "{}",
    )));
    f.event(Event::Switched {
        location_id: "loc_other".into(),
    });
    assert_eq!(f.app.settings.location, "loc_other");
    assert!(f.app.settings.read_only);
    assert_eq!(f.app.contacts.len(), 0);
    assert_eq!(f.app.current_contact_id(), None);
    assert!(
        commands(&mut f)
            .iter()
            .any(|c| matches!(c, Command::Search { query: None, .. }))
    );
    assert!(f.render().contains("loc loc_other"));
    f.keys(&["t"]);
    assert!(
        commands(&mut f).is_empty(),
        "no tag input in read-only mode"
    );
}

/// A switch while a sync runs would cancel it: the console asks first, and no keeps both
/// the location and the sync.
#[test]
fn switching_location_during_a_sync_asks_first() {
    let mut f = Fixture::loaded(80, 24);
    f.app.locations.known = vec![KnownLocation {
        id: "loc_other".into(),
        name: "Other".into(),
        read_only: false,
    }];
    f.app.sync.running = Some(SyncMode::Full);
    f.keys(&["L"]);
    commands(&mut f);
    f.keys(&["enter"]);
    assert!(f.render().contains("A sync is running"), "{}", f.render());
    assert!(
        commands(&mut f).is_empty(),
        "nothing sent before the answer"
    );
    f.keys(&["n"]);
    assert!(commands(&mut f).is_empty());
    assert!(f.render().contains("the sync goes on"), "{}", f.render());
    f.keys(&["L"]);
    commands(&mut f);
    f.keys(&["enter", "y"]);
    assert_eq!(
        commands(&mut f),
        vec![Command::SwitchLocation {
            location_id: "loc_other".into()
        }]
    );
}

fn log_reads(fixture: &mut Fixture) -> usize {
    commands(fixture)
        .iter()
        .filter(|c| matches!(c, Command::SyncLog { .. }))
        .count()
}

#[test]
fn the_log_is_read_again_during_a_run_at_most_once_a_second() {
    let mut f = sync_pane(80, 24);
    f.event(Event::SyncStarted {
        mode: SyncMode::Auto,
    });
    f.event(Event::SyncProgress(Box::new(progress())));
    assert_eq!(log_reads(&mut f), 1, "the first progress reads the log");

    f.event(Event::SyncProgress(Box::new(progress())));
    assert_eq!(log_reads(&mut f), 0, "not again within a second");

    let later = super::now() + chrono::TimeDelta::milliseconds(1_100);
    let fx = crate::tui::update::update(&mut f.app, crate::tui::update::Msg::Tick(later));
    f.sent.extend(fx);
    f.event(Event::SyncProgress(Box::new(progress())));
    assert_eq!(log_reads(&mut f), 1, "again after a second");

    // Elsewhere the log is not read; the pane reads it on the next progress once shown.
    f.keys(&["tab"]);
    let much_later = later + chrono::TimeDelta::seconds(5);
    let fx = crate::tui::update::update(&mut f.app, crate::tui::update::Msg::Tick(much_later));
    f.sent.extend(fx);
    f.event(Event::SyncProgress(Box::new(progress())));
    assert_eq!(log_reads(&mut f), 0, "the pane is not shown");
}

#[test]
fn new_lines_keep_the_selected_line_selected() {
    let mut f = sync_pane(80, 24);
    f.keys(&["j"]);
    assert_eq!(f.app.sync.entries[f.app.sync.cursor.selected].id, 2);
    f.event(Event::SyncStarted {
        mode: SyncMode::Auto,
    });
    f.event(Event::SyncProgress(Box::new(progress())));
    let request = f.app.sync.request;
    let mut entries = vec![
        line(5, LogLevel::Info, "contact", "created", None),
        line(4, LogLevel::Info, "contact", "created", None),
    ];
    if let Event::SyncLog { entries: old, .. } = log_answer(request) {
        entries.extend(old);
    }
    f.event(Event::SyncLog {
        request,
        entries,
        runs: Vec::new(),
        error: None,
    });
    assert_eq!(f.app.sync.cursor.selected, 3);
    assert_eq!(f.app.sync.entries[3].id, 2, "the same line stays selected");
    let screen = f.render();
    assert!(screen.contains("contact created"), "{screen}");
}

/// The pane reads the newest 500 lines; a log with more said "Sync log 500" as if that were
/// all. It reads one line more, and says the 500 are the latest.
#[test]
fn a_log_longer_than_the_pane_reads_is_said_to_be_its_latest_lines() {
    use crate::tui::sync_log::LOG_LINES;
    let mut f = sync_pane(80, 24);
    assert!(f.render().contains("Sync log 3 "), "{}", f.render());
    f.keys(&["l"]);
    let sent = commands(&mut f);
    let [Command::SyncLog { request, filter }] = &sent[..] else {
        panic!("expected a log read, got {sent:?}");
    };
    assert_eq!(filter.limit, LOG_LINES + 1, "one more than shown");
    let many = (1..=1_167).rev().take(LOG_LINES + 1);
    f.event(Event::SyncLog {
        request: *request,
        entries: many
            .map(|id| line(id, LogLevel::Info, "contact", "updated", None))
            .collect(),
        runs: Vec::new(),
        error: None,
    });
    assert_eq!(f.app.sync.entries.len(), LOG_LINES);
    let screen = f.render();
    assert!(screen.contains("Sync log latest 500 "), "{screen}");
    assert!(!screen.contains("Sync log 500 "), "{screen}");

    f.keys(&["l"]);
    let sent = commands(&mut f);
    let [Command::SyncLog { request, .. }] = &sent[..] else {
        panic!("expected a log read, got {sent:?}");
    };
    f.event(log_answer(*request));
    assert!(f.render().contains("Sync log 3 "), "all of a short log");
}

/// After `L` to another location the pane went on listing the first location's lines. A switch
/// now drops them and reads the log again, for the new location only.
#[test]
fn a_location_switch_reads_the_log_of_the_new_location() {
    let mut f = sync_pane(80, 24);
    let sent = commands(&mut f);
    assert!(sent.is_empty(), "{sent:?}");
    f.event(Event::SyncEnded {
        summary: Some(Box::new(summary())),
        error: None,
    });
    let request = f.app.sync.request;
    f.event(log_answer(request));
    commands(&mut f);
    assert!(f.render().contains("Last sync ok in"));

    f.event(Event::Switched {
        location_id: "loc_other".into(),
    });
    assert!(
        f.app.sync.entries.is_empty(),
        "the first location's lines are gone"
    );
    let reads: Vec<_> = commands(&mut f)
        .into_iter()
        .filter_map(|c| match c {
            Command::SyncLog { filter, .. } => Some(filter),
            _ => None,
        })
        .collect();
    assert_eq!(reads.len(), 1, "the log is read again");
    assert_eq!(reads[0].location_id.as_deref(), Some("loc_other"));
    let screen = f.render();
    assert!(!screen.contains("task failed"), "{screen}");
    assert!(
        !screen.contains("Last sync full ok"),
        "the session's run was in the other location:\n{screen}"
    );
}

/// Esc from Raw opened from a Sync line went to Contacts instead of back to Sync. Raw now goes
/// back to the pane it was opened from whatever it is, and Sync then back to its own.
#[test]
fn esc_from_raw_opened_from_a_sync_line_goes_back_to_sync() {
    let mut f = sync_pane(80, 24);
    f.event(Event::SyncProgress(Box::new(progress())));
    f.keys(&["j", "enter"]);
    assert_eq!(f.app.focus, Pane::Inspector);
    f.keys(&["esc"]);
    assert_eq!(f.app.focus, Pane::Log, "back to the Sync pane");
    f.keys(&["esc"]);
    assert_eq!(f.app.focus, Pane::Contacts, "and Sync back to its own");

    // Raw opened from Tasks, Sync reached from it, Raw opened again from a line: Esc walks
    // back the same way; Tab back to Sync from there goes back along the way, not round it.
    f.keys(&["tab", "tab", "i", "tab"]);
    assert_eq!(f.app.focus, Pane::Log);
    f.keys(&["enter"]);
    assert_eq!(f.app.focus, Pane::Inspector);
    f.keys(&["tab"]);
    assert_eq!(f.app.focus, Pane::Log);
    f.keys(&["esc"]);
    assert_eq!(f.app.focus, Pane::Tasks);
}

/// `i` opens Raw from any pane, and Esc goes back to that pane.
#[test]
fn raw_goes_back_to_whichever_pane_opened_it() {
    for pane in Pane::ALL.into_iter().filter(|p| *p != Pane::Inspector) {
        let mut f = Fixture::loaded(80, 24);
        while f.app.focus != pane {
            f.keys(&["tab"]);
        }
        f.keys(&["i"]);
        assert_eq!(f.app.focus, Pane::Inspector, "i in {pane:?}");
        f.keys(&["esc"]);
        assert_eq!(f.app.focus, pane, "Esc goes back to {pane:?}");
    }
}

/// Enter on a line with no exchange behind it (a run's summary) did nothing: it shows the
/// whole line, its summary too long for the pane, and says why no exchange opens.
#[test]
fn enter_on_a_run_line_shows_it_whole_and_why_no_exchange_opens() {
    let mut f = sync_pane(80, 24);
    let request = f.app.sync.request;
    let mut run = line(4, LogLevel::Info, "run", "ok", None);
    run.message = "full run: 200 seen, 200 created, 0 updated, 0 unchanged, 0 deleted, 410 \
                   tasks/notes changed, 0 failed, 612 requests"
        .into();
    f.event(Event::SyncLog {
        request,
        entries: vec![run],
        runs: Vec::new(),
        error: None,
    });
    assert!(!f.render().contains("612 requests"), "cut in the list");
    f.keys(&["enter"]);
    assert_eq!(f.app.focus, Pane::Log);
    let screen = f.render();
    assert!(screen.contains("Sync log line"), "{screen}");
    assert!(screen.contains("612 requests"), "the whole line: {screen}");
    assert!(
        screen.contains("No HTTP exchange is behind this"),
        "{screen}"
    );
    assert!(screen.contains("any key closes"), "{screen}");
    f.keys(&["esc"]);
    assert!(f.app.modal.is_none());
    assert_eq!(f.app.focus, Pane::Log);
}

fn many_lines(from: i64, to: i64) -> Vec<LogEntry> {
    (from..=to)
        .rev()
        .map(|id| {
            let mut entry = line(id, LogLevel::Info, "contact", "updated", None);
            entry.message = format!("contact updated {id}");
            entry
        })
        .collect()
}

fn answer(f: &mut Fixture, entries: Vec<LogEntry>) {
    let request = f.app.sync.request;
    f.event(Event::SyncLog {
        request,
        entries,
        runs: Vec::new(),
        error: None,
    });
}

/// After a run its newest lines were above the visible area, shown only after `g`, and
/// nothing said they were there. At the newest line the pane follows new lines; scrolled
/// away, it keeps its lines and its title counts the newer ones above.
#[test]
fn the_log_follows_new_lines_at_its_top_and_counts_them_when_scrolled_away() {
    let mut f = sync_pane(80, 24);
    f.keys(&["l"]);
    answer(&mut f, many_lines(1, 40));
    f.keys(&["l", "l", "l"]);
    answer(&mut f, many_lines(1, 40));
    assert_eq!(f.app.sync.cursor.selected, 0);
    answer(&mut f, many_lines(1, 45));
    assert_eq!(f.app.sync.cursor.selected, 0, "on the newest line");
    let screen = f.render();
    assert!(screen.contains("contact updated 45 "), "{screen}");
    assert!(!screen.contains("newer lines"), "{screen}");

    f.keys(&["pgdn", "pgdn"]);
    let selected = f.app.sync.entries[f.app.sync.cursor.selected].id;
    f.render();
    answer(&mut f, many_lines(1, 52));
    let screen = f.render();
    let above = f.app.sync.cursor.offset;
    assert!(above > 7, "{above}");
    assert!(
        screen.contains(&format!("Sync log 52 · {above} newer lines (g)")),
        "{screen}"
    );
    assert_eq!(
        f.app.sync.entries[f.app.sync.cursor.selected].id, selected,
        "the selected line stays selected"
    );
    f.keys(&["g"]);
    let screen = f.render();
    assert!(screen.contains("contact updated 52 "), "{screen}");
    assert!(!screen.contains("newer lines"), "{screen}");
}

/// The console's activity, newest first, kept the row number as lines came: the selection
/// slid onto another line. It stays on its line and the title counts the newer ones.
#[test]
fn the_activity_log_keeps_its_selected_line_and_counts_newer_ones() {
    let mut f = sync_pane(80, 24);
    f.keys(&["v"]);
    for i in 0..40 {
        f.app
            .log(crate::tui::app::Level::Info, format!("activity {i}"));
    }
    f.render();
    f.keys(&["pgdn", "pgdn"]);
    f.render();
    let len = f.app.log.lines.len();
    let selected = f.app.log.cursor.selected;
    let text = f.app.log.lines[len - 1 - selected].text.clone();
    for i in 40..45 {
        f.app
            .log(crate::tui::app::Level::Info, format!("activity {i}"));
    }
    let len = f.app.log.lines.len();
    let now = f.app.log.cursor.selected;
    assert_eq!(f.app.log.lines[len - 1 - now].text, text);
    let screen = f.render();
    assert!(screen.contains("newer lines (g)"), "{screen}");
    f.keys(&["g"]);
    f.app.log(crate::tui::app::Level::Info, "activity newest");
    let screen = f.render();
    assert!(screen.contains("activity newest"), "{screen}");
    assert!(!screen.contains("newer lines"), "{screen}");
}

/// A run's summary line was cut at 120 columns, its failures and requests lost: selected, the
/// row under the filter shows its message.
#[test]
fn a_selected_line_the_list_cuts_shows_its_message_under_the_filter() {
    let mut f = sync_pane(120, 30);
    let mut run = line(4, LogLevel::Warn, "run", "partial", None);
    run.message = "full run: 200 seen, 190 created, 0 updated, 0 unchanged, 0 deleted, 410 \
                   tasks/notes changed, 10 failed, 612 requests"
        .into();
    answer(
        &mut f,
        vec![run, line(3, LogLevel::Info, "run", "started", None)],
    );
    let screen = f.render();
    assert!(
        screen.contains("↳ full run: 200 seen, 190 created, 0 updated, 0 unchanged, 0 deleted, 410 tasks/notes changed, 10 failed, 612 requests"),
        "{screen}"
    );
    f.keys(&["j"]);
    assert!(
        !f.render().contains('↳'),
        "a line shown whole is not repeated"
    );
}

/// At 80 columns the counts are cut: a run with failures says how many before them.
#[test]
fn the_last_runs_failures_are_in_view_at_80_columns() {
    let mut f = sync_pane(80, 24);
    commands(&mut f);
    let mut failed = summary();
    failed.outcome = "failed".into();
    failed.counts.failed = 3;
    f.event(Event::SyncEnded {
        summary: Some(Box::new(failed)),
        error: None,
    });
    let screen = f.render();
    assert!(
        screen.contains("Last sync failed in 4.2s, 3 failed ("),
        "{screen}"
    );
}
