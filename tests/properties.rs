//! Property tests of the pure rules every request goes through: symbol
//! resolution, date and range parsing, gap arithmetic and the coverage
//! merge (the last also through the real store). Fixed seed and a bounded
//! case count, so a run is repeatable and quick.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};
use trading_mcp::model::{INTERVALS, Instrument, Interval};
use trading_mcp::service::ranges::{gaps, windows};
use trading_mcp::service::{Bound, key_range, parse_bound};
use trading_mcp::store::{BarStore, FetchBatch, merge_coverage};
use trading_mcp::symbol::resolve;

/// The seed every run uses; change it to explore, then pin what it finds
/// as a regression case.
const SEED: u64 = 0x7261_6e67_6573_2112;

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(SEED),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Text that looks like what users type, and text that does not.
fn symbolish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9.^&=-]{0,40}",
        "[ \t]{0,2}[a-zA-Z]{1,12}(\\.(NS|BO|ns|bo|L|TO))?[ \n]{0,2}",
        "(NIFTY|nifty50|BANKNIFTY|sensex|NIFTY_50|\\^NSEI|\\^BSESN)",
        "[A-Z]{1,29}",
        "[A-Z]{30,33}(\\.NS)?",
        any::<String>(),
        "\\PC{0,40}",
    ]
}

fn exchangeish() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "(NSE|nse|BSE|BO|NS|US|yahoo|NASDAQ|NYSE|GLOBAL| nse |)".prop_map(Some),
        any::<String>().prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(config(2_000))]

    #[test]
    fn symbol_resolution_never_panics_and_is_idempotent(
        input in symbolish(),
        exchange in exchangeish(),
    ) {
        if let Ok(first) = resolve(&input, exchange.as_deref()) {
            // Its own output resolves to itself under the same exchange.
            let again = resolve(&first.yahoo, exchange.as_deref());
            prop_assert_eq!(again.as_ref(), Ok(&first), "{:?} -> {:?}", input, first);
            // An NSE/BSE ticker carries its exchange: it needs no argument.
            if first.yahoo.ends_with(".NS") || first.yahoo.ends_with(".BO") {
                let bare = resolve(&first.yahoo, None);
                prop_assert_eq!(bare.as_ref(), Ok(&first));
            }
            prop_assert!(!first.yahoo.is_empty());
            prop_assert!(first.yahoo.chars().all(|c| c.is_ascii_uppercase()
                || c.is_ascii_digit() || ".^&-=".contains(c)));
        }
    }
}

/// Any date chrono can hold.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
        .prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap())
}

/// Dates near the ones that matter (1960..2030), and anywhere at all.
fn date() -> impl Strategy<Value = NaiveDate> {
    let near = (-3_650i64..22_000)
        .prop_map(|d| NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days(d));
    prop_oneof![4 => near, 1 => any_date()]
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        4 => (-315_619_200i64..1_900_000_000).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
        1 => (DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp())
            .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
    ]
}

fn bound() -> impl Strategy<Value = Option<Bound>> {
    prop_oneof![
        1 => Just(None),
        3 => date().prop_map(|d| Some(Bound::Date(d))),
        2 => instant().prop_map(|t| Some(Bound::Instant(t))),
    ]
}

fn zone() -> impl Strategy<Value = Tz> {
    prop::sample::select(vec![
        chrono_tz::Asia::Kolkata,
        chrono_tz::America::New_York,
        chrono_tz::UTC,
        chrono_tz::Pacific::Kiritimati,
        chrono_tz::Pacific::Pago_Pago,
        chrono_tz::Europe::London,
    ])
}

fn interval() -> impl Strategy<Value = Interval> {
    prop::sample::select(INTERVALS.to_vec())
}

/// Strings shaped like dates and instants, broken in every way.
fn dateish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[+-]?[0-9]{1,7}-[0-9]{1,3}-[0-9]{1,3}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2}|\\.[0-9]{1,12}Z)",
        "[ \t]*[0-9-T:+Z.]{0,30}[ \n]*",
        "(\\+262143|-262144|\\+262142|-262143|99999|0000)-(01|12|02)-(01|31|29)",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config(3_000))]

    #[test]
    fn date_parsing_never_panics(text in dateish()) {
        let _ = parse_bound("start_date", &text);
    }

    #[test]
    fn range_parsing_never_panics_and_gives_ordered_ranges(
        start in bound(),
        end in bound(),
        interval in interval(),
        zone in zone(),
        now in instant(),
    ) {
        if let Ok((s, e)) = key_range(interval, zone, start, end, now) {
            prop_assert!(s < e);
        }
    }

    #[test]
    fn parsed_text_ranges_never_panic(
        start in dateish(),
        end in dateish(),
        interval in interval(),
        zone in zone(),
    ) {
        let now = Utc.with_ymd_and_hms(2024, 4, 1, 6, 30, 0).unwrap();
        let start = parse_bound("start_date", &start).ok();
        let end = parse_bound("end_date", &end).ok();
        if let Ok((s, e)) = key_range(interval, zone, start, end, now) {
            prop_assert!(s < e);
        }
    }
}

/// Ranges `[s, e)` on a small line, so every point can be checked.
fn small_range() -> impl Strategy<Value = (i64, i64)> {
    (-60i64..60, 0i64..30).prop_map(|(s, len)| (s, s + len))
}

/// Stored coverage as the store returns it: sorted by start (overlaps
/// allowed, so the property does not lean on the store's merging).
fn covered() -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec(small_range(), 0..8).prop_map(|mut v| {
        v.retain(|(s, e)| s < e);
        v.sort();
        v
    })
}

