//! What the task and note endpoints share: the contact in the caller's location, and one
//! child of it read, added, changed or dropped, answered as `{task}` or `{note}`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{ApiResult, created, ok, to_json};
use crate::sandbox::auth::Caller;
use crate::sandbox::children::Child;
use crate::sandbox::error::ApiError;
use crate::sandbox::state::SharedState;
use crate::sandbox::store::{Data, Record};

/// `{key: list}`: one list of a contact of the caller's location, picked by `pick`.
pub(super) fn list(
    app: &SharedState,
    caller: &Caller,
    contact_id: &str,
    key: &str,
    pick: impl FnOnce(&Record) -> Value,
) -> ApiResult {
    let list = app
        .store
        .write(|d| d.full_in(&caller.location_id, contact_id).map(pick))
        .ok_or_else(|| ApiError::not_found("Contact"))?;
    Ok(ok(keyed(key, list)))
}

/// 201 `{key: child}`: `child` added to the contact.
pub(super) fn add<C: Child + Serialize>(
    app: &SharedState,
    caller: &Caller,
    contact_id: &str,
    child: C,
) -> ApiResult {
    let child = app.store.write(|d| {
        contact_in(d, caller, contact_id)?;
        d.add_child(contact_id, child)
            .ok_or_else(|| ApiError::not_found("Contact"))
    })?;
    Ok(created(keyed(C::KEY, to_json(&child))))
}

/// `{key: child}`: one child of the contact.
pub(super) fn get<C: Child + Serialize>(
    app: &SharedState,
    caller: &Caller,
    contact_id: &str,
    child_id: &str,
) -> ApiResult {
    let child = app.store.write(|d| {
        contact_in(d, caller, contact_id)?;
        d.child::<C>(contact_id, child_id)
            .map(to_json)
            .ok_or_else(|| ApiError::not_found(C::NOUN))
    })?;
    Ok(ok(keyed(C::KEY, child)))
}

/// `{key: child}`: one child of the contact after `edit`.
pub(super) fn change<C: Child + Serialize>(
    app: &SharedState,
    caller: &Caller,
    contact_id: &str,
    child_id: &str,
    edit: impl FnOnce(&mut C),
) -> ApiResult {
    let child = app.store.write(|d| {
        contact_in(d, caller, contact_id)?;
        d.change_child(contact_id, child_id, edit)
            .ok_or_else(|| ApiError::not_found(C::NOUN))
    })?;
    Ok(ok(keyed(C::KEY, to_json(&child))))
}

/// `{succeded: true}`: one child of the contact dropped.
pub(super) fn delete<C: Child>(
    app: &SharedState,
    caller: &Caller,
    contact_id: &str,
    child_id: &str,
) -> ApiResult {
    app.store.write(|d| {
        contact_in(d, caller, contact_id)?;
        if d.drop_child::<C>(contact_id, child_id) {
            Ok(())
        } else {
            Err(ApiError::not_found(C::NOUN))
        }
    })?;
    Ok(ok(keyed("succeded", Value::Bool(true))))
}

/// The contact, in the caller's location; `Contact` not found otherwise.
fn contact_in(d: &Data, caller: &Caller, contact_id: &str) -> Result<(), ApiError> {
    d.get_in(&caller.location_id, contact_id)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("Contact"))
}

/// `{key: value}`.
fn keyed(key: &str, value: Value) -> Value {
    Value::Object(Map::from_iter([(key.to_string(), value)]))
}
