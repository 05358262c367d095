//! Shared set-up for integration tests: a sandbox on a loopback port and a client for it.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::sync::Arc;

use ghl_console::ghl::{Exchange, GhlClient};
use ghl_console::sandbox::{self, SandboxConfig, SandboxHandle};
use tokio::sync::broadcast;

pub use client::client_for;

pub mod bin;
pub mod client;
pub mod oauth;
pub mod spec;

/// A sandbox with `contacts` seeded contacts and no rate limit, and a client for it.
pub async fn start(contacts: usize) -> (SandboxHandle, GhlClient) {
    let handle = sandbox_of(contacts).await;
    let client = client_for(&handle);
    (handle, client)
}

/// A sandbox with the given configuration and a client for it (client pacing off).
pub async fn start_with(config: SandboxConfig) -> (SandboxHandle, GhlClient) {
    let handle = spawn(config).await;
    let client = client_for(&handle);
    (handle, client)
}

/// A sandbox with `contacts` seeded contacts and no rate limit.
pub async fn sandbox_of(contacts: usize) -> SandboxHandle {
    spawn(SandboxConfig {
        contacts,
        rate_limit: None,
        ..SandboxConfig::default()
    })
    .await
}

/// A sandbox with the given configuration on a loopback port.
pub async fn spawn(config: SandboxConfig) -> SandboxHandle {
    sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// Collects every exchange a client records from now on.
pub struct Recorder {
    rx: broadcast::Receiver<Arc<Exchange>>,
}

impl Recorder {
    pub fn new(client: &GhlClient) -> Self {
        Self {
            rx: client.subscribe(),
        }
    }

    /// The exchanges recorded so far.
    pub fn drain(&mut self) -> Vec<Arc<Exchange>> {
        let mut out = Vec::new();
        while let Ok(ex) = self.rx.try_recv() {
            out.push(ex);
        }
        out
    }
}

/// Reads the sandbox's data directly, for set-up and for asserting its state.
pub trait StoreView {
    fn contact_ids(&self) -> Vec<String>;
    fn find_by_email(&self, email: &str) -> Vec<ghl_console::ghl::models::Contact>;
    fn contacts_with_appointments(&self) -> Vec<String>;
    fn business_ids(&self) -> Vec<String>;
    fn shared_date_added_count(&self) -> usize;
}

impl StoreView for SandboxHandle {
    fn contact_ids(&self) -> Vec<String> {
        self.store()
            .contacts(sandbox::DEMO_LOCATION_ID)
            .into_iter()
            .map(|c| c.id)
            .collect()
    }

    fn find_by_email(&self, email: &str) -> Vec<ghl_console::ghl::models::Contact> {
        let all = self.store().contacts(sandbox::DEMO_LOCATION_ID);
        all.into_iter()
            .filter(|c| {
                c.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .collect()
    }

    fn contacts_with_appointments(&self) -> Vec<String> {
        let store = self.store();
        self.contact_ids()
            .into_iter()
            .filter(|id| store.appointments(id).is_some_and(|a| !a.is_empty()))
            .collect()
    }

    fn business_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .store()
            .contacts(sandbox::DEMO_LOCATION_ID)
            .into_iter()
            .filter_map(|c| c.business_id)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    fn shared_date_added_count(&self) -> usize {
        let mut counts = std::collections::HashMap::new();
        for c in self.store().contacts(sandbox::DEMO_LOCATION_ID) {
            *counts
                .entry(c.date_added.unwrap_or_default())
                .or_insert(0usize) += 1;
        }
        counts.values().copied().max().unwrap_or(0)
    }
}
