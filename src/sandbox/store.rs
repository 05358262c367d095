//! The in-memory data of a sandbox: contacts with their tasks, notes and appointments, kept in
//! per-location indexes ordered by `(dateAdded, id)` and `(dateUpdated, id)`.
//!
//! Every write moves the contact's `dateUpdated` by a monotonic clock: never backwards, and at
//! least one millisecond past the previous write, so `dateUpdated` is strictly increasing even
//! for many writes within one millisecond (the clock then runs slightly ahead of wall time).

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::seed;
use crate::ghl::models::{Appointment, Contact, Note, Task, parse_date};

/// A handle on the data of one sandbox, shared with its server. Clones share the data. Writes
/// made here behave like writes over HTTP: they move `dateUpdated` the same way.
#[derive(Clone)]
pub struct SandboxStore {
    shared: Arc<Mutex<Data>>,
}

impl std::fmt::Debug for SandboxStore {
    /// Shows the size, not the data (which can be 100,000 contacts).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let contacts = self.read(|d| d.records.len());
        f.debug_struct("SandboxStore")
            .field("contacts", &contacts)
            .finish_non_exhaustive()
    }
}

/// Why a direct write to the store was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A contact with this id already exists.
    #[error("a contact with id {0} already exists")]
    IdTaken(String),
}

/// Which date a listing is ordered by; ties are always broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateField {
    Added,
    Updated,
}

/// One contact and everything hanging off it. Seeded contacts get their tasks, notes and
/// appointments on first use (see [`Data::full`]), which keeps a large seed quick.
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    pub(crate) contact: Contact,
    pub(crate) added: i64,
    pub(crate) updated: i64,
    pub(crate) tasks: Vec<Task>,
    pub(crate) notes: Vec<Note>,
    pub(crate) appointments: Vec<Appointment>,
    /// The seed of children not generated yet.
    pub(crate) pending: Option<seed::PendingChildren>,
}

impl Record {
    /// The contact as the API shows it: with the lower-case search fields GHL derives.
    pub(crate) fn shown(&self) -> Contact {
        let mut contact = self.contact.clone();
        let lower = |s: &Option<String>| {
            s.as_deref()
                .map(str::to_lowercase)
                .filter(|s| !s.is_empty())
        };
        let full = [lower(&contact.first_name), lower(&contact.last_name)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let derived = [
            ("emailLowerCase", lower(&contact.email)),
            ("firstNameLowerCase", lower(&contact.first_name)),
            ("lastNameLowerCase", lower(&contact.last_name)),
            ("fullNameLowerCase", Some(full).filter(|s| !s.is_empty())),
        ];
        for (key, value) in derived {
            if let Some(value) = value {
                contact.extra.insert(key.to_string(), Value::String(value));
            }
        }
        contact
    }

    /// The contact as the API answers it, in JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::to_value(self.shown()).unwrap_or(Value::Null)
    }

    /// The millisecond timestamp of one of the record's dates.
    pub(crate) fn date(&self, field: DateField) -> i64 {
        match field {
            DateField::Added => self.added,
            DateField::Updated => self.updated,
        }
    }
}

#[derive(Debug, Default)]
struct LocationIndex {
    by_added: BTreeSet<(i64, String)>,
    by_updated: BTreeSet<(i64, String)>,
}

impl LocationIndex {
    fn of(&self, field: DateField) -> &BTreeSet<(i64, String)> {
        match field {
            DateField::Added => &self.by_added,
            DateField::Updated => &self.by_updated,
        }
    }
}

/// All records, their indexes, the clock and the id generator.
#[derive(Debug)]
pub(crate) struct Data {
    records: HashMap<String, Record>,
    locations: HashMap<String, LocationIndex>,
    last_tick: i64,
    ids: StdRng,
}

