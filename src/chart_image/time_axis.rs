//! Which bars get a time label, and what it says. Labels come from the bars'
//! own exchange-local times, placed where a year, month, day or hour starts,
//! coarser boundaries first, as many as fit without crowding.

use chrono::{Datelike, NaiveDateTime, Timelike};

use super::scale::XScale;
use super::spec::ChartBar;
use super::text::Text;
use crate::model::Interval;

/// A time label under bar `bar`, centred at `x` (the bar's centre, or moved
/// just inside the plot at its edges).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeLabel {
    pub bar: usize,
    pub text: String,
    pub x: f32,
}

/// What starts at a bar, finest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Boundary {
    Minute,
    Hour,
    Day,
    Month,
    Year,
}

/// Free pixels on each side of a label.
const GAP: f32 = 10.0;

fn boundary(
    prev: Option<&NaiveDateTime>,
    t: &NaiveDateTime,
    interval: Interval,
) -> Option<Boundary> {
    let Some(p) = prev else {
        // The first bar tells where the chart starts.
        return Some(if interval > Interval::D1 {
            Boundary::Month
        } else {
            Boundary::Day
        });
    };
    let b = if t.year() != p.year() {
        Boundary::Year
    } else if t.month() != p.month() {
        Boundary::Month
    } else if t.date() != p.date() {
        Boundary::Day
    } else if t.hour() != p.hour() {
        Boundary::Hour
    } else {
        Boundary::Minute
    };
    // Weekly and monthly bars label months and years only.
    (interval <= Interval::D1 || b >= Boundary::Month).then_some(b)
}

fn label(b: Boundary, t: &NaiveDateTime, first: bool, interval: Interval) -> String {
    let format = match b {
        Boundary::Year if !first => "%Y",
        Boundary::Year | Boundary::Month if first && interval > Interval::D1 => "%b %Y",
        Boundary::Year | Boundary::Month if !interval.is_intraday() => "%b",
        Boundary::Month | Boundary::Day if interval.is_intraday() || first => "%-d %b",
        Boundary::Day => "%-d",
        _ => "%H:%M",
    };
    t.format(format).to_string()
}

/// The labels for `bars` between the columns `x0..x1`.
pub fn time_labels(
    bars: &[ChartBar],
    interval: Interval,
    x: &XScale,
    text: &Text,
    size: f32,
    (x0, x1): (i32, i32),
) -> Vec<TimeLabel> {
    let candidates: Vec<(usize, Boundary)> = bars
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let prev = i.checked_sub(1).map(|p| &bars[p].time);
            boundary(prev, &b.time, interval).map(|k| (i, k))
        })
        .collect();
    let mut placed: Vec<(f32, f32, TimeLabel)> = Vec::new();
    for level in [
        Boundary::Year,
        Boundary::Month,
        Boundary::Day,
        Boundary::Hour,
        Boundary::Minute,
    ] {
        for &(i, _) in candidates.iter().filter(|(_, k)| *k == level) {
            let s = label(level, &bars[i].time, i == 0, interval);
            let half = text.width(&s, size) / 2.0;
            let c = x.centre(i);
            // Keep the label inside the plot; one that would move by more
            // than its own width to get there would sit under another bar,
            // so it is left off.
            let shifted = c.max(x0 as f32 + half).min(x1 as f32 - half);
            let (l, r) = (shifted - half - GAP, shifted + half + GAP);
            let fits = (shifted - c).abs() <= 2.0 * half;
            if fits && placed.iter().all(|(pl, pr, _)| r <= *pl || l >= *pr) {
                let label = TimeLabel {
                    bar: i,
                    text: s,
                    x: shifted,
                };
                placed.push((l, r, label));
            }
        }
    }
    let mut labels: Vec<TimeLabel> = placed.into_iter().map(|(_, _, t)| t).collect();
    labels.sort_by_key(|t| t.bar);
    labels
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};

    use super::*;

    fn bar(time: NaiveDateTime) -> ChartBar {
        ChartBar {
            time,
            open: 1.0,
            high: 1.0,
            low: 1.0,
            close: 1.0,
            volume: 0.0,
        }
    }

    fn weekdays(from: &str, n: usize) -> Vec<ChartBar> {
        let mut d = NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap();
        let mut out = Vec::new();
        while out.len() < n {
            if d.weekday().num_days_from_monday() < 5 {
                out.push(bar(d.and_hms_opt(0, 0, 0).unwrap()));
            }
            d += Duration::days(1);
        }
        out
    }

    #[test]
    fn daily_labels_months_and_the_year() {
        let bars = weekdays("2023-10-02", 125);
        let x = XScale::new(0, 1100, bars.len());
        let labels = time_labels(
            &bars,
            Interval::D1,
            &x,
            &Text::load().unwrap(),
            12.0,
            (0, 1100),
        );
        let texts: Vec<&str> = labels.iter().map(|l| l.text.as_str()).collect();
        for month in ["Nov", "Dec", "2024", "Feb", "Mar"] {
            assert!(texts.contains(&month), "{texts:?}");
        }
        // "2024" sits on the first trading day of January.
        let y = labels.iter().find(|l| l.text == "2024").unwrap();
        assert_eq!(
            bars[y.bar].time.date(),
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
        );
        // Labels never overlap: neighbours are far enough apart.
        for pair in labels.windows(2) {
            assert!(
                x.centre(pair[1].bar) - x.centre(pair[0].bar) > 30.0,
                "{labels:?}"
            );
        }
    }

    #[test]
    fn intraday_labels_days_and_hours() {
        let mut bars = Vec::new();
        for day in [11, 12] {
            let open = NaiveDate::from_ymd_opt(2025, 9, day)
                .unwrap()
                .and_hms_opt(9, 15, 0)
                .unwrap();
            bars.extend((0..75).map(|k| bar(open + Duration::minutes(5 * k))));
        }
        let x = XScale::new(0, 1100, bars.len());
        let labels = time_labels(
            &bars,
            Interval::M5,
            &x,
            &Text::load().unwrap(),
            12.0,
            (0, 1100),
        );
        let texts: Vec<&str> = labels.iter().map(|l| l.text.as_str()).collect();
        assert!(
            texts.contains(&"11 Sep") && texts.contains(&"12 Sep"),
            "{texts:?}"
        );
        assert!(texts.contains(&"10:00"), "{texts:?}");
    }
}
