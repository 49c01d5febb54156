//! The whole-series operations of the language. Numbers are `f64` with NaN
//! for "undefined"; conditions are `f64` too, 1.0 true, 0.0 false and NaN
//! unknown, combined with three-valued (Kleene) logic so that an unknown
//! never turns into a match.

use super::ast::BinOp;

/// An operand: a constant or a whole series.
#[derive(Debug, Clone, Copy)]
pub(super) enum Arg<'a> {
    Scalar(f64),
    Series(&'a [f64]),
}

/// A computed value: a constant (only when every operand was one) or a series.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Scalar(f64),
    Series(Vec<f64>),
}

pub(super) const TRUE: f64 = 1.0;
pub(super) const FALSE: f64 = 0.0;
pub(super) const UNKNOWN: f64 = f64::NAN;

/// Arithmetic results that are not finite (x / 0, overflow) are undefined.
#[inline(always)]
fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { f64::NAN }
}

#[inline(always)]
fn truth(b: bool) -> f64 {
    if b { TRUE } else { FALSE }
}

/// `f` over every element; a constant stays a constant.
pub(super) fn map1(a: Arg, f: impl Fn(f64) -> f64) -> Value {
    match a {
        Arg::Scalar(x) => Value::Scalar(f(x)),
        Arg::Series(v) => Value::Series(v.iter().map(|&x| f(x)).collect()),
    }
}

/// `f` over aligned elements, broadcasting a constant operand.
pub(super) fn map2(a: Arg, b: Arg, f: impl Fn(f64, f64) -> f64) -> Value {
    match (a, b) {
        (Arg::Scalar(x), Arg::Scalar(y)) => Value::Scalar(f(x, y)),
        (Arg::Scalar(x), Arg::Series(v)) => Value::Series(v.iter().map(|&y| f(x, y)).collect()),
        (Arg::Series(u), Arg::Scalar(y)) => Value::Series(u.iter().map(|&x| f(x, y)).collect()),
        (Arg::Series(u), Arg::Series(v)) => {
            Value::Series(u.iter().zip(v).map(|(&x, &y)| f(x, y)).collect())
        }
    }
}

/// One binary operator over two operands; the match sits outside the loop
/// so each loop is a plain, vectorisable map.
pub(super) fn binary(op: BinOp, a: Arg, b: Arg) -> Value {
    match op {
        BinOp::Add => map2(a, b, |x, y| finite(x + y)),
        BinOp::Sub => map2(a, b, |x, y| finite(x - y)),
        BinOp::Mul => map2(a, b, |x, y| finite(x * y)),
        BinOp::Div => map2(a, b, |x, y| finite(x / y)),
        BinOp::Lt => map2(a, b, |x, y| compare(x, y, x < y)),
        BinOp::Le => map2(a, b, |x, y| compare(x, y, x <= y)),
        BinOp::Gt => map2(a, b, |x, y| compare(x, y, x > y)),
        BinOp::Ge => map2(a, b, |x, y| compare(x, y, x >= y)),
        BinOp::Eq => map2(a, b, |x, y| compare(x, y, x == y)),
        BinOp::Ne => map2(a, b, |x, y| compare(x, y, x != y)),
        BinOp::And => map2(a, b, and),
        BinOp::Or => map2(a, b, or),
    }
}

/// A constant binary result (constant folding uses the very same code).
pub(super) fn binary_scalar(op: BinOp, x: f64, y: f64) -> f64 {
    match binary(op, Arg::Scalar(x), Arg::Scalar(y)) {
        Value::Scalar(v) => v,
        Value::Series(_) => f64::NAN,
    }
}

#[inline(always)]
fn compare(x: f64, y: f64, holds: bool) -> f64 {
    if x.is_nan() || y.is_nan() {
        UNKNOWN
    } else {
        truth(holds)
    }
}

/// Kleene `and`: false wins over unknown.
#[inline(always)]
fn and(x: f64, y: f64) -> f64 {
    if x == FALSE || y == FALSE {
        FALSE
    } else if x.is_nan() || y.is_nan() {
        UNKNOWN
    } else {
        TRUE
    }
}

/// Kleene `or`: true wins over unknown.
#[inline(always)]
fn or(x: f64, y: f64) -> f64 {
    if x == TRUE || y == TRUE {
        TRUE
    } else if x.is_nan() || y.is_nan() {
        UNKNOWN
    } else {
        FALSE
    }
}

pub(super) fn not(x: f64) -> f64 {
    if x.is_nan() { UNKNOWN } else { TRUE - x }
}

pub(super) fn neg(x: f64) -> f64 {
    -x
}

pub(super) fn abs(x: f64) -> f64 {
    x.abs()
}

/// `min` that is NaN when either side is (`f64::min` would hide it).
pub(super) fn min(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        x.min(y)
    }
}

pub(super) fn max(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        x.max(y)
    }
}

/// `x` shifted `n` bars later: `out[i] = x[i - n]`, NaN for the first `n`.
pub(super) fn lag(x: &[f64], n: usize) -> Vec<f64> {
    let n = n.min(x.len());
    let mut out = vec![f64::NAN; n];
    out.extend_from_slice(&x[..x.len() - n]);
    out
}

