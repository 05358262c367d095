//! Typed records of the GHL Contacts API v2, named as the official spec names their fields.
//!
//! Every read model keeps the fields it does not know in `extra`, so a value read and shown or
//! written back loses nothing. Every field is optional and accepts `null`, because the API omits
//! and nulls fields freely, except the list an answer exists to carry (the `contacts` of a
//! search or list page, and `tasks` and `notes` in `api.rs`): an answer without it is a decode
//! error, not an empty list, so a spoiled answer (a proxy's `{}`, an error object sent with
//! 200) is never read as "there are none" and never empties a mirror.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Unknown fields of a record, in the order the server sent them.
pub type Extra = Map<String, Value>;

/// A contact as returned by `GET /contacts/{id}`, search, list and upsert.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// `lead` or `customer`: the contact's stage.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub contact_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd_settings: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_fields: Vec<CustomFieldValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_updated: Option<String>,
    /// The cursor a search hit carries: pass it as `searchAfter` to get the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_after: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Contact {
    /// The name to show: `name`, else first and last name, else email, else phone, else id.
    pub fn display_name(&self) -> String {
        person_name(
            self.name.as_deref(),
            self.first_name.as_deref(),
            self.last_name.as_deref(),
        )
        .or_else(|| self.email.clone())
        .or_else(|| self.phone.clone())
        .unwrap_or_else(|| self.id.clone())
    }
}

/// A person's name to show: `name` unless blank, else the first and last names that are not
/// blank, joined; `None` when all are blank or missing.
pub(crate) fn person_name(
    name: Option<&str>,
    first_name: Option<&str>,
    last_name: Option<&str>,
) -> Option<String> {
    if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
        return Some(name.to_string());
    }
    let joined = [first_name, last_name]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// One custom field value on a contact. The value is any JSON: text, number, list or object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldValue {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default)]
    pub value: Value,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A custom field value as written: `{id, field_value}` (or `key` instead of `id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Typed by the field: a string, a number, or a list for multi-select.
    pub field_value: Value,
}

/// A task on a contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub completed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A note on a contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub pinned: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An appointment (calendar event) of a contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of `POST /contacts/` and `POST /contacts/upsert`; `locationId` is filled by the
/// client. `tags` is allowed on create; on update tags change only through the tag endpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_fields: Vec<CustomFieldInput>,
}

/// The writable fields of `PUT /contacts/{id}` (the spec's `UpdateContactDto`; it has no
/// `companyName`). Only fields set here are sent, so an update
/// carries exactly what the operator changed; an emptied field is sent as `null`. There is deliberately no `tags` field: a PUT with
/// `tags` replaces every tag (C20).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactUpdate {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub first_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub last_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub email: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub phone: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub address1: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub city: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub website: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub source: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub assigned_to: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "empty_as_null"
    )]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_fields: Vec<CustomFieldInput>,
}

/// A field the operator emptied goes out as `null`, which the spec's `UpdateContactDto` takes
/// for clearing these fields; an empty string is refused for some (an email must be an email).
/// `postalCode` and `country` are not nullable there and go out as sent.
#[allow(
    clippy::ref_option,
    reason = "serde's serialize_with passes the field by reference"
)]
fn empty_as_null<S: serde::Serializer>(
    value: &Option<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value.as_deref() {
        Some(text) if !text.is_empty() => serializer.serialize_str(text),
        _ => serializer.serialize_none(),
    }
}

impl ContactUpdate {
    /// The update that turns `original` into `edited`: only the writable fields that differ, so
    /// read-only fields of a fetched contact are never sent back (C03) and tags never ride on a
    /// PUT (C20).
    pub fn changes(original: &Contact, edited: &Contact) -> Self {
        fn changed(a: Option<&String>, b: Option<&String>) -> Option<String> {
            (a != b).then(|| b.cloned().unwrap_or_default())
        }
        Self {
            first_name: changed(original.first_name.as_ref(), edited.first_name.as_ref()),
            last_name: changed(original.last_name.as_ref(), edited.last_name.as_ref()),
            name: changed(original.name.as_ref(), edited.name.as_ref()),
            email: changed(original.email.as_ref(), edited.email.as_ref()),
            phone: changed(original.phone.as_ref(), edited.phone.as_ref()),
            address1: changed(original.address1.as_ref(), edited.address1.as_ref()),
            city: changed(original.city.as_ref(), edited.city.as_ref()),
            state: changed(original.state.as_ref(), edited.state.as_ref()),
            postal_code: changed(original.postal_code.as_ref(), edited.postal_code.as_ref()),
            country: changed(original.country.as_ref(), edited.country.as_ref()),
            website: changed(original.website.as_ref(), edited.website.as_ref()),
            source: changed(original.source.as_ref(), edited.source.as_ref()),
            assigned_to: changed(original.assigned_to.as_ref(), edited.assigned_to.as_ref()),
            timezone: changed(original.timezone.as_ref(), edited.timezone.as_ref()),
            dnd: (original.dnd != edited.dnd).then_some(edited.dnd.unwrap_or(false)),
            custom_fields: edited
                .custom_fields
                .iter()
                .filter(|f| !original.custom_fields.contains(f))
                .map(|f| CustomFieldInput {
                    id: Some(f.id.clone()),
                    key: None,
                    field_value: f.value.clone(),
                })
                .collect(),
        }
    }

    /// Whether nothing would be sent.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The body of `POST /contacts/{id}/tasks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTask {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `YYYY-MM-DDTHH:MM:SSZ`, no fraction (C21); see [`format_due_date`].
    pub due_date: String,
    pub completed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

/// The body of `PUT /contacts/{id}/tasks/{taskId}`. There is no `status` field (C21).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

/// The body of `POST /contacts/{id}/notes` and `PUT /contacts/{id}/notes/{noteId}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteInput {
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
}

/// One filter of a contact search. `field` must be one of [`SEARCH_FILTER_FIELDS`] (C11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchFilter {
    pub field: String,
    pub operator: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub value: Value,
}

