//! Tests of due-date reading and wording, against a fixed clock and zone.

use chrono::FixedOffset;

use super::*;

/// Wednesday 2026-03-11, 15:20 at UTC+1.
fn now() -> DateTime<FixedOffset> {
    let zone = FixedOffset::east_opt(3600).unwrap();
    zone.with_ymd_and_hms(2026, 3, 11, 15, 20, 0).unwrap()
}

/// Parses against [`now`] and shows the result back in the same zone.
fn due(input: &str) -> Result<String, DueDateError> {
    let now = now();
    let utc = parse_due_in(input, &now)?;
    Ok(utc
        .with_timezone(&now.timezone())
        .format("%Y-%m-%d %H:%M")
        .to_string())
}

fn ok(input: &str) -> String {
    due(input).unwrap_or_else(|error| panic!("{input:?}: {error}"))
}

#[test]
fn day_words_default_to_nine() {
    assert_eq!(ok("today"), "2026-03-11 09:00");
    assert_eq!(ok("tomorrow"), "2026-03-12 09:00");
    assert_eq!(ok("  TMRW "), "2026-03-12 09:00");
}

#[test]
fn day_words_with_times() {
    assert_eq!(ok("tomorrow 9:00"), "2026-03-12 09:00");
    assert_eq!(ok("tomorrow 9am"), "2026-03-12 09:00");
    assert_eq!(ok("Tomorrow at 9 AM"), "2026-03-12 09:00");
    assert_eq!(ok("tomorrow 9:30pm"), "2026-03-12 21:30");
    assert_eq!(ok("tomorrow 12am"), "2026-03-12 00:00");
    assert_eq!(ok("tomorrow 12pm"), "2026-03-12 12:00");
    assert_eq!(ok("tomorrow noon"), "2026-03-12 12:00");
    assert_eq!(ok("today 17:45"), "2026-03-11 17:45");
}

#[test]
fn iso_dates() {
    assert_eq!(ok("2026-12-24"), "2026-12-24 09:00");
    assert_eq!(ok("2026-12-24 14:30"), "2026-12-24 14:30");
    assert_eq!(ok("2026-12-24T14:30"), "2026-12-24 14:30");
    assert_eq!(ok("2026-12-24 at 2pm"), "2026-12-24 14:00");
}

#[test]
fn rfc3339_is_taken_exactly() {
    let utc = parse_due_in("2026-12-24T14:30:00Z", &now()).unwrap();
    assert_eq!(utc.to_rfc3339(), "2026-12-24T14:30:00+00:00");
    let utc = parse_due_in("2026-12-24T14:30:00-05:00", &now()).unwrap();
    assert_eq!(utc.to_rfc3339(), "2026-12-24T19:30:00+00:00");
}

#[test]
fn plus_offsets() {
    assert_eq!(ok("+3d"), "2026-03-14 15:20");
    assert_eq!(ok("+2h"), "2026-03-11 17:20");
    assert_eq!(ok("+1w"), "2026-03-18 15:20");
    assert_eq!(ok("+30m"), "2026-03-11 15:50");
    assert_eq!(ok("+ 3 days"), "2026-03-14 15:20");
    assert_eq!(ok("+0m"), "2026-03-11 15:20");
}

#[test]
fn in_phrases() {
    assert_eq!(ok("in 3 days"), "2026-03-14 15:20");
    assert_eq!(ok("in 1 day"), "2026-03-12 15:20");
    assert_eq!(ok("in 2 hours"), "2026-03-11 17:20");
    assert_eq!(ok("in 30 min"), "2026-03-11 15:50");
    assert_eq!(ok("in 2 weeks"), "2026-03-25 15:20");
    assert_eq!(ok("in 3d"), "2026-03-14 15:20");
}

#[test]
fn weekdays_mean_the_next_one_after_today() {
    assert_eq!(ok("mon"), "2026-03-16 09:00");
    assert_eq!(ok("monday"), "2026-03-16 09:00");
    assert_eq!(ok("thu"), "2026-03-12 09:00");
    assert_eq!(ok("fri"), "2026-03-13 09:00");
    // Today is a Wednesday, so "wed" is a week ahead.
    assert_eq!(ok("wed"), "2026-03-18 09:00");
    assert_eq!(ok("next friday 10:00"), "2026-03-13 10:00");
    assert_eq!(ok("next fri"), "2026-03-13 09:00");
    assert_eq!(ok("sunday at 8pm"), "2026-03-15 20:00");
}

#[test]
fn day_and_month_names() {
    assert_eq!(ok("24 dec"), "2026-12-24 09:00");
    assert_eq!(ok("dec 24"), "2026-12-24 09:00");
    assert_eq!(ok("24th December 2027 8am"), "2027-12-24 08:00");
    assert_eq!(ok("11 mar"), "2026-03-11 09:00");
    // Already past this year, so next year's.
    assert_eq!(ok("1 mar"), "2027-03-01 09:00");
    assert_eq!(ok("sept 3 14:00"), "2026-09-03 14:00");
}

