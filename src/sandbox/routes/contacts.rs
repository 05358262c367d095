//! One contact: get, update, delete, create, upsert, and its tags.

use axum::Extension;
use axum::extract::{Path, State};
use bytes::Bytes;
use serde_json::{Value, json};

use super::{ApiResult, created, object_body, ok, refuse_unknown};
use crate::ghl::models::Contact;
use crate::sandbox::auth::Caller;
use crate::sandbox::contact_body::{self, ContactInput, Dto};
use crate::sandbox::error::{ApiError, trace_id};
use crate::sandbox::state::SharedState;
use crate::sandbox::store::{Data, Record};

/// `GET /contacts/{contactId}`.
pub(super) async fn get_one(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let contact = app
        .store
        .read(|d| d.get_in(&caller.location_id, &id).map(Record::json))
        .ok_or_else(|| ApiError::not_found("Contact"))?;
    Ok(ok(json!({ "contact": contact })))
}

/// `PUT /contacts/{contactId}`: only `UpdateContactDto` properties (C03); `tags` replaces all
/// tags (C20). The C04 quirk drops one named field here.
pub(super) async fn update(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut input = contact_body::read(Dto::Update, object_body(&body)?)?;
    if let Some(field) = app.faults.get().quirks.put_drops_field {
        input.remove(&field);
    }
    let contact = app
        .store
        .write(|d| {
            d.get_in(&caller.location_id, &id)?;
            d.modify(&id, |r| input.apply(&mut r.contact))?;
            d.get(&id).map(Record::json)
        })
        .ok_or_else(|| ApiError::not_found("Contact"))?;
    Ok(ok(json!({ "succeded": true, "contact": contact })))
}

/// `DELETE /contacts/{contactId}`.
pub(super) async fn delete(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let removed = app.store.write(|d| {
        d.get_in(&caller.location_id, &id)?;
        d.remove(&id)
    });
    removed.ok_or_else(|| ApiError::not_found("Contact"))?;
    Ok(ok(json!({ "succeded": true })))
}

/// `POST /contacts/`: 201 `{contact}`. A contact whose email or phone is already taken is
/// refused with 400, as GHL does while "Allow Duplicate Contact" is off. The C01 quirk stores
/// the contact and still answers 422.
pub(super) async fn create(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> ApiResult {
    let input = contact_body::read(Dto::Create, object_body(&body)?)?;
    caller.check(input.text("locationId"))?;
    let location = caller.location_id.as_str();
    let contact = app.store.write(|d| {
        refuse_duplicate(d, location, &input)?;
        Ok::<_, ApiError>(insert(d, location, &input))
    })?;
    if app.faults.get().quirks.create_stores_then_422 {
        return Err(ApiError::invalid(
            "Unable to process the contact, please try again",
        ));
    }
    Ok(created(json!({ "contact": contact })))
}

fn refuse_duplicate(d: &Data, location: &str, input: &ContactInput) -> Result<(), ApiError> {
    let by_email = input
        .text("email")
        .and_then(|email| d.find_by_email(location, email))
        .map(|r| (r, "email"));
    let hit = by_email.or_else(|| {
        input
            .text("phone")
            .and_then(|phone| d.find_by_phone(location, phone))
            .map(|r| (r, "phone"))
    });
    match hit {
        None => Ok(()),
        Some((record, field)) => Err(ApiError::bad_request(
            "This location does not allow duplicated contacts.",
        )
        .with(
            "meta",
            json!({
                "contactName": record.contact.display_name(),
                "contactId": record.contact.id,
                "matchingField": field,
            }),
        )),
    }
}

/// Creates a contact from a body and answers it as JSON.
fn insert(d: &mut Data, location: &str, input: &ContactInput) -> Value {
    let mut contact = Contact::default();
    input.apply(&mut contact);
    contact
        .contact_type
        .get_or_insert_with(|| "lead".to_string());
    contact.id = d.new_id();
    contact.location_id = Some(location.to_string());
    let now = d.tick();
    let record = Record {
        contact,
        added: now,
        updated: now,
        ..Record::default()
    };
    d.insert(record).map_or(Value::Null, Record::json)
}

/// `POST /contacts/upsert`: 200 `{new, contact, traceId}`. Matches by email (ignoring case)
/// first, then by phone; either alone is enough (C05). When the email matches one contact and
/// the phone another, the email's contact is updated without the phone (C02).
pub(super) async fn upsert(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> ApiResult {
    let mut input = contact_body::read(Dto::Upsert, object_body(&body)?)?;
    caller.check(input.text("locationId"))?;
    let location = caller.location_id.as_str();
    let (new, contact) = app.store.write(|d| {
        let id_of = |r: &Record| r.contact.id.clone();
        let by_email = input
            .text("email")
            .and_then(|e| d.find_by_email(location, e))
            .map(id_of);
        let by_phone = input
            .text("phone")
            .and_then(|p| d.find_by_phone(location, p))
            .map(id_of);
        let target = match (by_email, by_phone) {
            (Some(email_owner), phone_owner) => {
                if phone_owner.is_some_and(|owner| owner != email_owner) {
                    input.remove("phone");
                }
                email_owner
            }
            (None, Some(phone_owner)) => phone_owner,
            (None, None) => return (true, insert(d, location, &input)),
        };
        d.modify(&target, |r| input.apply(&mut r.contact));
        (false, d.get(&target).map_or(Value::Null, Record::json))
    });
    Ok(ok(
        json!({ "new": new, "contact": contact, "traceId": trace_id() }),
    ))
}

/// `POST /contacts/{contactId}/tags`: adds tags; 201 with the contact's tags after.
pub(super) async fn add_tags(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let tags = read_tags(&body)?;
    let after = change_tags(&app, &caller, &id, |current| {
        for tag in tags {
            if !current.contains(&tag) {
                current.push(tag);
            }
        }
    })?;
    Ok(created(json!({ "tags": after })))
}

/// `DELETE /contacts/{contactId}/tags` with a `{tags}` body: removes tags; 200 with the
/// contact's tags after.
pub(super) async fn remove_tags(
    State(app): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let tags = read_tags(&body)?;
    let after = change_tags(&app, &caller, &id, |current| {
        current.retain(|tag| !tags.contains(tag));
    })?;
    Ok(ok(json!({ "tags": after })))
}

fn read_tags(body: &Bytes) -> Result<Vec<String>, ApiError> {
    let body = object_body(body)?;
    let mut errors = refuse_unknown(&body, &["tags"]);
    let tags = match body.get("tags") {
        None => {
            errors.push("tags should not be empty".into());
            Vec::new()
        }
        Some(value) => {
            let mut probe = serde_json::Map::new();
            probe.insert("tags".into(), value.clone());
            if let Ok(input) = contact_body::read(Dto::Update, probe) {
                let mut contact = Contact::default();
                input.apply(&mut contact);
                contact.tags
            } else {
                errors.push("tags must be an array of strings".into());
                Vec::new()
            }
        }
    };
    if errors.is_empty() {
        Ok(tags)
    } else {
        Err(ApiError::unprocessable(errors))
    }
}

fn change_tags(
    app: &SharedState,
    caller: &Caller,
    id: &str,
    change: impl FnOnce(&mut Vec<String>),
) -> Result<Vec<String>, ApiError> {
    app.store
        .write(|d| {
            d.get_in(&caller.location_id, id)?;
            d.modify(id, |r| {
                change(&mut r.contact.tags);
                r.contact.tags.clone()
            })
        })
        .ok_or_else(|| ApiError::not_found("Contact"))
}
