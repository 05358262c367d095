//! The worker's writes: tasks, notes, tags, and saving files.

use std::collections::HashSet;

use crate::ghl::{GhlError, Reply};

use super::Shared;
use super::messages::{Command, Event, Resource};
use super::run::failed;

/// Runs one write command and reports how it went.
pub(super) async fn write(shared: Shared, command: Command) {
    let _busy = shared.busy();
    let client = &shared.client;
    match command {
        Command::CompleteTask {
            contact_id,
            task_id,
            completed,
        } => match client.complete_task(&contact_id, &task_id, completed).await {
            Ok(reply) => shared.send(Event::Completed {
                contact_id,
                task_id,
                completed,
                exchange_id: reply.exchange.id,
            }),
            // Answered 2xx, unreadable: done all the same; the list is reloaded.
            Err(error) if error.was_applied() => shared.send(Event::Written {
                contact_id,
                resource: Resource::Tasks,
                message: if completed {
                    "Task completed.".into()
                } else {
                    "Task reopened.".into()
                },
                exchange_id: 0,
                unread: Some(format!("GHL's answer could not be read ({error})")),
            }),
            Err(error) => failed(&shared, "Completing the task", &error),
        },
        Command::CreateTask { contact_id, task } => {
            let before = ids_before(client.tasks(&contact_id).await.map(|r| r.value));
            let result = client.create_task(&contact_id, &task).await;
            let words = ("Task created", "Adding the task");
            if let Err(error) = &result
                && let Some(id) =
                    task_saved_after_all(&shared, &contact_id, &task, before.as_ref(), error).await
            {
                return saved_after_all(&shared, contact_id, Resource::Tasks, words.0, error, &id);
            }
            written(&shared, contact_id, Resource::Tasks, words, result);
        }
        Command::UpdateTask {
            contact_id,
            task_id,
            update,
        } => {
            let result = client.update_task(&contact_id, &task_id, &update).await;
            let words = ("Task saved", "Saving the task");
            written(&shared, contact_id, Resource::Tasks, words, result);
        }
        Command::DeleteTask {
            contact_id,
            task_id,
        } => {
            let result = client.delete_task(&contact_id, &task_id).await;
            let words = ("Task deleted", "Deleting the task");
            written(&shared, contact_id, Resource::Tasks, words, result);
        }
        Command::UpdateContact { contact_id, update } => {
            match client.update_contact(&contact_id, &update).await {
                Ok(reply) => shared.send(Event::ContactUpdated {
                    contact_id,
                    contact: Box::new(reply.value.contact),
                    not_applied: reply.value.not_applied,
                    exchange_id: reply.exchange.id,
                }),
                Err(error) if error.was_applied() => shared.send(Event::Written {
                    contact_id,
                    resource: Resource::Contact,
                    message: "Contact saved.".into(),
                    exchange_id: 0,
                    unread: Some(format!("GHL's answer could not be read ({error})")),
                }),
                Err(error) => report_failure(
                    &shared,
                    contact_id,
                    Resource::Contact,
                    "Saving the contact",
                    &error,
                ),
            }
        }
        other => write_more(&shared, other).await,
    }
}

async fn write_more(shared: &Shared, command: Command) {
    let client = &shared.client;
    match command {
        Command::CreateNote { contact_id, note } => {
            let before = ids_before(client.notes(&contact_id).await.map(|r| r.value));
            let sent_at = chrono::Utc::now();
            let result = client.create_note(&contact_id, &note).await;
            let words = ("Note added", "Adding the note");
            if let Err(error) = &result
                && let Some(id) = note_saved_after_all(
                    shared,
                    &contact_id,
                    &note,
                    before.as_ref(),
                    sent_at,
                    error,
                )
                .await
            {
                return saved_after_all(shared, contact_id, Resource::Notes, words.0, error, &id);
            }
            written(shared, contact_id, Resource::Notes, words, result);
        }
        Command::UpdateNote {
            contact_id,
            note_id,
            note,
        } => {
            let result = client.update_note(&contact_id, &note_id, &note).await;
            let words = ("Note saved", "Saving the note");
            written(shared, contact_id, Resource::Notes, words, result);
        }
        Command::DeleteNote {
            contact_id,
            note_id,
        } => {
            let result = client.delete_note(&contact_id, &note_id).await;
            let words = ("Note deleted", "Deleting the note");
            written(shared, contact_id, Resource::Notes, words, result);
        }
        Command::ChangeTags {
            contact_ids,
            tags,
            add,
        } => change_tags(shared, contact_ids, tags, add).await,
        Command::SaveFile { path, contents } => {
            let saved = tokio::task::spawn_blocking(move || save_new(&path, &contents)).await;
            match saved {
                Ok(Ok(path)) => shared.send(Event::Saved { path }),
                Ok(Err((path, error))) => shared.send(Event::Failed {
                    what: format!("Saving {}", path.display()),
                    error: error.to_string(),
                }),
                Err(error) => shared.send(Event::Failed {
                    what: "Saving the exchange".into(),
                    error: error.to_string(),
                }),
            }
        }
        // Listing, loads and task writes are handled before this point.
        Command::Search { .. }
        | Command::NextPage { .. }
        | Command::Load { .. }
        | Command::CompleteTask { .. }
        | Command::CreateTask { .. }
        | Command::UpdateContact { .. }
        | Command::UpdateTask { .. }
        | Command::DeleteTask { .. }
        | Command::Sync { .. }
        | Command::CancelSync
        | Command::SyncLog { .. }
        | Command::Locations
        | Command::LoadDirectory
        | Command::SwitchLocation { .. } => {}
    }
}

