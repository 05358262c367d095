//! What the sync does with server data before it reaches Rankr: phone numbers to E.164 and
//! contacts, tasks and notes to store rows. Any input maps or is refused, never panics.

use ghl_console::ghl::models::{Contact, Note, Task};
use ghl_console::sync::diff::contact_fields;
use ghl_console::sync::mapping::{map_contact, map_note, map_task};
use ghl_console::sync::phone::to_e164;
use proptest::prelude::*;

use crate::strategies::{json, text};

/// Phone-like text: digits, separators and prefixes in any order, other scripts' digits, or
/// anything.
fn phone() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "(\\+|00|0|)[0-9 ()./-]{0,30}",
        1 => "\\+[0-9]{1,40}",
        1 => "[+٠-٩０-９0-9 ext.x#;*]{0,25}",
        1 => text(),
    ]
}

fn country() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        proptest::sample::select(vec!["US", "de", " GB ", "CN", "NO", "XX", "", "001"])
            .prop_map(|c| Some(c.to_string())),
        "[A-Za-z]{0,3}".prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(crate::config(512))]

    #[test]
    fn any_phone_reads_as_e164_or_is_refused(raw in phone(), country in country()) {
        if let Ok(e164) = to_e164(&raw, country.as_deref()) {
            prop_assert!(e164.starts_with('+'), "{e164}");
            prop_assert!(e164[1..].chars().all(|c| c.is_ascii_digit()), "{e164}");
            prop_assert_eq!(to_e164(&e164, None), Ok(e164.clone()), "not stable: {}", raw);
        }
    }

    #[test]
    fn any_decoded_record_maps_to_a_stable_row(doc in json(), country in country()) {
        let bytes = serde_json::to_vec(&doc).unwrap();
        if let Ok(contact) = serde_json::from_slice::<Contact>(&bytes) {
            let first = map_contact(&contact, "L", country.as_deref());
            let again = map_contact(&contact, "L", country.as_deref());
            prop_assert_eq!(&first.row.content_hash, &again.row.content_hash);
            prop_assert!(contact_fields(&first.row, &again.row).is_empty());
        }
        if let Ok(task) = serde_json::from_slice::<Task>(&bytes) {
            let _ = map_task(&task, "c");
        }
        if let Ok(note) = serde_json::from_slice::<Note>(&bytes) {
            let _ = map_note(&note, "c");
        }
    }
}

/// Found by `any_phone_reads_as_e164_or_is_refused`: the short-number check counted the "00"
/// international prefix as digits of the number, and ran before parsing dropped a trunk
/// prefix, so "00101" became "+101" and "+7801" became "+701"; and "0900" in Brazil became
/// "+55900", which does not parse as E.164. Each was refused when read back, and could match
/// unrelated contacts by phone. A number is now taken only when its E.164 form reads back as
/// itself.
#[test]
fn regression_the_international_prefix_is_not_part_of_the_number() {
    assert!(to_e164("00101", None).is_err());
    assert!(to_e164("+101", None).is_err());
    assert!(
        to_e164("+7801", None).is_err(),
        "the trunk prefix dropped leaves +701"
    );
    assert!(
        to_e164("0900", Some("BR")).is_err(),
        "+55900 does not read back"
    );
    assert_eq!(
        to_e164("0047 22 12 34 56", None).as_deref(),
        Ok("+4722123456")
    );
}