#[test]
fn time_alone_is_the_next_such_time() {
    assert_eq!(ok("16:00"), "2026-03-11 16:00");
    assert_eq!(ok("14:30"), "2026-03-12 14:30");
    assert_eq!(ok("at 9am"), "2026-03-12 09:00");
    assert_eq!(ok("noon"), "2026-03-12 12:00");
}

#[test]
fn day_month_with_slashes_or_dots_is_ambiguous() {
    for input in ["24/12", "12/24/2026", "24.12.", "24.12.2026"] {
        assert!(
            matches!(due(input), Err(DueDateError::Ambiguous(_))),
            "{input}"
        );
    }
    let message = due("24/12").unwrap_err().to_string();
    assert!(message.contains("2026-12-24"), "{message}");
}

#[test]
fn errors_name_the_accepted_forms() {
    assert_eq!(due(""), Err(DueDateError::Empty));
    assert_eq!(due("   "), Err(DueDateError::Empty));
    let error = due("whenever").unwrap_err();
    assert_eq!(error, DueDateError::Unrecognised("whenever".to_owned()));
    let message = error.to_string();
    assert!(
        message.contains("tomorrow") && message.contains("+3d"),
        "{message}"
    );
}

#[test]
fn impossible_dates_and_times_are_refused() {
    assert!(matches!(due("2026-02-30"), Err(DueDateError::Invalid(_))));
    assert!(matches!(due("31 feb 2026"), Err(DueDateError::Invalid(_))));
    assert!(matches!(due("2026-13-01"), Err(DueDateError::Invalid(_))));
    for input in [
        "tomorrow 25:00",
        "tomorrow 9:60",
        "tomorrow 13pm",
        "tomorrow 0am",
        "tomorrow 9:5",
    ] {
        assert!(
            matches!(due(input), Err(DueDateError::Unrecognised(_))),
            "{input}"
        );
    }
}

#[test]
fn bad_offsets_are_refused() {
    assert!(matches!(due("+3x"), Err(DueDateError::Unrecognised(_))));
    assert!(matches!(due("+d"), Err(DueDateError::Unrecognised(_))));
    assert!(matches!(
        due("in a while"),
        Err(DueDateError::Unrecognised(_))
    ));
    assert!(matches!(
        due("+99999999999999999999d"),
        Err(DueDateError::OutOfRange(_))
    ));
    assert!(matches!(
        due("+400000000w"),
        Err(DueDateError::OutOfRange(_))
    ));
    assert!(matches!(
        due("+400000000000m"),
        Err(DueDateError::OutOfRange(_))
    ));
}

#[test]
fn odd_input_never_panics() {
    let inputs = [
        "+",
        "in",
        "next",
        "at",
        "t",
        "🦀",
        "\u{0}",
        "2026-12-24t",
        "2026-12-24tt",
        "李",
        "é",
        "9999-12-31 23:59",
        "0000-01-01",
        "24 dec 99999",
        "+-3d",
        "in -3 days",
        "1.5",
        ".",
        "next next friday",
        "friday friday",
        "2026-12-24 14:30 extra",
        "+9999999999999999999h",
    ];
    for input in inputs {
        let _ = due(input);
    }
}

#[test]
fn parse_due_uses_the_local_zone() {
    let now = Local::now();
    let due = parse_due("+2h", now).unwrap();
    assert_eq!(due, now.with_timezone(&Utc) + TimeDelta::hours(2));
}

/// A zone like central Europe's around 2026-03-29, when 02:00 local jumps to 03:00.
#[derive(Debug, Clone, Copy)]
struct SpringForward;

impl SpringForward {
    fn switch_local() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 29)
            .and_then(|day| day.and_hms_opt(2, 0, 0))
            .unwrap()
    }
    fn winter() -> FixedOffset {
        FixedOffset::east_opt(3600).unwrap()
    }
    fn summer() -> FixedOffset {
        FixedOffset::east_opt(7200).unwrap()
    }
}

impl TimeZone for SpringForward {
    type Offset = FixedOffset;

    fn from_offset(_: &FixedOffset) -> Self {
        Self
    }
    fn offset_from_local_date(&self, _: &NaiveDate) -> chrono::LocalResult<FixedOffset> {
        chrono::LocalResult::None
    }
    fn offset_from_local_datetime(
        &self,
        local: &NaiveDateTime,
    ) -> chrono::LocalResult<FixedOffset> {
        let switch = Self::switch_local();
        if *local < switch {
            chrono::LocalResult::Single(Self::winter())
        } else if *local < switch + TimeDelta::hours(1) {
            chrono::LocalResult::None
        } else {
            chrono::LocalResult::Single(Self::summer())
        }
    }
    fn offset_from_utc_date(&self, _: &NaiveDate) -> FixedOffset {
        Self::winter()
    }
    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
        if *utc < Self::switch_local() - TimeDelta::hours(1) {
            Self::winter()
        } else {
            Self::summer()
        }
    }
}

