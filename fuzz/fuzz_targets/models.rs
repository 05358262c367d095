//! Every response model from any bytes: decodes or fails, and what decodes round-trips.

#![no_main]

use ghl_console::ghl::models::{
    Appointment, Contact, ContactUpdate, ListPage, Note, SearchPage, Task, UpsertOutcome,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trips<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let again: T = serde_json::from_slice(&serde_json::to_vec(&value).unwrap()).unwrap();
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(contact) = serde_json::from_slice::<Contact>(data) {
        let _ = contact.display_name();
        assert!(ContactUpdate::changes(&contact, &contact).is_empty());
    }
    round_trips::<Contact>(data);
    round_trips::<SearchPage>(data);
    round_trips::<ListPage>(data);
    round_trips::<UpsertOutcome>(data);
    round_trips::<Vec<Task>>(data);
    round_trips::<Vec<Note>>(data);
    round_trips::<Vec<Appointment>>(data);
});
