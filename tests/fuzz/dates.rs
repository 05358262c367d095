//! The due-date parser of the task form: any text at any moment in any zone gives a date or an
//! error, never a panic; the forms it documents mean what they say.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};
use ghl_console::ghl::models::format_due_date;
use ghl_console::tui::dates::{DueDateError, format_in, format_relative, parse_due_in};
use proptest::prelude::*;

use crate::strategies::text;

/// The earliest and latest instants chrono can hold, in seconds.
const MIN_SECONDS: i64 = -8_334_601_228_800;
const MAX_SECONDS: i64 = 8_210_266_876_799;

/// "Now": mostly this era, sometimes at the very ends of what chrono can represent.
fn now() -> impl Strategy<Value = DateTime<FixedOffset>> {
    let seconds = prop_oneof![
        8 => 0i64..4_102_444_800,
        1 => MIN_SECONDS..MIN_SECONDS + 200_000_000,
        1 => MAX_SECONDS - 200_000_000..=MAX_SECONDS,
    ];
    (seconds, -86_399i32..=86_399).prop_map(|(seconds, offset)| {
        let zone = FixedOffset::east_opt(offset).unwrap();
        zone.timestamp_opt(seconds, 0).unwrap()
    })
}

/// Typed-looking text: the parser's own words and numbers in any order, or anything at all.
fn typed() -> impl Strategy<Value = String> {
    const WORDS: &[&str] = &[
        "today",
        "tomorrow",
        "tmrw",
        "next",
        "fri",
        "friday",
        "mon",
        "in",
        "at",
        "noon",
        "am",
        "pm",
        "9am",
        "12pm",
        "14:30",
        "9:5",
        "24",
        "24th",
        "1st,",
        "dec",
        "december",
        "feb",
        "2026",
        "2026-12-24",
        "2026-02-30",
        "2026-12-24t14:30",
        "+",
        "+3d",
        "+2h",
        "+1w",
        "+30m",
        "d",
        "h",
        "w",
        "m",
        "min",
        "mins",
        "days",
        "week",
        "weeks",
        "-",
        ":",
        "/",
        ".",
        "24.12.",
        "24/12",
        "T",
        "Z",
        "99999999999999999999",
        "9223372036854775807",
        "0",
        "00:00",
        "25:00",
        "13pm",
        "0am",
        "+-1d",
        "in in",
        "next next",
    ];
    let word = prop_oneof![
        6 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => (0u64..100_000_000_000).prop_map(|n| n.to_string()),
        1 => text(),
    ];
    let sentence = (proptest::collection::vec(word, 1..5), "[ \t]{0,2}")
        .prop_map(|(words, gap)| words.join(if gap.is_empty() { " " } else { &gap }));
    prop_oneof![4 => sentence, 1 => text(), 1 => any::<String>()]
}

/// An instant at whole seconds between the years 1 and 9999.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (-62_135_596_800i64..253_402_300_799).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

fn zone() -> impl Strategy<Value = FixedOffset> {
    (-14 * 3600..=14 * 3600).prop_map(|offset| FixedOffset::east_opt(offset).unwrap())
}

/// A moment of this era in some zone.
fn recent(zone: FixedOffset, seconds: i64) -> DateTime<FixedOffset> {
    zone.timestamp_opt(seconds, 0).unwrap()
}

fn local(due: DateTime<Utc>, zone: FixedOffset) -> chrono::NaiveDateTime {
    due.with_timezone(&zone).naive_local()
}

