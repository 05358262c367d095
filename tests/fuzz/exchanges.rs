//! Masking of recorded exchanges: wherever a server or a request put the token (URL, any
//! header, JSON under any key, JSON-escaped, form fields, error text), the record, its curl and
//! the inspector's view of its bodies never show it.

use ghl_console::ghl::{Exchange, Secret};
use ghl_console::tui::widgets::JsonView;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::strategies::{json, key, text};

/// Tokens as GHL issues them: a `pit-` UUID, or JWT-like base64url with dots.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        "pit-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[A-Za-z0-9_-]{10,40}\\.[A-Za-z0-9_-]{10,60}\\.[A-Za-z0-9_-]{10,40}",
    ]
}

/// Writes `token` into a JSON string literal with some of its characters `\u`-escaped.
fn escaped(token: &str, every: usize) -> String {
    token
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % every == 0 {
                format!("\\u{:04x}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A body carrying the token somewhere, in one of the ways a body can.
fn body_with(token: &str, how: usize, doc: &Value, name: &str, every: usize) -> String {
    match how % 6 {
        0 => json!({ name: token, "doc": doc }).to_string(),
        1 => json!({ "doc": doc, "nested": [{ "access_token": token }] }).to_string(),
        2 => format!(r#"{{"echo":"{}","doc":{doc}}}"#, escaped(token, every)),
        3 => format!("grant_type=refresh_token&{name}={token}&x=1"),
        4 => format!("<html>{token}</html>"),
        _ => json!({ "message": format!("bad token {token}"), "doc": doc }).to_string(),
    }
}

fn leaks(token: &str, text: &str) -> bool {
    text.contains(token)
}

proptest! {
    #![proptest_config(crate::config(256))]

    #[test]
    fn a_masked_exchange_never_shows_the_token(
        token in token(),
        how in (0usize..6, 0usize..6),
        doc in json(),
        name in key(),
        every in 1usize..5,
        header in prop_oneof![
            Just("Authorization"), Just("authorization"), Just("X-Api-Key"), Just("Cookie"),
            Just("Set-Cookie"), Just("X-Echo"),
        ],
        scheme in prop_oneof![Just("Bearer "), Just("bearer  "), Just(""), Just("Token\t")],
        error in text(),
    ) {
        let secret = Secret::new(token.clone());
        let mut exchange = Exchange {
            method: "POST".into(),
            url: format!("http://127.0.0.1:1/contacts/?token={token}&q={token}"),
            request_headers: vec![
                ("Authorization".into(), format!("Bearer {token}")),
                (header.into(), format!("{scheme}{token}")),
            ],
            request_body: Some(body_with(&token, how.0, &doc, &name, every)),
            status: Some(200),
            response_headers: vec![(header.into(), format!("{scheme}{token}"))],
            response_body: Some(body_with(&token, how.1, &doc, &name, every)),
            error: Some(format!("{error}{token}")),
            ..Exchange::default()
        };
        exchange.mask(&[&secret]);

        let record = serde_json::to_string(&exchange).unwrap();
        prop_assert!(!leaks(&token, &record), "in the record: {record}");
        prop_assert!(!leaks(&token, &exchange.to_curl()), "in the curl");
        for body in [&exchange.request_body, &exchange.response_body].into_iter().flatten() {
            let shown = JsonView::from_body(body).to_pretty_string();
            let decoded = serde_json::from_str::<Value>(body)
                .map(|v| v.to_string())
                .unwrap_or_default();
            prop_assert!(!leaks(&token, &shown), "in the inspector: {shown}");
            prop_assert!(!leaks(&token, &decoded), "in the decoded body: {decoded}");
        }
    }
}

/// Found by `a_masked_exchange_never_shows_the_token`: a server echoing the token in a JSON
/// string with `\u` escapes got past the text search, and the inspector showed it decoded.
#[test]
fn regression_a_json_escaped_token_is_masked_too() {
    let token = "pit-0aaa000a-0a0a-0aaa-0000-aa00a000a000";
    let mut exchange = Exchange {
        response_body: Some(format!(r#"{{"echo":"{}","n":1}}"#, escaped(token, 1))),
        ..Exchange::default()
    };
    exchange.mask(&[&Secret::new(token)]);
    let body = exchange.response_body.unwrap();
    assert_eq!(body, r#"{"echo":"****","n":1}"#);
    assert!(
        !JsonView::from_body(&body)
            .to_pretty_string()
            .contains(token)
    );
}
