//! Deterministic demo data: the same seed and count always give the same contacts, tasks,
//! notes and appointments. Each contact draws from its own generator (seeded from the run seed
//! and its index), so contact N is the same whatever the count.
//!
//! Dates run over 2024 and 2025; about 30 contacts share one exact `dateAdded` millisecond
//! (C13). Emails and phones are unique per contact, so duplicate checks match only on purpose.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use super::seed_pools::{
    BUSINESSES, CALENDARS, COLOURS, COMPANIES, CUSTOM_FIELDS, CustomFieldKind, INTERESTS,
    LANGUAGES, NOTE_BODIES, SCRIPTS, SOURCES, TAGS, TASK_TITLES, TIMEZONES, USERS,
};
use super::store::{Data, Record, format_ms, random_id};
use crate::ghl::models::{Appointment, Contact, CustomFieldValue, Note, Task};

/// 2024-01-01T00:00:00Z: where seeded dates begin.
const START_MS: i64 = 1_704_067_200_000;
/// Two years: the span seeded `dateAdded` values cover.
const SPAN_MS: i64 = 2 * 365 * 86_400_000;
/// How many contacts share one `dateAdded` millisecond in a seed of 60 or more (C13).
pub const SAME_MILLISECOND_GROUP: usize = 30;

/// Fills a location with `count` generated contacts, generating them on all cores.
pub(crate) fn seed_location(data: &mut Data, location_id: &str, count: usize, seed: u64) {
    data.add_location(location_id);
    data.reserve(count);
    let plan = Plan::new(count, seed);
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let chunk = count.div_ceil(threads.clamp(1, 8)).max(1);
    let batches: Vec<Vec<Record>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..count)
            .step_by(chunk)
            .map(|start| {
                let indexes = start..(start + chunk).min(count);
                scope.spawn(move || indexes.map(|i| plan.record(location_id, i)).collect())
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_default())
            .collect()
    });
    for mut record in batches.into_iter().flatten() {
        while data.get(&record.contact.id).is_some() {
            record.contact.id = data.new_id();
        }
        data.insert(record).ok();
    }
}

/// Where each seeded contact's `dateAdded` falls: spread evenly over [`SPAN_MS`], except for a
/// group that shares one millisecond.
#[derive(Debug, Clone, Copy)]
struct Plan {
    seed: u64,
    spacing: i64,
    group: (usize, usize),
    shared_added: i64,
}

impl Plan {
    fn new(count: usize, seed: u64) -> Self {
        let group_start = count / 3;
        let mut plan = Self {
            seed,
            spacing: SPAN_MS / i64::try_from(count.max(1)).unwrap_or(i64::MAX),
            group: (
                group_start,
                group_start + SAME_MILLISECOND_GROUP.min(count / 2),
            ),
            shared_added: 0,
        };
        let mut rng = StdRng::seed_from_u64(mix(seed, group_start as u64));
        plan.shared_added = plan.spread(group_start, &mut rng);
        plan
    }

    fn spread(&self, index: usize, rng: &mut StdRng) -> i64 {
        let slot = i64::try_from(index).unwrap_or(i64::MAX);
        START_MS + slot * self.spacing + rng.random_range(0..self.spacing.max(1))
    }

    fn record(&self, location_id: &str, index: usize) -> Record {
        let mut rng = StdRng::seed_from_u64(mix(self.seed, index as u64));
        let mut added = self.spread(index, &mut rng);
        if (self.group.0..self.group.1).contains(&index) {
            added = self.shared_added;
        }
        contact_record(&mut rng, location_id, index, added)
    }
}