fn inside(x: i64, ranges: &[(i64, i64)]) -> bool {
    ranges.iter().any(|&(s, e)| s <= x && x < e)
}

proptest! {
    #![proptest_config(config(3_000))]

    #[test]
    fn gaps_and_covered_parts_make_up_the_request(
        covered in covered(),
        want in small_range(),
    ) {
        let holes = gaps(&covered, want);
        // Sorted, non-empty, disjoint, inside the request.
        for w in holes.windows(2) {
            prop_assert!(w[0].1 < w[1].0, "{:?}", holes);
        }
        for &(s, e) in &holes {
            prop_assert!(s < e && want.0 <= s && e <= want.1, "{:?} in {:?}", holes, want);
        }
        // Every point of the request is in exactly one of: a gap, the coverage.
        for x in -100..100 {
            let wanted = want.0 <= x && x < want.1;
            let in_gap = inside(x, &holes);
            let in_cover = inside(x, &covered);
            prop_assert_eq!(in_gap, wanted && !in_cover, "point {}", x);
        }
    }

    #[test]
    fn windows_tile_the_range(
        start in prop_oneof![-1_000i64..1_000, Just(i64::MAX - 5), Just(i64::MIN)],
        len in 0i64..1_000,
        max_len in prop_oneof![-3i64..50, Just(i64::MAX)],
    ) {
        let range = (start, start.saturating_add(len));
        let pieces = windows(range, max_len);
        let mut cursor = range.0;
        for &(s, e) in &pieces {
            prop_assert_eq!(s, cursor);
            prop_assert!(s < e && e - s <= max_len.max(1));
            cursor = e;
        }
        prop_assert_eq!(cursor, if range.0 < range.1 { range.1 } else { range.0 });
    }
}

/// The stored coverage after merging `new` in, modelled on `save_fetch`:
/// the ranges it touches are replaced by `merge_coverage` of them.
fn apply(stored: &[(i64, i64)], new: (i64, i64)) -> Vec<(i64, i64)> {
    if new.0 >= new.1 {
        return stored.to_vec();
    }
    let touches = |&(s, e): &(i64, i64)| s <= new.1 && e >= new.0;
    let touching: Vec<(i64, i64)> = stored.iter().copied().filter(touches).collect();
    let mut out: Vec<(i64, i64)> = stored.iter().copied().filter(|r| !touches(r)).collect();
    out.push(merge_coverage(new, &touching));
    out.sort();
    out
}

fn apply_all(stored: &[(i64, i64)], news: &[(i64, i64)]) -> Vec<(i64, i64)> {
    news.iter().fold(stored.to_vec(), |acc, &n| apply(&acc, n))
}

/// Merging one coverage state into another: its ranges one by one.
fn merge_states(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    apply_all(a, b)
}

fn batch() -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec(small_range(), 0..6)
}

proptest! {
    #![proptest_config(config(2_000))]

    #[test]
    fn coverage_merge_is_associative_and_keeps_exactly_the_union(
        a in batch(), b in batch(), c in batch(),
    ) {
        let (sa, sb, sc) = (apply_all(&[], &a), apply_all(&[], &b), apply_all(&[], &c));
        let left = merge_states(&merge_states(&sa, &sb), &sc);
        let right = merge_states(&sa, &merge_states(&sb, &sc));
        prop_assert_eq!(&left, &right);
        // Order does not matter either.
        prop_assert_eq!(&left, &merge_states(&merge_states(&sc, &sa), &sb));
        // Disjoint and not touching: nothing left to merge.
        for w in left.windows(2) {
            prop_assert!(w[0].1 < w[1].0, "{:?}", left);
        }
        // Exactly the points some fetch covered.
        let all: Vec<(i64, i64)> = a.iter().chain(&b).chain(&c).copied().collect();
        for x in -100..100 {
            prop_assert_eq!(inside(x, &left), inside(x, &all), "point {}", x);
        }
    }
}

fn instrument() -> Instrument {
    Instrument {
        yahoo_symbol: "PROP.NS".into(),
        exchange: "NSI".into(),
        currency: "INR".into(),
        timezone: "Asia/Kolkata".into(),
        ..Instrument::default()
    }
}

/// The coverage rows the real store holds after these fetches, in order.
async fn stored_coverage(store: &BarStore, fetches: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let inst = instrument();
    for &covered in fetches {
        store
            .save_fetch(&FetchBatch {
                instrument: &inst,
                interval: Interval::D1,
                bars: &[],
                actions: &[],
                covered: Some(covered),
                fetched_at: 0,
            })
            .await
            .unwrap();
    }
    store
        .coverage(&inst.yahoo_symbol, Interval::D1, i64::MIN, i64::MAX)
        .await
        .unwrap()
}

proptest! {
    // Each case writes a real SQLite file: fewer of them.
    #![proptest_config(config(24))]

    #[test]
    fn the_store_merges_coverage_as_the_model_does_in_any_grouping(
        a in batch(), b in batch(), c in batch(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let results = rt.block_on(async {
            let mut out = Vec::new();
            // (a, b, c) in order, then c, a, b: each in its own store.
            for (k, order) in [[&a, &b, &c], [&c, &a, &b]].iter().enumerate() {
                let store = BarStore::open(&dir.path().join(format!("{k}.db"))).await.unwrap();
                let fetches: Vec<(i64, i64)> = order.iter().flat_map(|v| v.iter().copied()).collect();
                out.push(stored_coverage(&store, &fetches).await);
                store.close().await;
            }
            out
        });
        let model = apply_all(&[], &[a.clone(), b.clone(), c.clone()].concat());
        prop_assert_eq!(&results[0], &model);
        prop_assert_eq!(&results[1], &model);
    }
}