/// Reports a write: `words` are what is said when it worked ("Note added") and what was
/// being done when it failed ("Adding the note").
fn written<T>(
    shared: &Shared,
    contact_id: String,
    resource: Resource,
    (done, doing): (&str, &str),
    result: Result<Reply<T>, GhlError>,
) {
    match result {
        Ok(reply) => shared.send(Event::Written {
            contact_id,
            resource,
            message: format!("{done}."),
            exchange_id: reply.exchange.id,
            unread: None,
        }),
        // A 2xx whose body cannot be read was saved: saying it failed would invite sending
        // it again (a second task, a second note).
        Err(error) if error.was_applied() => shared.send(Event::Written {
            contact_id,
            resource,
            message: format!("{done}."),
            exchange_id: 0,
            unread: Some(format!("GHL's answer could not be read ({error})")),
        }),
        Err(error) => report_failure(shared, contact_id, resource, doing, &error),
    }
}

/// Whether a create failed in a way that leaves it unknown whether GHL stored it: the answer
/// was lost (a dropped connection, a timeout), came back a server error, or could not be read.
/// Such a create is looked for before it is called failed, so that the operator is never
/// invited to send a second copy (C01).
fn answer_lost(error: &GhlError) -> bool {
    matches!(
        error,
        GhlError::Network(_)
            | GhlError::Timeout(_)
            | GhlError::Server { .. }
            | GhlError::Decode { .. }
    ) && !error.was_applied()
}

/// The ids of a contact's tasks or notes read just before a create, so that a create whose
/// answer is lost is told from an earlier record with the same text: an operator logs "Called,
/// no answer" twice in an afternoon. `None` when they could not be read.
fn ids_before<T: HasId>(listed: Result<Vec<T>, GhlError>) -> Option<HashSet<String>> {
    listed
        .ok()
        .map(|records| records.iter().map(|r| r.id().to_string()).collect())
}

/// A record with an id.
trait HasId {
    fn id(&self) -> &str;
}

impl HasId for crate::ghl::models::Task {
    fn id(&self) -> &str {
        &self.id
    }
}