#[test]
fn clock_changes() {
    let now = SpringForward
        .with_ymd_and_hms(2026, 3, 28, 10, 0, 0)
        .unwrap();
    let utc = |input: &str| parse_due_in(input, &now).unwrap().to_rfc3339();
    // 02:30 does not exist that night: typed, it is refused, not moved without a word.
    assert!(matches!(
        parse_due_in("tomorrow 2:30", &now),
        Err(DueDateError::Skipped(_))
    ));
    assert!(matches!(
        parse_due_in("2026-03-29 02:30", &now),
        Err(DueDateError::Skipped(_))
    ));
    assert!(matches!(
        parse_due_in("tomorrow 2:00", &now),
        Err(DueDateError::Skipped(_))
    ));
    assert_eq!(utc("tomorrow 3:30"), "2026-03-29T01:30:00+00:00");
    assert_eq!(utc("tomorrow 1:59"), "2026-03-29T00:59:00+00:00");
    assert_eq!(utc("tomorrow 3:00"), "2026-03-29T01:00:00+00:00");
    // A day later keeps 10:00 on the wall clock, which is only 23 hours on.
    assert_eq!(utc("+1d"), "2026-03-29T08:00:00+00:00");
    assert_eq!(utc("+24h"), "2026-03-29T09:00:00+00:00");
}

#[test]
fn relative_wording() {
    let now = Utc.with_ymd_and_hms(2026, 3, 11, 12, 0, 0).unwrap();
    let at = |seconds: i64| format_relative(now + TimeDelta::seconds(seconds), now, &Utc);
    assert_eq!(at(0), "now");
    assert_eq!(at(59), "now");
    assert_eq!(at(-59), "now");
    assert_eq!(at(45 * 60), "in 45 min");
    assert_eq!(at(5 * 3600 + 59), "in 5 h");
    assert_eq!(at(2 * 86_400 + 3 * 3600), "in 2 d");
    assert_eq!(at(-90), "1 min ago");
    assert_eq!(at(-3 * 3600), "3 h ago");
    assert_eq!(at(-5 * 86_400), "overdue 5 d");
    assert_eq!(at(-86_400), "overdue 1 d");
}

#[test]
fn relative_wording_rounds_to_the_nearest_unit() {
    let now = Utc.with_ymd_and_hms(2026, 3, 11, 12, 0, 0).unwrap();
    let at = |seconds: i64| format_relative(now + TimeDelta::seconds(seconds), now, &Utc);
    // A task due "+3d", looked at a few seconds after it was created.
    assert_eq!(at(3 * 86_400 - 5), "in 3 d");
    assert_eq!(at(2 * 86_400 + 13 * 3600), "in 3 d");
    assert_eq!(at(2 * 3600 - 30), "in 2 h");
    assert_eq!(at(3600 - 20), "in 1 h");
    assert_eq!(at(24 * 3600 - 60), "in 1 d");
    assert_eq!(at(10 * 60 - 1), "in 10 min");
    assert_eq!(at(-(86_400 - 600)), "overdue 1 d");
    assert_eq!(at(-(3 * 3600 - 40)), "3 h ago");
}

#[test]
fn absolute_wording() {
    let due = Utc.with_ymd_and_hms(2026, 12, 24, 13, 30, 0).unwrap();
    let zone = FixedOffset::east_opt(3600).unwrap();
    assert_eq!(format_in(due, &zone), "Thu 2026-12-24 14:30");
    assert!(!format_local(due).is_empty());
}

#[test]
fn days_are_calendar_days_in_the_zone() {
    // 23:00 on the 11th: the 13th at 09:00 is 34 hours on, the day after tomorrow.
    let now = Utc.with_ymd_and_hms(2026, 3, 11, 23, 0, 0).unwrap();
    let due = Utc.with_ymd_and_hms(2026, 3, 13, 9, 0, 0).unwrap();
    assert_eq!(format_relative(due, now, &Utc), "in 2 d");
    assert_eq!(due_span(due, now, &Utc).compact(), "+2d");
    // Five hours east, now is already the 12th at 04:00 and the due date the 13th at 14:00.
    let east = FixedOffset::east_opt(5 * 3600).unwrap();
    assert_eq!(format_relative(due, now, &east), "in 1 d");
    // Passed: yesterday, whatever the hour, is a day overdue; the day before is two.
    let morning = Utc.with_ymd_and_hms(2026, 3, 12, 1, 0, 0).unwrap();
    let passed = Utc.with_ymd_and_hms(2026, 3, 10, 23, 0, 0).unwrap();
    assert_eq!(format_relative(passed, morning, &Utc), "overdue 2 d");
    assert_eq!(due_span(passed, morning, &Utc).compact(), "-2d");
    // Nearly a day within one calendar day is still a day, never "0 d".
    let early = Utc.with_ymd_and_hms(2026, 3, 11, 0, 10, 0).unwrap();
    let late = Utc.with_ymd_and_hms(2026, 3, 11, 23, 50, 0).unwrap();
    assert_eq!(format_relative(late, early, &Utc), "in 1 d");
}
