//! What a location defines around its contacts: its custom field definitions
//! (`GET /locations/{locationId}/customFields`) and its users (`GET /users/?locationId=`), both
//! shaped as the spec shapes them and both refused (403) for a location the token does not open.

use axum::Extension;
use axum::extract::{Path, RawQuery};
use serde_json::{Value, json};

use super::{ApiResult, ok, query_location, query_map};
use crate::sandbox::auth::Caller;
use crate::sandbox::error::ApiError;
use crate::sandbox::seed_pools::{CUSTOM_FIELDS, CustomFieldDef, CustomFieldKind, INTERESTS};
use crate::sandbox::seed_pools::{USER_NAMES, USERS};

/// `GET /locations/{locationId}/customFields`: `{customFields}`; `model` is `contact`,
/// `opportunity` or `all` (the sandbox has contact fields only).
pub(super) async fn custom_fields(
    Extension(caller): Extension<Caller>,
    Path(location_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    caller.check(Some(&location_id))?;
    let query = query_map(raw.as_deref());
    let fields: Vec<Value> = match query.get("model").map(String::as_str) {
        None | Some("contact" | "all") => CUSTOM_FIELDS
            .iter()
            .enumerate()
            .map(|(position, def)| definition(def, position, &location_id))
            .collect(),
        Some("opportunity") => Vec::new(),
        Some(_) => {
            return Err(ApiError::invalid(
                "model must be one of the following values: contact, opportunity, all",
            ));
        }
    };
    Ok(ok(json!({ "customFields": fields })))
}

fn definition(def: &CustomFieldDef, position: usize, location_id: &str) -> Value {
    let (data_type, options): (&str, &[&str]) = match def.kind {
        CustomFieldKind::Text => ("TEXT", &[]),
        CustomFieldKind::Number => ("NUMERICAL", &[]),
        CustomFieldKind::List => ("MULTIPLE_OPTIONS", INTERESTS),
    };
    json!({
        "id": def.id,
        "name": def.name,
        "fieldKey": def.key,
        "placeholder": "",
        "dataType": data_type,
        "position": position * 50,
        "picklistOptions": options,
        "picklistImageOptions": [],
        "isAllowedCustomOption": false,
        "isMultiFileAllowed": false,
        "locationId": location_id,
        "model": "contact",
    })
}

/// `GET /users/?locationId=`: `{users}`.
pub(super) async fn users(
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = query_map(raw.as_deref());
    let location_id = query_location(&query, &caller)?;
    let users: Vec<Value> = USERS
        .iter()
        .zip(USER_NAMES)
        .map(|(id, (first, last))| {
            json!({
                "id": id,
                "name": format!("{first} {last}"),
                "firstName": first,
                "lastName": last,
                "email": format!("{}@sandbox.example.test", first.to_lowercase()),
                "phone": "",
                "extension": "",
                "roles": {"type": "account", "role": "user", "locationIds": [location_id]},
            })
        })
        .collect();
    Ok(ok(json!({ "users": users })))
}
