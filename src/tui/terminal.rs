//! Taking over the terminal and giving it back: raw mode, the alternate screen, mouse capture,
//! bracketed paste and a hidden cursor are all undone on quit, on panic and on a signal.
//!
//! The alternate screen is cleared before it is left. A terminal that grew while the console
//! was open can otherwise show part of the last frame on the normal screen after quitting:
//! tmux (3.3 at least) keeps the cells of the alternate screen beyond the size it had when the
//! console started, and leaving it puts them back among the shell's lines.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal the console draws on.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Whether the console is on the alternate screen, so giving the terminal back clears and
/// leaves it once (a panic gives it back, then the guard's drop does again) and never clears
/// the normal screen.
static ON_ALTERNATE_SCREEN: AtomicBool = AtomicBool::new(false);

/// Gives the terminal back when dropped, however the console ends.
#[derive(Debug)]
pub struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore();
    }
}

/// Takes over the terminal and installs a panic hook that gives it back before the panic
/// message is printed.
pub fn init() -> io::Result<(Tui, Restore)> {
    install_panic_hook();
    enable_raw_mode()?;
    let guard = Restore;
    let mut stdout = io::stdout();
    ON_ALTERNATE_SCREEN.store(true, Ordering::SeqCst);
    execute!(
        stdout,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        cursor::Hide
    )?;
    let terminal = Terminal::new(CrosstermBackend::new(stdout))?;
    Ok((terminal, guard))
}

/// Undoes everything `init` turned on. Errors are ignored: the terminal may be gone already
/// (a dropped SSH session), and there is nothing better to do than try every step.
pub fn restore() {
    let mut stdout = io::stdout();
    let _ = execute!(stdout, DisableBracketedPaste, DisableMouseCapture);
    if ON_ALTERNATE_SCREEN.swap(false, Ordering::SeqCst) {
        let _ = execute!(stdout, Clear(ClearType::All), LeaveAlternateScreen);
    }
    let _ = execute!(stdout, cursor::Show);
    let _ = disable_raw_mode();
    let _ = stdout.flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
