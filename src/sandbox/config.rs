//! What a sandbox run serves: how much data from which seed, which tokens open which locations,
//! the rate limits, and the faults to start with.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::faults::Faults;

/// The location (sub-account) id the demo token opens; shaped like GHL's 20-character ids.
pub const DEMO_LOCATION_ID: &str = "sBxDemoL0cation00001";

/// The bearer token the sandbox accepts by default, shaped like a private integration token.
pub const DEMO_TOKEN: &str = "pit-5a0db0c5-de70-4e5f-8a9b-5a0db0c5de70";

/// The daily request budget GHL grants an app per location.
pub const GHL_DAILY_LIMIT: u64 = 200_000;

/// How a sandbox run is set up. `Default` is the demo: 200 contacts from seed 42 in
/// [`DEMO_LOCATION_ID`], opened by [`DEMO_TOKEN`], under GHL's rate limits, with no faults.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxConfig {
    /// How many contacts to seed into the main location.
    pub contacts: usize,
    /// The seed of the generated data; the same seed and count give the same data.
    pub seed: u64,
    /// The main location: seeded, and opened by every token in `tokens`.
    pub location_id: String,
    /// Bearer tokens that open `location_id`.
    pub tokens: Vec<String>,
    /// Further `(token, location id)` pairs; these locations start empty.
    pub extra_locations: Vec<(String, String)>,
    /// The burst limit per location, or `None` for no burst limit.
    pub rate_limit: Option<RateLimit>,
    /// The daily request limit per location, or `None` for no daily limit.
    pub daily_limit: Option<u64>,
    /// The OAuth app the token endpoint knows.
    pub oauth: super::oauth::OAuthSettings,
    /// The faults injected from the start; change them later with
    /// [`SandboxHandle::set_faults`](super::SandboxHandle::set_faults).
    pub faults: Faults,
    /// Where to post webhook events when data changes; none sends no webhooks.
    pub webhook_url: Option<String>,
    /// The key webhook events are signed with (`x-ghl-signature`); none sends no webhooks.
    pub webhook_key: Option<super::webhooks::WebhookKey>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            contacts: 200,
            seed: 42,
            location_id: DEMO_LOCATION_ID.to_string(),
            tokens: vec![DEMO_TOKEN.to_string()],
            extra_locations: Vec::new(),
            rate_limit: Some(RateLimit::GHL),
            daily_limit: Some(GHL_DAILY_LIMIT),
            faults: Faults::default(),
            oauth: super::oauth::OAuthSettings::default(),
            webhook_url: None,
            webhook_key: None,
        }
    }
}

/// A burst limit: at most `max` requests per location in each `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub max: u32,
    /// The length of one window.
    pub window: Duration,
}

impl RateLimit {
    /// GHL's published burst limit: 100 requests per 10 seconds per app and location.
    pub const GHL: Self = Self {
        max: 100,
        window: Duration::from_secs(10),
    };
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.window.as_millis();
        if millis.is_multiple_of(1000) {
            write!(f, "{}/{}s", self.max, millis / 1000)
        } else {
            write!(f, "{}/{}ms", self.max, millis)
        }
    }
}

/// Why a rate limit text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid rate limit {0:?}: expected MAX/WINDOW like 100/10s, 5/500ms, 600/1m, or off")]
pub struct RateLimitParseError(pub String);

impl FromStr for RateLimit {
    type Err = RateLimitParseError;

    /// Reads `MAX/WINDOW`, the window in `ms`, `s` or `m` (`100/10s`, `100/1s`, `5/500ms`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = || RateLimitParseError(text.to_string());
        let (max, window) = text.trim().split_once('/').ok_or_else(fail)?;
        let max: u32 = max.trim().parse().map_err(|_| fail())?;
        let window = window.trim();
        let (number, unit_millis) = if let Some(n) = window.strip_suffix("ms") {
            (n, 1)
        } else if let Some(n) = window.strip_suffix('s') {
            (n, 1000)
        } else if let Some(n) = window.strip_suffix('m') {
            (n, 60_000)
        } else {
            return Err(fail());
        };
        let number: u64 = number.trim().parse().map_err(|_| fail())?;
        if max == 0 || number == 0 {
            return Err(fail());
        }
        Ok(Self {
            max,
            window: Duration::from_millis(number.saturating_mul(unit_millis)),
        })
    }
}

/// Reads a rate limit setting: `off` (or `none`) for no limit, else a [`RateLimit`].
pub fn parse_rate_limit(text: &str) -> Result<Option<RateLimit>, RateLimitParseError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "off" | "none" => Ok(None),
        _ => text.parse().map(Some),
    }
}

/// Reads a daily limit setting: `off` (or `0`) for no limit, else a request count.
pub fn parse_daily_limit(text: &str) -> Result<Option<u64>, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "off" | "none" | "0" => Ok(None),
        other => other
            .replace('_', "")
            .parse()
            .map(Some)
            .map_err(|_| format!("invalid daily limit {text:?}: expected a count or off")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rate_limits() {
        assert_eq!("100/10s".parse(), Ok(RateLimit::GHL));
        let fast: RateLimit = "5/500ms".parse().unwrap();
        assert_eq!(fast.window, Duration::from_millis(500));
        assert_eq!(fast.to_string(), "5/500ms");
        assert_eq!(RateLimit::GHL.to_string(), "100/10s");
        assert_eq!("600/1m".parse::<RateLimit>().unwrap().window.as_secs(), 60);
        assert_eq!(parse_rate_limit("off"), Ok(None));
        assert!("100".parse::<RateLimit>().is_err());
        assert!("0/1s".parse::<RateLimit>().is_err());
        assert!("10/1h".parse::<RateLimit>().is_err());
    }

    #[test]
    fn reads_daily_limits() {
        assert_eq!(parse_daily_limit("200_000"), Ok(Some(200_000)));
        assert_eq!(parse_daily_limit("off"), Ok(None));
        assert!(parse_daily_limit("lots").is_err());
    }
}
