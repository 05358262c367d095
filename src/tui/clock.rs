//! The time the console renders against, and the zone it shows dates in. Rendering reads both
//! from here, so tests can pin them.

use chrono::{DateTime, FixedOffset, Local, Offset, TimeDelta, Utc};

/// The zone dates are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The machine's local zone, with its daylight-saving rules.
    Local,
    /// A fixed offset (tests use UTC).
    Fixed(FixedOffset),
}

/// "Now" and the zone to show dates in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The current time, moved forward by the run loop's tick.
    pub now: DateTime<Utc>,
    /// Where dates are shown.
    pub zone: Zone,
}

impl Clock {
    /// The real clock in the local zone.
    pub fn system() -> Self {
        Self {
            now: Utc::now(),
            zone: Zone::Local,
        }
    }

    /// A pinned clock in UTC, for tests and snapshots.
    pub fn fixed(now: DateTime<Utc>) -> Self {
        Self {
            now,
            zone: Zone::Fixed(Utc.fix()),
        }
    }

    /// A date as `YYYY-MM-DD HH:MM` in the display zone.
    pub fn absolute(&self, at: DateTime<Utc>) -> String {
        const FORMAT: &str = "%Y-%m-%d %H:%M";
        match self.zone {
            Zone::Local => at.with_timezone(&Local).format(FORMAT).to_string(),
            Zone::Fixed(offset) => at.with_timezone(&offset).format(FORMAT).to_string(),
        }
    }

    /// Reads a due date typed in the display zone (see [`crate::tui::dates`]).
    pub fn parse_due(&self, text: &str) -> Result<DateTime<Utc>, crate::tui::dates::DueDateError> {
        match self.zone {
            Zone::Local => crate::tui::dates::parse_due(text, self.now.with_timezone(&Local)),
            Zone::Fixed(offset) => {
                crate::tui::dates::parse_due_in(text, &self.now.with_timezone(&offset))
            }
        }
    }

    /// How far a due date is from now, days counted in the display zone (see
    /// [`crate::tui::dates::DueSpan`]).
    pub fn due_span(&self, at: DateTime<Utc>) -> crate::tui::dates::DueSpan {
        match self.zone {
            Zone::Local => crate::tui::dates::due_span(at, self.now, &Local),
            Zone::Fixed(offset) => crate::tui::dates::due_span(at, self.now, &offset),
        }
    }

    /// A date relative to now: `in 3d`, `2h ago`, `now`.
    pub fn relative(&self, at: DateTime<Utc>) -> String {
        let delta = at - self.now;
        let span = delta.abs();
        let amount = if span < TimeDelta::minutes(1) {
            return "now".to_string();
        } else if span < TimeDelta::hours(1) {
            format!("{}m", span.num_minutes())
        } else if span < TimeDelta::days(2) {
            format!("{}h", span.num_hours())
        } else {
            format!("{}d", span.num_days())
        };
        if delta > TimeDelta::zero() {
            format!("in {amount}")
        } else {
            format!("{amount} ago")
        }
    }

    /// An API date string shown in the display zone, or as sent when it does not parse.
    pub fn show(&self, raw: Option<&str>) -> String {
        match raw {
            None => String::new(),
            Some(text) => match crate::ghl::models::parse_date(text) {
                Some(at) => self.absolute(at),
                None => naive_minutes(text).unwrap_or_else(|| text.to_string()),
            },
        }
    }
}

/// A date sent without an offset (`2024-08-24 12:30:00`, as appointments come) is shown as
/// sent, to the minute: its zone is the calendar's, which the console does not know.
fn naive_minutes(text: &str) -> Option<String> {
    let at = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok()?;
    Some(at.format("%Y-%m-%d %H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .to_utc();
        let clock = Clock::fixed(now);
        assert_eq!(clock.relative(now + TimeDelta::days(3)), "in 3d");
        assert_eq!(clock.relative(now - TimeDelta::hours(5)), "5h ago");
        assert_eq!(clock.relative(now + TimeDelta::seconds(10)), "now");
        assert_eq!(clock.absolute(now), "2026-03-01 12:00");
        assert_eq!(clock.show(Some("garbage")), "garbage");
        assert_eq!(clock.show(Some("2024-08-24 12:30:00")), "2024-08-24 12:30");
    }
}
