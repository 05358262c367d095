//! Case-insensitive search over every row of a document, folded or not.
//!
//! Case folding maps each character to the first character of its lowercase form, so a match
//! always covers as many characters in the text as in the query and byte offsets stay exact.
//! The rare characters whose lowercase form is several characters long (such as "İ") match
//! only their first one.

use super::document::Document;

/// One place the query was found: a row, and a byte range of that row's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Match {
    pub row: usize,
    pub start: usize,
    pub end: usize,
}

/// Finds every non-overlapping match of `query` in `doc`, in document order.
pub(super) fn find_all(doc: &Document, query: &str) -> Vec<Match> {
    let mut found = Vec::new();
    if query.is_empty() {
        return found;
    }

    let needle: Vec<char> = query.chars().map(fold).collect();
    let mut scratch = Vec::new();
    for row in 0..doc.rows.len() {
        let line = doc.line(row);
        // Byte by byte only when both sides are ASCII: a non-ASCII character such as the
        // Kelvin sign can fold to an ASCII letter.
        if query.is_ascii() && line.is_ascii() {
            find_ascii(line, query.as_bytes(), row, &mut found);
        } else {
            find_folded(line, &needle, row, &mut scratch, &mut found);
        }
    }
    found
}

/// Lowercases one character to one character.
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Finds an ASCII needle in an ASCII line byte by byte.
fn find_ascii(line: &str, needle: &[u8], row: usize, found: &mut Vec<Match>) {
    let hay = line.as_bytes();
    let Some(&first) = needle.first() else {
        return;
    };
    let mut at = 0;
    while at + needle.len() <= hay.len() {
        let window = &hay[at..at + needle.len()];
        if window[0].eq_ignore_ascii_case(&first) && window.eq_ignore_ascii_case(needle) {
            found.push(Match {
                row,
                start: at,
                end: at + needle.len(),
            });
            at += needle.len();
        } else {
            at += 1;
        }
    }
}

/// Finds a needle of folded characters character by character.
fn find_folded(
    line: &str,
    needle: &[char],
    row: usize,
    scratch: &mut Vec<(usize, char)>,
    found: &mut Vec<Match>,
) {
    if needle.is_empty() {
        return;
    }
    scratch.clear();
    scratch.extend(line.char_indices().map(|(at, c)| (at, fold(c))));

    let mut at = 0;
    while at + needle.len() <= scratch.len() {
        let window = &scratch[at..at + needle.len()];
        if window.iter().zip(needle).all(|((_, c), n)| c == n) {
            let start = window.first().map_or(0, |(byte, _)| *byte);
            let end = scratch
                .get(at + needle.len())
                .map_or(line.len(), |(byte, _)| *byte);
            found.push(Match { row, start, end });
            at += needle.len();
        } else {
            at += 1;
        }
    }
}
