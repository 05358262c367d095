//! The endpoints of the Contacts API the product uses, one method each.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::client::{Call, GhlClient, Reply};
use super::error::GhlError;
use super::models::{
    Appointment, Contact, ContactUpdate, Deleted, ListPage, NewContact, NewTask, Note, NoteInput,
    SEARCH_FILTER_FIELDS, SEARCH_OPERATORS, SearchFilter, SearchPage, SearchRequest, Task,
    TaskUpdate, UpsertOutcome, null_as_default,
};
use super::verify::{WriteOutcome, not_applied};

/// The largest `pageLimit` the client asks for.
pub const MAX_PAGE_LIMIT: u32 = 500;

/// The legacy list's paging parameters (`GET /contacts/`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// 1 to 100; 20 when `None`.
    pub limit: Option<u32>,
    pub query: Option<String>,
    /// The `dateAdded` (ms) of the last contact of the previous page.
    pub start_after: Option<i64>,
    /// The id of the last contact of the previous page.
    pub start_after_id: Option<String>,
}

#[derive(Deserialize)]
struct ContactBody {
    contact: Contact,
}

/// `{contact: null}` is "no duplicate"; an answer without `contact` is an error.
#[derive(Deserialize)]
struct MaybeContactBody {
    #[serde(deserialize_with = "null_as_default")]
    contact: Option<Contact>,
}

#[derive(Deserialize)]
struct TasksBody {
    #[serde(deserialize_with = "null_as_default")]
    tasks: Vec<Task>,
}

#[derive(Deserialize)]
struct TaskBody {
    task: Task,
}

#[derive(Deserialize)]
struct NotesBody {
    #[serde(deserialize_with = "null_as_default")]
    notes: Vec<Note>,
}

#[derive(Deserialize)]
struct NoteBody {
    note: Note,
}

