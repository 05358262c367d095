//! Due dates for the task form: read what the user types, in their own zone, and show due
//! dates back either relative to now or as a local date and time.
//!
//! Rules worth knowing:
//! - A date without a time means 09:00 local on that day, the start of a working day. That
//!   holds for "today" too, so "today" typed in the afternoon is already overdue; type a time
//!   ("today 17:00") for later the same day.
//! - A weekday ("fri", "friday", "next friday") means the next such day after today; on a
//!   Friday, "friday" is a week ahead. "next" changes nothing.
//! - A time alone ("14:30", "9am") means today, or tomorrow once that time has passed.
//! - "+3d", "in 1 week" keep the time of day; "+2h", "in 30 min" count from this minute.
//! - Day/month forms such as "24/12" are refused as ambiguous; write 2026-12-24 or "24 dec".
//! - A local time that a clock change skips moves an hour later; one that happens twice
//!   resolves to the first.

use chrono::{
    DateTime, Datelike, Days, Local, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc, Weekday,
};

/// The forms [`parse_due`] accepts, worded for a form's hint line and error messages.
pub const ACCEPTED_FORMS: &str = "today, tomorrow, fri, next friday, 24 dec, 2026-12-24, +3d, \
    +2h, +1w, +30m, in 3 days or 2026-12-24T14:30:00Z, with an optional time like 9am or 14:30";

/// The time of day a date without a time stands for.
pub const DEFAULT_DUE_TIME: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// Why typed text is not a due date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DueDateError {
    /// Nothing was typed.
    #[error("type a due date: {ACCEPTED_FORMS}")]
    Empty,
    /// The text matches none of the accepted forms.
    #[error("cannot read {0:?} as a due date; use {ACCEPTED_FORMS}")]
    Unrecognised(String),
    /// The text looks like a day/month date, which could be read either way round.
    #[error("{0:?} could be day/month or month/day; write it as 2026-12-24 or 24 dec")]
    Ambiguous(String),
    /// The text has the right shape but names no real date or time, like 2026-02-30 or 25:00.
    #[error("{0:?} is not a real date or time")]
    Invalid(String),
    /// The time typed does not exist on that day in the local zone: the clocks skip it.
    #[error(
        "{0:?} does not exist here: the clocks go forward over it that night; type a time after the change"
    )]
    Skipped(String),
    /// The date is too far from now to represent.
    #[error("{0:?} is too far away")]
    OutOfRange(String),
}

/// Reads a due date typed in the local zone, relative to `now`.
pub fn parse_due(input: &str, now: DateTime<Local>) -> Result<DateTime<Utc>, DueDateError> {
    parse_due_in(input, &now)
}

/// Reads a due date typed in the zone of `now`; [`parse_due`] with the zone made explicit, so
/// tests can fix both the clock and the zone.
pub fn parse_due_in<Tz: TimeZone>(
    input: &str,
    now: &DateTime<Tz>,
) -> Result<DateTime<Utc>, DueDateError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(DueDateError::Empty);
    }
    if let Ok(exact) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(exact.with_timezone(&Utc));
    }

    let lower = split_iso_time(trimmed.to_lowercase());
    let words: Vec<&str> = lower.split_whitespace().collect();

    if let Some(offset) = lower.strip_prefix('+') {
        return add_offset(now, &offset.replace(char::is_whitespace, ""), trimmed);
    }
    if words.first() == Some(&"in") && words.len() > 1 {
        return add_offset(now, &words[1..].concat(), trimmed);
    }
    if lower.contains('/') || looks_dotted(&lower) {
        return Err(DueDateError::Ambiguous(trimmed.to_owned()));
    }
    parse_day_and_time(&words, now, trimmed)
}

