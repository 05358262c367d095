//! The flat list of lines a JSON view shows, built once from a value or a raw body.
//!
//! A value is laid out the way `serde_json` pretty-prints it, two spaces an indent level, but
//! without recursion: an explicit stack walks the tree, so a value nested far deeper than any
//! parser allows still lays out. All line text lives in one string; each row keeps byte offsets
//! into it and where its key and value start, so drawing and searching never re-parse.

use std::fmt::Write as _;

use serde_json::Value;

use crate::tui::text;

/// Indentation stops growing past this depth, so a pathologically deep value cannot produce
/// lines of megabytes of spaces. `serde_json` refuses to parse deeper than this anyway.
pub(super) const MAX_INDENT_DEPTH: usize = 128;

/// A text line longer than this many bytes is split over several rows, so a minified or
/// binary body does not become one row of megabytes.
const MAX_TEXT_ROW_BYTES: usize = 2_000;

/// What a stretch of a row shows, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token {
    Key,
    String,
    Number,
    Bool,
    Null,
    Punct,
    Text,
}

/// The object or array a row opens, for folding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fold {
    /// The row that closes it.
    pub close: usize,
    /// How many keys or items it holds.
    pub children: usize,
    /// Whether it is an array rather than an object.
    pub array: bool,
    /// Whether its closing line ends with a comma (a value follows it): a folded row shows it.
    pub comma: bool,
}

/// One line of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Row {
    /// Byte range of the line's text (without indentation) in [`Document::text`].
    pub start: usize,
    pub end: usize,
    /// Where the key ends, the value starts and the value ends, as offsets into the line.
    pub key_end: usize,
    pub value_start: usize,
    pub value_end: usize,
    /// What the value is.
    pub value: Token,
    /// How many levels deep the line sits.
    pub depth: usize,
    /// The row that opens the object or array this line belongs to; a closing line belongs to
    /// the container it closes.
    pub parent: Option<usize>,
    /// Set on a line that opens a non-empty object or array.
    pub fold: Option<Fold>,
}

impl Row {
    /// The coloured stretches of the line, as offsets into its text.
    pub fn segments(&self) -> [(usize, usize, Token); 4] {
        let len = self.end - self.start;
        [
            (0, self.key_end, Token::Key),
            (self.key_end, self.value_start, Token::Punct),
            (self.value_start, self.value_end, self.value),
            (self.value_end, len, Token::Punct),
        ]
    }
}

/// The lines of a JSON value or a raw body, ready to fold, search and draw.
#[derive(Debug, Clone, Default)]
pub(super) struct Document {
    pub text: String,
    pub rows: Vec<Row>,
    /// The body as given, when it was not JSON; saved as is.
    pub raw: Option<String>,
}

/// An object or array being laid out, with the children still to come.
struct Frame<'v> {
    children: Children<'v>,
    left: usize,
    open_row: usize,
    comma: bool,
}

