//! `ghl-console webhook`: receive GHL webhooks on loopback, queue them in the Rankr store and
//! apply them. Also the receiver that `ghl-console sync --watch` runs beside its
//! reconciliation.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::Connection;
use crate::config::Settings;
use crate::ghl::GhlClient;
use crate::rankr::{RankrStore, SqliteStore};
use crate::sync::EngineConfig;
use crate::sync::webhook::{Receiver, ReceiverSettings, Verifier, run_applier, serve};

/// `ghl-console webhook`.
#[derive(Debug, Args)]
pub struct WebhookArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Where to listen (default: `webhook.listen`, 127.0.0.1:8787).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// The Rankr store (default: `rankr.store_path`, else the data dir).
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
}

/// The signature keys in force: GHL's shipped RSA key (or `webhook.rsa_public_key_file`), and
/// the Ed25519 key from `webhook.ed25519_public_key` when set.
pub fn verifier(settings: &Settings) -> anyhow::Result<Verifier> {
    let hook = &settings.config.webhook;
    let mut verifier = match &hook.rsa_public_key_file {
        Some(path) => {
            let pem = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Verifier::with_rsa_pem(&pem)?
        }
        None => Verifier::ghl()?,
    };
    if let Some(key) = &hook.ed25519_public_key {
        verifier = verifier.with_ed25519(key)?;
    }
    Ok(verifier)
}

/// Opens the store named by `--store`, else `rankr.store_path`, else the data dir's.
pub fn open_store(settings: &Settings, flag: Option<&PathBuf>) -> anyhow::Result<Arc<SqliteStore>> {
    let configured = flag.or(settings.config.rankr.store_path.as_ref());
    let path = SqliteStore::default_path(configured.map(PathBuf::as_path));
    let store = SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?;
    Ok(Arc::new(store))
}

/// The store a dry run reads: the existing one opened read-only, else an empty one in memory,
/// so a dry run creates and changes no file.
pub fn open_store_for_dry_run(
    settings: &Settings,
    flag: Option<&PathBuf>,
) -> anyhow::Result<Arc<SqliteStore>> {
    let configured = flag.or(settings.config.rankr.store_path.as_ref());
    let path = SqliteStore::default_path(configured.map(PathBuf::as_path));
    let store = if path.exists() {
        SqliteStore::open_read_only(&path).with_context(|| format!("opening {}", path.display()))?
    } else {
        SqliteStore::in_memory()?
    };
    Ok(Arc::new(store))
}

/// Starts the receiver on `listen` and the applier; both stop when `cancel` fires. Returns the
/// address bound.
pub async fn start(
    settings: &Settings,
    listen: &str,
    store: Arc<dyn RankrStore>,
    client: GhlClient,
    engine: EngineConfig,
    cancel: &CancellationToken,
) -> anyhow::Result<SocketAddr> {
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("{listen:?} is not an address like 127.0.0.1:8787"))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let bound = listener.local_addr()?;
    let notify = Arc::new(Notify::new());
    let receiver_settings =
        ReceiverSettings::new(verifier(settings)?, settings.config.webhook.max_body_bytes);
    let receiver = Arc::new(Receiver::new(
        store.clone(),
        receiver_settings,
        notify.clone(),
    ));
    let stop = cancel.clone();
    tokio::spawn(async move {
        if let Err(e) = serve(listener, receiver, stop).await {
            tracing::error!(error = %e, "the webhook receiver stopped");
        }
    });
    tokio::spawn(run_applier(engine, client, store, notify, cancel.clone()));
    Ok(bound)
}

/// Runs `ghl-console webhook` until Ctrl-C.
pub async fn run(settings: &Settings, args: &WebhookArgs) -> anyhow::Result<u8> {
    let client = super::client_for(settings)?;
    let store = open_store(settings, args.store.as_ref())?;
    let engine = super::sync::engine_config(settings, None, None)?;
    let listen = args
        .listen
        .clone()
        .unwrap_or_else(|| settings.config.webhook.listen.clone());
    let cancel = CancellationToken::new();
    let addr = start(settings, &listen, store, client, engine, &cancel).await?;
    eprintln!("receiving GHL webhooks on http://{addr}/webhook (Ctrl-C stops)");
    tokio::signal::ctrl_c().await.ok();
    cancel.cancel();
    Ok(0)
}
