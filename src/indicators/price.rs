//! Price transforms: TYPPRICE.

use super::IndicatorError;
use super::common::{check_inputs, nan_vec};

/// Typical price (`TYPPRICE`): (high + low + close) / 3.
pub fn typprice(high: &[f64], low: &[f64], close: &[f64]) -> Result<Vec<f64>, IndicatorError> {
    let n = check_inputs(
        "TYPPRICE",
        &[("high", high), ("low", low), ("close", close)],
        0,
    )?;
    let mut out = nan_vec(n);
    for (((o, &h), &l), &c) in out.iter_mut().zip(high).zip(low).zip(close) {
        *o = (h + l + c) / 3.0;
    }
    Ok(out)
}
