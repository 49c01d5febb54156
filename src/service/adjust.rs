//! Price bases, from the stored splits and dividends. Pure code.
//!
//! Stored bars are on Yahoo's basis as of their fetch: open, high, low and
//! close adjusted for splits, `adj_close` for splits and dividends. From
//! that, with the stored corporate actions:
//!
//! - `none` undoes every split (what broker charts show): prices before a
//!   k:1 split are multiplied by k and volumes divided by it;
//! - `splits` is the stored basis;
//! - `all` scales open, high, low and close by `adj_close / close`;
//! - replay as of T (`--as-of`) undoes the splits and dividends dated after
//!   T, so prices are as they were known at T: a dividend's factor on
//!   `adj_close`, `1 - amount / close before the ex-date`, is divided out.

use chrono::DateTime;
use chrono_tz::Tz;

use crate::model::{Bar, CorporateAction, Interval, date_key, key_date, local_date};

/// The price basis a caller asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Adjust {
    /// Splits undone: prices as traded.
    None,
    /// Yahoo's basis: split-adjusted prices, `adj_close` for dividends too.
    #[default]
    Splits,
    /// Prices adjusted for splits and dividends.
    All,
}

impl Adjust {
    pub const ALL: [Adjust; 3] = [Adjust::None, Adjust::Splits, Adjust::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Adjust::None => "none",
            Adjust::Splits => "splits",
            Adjust::All => "all",
        }
    }
}

/// The key from which an action applies to `interval` bars: bars with
/// smaller keys were adjusted by it.
fn effective_key(ts: i64, interval: Interval, zone: Tz) -> i64 {
    // The chart parser stores the actions of daily fetches by date key.
    if interval.is_intraday() || ts.rem_euclid(86_400) == 0 {
        ts
    } else {
        DateTime::from_timestamp(ts, 0).map_or(ts, |t| date_key(local_date(zone, t)))
    }
}

/// `bars` on the asked basis, with the stored adjustments dated after
/// `undo_after` undone (replay); and a note per change, for the answer.
/// `None` when nothing changes.
pub fn rebase(
    bars: &[Bar],
    actions: &[CorporateAction],
    basis: Adjust,
    undo_after: Option<i64>,
    interval: Interval,
    zone: Tz,
) -> Option<(Vec<Bar>, Vec<String>)> {
    let later = |ts: i64| undo_after.is_some_and(|t| ts > t);
    let mut out = bars.to_vec();
    let mut notes = Vec::new();
    // Dividends first: their factors use the stored (split-adjusted) closes
    // the amounts are quoted against.
    for action in actions {
        let CorporateAction::Dividend { ts, amount } = *action else {
            continue;
        };
        if !later(ts) {
            continue;
        }
        let key = effective_key(ts, interval, zone);
        let before = out.partition_point(|b| b.ts < key);
        let Some(prev) = before.checked_sub(1).map(|i| bars[i].close) else {
            continue;
        };
        let factor = 1.0 - amount / prev;
        if !(factor.is_finite() && factor > 0.0) {
            continue;
        }
        for b in &mut out[..before] {
            b.adj_close /= factor;
        }
        notes.push(format!(
            "a dividend of {amount} (ex {}) after the replay instant is undone in adj_close",
            key_date(key)
        ));
    }
    for action in actions {
        let CorporateAction::Split {
            ts,
            numerator,
            denominator,
        } = *action
        else {
            continue;
        };
        let undo_in_replay = later(ts);
        if !(undo_in_replay || basis == Adjust::None) {
            continue;
        }
        let ratio = numerator / denominator;
        if !(ratio.is_finite() && ratio > 0.0) {
            continue;
        }
        let key = effective_key(ts, interval, zone);
        let before = out.partition_point(|b| b.ts < key);
        for b in &mut out[..before] {
            b.open *= ratio;
            b.high *= ratio;
            b.low *= ratio;
            b.close *= ratio;
            if undo_in_replay {
                b.adj_close *= ratio;
            }
            b.volume = (b.volume as f64 / ratio).round() as i64;
        }
        if before > 0 {
            let why = if undo_in_replay {
                "after the replay instant"
            } else {
                "(adjust: none)"
            };
            notes.push(format!(
                "a {numerator}:{denominator} split on {} {why} is undone: earlier prices x{ratio}, volumes /{ratio}",
                key_date(key)
            ));
        }
    }
    if basis == Adjust::All {
        for b in &mut out {
            if b.close != 0.0 && b.close.is_finite() {
                let k = b.adj_close / b.close;
                b.open *= k;
                b.high *= k;
                b.low *= k;
                b.close = b.adj_close;
            }
        }
        notes.push("prices adjusted for splits and dividends (adjust: all)".into());
    }
    (!notes.is_empty()).then_some((out, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(day: i64, close: f64) -> Bar {
        Bar {
            ts: day * 86_400,
            open: close,
            high: close,
            low: close,
            close,
            adj_close: close,
            volume: 400,
        }
    }

    #[test]
    fn a_split_after_the_instant_is_undone_and_one_before_it_kept() {
        let bars: Vec<Bar> = (0..4).map(|d| bar(d, 10.0)).collect();
        let split = |day: i64| CorporateAction::Split {
            ts: day * 86_400 + 3_600,
            numerator: 4.0,
            denominator: 1.0,
        };
        let utc = chrono_tz::UTC;
        let (out, notes) = rebase(
            &bars,
            &[split(2)],
            Adjust::Splits,
            Some(86_400),
            Interval::D1,
            utc,
        )
        .unwrap();
        assert_eq!(out[1].close, 40.0);
        assert_eq!(out[1].adj_close, 40.0);
        assert_eq!(out[1].volume, 100);
        assert_eq!(out[2].close, 10.0);
        assert_eq!(notes.len(), 1);
        assert!(
            rebase(
                &bars,
                &[split(2)],
                Adjust::Splits,
                Some(5 * 86_400),
                Interval::D1,
                utc
            )
            .is_none()
        );
        let (none, _) = rebase(&bars, &[split(2)], Adjust::None, None, Interval::D1, utc).unwrap();
        assert_eq!((none[0].close, none[0].adj_close), (40.0, 10.0));
    }

    #[test]
    fn a_dividend_after_the_instant_is_divided_out_of_adj_close() {
        let mut bars: Vec<Bar> = (0..3).map(|d| bar(d, 100.0)).collect();
        bars[0].adj_close = 98.0;
        bars[1].adj_close = 98.0;
        let div = CorporateAction::Dividend {
            ts: 2 * 86_400,
            amount: 2.0,
        };
        let (out, _) = rebase(
            &bars,
            &[div],
            Adjust::Splits,
            Some(0),
            Interval::D1,
            chrono_tz::UTC,
        )
        .unwrap();
        assert!((out[1].adj_close - 100.0).abs() < 1e-12);
        assert_eq!(out[2].adj_close, 100.0);
        let (all, _) = rebase(&bars, &[], Adjust::All, None, Interval::D1, chrono_tz::UTC).unwrap();
        assert_eq!(all[0].close, 98.0);
    }
}
