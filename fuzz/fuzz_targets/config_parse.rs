//! The config parser: any text parses, or fails with an error naming a line of it.

#![no_main]

use std::path::Path;

use ghl_console::config::{ConfigError, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match parse(text, Path::new("c.toml")) {
        Ok(_) => {}
        Err(ConfigError::Parse { line, .. }) => {
            assert!(
                (1..=text.split('\n').count()).contains(&line),
                "line {line}"
            );
        }
        Err(other) => panic!("an error without a line: {other}"),
    }
});
