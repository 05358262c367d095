//! Reading contact bodies of create, update and upsert the way GHL's validation does: only the
//! properties of the request DTO are allowed (anything else is a 422 "property X should not
//! exist", C03), each is type-checked, and values are normalised (phones to E.164, emails
//! trimmed, tags lower-cased, custom fields by key resolved to their id).

use serde_json::{Map, Value};

use super::custom_fields::{custom_fields, merge_custom_fields};
use super::error::ApiError;
use crate::ghl::models::Contact;

/// The properties of `UpdateContactDto` in the spec.
const UPDATE_PROPERTIES: &[&str] = &[
    "firstName",
    "lastName",
    "name",
    "email",
    "phone",
    "address1",
    "city",
    "state",
    "postalCode",
    "website",
    "timezone",
    "dnd",
    "dndSettings",
    "inboundDndSettings",
    "tags",
    "customFields",
    "source",
    "dateOfBirth",
    "country",
    "assignedTo",
];

/// What `CreateContactDto` adds to the update properties.
const CREATE_PROPERTIES: &[&str] = &["locationId", "gender", "companyName"];

/// What `UpsertContactDto` adds to the create properties.
const UPSERT_PROPERTIES: &[&str] = &["createNewIfDuplicateAllowed"];

const DND_CHANNELS: &[&str] = &["Call", "Email", "SMS", "WhatsApp", "GMB", "FB"];

/// Which request DTO a body must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dto {
    Create,
    Update,
    Upsert,
}

impl Dto {
    fn allows(self, key: &str) -> bool {
        let create = matches!(self, Self::Create | Self::Upsert);
        UPDATE_PROPERTIES.contains(&key)
            || (create && CREATE_PROPERTIES.contains(&key))
            || (self == Self::Upsert && UPSERT_PROPERTIES.contains(&key))
    }
}

/// A checked and normalised contact body.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ContactInput {
    fields: Map<String, Value>,
}

