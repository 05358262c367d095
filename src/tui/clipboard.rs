//! Copy to the system clipboard through the terminal, with the OSC 52 escape sequence.
//!
//! This works over SSH, because the terminal on the user's side does the copying. Inside tmux
//! the sequence goes twice: plain, which tmux takes into a paste buffer and forwards to the
//! outer terminal when its `set-clipboard` option is `on`, and wrapped for passthrough, which
//! tmux hands on untouched when `allow-passthrough` is on. tmux's defaults allow neither (3.3:
//! `set-clipboard external`, `allow-passthrough off`), so the console's toast names the option. A terminal that does not
//! support OSC 52 ignores the sequence silently: nothing is copied and no error can be seen
//! from here, which is why callers should word their toast as "sent to the clipboard".

use std::io::Write;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The most text, in bytes, that one copy sends; many terminals drop longer sequences.
pub const MAX_COPY_BYTES: usize = 100 * 1024;

/// Why a copy did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    /// The text is longer than [`MAX_COPY_BYTES`]; saving to a file is the way out.
    #[error("text is {len} bytes, over the {max}-byte clipboard limit; save it to a file instead")]
    TooLarge {
        /// The length of the refused text in bytes.
        len: usize,
        /// The limit it went over.
        max: usize,
    },
    /// Writing the sequence to the terminal failed.
    #[error("could not write to the terminal: {0}")]
    Io(#[from] std::io::Error),
}

/// Builds the escape sequence that asks the terminal to put `text` on the clipboard; inside
/// tmux, the plain sequence followed by the same wrapped for passthrough.
pub fn osc52_sequence(text: &str, in_tmux: bool) -> Result<String, ClipboardError> {
    if text.len() > MAX_COPY_BYTES {
        return Err(ClipboardError::TooLarge {
            len: text.len(),
            max: MAX_COPY_BYTES,
        });
    }

    let osc = format!("\x1b]52;c;{}\x07", STANDARD.encode(text));
    if !in_tmux {
        return Ok(osc);
    }

    // tmux passes on a DCS body verbatim once every ESC inside it is doubled.
    Ok(format!(
        "{osc}\x1bPtmux;{}\x1b\\",
        osc.replace('\x1b', "\x1b\x1b")
    ))
}

/// Whether this process runs inside tmux, judged by the `TMUX` variable tmux sets.
pub fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|value| !value.is_empty())
}

/// Writes the copy sequence for `text` to `out` and flushes it.
pub fn copy_to(out: &mut impl Write, text: &str, in_tmux: bool) -> Result<(), ClipboardError> {
    let sequence = osc52_sequence(text, in_tmux)?;
    out.write_all(sequence.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Copies `text` to the clipboard of the terminal this process draws on.
pub fn copy(text: &str) -> Result<(), ClipboardError> {
    copy_to(&mut std::io::stdout().lock(), text, in_tmux())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_sequence_is_osc52_with_base64() {
        let sequence = osc52_sequence("hello", false).unwrap();
        assert_eq!(sequence, "\x1b]52;c;aGVsbG8=\x07");
    }

    #[test]
    fn empty_text_is_allowed() {
        assert_eq!(osc52_sequence("", false).unwrap(), "\x1b]52;c;\x07");
    }

    #[test]
    fn utf8_is_encoded_as_bytes() {
        let sequence = osc52_sequence("José 李", false).unwrap();
        let body = sequence
            .strip_prefix("\x1b]52;c;")
            .and_then(|rest| rest.strip_suffix('\x07'))
            .unwrap();
        assert_eq!(STANDARD.decode(body).unwrap(), "José 李".as_bytes());
    }

    #[test]
    fn escape_in_text_cannot_break_out() {
        let sequence = osc52_sequence("a\x1b]0;title\x07b", false).unwrap();
        assert_eq!(sequence.matches('\x1b').count(), 1);
        assert_eq!(sequence.matches('\x07').count(), 1);
    }

    #[test]
    fn tmux_gets_it_plain_then_wrapped_in_dcs_with_escapes_doubled() {
        let sequence = osc52_sequence("hello", true).unwrap();
        assert_eq!(
            sequence,
            "\x1b]52;c;aGVsbG8=\x07\x1bPtmux;\x1b\x1b]52;c;aGVsbG8=\x07\x1b\\"
        );
    }

    #[test]
    fn over_the_cap_is_refused() {
        let big = "x".repeat(MAX_COPY_BYTES + 1);
        let error = osc52_sequence(&big, false).unwrap_err();
        assert!(matches!(error, ClipboardError::TooLarge { len, .. } if len == MAX_COPY_BYTES + 1));
        assert!(error.to_string().contains("save it to a file"));
        assert!(osc52_sequence(&big[1..], false).is_ok());
    }

    #[test]
    fn copy_to_writes_the_sequence() {
        let mut out = Vec::new();
        copy_to(&mut out, "hi", true).unwrap();
        assert_eq!(
            out,
            b"\x1b]52;c;aGk=\x07\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    #[test]
    fn copy_to_writes_nothing_when_refused() {
        let mut out = Vec::new();
        let big = "x".repeat(MAX_COPY_BYTES + 1);
        assert!(copy_to(&mut out, &big, false).is_err());
        assert!(out.is_empty());
    }
}
