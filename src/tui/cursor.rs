//! The selection and scroll position of a list that renders only its visible rows.

/// A selected row and the first visible row of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The selected row.
    pub selected: usize,
    /// The first row on screen.
    pub offset: usize,
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

    /// Scrolls so the selection is visible in `height` rows, and returns the visible range.
    pub fn visible(&mut self, height: usize, len: usize) -> std::ops::Range<usize> {
        let height = height.max(1);
        self.clamp(len);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
        self.offset..(self.offset + height).min(len)
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
}
