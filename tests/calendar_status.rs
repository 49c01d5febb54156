//! The market status at an instant, when it next changes, and when bars
//! settle: the queries `get_market_status`, the cache lifetimes and the
//! warming scheduler make.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use trading_mcp::calendar::{
    ClosedReason, DayKind, Exchange, MarketStatus, Phase, PreOpenStage, SettleConfig,
};

fn at(zone: Tz, (y, m, d): (i32, u32, u32), (h, min, s): (u32, u32, u32)) -> DateTime<Utc> {
    zone.with_ymd_and_hms(y, m, d, h, min, s)
        .single()
        .unwrap_or_else(|| panic!("{y}-{m}-{d} {h}:{min}:{s} is not one local time"))
        .with_timezone(&Utc)
}

fn ist(ymd: (i32, u32, u32), h: u32, min: u32) -> DateTime<Utc> {
    at(chrono_tz::Asia::Kolkata, ymd, (h, min, 0))
}

fn new_york(ymd: (i32, u32, u32), h: u32, min: u32) -> DateTime<Utc> {
    at(chrono_tz::America::New_York, ymd, (h, min, 0))
}

fn nse_status(ymd: (i32, u32, u32), h: u32, min: u32) -> MarketStatus {
    Exchange::Nse.calendar().status(ist(ymd, h, min))
}

fn utc(local: Option<trading_mcp::calendar::LocalTime>) -> Option<DateTime<Utc>> {
    local.map(|t| t.with_timezone(&Utc))
}

fn closed(reason: ClosedReason) -> Phase {
    Phase::Closed { reason }
}

fn holiday(name: &str) -> Phase {
    closed(ClosedReason::Holiday {
        holiday: name.to_string(),
    })
}

const MUHURAT: &str = "Muhurat trading (Diwali Laxmi Pujan)";

#[test]
fn a_holiday_is_closed_with_its_name() {
    // Tuesday 2026-11-24, Guru Nanak Jayanti.
    let s = nse_status((2026, 11, 24), 11, 0);
    assert_eq!(s.phase, holiday("Prakash Gurpurb Sri Guru Nanak Dev"));
    assert_eq!(utc(s.next_open), Some(ist((2026, 11, 25), 9, 15)));
    assert_eq!(utc(s.next_close), Some(ist((2026, 11, 25), 15, 30)));
    assert_eq!(utc(s.valid_until), Some(ist((2026, 11, 25), 0, 0)));
    assert!(s.today.segments.is_empty() && s.today.pre_open.is_none());
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    assert_eq!(
        Exchange::Bse.calendar().is_open(ist((2026, 11, 24), 11, 0)),
        Some(false)
    );
}

#[test]
fn a_weekend_is_closed_until_monday() {
    let s = nse_status((2024, 3, 9), 10, 0);
    assert_eq!(s.phase, closed(ClosedReason::Weekend));
    assert_eq!(s.today.kind, DayKind::Weekend);
    assert_eq!(utc(s.next_open), Some(ist((2024, 3, 11), 9, 15)));
    assert_eq!(utc(s.valid_until), Some(ist((2024, 3, 10), 0, 0)));
}

#[test]
fn pre_open_stages_then_the_session() {
    let nse = Exchange::Nse.calendar();
    let day = (2024, 3, 1);
    let kolkata = chrono_tz::Asia::Kolkata;
    let cases = [
        ((8, 59, 59), closed(ClosedReason::BeforeOpen), (9, 0)),
        (
            (9, 0, 0),
            Phase::PreOpen {
                stage: PreOpenStage::OrderEntry,
            },
            (9, 8),
        ),
        (
            (9, 7, 59),
            Phase::PreOpen {
                stage: PreOpenStage::OrderEntry,
            },
            (9, 8),
        ),
        (
            (9, 8, 0),
            Phase::PreOpen {
                stage: PreOpenStage::OrderMatching,
            },
            (9, 12),
        ),
        (
            (9, 12, 0),
            Phase::PreOpen {
                stage: PreOpenStage::Buffer,
            },
            (9, 15),
        ),
        (
            (9, 14, 59),
            Phase::PreOpen {
                stage: PreOpenStage::Buffer,
            },
            (9, 15),
        ),
        ((9, 15, 0), Phase::Open, (15, 30)),
    ];
    for (time, phase, (h, m)) in cases {
        let t = at(kolkata, day, time);
        assert_eq!(nse.phase(t), phase, "{time:?}");
        assert_eq!(nse.next_change(t), Some(ist(day, h, m)), "{time:?}");
        assert_eq!(nse.is_open(t), Some(phase == Phase::Open), "{time:?}");
    }
    let s = nse_status(day, 9, 5);
    assert_eq!(utc(s.next_open), Some(ist(day, 9, 15)));
    let pre_open = s.today.pre_open.expect("regular pre-open");
    assert_eq!(
        pre_open.order_entry_ends.to_rfc3339(),
        "2024-03-01T09:08:00+05:30"
    );
}

