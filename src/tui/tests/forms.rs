//! The task and note forms: errors shown in full, failed saves keeping the text, and quitting
//! with unsaved text.

use super::Fixture;

#[test]
fn a_due_date_error_is_shown_in_full() {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut f = Fixture::loaded(width, height);
        f.keys(&["tab", "tab", "n"]);
        f.type_text("Title");
        f.keys(&["tab", "tab", "ctrl-u"]);
        f.type_text("someday");
        f.keys(&["ctrl-s"]);
        let screen = f.render();
        assert!(screen.contains("cannot read"), "{screen}");
        assert!(
            screen.contains("optional time like 9am or 14:30"),
            "{screen}"
        );
    }
}