#[derive(Deserialize)]
struct TagsBody {
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct EventsBody {
    #[serde(default)]
    events: Vec<Appointment>,
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, GhlError> {
    serde_json::to_value(value).map_err(|e| GhlError::Invalid(format!("cannot encode: {e}")))
}

fn check_id(kind: &str, id: &str) -> Result<(), GhlError> {
    if id.trim().is_empty() {
        return Err(GhlError::Invalid(format!("the {kind} id is empty")));
    }
    Ok(())
}

/// A call on `contacts/{contact_id}/{kind}s/{child_id}` followed by `below` (`kind`: `task`,
/// `note`), both ids checked first.
fn child_call(
    method: Method,
    contact_id: &str,
    kind: &str,
    child_id: &str,
    below: &[&str],
) -> Result<Call, GhlError> {
    check_id("contact", contact_id)?;
    check_id(kind, child_id)?;
    let list = format!("{kind}s");
    let mut segments = vec!["contacts", contact_id, list.as_str(), child_id];
    segments.extend_from_slice(below);
    Ok(Call::new(method, &segments))
}

/// Refuses filters on fields or with operators the API does not know (C11).
pub fn check_filters(filters: &[SearchFilter]) -> Result<(), GhlError> {
    for filter in filters {
        if !SEARCH_FILTER_FIELDS.contains(&filter.field.as_str()) {
            return Err(GhlError::Invalid(format!(
                "cannot filter on {:?}; known fields: {}",
                filter.field,
                SEARCH_FILTER_FIELDS.join(", ")
            )));
        }
        if !SEARCH_OPERATORS.contains(&filter.operator.as_str()) {
            return Err(GhlError::Invalid(format!(
                "unknown operator {:?}; known: {}",
                filter.operator,
                SEARCH_OPERATORS.join(", ")
            )));
        }
    }
    Ok(())
}

impl GhlClient {
    /// `GET /contacts/{id}`.
    pub async fn get_contact(&self, id: &str) -> Result<Reply<Contact>, GhlError> {
        check_id("contact", id)?;
        let reply = self
            .send::<ContactBody>(Call::new(Method::GET, &["contacts", id]))
            .await?;
        Ok(reply.map(|b| b.contact))
    }

    /// `POST /contacts/search`; `locationId` is filled in and `pageLimit` always sent (C10).
    pub async fn search_contacts(
        &self,
        mut req: SearchRequest,
    ) -> Result<Reply<SearchPage>, GhlError> {
        check_filters(&req.filters)?;
        req.location_id = self.location_id().to_string();
        if req.page_limit == 0 {
            req.page_limit = 100;
        }
        req.page_limit = req.page_limit.min(MAX_PAGE_LIMIT);
        let call = Call::new(Method::POST, &["contacts", "search"])
            .body(to_json(&req)?)
            .retry_safe();
        self.send(call).await
    }

    /// `GET /contacts/`, the legacy list. Both cursors ride on every page (C13).
    pub async fn list_contacts(&self, q: &ListQuery) -> Result<Reply<ListPage>, GhlError> {
        let mut call = Call::new(Method::GET, &["contacts"])
            .with_trailing_slash()
            .query("locationId", self.location_id())
            .query("limit", q.limit.unwrap_or(20).clamp(1, 100));
        if let Some(query) = q.query.as_deref().filter(|s| !s.is_empty()) {
            call = call.query("query", query);
        }
        if let Some(at) = q.start_after {
            call = call.query("startAfter", at);
        }
        if let Some(id) = q.start_after_id.as_deref() {
            call = call.query("startAfterId", id);
        }
        self.send(call).await
    }

    /// `GET /contacts/business/{businessId}`.
    pub async fn contacts_by_business(
        &self,
        business_id: &str,
        limit: u32,
        skip: u32,
        query: Option<&str>,
    ) -> Result<Reply<ListPage>, GhlError> {
        check_id("business", business_id)?;
        let mut call = Call::new(Method::GET, &["contacts", "business", business_id])
            .query("locationId", self.location_id())
            .query("limit", limit.clamp(1, 100))
            .query("skip", skip);
        if let Some(query) = query.filter(|s| !s.is_empty()) {
            call = call.query("query", query);
        }
        self.send(call).await
    }

    /// `GET /contacts/search/duplicate`: the contact that already has this email or phone.
    pub async fn find_duplicate(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<Reply<Option<Contact>>, GhlError> {
        let email = email.filter(|s| !s.trim().is_empty());
        let phone = phone.filter(|s| !s.trim().is_empty());
        if email.is_none() && phone.is_none() {
            return Err(GhlError::Invalid(
                "a duplicate lookup needs an email or a phone".into(),
            ));
        }
        let mut call = Call::new(Method::GET, &["contacts", "search", "duplicate"])
            .query("locationId", self.location_id());
        if let Some(email) = email {
            call = call.query("email", email);
        }
        if let Some(phone) = phone {
            call = call.query("number", phone);
        }
        let reply = self.send::<MaybeContactBody>(call).await?;
        Ok(reply.map(|b| b.contact.filter(|c| !c.id.is_empty())))
    }

    /// `POST /contacts/`. Never re-sent blindly: when the answer is an error that could hide a
    /// saved contact (422, 5xx, timeout, dropped connection), the duplicate lookup is asked and
    /// a match is reported as [`GhlError::MayAlreadyExist`] (C01).
    pub async fn create_contact(&self, new: &NewContact) -> Result<Reply<Contact>, GhlError> {
        let mut body = to_json(new)?;
        body["locationId"] = json!(self.location_id());
        let call = Call::new(Method::POST, &["contacts"])
            .with_trailing_slash()
            .body(body);
        match self.send::<ContactBody>(call).await {
            Ok(reply) => Ok(reply.map(|b| b.contact)),
            Err(error) if could_have_saved(&error) => Err(self.check_saved(new, error).await),
            Err(error) => Err(error),
        }
    }

    async fn check_saved(&self, new: &NewContact, error: GhlError) -> GhlError {
        if new.email.is_none() && new.phone.is_none() {
            return error;
        }
        match self
            .find_duplicate(new.email.as_deref(), new.phone.as_deref())
            .await
        {
            Ok(Reply {
                value: Some(existing),
                ..
            }) => GhlError::MayAlreadyExist {
                existing: Box::new(existing),
                cause: Box::new(error),
            },
            _ => error,
        }
    }

    /// The contact with this email or phone, created when there is none. An empty search is
    /// not taken as absence: the duplicate lookup confirms before anything is created (C12).
    pub async fn find_or_create_contact(
        &self,
        new: &NewContact,
    ) -> Result<Reply<WriteOutcome>, GhlError> {
        let mut filters = Vec::new();
        if let Some(email) = new.email.as_deref() {
            filters.push(SearchFilter {
                field: "email".into(),
                operator: "eq".into(),
                value: json!(email),
            });
        }
        if let Some(phone) = new.phone.as_deref() {
            filters.push(SearchFilter {
                field: "phone".into(),
                operator: "eq".into(),
                value: json!(phone),
            });
        }
        if filters.is_empty() {
            return Err(GhlError::Invalid(
                "finding a contact needs an email or a phone".into(),
            ));
        }
        for filter in filters {
            let req = SearchRequest {
                page_limit: 1,
                filters: vec![filter],
                ..SearchRequest::default()
            };
            let found = self.search_contacts(req).await?;
            if let Some(contact) = found.value.contacts.first().cloned() {
                return Ok(found.map(|_| WriteOutcome {
                    contact,
                    not_applied: Vec::new(),
                    new: false,
                }));
            }
        }
        let dup = self
            .find_duplicate(new.email.as_deref(), new.phone.as_deref())
            .await?;
        if let Some(contact) = dup.value.clone() {
            return Ok(dup.map(|_| WriteOutcome {
                contact,
                not_applied: Vec::new(),
                new: false,
            }));
        }
        let created = self.create_contact(new).await?;
        Ok(created.map(|contact| WriteOutcome {
            contact,
            not_applied: Vec::new(),
            new: true,
        }))
    }

    /// `PUT /contacts/{id}` with only the fields in `update`; the echo is checked (C03, C04).
    pub async fn update_contact(
        &self,
        id: &str,
        update: &ContactUpdate,
    ) -> Result<Reply<WriteOutcome>, GhlError> {
        check_id("contact", id)?;
        let body = to_json(update)?;
        let call = Call::new(Method::PUT, &["contacts", id]).body(body.clone());
        let reply = self.send::<ContactBody>(call).await?;
        Ok(reply.map(|b| {
            let not_applied = not_applied(&body, &b.contact);
            WriteOutcome {
                contact: b.contact,
                not_applied,
                new: false,
            }
        }))
    }

    /// `POST /contacts/upsert`; reports the identifiers that did not stick (C02).
    pub async fn upsert_contact(&self, new: &NewContact) -> Result<Reply<WriteOutcome>, GhlError> {
        if new.email.is_none() && new.phone.is_none() {
            return Err(GhlError::Invalid(
                "an upsert needs an email or a phone".into(),
            ));
        }
        let mut body = to_json(new)?;
        body["locationId"] = json!(self.location_id());
        let call = Call::new(Method::POST, &["contacts", "upsert"]).body(body.clone());
        let reply = self.send::<UpsertOutcome>(call).await?;
        Ok(reply.map(|o| {
            let not_applied = not_applied(&body, &o.contact);
            WriteOutcome {
                contact: o.contact,
                not_applied,
                new: o.new,
            }
        }))
    }

    /// `DELETE /contacts/{id}`.
    pub async fn delete_contact(&self, id: &str) -> Result<Reply<bool>, GhlError> {
        check_id("contact", id)?;
        let reply = self
            .send::<Deleted>(Call::new(Method::DELETE, &["contacts", id]))
            .await?;
        Ok(reply.map(|d| d.succeded))
    }

    /// `GET /contacts/{id}/tasks`.
    pub async fn tasks(&self, contact_id: &str) -> Result<Reply<Vec<Task>>, GhlError> {
        check_id("contact", contact_id)?;
        let call = Call::new(Method::GET, &["contacts", contact_id, "tasks"]);
        Ok(self.send::<TasksBody>(call).await?.map(|b| b.tasks))
    }

    /// `GET /contacts/{id}/tasks/{taskId}`.
    pub async fn task(&self, contact_id: &str, task_id: &str) -> Result<Reply<Task>, GhlError> {
        let call = child_call(Method::GET, contact_id, "task", task_id, &[])?;
        Ok(self.send::<TaskBody>(call).await?.map(|b| b.task))
    }

    /// `POST /contacts/{id}/tasks`.
    pub async fn create_task(
        &self,
        contact_id: &str,
        task: &NewTask,
    ) -> Result<Reply<Task>, GhlError> {
        check_id("contact", contact_id)?;
        if task.title.trim().is_empty() {
            return Err(GhlError::Invalid("a task needs a title".into()));
        }
        let call = Call::new(Method::POST, &["contacts", contact_id, "tasks"]).body(to_json(task)?);
        Ok(self.send::<TaskBody>(call).await?.map(|b| b.task))
    }

    /// `PUT /contacts/{id}/tasks/{taskId}`: title, body, due date, assignee (C21).
    pub async fn update_task(
        &self,
        contact_id: &str,
        task_id: &str,
        update: &TaskUpdate,
    ) -> Result<Reply<Task>, GhlError> {
        let call =
            child_call(Method::PUT, contact_id, "task", task_id, &[])?.body(to_json(update)?);
        Ok(self.send::<TaskBody>(call).await?.map(|b| b.task))
    }

    /// `PUT /contacts/{id}/tasks/{taskId}/completed`: completes or reopens (C21).
    pub async fn complete_task(
        &self,
        contact_id: &str,
        task_id: &str,
        completed: bool,
    ) -> Result<Reply<Task>, GhlError> {
        let call = child_call(Method::PUT, contact_id, "task", task_id, &["completed"])?
            .body(json!({ "completed": completed }));
        Ok(self.send::<TaskBody>(call).await?.map(|b| b.task))
    }

    /// `DELETE /contacts/{id}/tasks/{taskId}`.
    pub async fn delete_task(
        &self,
        contact_id: &str,
        task_id: &str,
    ) -> Result<Reply<bool>, GhlError> {
        let call = child_call(Method::DELETE, contact_id, "task", task_id, &[])?;
        Ok(self.send::<Deleted>(call).await?.map(|d| d.succeded))
    }

    /// `GET /contacts/{id}/notes`.
    pub async fn notes(&self, contact_id: &str) -> Result<Reply<Vec<Note>>, GhlError> {
        check_id("contact", contact_id)?;
        let call = Call::new(Method::GET, &["contacts", contact_id, "notes"]);
        Ok(self.send::<NotesBody>(call).await?.map(|b| b.notes))
    }

    /// `GET /contacts/{id}/notes/{noteId}`.
    pub async fn note(&self, contact_id: &str, note_id: &str) -> Result<Reply<Note>, GhlError> {
        let call = child_call(Method::GET, contact_id, "note", note_id, &[])?;
        Ok(self.send::<NoteBody>(call).await?.map(|b| b.note))
    }

    /// `POST /contacts/{id}/notes`.
    pub async fn create_note(
        &self,
        contact_id: &str,
        note: &NoteInput,
    ) -> Result<Reply<Note>, GhlError> {
        check_id("contact", contact_id)?;
        if note.body.trim().is_empty() {
            return Err(GhlError::Invalid("a note needs a body".into()));
        }
        let call = Call::new(Method::POST, &["contacts", contact_id, "notes"]).body(to_json(note)?);
        Ok(self.send::<NoteBody>(call).await?.map(|b| b.note))
    }

    /// `PUT /contacts/{id}/notes/{noteId}`.
    pub async fn update_note(
        &self,
        contact_id: &str,
        note_id: &str,
        note: &NoteInput,
    ) -> Result<Reply<Note>, GhlError> {
        let call = child_call(Method::PUT, contact_id, "note", note_id, &[])?.body(to_json(note)?);
        Ok(self.send::<NoteBody>(call).await?.map(|b| b.note))
    }

    /// `DELETE /contacts/{id}/notes/{noteId}`.
    pub async fn delete_note(
        &self,
        contact_id: &str,
        note_id: &str,
    ) -> Result<Reply<bool>, GhlError> {
        let call = child_call(Method::DELETE, contact_id, "note", note_id, &[])?;
        Ok(self.send::<Deleted>(call).await?.map(|d| d.succeded))
    }

    /// `POST /contacts/{id}/tags`: adds tags, keeping the others (C20). Returns the tag list.
    pub async fn add_tags(
        &self,
        contact_id: &str,
        tags: &[String],
    ) -> Result<Reply<Vec<String>>, GhlError> {
        check_id("contact", contact_id)?;
        check_tags(tags)?;
        let call = Call::new(Method::POST, &["contacts", contact_id, "tags"])
            .body(json!({ "tags": tags }))
            .retry_safe();
        Ok(self.send::<TagsBody>(call).await?.map(|b| b.tags))
    }

    /// `DELETE /contacts/{id}/tags` with a JSON body: removes tags (C20). Returns the tag list.
    pub async fn remove_tags(
        &self,
        contact_id: &str,
        tags: &[String],
    ) -> Result<Reply<Vec<String>>, GhlError> {
        check_id("contact", contact_id)?;
        check_tags(tags)?;
        let call = Call::new(Method::DELETE, &["contacts", contact_id, "tags"])
            .body(json!({ "tags": tags }));
        Ok(self.send::<TagsBody>(call).await?.map(|b| b.tags))
    }

    /// `GET /contacts/{id}/appointments`.
    pub async fn appointments(
        &self,
        contact_id: &str,
    ) -> Result<Reply<Vec<Appointment>>, GhlError> {
        check_id("contact", contact_id)?;
        let call = Call::new(Method::GET, &["contacts", contact_id, "appointments"]);
        Ok(self.send::<EventsBody>(call).await?.map(|b| b.events))
    }
}

fn check_tags(tags: &[String]) -> Result<(), GhlError> {
    if tags.is_empty() || tags.iter().any(|t| t.trim().is_empty()) {
        return Err(GhlError::Invalid("tags must be given and not empty".into()));
    }
    Ok(())
}

/// Whether a failed create could still have stored the record.
fn could_have_saved(error: &GhlError) -> bool {
    matches!(
        error,
        GhlError::Unprocessable { .. }
            | GhlError::Server { .. }
            | GhlError::Timeout(_)
            | GhlError::Network(_)
            | GhlError::Decode { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_without_its_list_is_an_error_not_an_empty_list() {
        assert!(serde_json::from_str::<TasksBody>("{}").is_err());
        assert!(serde_json::from_str::<NotesBody>(r#"{"contacts":[]}"#).is_err());
        assert!(serde_json::from_str::<MaybeContactBody>("{}").is_err());
        let none: TasksBody = serde_json::from_str(r#"{"tasks":null}"#).unwrap();
        assert!(none.tasks.is_empty());
        let none: MaybeContactBody = serde_json::from_str(r#"{"contact":null}"#).unwrap();
        assert!(none.contact.is_none());
        assert!(serde_json::from_str::<SearchPage>(r#"{"total":3}"#).is_err());
        assert!(serde_json::from_str::<ListPage>(r#"{"meta":{}}"#).is_err());
    }
}
