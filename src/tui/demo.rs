//! The demo's set-up (`--demo`): the sandbox with a second location to switch to, a client per
//! location, and a Rankr store in a temporary directory (never the operator's data dir), so `s`
//! and `L` work out of the box.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use serde_json::json;

use crate::ghl::models::Contact;
use crate::ghl::{ClientConfig, GhlClient, Secret};
use crate::rankr::{RankrStore, SqliteStore};
use crate::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN, SandboxConfig, SandboxHandle};
use crate::sync::EngineConfig;
use crate::worker::{ClientFactory, WorkerExtras};

use super::location::KnownLocation;

/// The token of the demo's second location.
pub const SECOND_TOKEN: &str = "pit-demo-second";

/// The demo's second location: empty but for a few contacts, to try `L` on.
pub const SECOND_LOCATION_ID: &str = "sBxDemoL0cation00002";

/// The people seeded into the second location.
const SECOND_PEOPLE: [(&str, &str); 5] = [
    ("Grace", "Hopper"),
    ("Alan", "Turing"),
    ("Katherine", "Johnson"),
    ("Edsger", "Dijkstra"),
    ("Barbara", "Liskov"),
];

/// The demo sandbox: the default data plus the second location.
pub fn sandbox_config() -> SandboxConfig {
    SandboxConfig {
        extra_locations: vec![(SECOND_TOKEN.to_string(), SECOND_LOCATION_ID.to_string())],
        ..SandboxConfig::default()
    }
}

/// Puts a few contacts into the second location, so a switch shows something.
pub fn seed_second(sandbox: &SandboxHandle) -> anyhow::Result<()> {
    let store = sandbox.store();
    for (first, last) in SECOND_PEOPLE {
        let email = format!("{first}.{last}@second.example").to_lowercase();
        let contact: Contact = serde_json::from_value(json!({
            "id": "",
            "firstName": first,
            "lastName": last,
            "email": email,
            "tags": ["second-location"],
        }))?;
        store
            .insert_contact(SECOND_LOCATION_ID, contact)
            .map_err(|e| anyhow::anyhow!("seeding the second location: {e:?}"))?;
    }
    Ok(())
}

/// The locations the demo's picker offers.
pub fn locations() -> Vec<KnownLocation> {
    vec![
        KnownLocation {
            id: DEMO_LOCATION_ID.to_string(),
            name: "Demo location".to_string(),
            read_only: false,
        },
        KnownLocation {
            id: SECOND_LOCATION_ID.to_string(),
            name: "Demo second location".to_string(),
            read_only: false,
        },
    ]
}

/// A client of the demo sandbox for one of its locations.
pub fn client(base_url: &str, location_id: &str) -> anyhow::Result<GhlClient> {
    let token = match location_id {
        DEMO_LOCATION_ID => DEMO_TOKEN,
        SECOND_LOCATION_ID => SECOND_TOKEN,
        other => bail!("the demo sandbox has no location {other:?}; try {SECOND_LOCATION_ID}"),
    };
    let config = ClientConfig::new(base_url, Secret::new(token), location_id);
    Ok(GhlClient::new(config)?)
}

/// Builds demo clients for the worker's location switch.
pub fn factory(base_url: String) -> ClientFactory {
    Arc::new(move |location_id: &str| client(&base_url, location_id))
}

/// A Rankr store in a directory of its own under the system's temp dir, removed on drop.
#[derive(Debug)]
pub struct DemoStore {
    dir: PathBuf,
    /// The store.
    pub store: Arc<SqliteStore>,
}

impl DemoStore {
    /// Creates the directory and opens an empty store in it.
    pub fn open() -> anyhow::Result<Self> {
        static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let stamp = chrono::Utc::now().timestamp_millis();
        let nth = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("ghl-console-demo-{}-{stamp}-{nth}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        // A new directory each time: two demos (or tests) never share a store.
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join("rankr.sqlite3");
        let store =
            SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?;
        Ok(Self {
            dir,
            store: Arc::new(store),
        })
    }
}

impl Drop for DemoStore {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.dir) {
            tracing::warn!(%error, dir = %self.dir.display(), "could not remove the demo store");
        }
    }
}

/// The worker's extras in the demo: the store, the engine and the client factory.
pub fn extras(base_url: &str, store: Option<&DemoStore>) -> WorkerExtras {
    let sync = store.map(|s| {
        let store: Arc<dyn RankrStore> = s.store.clone();
        let mut engine = EngineConfig::new(DEMO_LOCATION_ID);
        // Small pages move the progress in steps a person can follow under the rate limit.
        engine.page_size = 25;
        (store, engine)
    });
    WorkerExtras {
        sync_missing: sync
            .is_none()
            .then(|| "the demo store could not be created".to_string()),
        sync,
        factory: Some(factory(base_url.to_string())),
        agency: None,
    }
}
