//! Tasks of a contact. Create needs `title`, `dueDate` and `completed`; `dueDate` is
//! `YYYY-MM-DDTHH:MM:SSZ`, with or without milliseconds, and is answered with milliseconds.
//! There is no `status` field: naming one is a 422 like any unknown property (C21).

use axum::Extension;
use axum::extract::{Path, State};
use bytes::Bytes;
use serde_json::{Map, Value};

use super::{ApiResult, children, object_body, refuse_unknown, to_json};
use crate::ghl::models::Task;
use crate::sandbox::auth::Caller;
use crate::sandbox::error::ApiError;
use crate::sandbox::state::SharedState;
use crate::sandbox::store::format_ms;

const PROPERTIES: &[&str] = &["title", "body", "dueDate", "completed", "assignedTo"];

/// `GET /contacts/{contactId}/tasks`: `{tasks}`.
pub(super) async fn list(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(contact_id): Path<String>,
) -> ApiResult {
    children::list(&app, &caller, &contact_id, "tasks", |r| to_json(&r.tasks))
}

/// `POST /contacts/{contactId}/tasks`: 201 `{task}`.
pub(super) async fn create(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let fields = read(&object_body(&body)?, true)?;
    let mut task = Task::default();
    apply(&fields, &mut task);
    children::add(&app, &caller, &contact_id, task)
}

/// `GET /contacts/{contactId}/tasks/{taskId}`: `{task}`.
pub(super) async fn get_one(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, task_id)): Path<(String, String)>,
) -> ApiResult {
    children::get::<Task>(&app, &caller, &contact_id, &task_id)
}

/// `PUT /contacts/{contactId}/tasks/{taskId}`: `{task}`.
pub(super) async fn update(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, task_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let fields = read(&object_body(&body)?, false)?;
    children::change(&app, &caller, &contact_id, &task_id, |task: &mut Task| {
        apply(&fields, task);
    })
}

/// `PUT /contacts/{contactId}/tasks/{taskId}/completed` with `{completed}`: `{task}`.
pub(super) async fn complete(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, task_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let body = object_body(&body)?;
    let mut errors = refuse_unknown(&body, &["completed"]);
    let completed = body.get("completed").and_then(Value::as_bool);
    if completed.is_none() {
        errors.push("completed must be a boolean value".into());
    }
    let Some(completed) = completed.filter(|_| errors.is_empty()) else {
        return Err(ApiError::unprocessable(errors));
    };
    children::change(&app, &caller, &contact_id, &task_id, |task: &mut Task| {
        task.completed = completed;
    })
}

/// `DELETE /contacts/{contactId}/tasks/{taskId}`: `{succeded: true}`.
pub(super) async fn delete(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path((contact_id, task_id)): Path<(String, String)>,
) -> ApiResult {
    children::delete::<Task>(&app, &caller, &contact_id, &task_id)
}

/// Checks a task body; on create `title`, `dueDate` and `completed` are required.
fn read(body: &Map<String, Value>, creating: bool) -> Result<Map<String, Value>, ApiError> {
    let mut errors = refuse_unknown(body, PROPERTIES);
    let mut fields = Map::new();
    for key in PROPERTIES {
        match check(key, body.get(*key), creating) {
            Ok(Some(value)) => {
                fields.insert((*key).to_string(), value);
            }
            Ok(None) => {}
            Err(problem) => errors.push(problem),
        }
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(ApiError::unprocessable(errors))
    }
}

/// One property of a task body: its normalised value, or what is wrong with it.
fn check(key: &str, value: Option<&Value>, creating: bool) -> Result<Option<Value>, String> {
    let Some(value) = value else {
        let required = creating && matches!(key, "title" | "dueDate" | "completed");
        return if required {
            Err(format!("{key} should not be empty"))
        } else {
            Ok(None)
        };
    };
    match (key, value) {
        ("completed", Value::Bool(_)) => Ok(Some(value.clone())),
        ("completed", _) => Err(format!("{key} must be a boolean value")),
        ("title", Value::String(text)) if text.trim().is_empty() => {
            Err("title should not be empty".into())
        }
        ("dueDate", Value::String(text)) => due_date(text)
            .map(|normal| Some(Value::String(normal)))
            .ok_or_else(|| "dueDate must be a date like 2020-10-25T11:00:00Z".into()),
        (_, Value::String(_)) => Ok(Some(value.clone())),
        _ => Err(format!("{key} must be a string")),
    }
}

/// Reads `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.mmmZ`; answers the millisecond form.
fn due_date(text: &str) -> Option<String> {
    ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%.3fZ"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .map(|at| format_ms(at.and_utc().timestamp_millis()))
}

fn apply(fields: &Map<String, Value>, task: &mut Task) {
    for (key, value) in fields {
        let text = value.as_str().map(str::to_string);
        match key.as_str() {
            "title" => task.title = text,
            "body" => task.body = text,
            "dueDate" => task.due_date = text,
            "assignedTo" => task.assigned_to = text,
            "completed" => task.completed = value.as_bool().unwrap_or_default(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn due_dates_with_and_without_millis() {
        assert_eq!(
            due_date("2020-10-25T11:00:00Z").as_deref(),
            Some("2020-10-25T11:00:00.000Z")
        );
        assert_eq!(
            due_date("2020-10-25T11:00:00.250Z").as_deref(),
            Some("2020-10-25T11:00:00.250Z")
        );
        assert_eq!(due_date("2020-10-25T11:00:00+02:00"), None);
        assert_eq!(due_date("2020-10-25"), None);
    }

    #[test]
    fn create_requires_fields_and_refuses_status() {
        let body = |v: Value| v.as_object().cloned().unwrap();
        assert!(read(&body(json!({"title": "t"})), true).is_err());
        let full = json!({"title": "t", "dueDate": "2020-10-25T11:00:00Z", "completed": false});
        assert!(read(&body(full), true).is_ok());
        assert!(read(&body(json!({"status": "completed"})), false).is_err());
        assert!(read(&body(json!({"completed": "yes"})), false).is_err());
        assert!(read(&body(json!({"body": "b"})), false).is_ok());
    }
}
