//! The JSON viewer on any body, driven by any keys: no panic, and unfolding everything shows
//! every line again.

#![no_main]

use ghl_console::tui::theme::Theme;
use ghl_console::tui::widgets::JsonView;
use libfuzzer_sys::fuzz_target;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

fuzz_target!(|input: (&str, Vec<u8>, &str)| {
    let (body, keys, query) = input;
    let mut view = JsonView::from_body(body);
    let lines = view.line_count();
    for key in keys {
        match key % 9 {
            0 => view.cursor_down(usize::from(key / 9)),
            1 => view.cursor_up(usize::from(key / 9)),
            2 => view.toggle_fold(),
            3 => view.fold_all(),
            4 => view.unfold_all(),
            5 => view.set_query(query.get(..usize::from(key / 9)).unwrap_or(query)),
            6 => view.next_match(),
            7 => view.prev_match(),
            _ => {
                let area = Rect::new(0, 0, u16::from(key), u16::from(key / 4));
                let mut buf = Buffer::empty(area);
                view.render(area, &mut buf, &Theme::plain());
            }
        }
        if let Some(at) = view.current_match() {
            assert!(at < view.match_count());
        }
    }
    view.unfold_all();
    assert_eq!(view.visible_line_count(), lines);
});