enum Children<'v> {
    Object(serde_json::map::Iter<'v>),
    Array(std::slice::Iter<'v, Value>),
}

impl Document {
    /// Lays out a JSON value.
    pub fn from_value(value: &Value) -> Self {
        let mut doc = Self::default();
        let mut stack: Vec<Frame<'_>> = Vec::new();
        doc.push_value(None, value, None, false, &mut stack);

        while let Some(frame) = stack.last_mut() {
            let next = match &mut frame.children {
                Children::Object(entries) => entries.next().map(|(k, v)| (Some(k.as_str()), v)),
                Children::Array(items) => items.next().map(|item| (None, item)),
            };
            if let Some((key, child)) = next {
                frame.left -= 1;
                let comma = frame.left > 0;
                let parent = Some(frame.open_row);
                doc.push_value(key, child, parent, comma, &mut stack);
            } else if let Some(done) = stack.pop() {
                doc.push_close(&done, stack.len());
            }
        }
        doc
    }

    /// Shows a body that is not JSON as plain text, made safe to draw.
    pub fn from_text(body: &str) -> Self {
        let mut doc = Self {
            raw: Some(body.to_owned()),
            ..Self::default()
        };
        if body.is_empty() {
            return doc;
        }

        for line in body.split('\n') {
            let line = line
                .strip_suffix('\r')
                .unwrap_or(line)
                .replace('\t', "    ");
            let clean = text::sanitize(&line);
            let mut rest: &str = &clean;
            loop {
                let cut = split_point(rest, MAX_TEXT_ROW_BYTES);
                let (piece, tail) = rest.split_at(cut);
                doc.push_text_row(piece);
                if tail.is_empty() {
                    break;
                }
                rest = tail;
            }
        }
        doc
    }

    /// Whether the document came from a JSON value.
    pub fn is_json(&self) -> bool {
        self.raw.is_none()
    }

    /// The text of one row, without indentation.
    pub fn line(&self, row: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| self.text.get(r.start..r.end))
            .unwrap_or("")
    }

    /// The whole document as text: pretty-printed JSON, or the body as it came.
    pub fn to_pretty_string(&self) -> String {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }

        let mut out = String::with_capacity(self.text.len() + self.rows.len() * 8);
        for (index, row) in self.rows.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            out.extend(std::iter::repeat_n("  ", row.depth.min(MAX_INDENT_DEPTH)));
            out.push_str(self.line(index));
        }
        out
    }

    /// Adds the row of one value, and a frame for its children when it has any.
    fn push_value<'v>(
        &mut self,
        key: Option<&str>,
        value: &'v Value,
        parent: Option<usize>,
        comma: bool,
        stack: &mut Vec<Frame<'v>>,
    ) {
        let start = self.text.len();
        if let Some(key) = key {
            write_json_string(&mut self.text, key);
        }
        let key_end = self.text.len() - start;
        if key.is_some() {
            self.text.push_str(": ");
        }
        let value_start = self.text.len() - start;

        let (token, children) = self.write_scalar_or_open(value);
        let value_end = self.text.len() - start;
        let fold = children.as_ref().map(|(children, left)| Fold {
            close: 0,
            children: *left,
            array: matches!(children, Children::Array(_)),
            comma,
        });
        if comma && fold.is_none() {
            self.text.push(',');
        }

        let open_row = self.rows.len();
        self.rows.push(Row {
            start,
            end: self.text.len(),
            key_end,
            value_start,
            value_end,
            value: token,
            depth: stack.len(),
            parent,
            fold,
        });
        if let Some((children, left)) = children {
            stack.push(Frame {
                children,
                left,
                open_row,
                comma,
            });
        }
    }

    /// Writes a scalar or an empty container whole, or the opening bracket of a non-empty one,
    /// returning its token and, for the latter, its children and their count.
    fn write_scalar_or_open<'v>(
        &mut self,
        value: &'v Value,
    ) -> (Token, Option<(Children<'v>, usize)>) {
        let out = &mut self.text;
        let token = match value {
            Value::Null => {
                out.push_str("null");
                Token::Null
            }
            Value::Bool(flag) => {
                out.push_str(if *flag { "true" } else { "false" });
                Token::Bool
            }
            Value::Number(number) => {
                let _ = write!(out, "{number}");
                Token::Number
            }
            Value::String(string) => {
                write_json_string(out, string);
                Token::String
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('[');
                let children = Children::Array(items.iter());
                return (Token::Punct, Some((children, items.len())));
            }
            Value::Object(entries) if !entries.is_empty() => {
                out.push('{');
                let children = Children::Object(entries.iter());
                return (Token::Punct, Some((children, entries.len())));
            }
            Value::Array(_) => {
                out.push_str("[]");
                Token::Punct
            }
            Value::Object(_) => {
                out.push_str("{}");
                Token::Punct
            }
        };
        (token, None)
    }

    /// Adds the row that closes a container, and links its opening row to it.
    fn push_close(&mut self, frame: &Frame<'_>, depth: usize) {
        let start = self.text.len();
        let array = matches!(frame.children, Children::Array(_));
        self.text.push(if array { ']' } else { '}' });
        if frame.comma {
            self.text.push(',');
        }

        let close = self.rows.len();
        if let Some(fold) = self
            .rows
            .get_mut(frame.open_row)
            .and_then(|row| row.fold.as_mut())
        {
            fold.close = close;
        }
        self.rows.push(Row {
            start,
            end: self.text.len(),
            key_end: 0,
            value_start: 0,
            value_end: 1,
            value: Token::Punct,
            depth,
            parent: Some(frame.open_row),
            fold: None,
        });
    }

    /// Adds one row of plain text.
    fn push_text_row(&mut self, line: &str) {
        let start = self.text.len();
        self.text.push_str(line);
        self.rows.push(Row {
            start,
            end: self.text.len(),
            key_end: 0,
            value_start: 0,
            value_end: line.len(),
            value: Token::Text,
            depth: 0,
            parent: None,
            fold: None,
        });
    }
}

/// The largest char boundary at or below `max` bytes into `text`, but at least one character.
fn split_point(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    let mut cut = max;
    while cut > 0 && !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if cut == 0 {
        text.chars().next().map_or(text.len(), char::len_utf8)
    } else {
        cut
    }
}

/// Writes `value` as a JSON string literal. Besides what JSON requires, it escapes the
/// characters that could upset a terminal (C1 controls, bidi overrides and isolates, line and
/// paragraph separators) and those whose graphemes terminals lay out at widths of their own
/// (joiners, variation selectors, skin-tone modifiers: see [`text::sanitize`]), so every row
/// keeps its right border; the result is still valid JSON for the same string.
fn write_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
                || matches!(c, '\u{2028}' | '\u{2029}')
                || text::is_joiner_or_presentation(c) =>
            {
                // JSON escapes a character beyond the BMP as its UTF-16 surrogate pair.
                for unit in c.encode_utf16(&mut [0; 2]) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
