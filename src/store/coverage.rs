//! The `coverage` table: ranges `[start_ts, end_ts)` known to be stored
//! completely. New ranges merge with every stored range they overlap or
//! touch, so the table holds disjoint, non-adjacent ranges per series.

use sqlx::{QueryBuilder, Row};

use super::backend::{Conn, on_conn};

use super::StoreError;

/// One stored range and when it last grew (epoch seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Covered {
    pub start: i64,
    pub end: i64,
    pub fetched_at: i64,
}

/// Rows per multi-row INSERT (5 parameters each, far below SQLite's bound).
const INSERT_CHUNK: usize = 1_000;

/// The coverage after adding `new` (sorted by start) to `existing` (sorted,
/// disjoint): overlapping or touching ranges merge. A merged range keeps
/// the time of the stored range it equals, else gets `at`.
pub(super) fn merged(existing: &[Covered], new: &[(i64, i64)], at: i64) -> Vec<Covered> {
    let mut all: Vec<(i64, i64, Option<i64>)> = existing
        .iter()
        .map(|c| (c.start, c.end, Some(c.fetched_at)))
        .chain(
            new.iter()
                .filter(|(s, e)| e > s)
                .map(|&(s, e)| (s, e, None)),
        )
        .collect();
    all.sort_by_key(|&(s, e, _)| (s, e));
    let mut out: Vec<Covered> = Vec::with_capacity(all.len());
    for (start, end, _) in all {
        match out.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => out.push(Covered {
                start,
                end,
                fetched_at: at,
            }),
        }
    }
    for range in &mut out {
        if let Some(same) = existing
            .iter()
            .find(|c| c.start == range.start && c.end == range.end)
        {
            range.fetched_at = same.fetched_at;
        }
    }
    out
}

/// The range that replaces `new` and the stored ranges it overlaps or
/// touches: [`merged`] for one new range, the rule the property tests hold.
pub fn merge_coverage(new: (i64, i64), touching: &[(i64, i64)]) -> (i64, i64) {
    let mut existing: Vec<Covered> = touching
        .iter()
        .map(|&(start, end)| Covered {
            start,
            end,
            fetched_at: 0,
        })
        .collect();
    existing.sort_by_key(|c| (c.start, c.end));
    merged(&existing, &[new], 0)
        .into_iter()
        .map(|c| (c.start, c.end))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
        .unwrap_or(new)
}

/// Adds `new` (sorted by start) to the coverage of `symbol`/`interval`
/// inside the caller's transaction; returns whether anything changed.
pub(super) async fn merge(
    conn: Conn<'_>,
    symbol: &str,
    interval: &str,
    new: &[(i64, i64)],
    at: i64,
) -> Result<bool, StoreError> {
    let new: Vec<(i64, i64)> = new.iter().copied().filter(|(s, e)| e > s).collect();
    let (Some(first), Some(last)) = (new.first(), new.last()) else {
        return Ok(false);
    };
    let hull = (first.0, new.iter().map(|r| r.1).max().unwrap_or(last.1));
    on_conn!(conn, |conn| {
        // Every stored range overlapping or touching the hull of the new ones.
        let rows = sqlx::query(
            "SELECT start_ts, end_ts, fetched_at FROM coverage
             WHERE symbol = $1 AND interval = $2 AND start_ts <= $3 AND end_ts >= $4
             ORDER BY start_ts",
        )
        .bind(symbol)
        .bind(interval)
        .bind(hull.1)
        .bind(hull.0)
        .fetch_all(&mut *conn)
        .await?;
        let existing = rows
            .iter()
            .map(|r| {
                Ok(Covered {
                    start: r.try_get(0)?,
                    end: r.try_get(1)?,
                    fetched_at: r.try_get(2)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let result = merged(&existing, &new, at);
        if result == existing {
            return Ok(false);
        }
        sqlx::query(
            "DELETE FROM coverage
             WHERE symbol = $1 AND interval = $2 AND start_ts <= $3 AND end_ts >= $4",
        )
        .bind(symbol)
        .bind(interval)
        .bind(hull.1)
        .bind(hull.0)
        .execute(&mut *conn)
        .await?;
        for chunk in result.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::new(
                "INSERT INTO coverage (symbol, interval, start_ts, end_ts, fetched_at) ",
            );
            q.push_values(chunk, |mut row, c| {
                row.push_bind(symbol)
                    .push_bind(interval)
                    .push_bind(c.start)
                    .push_bind(c.end)
                    .push_bind(c.fetched_at);
            });
            q.build().execute(&mut *conn).await?;
        }
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(start: i64, end: i64, fetched_at: i64) -> Covered {
        Covered {
            start,
            end,
            fetched_at,
        }
    }

    #[test]
    fn touching_and_overlapping_ranges_merge() {
        let existing = [c(0, 10, 1), c(20, 30, 2)];
        assert_eq!(
            merged(&existing, &[(10, 20)], 9),
            vec![c(0, 30, 9)],
            "a range touching both neighbours joins them"
        );
        assert_eq!(
            merged(&existing, &[(25, 40)], 9),
            vec![c(0, 10, 1), c(20, 40, 9)]
        );
    }

    #[test]
    fn a_range_inside_stored_coverage_changes_nothing() {
        let existing = [c(0, 10, 1), c(20, 30, 2)];
        assert_eq!(merged(&existing, &[(2, 8), (20, 30)], 9), existing.to_vec());
    }

    #[test]
    fn disjoint_new_ranges_stay_apart() {
        assert_eq!(
            merged(&[], &[(0, 5), (6, 8), (8, 9)], 3),
            vec![c(0, 5, 3), c(6, 9, 3)]
        );
        assert!(
            merged(&[], &[(5, 5)], 3).is_empty(),
            "empty ranges are dropped"
        );
    }
}
