//! A client for a running sandbox, shared by `common` and `sync_support`.

#![allow(dead_code, reason = "each test file uses a different part")]
#![allow(clippy::unwrap_used, reason = "set-up helpers of tests fail loudly")]

use ghl_console::ghl::{ClientConfig, GhlClient, Secret};
use ghl_console::sandbox::{self, SandboxHandle};

/// A client for a running sandbox with the demo token, quick timeouts, no client-side pacing.
pub fn client_for(handle: &SandboxHandle) -> GhlClient {
    tuned_client(handle, |_| {})
}

/// [`client_for`] with its settings changed by `tune` first.
pub fn tuned_client(handle: &SandboxHandle, tune: impl FnOnce(&mut ClientConfig)) -> GhlClient {
    let mut config = ClientConfig::new(
        handle.base_url(),
        Secret::new(sandbox::DEMO_TOKEN),
        sandbox::DEMO_LOCATION_ID,
    );
    config.rate_limit = None;
    config.timeout = std::time::Duration::from_secs(5);
    tune(&mut config);
    GhlClient::new(config).unwrap()
}
