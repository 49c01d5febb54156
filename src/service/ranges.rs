//! Range arithmetic for coverage: which parts of a request are missing.
//! Ranges are half-open `[start, end)`. Pure code.

/// The parts of `want` not inside any of `covered` (sorted by start).
pub fn gaps(covered: &[(i64, i64)], want: (i64, i64)) -> Vec<(i64, i64)> {
    let (mut cursor, end) = want;
    let mut out = Vec::new();
    if cursor >= end {
        return out;
    }
    for &(s, e) in covered {
        if e <= cursor {
            continue;
        }
        if s >= end {
            break;
        }
        if s > cursor {
            out.push((cursor, s));
        }
        cursor = cursor.max(e);
        if cursor >= end {
            return out;
        }
    }
    out.push((cursor, end));
    out
}

/// Splits `range` into consecutive pieces no longer than `max_len`.
pub fn windows(range: (i64, i64), max_len: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut s = range.0;
    let step = max_len.max(1);
    while s < range.1 {
        let e = s.saturating_add(step).min(range.1);
        out.push((s, e));
        s = e;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_covered_is_one_gap() {
        assert_eq!(gaps(&[], (0, 10)), vec![(0, 10)]);
    }

    #[test]
    fn fully_covered_has_no_gap() {
        assert!(gaps(&[(0, 10)], (2, 8)).is_empty());
        assert!(gaps(&[(0, 5), (5, 10)], (0, 10)).is_empty());
    }

    #[test]
    fn widening_leaves_only_the_edges() {
        assert_eq!(gaps(&[(5, 10)], (0, 15)), vec![(0, 5), (10, 15)]);
        assert_eq!(gaps(&[(0, 3), (6, 8)], (0, 10)), vec![(3, 6), (8, 10)]);
        assert_eq!(gaps(&[(-5, 3)], (0, 10)), vec![(3, 10)]);
    }

    #[test]
    fn empty_request() {
        assert!(gaps(&[], (5, 5)).is_empty());
    }

    #[test]
    fn windows_split_evenly() {
        assert_eq!(windows((0, 10), 4), vec![(0, 4), (4, 8), (8, 10)]);
        assert_eq!(windows((0, 4), 4), vec![(0, 4)]);
        assert!(windows((3, 3), 4).is_empty());
    }
}