/// The fields a search may filter and sort on: the ones the console and the sync use. A filter
/// on any other field is refused before it is sent (C11).
pub const SEARCH_FILTER_FIELDS: &[&str] = &[
    "id",
    "email",
    "phone",
    "firstNameLowerCase",
    "lastNameLowerCase",
    "tags",
    "type",
    "dnd",
    "assignedTo",
    "businessId",
    "dateAdded",
    "dateUpdated",
];

/// The operators a search filter may use.
pub const SEARCH_OPERATORS: &[&str] = &[
    "eq",
    "not_eq",
    "contains",
    "not_contains",
    "exists",
    "not_exists",
    "range",
];

/// A sort key of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchSort {
    pub field: String,
    /// `asc` or `desc`.
    pub direction: String,
}

/// The body of `POST /contacts/search`. The client fills `locationId` and always sends
/// `pageLimit` (C10).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    #[serde(default)]
    pub location_id: String,
    #[serde(default)]
    pub page_limit: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_after: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<SearchFilter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SearchSort>,
}

/// One page of a contact search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    #[serde(deserialize_with = "null_as_default")]
    pub contacts: Vec<Contact>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: u64,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The paging block of the legacy list `GET /contacts/`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_after_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_after: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_page: Option<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One page of the legacy list `GET /contacts/` or of `GET /contacts/business/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListPage {
    #[serde(deserialize_with = "null_as_default")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ListMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// What an upsert answered: the contact and whether it was created.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpsertOutcome {
    #[serde(default, deserialize_with = "null_as_default")]
    pub new: bool,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default, rename = "traceId", skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

/// The `{succeded: bool}` answer of the delete endpoints. The API spells it `succeded`; the
/// correct spelling is accepted too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    #[serde(default, alias = "succeeded", deserialize_with = "null_as_default")]
    pub succeded: bool,
}

/// Formats a due date as the task endpoints want it: `YYYY-MM-DDTHH:MM:SSZ` in UTC, no fraction.
pub fn format_due_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses any RFC 3339 date the API sends (`2021-07-02T05:18:26.704Z`).
pub fn parse_date(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

/// Reads `null` as the type's default.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Reads an id given as a string, a number or `null` as a string.
fn lenient_string<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_keeps_unknown_fields_and_accepts_nulls() {
        let raw = r#"{"id":"c1","email":null,"tags":null,"customFields":[{"id":"f","value":[1,"a"]}],
            "additionalEmails":["x@y.z"],"dndSettings":{"SMS":{"status":"active"}}}"#;
        let contact: Contact = serde_json::from_str(raw).unwrap();
        assert_eq!(contact.id, "c1");
        assert_eq!(contact.email, None);
        assert!(contact.tags.is_empty());
        assert_eq!(contact.custom_fields[0].value, serde_json::json!([1, "a"]));
        assert_eq!(
            contact.extra["additionalEmails"],
            serde_json::json!(["x@y.z"])
        );
        let back = serde_json::to_value(&contact).unwrap();
        assert_eq!(back["additionalEmails"], serde_json::json!(["x@y.z"]));
    }

    #[test]
    fn delete_flag_accepts_both_spellings() {
        let a: Deleted = serde_json::from_str(r#"{"succeded":true}"#).unwrap();
        let b: Deleted = serde_json::from_str(r#"{"succeeded":true}"#).unwrap();
        assert!(a.succeded && b.succeded);
    }

    #[test]
    fn due_date_has_no_fraction() {
        let at = parse_date("2026-12-24T09:00:00.123Z").unwrap();
        assert_eq!(format_due_date(at), "2026-12-24T09:00:00Z");
    }

    #[test]
    fn contact_update_has_no_tags() {
        let update = ContactUpdate {
            email: Some("a@b.c".into()),
            ..ContactUpdate::default()
        };
        let body = serde_json::to_value(&update).unwrap();
        assert_eq!(body, serde_json::json!({"email": "a@b.c"}));
    }
}
