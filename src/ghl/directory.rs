//! What a location defines around its contacts: its custom fields (names and value types, so
//! values show by name and are written typed, C22) and its users (names for assignees).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::{Call, GhlClient, Reply};
use super::error::GhlError;
use super::models::{Extra, null_as_default, person_name};

/// A custom field definition of a location, as `GET /locations/{id}/customFields` answers it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldDefinition {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `contact.pincode`: what a write may name instead of the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// `TEXT`, `NUMERICAL`, `MULTIPLE_OPTIONS`, ...: what its values are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<f64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub picklist_options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// `contact` or `opportunity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The kind of value a custom field is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A string.
    Text,
    /// A number.
    Number,
    /// A list of strings (multi-select, checkboxes).
    List,
}

impl CustomFieldDefinition {
    /// The name to show: the name, else the key without its `contact.` prefix, else the id.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| {
                self.field_key
                    .as_deref()
                    .map(|k| k.trim_start_matches("contact.").to_string())
            })
            .unwrap_or_else(|| self.id.clone())
    }

    /// How values of this field are written.
    pub fn kind(&self) -> FieldKind {
        match self.data_type.as_deref().unwrap_or_default() {
            "NUMERICAL" | "MONETORY" | "MONETARY" => FieldKind::Number,
            "MULTIPLE_OPTIONS" | "CHECKBOX" => FieldKind::List,
            _ => FieldKind::Text,
        }
    }
}

/// A user of a location, as `GET /users/?locationId=` answers it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl User {
    /// The name to show: `name`, else first and last name, else email, else id.
    pub fn display_name(&self) -> String {
        person_name(
            self.name.as_deref(),
            self.first_name.as_deref(),
            self.last_name.as_deref(),
        )
        .or_else(|| self.email.clone())
        .unwrap_or_else(|| self.id.clone())
    }
}

#[derive(Deserialize)]
struct CustomFieldsBody {
    #[serde(deserialize_with = "null_as_default")]
    #[serde(rename = "customFields")]
    custom_fields: Vec<CustomFieldDefinition>,
}

#[derive(Deserialize)]
struct UsersBody {
    #[serde(deserialize_with = "null_as_default")]
    users: Vec<User>,
}

impl GhlClient {
    /// `GET /locations/{locationId}/customFields?model=contact`: the contact custom fields of
    /// the client's location.
    pub async fn custom_fields(&self) -> Result<Reply<Vec<CustomFieldDefinition>>, GhlError> {
        let location = self.location_id().to_string();
        let call = Call::new(Method::GET, &["locations", &location, "customFields"])
            .query("model", "contact");
        Ok(self
            .send::<CustomFieldsBody>(call)
            .await?
            .map(|b| b.custom_fields))
    }

    /// `GET /users/?locationId=`: the users of the client's location. The spec marks it
    /// deprecated in favour of `/users/search`, which needs the agency's `companyId` that a
    /// location token does not have, so this is the call a location login can make.
    pub async fn users(&self) -> Result<Reply<Vec<User>>, GhlError> {
        let call = Call::new(Method::GET, &["users"])
            .with_trailing_slash()
            .query("locationId", self.location_id());
        Ok(self.send::<UsersBody>(call).await?.map(|b| b.users))
    }
}

/// The significant digits a number field keeps exactly: GHL holds numbers as doubles.
const MAX_DIGITS: usize = 15;

/// How many significant digits a typed number has (`0012.50` has 4, `1.5e3` has 2).
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    let digits = if mantissa.contains('.') {
        digits.trim_end_matches('0')
    } else {
        digits
    };
    digits.len()
}

/// Reads a custom field value typed in a form as its field wants it: numbers as numbers, lists
/// split at commas, text as it is. An empty text clears the field. A field with no definition
/// (`None`) is written as text (C22).
pub fn typed_value(kind: Option<FieldKind>, text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    match kind {
        Some(FieldKind::Number) if significant_digits(trimmed) > MAX_DIGITS => Err(format!(
            "{trimmed:?} has more digits than a number field keeps ({MAX_DIGITS}); it would be \
             stored rounded"
        )),
        Some(FieldKind::Number) if !trimmed.is_empty() => trimmed
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| {
                let n = trimmed.parse::<f64>().ok()?;
                serde_json::Number::from_f64(n).map(Value::Number)
            })
            .ok_or_else(|| format!("{trimmed:?} is not a number")),
        Some(FieldKind::List) => {
            let mut items: Vec<String> = Vec::new();
            for item in trimmed.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if !items.iter().any(|seen| seen == item) {
                    items.push(item.to_string());
                }
            }
            Ok(Value::from(items))
        }
        _ => Ok(Value::from(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn definitions_read_as_the_spec_shapes_them() {
        let body = json!({"customFields": [{"id": "f1", "name": "Pin code",
            "fieldKey": "contact.pincode", "dataType": "NUMERICAL", "position": 0,
            "picklistOptions": null, "locationId": "l", "model": "contact", "isRequired": false}]});
        let read: CustomFieldsBody = serde_json::from_value(body).unwrap();
        let field = &read.custom_fields[0];
        assert_eq!(field.display_name(), "Pin code");
        assert_eq!(field.kind(), FieldKind::Number);
        assert_eq!(field.extra["isRequired"], json!(false));
        assert!(serde_json::from_str::<CustomFieldsBody>("{}").is_err());
    }

    #[test]
    fn values_are_typed_by_their_field() {
        assert_eq!(typed_value(Some(FieldKind::Number), " 42 "), Ok(json!(42)));
        assert_eq!(typed_value(Some(FieldKind::Number), "4.5"), Ok(json!(4.5)));
        assert!(typed_value(Some(FieldKind::Number), "four").is_err());
        // More digits than a double keeps are refused, not sent to be rounded.
        let long = typed_value(Some(FieldKind::Number), "12345678901234567890.50");
        assert!(long.is_err_and(|e| e.contains("more digits")));
        assert!(typed_value(Some(FieldKind::Number), "12345678901234567").is_err());
        assert_eq!(
            typed_value(Some(FieldKind::Number), "123456789012345"),
            Ok(json!(123_456_789_012_345_i64))
        );
        assert_eq!(
            typed_value(Some(FieldKind::Number), "0012.50"),
            Ok(json!(12.5))
        );
        assert_eq!(
            typed_value(Some(FieldKind::List), "a, b,,c"),
            Ok(json!(["a", "b", "c"]))
        );
        assert_eq!(
            typed_value(Some(FieldKind::List), "golf, cooking,golf"),
            Ok(json!(["golf", "cooking"])),
            "an option typed twice is sent once"
        );
        assert_eq!(typed_value(None, "12"), Ok(json!("12")));
        assert_eq!(typed_value(Some(FieldKind::Text), ""), Ok(json!("")));
    }

    #[test]
    fn a_user_is_named_by_what_it_has() {
        let user: User =
            serde_json::from_value(json!({"id": "u1", "firstName": "Ada", "lastName": "L"}))
                .unwrap();
        assert_eq!(user.display_name(), "Ada L");
        assert_eq!(User::default().display_name(), "");
    }
}
