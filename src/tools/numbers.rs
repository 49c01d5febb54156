//! Numbers as answers print them: prices as the exchange quotes them,
//! computed values to a stated number of significant digits.
//!
//! Rounding happens here, at rendering, and nowhere else: the store, L1,
//! the indicator library and the TA-Lib parity tests keep full precision.

use super::ToolError;

/// Significant digits of computed values (indicators, returns, ratios)
/// when a call does not say: within 1e-9 (relative) of the full value,
/// without the float noise of its last bits.
pub const DEFAULT_PRECISION: u8 = 10;

/// Enough digits for any f64 to read back exactly.
pub const FULL_PRECISION: u8 = 17;

/// A price as the exchange quotes it. Yahoo sends float32 prices widened
/// to doubles (a close of 2855.9 arrives as 2855.89990234375); this is the
/// double nearest the float32's shortest round-trip decimal, `2855.9`,
/// which JSON and text then print as that decimal. Rounding to
/// `meta.priceHint` decimals would destroy split-adjusted history (a 1980
/// AAPL close of 0.128348 would become 0.13); this loses nothing the source
/// had. Differences of such prices are clean too: 2855.9 - 2850.1 is 5.8
/// (to 10 digits), not the 5.7998046875 of the float32 inputs.
///
/// It is a double, not an `f32`, because answers pass through
/// `serde_json::Value`, which widens an `f32` back to its noisy double.
pub fn price(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let mut buffer = ryu::Buffer::new();
    buffer.format_finite(x as f32).parse().unwrap_or(x)
}

/// How many significant digits a call wants for computed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Precision(u8);

impl Default for Precision {
    fn default() -> Self {
        Precision(DEFAULT_PRECISION)
    }
}

impl Precision {
    /// The `precision` argument, checked: 1 to 17 significant digits.
    pub fn of(arg: Option<i64>) -> Result<Precision, ToolError> {
        match arg {
            None => Ok(Precision::default()),
            Some(p) if (1..=i64::from(FULL_PRECISION)).contains(&p) => Ok(Precision(p as u8)),
            Some(p) => Err(ToolError(format!(
                "precision must be 1 to {FULL_PRECISION} significant digits (default {DEFAULT_PRECISION}; {FULL_PRECISION} gives every value exactly), not {p}"
            ))),
        }
    }

    /// `x` rounded to this many significant digits (the double nearest
    /// that decimal, which serialises as it). Non-finite values pass.
    pub fn round(self, x: f64) -> f64 {
        if self.0 >= FULL_PRECISION || !x.is_finite() || x == 0.0 {
            return x;
        }
        // Formatting does correct decimal rounding, which scaling by a
        // power of ten would not (it adds its own error).
        format!("{:.*e}", usize::from(self.0 - 1), x)
            .parse()
            .unwrap_or(x)
    }

    /// [`Precision::round`] for an optional value.
    pub fn round_opt(self, x: Option<f64>) -> Option<f64> {
        x.map(|v| self.round(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_print_as_their_float32() {
        assert_eq!(price(2855.89990234375).to_string(), "2855.9");
        assert_eq!(price(2101.301025390625).to_string(), "2101.301");
        assert_eq!(price(0.128348).to_string(), "0.128348");
        assert_eq!(price(1e-7_f32 as f64).to_string(), "0.0000001");
        let json = serde_json::to_value(price(2855.89990234375)).unwrap();
        assert_eq!(json.to_string(), "2855.9", "through serde_json::Value");
        assert_eq!(
            price(2855.89990234375) - price(2850.10009765625),
            2855.9 - 2850.1
        );
        assert!(price(f64::NAN).is_nan());
    }

    #[test]
    fn significant_digits() {
        let p = Precision::of(Some(4)).unwrap();
        assert_eq!(p.round(55.123456), 55.12);
        assert_eq!(p.round(-0.000123456), -0.0001235);
        assert_eq!(p.round(123456789.0), 123500000.0);
        let d = Precision::default();
        assert_eq!(d.round(54.63781287412394), 54.63781287);
        assert!(d.round(f64::NAN).is_nan());
        let full = Precision::of(Some(17)).unwrap();
        assert_eq!(full.round(54.63781287412394), 54.63781287412394);
        assert!(Precision::of(Some(0)).is_err());
        assert!(Precision::of(Some(18)).unwrap_err().0.contains("1 to 17"));
    }
}
