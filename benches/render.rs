//! Rendering at scale: a full frame at 160x48 with 100,000 contacts loaded, and a keystroke of
//! the fuzzy filter over their names, emails, phones and tags. Budgets: a frame <= 2 ms, a
//! keystroke <= 10 ms from the key to the frame that answers it. The filter runs on its own
//! thread, so the bench gives both that and the time until the results are complete.

mod common;

use std::time::{Duration, Instant};

use common::{Sandbox, Spread, Table, Verdict, ms, pick};
use crossterm::event::{KeyCode, KeyEvent};
use ghl_console::ghl::models::Contact;
use ghl_console::sandbox::DEMO_LOCATION_ID;
use ghl_console::tui::app::App;
use ghl_console::tui::filter::{FuzzyIndex, Matching};
use ghl_console::tui::filter_task::FilterRunner;
use ghl_console::tui::theme::Theme;
use ghl_console::tui::update::{self, Effect, Msg};
use ghl_console::tui::view;
use ghl_console::worker::messages::ContactRow;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;

fn main() -> anyhow::Result<()> {
    common::header("Rendering at scale: a frame at 160x48 and a filter keystroke");
    let count = pick(100_000, 2_000);
    let sandbox = Sandbox::unlimited(count)?;
    let contacts = sandbox.handle.store().contacts(DEMO_LOCATION_ID);
    sandbox.stop();

    let mut table = Table::default();
    table.context("contacts loaded", contacts.len().to_string());
    frames(&contacts, &mut table)?;
    keystrokes(&contacts, &mut table)?;
    passes(&contacts, &mut table);
    table.print();
    Ok(())
}

/// Draws frames while the selection moves through the list, the way a held `j` or `k` does.
fn frames(contacts: &[Contact], table: &mut Table) -> anyhow::Result<()> {
    let mut app = common::console_with(contacts, WIDTH, HEIGHT);
    let theme = Theme::default_colors();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;
    let rounds = pick(400, 40);

    let mut draws = Vec::with_capacity(rounds * 2);
    let mut whole = Vec::with_capacity(rounds * 2);
    for (start, key) in [(None, 'j'), (Some('G'), 'k')] {
        if let Some(jump) = start {
            press(&mut app, KeyCode::Char(jump));
        }
        for _ in 0..rounds {
            let began = Instant::now();
            press(&mut app, KeyCode::Char(key));
            let drawing = Instant::now();
            update::after(&mut app);
            terminal.draw(|frame| view::render(frame, &app, &theme))?;
            draws.push(drawing.elapsed());
            whole.push(began.elapsed());
        }
    }

    let frame = Spread::of(&draws);
    let with_key = Spread::of(&whole);
    table.judged(
        "full frame 160x48 (after + draw), median",
        format!("{:.3} ms", ms(frame.median)),
        "<= 2 ms",
        Verdict::at_most(ms(frame.median), 2.0),
    );
    table.context("full frame, spread", frame.describe());
    table.context("key j/k + frame, spread", with_key.describe());
    Ok(())
}

/// Types queries into the filter, one key at a time, then takes them back with backspace.
/// Each key is answered the way the run loop answers it: `update`, the filter pass handed to
/// the filter thread, and a frame (with the previous results and the new filter text). Then the
/// bench waits for the pass's results and draws them. Key to frame is what the operator waits
/// for; key to results is how long the list takes to catch up.
fn keystrokes(contacts: &[Contact], table: &mut Table) -> anyhow::Result<()> {
    let mut typing = Typing::new(contacts)?;
    let queries = queries(contacts);

    press(&mut typing.app, KeyCode::Char('/'));
    let mut first = None;
    let (mut narrowing, mut widening) = (Timings::default(), Timings::default());
    for query in &queries {
        for c in query.chars() {
            let took = typing.key(KeyCode::Char(c))?;
            match first {
                None => first = Some(took),
                Some(_) => narrowing.push(took),
            }
        }
        for _ in query.chars() {
            widening.push(typing.key(KeyCode::Backspace)?);
        }
    }
    let hits = {
        for c in queries.first().map_or("", String::as_str).chars() {
            typing.key(KeyCode::Char(c))?;
        }
        typing.app.contacts.len()
    };
    let fast = typing.fast(&queries)?;

    let (first_frame, first_done) = first.unwrap_or_default();
    table.context(
        "queries typed",
        format!("{queries:?} ({hits} hits for the first)"),
    );
    table.judged(
        "first keystroke of a query (scans every contact), key to frame",
        format!("{:.3} ms", ms(first_frame)),
        "<= 10 ms",
        Verdict::at_most(ms(first_frame), 10.0),
    );
    table.context(
        "first keystroke, key to complete results",
        format!("{:.3} ms", ms(first_done)),
    );
    narrowing.report(table, "keystroke extending the query");
    widening.report(table, "backspace (query gets shorter)");
    let passes: Vec<Duration> = typing.passes.iter().map(|(_, took)| *took).collect();
    table.context(
        "a filter pass on the filter thread (answered ones), spread",
        Spread::of(&passes).describe(),
    );
    let typed = Spread::of(&fast.frames);
    table.judged(
        "typing 40 ms apart while passes run, key to frame, p99",
        format!("{:.3} ms", ms(typed.p99)),
        "<= 10 ms",
        Verdict::at_most(ms(typed.p99), 10.0),
    );
    table.context("typing 40 ms apart, key to frame, spread", typed.describe());
    table.context(
        "typing 40 ms apart, last key to complete results, spread",
        Spread::of(&fast.settled).describe(),
    );
    Ok(())
}

