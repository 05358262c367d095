//! Custom field writes: `{id | key, field_value}` (`fieldValue` is accepted too), the key
//! resolved to the location's field id, the value checked against the field's kind (C22), and
//! merged into a contact's `{id, value}` list.

use serde_json::{Value, json};

use super::seed_pools::{CUSTOM_FIELDS, CustomFieldKind};
use crate::ghl::models::CustomFieldValue;

/// Checks a `customFields` body value; every problem found, or the writes as `{id, value}`.
pub(crate) fn custom_fields(value: Value) -> Result<Value, Vec<String>> {
    let Value::Array(items) = value else {
        return Err(vec!["customFields must be an array".into()]);
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (at, item) in items.into_iter().enumerate() {
        match custom_field(at, &item) {
            Ok(pair) => out.push(pair),
            Err(message) => errors.push(message),
        }
    }
    if errors.is_empty() {
        Ok(Value::Array(out))
    } else {
        Err(errors)
    }
}

/// One custom field write as `{id, value}`, the id resolved from a key if need be.
fn custom_field(at: usize, item: &Value) -> Result<Value, String> {
    let id = item
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let key = item
        .get("key")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let definition = CUSTOM_FIELDS
        .iter()
        .find(|d| Some(d.id) == id || (id.is_none() && Some(d.key) == key));
    let id = match (id, definition) {
        (Some(id), _) => id.to_string(),
        (None, Some(def)) => def.id.to_string(),
        (None, None) if key.is_some() => {
            return Err(format!(
                "customFields.{at}.key {} does not exist",
                key.unwrap_or_default()
            ));
        }
        (None, None) => return Err(format!("customFields.{at}.id should not be empty")),
    };
    let Some(raw) = item.get("field_value").or_else(|| item.get("fieldValue")) else {
        return Err(format!("customFields.{at}.field_value should not be empty"));
    };
    let value = match definition.map(|d| d.kind) {
        _ if is_blank(raw) => Value::Null,
        Some(CustomFieldKind::Number) => {
            number(raw).ok_or(format!("customFields.{at}.field_value must be a number"))?
        }
        Some(CustomFieldKind::List) => list(raw).ok_or(format!(
            "customFields.{at}.field_value must be an array of strings"
        ))?,
        Some(CustomFieldKind::Text) => match raw {
            Value::String(_) => raw.clone(),
            Value::Number(n) => Value::String(n.to_string()),
            _ => return Err(format!("customFields.{at}.field_value must be a string")),
        },
        None => raw.clone(),
    };
    Ok(json!({"id": id, "value": value}))
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

fn number(value: &Value) -> Option<Value> {
    match value {
        Value::Number(_) => Some(value.clone()),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number)),
        _ => None,
    }
}

fn list(value: &Value) -> Option<Value> {
    match value {
        Value::String(s) => Some(Value::from(vec![s.clone()])),
        Value::Array(items) => items.iter().all(Value::is_string).then(|| value.clone()),
        _ => None,
    }
}

/// Applies checked writes: a blank value removes the field, others replace or add it.
pub(crate) fn merge_custom_fields(current: &mut Vec<CustomFieldValue>, writes: &Value) {
    for write in writes.as_array().into_iter().flatten() {
        let id = write.get("id").and_then(Value::as_str).unwrap_or_default();
        let value = write.get("value").cloned().unwrap_or(Value::Null);
        current.retain(|field| field.id != id || !value.is_null());
        if value.is_null() {
            continue;
        }
        match current.iter_mut().find(|field| field.id == id) {
            Some(field) => field.value = value,
            None => current.push(CustomFieldValue {
                id: id.to_string(),
                value,
                ..CustomFieldValue::default()
            }),
        }
    }
}
