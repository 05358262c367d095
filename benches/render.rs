//! Rendering at scale: a full frame at 160x48 with 100,000 contacts loaded, and a keystroke of
//! the fuzzy filter over their names, emails, phones and tags. Budgets: a frame <= 2 ms, a
//! keystroke <= 10 ms.

mod common;

use std::time::{Duration, Instant};

use common::{Sandbox, Spread, Table, Verdict, ms, pick};
use crossterm::event::{KeyCode, KeyEvent};
use ghl_console::ghl::models::Contact;
use ghl_console::sandbox::DEMO_LOCATION_ID;
use ghl_console::tui::app::App;
use ghl_console::tui::theme::Theme;
use ghl_console::tui::update::{self, Msg};
use ghl_console::tui::view;
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
    keystrokes(&contacts, &mut table);
    table.print();
    Ok(())
}

/// Draws frames while the selection moves through the list, the way a held `j` or `k` does.
fn frames(contacts: &[Contact], table: &mut Table) -> anyhow::Result<()> {
    let mut app = common::console_with(contacts.to_vec(), WIDTH, HEIGHT);
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

/// Types queries into the filter, one key at a time, then takes them back with backspace, and
/// times each key's update.
fn keystrokes(contacts: &[Contact], table: &mut Table) {
    let mut app = common::console_with(contacts.to_vec(), WIDTH, HEIGHT);
    let queries = queries(contacts);

    press(&mut app, KeyCode::Char('/'));
    let mut first = None;
    let mut narrowing = Vec::new();
    let mut widening = Vec::new();
    for query in &queries {
        for c in query.chars() {
            let took = timed(&mut app, KeyCode::Char(c));
            if first.is_none() {
                first = Some(took);
            } else {
                narrowing.push(took);
            }
        }
        for _ in query.chars() {
            widening.push(timed(&mut app, KeyCode::Backspace));
        }
    }
    let hits = {
        for c in queries.first().map_or("", String::as_str).chars() {
            press(&mut app, KeyCode::Char(c));
        }
        app.contacts.len()
    };

    let first = first.unwrap_or_default();
    let narrowing = Spread::of(&narrowing);
    let widening = Spread::of(&widening);
    table.context(
        "queries typed",
        format!("{queries:?} ({hits} hits for the first)"),
    );
    table.judged(
        "first keystroke of a query (scans every contact)",
        format!("{:.3} ms", ms(first)),
        "<= 10 ms",
        Verdict::at_most(ms(first), 10.0),
    );
    table.judged(
        "keystroke extending the query, p99",
        format!("{:.3} ms", ms(narrowing.p99)),
        "<= 10 ms",
        Verdict::at_most(ms(narrowing.p99), 10.0),
    );
    table.context(
        "keystroke extending the query, spread",
        narrowing.describe(),
    );
    table.judged(
        "backspace (query gets shorter), p99",
        format!("{:.3} ms", ms(widening.p99)),
        "<= 10 ms",
        Verdict::at_most(ms(widening.p99), 10.0),
    );
    table.context("backspace, spread", widening.describe());
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

fn timed(app: &mut App, code: KeyCode) -> Duration {
    let began = Instant::now();
    press(app, code);
    began.elapsed()
}
