//! The due-date parser at any moment in any zone: a date or an error, and showable.

#![no_main]

use chrono::{FixedOffset, TimeZone, Utc};
use ghl_console::tui::dates::{format_in, format_relative, parse_due_in};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (i32, i64, &str)| {
    let (offset, seconds, text) = input;
    let Some(zone) = FixedOffset::east_opt(offset % 86_400) else {
        return;
    };
    let Some(now) = zone.timestamp_opt(seconds, 0).single() else {
        return;
    };
    if let Ok(due) = parse_due_in(text, &now) {
        let _ = format_relative(due, now.with_timezone(&Utc));
        let _ = format_in(due, &zone);
    }
});
