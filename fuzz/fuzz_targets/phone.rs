//! Phone numbers to E.164: taken or refused, and what is taken reads back as itself.

#![no_main]

use ghl_console::sync::phone::to_e164;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, Option<&str>)| {
    let (raw, country) = input;
    if let Ok(e164) = to_e164(raw, country) {
        assert_eq!(
            to_e164(&e164, None).as_deref(),
            Ok(e164.as_str()),
            "{raw:?}"
        );
    }
});