/// A full pass (the first key of a query) over every contact, on one thread and split over
/// the cores, outside the console: what a pass costs, without the scheduling around it.
fn passes(contacts: &[Contact], table: &mut Table) {
    let texts: Vec<String> = contacts
        .iter()
        .map(|c| ContactRow::of(c).search_text())
        .collect();
    let index = FuzzyIndex::of(texts.iter().map(String::as_str));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    for threads in [1, cores] {
        let mut took = Vec::new();
        let mut each: Vec<(&str, Vec<Duration>)> = Vec::new();
        for query in ["p", "7", "z", "pa"] {
            each.push((query, Vec::new()));
        }
        for _ in 0..pick(5, 1) {
            for (query, times) in &mut each {
                let began = Instant::now();
                let hits = Matching::new(threads).filter(&index, query).len();
                let elapsed = began.elapsed();
                took.push(elapsed);
                times.push(elapsed);
                std::hint::black_box(hits);
            }
        }
        table.context(
            &format!("a full pass over every contact, {threads} thread(s), spread"),
            Spread::of(&took).describe(),
        );
        let by_query: Vec<String> = each
            .iter()
            .map(|(query, times)| {
                let spread = Spread::of(times);
                format!("{query:?} {:.1}/{:.1}", ms(spread.min), ms(spread.median))
            })
            .collect();
        table.context(
            &format!("a full pass, {threads} thread(s), by query (min/median ms)"),
            by_query.join(", "),
        );
        let mut narrowing = Vec::new();
        for _ in 0..pick(5, 1) {
            let mut matching = Matching::new(threads);
            std::hint::black_box(matching.filter(&index, "p").len());
            let began = Instant::now();
            std::hint::black_box(matching.filter(&index, "pa").len());
            narrowing.push(began.elapsed());
        }
        table.context(
            &format!("\"p\" narrowed to \"pa\", {threads} thread(s), spread"),
            Spread::of(&narrowing).describe(),
        );
    }
}

/// Key-to-frame and key-to-results times of a kind of keystroke.
#[derive(Default)]
struct Timings {
    frames: Vec<Duration>,
    results: Vec<Duration>,
}

impl Timings {
    fn push(&mut self, (frame, done): (Duration, Duration)) {
        self.frames.push(frame);
        self.results.push(done);
    }

    fn report(&self, table: &mut Table, kind: &str) {
        let frames = Spread::of(&self.frames);
        table.judged(
            &format!("{kind}, key to frame, p99"),
            format!("{:.3} ms", ms(frames.p99)),
            "<= 10 ms",
            Verdict::at_most(ms(frames.p99), 10.0),
        );
        table.context(&format!("{kind}, key to frame, spread"), frames.describe());
        table.context(
            &format!("{kind}, key to complete results, spread"),
            Spread::of(&self.results).describe(),
        );
    }
}

/// What fast typing measured.
struct Fast {
    frames: Vec<Duration>,
    settled: Vec<Duration>,
}

/// A console with its filter thread and a terminal, driven one key at a time.
struct Typing {
    app: App,
    filter: FilterRunner,
    terminal: Terminal<TestBackend>,
    theme: Theme,
    runtime: tokio::runtime::Runtime,
    /// Each answered pass: how many contacts it covered and how long it took on its thread.
    passes: Vec<(usize, Duration)>,
}