/// The largest (`want_max`) or smallest value of the last `n` bars, the
/// current one included; NaN until `n` bars exist and while any of them is
/// NaN. A monotonic deque keeps it O(len) for any `n`.
pub(super) fn extreme(x: &[f64], n: usize, want_max: bool) -> Vec<f64> {
    let n = n.max(1);
    let mut out = Vec::with_capacity(x.len());
    let mut window = std::collections::VecDeque::with_capacity(n.min(x.len()));
    let mut last_nan: Option<usize> = None;
    for (i, &v) in x.iter().enumerate() {
        if v.is_nan() {
            last_nan = Some(i);
            window.clear();
        } else {
            // Drop values the new one dominates; ties keep the newer index.
            while window
                .back()
                .is_some_and(|&j: &usize| if want_max { x[j] <= v } else { x[j] >= v })
            {
                window.pop_back();
            }
            window.push_back(i);
        }
        while window.front().is_some_and(|&j| j + n <= i) {
            window.pop_front();
        }
        let full = i + 1 >= n && last_nan.is_none_or(|j| j + n <= i);
        out.push(match window.front() {
            Some(&j) if full => x[j],
            _ => f64::NAN,
        });
    }
    out
}

/// True on the bar where `a` moves from at or below `b` to above it
/// (`above`), or from at or above to below; unknown on the first bar and
/// where any of the four values is NaN.
pub(super) fn cross(a: &[f64], b: &[f64], above: bool) -> Vec<f64> {
    let n = a.len().min(b.len());
    let mut out = Vec::with_capacity(n);
    if n > 0 {
        out.push(UNKNOWN);
    }
    for i in 1..n {
        let (a0, b0, a1, b1) = (a[i - 1], b[i - 1], a[i], b[i]);
        out.push(
            if a0.is_nan() || b0.is_nan() || a1.is_nan() || b1.is_nan() {
                UNKNOWN
            } else if above {
                truth(a1 > b1 && a0 <= b0)
            } else {
                truth(a1 < b1 && a0 >= b0)
            },
        );
    }
    out
}

/// True if `cond` was true on any of the last `n` bars (the current one
/// included); false only when all `n` bars exist and were false; unknown
/// otherwise.
pub(super) fn within(cond: &[f64], n: usize) -> Vec<f64> {
    let n = n.max(1);
    let mut last_true: Option<usize> = None;
    let mut last_unknown: Option<usize> = None;
    let mut out = Vec::with_capacity(cond.len());
    for (i, &c) in cond.iter().enumerate() {
        if c == TRUE {
            last_true = Some(i);
        } else if c.is_nan() {
            last_unknown = Some(i);
        }
        let in_window = |j: Option<usize>| j.is_some_and(|j| j + n > i);
        out.push(if in_window(last_true) {
            TRUE
        } else if i + 1 < n || in_window(last_unknown) {
            UNKNOWN
        } else {
            FALSE
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    const N: f64 = f64::NAN;

    /// Equal element by element, NaN matching NaN.
    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn extremes_over_a_sliding_window() {
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        assert!(same(
            &extreme(&x, 3, true),
            &[N, N, 4.0, 4.0, 5.0, 9.0, 9.0, 9.0]
        ));
        assert!(same(
            &extreme(&x, 3, false),
            &[N, N, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0]
        ));
        assert!(same(&extreme(&x, 1, true), &x));
        assert!(same(&extreme(&x, 9, true), &[N; 8]));
    }

    #[test]
    fn a_nan_blanks_every_window_that_holds_it() {
        let x = [1.0, 2.0, N, 4.0, 5.0, 6.0, 0.5];
        assert!(same(&extreme(&x, 2, true), &[N, 2.0, N, N, 5.0, 6.0, 6.0]));
        assert!(same(&extreme(&x, 3, false), &[N, N, N, N, N, 4.0, 0.5]));
    }

    #[test]
    fn kleene_logic() {
        let t = [TRUE, TRUE, TRUE, FALSE, FALSE, FALSE, N, N, N];
        let u = [TRUE, FALSE, N, TRUE, FALSE, N, TRUE, FALSE, N];
        let Value::Series(a) = binary(BinOp::And, Arg::Series(&t), Arg::Series(&u)) else {
            panic!()
        };
        assert!(same(&a, &[1.0, 0.0, N, 0.0, 0.0, 0.0, N, 0.0, N]));
        let Value::Series(o) = binary(BinOp::Or, Arg::Series(&t), Arg::Series(&u)) else {
            panic!()
        };
        assert!(same(&o, &[1.0, 1.0, 1.0, 1.0, 0.0, N, 1.0, N, N]));
        assert!(not(N).is_nan());
        assert_eq!(not(TRUE), FALSE);
    }

    #[test]
    fn division_by_zero_and_overflow_are_undefined() {
        assert!(binary_scalar(BinOp::Div, 1.0, 0.0).is_nan());
        assert!(binary_scalar(BinOp::Div, 0.0, 0.0).is_nan());
        assert!(binary_scalar(BinOp::Mul, 1e308, 10.0).is_nan());
        assert!(binary_scalar(BinOp::Lt, N, 1.0).is_nan());
        assert_eq!(binary_scalar(BinOp::Lt, 0.0, 1.0), TRUE);
    }
}
