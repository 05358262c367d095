//! The selection and scroll position of a list that renders only its visible rows.

/// A selected row and the first visible row of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The selected row.
    pub selected: usize,
    /// The first row on screen.
    pub offset: usize,
    /// How many rows the window had when it last scrolled (0 before it was first shown), so a
    /// window that grows (a larger terminal) can show the rows above it.
    rows: usize,
}

impl Cursor {
    /// Moves the selection by `delta` rows, clamped to a list of `len` rows.
    pub fn step(&mut self, delta: isize, len: usize) {
        let last = len.saturating_sub(1);
        let target = self.selected.saturating_add_signed(delta);
        self.selected = target.min(last);
    }

    /// Selects a row, clamped to a list of `len` rows.
    pub fn select(&mut self, row: usize, len: usize) {
        self.selected = row.min(len.saturating_sub(1));
    }

    /// Keeps the selection within a list that now has `len` rows.
    pub fn clamp(&mut self, len: usize) {
        self.select(self.selected, len);
        self.offset = self.offset.min(len.saturating_sub(1));
    }

    /// A newest-first list got a new first row: a selection on the first row stays there,
    /// following the new rows; any other stays on its row, now one further down, and a window
    /// scrolled down moves with it, so the rows on screen stay put.
    pub fn keep_under_new_row(&mut self) {
        if self.selected > 0 {
            self.selected += 1;
            if self.offset > 0 {
                self.offset += 1;
            }
        }
    }

    /// Scrolls so the selection is visible in `height` rows, and returns the visible range.
    /// The window is filled: no empty rows below the end while rows above could show, and a
    /// window that grew shows the rows above it (see [`offset_after_growth`]).
    pub fn visible(&mut self, height: usize, len: usize) -> std::ops::Range<usize> {
        let height = height.max(1);
        self.clamp(len);
        if self.rows > 0 && height > self.rows {
            self.offset = offset_after_growth(self.offset, self.selected, self.rows, height);
        }
        self.rows = height;
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
        self.offset..(self.offset + height).min(len)
    }
}

/// The first row to show once a window of `before` rows, starting at row `offset`, has grown
/// to `after` rows: the list's first row when every row down to the selection fits, else
/// `offset` moved up by the growth, so the rows shown before stay shown, the selection among
/// them, and the new room fills with the rows above.
pub fn offset_after_growth(offset: usize, selected: usize, before: usize, after: usize) -> usize {
    if selected < after {
        0
    } else {
        offset.saturating_sub(after.saturating_sub(before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_follows_the_selection() {
        let mut cursor = Cursor::default();
        cursor.step(25, 100_000);
        assert_eq!(cursor.visible(10, 100_000), 16..26);
        cursor.step(-20, 100_000);
        assert_eq!(cursor.visible(10, 100_000), 5..15);
        cursor.step(-50, 100_000);
        assert_eq!(cursor.selected, 0);
        cursor.select(usize::MAX, 7);
        assert_eq!(cursor.visible(10, 7), 0..7);
        assert_eq!(Cursor::default().visible(5, 0), 0..0);
    }

    #[test]
    fn a_window_that_grows_shows_the_rows_above_once_they_fit() {
        let mut cursor = Cursor::default();
        cursor.step(25, 1_000);
        assert_eq!(cursor.visible(20, 1_000), 6..26);
        assert_eq!(
            cursor.visible(56, 1_000),
            0..56,
            "rows 0 to 25 fit: none hidden"
        );
    }

    #[test]
    fn a_window_that_grows_far_down_keeps_what_it_showed_and_adds_the_rows_above() {
        let mut cursor = Cursor::default();
        cursor.step(500, 1_000);
        cursor.visible(20, 1_000);
        cursor.step(-19, 1_000);
        assert_eq!(cursor.visible(20, 1_000), 481..501);
        assert_eq!(cursor.visible(56, 1_000), 445..501);
        assert_eq!(cursor.selected, 481);
    }

    #[test]
    fn a_window_that_shrinks_keeps_the_selection_in_view() {
        let mut cursor = Cursor::default();
        cursor.step(30, 100);
        assert_eq!(cursor.visible(56, 100), 0..56);
        assert_eq!(cursor.visible(20, 100), 11..31);
        assert_eq!(cursor.visible(56, 100), 0..56);
    }
}
