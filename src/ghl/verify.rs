//! Checks that a write stuck: compares what the server echoed with what was sent (C02, C04).

use serde_json::Value;

use super::models::Contact;

/// What a contact write ended with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteOutcome {
    /// The contact as the server echoed it.
    pub contact: Contact,
    /// Fields that were sent but are not in the echo, e.g. `phone` (C02) — the write did not
    /// apply them. Empty when everything stuck.
    pub not_applied: Vec<String>,
    /// Whether an upsert created the contact.
    pub new: bool,
}

/// Fields never compared: routing fields and flags that are not contact data.
const NOT_ECHOED: &[&str] = &[
    "locationId",
    "createNewIfDuplicateAllowed",
    "gender",
    "inboundDndSettings",
];

/// The names of the fields of `sent` that the echoed `contact` does not carry.
pub fn not_applied(sent: &Value, contact: &Contact) -> Vec<String> {
    let Some(sent) = sent.as_object() else {
        return Vec::new();
    };
    let echoed = serde_json::to_value(contact).unwrap_or(Value::Null);
    sent.iter()
        .filter(|(key, _)| !NOT_ECHOED.contains(&key.as_str()))
        .filter(|(key, value)| !stuck(key, value, &echoed))
        .map(|(key, _)| key.clone())
        .collect()
}

fn stuck(key: &str, sent: &Value, echoed: &Value) -> bool {
    let got = echoed.get(key).unwrap_or(&Value::Null);
    if is_empty(sent) {
        // A field sent empty clears it: it stuck when the echo has no value for it.
        return match key {
            "customFields" => custom_fields_stuck(sent, echoed),
            _ => is_empty(got),
        };
    }
    match key {
        "email" => lower(sent) == lower(got),
        "phone" => same_phone(sent, got),
        "tags" => list(sent)
            .iter()
            .all(|t| list(got).iter().any(|g| g.eq_ignore_ascii_case(t))),
        "customFields" => custom_fields_stuck(sent, echoed),
        "dndSettings" => true,
        _ => {
            sent == got
                || (sent.is_string() && lower(sent) == lower(got) && !lower(sent).is_empty())
        }
    }
}

fn custom_fields_stuck(sent: &Value, echoed: &Value) -> bool {
    let have = echoed
        .get("customFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    sent.as_array().into_iter().flatten().all(|field| {
        let id = field.get("id").and_then(Value::as_str);
        let want = field.get("field_value").unwrap_or(&Value::Null);
        let echo = have
            .iter()
            .find(|h| h.get("id").and_then(Value::as_str) == id)
            .map(|h| h.get("value").unwrap_or(&Value::Null));
        match echo {
            // Cleared: the field is gone from the echo, or there without a value.
            _ if is_empty(want) => echo.is_none_or(is_empty),
            Some(got) => same_value(got, want),
            None => false,
        }
    })
}

/// Whether a value says "nothing": null, an empty or blank string, an empty list.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Whether the echoed phone is the one sent: the same digits, or the sent national number
/// (without its trunk `0`) with a country code put in front of it, as GHL stores numbers in
/// E.164.
fn same_phone(sent: &Value, got: &Value) -> bool {
    let (sent, got) = (digits(sent), digits(got));
    if sent == got {
        return true;
    }
    let national = sent.trim_start_matches('0');
    !national.is_empty()
        && got.ends_with(national)
        && (1..=3).contains(&(got.len() - national.len()))
}

fn same_value(a: &Value, b: &Value) -> bool {
    a == b || a.to_string().trim_matches('"') == b.to_string().trim_matches('"')
}

fn lower(v: &Value) -> String {
    v.as_str().map(str::to_lowercase).unwrap_or_default()
}

/// The digits of a phone number: formatting differs between what is sent and what comes back.
fn digits(v: &Value) -> String {
    v.as_str()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

fn list(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_the_identifier_that_did_not_stick() {
        let contact: Contact =
            serde_json::from_value(json!({"id": "b", "email": "pat@example.test"})).unwrap();
        let sent =
            json!({"email": "Pat@Example.test", "phone": "+1 555 000 0001", "locationId": "l"});
        assert_eq!(not_applied(&sent, &contact), vec!["phone".to_string()]);
    }

    #[test]
    fn a_national_phone_stored_with_its_country_code_stuck() {
        let stored = |phone: &str| -> Contact {
            serde_json::from_value(json!({"id": "a", "phone": phone})).unwrap()
        };
        let us = stored("+15551234567");
        assert!(not_applied(&json!({"phone": "(555) 123-4567"}), &us).is_empty());
        let uk = stored("+447700900123");
        assert!(not_applied(&json!({"phone": "07700 900123"}), &uk).is_empty());
        // Another number, or too many digits put in front, did not stick.
        assert_eq!(
            not_applied(&json!({"phone": "(555) 123-4568"}), &us),
            vec!["phone".to_string()]
        );
        let long = stored("+99995551234567");
        assert_eq!(
            not_applied(&json!({"phone": "5551234567"}), &long),
            vec!["phone".to_string()]
        );
    }

    #[test]
    fn a_field_sent_empty_stuck_when_the_echo_has_no_value() {
        let contact: Contact = serde_json::from_value(json!({
            "id": "a",
            "customFields": [{"id": "kept", "value": "x"}]
        }))
        .unwrap();
        let cleared = json!({
            "source": "",
            "customFields": [{"id": "gone", "field_value": ""}, {"id": "kept", "field_value": "x"}]
        });
        assert!(not_applied(&cleared, &contact).is_empty());
        // A clear the echo still shows a value for did not stick.
        let kept = json!({"customFields": [{"id": "kept", "field_value": ""}]});
        assert_eq!(
            not_applied(&kept, &contact),
            vec!["customFields".to_string()]
        );
    }

    #[test]
    fn phone_formats_compare_by_digits() {
        let contact: Contact =
            serde_json::from_value(json!({"id": "a", "phone": "+15550000001"})).unwrap();
        assert!(not_applied(&json!({"phone": "+1 (555) 000-0001"}), &contact).is_empty());
    }
}
