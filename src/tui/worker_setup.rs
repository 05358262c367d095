//! What the console's worker gets besides the client, from the settings in force: the Rankr
//! store and engine settings for `s`, a client factory for `L`, and an agency login's
//! installed locations; and the config's `[[locations]]` for the picker.

use std::sync::Arc;

use crate::config::{AuthKind, Settings as Config};
use crate::rankr::RankrStore;
use crate::worker::{Agency, ClientFactory, WorkerExtras};

use super::location::KnownLocation;

/// The worker's extras for a real location. A store or an agency that cannot be opened leaves
/// that part out, and the console says why when it is asked for.
pub fn extras_for(config: &Config) -> WorkerExtras {
    let mut extras = WorkerExtras::default();
    match sync_setup(config) {
        Ok(setup) => extras.sync = Some(setup),
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), "the console opens without sync");
            extras.sync_missing = Some(format!("{error:#}"));
        }
    }
    extras.factory = Some(factory(config.clone()));
    extras.agency = agency(config);
    extras
}

fn sync_setup(config: &Config) -> anyhow::Result<(Arc<dyn RankrStore>, crate::sync::EngineConfig)> {
    let engine = crate::cli::sync::engine_config(config, None, None)?;
    let store: Arc<dyn RankrStore> = crate::cli::webhook::open_store(config, None)?;
    Ok((store, engine))
}

/// Builds clients like the command line does, with another location id.
fn factory(config: Config) -> ClientFactory {
    Arc::new(move |location_id: &str| {
        let mut settings = config.clone();
        settings.config.api.location_id = Some(location_id.to_string());
        crate::cli::client_for(&settings)
    })
}

/// The agency login, when the OAuth tokens belong to a company rather than a location.
fn agency(config: &Config) -> Option<Agency> {
    if config.config.auth.kind != AuthKind::Oauth || config.token.is_some() {
        return None;
    }
    let app = crate::cli::auth::oauth_app(config).ok()?;
    let stored = app.store.load().ok().flatten()?;
    if stored.location_id.is_some() {
        return None;
    }
    Some(Agency {
        company_id: stored.company_id?,
        app: Arc::new(app),
    })
}

/// The config's `[[locations]]`.
pub fn known_locations(config: &Config) -> Vec<KnownLocation> {
    config
        .config
        .locations
        .iter()
        .map(|l| KnownLocation {
            id: l.id.clone(),
            name: l.name.clone().unwrap_or_default(),
            read_only: l.read_only,
        })
        .collect()
}