#[test]
fn mid_session_and_after_the_close() {
    let s = nse_status((2024, 3, 1), 11, 0);
    assert_eq!(s.phase, Phase::Open);
    assert_eq!(utc(s.next_close), Some(ist((2024, 3, 1), 15, 30)));
    // Saturday 2024-03-02 is the DR-site session.
    assert_eq!(utc(s.next_open), Some(ist((2024, 3, 2), 9, 15)));
    assert_eq!(utc(s.valid_until), Some(ist((2024, 3, 1), 15, 30)));
    assert_eq!(s.at.to_rfc3339(), "2024-03-01T11:00:00+05:30");
    assert_eq!(s.timezone, "Asia/Kolkata");
    assert_eq!(s.calendar, "NSE/BSE");

    let s = nse_status((2024, 3, 1), 15, 30);
    assert_eq!(s.phase, closed(ClosedReason::AfterClose));
    assert_eq!(utc(s.valid_until), Some(ist((2024, 3, 2), 0, 0)));
    // Thursday 2024-03-07 after the close: Friday is Mahashivratri.
    assert_eq!(
        Exchange::Nse.calendar().next_open(ist((2024, 3, 7), 16, 0)),
        Some(ist((2024, 3, 11), 9, 15))
    );
}

#[test]
fn muhurat_on_a_friday_holiday_2024() {
    let nse = Exchange::Nse.calendar();
    let day = (2024, 11, 1);
    let s = nse.status(ist(day, 10, 0));
    assert_eq!(s.phase, holiday("Diwali Laxmi Pujan"));
    assert_eq!(utc(s.next_open), Some(ist(day, 18, 0)));
    assert_eq!(utc(s.next_close), Some(ist(day, 19, 0)));
    assert_eq!(
        utc(s.valid_until),
        Some(ist(day, 18, 0)),
        "no pre-open is recorded"
    );
    assert_eq!(
        s.today.kind,
        DayKind::SpecialSession {
            name: MUHURAT.into(),
            holiday: Some("Diwali Laxmi Pujan".into())
        }
    );
    let session = nse.status(ist(day, 18, 30));
    assert_eq!(
        session.phase,
        Phase::SpecialSession {
            name: MUHURAT.into()
        }
    );
    assert_eq!(nse.is_open(ist(day, 18, 30)), Some(true));
    let after = nse.status(ist(day, 19, 0));
    assert_eq!(after.phase, closed(ClosedReason::AfterClose));
    assert_eq!(utc(after.next_open), Some(ist((2024, 11, 4), 9, 15)));
}

#[test]
fn muhurat_with_its_pre_open_2025() {
    let nse = Exchange::Nse.calendar();
    let day = (2025, 10, 21);
    let cases = [
        ((13, 0), holiday("Diwali Laxmi Pujan")),
        (
            (13, 30),
            Phase::PreOpen {
                stage: PreOpenStage::OrderEntry,
            },
        ),
        (
            (13, 38),
            Phase::PreOpen {
                stage: PreOpenStage::OrderMatching,
            },
        ),
        (
            (13, 42),
            Phase::PreOpen {
                stage: PreOpenStage::Buffer,
            },
        ),
        (
            (13, 45),
            Phase::SpecialSession {
                name: MUHURAT.into(),
            },
        ),
        (
            (14, 44),
            Phase::SpecialSession {
                name: MUHURAT.into(),
            },
        ),
        ((14, 45), closed(ClosedReason::AfterClose)),
    ];
    for ((h, m), phase) in cases {
        assert_eq!(nse.phase(ist(day, h, m)), phase, "{h}:{m}");
    }
    assert_eq!(nse.next_change(ist(day, 13, 0)), Some(ist(day, 13, 30)));
    assert_eq!(nse.next_open(ist(day, 13, 31)), Some(ist(day, 13, 45)));
    // The next day is Diwali-Balipratipada.
    assert_eq!(
        nse.next_open(ist(day, 15, 0)),
        Some(ist((2025, 10, 23), 9, 15))
    );
}

