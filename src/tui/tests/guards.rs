//! Keys that must not act: on panes hidden by a too-small terminal, on a contact no longer
//! listed, and quitting over unsaved text.

use super::Fixture;
use crate::tui::update::{Effect, Msg, update};

fn resize(f: &mut Fixture, width: u16, height: u16) {
    let fx = update(&mut f.app, Msg::Resize(width, height));
    f.sent.extend(fx);
}

fn sends(f: &Fixture) -> usize {
    f.sent
        .iter()
        .filter(|e| matches!(e, Effect::Send(_)))
        .count()
}

#[test]
fn keys_do_nothing_while_the_terminal_is_too_small() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab"]);
    resize(&mut f, 30, 8);
    f.keys(&["x", "d", "y", "n", "tab", "j"]);
    assert_eq!(sends(&f), 0, "{:?}", f.sent);
    assert!(f.app.modal.is_none());
    assert_eq!(f.app.tasks.cursor.selected, 0);
    assert!(f.render().contains("Terminal too small"));
    f.keys(&["q"]);
    assert!(f.app.quit);
}

#[test]
fn a_hidden_form_takes_no_text_and_q_quits() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "tab", "n"]);
    resize(&mut f, 30, 8);
    f.type_text("abc");
    resize(&mut f, 80, 24);
    assert!(f.render().contains("New note"));
    let Some(crate::tui::forms::Modal::Note(form)) = &f.app.modal else {
        panic!("the form is still open");
    };
    assert_eq!(form.body.lines().join(""), "");
    resize(&mut f, 30, 8);
    f.keys(&["q"]);
    assert!(f.app.quit);
}

#[test]
fn typed_control_characters_never_reach_the_screen() {
    let mut f = Fixture::loaded(120, 30);
    let typed = "a\u{200D}\u{1b}[2J\u{202E}b";
    f.keys(&["/"]);
    f.type_text(typed);
    let filter = f.render();
    f.keys(&["esc", ":"]);
    f.type_text(typed);
    let palette = f.render();
    f.keys(&["esc", "?"]);
    f.type_text(typed);
    let help = f.render();
    for (what, screen) in [("filter", filter), ("palette", palette), ("help", help)] {
        assert!(
            !screen.contains(['\u{200D}', '\u{1b}', '\u{202E}']),
            "{what}:\n{screen}"
        );
        assert!(screen.contains("a[2Jb"), "{what} shows the rest:\n{screen}");
    }
}
