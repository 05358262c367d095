//! Pacing: keeps a client under the location's burst limit before the server has to say 429.
//!
//! Two sources of truth are combined. The client's own sliding window never lets more than
//! `max` requests start within `window`. The server's `X-RateLimit-*` headers, read after every
//! response, tighten that: when the server says few requests remain in its interval, the
//! remaining ones are spread over what is left of it.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// What the last response said about the rate-limit budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateBudget {
    /// Requests left in the current burst interval.
    pub remaining: Option<u32>,
    /// Requests allowed per burst interval.
    pub max: Option<u32>,
    /// The burst interval.
    pub interval: Option<Duration>,
    /// Requests left today.
    pub daily_remaining: Option<u64>,
    /// Requests allowed per day.
    pub daily_limit: Option<u64>,
}

impl RateBudget {
    /// Reads the budget from a response's headers; `None` when the response carried none.
    pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Option<Self> {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let budget = Self {
            remaining: num("x-ratelimit-remaining").and_then(|v| u32::try_from(v).ok()),
            max: num("x-ratelimit-max").and_then(|v| u32::try_from(v).ok()),
            interval: num("x-ratelimit-interval-milliseconds").map(Duration::from_millis),
            daily_remaining: num("x-ratelimit-daily-remaining"),
            daily_limit: num("x-ratelimit-limit-daily"),
        };
        (budget != Self::default()).then_some(budget)
    }
}

/// A sliding-window limiter shared by every request of one client (one location).
#[derive(Debug)]
pub struct Limiter {
    max: u32,
    window: Duration,
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    started: VecDeque<Instant>,
    not_before: Option<Instant>,
}

impl Limiter {
    /// A limiter that lets at most `max` requests start within any `window`.
    ///
    /// The window is kept 2% longer (10 ms to 200 ms) than asked: the server counts requests
    /// when they arrive, not when they leave, so network jitter could otherwise put one request
    /// too many into a server window.
    pub fn new(max: u32, window: Duration) -> Self {
        let margin = (window / 50).clamp(Duration::from_millis(10), Duration::from_millis(200));
        Self {
            max: max.max(1),
            window: window + margin,
            state: Mutex::new(LimiterState::default()),
        }
    }

    /// Waits until one more request may start, then counts it. Returns how long it waited.
    pub async fn acquire(&self) -> Duration {
        let begun = Instant::now();
        loop {
            let wait = {
                let mut state = self.state.lock().await;
                let now = Instant::now();
                while state
                    .started
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    state.started.pop_front();
                }
                let held = state.not_before.filter(|t| *t > now);
                let full = state.started.len() >= self.max as usize;
                match (held, full) {
                    (Some(t), _) => t - now,
                    (None, true) => {
                        let oldest = state.started.front().copied().unwrap_or(now);
                        (oldest + self.window).saturating_duration_since(now)
                    }
                    (None, false) => {
                        state.started.push_back(now);
                        return begun.elapsed();
                    }
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// Takes in what the server said. Our own window already keeps this client under the
    /// limit, so the server's count matters only when it says less is left than our window
    /// accounts for: another client (a second process, another app on the location) is using
    /// the same budget. Then the remaining requests are spread over the interval.
    pub async fn observe(&self, budget: &RateBudget) {
        let (Some(remaining), Some(interval)) = (budget.remaining, budget.interval) else {
            return;
        };
        let mut state = self.state.lock().await;
        let now = Instant::now();
        let ours_in_window = state
            .started
            .iter()
            .filter(|t| now.duration_since(**t) < interval)
            .count();
        let server_max = budget.max.unwrap_or(self.max);
        let ours_left =
            server_max.saturating_sub(u32::try_from(ours_in_window).unwrap_or(u32::MAX));
        if remaining >= ours_left {
            return;
        }
        let spacing = if remaining == 0 {
            interval
        } else {
            interval / (remaining + 1)
        };
        let until = now + spacing;
        if state.not_before.is_none_or(|t| t < until) {
            state.not_before = Some(until);
        }
    }

    /// Holds every request until `wait` has passed (after a 429).
    pub async fn hold_for(&self, wait: Duration) {
        let mut state = self.state.lock().await;
        let until = Instant::now() + wait;
        if state.not_before.is_none_or(|t| t < until) {
            state.not_before = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_starts_more_than_max_in_a_window() {
        let limiter = Limiter::new(5, Duration::from_secs(1));
        let start = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..12 {
            limiter.acquire().await;
            starts.push(start.elapsed());
        }
        for (i, t) in starts.iter().enumerate().skip(5) {
            assert!(
                *t >= starts[i - 5] + Duration::from_secs(1),
                "request {i} too early"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn our_own_use_of_the_budget_does_not_slow_us() {
        let limiter = Limiter::new(10, Duration::from_secs(10));
        for _ in 0..9 {
            limiter.acquire().await;
        }
        let budget = RateBudget {
            remaining: Some(1),
            max: Some(10),
            interval: Some(Duration::from_secs(10)),
            ..RateBudget::default()
        };
        limiter.observe(&budget).await;
        assert!(limiter.acquire().await < Duration::from_millis(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_budget_shared_with_others_spreads_requests() {
        let limiter = Limiter::new(100, Duration::from_secs(10));
        let budget = RateBudget {
            remaining: Some(0),
            max: Some(100),
            interval: Some(Duration::from_secs(10)),
            ..RateBudget::default()
        };
        limiter.observe(&budget).await;
        let waited = limiter.acquire().await;
        assert!(waited >= Duration::from_secs(9));
    }
}
