//! Notes and appointments of a contact. A note needs a `body` on create.

use axum::Extension;
use axum::extract::{Path, State};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::{ApiResult, created, object_body, ok, refuse_unknown, to_json};
use crate::ghl::models::Note;
use crate::sandbox::auth::Caller;
use crate::sandbox::error::ApiError;
use crate::sandbox::state::SharedState;
use crate::sandbox::store::Data;

const PROPERTIES: &[&str] = &["userId", "body", "title", "color", "pinned"];

/// `GET /contacts/{contactId}/notes`: `{notes}`.
pub(super) async fn list(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(contact_id): Path<String>,
) -> ApiResult {
    let notes = app
        .store
        .write(|d| {
            d.full_in(&caller.location_id, &contact_id)
                .map(|r| to_json(&r.notes))
        })
        .ok_or_else(|| ApiError::not_found("Contact"))?;
    Ok(ok(json!({ "notes": notes })))
}

/// `GET /contacts/{contactId}/appointments`: `{events}`.
pub(super) async fn appointments(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(contact_id): Path<String>,
) -> ApiResult {
    let events = app
        .store
        .write(|d| {
            d.full_in(&caller.location_id, &contact_id)
                .map(|r| to_json(&r.appointments))
        })
        .ok_or_else(|| ApiError::not_found("Contact"))?;
    Ok(ok(json!({ "events": events })))
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
    let note = app.store.write(|d| {
        contact_in(d, &caller, &contact_id)?;
        d.add_child(&contact_id, note)
            .ok_or_else(|| ApiError::not_found("Contact"))
    })?;
    Ok(created(json!({ "note": note })))
}

/// `GET /contacts/{contactId}/notes/{id}`: `{note}`.
pub(super) async fn get_one(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, note_id)): Path<(String, String)>,
) -> ApiResult {
    let note = app.store.write(|d| {
        contact_in(d, &caller, &contact_id)?;
        d.child::<Note>(&contact_id, &note_id)
            .map(to_json)
            .ok_or_else(|| ApiError::not_found("Note"))
    })?;
    Ok(ok(json!({ "note": note })))
}

/// `PUT /contacts/{contactId}/notes/{id}`: `{note}`.
pub(super) async fn update(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, note_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let fields = read(object_body(&body)?, false)?;
    let note = app.store.write(|d| {
        contact_in(d, &caller, &contact_id)?;
        d.change_child(&contact_id, &note_id, |note| apply(&fields, note))
            .ok_or_else(|| ApiError::not_found("Note"))
    })?;
    Ok(ok(json!({ "note": note })))
}

/// `DELETE /contacts/{contactId}/notes/{id}`: `{succeded: true}`.
pub(super) async fn delete(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, note_id)): Path<(String, String)>,
) -> ApiResult {
    app.store.write(|d| {
        contact_in(d, &caller, &contact_id)?;
        if d.drop_child::<Note>(&contact_id, &note_id) {
            Ok(())
        } else {
            Err(ApiError::not_found("Note"))
        }
    })?;
    Ok(ok(json!({ "succeded": true })))
}

fn contact_in(d: &Data, caller: &Caller, contact_id: &str) -> Result<(), ApiError> {
    d.get_in(&caller.location_id, contact_id)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("Contact"))
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
