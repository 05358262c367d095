//! Tag chips laid into lines of a given width: a chip is never split across lines, so a pane
//! shows every tag whole instead of cutting the last one at its edge.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::text::{fit, width};

/// The widest a tag is shown, in cells, before it is cut with `…`.
pub const MAX_TAG: usize = 24;

/// The chips of `tags`, as ` tag ` texts, laid into lines of at most `line_width` cells with one
/// space between chips. A chip that does not fit after others starts a new line; a chip wider
/// than a whole line is cut to fit it (a line under three cells holds one chip of one
/// character). No tags, no lines.
pub fn layout(tags: &[String], line_width: usize) -> Vec<Vec<String>> {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut used = 0;
    for tag in tags {
        let room = line_width.saturating_sub(2).clamp(1, MAX_TAG);
        let chip = format!(" {} ", fit(tag, room).trim_end());
        let cells = width(&chip);
        match lines.last_mut() {
            Some(line) if used + 1 + cells <= line_width => {
                line.push(chip);
                used += 1 + cells;
            }
            _ => {
                lines.push(vec![chip]);
                used = cells;
            }
        }
    }
    lines
}

/// The chips of `tags` as drawable lines of at most `line_width` cells: chips in `style`,
/// separated by one unstyled space.
pub fn lines(tags: &[String], line_width: usize, style: Style) -> Vec<Line<'static>> {
    layout(tags, line_width)
        .into_iter()
        .map(|chips| {
            let mut spans = Vec::with_capacity(chips.len() * 2);
            for (i, chip) in chips.into_iter().enumerate() {
                if i > 0 {
                    spans.push(Span::raw(" "));
                }
                spans.push(Span::styled(chip, style));
            }
            Line::from(spans)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_string()).collect()
    }

    #[test]
    fn chips_wrap_whole_and_never_pass_the_width() {
        let all = tags(&["wholesale", "vip", "trial", "stage-test", "watchlist"]);
        let laid = layout(&all, 30);
        assert_eq!(
            laid,
            vec![
                vec![" wholesale ", " vip ", " trial "],
                vec![" stage-test ", " watchlist "],
            ]
        );
        for line in lines(&all, 30, Style::default()) {
            assert!(line.width() <= 30, "{line:?}");
        }
        let shown: Vec<String> = laid.concat().iter().map(|c| c.trim().to_string()).collect();
        assert_eq!(shown, all, "every tag is shown, in order, whole");
    }

    #[test]
    fn a_chip_wider_than_a_line_is_cut_to_it_and_wide_characters_count_double() {
        let laid = layout(&tags(&["a-very-long-tag-name", "王王王"]), 10);
        assert_eq!(laid, vec![vec![" a-very-… "], vec![" 王王王 "]]);
        assert!(layout(&[], 10).is_empty());
        assert_eq!(
            layout(&tags(&["xy", "z"]), 1),
            vec![vec![" … "], vec![" z "]]
        );
    }
}
