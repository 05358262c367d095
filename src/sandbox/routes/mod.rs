//! The emulated endpoints, on the paths and methods of the spec, and what they share: body and
//! query reading, and the JSON shape of answers.

mod children;
mod contacts;
mod listing;
mod locations;
mod notes;
mod tasks;

use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use bytes::Bytes;
use http::{Method, StatusCode, Uri};
use serde_json::{Map, Value};

use super::error::ApiError;
use super::state::SharedState;

/// What a handler answers.
type ApiResult = Result<Response, ApiError>;

/// The API routes.
pub(crate) fn router() -> Router<SharedState> {
    Router::new()
        .route("/contacts/", get(listing::list).post(contacts::create))
        .route("/contacts", get(listing::list).post(contacts::create))
        .route("/contacts/search", post(listing::search))
        .route("/contacts/search/duplicate", get(listing::duplicate))
        .route("/contacts/upsert", post(contacts::upsert))
        .route("/contacts/business/{businessId}", get(listing::business))
        .route(
            "/contacts/{contactId}",
            get(contacts::get_one)
                .put(contacts::update)
                .delete(contacts::delete),
        )
        .route(
            "/contacts/{contactId}/tags",
            post(contacts::add_tags).delete(contacts::remove_tags),
        )
        .route(
            "/contacts/{contactId}/tasks",
            get(tasks::list).post(tasks::create),
        )
        .route(
            "/contacts/{contactId}/tasks/{taskId}",
            get(tasks::get_one).put(tasks::update).delete(tasks::delete),
        )
        .route(
            "/contacts/{contactId}/tasks/{taskId}/completed",
            put(tasks::complete),
        )
        .route(
            "/contacts/{contactId}/notes",
            get(notes::list).post(notes::create),
        )
        .route(
            "/contacts/{contactId}/notes/{id}",
            get(notes::get_one).put(notes::update).delete(notes::delete),
        )
        .route(
            "/contacts/{contactId}/appointments",
            get(notes::appointments),
        )
        .route(
            "/locations/{locationId}/customFields",
            get(locations::custom_fields),
        )
        .route("/users/", get(locations::users))
        .route("/users", get(locations::users))
}

/// The answer for paths and methods the API does not have.
pub(crate) async fn no_route(method: Method, uri: Uri) -> ApiError {
    ApiError::no_route(&method, uri.path())
}

/// Reads a JSON object body; an empty body reads as `{}`.
fn object_body(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(
            "The request body must be a JSON object",
        )),
        Err(error) => Err(ApiError::bad_request(format!(
            "Unexpected token in JSON: {error}"
        ))),
    }
}

/// Refuses body properties outside `allowed` (422, one message each).
fn refuse_unknown(body: &Map<String, Value>, allowed: &[&str]) -> Vec<String> {
    body.keys()
        .filter(|key| !allowed.contains(&key.as_str()))
        .map(|key| format!("property {key} should not exist"))
        .collect()
}

/// Reads a query string into a map; the last of repeated names wins.
fn query_map(raw: Option<&str>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The `locationId` query parameter, required (422) and checked against the token (403).
fn query_location<'a>(
    query: &'a HashMap<String, String>,
    caller: &super::auth::Caller,
) -> Result<&'a str, ApiError> {
    let location = query
        .get("locationId")
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| ApiError::invalid("locationId should not be empty"))?;
    caller.check(Some(location))?;
    Ok(location)
}

/// Reads an optional whole-number query parameter within bounds (422 otherwise).
fn query_number(
    query: &HashMap<String, String>,
    name: &str,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ApiError> {
    let Some(text) = query.get(name) else {
        return Ok(default);
    };
    let number: usize = text
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid(format!("{name} must be a number")))?;
    if number < *range.start() {
        return Err(ApiError::invalid(format!(
            "{name} must not be less than {}",
            range.start()
        )));
    }
    if number > *range.end() {
        return Err(ApiError::invalid(format!(
            "{name} must not be greater than {}",
            range.end()
        )));
    }
    Ok(number)
}

/// 200 with a JSON body.
fn ok(body: Value) -> Response {
    Json(body).into_response()
}

/// 201 with a JSON body.
fn created(body: Value) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// A record as JSON; records are plain data, so this cannot fail in practice.
fn to_json<T: serde::Serialize>(record: &T) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}