/// Reads an optional date followed by an optional time, at least one of them present.
fn parse_day_and_time<Tz: TimeZone>(
    words: &[&str],
    now: &DateTime<Tz>,
    trimmed: &str,
) -> Result<DateTime<Utc>, DueDateError> {
    let too_far = || DueDateError::OutOfRange(trimmed.to_owned());
    let wall = wall_clock(now).ok_or_else(too_far)?;
    let today = wall.date();
    let date = parse_date(words, today, trimmed)?;
    let rest = date.map_or(words, |(_, rest)| rest);
    let rest = match rest {
        ["at", tail @ ..] => tail,
        other => other,
    };
    let time = match rest {
        [] => None,
        _ => Some(
            parse_time(&rest.concat())
                .ok_or_else(|| DueDateError::Unrecognised(trimmed.to_owned()))?,
        ),
    };
    if date.is_none() && time.is_none() {
        return Err(DueDateError::Unrecognised(trimmed.to_owned()));
    }

    let mut local = date
        .map_or(today, |(day, _)| day)
        .and_time(time.unwrap_or(DEFAULT_DUE_TIME));
    if date.is_none() && local <= wall {
        local = local.checked_add_days(Days::new(1)).ok_or_else(too_far)?;
    }
    let instant = resolve(&now.timezone(), local).ok_or_else(too_far)?;
    // A time typed into the hour the clocks skip is refused rather than moved without a word:
    // its instant reads back as another wall-clock time (checked that way round because zone
    // implementations differ at the very start of the gap).
    let back = wall_clock(&instant.with_timezone(&now.timezone()));
    if time.is_some() && back != Some(local) {
        return Err(DueDateError::Skipped(trimmed.to_owned()));
    }
    Ok(instant)
}

/// The wall-clock time of `now` in its zone, or `None` at the very ends of the calendar, where
/// chrono's own `naive_local` would panic.
fn wall_clock<Tz: TimeZone>(now: &DateTime<Tz>) -> Option<NaiveDateTime> {
    now.naive_utc().checked_add_offset(now.offset().fix())
}

/// Puts a space in place of the `t` in 2026-12-24t14:30, so date and time read as two words.
fn split_iso_time(mut lower: String) -> String {
    if is_iso_date_shape(&lower) && lower.as_bytes().get(10) == Some(&b't') {
        lower.replace_range(10..11, " ");
    }
    lower
}

/// Whether the text looks like a dotted day/month date such as "24.12." or "24.12.2026".
fn looks_dotted(text: &str) -> bool {
    text.split('.').filter(|part| !part.is_empty()).count() >= 2
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Turns a local wall-clock time into an instant: a skipped time (reached by a day offset or
/// the default time, never typed) moves an hour later, a repeated one takes the first
/// occurrence.
fn resolve<Tz: TimeZone>(zone: &Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let instant = zone.from_local_datetime(&local).earliest().or_else(|| {
        let later = local.checked_add_signed(TimeDelta::hours(1))?;
        zone.from_local_datetime(&later).earliest()
    })?;
    Some(instant.with_timezone(&Utc))
}

/// Adds an offset such as "3d", "2h", "1week" or "30min" to `now`.
fn add_offset<Tz: TimeZone>(
    now: &DateTime<Tz>,
    offset: &str,
    input: &str,
) -> Result<DateTime<Utc>, DueDateError> {
    let digits = offset
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(offset.len());
    let (amount, unit) = offset.split_at(digits);
    if amount.is_empty() {
        return Err(DueDateError::Unrecognised(input.to_owned()));
    }
    let too_far = || DueDateError::OutOfRange(input.to_owned());
    // All digits, so a failed parse can only mean the number is too large.
    let amount: i64 = amount.parse().map_err(|_| too_far())?;

    let exact = match unit {
        "m" | "min" | "mins" | "minute" | "minutes" => TimeDelta::try_minutes(amount),
        "h" | "hr" | "hrs" | "hour" | "hours" => TimeDelta::try_hours(amount),
        "d" | "day" | "days" | "w" | "wk" | "wks" | "week" | "weeks" => None,
        _ => return Err(DueDateError::Unrecognised(input.to_owned())),
    };
    if unit.starts_with(['m', 'h']) {
        let due = exact.and_then(|delta| now.clone().checked_add_signed(delta));
        return due.map(|due| due.with_timezone(&Utc)).ok_or_else(too_far);
    }

    // Days and weeks move the calendar and keep the wall-clock time across clock changes.
    let per_unit = if unit.starts_with('w') { 7 } else { 1 };
    let days = u64::try_from(amount)
        .ok()
        .and_then(|amount| amount.checked_mul(per_unit))
        .ok_or_else(too_far)?;
    let local = wall_clock(now)
        .and_then(|wall| wall.checked_add_days(Days::new(days)))
        .ok_or_else(too_far)?;
    resolve(&now.timezone(), local).ok_or_else(too_far)
}

/// Reads the date at the start of `words`, returning it with the words left over, or `None`
/// when the words do not start with a date.
fn parse_date<'w>(
    words: &'w [&'w str],
    today: NaiveDate,
    input: &str,
) -> Result<Option<(NaiveDate, &'w [&'w str])>, DueDateError> {
    let invalid = || DueDateError::Invalid(input.to_owned());
    let Some((&first, rest)) = words.split_first() else {
        return Ok(None);
    };

    let (first, rest) = match (first, rest.split_first()) {
        ("next", Some((&day, tail))) if weekday(day).is_some() => (day, tail),
        _ => (first, rest),
    };

    if let Some(day) = weekday(first) {
        return Ok(Some((next_weekday(today, day).ok_or_else(invalid)?, rest)));
    }
    match first {
        "today" | "tod" => Ok(Some((today, rest))),
        "tomorrow" | "tmrw" | "tmr" => Ok(Some((today.succ_opt().ok_or_else(invalid)?, rest))),
        _ if is_iso_date_shape(first) => {
            let date = NaiveDate::parse_from_str(first, "%Y-%m-%d").map_err(|_| invalid())?;
            Ok(Some((date, rest)))
        }
        _ => parse_day_month(words, today, input),
    }
}

