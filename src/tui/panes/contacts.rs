//! The contacts pane: the listing as far as it is loaded, only the visible rows drawn.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::ghl::models::parse_date;
use crate::tui::app::{App, Pane};
use crate::tui::text::fit;
use crate::tui::theme::Theme;
use crate::tui::view::pane_block;
use crate::worker::messages::{ContactRow, ContactSort};

/// The column widths for an inner width: name, email, phone, tags, updated (0 = hidden).
fn columns(width: usize) -> [usize; 5] {
    let email = if width >= 34 {
        (width / 4).clamp(14, 26)
    } else {
        0
    };
    let updated = if width >= 46 { 8 } else { 0 };
    let phone = if width >= 70 { 14 } else { 0 };
    let tags = if width >= 84 {
        (width / 6).clamp(10, 20)
    } else {
        0
    };
    let used: usize = [email, phone, tags, updated]
        .iter()
        .map(|w| if *w > 0 { w + 1 } else { 0 })
        .sum();
    let mut name = width.saturating_sub(used + 2);
    // Past a comfortable name width, what is left widens the columns cut off first: email,
    // then tags; only then the name again.
    let mut email = email;
    let mut tags = tags;
    for (column, most) in [(&mut email, WIDE_EMAIL), (&mut tags, WIDE_TAGS)] {
        if *column > 0 && name > ENOUGH_NAME {
            let more = (name - ENOUGH_NAME).min(most.saturating_sub(*column));
            *column += more;
            name -= more;
        }
    }
    [name, email, phone, tags, updated]
}

/// The name width beyond which extra room goes to the email and tags columns first.
const ENOUGH_NAME: usize = 32;
/// How wide the email column grows on a wide terminal.
const WIDE_EMAIL: usize = 40;
/// How wide the tags column grows on a wide terminal.
const WIDE_TAGS: usize = 40;

fn cells(contact: &ContactRow, app: &App) -> [String; 5] {
    let updated = contact
        .date_updated
        .as_deref()
        .and_then(parse_date)
        .map(|at| app.clock.relative(at))
        .unwrap_or_default();
    [
        contact.name.clone(),
        contact.email.clone().unwrap_or_default(),
        contact.phone.clone().unwrap_or_default(),
        contact.tags.join(","),
        updated,
    ]
}

fn row_text(texts: &[String; 5], widths: [usize; 5]) -> String {
    texts
        .iter()
        .zip(widths)
        .filter(|(_, width)| *width > 0)
        .map(|(text, width)| fit(text, width))
        .collect::<Vec<_>>()
        .join(" ")
}

fn title(app: &App) -> String {
    let list = &app.contacts;
    let sort = match list.sort {
        ContactSort::Updated => "updated",
        ContactSort::Name => "name",
    };
    // Rows the store still holds of contacts GHL no longer has can make more rows than GHL's
    // count: the count shown is then the rows', and GHL's own is said beside the store's.
    let listed = list.listed();
    let total = list.total.max(u64::try_from(listed).unwrap_or(u64::MAX));
    let mut title = format!("Contacts {listed}/{total} by {sort}");
    if let Some(query) = &list.query {
        title = format!("{title} search \"{query}\"");
    }
    if !list.marked.is_empty() {
        title = format!("{title} {} marked", list.marked.len());
    }
    // Rows from an earlier listing are stale; a listing that failed with nothing on screen has
    // nothing stale to mark (its error fills the pane).
    let failed_empty = list.error.is_some() && listed == 0;
    if list.is_stale() && !list.loading && !failed_empty {
        title = format!("{title} (stale)");
    }
    let stored = list.stored_rows();
    if stored > 0 && total > list.total {
        title = format!("{title} ({stored} from the store; GHL has {})", list.total);
    } else if stored > 0 {
        title = format!("{title} ({stored} from the store)");
    }
    title
}

/// Draws the contacts pane.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Contacts;
    let list = &app.contacts;
    let mut block = pane_block(
        &fit(&title(app), usize::from(area.width.saturating_sub(4))),
        focused,
        theme,
    );
    if list.editing_filter || !list.filter.is_empty() {
        let cursor = if list.editing_filter { "▏" } else { "" };
        let found = if list.filter_pending() {
            "found, filtering…"
        } else {
            "found"
        };
        // A filter longer than the border shows its end, so the end being typed, the cursor
        // and the count stay in view.
        let count = format!(" {} {found} ", list.len());
        let fixed = 2 + 2 + usize::from(!cursor.is_empty()) + crate::tui::text::width(&count);
        let room = usize::from(area.width).saturating_sub(fixed);
        let filter = crate::tui::text::tail(&list.filter, room);
        let text = format!(" /{filter}{cursor}{count}");
        block = block.title_bottom(Line::styled(text, theme.title));
    } else if list.loading {
        block = block.title_bottom(Line::styled(" loading… ", theme.dim));
    } else if let Some(error) = list.error.as_ref().filter(|_| !list.is_empty()) {
        // The rows of the listing before stay readable; the bottom line says they were not
        // refreshed.
        let text = fit(
            &format!(" not refreshed: {error} "),
            usize::from(area.width.saturating_sub(4)),
        );
        block = block.title_bottom(Line::styled(text, theme.error));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let widths = columns(width);
    let header = ["Name", "Email", "Phone", "Tags", "Updated"].map(str::to_string);
    let mut lines = vec![Line::styled(
        format!("  {}", row_text(&header, widths)),
        theme.dim,
    )];
    let rows = usize::from(inner.height.saturating_sub(1));
    let mut cursor = list.cursor;
    for row in cursor.visible(rows, list.len()) {
        let Some(contact) = list.at(row) else {
            break;
        };
        let mark = if list.marked.contains(&contact.id) {
            "● "
        } else {
            "  "
        };
        let text = fit(
            &format!("{mark}{}", row_text(&cells(contact, app), widths)),
            width,
        );
        let style = if row == list.cursor.selected {
            theme.selection
        } else if contact.stored {
            theme.dim
        } else {
            theme.text
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    let failed = list
        .error
        .as_ref()
        .filter(|_| list.is_empty() && !list.loading);
    if list.is_empty() && !list.loading && failed.is_none() {
        lines.push(Line::styled("  No contacts.", theme.dim));
    }
    frame.render_widget(ratatui::widgets::Paragraph::new(lines), inner);
    if let Some(error) = failed {
        // Why the list is empty, wrapped so the whole reason can be read.
        let below = Rect {
            y: inner.y.saturating_add(1),
            height: inner.height.saturating_sub(1),
            ..inner
        };
        let notice = Line::styled(format!("Could not load contacts: {error}"), theme.error);
        super::render_notice(frame, below, notice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width() {
        for width in [20, 34, 46, 70, 94, 118, 160, 300] {
            let widths = columns(width);
            let used: usize = widths.iter().filter(|w| **w > 0).map(|w| w + 1).sum();
            assert_eq!(used + 1, width, "width {width}: {widths:?}");
        }
    }

    #[test]
    fn a_wide_pane_gives_its_extra_room_to_email_and_tags_before_the_name() {
        let [name, email, _, tags, _] = columns(94);
        assert!(name <= ENOUGH_NAME, "unchanged at 160 columns: {name}");
        assert!((14..=26).contains(&email) && tags <= 20);
        let [name, email, ..] = columns(118);
        assert_eq!(name, ENOUGH_NAME);
        assert!(email > 26, "{email}");
        let [name, email, _, tags, _] = columns(300);
        assert_eq!((email, tags), (WIDE_EMAIL, WIDE_TAGS));
        assert!(name > ENOUGH_NAME, "the rest goes back to the name: {name}");
    }
}
