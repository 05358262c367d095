//! Notes and appointments of a contact. A note needs a `body` on create.

use axum::Extension;
use axum::extract::{Path, State};
use bytes::Bytes;
use serde_json::{Map, Value};

use super::{ApiResult, children, object_body, refuse_unknown, to_json};
use crate::ghl::models::Note;
use crate::sandbox::auth::Caller;
use crate::sandbox::error::ApiError;
use crate::sandbox::state::SharedState;

const PROPERTIES: &[&str] = &["userId", "body", "title", "color", "pinned"];

/// `GET /contacts/{contactId}/notes`: `{notes}`.
pub(super) async fn list(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(contact_id): Path<String>,
) -> ApiResult {
    children::list(&app, &caller, &contact_id, "notes", |r| to_json(&r.notes))
}

/// `GET /contacts/{contactId}/appointments`: `{events}`.
pub(super) async fn appointments(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(contact_id): Path<String>,
) -> ApiResult {
    children::list(&app, &caller, &contact_id, "events", |r| {
        to_json(&r.appointments)
    })
}

/// `POST /contacts/{contactId}/notes`: 201 `{note}`.
pub(super) async fn create(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let fields = read(object_body(&body)?, true)?;
    let mut note = Note::default();
    apply(&fields, &mut note);
    children::add(&app, &caller, &contact_id, note)
}

/// `GET /contacts/{contactId}/notes/{id}`: `{note}`.
pub(super) async fn get_one(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, note_id)): Path<(String, String)>,
) -> ApiResult {
    children::get::<Note>(&app, &caller, &contact_id, &note_id)
}

/// `PUT /contacts/{contactId}/notes/{id}`: `{note}`.
pub(super) async fn update(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, note_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let fields = read(object_body(&body)?, false)?;
    children::change(&app, &caller, &contact_id, &note_id, |note| {
        apply(&fields, note);
    })
}

/// `DELETE /contacts/{contactId}/notes/{id}`: `{succeded: true}`.
pub(super) async fn delete(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, note_id)): Path<(String, String)>,
) -> ApiResult {
    children::delete::<Note>(&app, &caller, &contact_id, &note_id)
}

/// Checks a note body; on create `body` is required.
fn read(body: Map<String, Value>, creating: bool) -> Result<Map<String, Value>, ApiError> {
    let mut errors = refuse_unknown(&body, PROPERTIES);
    for key in PROPERTIES {
        match (*key, body.get(*key)) {
            ("body", None) if creating => errors.push("body should not be empty".into()),
            ("body", Some(Value::String(s))) if s.trim().is_empty() => {
                errors.push("body should not be empty".into());
            }
            ("pinned", Some(v)) if !v.is_boolean() => {
                errors.push("pinned must be a boolean value".into());
            }
            ("pinned", _) | (_, None | Some(Value::String(_))) => {}
            (_, Some(_)) => errors.push(format!("{key} must be a string")),
        }
    }
    if errors.is_empty() {
        Ok(body)
    } else {
        Err(ApiError::unprocessable(errors))
    }
}

fn apply(fields: &Map<String, Value>, note: &mut Note) {
    for (key, value) in fields {
        let text = value.as_str().map(str::to_string);
        match key.as_str() {
            "body" => note.body = text,
            "title" => note.title = text,
            "userId" => note.user_id = text,
            "color" => note.color = text,
            "pinned" => note.pinned = value.as_bool().unwrap_or_default(),
            _ => {}
        }
    }
}