/// Whether `word` starts like 2026-12-24.
fn is_iso_date_shape(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
}

/// Reads "24 dec", "dec 24", "24th december 2026" and the like at the start of `words`. Without
/// a year, the next such date from today on is meant.
fn parse_day_month<'w>(
    words: &'w [&'w str],
    today: NaiveDate,
    input: &str,
) -> Result<Option<(NaiveDate, &'w [&'w str])>, DueDateError> {
    let [first, second, rest @ ..] = words else {
        return Ok(None);
    };
    let candidates = (
        day_number(first),
        month(second),
        month(first),
        day_number(second),
    );
    let ((Some(day), Some(month), _, _) | (_, _, Some(month), Some(day))) = candidates else {
        return Ok(None);
    };

    let invalid = || DueDateError::Invalid(input.to_owned());
    let year = rest
        .first()
        .filter(|word| word.len() == 4)
        .and_then(|word| word.parse::<i32>().ok());
    let date = match year {
        Some(year) => NaiveDate::from_ymd_opt(year, month, day).ok_or_else(invalid)?,
        None => NaiveDate::from_ymd_opt(today.year(), month, day)
            .filter(|date| *date >= today)
            .or_else(|| NaiveDate::from_ymd_opt(today.year() + 1, month, day))
            .ok_or_else(invalid)?,
    };
    let rest = if year.is_some() { &rest[1..] } else { rest };
    Ok(Some((date, rest)))
}

/// Reads a day of the month such as "24", "24th" or "1st,".
fn day_number(word: &str) -> Option<u32> {
    let word = word.trim_end_matches(',');
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
        .unwrap_or(word);
    let day: u32 = digits.parse().ok()?;
    (digits.len() <= 2 && (1..=31).contains(&day)).then_some(day)
}

/// Reads a month name or an abbreviation of at least three letters, as a number from 1.
fn month(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.trim_end_matches([',', '.']);
    if word.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|name| name.starts_with(word))?;
    u32::try_from(index + 1).ok()
}

