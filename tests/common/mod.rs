//! Shared set-up for integration tests: a sandbox on a loopback port and a client for it.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::sync::Arc;

use ghl_console::ghl::{ClientConfig, Exchange, GhlClient, Secret};
use ghl_console::sandbox::{self, SandboxConfig, SandboxHandle};
use tokio::sync::broadcast;

pub mod spec;

/// A sandbox with `contacts` seeded contacts and no rate limit, and a client for it.
pub async fn start(contacts: usize) -> (SandboxHandle, GhlClient) {
    let config = SandboxConfig {
        contacts,
        rate_limit: None,
        ..SandboxConfig::default()
    };
    start_with(config).await
}

/// A sandbox with the given configuration and a client for it (client pacing off).
pub async fn start_with(config: SandboxConfig) -> (SandboxHandle, GhlClient) {
    let handle = sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = client_for(&handle);
    (handle, client)
}

/// A client for a running sandbox with the demo token, quick retries, no client-side pacing.
pub fn client_for(handle: &SandboxHandle) -> GhlClient {
    let mut config = ClientConfig::new(
        handle.base_url(),
        Secret::new(sandbox::DEMO_TOKEN),
        sandbox::DEMO_LOCATION_ID,
    );
    config.rate_limit = None;
    config.timeout = std::time::Duration::from_secs(5);
    GhlClient::new(config).unwrap()
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