#[test]
fn a_dr_site_saturday_is_closed_between_its_segments() {
    let nse = Exchange::Nse.calendar();
    let day = (2024, 3, 2);
    let name = "Special Saturday session (disaster-recovery site live trading)";
    let cases = [
        ((9, 0), closed(ClosedReason::BeforeOpen)),
        ((9, 30), Phase::SpecialSession { name: name.into() }),
        ((11, 0), closed(ClosedReason::BetweenSegments)),
        ((12, 0), Phase::SpecialSession { name: name.into() }),
        ((12, 30), closed(ClosedReason::AfterClose)),
    ];
    for ((h, m), phase) in cases {
        assert_eq!(nse.phase(ist(day, h, m)), phase, "{h}:{m}");
    }
    let s = nse.status(ist(day, 11, 0));
    assert_eq!(utc(s.next_open), Some(ist(day, 11, 30)));
    assert_eq!(utc(s.next_close), Some(ist(day, 12, 30)));
    assert_eq!(utc(s.valid_until), Some(ist(day, 11, 30)));
    assert_eq!(s.today.segments.len(), 2);
    assert_eq!(nse.is_open(ist(day, 11, 0)), Some(false));
}

#[test]
fn us_sessions_across_the_dst_changes() {
    let us = Exchange::Us.calendar();
    // Friday 2024-03-08 is EST (UTC-5); Monday 2024-03-11 is EDT (UTC-4).
    assert_eq!(
        new_york((2024, 3, 8), 9, 30),
        Utc.with_ymd_and_hms(2024, 3, 8, 14, 30, 0).unwrap()
    );
    let friday = us.status(new_york((2024, 3, 8), 17, 0));
    assert_eq!(friday.phase, closed(ClosedReason::AfterClose));
    assert_eq!(
        utc(friday.next_open),
        Some(Utc.with_ymd_and_hms(2024, 3, 11, 13, 30, 0).unwrap())
    );
    assert_eq!(
        friday.next_open.unwrap().to_rfc3339(),
        "2024-03-11T09:30:00-04:00"
    );
    assert_eq!(friday.at.to_rfc3339(), "2024-03-08T17:00:00-05:00");
    // The Sunday of the change is 23 hours long.
    let sunday = new_york((2024, 3, 10), 12, 0);
    assert_eq!(us.next_change(sunday), Some(new_york((2024, 3, 11), 0, 0)));
    assert_eq!(
        us.next_change(new_york((2024, 3, 9), 12, 0)),
        Some(new_york((2024, 3, 10), 0, 0))
    );
    assert_eq!(
        new_york((2024, 3, 11), 0, 0) - new_york((2024, 3, 10), 0, 0),
        Duration::hours(23)
    );
    // Back to EST in November: Friday 11-01 closes at 20:00Z, Monday opens at 14:30Z.
    let late = new_york((2024, 11, 1), 15, 59);
    assert_eq!(us.phase(late), Phase::Open);
    assert_eq!(
        us.next_close(late),
        Some(Utc.with_ymd_and_hms(2024, 11, 1, 20, 0, 0).unwrap())
    );
    assert_eq!(
        us.next_open(late),
        Some(Utc.with_ymd_and_hms(2024, 11, 4, 14, 30, 0).unwrap())
    );
    // US has no pre-open phase.
    assert_eq!(
        us.phase(new_york((2024, 11, 4), 9, 0)),
        closed(ClosedReason::BeforeOpen)
    );
}

#[test]
fn us_early_close_and_holiday() {
    let us = Exchange::Us.calendar();
    let day = (2024, 11, 29);
    assert_eq!(us.phase(new_york(day, 12, 0)), Phase::Open);
    assert_eq!(
        us.next_close(new_york(day, 12, 0)),
        Some(new_york(day, 13, 0))
    );
    assert_eq!(
        us.phase(new_york(day, 13, 0)),
        closed(ClosedReason::AfterClose)
    );
    let s = us.status(new_york(day, 12, 0));
    assert_eq!(
        s.today.kind,
        DayKind::Shortened {
            name: "Early close (day after Thanksgiving)".into()
        }
    );
    assert_eq!(
        us.phase(new_york((2024, 11, 28), 12, 0)),
        holiday("Thanksgiving Day")
    );
}