/// Reads a weekday name or its usual abbreviations.
fn weekday(word: &str) -> Option<Weekday> {
    let day = match word.trim_end_matches(',') {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tues" | "tuesday" => Weekday::Tue,
        "wed" | "weds" | "wednesday" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

/// The first `day` strictly after `today`.
fn next_weekday(today: NaiveDate, day: Weekday) -> Option<NaiveDate> {
    let from = today.weekday().num_days_from_monday();
    let to = day.num_days_from_monday();
    let ahead = (7 + to - from) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    today.checked_add_days(Days::new(u64::from(ahead)))
}

/// Reads a time of day: "9", "9am", "9:30pm", "14:30", "noon".
fn parse_time(text: &str) -> Option<NaiveTime> {
    if text == "noon" {
        return NaiveTime::from_hms_opt(12, 0, 0);
    }

    let (body, afternoon) = match (text.strip_suffix("am"), text.strip_suffix("pm")) {
        (Some(body), _) => (body, Some(false)),
        (_, Some(body)) => (body, Some(true)),
        _ => (text, None),
    };
    let (hour, minute) = match body.split_once(':') {
        Some((hour, minute)) if minute.len() == 2 => (hour, minute),
        Some(_) => return None,
        None => (body, "00"),
    };
    if hour.is_empty() || hour.len() > 2 {
        return None;
    }
    let mut hour: u32 = hour.parse().ok()?;
    let minute: u32 = minute.parse().ok()?;

    if let Some(afternoon) = afternoon {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = hour % 12 + if afternoon { 12 } else { 0 };
    }
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// How far a due date is from now, as the task list's Due column and the task's details both
/// say it: one rule for both.
///
/// - Under a minute either way is `Now`.
/// - Under an hour is in minutes, under a day in hours, each rounded to the nearest whole one
///   (a tie goes to the smaller), so a task due "+2h" reads 2 h while the seconds after its
///   creation tick away.
/// - Further is in calendar days in the display zone: a task due the day after tomorrow is 2 d
///   away whatever the hour, and one due "+3d" is 3 d away. A span of nearly a day within one
///   calendar day still counts as 1 d.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueSpan {
    /// Within a minute.
    Now,
    /// Whole minutes: positive ahead, negative passed.
    Minutes(i64),
    /// Whole hours: positive ahead, negative passed.
    Hours(i64),
    /// Calendar days: positive ahead, negative passed.
    Days(i64),
}

/// How far `due` is from `now`, with days counted on the calendar of `zone`.
pub fn due_span<Tz: TimeZone>(due: DateTime<Utc>, now: DateTime<Utc>, zone: &Tz) -> DueSpan {
    let seconds = due.signed_duration_since(now).num_seconds();
    let magnitude = seconds.unsigned_abs();
    if magnitude < 60 {
        return DueSpan::Now;
    }
    let sign = if seconds > 0 { 1 } else { -1 };
    let signed = |amount: u64| sign * i64::try_from(amount).unwrap_or(i64::MAX);
    let nearest = |unit: u64| (magnitude + unit / 2 - 1) / unit;
    if nearest(60) < 60 {
        return DueSpan::Minutes(signed(nearest(60)));
    }
    if nearest(3_600) < 24 {
        return DueSpan::Hours(signed(nearest(3_600)));
    }
    let day = |at: DateTime<Utc>| at.with_timezone(zone).date_naive();
    let days = day(due).signed_duration_since(day(now)).num_days();
    DueSpan::Days(signed(days.unsigned_abs().max(1)))
}

impl DueSpan {
    /// In words, for a task's details: "in 3 d", "in 5 h", "now", "3 h ago" for a due time
    /// passed within the last day, "overdue 5 d" for one passed longer.
    pub fn words(self) -> String {
        let (amount, unit) = match self {
            Self::Now => return "now".to_owned(),
            Self::Minutes(n) => (n, "min"),
            Self::Hours(n) => (n, "h"),
            Self::Days(n) => (n, "d"),
        };
        let size = amount.unsigned_abs();
        if amount > 0 {
            format!("in {size} {unit}")
        } else if unit != "d" {
            format!("{size} {unit} ago")
        } else {
            format!("overdue {size} {unit}")
        }
    }

    /// In words for a task that is done, whose passed due date is no fault: "3 d ago" where
    /// an open task's would be "overdue 3 d".
    pub fn words_done(self) -> String {
        match self {
            Self::Days(n) if n < 0 => format!("{} d ago", n.unsigned_abs()),
            other => other.words(),
        }
    }

    /// In a few characters, for the Due column: `+3d`, `-963d`, `-5h`, `+20m`, `now`.
    pub fn compact(self) -> String {
        let (amount, unit) = match self {
            Self::Now => return "now".to_owned(),
            Self::Minutes(n) => (n, "m"),
            Self::Hours(n) => (n, "h"),
            Self::Days(n) => (n, "d"),
        };
        let sign = if amount > 0 { '+' } else { '-' };
        format!("{sign}{}{unit}", amount.unsigned_abs())
    }
}

/// Says how far `due` is from `now` in words ([`DueSpan::words`]), days counted on the
/// calendar of `zone`.
pub fn format_relative<Tz: TimeZone>(due: DateTime<Utc>, now: DateTime<Utc>, zone: &Tz) -> String {
    due_span(due, now, zone).words()
}

/// Shows `due` as a date and time in the local zone, like "Thu 2026-12-24 14:30".
pub fn format_local(due: DateTime<Utc>) -> String {
    format_in(due, &Local)
}

/// Shows `due` as a date and time in `zone`; [`format_local`] with the zone made explicit.
pub fn format_in<Tz: TimeZone>(due: DateTime<Utc>, zone: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    due.with_timezone(zone)
        .format("%a %Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests;