impl Data {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            records: HashMap::new(),
            locations: HashMap::new(),
            last_tick: 0,
            ids: StdRng::seed_from_u64(seed ^ 0x5A4D_B0C5_1D5E_ED00),
        }
    }

    /// Makes a location known, so it lists as empty rather than unknown.
    pub(crate) fn add_location(&mut self, location_id: &str) {
        self.locations.entry(location_id.to_string()).or_default();
    }

    /// The next write time in epoch milliseconds: now, or one past the last write.
    pub(crate) fn tick(&mut self) -> i64 {
        let now = chrono::Utc::now().timestamp_millis();
        self.last_tick = now.max(self.last_tick + 1);
        self.last_tick
    }

    /// A fresh 20-character id like GHL's.
    pub(crate) fn new_id(&mut self) -> String {
        random_id(&mut self.ids)
    }

    /// Adds a fully formed record (dates already set in `added` and `updated`).
    pub(crate) fn insert(&mut self, mut record: Record) -> Result<&Record, StoreError> {
        let id = record.contact.id.clone();
        if self.records.contains_key(&id) {
            return Err(StoreError::IdTaken(id));
        }
        self.last_tick = self.last_tick.max(record.updated);
        stamp(&mut record);
        let location = record.contact.location_id.clone().unwrap_or_default();
        let index = self.locations.entry(location).or_default();
        index.by_added.insert((record.added, id.clone()));
        index.by_updated.insert((record.updated, id.clone()));
        Ok(self.records.entry(id).or_insert(record))
    }

    /// A record by id, whatever its location.
    pub(crate) fn get(&self, id: &str) -> Option<&Record> {
        self.records.get(id)
    }

    /// A record by id with its children generated, whatever its location.
    pub(crate) fn full(&mut self, id: &str) -> Option<&Record> {
        let record = self.records.get_mut(id)?;
        seed::grow_children(record);
        Some(record)
    }

    /// A record by id with its children generated, only if it lives in `location_id`.
    pub(crate) fn full_in(&mut self, location_id: &str, id: &str) -> Option<&Record> {
        self.get_in(location_id, id)?;
        self.full(id)
    }

    /// Reserves room for this many more records.
    pub(crate) fn reserve(&mut self, more: usize) {
        self.records.reserve(more);
    }

    /// A record by id, only if it lives in `location_id`.
    pub(crate) fn get_in(&self, location_id: &str, id: &str) -> Option<&Record> {
        self.get(id)
            .filter(|r| r.contact.location_id.as_deref() == Some(location_id))
    }

    /// Changes a record, then moves its `dateUpdated` and refreshes its derived fields.
    /// The id and location of the contact cannot be changed; its `dateAdded` can.
    pub(crate) fn modify<T>(
        &mut self,
        id: &str,
        change: impl FnOnce(&mut Record) -> T,
    ) -> Option<T> {
        let now = self.tick();
        let record = self.records.get_mut(id)?;
        seed::grow_children(record);
        let (old_added, old_updated) = (record.added, record.updated);
        let location = record.contact.location_id.clone();
        let out = change(record);
        record.contact.id = id.to_string();
        record.contact.location_id.clone_from(&location);
        record.added = record
            .contact
            .date_added
            .as_deref()
            .and_then(parse_ms)
            .unwrap_or(old_added);
        record.updated = now;
        stamp(record);
        let added = record.added;
        let index = self
            .locations
            .entry(location.unwrap_or_default())
            .or_default();
        index.by_added.remove(&(old_added, id.to_string()));
        index.by_added.insert((added, id.to_string()));
        index.by_updated.remove(&(old_updated, id.to_string()));
        index.by_updated.insert((now, id.to_string()));
        Some(out)
    }

    /// Takes a record out.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Record> {
        let record = self.records.remove(id)?;
        let location = record.contact.location_id.clone().unwrap_or_default();
        if let Some(index) = self.locations.get_mut(&location) {
            index.by_added.remove(&(record.added, id.to_string()));
            index.by_updated.remove(&(record.updated, id.to_string()));
        }
        Some(record)
    }

    /// How many contacts a location holds.
    pub(crate) fn count(&self, location_id: &str) -> usize {
        self.locations
            .get(location_id)
            .map_or(0, |index| index.by_added.len())
    }

    /// How many records of a location sort at or before `key` in `(date, id)` order.
    pub(crate) fn rank(&self, location_id: &str, field: DateField, key: &(i64, String)) -> usize {
        self.locations
            .get(location_id)
            .map_or(0, |index| index.of(field).range(..=key).count())
    }

    /// The records of a location in `(date, id)` order, strictly after (or, descending,
    /// strictly before) `after` when given.
    pub(crate) fn ordered<'a>(
        &'a self,
        location_id: &str,
        field: DateField,
        descending: bool,
        after: Option<(i64, String)>,
    ) -> Box<dyn Iterator<Item = &'a Record> + 'a> {
        let Some(index) = self.locations.get(location_id) else {
            return Box::new(std::iter::empty());
        };
        let set = index.of(field);
        let keys: Box<dyn Iterator<Item = &(i64, String)>> = match (after, descending) {
            (None, false) => Box::new(set.iter()),
            (None, true) => Box::new(set.iter().rev()),
            (Some(key), false) => Box::new(set.range((Bound::Excluded(key), Bound::Unbounded))),
            (Some(key), true) => {
                Box::new(set.range((Bound::Unbounded, Bound::Excluded(key))).rev())
            }
        };
        Box::new(keys.filter_map(|(_, id)| self.records.get(id)))
    }

    /// The first contact of a location whose email matches, ignoring case.
    pub(crate) fn find_by_email(&self, location_id: &str, email: &str) -> Option<&Record> {
        let wanted = email.trim().to_lowercase();
        if wanted.is_empty() {
            return None;
        }
        self.ordered(location_id, DateField::Added, false, None)
            .find(|r| {
                r.contact.email.as_deref().map(|e| e.trim().to_lowercase()) == Some(wanted.clone())
            })
    }

    /// The first contact of a location whose phone has the same digits.
    pub(crate) fn find_by_phone(&self, location_id: &str, phone: &str) -> Option<&Record> {
        let wanted = phone_digits(phone);
        if wanted.is_empty() {
            return None;
        }
        self.ordered(location_id, DateField::Added, false, None)
            .find(|r| r.contact.phone.as_deref().map(phone_digits) == Some(wanted.clone()))
    }
}

