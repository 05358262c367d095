//! Opening the console: on the real API from the settings in force, on the in-process demo
//! sandbox (`--demo`), or on the first-run screen when the token or location is missing.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};

use anyhow::Context;

use crate::config::Settings as Config;
use crate::ghl::{ClientConfig, GhlClient, Secret};
use crate::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN};
use crate::worker::{self, WorkerExtras, WorkerOptions};

use super::app::{App, Settings};
use super::clock::Clock;
use super::location::LocationState;
use super::theme::Theme;

/// Opens the console as the command line asked, and returns the process exit status when it
/// closes (non-zero when a signal ended it).
pub async fn launch(
    config: anyhow::Result<Config>,
    demo: bool,
    read_only: bool,
) -> anyhow::Result<u8> {
    let config = config?;
    let theme = theme_for(config.config.ui.theme.as_deref());
    let keys: HashMap<String, Vec<String>> = config.config.ui.keys.clone().into_iter().collect();
    let read_only_flag = read_only;
    let read_only = read_only || config.read_only();
    if demo {
        return run_demo(&theme, keys, read_only).await;
    }
    let missing = missing(&config);
    if !missing.is_empty() {
        if super::run::first_run(&missing, &theme).await? {
            return run_demo(&theme, keys, read_only).await;
        }
        return Ok(0);
    }
    let client = crate::cli::client_for(&config)?;
    let settings = settings(client.location_id(), read_only, keys);
    let extras = super::worker_setup::extras_for(&config);
    let locations = LocationState {
        known: super::worker_setup::known_locations(&config),
        base_read_only: Some(read_only_flag || config.config.ui.read_only),
        ..LocationState::default()
    };
    run_console(client, settings, &theme, (extras, locations)).await
}

/// What is missing to open a real location, worded for the first-run screen.
pub fn missing(config: &Config) -> Vec<String> {
    let mut missing = Vec::new();
    let oauth = config.config.auth.kind == crate::config::AuthKind::Oauth;
    if oauth {
        let stored = crate::cli::auth::oauth_app(config)
            .ok()
            .and_then(|a| a.store.load().ok().flatten());
        if stored.is_none() && config.token.is_none() {
            missing.push("OAuth tokens: run `ghl-console auth login`".to_string());
        }
    } else if config.token.is_none() {
        missing.push(
            "a token: GHL_TOKEN, or `ghl-console auth set-token` and auth.token_file".to_string(),
        );
    }
    if config
        .config
        .api
        .location_id
        .as_deref()
        .is_none_or(str::is_empty)
    {
        missing.push("a location id: GHL_LOCATION_ID or --location".to_string());
    }
    missing
}

fn theme_for(choice: Option<&str>) -> Theme {
    match choice {
        Some("plain") => Theme::plain(),
        Some("color") => Theme::default_colors(),
        _ => Theme::from_env(),
    }
}

fn settings(location: &str, read_only: bool, keys: HashMap<String, Vec<String>>) -> Settings {
    Settings {
        location: location.to_string(),
        read_only,
        keys,
        log_path: crate::logging::started()
            .map_or_else(|| Some(crate::logging::log_base()), Result::ok),
        log_error: crate::logging::started().and_then(Result::err),
        save_dir: crate::config::data_dir().join("exchanges"),
        in_tmux: super::clipboard::in_tmux(),
    }
}

/// Starts the sandbox on a free loopback port with its demo data and opens the console on it.
async fn run_demo(
    theme: &Theme,
    keys: HashMap<String, Vec<String>>,
    read_only: bool,
) -> anyhow::Result<u8> {
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let sandbox = crate::sandbox::spawn(super::demo::sandbox_config(), listen)
        .await
        .context("starting the demo sandbox")?;
    tracing::info!(base_url = %sandbox.base_url(), "demo sandbox started");
    if let Err(error) = super::demo::seed_second(&sandbox) {
        tracing::warn!(error = %format!("{error:#}"), "the second demo location stays empty");
    }
    let store = super::demo::DemoStore::open()
        .inspect_err(|e| tracing::warn!(error = %format!("{e:#}"), "the demo runs without sync"))
        .ok();
    let extras = super::demo::extras(&sandbox.base_url(), store.as_ref());
    let locations = LocationState {
        known: super::demo::locations(),
        base_read_only: Some(read_only),
        ..LocationState::default()
    };
    let config = ClientConfig::new(
        sandbox.base_url(),
        Secret::new(DEMO_TOKEN),
        DEMO_LOCATION_ID,
    );
    let client = GhlClient::new(config)?;
    let settings = settings(DEMO_LOCATION_ID, read_only, keys);
    let result = run_console(client, settings, theme, (extras, locations)).await;
    sandbox.shutdown().await;
    drop(store);
    result
}

async fn run_console(
    client: GhlClient,
    settings: Settings,
    theme: &Theme,
    (extras, locations): (WorkerExtras, LocationState),
) -> anyhow::Result<u8> {
    let (mut app, problems) = App::new(settings, Clock::system());
    app.locations = locations;
    for problem in problems {
        app.log(super::app::Level::Warn, format!("Key remapping: {problem}"));
    }
    let handle = worker::spawn_with(client, WorkerOptions::default(), extras);
    super::run::run(app, theme, handle).await
}
