//! The configuration file parser: any text parses or gives an error that names the file and a
//! line of it, never a panic.

use std::path::Path;

use ghl_console::config::{ConfigError, parse, parse_rate};
use proptest::prelude::*;

use crate::strategies::text;

/// Lines that look like our configuration: its tables and keys, values of every type, and
/// broken pieces of TOML.
fn config_line() -> impl Strategy<Value = String> {
    const TABLES: &[&str] = &[
        "[api]",
        "[auth]",
        "[[locations]]",
        "[rankr]",
        "[sync]",
        "[webhook]",
        "[ui]",
        "[ui.keys]",
        "[log]",
        "[nope]",
        "[api",
        "[[locations]",
        "[]",
        "[api.base_url]",
    ];
    const KEYS: &[&str] = &[
        "base_url",
        "version",
        "location_id",
        "timeout_secs",
        "max_retries",
        "rate_limit",
        "kind",
        "token_file",
        "client_id",
        "scopes",
        "redirect_port",
        "id",
        "name",
        "read_only",
        "target",
        "store_path",
        "http_url",
        "interval_secs",
        "default_country",
        "listen",
        "ed25519_public_key",
        "max_body_bytes",
        "theme",
        "level",
        "\"task.complete\"",
        "api",
        "api.base_url",
        "locaton_id",
        "\"\"",
        "a b",
    ];
    const VALUES: &[&str] = &[
        "\"http://127.0.0.1:1\"",
        "\"not a url\"",
        "\"\"",
        "0",
        "1",
        "-1",
        "18446744073709551616",
        "true",
        "\"oauth\"",
        "\"pit\"",
        "\"http\"",
        "\"sqlite\"",
        "\"100/10s\"",
        "\"off\"",
        "\"1/307445734561825861m\"",
        "\"0/1s\"",
        "\"5/0s\"",
        "\"9/9h\"",
        "[\"x\", \"space\"]",
        "[1, \"a\"]",
        "{ base_url = \"x\" }",
        "{}",
        "1979-05-27T07:32:00Z",
        "\"127.0.0.1:0\"",
        "\"nope\"",
        "'''\nmulti\n'''",
        "\"\"\"",
        "\"unterminated",
        "nan",
        "inf",
        "1e999",
        "\"é\u{301}\"",
        "\"\\u0000\"",
        "\"\\uD800\"",
    ];
    prop_oneof![
        2 => proptest::sample::select(TABLES).prop_map(str::to_string),
        6 => (
            proptest::sample::select(KEYS),
            proptest::sample::select(&[" = ", "=", " =", "= ", " : ", " "][..]),
            prop_oneof![
                4 => proptest::sample::select(VALUES).prop_map(str::to_string),
                1 => text(),
            ],
        )
            .prop_map(|(k, eq, v)| format!("{k}{eq}{v}")),
        1 => Just(String::new()),
        1 => Just("# a comment".to_string()),
        1 => text(),
    ]
}

fn config_text() -> impl Strategy<Value = String> {
    let ending = proptest::sample::select(&["\n", "\r\n", "\n\n", "\r"][..]);
    prop_oneof![
        6 => proptest::collection::vec((config_line(), ending), 0..14)
            .prop_map(|lines| lines.into_iter().map(|(l, e)| l + e).collect::<String>()),
        1 => text(),
        1 => any::<String>(),
    ]
}

/// How many lines an error may name: one past the last, for an error at the very end.
fn line_count(text: &str) -> usize {
    text.split('\n').count()
}

/// What every outcome of `parse` must hold: a config that validates, or an error that says
/// the file and a line within it.
fn parse_holds(text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("/etc/ghl/config.toml");
    match parse(text, path) {
        Ok(config) => prop_assert!(ghl_console::config::validate(&config, "x").is_ok()),
        Err(ConfigError::Parse {
            line,
            message,
            path: named,
            ..
        }) => {
            prop_assert_eq!(named.as_path(), path);
            prop_assert!(
                (1..=line_count(text)).contains(&line),
                "line {line} of {} in {text:?}: {message}",
                line_count(text)
            );
            prop_assert!(!message.trim().is_empty());
        }
        Err(other) => prop_assert!(false, "no line named: {other} for {text:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::config(512))]

    #[test]
    fn any_text_parses_or_names_a_line(text in config_text()) {
        parse_holds(&text)?;
    }

    #[test]
    fn any_rate_parses_or_errs(text in prop_oneof![
        "[0-9]{0,22}/[0-9]{0,22}(ms|s|m|h|)",
        text(),
    ]) {
        if let Ok(Some((count, window))) = parse_rate(&text) {
            prop_assert!(count > 0 && !window.is_zero());
        }
    }
}

proptest! {
    #![proptest_config(crate::config(256))]

    #[test]
    fn any_sandbox_rate_parses_or_errs(text in "[0-9]{0,22}/[0-9]{0,22}(ms|s|m|h|)") {
        if let Ok(Some(rate)) = ghl_console::sandbox::parse_rate_limit(&text) {
            prop_assert!(rate.max > 0 && !rate.window.is_zero());
        }
    }
}

/// Found by `any_rate_parses_or_errs`: a window in minutes too long for a `u64` of seconds
/// overflowed (a panic in debug builds, a wrapped window in release).
#[test]
fn regression_a_rate_window_of_too_many_minutes_is_an_error() {
    assert!(parse_rate("1/307445734561825861m").is_err());
    let text = "[api]\nrate_limit = \"1/307445734561825861m\"\n";
    let error = parse(text, Path::new("c.toml")).unwrap_err().to_string();
    assert!(error.starts_with("c.toml:2:"), "{error}");
    assert!(error.contains("api.rate_limit"), "{error}");
}

/// Found by `any_text_parses_or_names_a_line`: a table written as an array (serde reads a
/// struct from a sequence) set `api.base_url` on a line the error could not find, so the
/// error named no line. It now names the line that sets the table.
#[test]
fn regression_an_invalid_value_set_through_its_table_names_that_line() {
    let error = parse("# x\napi = [\"x\", \"space\"]\n", Path::new("c.toml"))
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("c.toml:2:1: `api.base_url`"), "{error}");
    let error = parse("[auth]\nkind = \"oauth\"\n", Path::new("c.toml"))
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("c.toml:1:1: `auth.client_id`"), "{error}");
    let text = "[[locations]]\nid = \"a\"\n[[locations]]\nname = \"b\"\n";
    let error = parse(text, Path::new("c.toml")).unwrap_err().to_string();
    assert!(
        error.starts_with("c.toml:3:1: `locations[1].id`"),
        "{error}"
    );
}