impl HasId for crate::ghl::models::Note {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The id of a task of the contact that is the one just sent (title, body and due time) and
/// was not there before it was sent, when the create's answer was lost. Without the ids from
/// before, no task can be told to be the new one (tasks carry no creation time), so none is.
async fn task_saved_after_all(
    shared: &Shared,
    contact_id: &str,
    sent: &crate::ghl::models::NewTask,
    before: Option<&HashSet<String>>,
    error: &GhlError,
) -> Option<String> {
    use crate::ghl::models::parse_date;
    if !answer_lost(error) {
        return None;
    }
    let before = before?;
    let tasks = shared.client.tasks(contact_id).await.ok()?.value;
    let due = parse_date(&sent.due_date);
    tasks
        .into_iter()
        .rev()
        .filter(|t| !before.contains(&t.id))
        .find(|t| {
            t.title.as_deref() == Some(sent.title.as_str())
                && t.body.as_deref().unwrap_or_default() == sent.body.as_deref().unwrap_or_default()
                && t.due_date.as_deref().and_then(parse_date) == due
        })
        .map(|t| t.id)
}

/// The id of a note of the contact with the body just sent that was not there before it was
/// sent, when the create's answer was lost. Where the ids from before could not be read, a note
/// added since `sent_at` (give or take a clock's drift) stands in.
async fn note_saved_after_all(
    shared: &Shared,
    contact_id: &str,
    sent: &crate::ghl::models::NoteInput,
    before: Option<&HashSet<String>>,
    sent_at: chrono::DateTime<chrono::Utc>,
    error: &GhlError,
) -> Option<String> {
    use crate::ghl::models::parse_date;
    if !answer_lost(error) {
        return None;
    }
    let since = sent_at - chrono::Duration::minutes(2);
    let notes = shared.client.notes(contact_id).await.ok()?.value;
    notes
        .into_iter()
        .filter(|n| before.is_none_or(|ids| !ids.contains(&n.id)))
        .find(|n| {
            n.body.as_deref() == Some(sent.body.as_str())
                && n.date_added
                    .as_deref()
                    .and_then(parse_date)
                    .is_some_and(|at| at >= since)
        })
        .map(|n| n.id)
}

/// A create whose answer was lost but which GHL holds: done, with a warning; not sent again.
fn saved_after_all(
    shared: &Shared,
    contact_id: String,
    resource: Resource,
    done: &str,
    error: &GhlError,
    id: &str,
) {
    tracing::warn!(%id, status = ?error.status(), "a create's answer was lost; it was saved");
    shared.send(Event::Written {
        contact_id,
        resource,
        message: format!("{done}."),
        exchange_id: 0,
        unread: Some(format!(
            "GHL's answer was lost ({error}), but GHL holds it now as {id}"
        )),
    });
}

/// Tells the console a write failed, with the server's message as it came (C03).
fn report_failure(
    shared: &Shared,
    contact_id: String,
    resource: Resource,
    doing: &str,
    error: &GhlError,
) {
    tracing::warn!(what = doing, status = ?error.status(), trace_id = ?error.trace_id(), "write failed");
    shared.send(Event::WriteFailed {
        contact_id,
        resource,
        what: doing.to_string(),
        error: error.to_string(),
    });
}

/// Adds or removes the same tags on each contact, one request per contact, through the tag
/// endpoints only (a PUT would replace every tag, C20).
async fn change_tags(shared: &Shared, contact_ids: Vec<String>, tags: Vec<String>, add: bool) {
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    for id in contact_ids {
        let result = if add {
            shared.client.add_tags(&id, &tags).await
        } else {
            shared.client.remove_tags(&id, &tags).await
        };
        match result {
            Ok(_) => succeeded.push(id),
            Err(error) if error.was_applied() => succeeded.push(id),
            Err(error) => failed.push((id, error.to_string())),
        }
    }
    shared.send(Event::Tagged {
        add,
        tags,
        succeeded,
        failed,
    });
}

/// Writes `contents` to a new file (mode 0600: bodies hold personal data), never replacing
/// one: when `path` is taken, `-2`, `-3`, ... is added before the extension. Its directory is
/// made (or narrowed to) 0700, so the files' names and count are the owner's alone too.
fn save_new(
    path: &std::path::Path,
    contents: &str,
) -> Result<std::path::PathBuf, (std::path::PathBuf, std::io::Error)> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        crate::config::private_dir(dir).map_err(|e| (path.to_path_buf(), e))?;
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 1..1000 {
        let candidate = if n == 1 {
            path.to_path_buf()
        } else {
            path.with_file_name(format!("{stem}-{n}.json"))
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&candidate) {
            Ok(mut file) => {
                return file
                    .write_all(contents.as_bytes())
                    .map(|()| candidate.clone())
                    .map_err(|e| (candidate, e));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err((candidate, e)),
        }
    }
    Err((
        path.to_path_buf(),
        std::io::Error::other("too many files of that name"),
    ))
}

#[cfg(test)]
mod save_tests {
    use super::save_new;

    #[test]
    fn saving_never_replaces_a_file_and_keeps_it_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exchanges/ghl-exchange-1.json");
        let first = save_new(&path, "one").unwrap();
        let second = save_new(&path, "two").unwrap();
        assert_ne!(first, second);
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&second).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_exchanges_directory_is_made_and_kept_the_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("share/exchanges");
        save_new(&dir.join("ghl-exchange-1.json"), "one").unwrap();
        assert_eq!(mode(&dir), 0o700, "a new directory");

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        save_new(&dir.join("ghl-exchange-2.json"), "two").unwrap();
        assert_eq!(mode(&dir), 0o700, "one made open before is narrowed");
    }
}
