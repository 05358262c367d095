//! From GHL's records to Rankr's rows, and finding the Rankr record a GHL contact belongs to:
//! by GHL id, then by email ignoring case (C07), then by E.164 phone (C06). A match that is
//! ambiguous or points at a record already linked to another GHL contact is a conflict: logged,
//! never merged.

use rand::Rng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::phone;
use crate::ghl::models::{Contact, Note, Task, parse_date};
use crate::rankr::{
    Level, LogEntry, RankrError, RankrStore, StoredContact, StoredNote, StoredTask,
};

/// A GHL contact mapped to Rankr's fields, before it is matched to a Rankr record.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The row, with an empty `rankr_id`.
    pub row: StoredContact,
    /// Why the phone has no E.164 form, if it has none.
    pub phone_problem: Option<String>,
}

/// Maps a GHL contact; `default_country` reads phones without a country code.
pub fn map_contact(contact: &Contact, location_id: &str, default_country: Option<&str>) -> Mapped {
    let email = contact.email.clone().filter(|e| !e.trim().is_empty());
    let phone = contact.phone.clone().filter(|p| !p.trim().is_empty());
    let (phone_e164, phone_problem) =
        match phone.as_deref().map(|p| phone::to_e164(p, default_country)) {
            Some(Ok(e164)) => (Some(e164), None),
            Some(Err(e)) => (None, Some(e.to_string())),
            None => (None, None),
        };
    let mut tags: Vec<String> = contact.tags.iter().map(|t| t.trim().to_string()).collect();
    tags.sort();
    tags.dedup();
    let mut fields: Vec<Value> = contact
        .custom_fields
        .iter()
        .map(|f| json!({"id": f.id, "value": f.value}))
        .collect();
    fields.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut row = StoredContact {
        ghl_id: Some(contact.id.clone()),
        location_id: contact
            .location_id
            .clone()
            .unwrap_or_else(|| location_id.to_string()),
        name: Some(contact.display_name()).filter(|n| !n.is_empty()),
        email_lower: email.as_deref().map(|e| e.trim().to_lowercase()),
        email,
        phone,
        phone_e164,
        contact_type: contact.contact_type.clone(),
        dnd: contact.dnd.unwrap_or(false),
        dnd_settings: contact.dnd_settings.clone().map(Value::Object),
        tags,
        custom_fields: Value::Array(fields),
        date_updated: contact.date_updated.as_deref().map(normal_date),
        ..StoredContact::default()
    };
    row.content_hash = contact_hash(&row);
    Mapped { row, phone_problem }
}

/// Writes a date the way the store compares them: RFC 3339 UTC with milliseconds.
pub fn normal_date(text: &str) -> String {
    parse_date(text).map_or_else(
        || text.to_string(),
        |d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )
}

/// The hash of what Rankr keeps of a contact.
pub fn contact_hash(c: &StoredContact) -> String {
    hash(&json!([
        c.ghl_id,
        c.location_id,
        c.name,
        c.email,
        c.phone,
        c.phone_e164,
        c.contact_type,
        c.dnd,
        c.dnd_settings,
        c.tags,
        c.custom_fields
    ]))
}

/// Maps a GHL task of `contact_id`.
pub fn map_task(task: &Task, contact_id: &str) -> StoredTask {
    let mut row = StoredTask {
        id: task.id.clone(),
        contact_id: task
            .contact_id
            .clone()
            .unwrap_or_else(|| contact_id.to_string()),
        title: task.title.clone(),
        body: task.body.clone(),
        due_date: task.due_date.as_deref().map(normal_date),
        completed: task.completed,
        assigned_to: task.assigned_to.clone(),
        content_hash: String::new(),
    };
    row.content_hash = hash(&json!([
        row.contact_id,
        row.title,
        row.body,
        row.due_date,
        row.completed,
        row.assigned_to
    ]));
    row
}

/// Maps a GHL note of `contact_id`.
pub fn map_note(note: &Note, contact_id: &str) -> StoredNote {
    let mut row = StoredNote {
        id: note.id.clone(),
        contact_id: note
            .contact_id
            .clone()
            .unwrap_or_else(|| contact_id.to_string()),
        body: note.body.clone(),
        pinned: note.pinned,
        date_added: note.date_added.as_deref().map(normal_date),
        user_id: note.user_id.clone(),
        content_hash: String::new(),
    };
    row.content_hash = hash(&json!([
        row.contact_id,
        row.body,
        row.pinned,
        row.date_added,
        row.user_id
    ]));
    row
}

