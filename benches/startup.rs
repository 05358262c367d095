//! Memory and startup: a Rankr store holding 100,000 contacts, opened by a fresh process that
//! lists them in the console. Budgets: resident memory with the list loaded <= 200 MB; from
//! process start to the first frame <= 100 ms.
//!
//! The console does not open from the store yet, so the child process takes the steps it would:
//! open the store, read the first page of contacts, draw the first frame, then read the rest a
//! page at a time into the list, as the listing's pages arrive from GHL today.

#![allow(
    clippy::cast_precision_loss,
    reason = "sizes become f64 only for printed figures, far below 2^52"
)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use common::{Sandbox, Table, Verdict, ms, pick};
use crossterm::event::{KeyCode, KeyEvent};
use ghl_console::ghl::models::{Contact, CustomFieldValue};
use ghl_console::rankr::{Batch, RankrStore, SqliteStore, StoredContact};
use ghl_console::sandbox::DEMO_LOCATION_ID;
use ghl_console::sync::mapping::{map_contact, new_rankr_id};
use ghl_console::tui::theme::Theme;
use ghl_console::tui::update::{self, Msg};
use ghl_console::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The argument that makes the process the measured child, followed by the store's path.
const CHILD: &str = "--open-store";

/// Contacts per page read from the store.
const PAGE: usize = 1_000;

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == CHILD) {
        let path = args.get(at + 1).context("the store path")?;
        return child(started, Path::new(path));
    }

    common::header("Memory and startup: the console over a store of many contacts");
    let count = pick(100_000, 2_000);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("rankr.sqlite3");
    let filled = fill_store(&path, count)?;

    let spawned = Instant::now();
    let output = Command::new(std::env::current_exe()?)
        .arg(CHILD)
        .arg(&path)
        .output()
        .context("running the measured process")?;
    let whole = spawned.elapsed();
    anyhow::ensure!(
        output.status.success(),
        "the measured process failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let figures = Figures::parse(&String::from_utf8_lossy(&output.stdout))?;
    report(count, filled, whole, &figures, &path);
    Ok(())
}

/// Seeds `count` contacts in a sandbox and writes them into a new store as the sync maps them.
fn fill_store(path: &Path, count: usize) -> anyhow::Result<Duration> {
    let began = Instant::now();
    let sandbox = Sandbox::unlimited(count)?;
    let contacts = sandbox.handle.store().contacts(DEMO_LOCATION_ID);
    sandbox.stop();
    let store = SqliteStore::open(path)?;
    for chunk in contacts.chunks(5_000) {
        let rows = chunk
            .iter()
            .map(|c| {
                let mut row = map_contact(c, DEMO_LOCATION_ID, None).row;
                row.rankr_id = new_rankr_id();
                row
            })
            .collect();
        store.apply(&Batch {
            contacts: rows,
            ..Batch::default()
        })?;
    }
    Ok(began.elapsed())
}

/// What the child measured.
#[derive(Debug, Default)]
struct Figures {
    first_frame: Duration,
    all_loaded: Duration,
    rss_before_kib: u64,
    rss_list_kib: u64,
    rss_filter_kib: u64,
    loaded: usize,
}

impl Figures {
    fn line(&self) -> String {
        format!(
            "first_frame_us={} all_loaded_us={} rss_before_kib={} rss_list_kib={} \
             rss_filter_kib={} loaded={}",
            self.first_frame.as_micros(),
            self.all_loaded.as_micros(),
            self.rss_before_kib,
            self.rss_list_kib,
            self.rss_filter_kib,
            self.loaded
        )
    }

    fn parse(text: &str) -> anyhow::Result<Self> {
        let mut figures = Self::default();
        for pair in text.split_whitespace() {
            let Some((key, value)) = pair.split_once('=') else {
                continue;
            };
            let number: u64 = value.parse().context("a figure of the measured process")?;
            let micros = Duration::from_micros(number);
            match key {
                "first_frame_us" => figures.first_frame = micros,
                "all_loaded_us" => figures.all_loaded = micros,
                "rss_before_kib" => figures.rss_before_kib = number,
                "rss_list_kib" => figures.rss_list_kib = number,
                "rss_filter_kib" => figures.rss_filter_kib = number,
                "loaded" => figures.loaded = usize::try_from(number)?,
                _ => {}
            }
        }
        Ok(figures)
    }
}