impl SandboxStore {
    pub(crate) fn from_data(data: Data) -> Self {
        Self {
            shared: Arc::new(Mutex::new(data)),
        }
    }

    /// Runs `read` on the data under the lock.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Data) -> T) -> T {
        read(&self.lock())
    }

    /// Runs `write` on the data under the lock.
    pub(crate) fn write<T>(&self, write: impl FnOnce(&mut Data) -> T) -> T {
        write(&mut self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, Data> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A contact by id, as `GET /contacts/{id}` would show it.
    pub fn contact(&self, id: &str) -> Option<Contact> {
        self.read(|d| d.get(id).map(Record::shown))
    }

    /// Every contact of a location, ordered by `(dateAdded, id)`.
    pub fn contacts(&self, location_id: &str) -> Vec<Contact> {
        self.read(|d| {
            d.ordered(location_id, DateField::Added, false, None)
                .map(Record::shown)
                .collect()
        })
    }

    /// How many contacts a location holds.
    pub fn contact_count(&self, location_id: &str) -> usize {
        self.read(|d| d.count(location_id))
    }

    /// Adds a contact to a location. An empty id gets a fresh one; `dateAdded` and
    /// `dateUpdated` are kept when given as RFC 3339, else set to now.
    pub fn insert_contact(
        &self,
        location_id: &str,
        mut contact: Contact,
    ) -> Result<Contact, StoreError> {
        self.write(|d| {
            if contact.id.is_empty() {
                contact.id = d.new_id();
            }
            let now = d.tick();
            let added = contact
                .date_added
                .as_deref()
                .and_then(parse_ms)
                .unwrap_or(now);
            let updated = contact
                .date_updated
                .as_deref()
                .and_then(parse_ms)
                .unwrap_or(now);
            contact.location_id = Some(location_id.to_string());
            let record = Record {
                contact,
                added,
                updated,
                ..Record::default()
            };
            d.insert(record).map(Record::shown)
        })
    }

    /// Changes a contact in place and moves its `dateUpdated`; `None` if there is no such
    /// contact. Its id and location stay as they were.
    pub fn update_contact(&self, id: &str, change: impl FnOnce(&mut Contact)) -> Option<Contact> {
        self.write(|d| {
            d.modify(id, |r| change(&mut r.contact))?;
            d.get(id).map(Record::shown)
        })
    }

    /// Deletes a contact with its tasks, notes and appointments; `false` if there was none.
    pub fn delete_contact(&self, id: &str) -> bool {
        self.write(|d| d.remove(id).is_some())
    }

    /// The tasks of a contact, or `None` if there is no such contact.
    pub fn tasks(&self, contact_id: &str) -> Option<Vec<Task>> {
        self.write(|d| d.full(contact_id).map(|r| r.tasks.clone()))
    }

    /// The notes of a contact, or `None` if there is no such contact.
    pub fn notes(&self, contact_id: &str) -> Option<Vec<Note>> {
        self.write(|d| d.full(contact_id).map(|r| r.notes.clone()))
    }

    /// The appointments of a contact, or `None` if there is no such contact.
    pub fn appointments(&self, contact_id: &str) -> Option<Vec<Appointment>> {
        self.write(|d| d.full(contact_id).map(|r| r.appointments.clone()))
    }
}

/// Writes the record's dates into its contact.
fn stamp(record: &mut Record) {
    record.contact.date_added = Some(format_ms(record.added));
    record.contact.date_updated = Some(format_ms(record.updated));
}

/// Formats epoch milliseconds the way GHL writes dates: `2021-07-02T05:18:26.704Z`.
pub(crate) fn format_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Reads an RFC 3339 date as epoch milliseconds.
pub(crate) fn parse_ms(text: &str) -> Option<i64> {
    parse_date(text).map(|d| d.timestamp_millis())
}

/// The digits of a phone number: what two numbers must share to be the same number.
pub(crate) fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// A random 20-character alphanumeric id.
pub(crate) fn random_id(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
