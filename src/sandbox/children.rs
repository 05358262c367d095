//! Tasks and notes: records that hang off a contact. Writing one also moves the contact's
//! `dateUpdated`.

use super::store::{Data, Record, SandboxStore, format_ms};
use crate::ghl::models::{Note, Task};

/// A record kept in a list on a contact.
pub(crate) trait Child: Clone {
    /// The key of one in an answer's JSON: `task`, `note`.
    const KEY: &'static str;
    /// What a 404 says is not there: `Task`, `Note`.
    const NOUN: &'static str;
    /// Its id.
    fn id(&self) -> &str;
    /// Fills what the server owns: id, contact id, and (for notes) the creation date.
    fn prepare(&mut self, id: String, contact_id: &str, now: i64);
    /// The contact's list of this kind.
    fn list(record: &Record) -> &Vec<Self>;
    /// The contact's list of this kind, to change.
    fn list_mut(record: &mut Record) -> &mut Vec<Self>;
}

impl Child for Task {
    const KEY: &'static str = "task";
    const NOUN: &'static str = "Task";

    fn id(&self) -> &str {
        &self.id
    }

    fn prepare(&mut self, id: String, contact_id: &str, _now: i64) {
        if self.id.is_empty() {
            self.id = id;
        }
        self.contact_id = Some(contact_id.to_string());
    }

    fn list(record: &Record) -> &Vec<Self> {
        &record.tasks
    }

    fn list_mut(record: &mut Record) -> &mut Vec<Self> {
        &mut record.tasks
    }
}

impl Child for Note {
    const KEY: &'static str = "note";
    const NOUN: &'static str = "Note";

    fn id(&self) -> &str {
        &self.id
    }

    fn prepare(&mut self, id: String, contact_id: &str, now: i64) {
        if self.id.is_empty() {
            self.id = id;
        }
        self.contact_id = Some(contact_id.to_string());
        self.date_added.get_or_insert_with(|| format_ms(now));
    }

    fn list(record: &Record) -> &Vec<Self> {
        &record.notes
    }

    fn list_mut(record: &mut Record) -> &mut Vec<Self> {
        &mut record.notes
    }
}

impl Data {
    /// One child of a contact.
    pub(crate) fn child<C: Child>(&mut self, contact_id: &str, child_id: &str) -> Option<&C> {
        C::list(self.full(contact_id)?)
            .iter()
            .find(|c| c.id() == child_id)
    }

    /// Adds a child to a contact; `None` if there is no such contact.
    pub(crate) fn add_child<C: Child>(&mut self, contact_id: &str, mut child: C) -> Option<C> {
        self.get(contact_id)?;
        let id = self.new_id();
        let now = self.tick();
        child.prepare(id, contact_id, now);
        self.modify(contact_id, |r| {
            C::list_mut(r).push(child.clone());
            child
        })
    }

    /// Changes a child in place; `None` if there is no such contact or child.
    pub(crate) fn change_child<C: Child>(
        &mut self,
        contact_id: &str,
        child_id: &str,
        change: impl FnOnce(&mut C),
    ) -> Option<C> {
        self.child::<C>(contact_id, child_id)?;
        self.modify(contact_id, |r| {
            let child = C::list_mut(r).iter_mut().find(|c| c.id() == child_id)?;
            change(child);
            Some(child.clone())
        })?
    }

    /// Removes a child; `false` if there is no such contact or child.
    pub(crate) fn drop_child<C: Child>(&mut self, contact_id: &str, child_id: &str) -> bool {
        if self.child::<C>(contact_id, child_id).is_none() {
            return false;
        }
        self.modify(contact_id, |r| {
            C::list_mut(r).retain(|c| c.id() != child_id);
        })
        .is_some()
    }
}

impl SandboxStore {
    /// Adds a task to a contact (a fresh id if its id is empty); `None` if there is no such
    /// contact.
    pub fn insert_task(&self, contact_id: &str, task: Task) -> Option<Task> {
        self.write(|d| d.add_child(contact_id, task))
    }

    /// Changes a task in place; `None` if there is no such contact or task.
    pub fn update_task(
        &self,
        contact_id: &str,
        task_id: &str,
        change: impl FnOnce(&mut Task),
    ) -> Option<Task> {
        self.write(|d| d.change_child(contact_id, task_id, change))
    }

    /// Deletes a task; `false` if there is no such contact or task.
    pub fn delete_task(&self, contact_id: &str, task_id: &str) -> bool {
        self.write(|d| d.drop_child::<Task>(contact_id, task_id))
    }

    /// Adds a note to a contact (a fresh id if its id is empty, `dateAdded` now if unset);
    /// `None` if there is no such contact.
    pub fn insert_note(&self, contact_id: &str, note: Note) -> Option<Note> {
        self.write(|d| d.add_child(contact_id, note))
    }

    /// Changes a note in place; `None` if there is no such contact or note.
    pub fn update_note(
        &self,
        contact_id: &str,
        note_id: &str,
        change: impl FnOnce(&mut Note),
    ) -> Option<Note> {
        self.write(|d| d.change_child(contact_id, note_id, change))
    }

    /// Deletes a note; `false` if there is no such contact or note.
    pub fn delete_note(&self, contact_id: &str, note_id: &str) -> bool {
        self.write(|d| d.drop_child::<Note>(contact_id, note_id))
    }
}
