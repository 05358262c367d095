//! `ghl-console sandbox`: run the emulator from the command line until Ctrl-C.

use std::net::SocketAddr;

use anyhow::Context as _;

use super::config::{
    DEMO_LOCATION_ID, DEMO_TOKEN, RateLimit, SandboxConfig, parse_daily_limit, parse_rate_limit,
};
use super::faults::{Faults, Quirks};
use super::server::spawn;

/// Options of `ghl-console sandbox`.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Where to listen; loopback only (`localhost:8080` works too). Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// How many contacts to seed.
    #[arg(long, default_value_t = 200)]
    pub contacts: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Burst limit per location, like 100/10s, 5/500ms, or off.
    // Spelled out so clap keeps the parser's Option as the value instead of making the flag
    // optional.
    #[arg(long, default_value = "100/10s", value_parser = parse_rate_limit)]
    pub rate_limit: std::option::Option<RateLimit>,
    /// Daily request limit per location, or off.
    #[arg(long, default_value = "200000", value_parser = parse_daily_limit)]
    pub daily_limit: std::option::Option<u64>,
    /// A bearer token that opens the location (repeatable); the demo token if none is given.
    #[arg(long = "token")]
    pub tokens: Vec<String>,
    /// The location id the tokens open and the data is seeded into.
    #[arg(long, default_value = DEMO_LOCATION_ID)]
    pub location: String,
    /// Milliseconds added before every API answer.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Every Nth API request answers a server error (500, 502, 503 in turn).
    #[arg(long)]
    pub error_every: Option<u64>,
    /// Every Nth API request has its connection cut mid-body.
    #[arg(long)]
    pub reset_every: Option<u64>,
    /// Every Nth API request starts a burst of 429s.
    #[arg(long)]
    pub throttle_every: Option<u64>,
    /// Every Nth API request answers a 200 HTML page.
    #[arg(long)]
    pub html_every: Option<u64>,
    /// Every Nth API request answers truncated JSON.
    #[arg(long)]
    pub truncate_every: Option<u64>,
    /// C01: creates store the contact and answer 422.
    #[arg(long)]
    pub quirk_create_422: bool,
    /// C04: updates silently ignore this field (such as lastName).
    #[arg(long, value_name = "FIELD")]
    pub quirk_drop_field: Option<String>,
    /// A whole fault config as JSON, as `PUT /_sandbox/faults` takes it; the fault flags above
    /// apply on top of it.
    #[arg(long, value_name = "JSON", value_parser = parse_faults)]
    pub faults: Option<Faults>,
}

fn parse_faults(text: &str) -> Result<Faults, String> {
    serde_json::from_str(text).map_err(|e| format!("invalid fault config: {e}"))
}

impl SandboxArgs {
    /// The run's configuration.
    pub fn config(&self) -> SandboxConfig {
        let tokens = if self.tokens.is_empty() {
            vec![DEMO_TOKEN.to_string()]
        } else {
            self.tokens.clone()
        };
        SandboxConfig {
            contacts: self.contacts,
            seed: self.seed,
            location_id: self.location.clone(),
            tokens,
            extra_locations: Vec::new(),
            rate_limit: self.rate_limit,
            daily_limit: self.daily_limit,
            faults: self.fault_config(),
            ..SandboxConfig::default()
        }
    }

    /// `--faults` with the individual fault flags applied on top.
    fn fault_config(&self) -> Faults {
        let base = self.faults.clone().unwrap_or_default();
        Faults {
            latency_ms: self.latency_ms.max(base.latency_ms),
            error_every: self.error_every.or(base.error_every),
            reset_every: self.reset_every.or(base.reset_every),
            throttle_every: self.throttle_every.or(base.throttle_every),
            html_every: self.html_every.or(base.html_every),
            truncate_every: self.truncate_every.or(base.truncate_every),
            quirks: Quirks {
                create_stores_then_422: self.quirk_create_422 || base.quirks.create_stores_then_422,
                put_drops_field: self
                    .quirk_drop_field
                    .clone()
                    .or(base.quirks.put_drops_field.clone()),
                search_misses_phone: base.quirks.search_misses_phone,
            },
            ..base
        }
    }
}

/// Reads `HOST:PORT`; a name is resolved and its loopback address taken.
fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    let resolved = std::net::ToSocketAddrs::to_socket_addrs(text)
        .map_err(|e| format!("{text:?} is not HOST:PORT: {e}"))?;
    let mut addrs: Vec<SocketAddr> = resolved.collect();
    addrs.sort_by_key(SocketAddr::is_ipv6);
    addrs
        .into_iter()
        .find(|a| a.ip().is_loopback())
        .ok_or_else(|| {
            format!("{text:?} is not a loopback address; the sandbox listens on loopback only")
        })
}

/// Runs a sandbox until Ctrl-C, printing where it listens and how to call it.
pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let config = args.config();
    let started = std::time::Instant::now();
    let handle = spawn(config.clone(), args.listen)
        .await
        .context("starting the sandbox")?;
    crate::cli::say(format_args!("sandbox listening on {}", handle.base_url()));
    crate::cli::say(format_args!("  location: {}", config.location_id));
    for token in &config.tokens {
        crate::cli::say(format_args!("  token:    {token}"));
    }
    crate::cli::say(format_args!(
        "  oauth app: client id {}, client secret {}",
        config.oauth.client_id, config.oauth.client_secret
    ));
    crate::cli::say(format_args!(
        "  {} contacts (seed {}) ready in {} ms; rate limit {}; control API at {}/_sandbox/",
        config.contacts,
        config.seed,
        started.elapsed().as_millis(),
        config
            .rate_limit
            .map_or_else(|| "off".to_string(), |r| r.to_string()),
        handle.base_url()
    ));
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    handle.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    #[test]
    fn defaults_are_the_demo() {
        let cli = Cli::parse_from(["sandbox"]);
        let config = cli.args.config();
        assert_eq!(config, SandboxConfig::default());
    }

    #[test]
    fn reads_limits_and_faults() {
        let cli = Cli::parse_from([
            "sandbox",
            "--rate-limit",
            "off",
            "--daily-limit",
            "50",
            "--token",
            "a",
            "--token",
            "b",
            "--error-every",
            "3",
            "--quirk-drop-field",
            "lastName",
            "--faults",
            r#"{"error_every": 9, "error_probability": 0.5, "throttle_burst": 4}"#,
        ]);
        let config = cli.args.config();
        assert_eq!(config.rate_limit, None);
        assert_eq!(config.daily_limit, Some(50));
        assert_eq!(config.tokens, ["a", "b"]);
        assert_eq!(config.faults.error_every, Some(3));
        assert!((config.faults.error_probability - 0.5).abs() < f64::EPSILON);
        assert_eq!(config.faults.throttle_burst, 4);
        assert_eq!(
            config.faults.quirks.put_drops_field.as_deref(),
            Some("lastName")
        );
    }
}