/// Checks a body against a DTO; 422 with every problem found.
pub(crate) fn read(dto: Dto, body: Map<String, Value>) -> Result<ContactInput, ApiError> {
    let mut errors = Vec::new();
    let mut fields = Map::new();
    for (key, value) in body {
        if !dto.allows(&key) {
            errors.push(format!("property {key} should not exist"));
            continue;
        }
        match normalise(&key, value) {
            Ok(value) => {
                fields.insert(key, value);
            }
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    if dto != Dto::Update && !fields.get("locationId").is_some_and(Value::is_string) {
        errors.push("locationId should not be empty".to_string());
    }
    if errors.is_empty() {
        Ok(ContactInput { fields })
    } else {
        Err(ApiError::unprocessable(errors))
    }
}

fn normalise(key: &str, value: Value) -> Result<Value, Vec<String>> {
    let one = |message: String| Err(vec![message]);
    match key {
        "dnd" | "createNewIfDuplicateAllowed" => match value {
            Value::Bool(_) => Ok(value),
            _ => one(format!("{key} must be a boolean value")),
        },
        "dndSettings" | "inboundDndSettings" => dnd_settings(key, value),
        "tags" => tags(value),
        "customFields" => custom_fields(value),
        _ if value.is_null() => Ok(value),
        _ => {
            let Value::String(text) = value else {
                return one(format!("{key} must be a string"));
            };
            match key {
                "email" => email(&text)
                    .map(Value::String)
                    .ok_or(vec!["email must be an email".into()]),
                "phone" if text.trim().is_empty() => Ok(Value::Null),
                "phone" => normalise_phone(&text)
                    .map(Value::String)
                    .ok_or(vec!["phone must be a valid phone number".into()]),
                _ => Ok(Value::String(text)),
            }
        }
    }
}

fn email(text: &str) -> Option<String> {
    let text = text.trim();
    let (local, domain) = text.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace);
    ok.then(|| text.to_string())
}

/// Normalises a phone number to E.164. Numbers without a country code are read as the
/// location's country, which is the US in the sandbox (ten digits, or eleven starting with 1).
pub(crate) fn normalise_phone(text: &str) -> Option<String> {
    let text = text.trim();
    let allowed = |c: char| c.is_ascii_digit() || " -().+".contains(c);
    if !text.chars().all(allowed) || text.rfind('+').is_some_and(|at| at > 0) {
        return None;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let international = if text.starts_with('+') {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    let e164 = match international {
        Some(rest) => format!("+{rest}"),
        None if digits.len() == 10 => format!("+1{digits}"),
        None if digits.len() == 11 && digits.starts_with('1') => format!("+{digits}"),
        None => return None,
    };
    (8..=16).contains(&e164.len()).then_some(e164)
}

fn dnd_settings(key: &str, value: Value) -> Result<Value, Vec<String>> {
    let Value::Object(channels) = &value else {
        return if value.is_null() {
            Ok(value)
        } else {
            Err(vec![format!("{key} must be an object")])
        };
    };
    let mut errors = Vec::new();
    for (channel, setting) in channels {
        let known = if key == "dndSettings" {
            DND_CHANNELS.contains(&channel.as_str())
        } else {
            channel == "all"
        };
        let status = setting.get("status").and_then(Value::as_str);
        if !known {
            errors.push(format!("property {key}.{channel} should not exist"));
        } else if !matches!(status, Some("active" | "inactive" | "permanent")) {
            errors.push(format!(
                "{key}.{channel}.status must be one of: active, inactive, permanent"
            ));
        }
    }
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

fn tags(value: Value) -> Result<Value, Vec<String>> {
    let Value::Array(items) = value else {
        return Err(vec!["tags must be an array".into()]);
    };
    let mut tags: Vec<String> = Vec::new();
    for item in items {
        let Value::String(tag) = item else {
            return Err(vec!["each value in tags must be a string".into()]);
        };
        let tag = tag.trim().to_lowercase();
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(Value::from(tags))
}

impl ContactInput {
    /// The string value of a field, if present and not null.
    pub(crate) fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    /// Whether the body names a field at all (null included).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }

    /// Drops a field, as if the body had not named it.
    pub(crate) fn remove(&mut self, key: &str) {
        self.fields.remove(key);
    }

    /// Writes the fields into a contact. A null clears a field; `tags` replaces all tags;
    /// custom fields are merged by id, a blank value removing one.
    pub(crate) fn apply(&self, contact: &mut Contact) {
        for (key, value) in &self.fields {
            let text = value.as_str().map(str::to_string);
            match key.as_str() {
                "firstName" => contact.first_name = text,
                "lastName" => contact.last_name = text,
                "name" => contact.name = text,
                "email" => contact.email = text,
                "phone" => contact.phone = text,
                "companyName" => contact.company_name = text,
                "source" => contact.source = text,
                "assignedTo" => contact.assigned_to = text,
                "timezone" => contact.timezone = text,
                "dnd" => contact.dnd = value.as_bool(),
                "dndSettings" => contact.dnd_settings = value.as_object().cloned(),
                "tags" => contact.tags = strings(value),
                "customFields" => merge_custom_fields(&mut contact.custom_fields, value),
                "locationId" | "createNewIfDuplicateAllowed" => {}
                _ if value.is_null() => {
                    contact.extra.remove(key);
                }
                _ => {
                    contact.extra.insert(key.clone(), value.clone());
                }
            }
        }
        let names_changed = self.has("firstName") || self.has("lastName");
        if names_changed && !self.has("name") {
            let full = [contact.first_name.as_deref(), contact.last_name.as_deref()]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            contact.name = Some(full).filter(|s| !s.is_empty());
        }
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ghl::models::CustomFieldValue;
    use serde_json::json;

    fn body(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn read_only_fields_are_refused_on_update() {
        let error = read(
            Dto::Update,
            body(json!({"id": "x", "additionalEmails": [], "firstName": "A", "companyName": "C"})),
        )
        .unwrap_err();
        let response = format!("{error:?}");
        assert!(response.contains("property id should not exist"));
        assert!(response.contains("property additionalEmails should not exist"));
        assert!(response.contains("property companyName should not exist"));
        assert!(!response.contains("firstName"));
    }

    #[test]
    fn create_needs_a_location() {
        assert!(read(Dto::Create, body(json!({"firstName": "A"}))).is_err());
        assert!(
            read(
                Dto::Create,
                body(json!({"locationId": "l", "companyName": "C"}))
            )
            .is_ok()
        );
    }

    #[test]
    fn phones_become_e164() {
        assert_eq!(
            normalise_phone("+86 138 0013 8000").as_deref(),
            Some("+8613800138000")
        );
        assert_eq!(
            normalise_phone("(555) 123-4567").as_deref(),
            Some("+15551234567")
        );
        assert_eq!(
            normalise_phone("+1 888-888-8888").as_deref(),
            Some("+18888888888")
        );
        assert_eq!(
            normalise_phone("0044 20 7946 0000").as_deref(),
            Some("+442079460000")
        );
        assert_eq!(normalise_phone("12345"), None);
        assert_eq!(normalise_phone("call me"), None);
        assert_eq!(normalise_phone("1+2"), None);
    }

    #[test]
    fn applies_fields_tags_and_custom_fields() {
        let mut contact = Contact {
            tags: vec!["a".into(), "b".into()],
            custom_fields: vec![CustomFieldValue {
                id: "cF7tXtFavColour00001".into(),
                value: json!("teal"),
                ..CustomFieldValue::default()
            }],
            ..Contact::default()
        };
        let input = read(
            Dto::Update,
            body(json!({
                "firstName": "Zoë", "lastName": "Müller", "tags": ["C", "c"], "city": "Berlin",
                "customFields": [
                    {"id": "cF7tXtFavColour00001", "field_value": ""},
                    {"key": "contact.lifetime_value", "field_value": "12.5"},
                    {"key": "contact.interests", "field_value": "golf"}
                ]
            })),
        )
        .unwrap();
        input.apply(&mut contact);
        assert_eq!(contact.name.as_deref(), Some("Zoë Müller"));
        assert_eq!(contact.tags, ["c"]);
        assert_eq!(contact.extra["city"], "Berlin");
        let values: Vec<(&str, &Value)> = contact
            .custom_fields
            .iter()
            .map(|f| (f.id.as_str(), &f.value))
            .collect();
        assert_eq!(
            values,
            [
                ("cF7nUmLifetimeVal002", &json!(12.5)),
                ("cF7lStInterests00003", &json!(["golf"]))
            ]
        );
    }

    #[test]
    fn bad_values_are_listed() {
        let error = read(
            Dto::Update,
            body(json!({"dnd": "yes", "email": "nope", "tags": "a",
                "customFields": [{"key": "contact.nothing", "field_value": 1},
                                 {"id": "cF7nUmLifetimeVal002", "field_value": "many"}]})),
        )
        .unwrap_err();
        let text = format!("{error:?}");
        for expected in [
            "dnd must be a boolean value",
            "email must be an email",
            "tags must be an array",
            "customFields.0.key contact.nothing does not exist",
            "customFields.1.field_value must be a number",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
    }
}
