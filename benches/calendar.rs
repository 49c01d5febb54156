//! The calendar queries on a request's path: the cache asks `is_open` and
//! `next_open`/`next_change` on every chart request, `get_market_status`
//! builds a whole status, and imports count session days over years.

use std::hint::black_box;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use trading_mcp::calendar::{Exchange, ExchangeCalendar, SettleConfig, exchange::INDIA};

fn bench(c: &mut Criterion) {
    let nse = Exchange::Nse.calendar();
    let mid_session: DateTime<Utc> = "2024-03-01T05:30:00Z".parse().expect("instant");
    let saturday: DateTime<Utc> = "2024-03-09T05:30:00Z".parse().expect("instant");
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let (from, to) = (date("2000-01-01"), date("2023-12-31"));

    c.bench_function("is_open", |b| {
        b.iter(|| nse.is_open(black_box(mid_session)))
    });
    c.bench_function("next_change", |b| {
        b.iter(|| nse.next_change(black_box(mid_session)))
    });
    c.bench_function("next_open_from_saturday", |b| {
        b.iter(|| nse.next_open(black_box(saturday)))
    });
    c.bench_function("is_settled", |b| {
        b.iter(|| {
            nse.is_settled(
                date("2024-03-01"),
                black_box(mid_session),
                SettleConfig::default(),
            )
        })
    });
    c.bench_function("status", |b| b.iter(|| nse.status(black_box(mid_session))));
    c.bench_function("session_days_2000_2023", |b| {
        b.iter(|| nse.session_days(black_box(from), black_box(to)).count())
    });
    let data = include_str!("../data/nse_calendar.csv");
    c.bench_function("parse_nse_1997_2026", |b| {
        b.iter(|| ExchangeCalendar::parse(&INDIA, black_box(data)).map(|c| c.name()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
