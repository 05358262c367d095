//! GHL's rate limits per location: a burst limit over a fixed window, and a daily limit that
//! resets at midnight UTC. Requests refused with 429 do not count against either.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue};

use super::config::RateLimit;

/// The limits and each location's use of them.
#[derive(Debug)]
pub(crate) struct Limiter {
    burst: Option<RateLimit>,
    daily: Option<u64>,
    usage: Mutex<HashMap<String, Usage>>,
}

#[derive(Debug)]
struct Usage {
    window_start: Instant,
    in_window: u32,
    day: chrono::NaiveDate,
    today: u64,
}

/// The outcome of counting one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Go ahead; send these headers with the answer.
    Allowed(HeaderMap),
    /// Refused; retry after this many seconds, and send these headers.
    Refused {
        retry_after_secs: u64,
        headers: HeaderMap,
    },
}

impl Limiter {
    pub(crate) fn new(burst: Option<RateLimit>, daily: Option<u64>) -> Self {
        Self {
            burst,
            daily,
            usage: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of a location against its limits.
    pub(crate) fn check(&self, location_id: &str) -> Verdict {
        self.check_at(location_id, Instant::now(), chrono::Utc::now())
    }

    fn check_at(
        &self,
        location_id: &str,
        now: Instant,
        wall: chrono::DateTime<chrono::Utc>,
    ) -> Verdict {
        let mut all = self.usage.lock().unwrap_or_else(PoisonError::into_inner);
        let usage = all.entry(location_id.to_string()).or_insert_with(|| Usage {
            window_start: now,
            in_window: 0,
            day: wall.date_naive(),
            today: 0,
        });
        if usage.day != wall.date_naive() {
            usage.day = wall.date_naive();
            usage.today = 0;
        }
        if let Some(burst) = self.burst
            && now.duration_since(usage.window_start) >= burst.window
        {
            usage.window_start = now;
            usage.in_window = 0;
        }
        let daily_spent = self.daily.is_some_and(|limit| usage.today >= limit);
        let burst_spent = self.burst.is_some_and(|b| usage.in_window >= b.max);
        if daily_spent {
            let retry = seconds_to_midnight(wall);
            return Verdict::Refused {
                retry_after_secs: retry,
                headers: self.headers(usage),
            };
        }
        if burst_spent {
            let window = self.burst.map_or(Duration::ZERO, |b| b.window);
            let left = window.saturating_sub(now.duration_since(usage.window_start));
            return Verdict::Refused {
                retry_after_secs: left.as_millis().div_ceil(1000).try_into().unwrap_or(1),
                headers: self.headers(usage),
            };
        }
        usage.in_window += 1;
        usage.today += 1;
        Verdict::Allowed(self.headers(usage))
    }

    /// The `X-RateLimit-*` headers for a location's current use; only those of limits that
    /// are on.
    fn headers(&self, usage: &Usage) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(limit) = self.daily {
            headers.insert("x-ratelimit-limit-daily", HeaderValue::from(limit));
            let left = limit.saturating_sub(usage.today);
            headers.insert("x-ratelimit-daily-remaining", HeaderValue::from(left));
        }
        if let Some(burst) = self.burst {
            let millis = u64::try_from(burst.window.as_millis()).unwrap_or(u64::MAX);
            headers.insert(
                "x-ratelimit-interval-milliseconds",
                HeaderValue::from(millis),
            );
            headers.insert("x-ratelimit-max", HeaderValue::from(burst.max));
            let left = burst.max.saturating_sub(usage.in_window);
            headers.insert("x-ratelimit-remaining", HeaderValue::from(left));
        }
        headers
    }
}

fn seconds_to_midnight(wall: chrono::DateTime<chrono::Utc>) -> u64 {
    let next = wall
        .date_naive()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc());
    next.map_or(1, |n| {
        u64::try_from((n - wall).num_seconds()).unwrap_or(1).max(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(verdict: &Verdict, name: &str) -> String {
        let headers = match verdict {
            Verdict::Allowed(h) | Verdict::Refused { headers: h, .. } => h,
        };
        headers[name].to_str().unwrap().to_string()
    }

    #[test]
    fn burst_refuses_then_recovers_after_the_window() {
        let limit = RateLimit {
            max: 2,
            window: Duration::from_secs(10),
        };
        let limiter = Limiter::new(Some(limit), None);
        let (t0, wall) = (Instant::now(), chrono::Utc::now());
        assert_eq!(
            header(&limiter.check_at("a", t0, wall), "x-ratelimit-remaining"),
            "1"
        );
        assert!(matches!(
            limiter.check_at("a", t0, wall),
            Verdict::Allowed(_)
        ));
        let refused = limiter.check_at("a", t0 + Duration::from_secs(3), wall);
        assert!(matches!(
            refused,
            Verdict::Refused {
                retry_after_secs: 7,
                ..
            }
        ));
        assert!(matches!(
            limiter.check_at("b", t0, wall),
            Verdict::Allowed(_)
        ));
        let later = limiter.check_at("a", t0 + Duration::from_secs(10), wall);
        assert!(matches!(later, Verdict::Allowed(_)));
    }

    #[test]
    fn daily_limit_refuses_with_zero_remaining() {
        let limiter = Limiter::new(None, Some(1));
        let (t0, wall) = (Instant::now(), chrono::Utc::now());
        assert!(matches!(
            limiter.check_at("a", t0, wall),
            Verdict::Allowed(_)
        ));
        let refused = limiter.check_at("a", t0, wall);
        assert!(matches!(refused, Verdict::Refused { .. }));
        assert_eq!(header(&refused, "x-ratelimit-daily-remaining"), "0");
        let tomorrow = wall + chrono::Duration::days(1);
        assert!(matches!(
            limiter.check_at("a", t0, tomorrow),
            Verdict::Allowed(_)
        ));
    }
}
