//! Numbers as the chart prints them: prices with the decimals their size
//! needs, volumes in K/M/B.

/// Decimals that show a step of `step` between labels (25 -> 0, 0.5 -> 1,
/// 0.25 -> 2).
pub fn decimals_for_step(step: f64) -> usize {
    if !(step > 0.0 && step.is_finite()) {
        return 2;
    }
    (0..8)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(8)
}

/// Decimals for a value of about `magnitude`: two for prices from 1 up,
/// more for small ones so that four significant digits show (0.1283).
pub fn decimals_for_magnitude(magnitude: f64) -> usize {
    let m = magnitude.abs();
    if !(m > 0.0 && m.is_finite()) || m >= 1.0 {
        return 2;
    }
    let leading_zeros = (-m.log10()).floor() as usize;
    (leading_zeros + 4).min(8)
}

pub fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    // "-0.00" reads as a sign that is not there.
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// `12.35M`, `950.2K`, `1.2B`, `5K`, `640`: two decimals at most, no
/// trailing zeros.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let (div, suffix) = if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "K")
    } else {
        return fixed(v, 0);
    };
    let x = v / div;
    let decimals = if x.abs() >= 100.0 { 1 } else { 2 };
    let digits = fixed(x, decimals);
    let digits = digits.trim_end_matches('0').trim_end_matches('.');
    format!("{digits}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(decimals_for_step(50.0), 0);
        assert_eq!(decimals_for_step(2.5), 1);
        assert_eq!(decimals_for_step(0.25), 2);
        assert_eq!(decimals_for_step(0.0005), 4);
    }

    #[test]
    fn small_prices_keep_four_significant_digits() {
        assert_eq!(decimals_for_magnitude(2971.7), 2);
        assert_eq!(fixed(0.128348, decimals_for_magnitude(0.128348)), "0.1283");
        assert_eq!(decimals_for_magnitude(0.0042), 6);
    }

    #[test]
    fn compact_volumes() {
        assert_eq!(compact(10_927_182.0), "10.93M");
        assert_eq!(compact(950_200.0), "950.2K");
        assert_eq!(compact(640.0), "640");
        assert_eq!(compact(1.2e9), "1.2B");
        assert_eq!(compact(5000.0), "5K");
        assert_eq!(compact(6900.0), "6.9K");
        assert_eq!(fixed(-0.0001, 2), "0.00");
    }
}