fn hash(value: &Value) -> String {
    hex(&Sha256::digest(value.to_string().as_bytes()))
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// A fresh Rankr id: `rk_` and 20 letters and digits.
pub fn new_rankr_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("rk_{tail}")
}

/// The Rankr record a GHL contact belongs to, and the log lines the matching produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolution {
    /// The existing record, if one matched.
    pub existing: Option<StoredContact>,
    /// Conflicts and links, to log.
    pub log: Vec<LogEntry>,
}

/// Finds the Rankr record for `mapped`: by GHL id, else an unlinked record with the same
/// email (ignoring case), else one with the same E.164 phone. `claimed` are Rankr ids already
/// linked earlier in the same page.
pub fn resolve(
    store: &dyn RankrStore,
    mapped: &Mapped,
    claimed: &[String],
) -> Result<Resolution, RankrError> {
    let ghl_id = mapped.row.ghl_id.as_deref().unwrap_or_default();
    if let Some(found) = store.contact_by_ghl_id(ghl_id)? {
        return Ok(Resolution {
            existing: Some(found),
            log: Vec::new(),
        });
    }
    let mut resolution = Resolution::default();
    let by_email = match mapped.row.email_lower.as_deref() {
        Some(email) => candidates(
            store.contacts_by_email(email)?,
            ghl_id,
            "email",
            email,
            claimed,
            &mut resolution.log,
        ),
        None => None,
    };
    let by_phone = match mapped.row.phone_e164.as_deref() {
        Some(e164) => candidates(
            store.contacts_by_phone(e164)?,
            ghl_id,
            "phone",
            e164,
            claimed,
            &mut resolution.log,
        ),
        None => None,
    };
    resolution.existing = pick(by_email, by_phone, ghl_id, &mut resolution.log);
    Ok(resolution)
}

/// Links by email first, then by phone; logs the link, and a conflict when they disagree.
fn pick(
    by_email: Option<StoredContact>,
    by_phone: Option<StoredContact>,
    ghl_id: &str,
    log: &mut Vec<LogEntry>,
) -> Option<StoredContact> {
    if let (Some(email), Some(phone)) = (&by_email, &by_phone)
        && email.rankr_id != phone.rankr_id
    {
        log.push(
            LogEntry::new(Level::Warn, "contact", Some(ghl_id), "conflict").message(format!(
                "email matches Rankr {} but phone matches Rankr {}; linked by email",
                email.rankr_id, phone.rankr_id
            )),
        );
    }
    let (found, how) = match (by_email, by_phone) {
        (Some(found), _) => (Some(found), "email"),
        (None, Some(found)) => (Some(found), "phone"),
        (None, None) => (None, ""),
    };
    if let Some(found) = &found {
        log.push(
            LogEntry::new(Level::Info, "contact", Some(ghl_id), "linked")
                .message(format!("linked to Rankr {} by {how}", found.rankr_id)),
        );
    }
    found
}

/// The one unlinked record among `found`; conflicts are logged and give none.
fn candidates(
    found: Vec<StoredContact>,
    ghl_id: &str,
    key: &str,
    value: &str,
    claimed: &[String],
    log: &mut Vec<LogEntry>,
) -> Option<StoredContact> {
    let (linkable, taken): (Vec<_>, Vec<_>) = found
        .into_iter()
        .filter(|c| !c.tombstone)
        .partition(|c| c.ghl_id.is_none() && !claimed.contains(&c.rankr_id));
    for other in &taken {
        let owner = other
            .ghl_id
            .as_deref()
            .unwrap_or("another contact in this page");
        log.push(
            LogEntry::new(Level::Warn, "contact", Some(ghl_id), "conflict").message(format!(
                "{key} {value} is also on GHL contact {owner} (Rankr {}); not merged",
                other.rankr_id
            )),
        );
    }
    match linkable.len() {
        0 => None,
        1 => linkable.into_iter().next(),
        n => {
            log.push(
                LogEntry::new(Level::Warn, "contact", Some(ghl_id), "conflict").message(format!(
                    "{key} {value} matches {n} unlinked Rankr records; none linked"
                )),
            );
            None
        }
    }
}
