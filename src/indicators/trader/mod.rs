//! Indicators Indian traders use daily, beyond TA-Lib: session VWAP,
//! Supertrend, Ichimoku, Keltner and Donchian channels, pivot points and
//! Heikin-Ashi candles.
//!
//! Each indicator has a plain function with a natural signature (re-exported
//! here) whose doc comment gives its formula and conventions, and an entry in
//! [`SPECS`] (group `trader`) for the registry. Outputs are aligned with the
//! input bars, NaN in the warm-up. Errors are typed [`IndicatorError`]s:
//! invalid parameters, mismatched column lengths, NaN/inf inputs, and series
//! too short for one value.
//!
//! Shared conventions:
//! - ATR is Wilder's with TA-Lib semantics (first value at bar `period`, the
//!   mean of TR[1..=period]); EMA is TA-Lib's (SMA seed at bar `period-1`).
//! - A session is one exchange-local calendar date of `ts + utc_offset_secs`
//!   (NSE/BSE: IST, sessions open 09:15).

mod channels;
mod common;
mod heikin_ashi;
mod ichimoku;
mod pivots;
mod supertrend;
mod vwap;

pub use channels::{Channel, donchian, keltner};
pub use heikin_ashi::{HeikinAshi, heikin_ashi};
pub use ichimoku::{Ichimoku, ichimoku};
pub use pivots::{PivotMethod, Pivots, pivots};
pub use supertrend::{Supertrend, supertrend};
pub use vwap::vwap;

use super::{IndicatorSpec, Input, WarmupRule};
use Input::{Close, High, Low, Open, Time, Volume};

/// The trader indicators, for the global registry.
pub static SPECS: &[IndicatorSpec] = &[
    IndicatorSpec {
        name: "VWAP",
        group: "trader",
        description: "Volume-weighted average price of typical price (H+L+C)/3, reset at each exchange session (local calendar date) for intraday bars; cumulative from the first bar for daily or coarser bars. NaN while the session's volume is still zero.",
        inputs: &[High, Low, Close, Volume, Time],
        params: &[],
        outputs: &["vwap"],
        lookback: vwap::lookback,
        compute: vwap::compute,
        warmup: WarmupRule::Anchored,
        reading: None,
    },
    IndicatorSpec {
        name: "SUPERTREND",
        group: "trader",
        description: "Supertrend: hl2 ± multiplier × Wilder ATR(period) bands with the standard carry rules; direction +1 up / -1 down flips when close crosses the band; supertrend is the lower band in an uptrend, the upper band in a downtrend.",
        inputs: &[High, Low, Close],
        params: supertrend::PARAMS,
        outputs: &["supertrend", "direction", "upper", "lower"],
        lookback: supertrend::lookback,
        compute: supertrend::compute,
        warmup: WarmupRule::Recursive,
        reading: None,
    },
    IndicatorSpec {
        name: "ICHIMOKU",
        group: "trader",
        description: "Ichimoku cloud: tenkan and kijun = midpoint of highest high and lowest low over their windows; senkou_a = (tenkan+kijun)/2 and senkou_b = 52-bar midpoint, both as plotted (computed `displacement` bars earlier); chikou = close `displacement` bars later (NaN at the end).",
        inputs: &[High, Low, Close],
        params: ichimoku::PARAMS,
        outputs: &["tenkan", "kijun", "senkou_a", "senkou_b", "chikou"],
        lookback: ichimoku::lookback,
        compute: ichimoku::compute,
        warmup: WarmupRule::Window,
        reading: None,
    },
    IndicatorSpec {
        name: "KELTNER",
        group: "trader",
        description: "Keltner Channels: middle = EMA(close, period), upper/lower = middle ± multiplier × Wilder ATR(atr_period).",
        inputs: &[High, Low, Close],
        params: channels::KELTNER_PARAMS,
        outputs: &["upper", "middle", "lower"],
        lookback: channels::keltner_lookback,
        compute: channels::keltner_compute,
        warmup: WarmupRule::Recursive,
        reading: None,
    },
    IndicatorSpec {
        name: "DONCHIAN",
        group: "trader",
        description: "Donchian Channels: upper = highest high and lower = lowest low of the last `period` bars (current bar included), middle = their average.",
        inputs: &[High, Low],
        params: channels::DONCHIAN_PARAMS,
        outputs: &["upper", "middle", "lower"],
        lookback: channels::donchian_lookback,
        compute: channels::donchian_compute,
        warmup: WarmupRule::Window,
        reading: None,
    },
    IndicatorSpec {
        name: "PIVOT_CLASSIC",
        group: "trader",
        description: "Classic floor pivots from the previous period's H/L/C (previous bar for daily bars, previous session for intraday bars): pp = (H+L+C)/3, r1 = 2pp-L, s1 = 2pp-H, r2/s2 = pp ± (H-L), r3 = H+2(pp-L), s3 = L-2(H-pp).",
        inputs: &[High, Low, Close, Time],
        params: &[],
        outputs: &["pp", "r1", "r2", "r3", "s1", "s2", "s3"],
        lookback: pivots::lookback,
        compute: pivots::classic_compute,
        warmup: WarmupRule::PreviousSession,
        reading: None,
    },
    IndicatorSpec {
        name: "PIVOT_FIBONACCI",
        group: "trader",
        description: "Fibonacci pivots from the previous period's H/L/C (previous bar for daily bars, previous session for intraday bars): pp = (H+L+C)/3, r/s 1..3 = pp ± 0.382, 0.618, 1.0 × (H-L).",
        inputs: &[High, Low, Close, Time],
        params: &[],
        outputs: &["pp", "r1", "r2", "r3", "s1", "s2", "s3"],
        lookback: pivots::lookback,
        compute: pivots::fibonacci_compute,
        warmup: WarmupRule::PreviousSession,
        reading: None,
    },
    IndicatorSpec {
        name: "PIVOT_CAMARILLA",
        group: "trader",
        description: "Camarilla pivots from the previous period's H/L/C (previous bar for daily bars, previous session for intraday bars): pp = (H+L+C)/3, r/s 1..4 = C ± 1.1 × (H-L) / 12, 6, 4, 2.",
        inputs: &[High, Low, Close, Time],
        params: &[],
        outputs: &["pp", "r1", "r2", "r3", "r4", "s1", "s2", "s3", "s4"],
        lookback: pivots::lookback,
        compute: pivots::camarilla_compute,
        warmup: WarmupRule::PreviousSession,
        reading: None,
    },
    IndicatorSpec {
        name: "HEIKIN_ASHI",
        group: "trader",
        description: "Heikin-Ashi candles: ha_close = (O+H+L+C)/4, ha_open = (previous ha_open + previous ha_close)/2 seeded with (open+close)/2 of the first bar, ha_high = max(H, ha_open, ha_close), ha_low = min(L, ha_open, ha_close).",
        inputs: &[Open, High, Low, Close],
        params: &[],
        outputs: &["ha_open", "ha_high", "ha_low", "ha_close"],
        lookback: heikin_ashi::lookback,
        compute: heikin_ashi::compute,
        warmup: WarmupRule::Recursive,
        reading: None,
    },
];