#[test]
fn a_session_with_unknown_hours_is_reported_as_such() {
    let nse = Exchange::Nse.calendar();
    let sunday = ist((2026, 11, 8), 18, 30);
    let s = nse.status(sunday);
    assert_eq!(
        s.phase,
        Phase::HoursUnknown {
            name: MUHURAT.into()
        }
    );
    assert_eq!(nse.is_open(sunday), None);
    assert_eq!(s.valid_until, None);
    assert_eq!((s.next_open, s.next_close), (None, None));
    assert!(!s.today.hours_known);
    assert_eq!(s.notes.len(), 1);
    assert!(
        s.notes[0].starts_with("2026-11-08 has a session (Muhurat"),
        "{:?}",
        s.notes
    );
    // The day before: a weekend, but the next open is not known either.
    let saturday = nse.status(ist((2026, 11, 7), 10, 0));
    assert_eq!(saturday.phase, closed(ClosedReason::Weekend));
    assert_eq!(saturday.next_open, None);
    assert_eq!(utc(saturday.valid_until), Some(ist((2026, 11, 8), 0, 0)));
    assert!(saturday.notes[0].contains("2026-11-08"));
    // The day after is regular again.
    assert_eq!(nse.phase(ist((2026, 11, 9), 10, 0)), Phase::Open);
}

#[test]
fn a_year_without_data_assumes_weekdays_and_says_so() {
    let nse = Exchange::Nse.calendar();
    let s = nse.status(ist((2027, 1, 26), 11, 0));
    assert_eq!(s.phase, Phase::Open);
    assert_eq!(
        s.notes,
        vec![
            "the NSE/BSE calendar has no data for 2027 (it covers 1997-2026): every weekday is assumed to be a regular session"
        ]
    );
    // At the end of the last covered year the note is about the next open's year.
    let eve = nse.status(ist((2026, 12, 31), 16, 0));
    assert_eq!(eve.notes.len(), 1);
    assert!(eve.notes[0].contains("no data for 2027"));
}

#[test]
fn status_serialises_for_the_tool() {
    let nse = Exchange::Nse.calendar();
    let s = nse.status(ist((2025, 10, 21), 13, 31));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["phase"], "pre_open");
    assert_eq!(json["stage"], "order_entry");
    assert_eq!(json["next_open"], "2025-10-21T13:45:00+05:30");
    assert_eq!(json["today"]["kind"], "special_session");
    assert_eq!(json["today"]["holiday"], "Diwali Laxmi Pujan");
    assert_eq!(
        json["today"]["pre_open"]["starts"],
        "2025-10-21T13:30:00+05:30"
    );
    assert_eq!(
        json["today"]["segments"][0]["close"],
        "2025-10-21T14:45:00+05:30"
    );
    assert!(json.get("notes").is_none());
    let back: MarketStatus = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);

    let closed = serde_json::to_value(nse.status(ist((2026, 11, 24), 11, 0))).unwrap();
    assert_eq!(closed["phase"], "closed");
    assert_eq!(closed["reason"], "holiday");
    assert_eq!(closed["holiday"], "Prakash Gurpurb Sri Guru Nanak Dev");

    let schema = serde_json::to_string(&schemars::schema_for!(MarketStatus)).unwrap();
    for field in [
        "phase",
        "next_open",
        "valid_until",
        "hours_known",
        "order_matching",
    ] {
        assert!(schema.contains(field), "schema lacks {field}");
    }
}

#[test]
fn bars_settle_after_the_last_close_plus_the_grace() {
    let nse = Exchange::Nse.calendar();
    let rule = SettleConfig::default();
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let friday = d(2024, 3, 1);
    assert_eq!(
        nse.settle_instant(friday, rule),
        Some(ist((2024, 3, 1), 15, 45))
    );
    assert!(!nse.is_settled(friday, ist((2024, 3, 1), 15, 44), rule));
    assert!(nse.is_settled(friday, ist((2024, 3, 1), 15, 45), rule));
    let longer = SettleConfig::from_minutes(30).unwrap();
    assert!(!nse.is_settled(friday, ist((2024, 3, 1), 15, 45), longer));
    assert!(nse.is_settled(friday, ist((2024, 3, 1), 16, 0), longer));
    // Muhurat: a holiday whose bars settle only after the evening session.
    let diwali = d(2024, 11, 1);
    assert_eq!(
        nse.settle_instant(diwali, rule),
        Some(ist((2024, 11, 1), 19, 15))
    );
    assert!(!nse.is_settled(diwali, ist((2024, 11, 1), 16, 0), rule));
    // The DR Saturday settles after its second segment.
    assert_eq!(
        nse.settle_instant(d(2024, 3, 2), rule),
        Some(ist((2024, 3, 2), 12, 45))
    );
    // Unknown hours: not before the day is over.
    let sunday = d(2026, 11, 8);
    assert_eq!(
        nse.settle_instant(sunday, rule),
        Some(ist((2026, 11, 9), 0, 15))
    );
    assert!(!nse.is_settled(sunday, ist((2026, 11, 8), 23, 0), rule));
    // A holiday has nothing to settle; a future day is never settled.
    let holiday = d(2026, 11, 24);
    assert_eq!(nse.settle_instant(holiday, rule), None);
    assert!(nse.is_settled(holiday, ist((2026, 11, 24), 10, 0), rule));
    assert!(!nse.is_settled(d(2026, 11, 25), ist((2026, 11, 24), 10, 0), rule));
    // US early close.
    let us = Exchange::Us.calendar();
    assert_eq!(
        us.settle_instant(d(2024, 11, 29), rule),
        Some(new_york((2024, 11, 29), 13, 15))
    );
}

