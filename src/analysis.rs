//! Return statistics over aligned closes, for `compare_symbols`. Pure code.
//!
//! Definitions (also in the tool's description):
//! - total return: last close / first close - 1;
//! - annualised return: (1 + total)^(periods per year / returns) - 1;
//! - log returns r_t = ln(c_t / c_{t-1}); volatility: their sample standard
//!   deviation (n - 1) times sqrt(periods per year);
//! - Sharpe ratio: (mean r x periods per year - risk-free rate) / volatility;
//! - beta: sample covariance of r with the benchmark's over the sample
//!   variance of the benchmark's; correlation: Pearson's, on the same;
//! - maximum drawdown: the largest fall from a running peak close,
//!   c / peak - 1 (a negative fraction), with the peak's and trough's index.

/// Log returns of consecutive closes (one fewer than the closes).
pub fn log_returns(closes: &[f64]) -> Vec<f64> {
    closes.windows(2).map(|w| (w[1] / w[0]).ln()).collect()
}

pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample covariance (n - 1); NaN for fewer than two values.
pub fn covariance(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len().min(ys.len());
    if n < 2 {
        return f64::NAN;
    }
    let (mx, my) = (mean(&xs[..n]), mean(&ys[..n]));
    xs[..n]
        .iter()
        .zip(&ys[..n])
        .map(|(x, y)| (x - mx) * (y - my))
        .sum::<f64>()
        / (n - 1) as f64
}

pub fn std_dev(xs: &[f64]) -> f64 {
    covariance(xs, xs).sqrt()
}

/// Pearson's correlation; NaN when either side does not vary.
pub fn correlation(xs: &[f64], ys: &[f64]) -> f64 {
    let r = covariance(xs, ys) / (std_dev(xs) * std_dev(ys));
    if r.is_finite() { r } else { f64::NAN }
}

/// The benchmark's beta of `xs`; NaN when the benchmark does not vary.
pub fn beta(xs: &[f64], benchmark: &[f64]) -> f64 {
    let b = covariance(xs, benchmark) / covariance(benchmark, benchmark);
    if b.is_finite() { b } else { f64::NAN }
}

/// The largest drawdown: (c / peak - 1, peak index, trough index); 0 with
/// both indices 0 when closes never fall below a previous peak.
pub fn max_drawdown(closes: &[f64]) -> (f64, usize, usize) {
    let mut worst = (0.0, 0, 0);
    let mut peak = 0;
    for (i, &c) in closes.iter().enumerate() {
        if c > closes[peak] {
            peak = i;
        }
        let dd = c / closes[peak] - 1.0;
        if dd < worst.0 {
            worst = (dd, peak, i);
        }
    }
    worst
}

/// Statistics of one series of closes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReturnStats {
    pub total_return: f64,
    pub annualized_return: f64,
    pub volatility: f64,
    pub sharpe: f64,
    pub max_drawdown: f64,
    pub drawdown_peak: usize,
    pub drawdown_trough: usize,
}

/// The statistics of `closes` (at least two), with `periods_per_year`
/// returns a year and an annual `risk_free_rate` (a fraction).
pub fn stats(closes: &[f64], periods_per_year: f64, risk_free_rate: f64) -> ReturnStats {
    let n = closes.len();
    let total_return = closes[n - 1] / closes[0] - 1.0;
    let returns = log_returns(closes);
    let periods = returns.len() as f64;
    let volatility = std_dev(&returns) * periods_per_year.sqrt();
    let (max_drawdown, drawdown_peak, drawdown_trough) = max_drawdown(closes);
    ReturnStats {
        total_return,
        annualized_return: (1.0 + total_return).powf(periods_per_year / periods) - 1.0,
        volatility,
        sharpe: (mean(&returns) * periods_per_year - risk_free_rate) / volatility,
        max_drawdown,
        drawdown_peak,
        drawdown_trough,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawdown_finds_the_largest_fall_from_a_running_peak() {
        let c = [100.0, 120.0, 90.0, 130.0, 104.0, 140.0];
        let (dd, peak, trough) = max_drawdown(&c);
        assert!((dd - (90.0 / 120.0 - 1.0)).abs() < 1e-15);
        assert_eq!((peak, trough), (1, 2));
        assert_eq!(max_drawdown(&[1.0, 2.0, 3.0]), (0.0, 0, 0));
    }

    #[test]
    fn beta_of_a_scaled_series_is_the_scale_and_correlation_one() {
        let b = [0.01, -0.02, 0.015, 0.0, -0.005];
        let x: Vec<f64> = b.iter().map(|r| 2.0 * r).collect();
        assert!((beta(&x, &b) - 2.0).abs() < 1e-12);
        assert!((correlation(&x, &b) - 1.0).abs() < 1e-12);
        assert!(beta(&x, &[0.0; 5]).is_nan());
    }
}