impl Typing {
    fn new(contacts: &[Contact]) -> anyhow::Result<Self> {
        Ok(Self {
            app: common::console_with(contacts, WIDTH, HEIGHT),
            filter: FilterRunner::start(),
            terminal: Terminal::new(TestBackend::new(WIDTH, HEIGHT))?,
            theme: Theme::default_colors(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()?,
            passes: Vec::new(),
        })
    }

    /// Presses a key and draws the frame that answers it, then lets the pass start, as the run
    /// loop does: the time to that frame.
    fn answer(&mut self, code: KeyCode) -> anyhow::Result<Duration> {
        let began = Instant::now();
        let effects = update::update(&mut self.app, Msg::Key(KeyEvent::from(code)));
        self.carry_out(effects);
        self.draw()?;
        let took = began.elapsed();
        self.filter.release();
        Ok(took)
    }

    /// A key, its frame, then its results on screen: both times.
    fn key(&mut self, code: KeyCode) -> anyhow::Result<(Duration, Duration)> {
        let began = Instant::now();
        let frame = self.answer(code)?;
        self.settle(Duration::from_secs(30))?;
        Ok((frame, began.elapsed()))
    }

    /// Types every query with keys 40 ms apart, never waiting for results, then erases it;
    /// after the last key of each, waits for the results.
    fn fast(&mut self, queries: &[String]) -> anyhow::Result<Fast> {
        let gap = Duration::from_millis(40);
        let mut fast = Fast {
            frames: Vec::new(),
            settled: Vec::new(),
        };
        for query in queries {
            let keys = query.chars().map(KeyCode::Char);
            let erase = query.chars().map(|_| KeyCode::Backspace);
            for burst in [keys.collect::<Vec<_>>(), erase.collect()] {
                let mut codes = burst.into_iter().peekable();
                while let Some(code) = codes.next() {
                    let pressed = Instant::now();
                    fast.frames.push(self.answer(code)?);
                    if codes.peek().is_some() {
                        self.take_results(pressed + gap, false)?;
                    } else {
                        self.settle(Duration::from_secs(30))?;
                        fast.settled.push(pressed.elapsed());
                    }
                }
            }
        }
        Ok(fast)
    }

    /// Shows the results that arrive until `until`, as the run loop would; with `settled`,
    /// only until the newest pass asked for is on screen.
    fn take_results(&mut self, until: Instant, settled: bool) -> anyhow::Result<()> {
        loop {
            if settled && !self.app.contacts.filter_pending() {
                return Ok(());
            }
            let left = until.saturating_duration_since(Instant::now());
            let next = self
                .runtime
                .block_on(async { tokio::time::timeout(left, self.filter.recv()).await });
            match next {
                Ok(Some(done)) => {
                    self.passes.push((done.covers, done.took));
                    let effects = update::update(&mut self.app, Msg::Filtered(done));
                    self.carry_out(effects);
                    self.draw()?;
                    self.filter.release();
                }
                Ok(None) => anyhow::bail!("the filter thread stopped"),
                Err(_) => return Ok(()),
            }
        }
    }

    /// Waits until the newest pass asked for is on screen.
    fn settle(&mut self, within: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + within;
        while self.app.contacts.filter_pending() {
            anyhow::ensure!(Instant::now() < deadline, "no filter results");
            self.take_results(Instant::now() + Duration::from_millis(50), true)?;
        }
        Ok(())
    }

    fn carry_out(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            if let Effect::Filter(job) = effect {
                self.filter.hold(job);
            }
        }
    }

    fn draw(&mut self) -> anyhow::Result<()> {
        update::after(&mut self.app);
        let (app, theme) = (&self.app, &self.theme);
        self.terminal
            .draw(|frame| view::render(frame, app, theme))?;
        Ok(())
    }
}

/// Queries an operator would type: a name, an email's start, a partial phone, and a miss.
fn queries(contacts: &[Contact]) -> Vec<String> {
    let someone = &contacts[contacts.len() / 3];
    let name = someone
        .first_name
        .clone()
        .unwrap_or_else(|| "maria".into())
        .to_lowercase();
    let email = someone
        .email
        .as_deref()
        .and_then(|e| e.split('@').next())
        .map_or_else(|| "smith".into(), |local| local.chars().take(6).collect());
    let phone: String = someone
        .phone
        .as_deref()
        .unwrap_or("5550")
        .chars()
        .filter(char::is_ascii_digit)
        .take(5)
        .collect();
    vec![name, email, phone, "zqxjv".into()]
}

fn press(app: &mut App, code: KeyCode) {
    update::update(app, Msg::Key(KeyEvent::from(code)));
}