#[test]
fn the_next_settle_is_the_post_close_run() {
    let nse = Exchange::Nse.calendar();
    let rule = SettleConfig::default();
    assert_eq!(
        nse.next_settle(ist((2024, 3, 1), 10, 0), rule),
        Some(ist((2024, 3, 1), 15, 45))
    );
    // Friday's settle passed: the DR Saturday's, after its second segment.
    assert_eq!(
        nse.next_settle(ist((2024, 3, 1), 15, 45), rule),
        Some(ist((2024, 3, 2), 12, 45))
    );
    assert_eq!(
        nse.next_settle(ist((2024, 3, 2), 12, 45), rule),
        Some(ist((2024, 3, 4), 15, 45))
    );
    assert_eq!(
        nse.next_settle(ist((2024, 11, 1), 16, 0), rule),
        Some(ist((2024, 11, 1), 19, 15))
    );
    // A grace past midnight: yesterday's session is still due.
    let long = SettleConfig::from_minutes(600).unwrap();
    assert_eq!(
        nse.next_settle(ist((2024, 3, 2), 0, 30), long),
        Some(ist((2024, 3, 2), 1, 30))
    );
}

#[test]
fn partial_bars() {
    let nse = Exchange::Nse.calendar();
    let rule = SettleConfig::default();
    let day = (2024, 3, 1);
    let (midnight, next_midnight) = (ist(day, 0, 0), ist((2024, 3, 2), 0, 0));
    // The daily bar is partial until the day settles.
    assert!(nse.bar_is_partial(midnight, next_midnight, ist(day, 11, 0), rule));
    assert!(nse.bar_is_partial(midnight, next_midnight, ist(day, 15, 44), rule));
    assert!(!nse.bar_is_partial(midnight, next_midnight, ist(day, 15, 45), rule));
    // A 5-minute bar until its five minutes are over.
    let five = |h, m| (ist(day, h, m), ist(day, h, m) + Duration::minutes(5));
    let (start, end) = five(11, 0);
    assert!(nse.bar_is_partial(start, end, ist(day, 11, 3), rule));
    assert!(!nse.bar_is_partial(start, end, ist(day, 11, 5), rule));
    let (start, end) = five(15, 25);
    assert!(!nse.bar_is_partial(start, end, ist(day, 15, 31), rule));
    // An hourly bar that runs past the close, until the day settles.
    let (start, end) = (ist(day, 15, 15), ist(day, 16, 15));
    assert!(nse.bar_is_partial(start, end, ist(day, 15, 40), rule));
    assert!(!nse.bar_is_partial(start, end, ist(day, 15, 45), rule));
    // The week of 2024-03-04 ends on Thursday (Friday is Mahashivratri).
    let (monday, next_monday) = (ist((2024, 3, 4), 0, 0), ist((2024, 3, 11), 0, 0));
    assert!(nse.bar_is_partial(monday, next_monday, ist((2024, 3, 6), 12, 0), rule));
    assert!(!nse.bar_is_partial(monday, next_monday, ist((2024, 3, 7), 15, 45), rule));
    // Diwali's daily bar waits for the Muhurat session; a Sunday has none.
    let diwali = (ist((2024, 11, 1), 0, 0), ist((2024, 11, 2), 0, 0));
    assert!(nse.bar_is_partial(diwali.0, diwali.1, ist((2024, 11, 1), 16, 0), rule));
    let sunday = (ist((2024, 3, 3), 0, 0), ist((2024, 3, 4), 0, 0));
    assert!(!nse.bar_is_partial(sunday.0, sunday.1, ist((2024, 3, 3), 12, 0), rule));
    assert!(
        !nse.bar_is_partial(end, start, ist(day, 12, 0), rule),
        "empty span"
    );
}