/// Mixes the run seed with a contact's index (the `SplitMix64` finaliser).
fn mix(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn contact_record(rng: &mut StdRng, location_id: &str, index: usize, added: i64) -> Record {
    let end = START_MS + SPAN_MS + 30 * 86_400_000;
    let updated = rng.random_range(added..end.max(added + 1));
    let mut contact = person(rng, index);
    contact.id = random_id(rng);
    contact.location_id = Some(location_id.to_string());
    profile(rng, &mut contact);
    contact.custom_fields = custom_values(rng);
    Record {
        contact,
        added,
        updated,
        pending: Some(PendingChildren {
            seed: rng.random(),
            updated,
        }),
        ..Record::default()
    }
}

/// What it takes to generate a seeded contact's tasks, notes and appointments later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PendingChildren {
    seed: u64,
    /// The contact's seeded `dateUpdated`: notes are dated before it.
    updated: i64,
}

/// Generates a seeded contact's tasks, notes and appointments if that is still pending. The
/// result depends only on the seed, not on when it runs.
pub(crate) fn grow_children(record: &mut Record) {
    let Some(pending) = record.pending.take() else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(pending.seed);
    let rng = &mut rng;
    let id = record.contact.id.clone();
    let location_id = record.contact.location_id.clone().unwrap_or_default();
    let added = record.added;
    let tasks: Vec<Task> = (0..rng.random_range(0..=6))
        .map(|_| task(rng, &id))
        .collect();
    let notes: Vec<Note> = (0..rng.random_range(0..=4))
        .map(|_| note(rng, &id, added, pending.updated.max(added)))
        .collect();
    let appointments: Vec<Appointment> = (0..rng.random_range(0..=3))
        .map(|_| appointment(rng, &id, &location_id, added))
        .collect();
    record.tasks.splice(0..0, tasks);
    record.notes.splice(0..0, notes);
    record.appointments.splice(0..0, appointments);
}

/// Name, email and phone.
fn person(rng: &mut StdRng, index: usize) -> Contact {
    let weights: Vec<u32> = SCRIPTS.iter().map(|s| s.weight).collect();
    let total: u32 = weights.iter().sum();
    let mut pick = rng.random_range(0..total);
    let script = SCRIPTS
        .iter()
        .find(|s| {
            let hit = pick < s.weight;
            pick = pick.saturating_sub(s.weight);
            hit
        })
        .unwrap_or(&SCRIPTS[0]);
    let (first, first_ascii) = *script.firsts.choose(rng).unwrap_or(&("Pat", "pat"));
    let (last, last_ascii) = *script.lasts.choose(rng).unwrap_or(&("Lee", "lee"));
    let email = rng.random_bool(0.85).then(|| {
        let domain = ["example.com", "example.org", "example.net", "example.test"]
            .choose(rng)
            .copied()
            .unwrap_or("example.test");
        if rng.random_bool(0.15) {
            format!(
                "{}.{}{index}@{}",
                capital(first_ascii),
                capital(last_ascii),
                capital(domain)
            )
        } else {
            format!("{first_ascii}.{last_ascii}{index}@{domain}")
        }
    });
    let phone = rng.random_bool(0.8).then(|| phone(rng, index));
    let name = if script.family_first {
        format!("{last}{first}")
    } else {
        format!("{first} {last}")
    };
    Contact {
        name: Some(name),
        first_name: Some(first.to_string()),
        last_name: Some(last.to_string()),
        email,
        phone,
        ..Contact::default()
    }
}

