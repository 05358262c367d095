//! A webhook delivery of any bytes under any signature: never verifies; the payload parses
//! or is refused.

#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use ghl_console::sync::webhook::signature::{ED25519_HEADER, RSA_HEADER};
use ghl_console::sync::webhook::{MAX_AGE, Verifier, parse_event};
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&[u8], &[u8], &[u8])| {
    let (rsa, ed25519, body) = input;
    let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]).verifying_key();
    let verifier = Verifier::ghl()
        .unwrap()
        .with_ed25519(&STANDARD.encode(key.to_bytes()))
        .unwrap();
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(rsa) {
        headers.insert(RSA_HEADER, value);
    }
    if let Ok(value) = HeaderValue::from_bytes(ed25519) {
        headers.insert(ED25519_HEADER, value);
    }
    assert!(verifier.verify(&headers, body).is_err());
    let _ = parse_event(body, Utc::now(), MAX_AGE);
});