proptest! {
    #![proptest_config(crate::config(512))]

    #[test]
    fn any_text_at_any_moment_gives_a_date_or_an_error(input in typed(), now in now()) {
        if let Ok(due) = parse_due_in(&input, &now) {
            let _ = format_relative(due, now.with_timezone(&Utc), &now.timezone());
            let _ = format_in(due, &now.timezone());
        }
    }

    #[test]
    fn the_sent_format_reads_back_exactly(at in instant(), now in now()) {
        prop_assert_eq!(parse_due_in(&format_due_date(at), &now), Ok(at));
    }

    #[test]
    fn an_iso_date_and_time_is_that_wall_clock_time(
        at in instant(), zone in zone(), seconds in 0i64..4_102_444_800, form in 0usize..3,
    ) {
        let wall = local(at, zone);
        let typed = match form {
            0 => wall.format("%Y-%m-%d %H:%M").to_string(),
            1 => wall.format("%Y-%m-%dT%H:%M").to_string(),
            _ => wall.format("%Y-%m-%d at %-I:%M%P").to_string(),
        };
        let due = parse_due_in(&typed, &recent(zone, seconds));
        prop_assume!(due != Err(DueDateError::OutOfRange(typed.clone())));
        let due = due.map_err(|e| TestCaseError::fail(format!("{typed}: {e}")))?;
        prop_assert_eq!(local(due, zone), wall.with_second(0).unwrap());
        let shown = format_in(due, &zone);
        prop_assert!(shown.ends_with(&wall.format("%Y-%m-%d %H:%M").to_string()), "{shown}");
    }

    #[test]
    fn a_day_and_month_name_with_a_year_is_the_iso_date(
        date in (1i32..9999, 1u32..=12, 1u32..=31)
            .prop_filter_map("a real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
        zone in zone(),
        seconds in 0i64..4_102_444_800,
        month_first in any::<bool>(),
    ) {
        let now = recent(zone, seconds);
        let year = format!("{:04}", date.year());
        let month = date.format("%b").to_string();
        let day = date.day().to_string();
        let named = if month_first {
            format!("{month} {day} {year}")
        } else {
            format!("{day} {month} {year}")
        };
        let iso = date.format("%Y-%m-%d").to_string();
        prop_assert_eq!(parse_due_in(&named, &now), parse_due_in(&iso, &now));
    }

    #[test]
    fn offsets_count_from_now(
        amount in 0i64..100_000, zone in zone(), seconds in 0i64..4_102_444_800, unit in 0usize..4,
    ) {
        let now = recent(zone, seconds);
        let (short, long, step) = match unit {
            0 => ("m", "minutes", Duration::minutes(amount)),
            1 => ("h", "hours", Duration::hours(amount)),
            2 => ("d", "days", Duration::days(amount)),
            _ => ("w", "weeks", Duration::weeks(amount)),
        };
        let (typed, spelled) = (format!("+{amount}{short}"), format!("in {amount} {long}"));
        let expected = (now + step).with_timezone(&Utc);
        prop_assert_eq!(parse_due_in(&typed, &now), Ok(expected));
        prop_assert_eq!(parse_due_in(&spelled, &now), Ok(expected));
    }

    #[test]
    fn a_weekday_is_the_next_one_at_nine(
        day in 0usize..7, zone in zone(), seconds in 0i64..4_102_444_800, next in any::<bool>(),
    ) {
        const DAYS: [&str; 7] =
            ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
        let now = recent(zone, seconds);
        let typed = if next { format!("next {}", DAYS[day]) } else { DAYS[day][..3].to_string() };
        let due = local(parse_due_in(&typed, &now).unwrap(), zone);
        let ahead = (due.date() - now.date_naive()).num_days();
        prop_assert!((1..=7).contains(&ahead), "{typed}: {ahead} days ahead");
        prop_assert_eq!(due.weekday().num_days_from_monday() as usize, day);
        prop_assert_eq!((due.hour(), due.minute()), (9, 0));
    }

    #[test]
    fn a_time_alone_is_the_next_such_time(
        hour in 0u32..24, minute in 0u32..60, zone in zone(), seconds in 0i64..4_102_444_800,
    ) {
        let now = recent(zone, seconds);
        let typed = format!("{hour}:{minute:02}");
        let due = parse_due_in(&typed, &now).unwrap();
        let gap = due - now.with_timezone(&Utc);
        prop_assert!(gap > Duration::zero() && gap <= Duration::days(1), "{typed}: {gap}");
        let wall = local(due, zone);
        prop_assert_eq!((wall.hour(), wall.minute()), (hour, minute));
    }

    #[test]
    fn case_and_surrounding_space_do_not_matter(typed in typed(), seconds in 0i64..4_102_444_800) {
        let input: String = typed.chars().filter(char::is_ascii).collect();
        let now = recent(FixedOffset::east_opt(3600).unwrap(), seconds);
        let shouted = format!("  {}\t", input.to_uppercase());
        let quiet = parse_due_in(&input, &now).map_err(|e| std::mem::discriminant(&e));
        let loud = parse_due_in(&shouted, &now).map_err(|e| std::mem::discriminant(&e));
        prop_assert_eq!(quiet, loud);
    }
}

/// Found by `any_text_at_any_moment_gives_a_date_or_an_error`: with the clock at the earliest
/// instant chrono holds and a zone west of UTC, the local date of "now" does not exist and
/// reading it panicked inside chrono.
#[test]
fn regression_a_clock_at_the_end_of_the_calendar_is_an_error_not_a_panic() {
    let west = FixedOffset::west_opt(15 * 3600).unwrap();
    let east = FixedOffset::east_opt(15 * 3600).unwrap();
    let first = west.timestamp_opt(MIN_SECONDS, 0).unwrap();
    let last = east.timestamp_opt(MAX_SECONDS, 0).unwrap();
    for input in ["today", "tomorrow 9:00", "+3d", "fri", "14:30", "24 dec"] {
        assert!(
            matches!(
                parse_due_in(input, &first),
                Err(DueDateError::OutOfRange(_))
            ),
            "{input}"
        );
        assert!(
            matches!(parse_due_in(input, &last), Err(DueDateError::OutOfRange(_))),
            "{input}"
        );
    }
}