/// The measured process: opens the store, draws the first frame after the first page, loads
/// the rest, and reports times and resident memory on one line.
fn child(started: Instant, path: &Path) -> anyhow::Result<()> {
    let rss_before_kib = common::rss_kib().unwrap_or(0);
    let store = SqliteStore::open(path)?;
    let theme = Theme::from_env();
    let mut terminal = Terminal::new(TestBackend::new(160, 48))?;

    let (first, mut after) = page(&store, None)?;
    let mut more = first.len() == PAGE;
    let mut app = common::console_with(Vec::new(), 160, 48);
    common::add_page(&mut app, first, more);
    update::after(&mut app);
    terminal.draw(|frame| view::render(frame, &app, &theme))?;
    let first_frame = started.elapsed();

    while more {
        let (contacts, last) = page(&store, after.as_deref())?;
        more = contacts.len() == PAGE;
        after = last;
        common::add_page(&mut app, contacts, more);
    }
    update::after(&mut app);
    terminal.draw(|frame| view::render(frame, &app, &theme))?;
    let all_loaded = started.elapsed();
    let rss_list_kib = common::rss_kib().unwrap_or(0);

    for code in [KeyCode::Char('/'), KeyCode::Char('a')] {
        update::update(&mut app, Msg::Key(KeyEvent::from(code)));
    }
    let rss_filter_kib = common::rss_kib().unwrap_or(0);

    let figures = Figures {
        first_frame,
        all_loaded,
        rss_before_kib,
        rss_list_kib,
        rss_filter_kib,
        loaded: app.contacts.items.len(),
    };
    println!("{}", figures.line());
    Ok(())
}

/// A page of the store's contacts as the console's models, and the GHL id to continue after.
fn page(
    store: &SqliteStore,
    after: Option<&str>,
) -> anyhow::Result<(Vec<Contact>, Option<String>)> {
    let rows = store.live_contacts(DEMO_LOCATION_ID, after, PAGE)?;
    let last = rows.last().and_then(|r| r.ghl_id.clone());
    Ok((rows.into_iter().map(to_contact).collect(), last))
}

/// A stored contact as the console's list shows it.
fn to_contact(row: StoredContact) -> Contact {
    let custom_fields =
        serde_json::from_value::<Vec<CustomFieldValue>>(row.custom_fields).unwrap_or_default();
    Contact {
        id: row.ghl_id.unwrap_or_default(),
        location_id: Some(row.location_id),
        name: row.name,
        email: row.email,
        phone: row.phone,
        contact_type: row.contact_type,
        dnd: Some(row.dnd),
        dnd_settings: row.dnd_settings.and_then(|v| v.as_object().cloned()),
        tags: row.tags,
        custom_fields,
        date_updated: row.date_updated,
        ..Contact::default()
    }
}

fn report(count: usize, filled: Duration, whole: Duration, figures: &Figures, path: &Path) {
    let mib = |kib: u64| kib as f64 / 1024.0;
    let store_size = std::fs::metadata(path).map_or(0, |m| m.len());
    let mut table = Table::default();
    table.context(
        "store",
        format!(
            "{count} contacts, {:.1} MiB on disk, filled in {:.1} s",
            store_size as f64 / 1_048_576.0,
            filled.as_secs_f64()
        ),
    );
    table.judged(
        "process start to first frame (first page of 1,000 read)",
        format!("{:.1} ms", ms(figures.first_frame)),
        "<= 100 ms",
        Verdict::at_most(ms(figures.first_frame), 100.0),
    );
    table.context(
        "process start to every contact listed",
        format!(
            "{:.1} ms ({} contacts)",
            ms(figures.all_loaded),
            figures.loaded
        ),
    );
    table.context(
        "spawn to exit, seen from outside",
        format!("{:.1} ms", ms(whole)),
    );
    table.judged(
        "resident memory, list loaded (VmRSS)",
        format!("{:.1} MiB", mib(figures.rss_list_kib)),
        "<= 200 MB",
        Verdict::at_most(figures.rss_list_kib as f64 * 1024.0, 200e6),
    );
    table.context(
        "resident memory at process start",
        format!("{:.1} MiB", mib(figures.rss_before_kib)),
    );
    table.context(
        "resident memory after a filter keystroke (fuzzy index built)",
        format!("{:.1} MiB", mib(figures.rss_filter_kib)),
    );
    table.print();
}