fn capital(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A unique E.164 number: the contact's index is part of it.
fn phone(rng: &mut StdRng, index: usize) -> String {
    let (prefix, width) = [
        ("+1555", 7),
        ("+4420", 8),
        ("+4930", 8),
        ("+331", 8),
        ("+813", 8),
        ("+86138", 8),
        ("+9723", 7),
        ("+7495", 7),
    ]
    .choose(rng)
    .copied()
    .unwrap_or(("+1555", 7));
    format!("{prefix}{index:0width$}")
}

/// Company, stage, owner, business, do-not-disturb, tags and the read-only extras.
fn profile(rng: &mut StdRng, contact: &mut Contact) {
    contact.company_name = rng
        .random_bool(0.4)
        .then(|| pick(rng, COMPANIES).to_string());
    let stage = if rng.random_bool(0.7) {
        "lead"
    } else {
        "customer"
    };
    contact.contact_type = Some(stage.to_string());
    contact.source = Some(pick(rng, SOURCES).to_string());
    contact.timezone = Some(pick(rng, TIMEZONES).to_string());
    contact.assigned_to = rng.random_bool(0.6).then(|| pick(rng, USERS).to_string());
    contact.business_id = rng
        .random_bool(0.2)
        .then(|| pick(rng, BUSINESSES).to_string());
    let dnd = rng.random_bool(0.1);
    contact.dnd = Some(dnd);
    contact.dnd_settings = if dnd {
        Some(dnd_all("active"))
    } else if rng.random_bool(0.2) {
        Some(dnd_all("inactive"))
    } else {
        None
    };
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.random_range(0..=4) {
        let tag = pick(rng, TAGS).to_string();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    contact.tags = tags;
    if rng.random_bool(0.1) {
        let alt = contact.email.as_deref().map_or_else(
            || format!("alt{}@example.net", rng.random_range(0..1_000_000)),
            |e| format!("alt.{}", e.to_lowercase()),
        );
        contact
            .extra
            .insert("additionalEmails".into(), json!([alt]));
    }
    if rng.random_bool(0.3) {
        address(rng, &mut contact.extra);
    }
}

fn dnd_all(status: &str) -> Map<String, Value> {
    ["Call", "Email", "SMS", "WhatsApp", "GMB", "FB"]
        .into_iter()
        .map(|channel| {
            (
                channel.to_string(),
                json!({"status": status, "message": "", "code": ""}),
            )
        })
        .collect()
}

fn address(rng: &mut StdRng, extra: &mut Map<String, Value>) {
    let (street, city, postal, country) = *[
        ("3535 1st St N", "Dolomite", "35061", "US"),
        ("10 Downing St", "London", "SW1A 2AA", "GB"),
        ("Unter den Linden 5", "Berlin", "10117", "DE"),
        ("1-1 Chiyoda", "東京", "100-0001", "JP"),
        ("ул. Тверская, 7", "Москва", "125009", "RU"),
    ]
    .choose(rng)
    .unwrap_or(&("1 Main St", "Springfield", "00000", "US"));
    extra.insert("address1".into(), json!(street));
    extra.insert("city".into(), json!(city));
    extra.insert("postalCode".into(), json!(postal));
    extra.insert("country".into(), json!(country));
}

fn custom_values(rng: &mut StdRng) -> Vec<CustomFieldValue> {
    let mut values = Vec::new();
    for def in CUSTOM_FIELDS {
        if !rng.random_bool(0.5) {
            continue;
        }
        let value = match def.kind {
            CustomFieldKind::Text if def.key.ends_with("language") => json!(pick(rng, LANGUAGES)),
            CustomFieldKind::Text => json!(pick(rng, COLOURS)),
            CustomFieldKind::Number => json!(f64::from(rng.random_range(0..5_000_000)) / 100.0),
            CustomFieldKind::List => {
                let n = rng.random_range(1..=3);
                json!(INTERESTS.choose_multiple(rng, n).collect::<Vec<_>>())
            }
        };
        values.push(CustomFieldValue {
            id: def.id.to_string(),
            value,
            ..CustomFieldValue::default()
        });
    }
    values
}

fn task(rng: &mut StdRng, contact_id: &str) -> Task {
    let due_secs = rng.random_range(START_MS / 1000..(START_MS + 5 * 365 * 86_400_000) / 1000);
    Task {
        id: random_id(rng),
        title: Some(pick(rng, TASK_TITLES).to_string()),
        body: rng
            .random_bool(0.6)
            .then(|| "Bring the signed copy.".to_string()),
        assigned_to: rng.random_bool(0.7).then(|| pick(rng, USERS).to_string()),
        due_date: Some(format_ms(due_secs * 1000)),
        completed: rng.random_bool(0.35),
        contact_id: Some(contact_id.to_string()),
        ..Task::default()
    }
}

fn note(rng: &mut StdRng, contact_id: &str, added: i64, updated: i64) -> Note {
    Note {
        id: random_id(rng),
        body: Some(pick(rng, NOTE_BODIES).to_string()),
        title: rng.random_bool(0.5).then(|| "Call summary".to_string()),
        user_id: Some(pick(rng, USERS).to_string()),
        color: rng.random_bool(0.3).then(|| "#FFAA00".to_string()),
        pinned: rng.random_bool(0.2),
        date_added: Some(format_ms(rng.random_range(added..=updated))),
        contact_id: Some(contact_id.to_string()),
        ..Note::default()
    }
}

fn appointment(rng: &mut StdRng, contact_id: &str, location_id: &str, added: i64) -> Appointment {
    let day = (added / 86_400_000 + rng.random_range(1..400)) * 86_400_000;
    let start = day + rng.random_range(16..36) * 1_800_000;
    let clock = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let status = pick(
        rng,
        &["booked", "confirmed", "cancelled", "showed", "noshow"],
    );
    let user = pick(rng, USERS);
    let mut extra = Map::new();
    extra.insert("locationId".into(), json!(location_id));
    extra.insert("groupId".into(), json!("gRpSandbox0000000001"));
    extra.insert("users".into(), json!([user]));
    extra.insert("dateAdded".into(), json!(clock(added)));
    extra.insert("dateUpdated".into(), json!(clock(added)));
    extra.insert("assignedResources".into(), json!([]));
    Appointment {
        id: random_id(rng),
        calendar_id: Some(pick(rng, CALENDARS).to_string()),
        title: Some("Discovery call".to_string()),
        status: Some(status.to_string()),
        appointment_status: Some(status.to_string()),
        start_time: Some(clock(start)),
        end_time: Some(clock(start + 1_800_000)),
        address: Some("https://meet.example.test/sandbox".to_string()),
        notes: rng
            .random_bool(0.4)
            .then(|| "Bring pricing sheet".to_string()),
        assigned_user_id: Some(user.to_string()),
        contact_id: Some(contact_id.to_string()),
        extra,
    }
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::store::DateField;

    fn seeded(count: usize, seed: u64) -> Data {
        let mut data = Data::new(seed);
        seed_location(&mut data, "loc", count, seed);
        data
    }

    #[test]
    fn same_seed_same_data_and_prefix_stable() {
        let ids = |d: &Data| -> Vec<String> {
            d.ordered("loc", DateField::Added, false, None)
                .map(|r| r.contact.id.clone())
                .collect()
        };
        let a = seeded(120, 7);
        assert_eq!(ids(&a), ids(&seeded(120, 7)));
        assert_ne!(ids(&a), ids(&seeded(120, 8)));
        assert_eq!(a.count("loc"), 120);
    }

    #[test]
    fn thirty_contacts_share_one_millisecond() {
        let data = seeded(200, 42);
        let mut counts = std::collections::HashMap::new();
        for record in data.ordered("loc", DateField::Added, false, None) {
            *counts.entry(record.added).or_insert(0) += 1;
        }
        assert_eq!(counts.values().max(), Some(&SAME_MILLISECOND_GROUP));
    }

    #[test]
    fn emails_and_phones_are_unique_and_phones_e164() {
        let data = seeded(500, 1);
        let mut emails = std::collections::HashSet::new();
        let mut phones = std::collections::HashSet::new();
        for record in data.ordered("loc", DateField::Added, false, None) {
            let c = &record.contact;
            if let Some(email) = &c.email {
                assert!(emails.insert(email.to_lowercase()), "{email}");
            }
            if let Some(phone) = &c.phone {
                assert!(phone.starts_with('+') && phone.len() <= 16, "{phone}");
                assert!(phones.insert(phone.clone()), "{phone}");
            }
            assert_eq!(c.id.len(), 20);
        }
    }
}
