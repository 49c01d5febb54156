//! The table of all 61 patterns, name lookup, input validation and the entry points.

use super::{PatternSpec, double as d2, multi as m, single as s1, star as st, triple as t3};
use crate::indicators::Ohlcv;

/// Why a pattern could not be computed. The messages are shown to users.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatternError {
    #[error("unknown candlestick pattern '{name}'; valid choices: {valid}")]
    Unknown { name: String, valid: String },
    #[error("penetration = {value} is invalid: it must be a finite number >= 0 (e.g. 0.3)")]
    InvalidPenetration { value: f64 },
    #[error("{pattern} takes no penetration parameter")]
    NoPenetration { pattern: &'static str },
    #[error(
        "invalid input: open, high, low and close must have equal lengths \
         (got {open}, {high}, {low}, {close})"
    )]
    LengthMismatch {
        open: usize,
        high: usize,
        low: usize,
        close: usize,
    },
    #[error("invalid input: {column}[{index}] is {value}; prices must be finite numbers")]
    NonFinite {
        column: &'static str,
        index: usize,
        value: f64,
    },
    #[error("output buffer holds {got} values, expected {expected}")]
    OutputLength { expected: usize, got: usize },
}

type Compute = fn(&Ohlcv, f64, &mut [i32]);

const fn spec(
    name: &'static str,
    description: &'static str,
    penetration: Option<f64>,
    lookback: usize,
    compute: Compute,
) -> PatternSpec {
    PatternSpec {
        name,
        description,
        penetration,
        lookback,
        compute,
    }
}

#[rustfmt::skip]
static REGISTRY: [PatternSpec; 61] = [
    spec("CDL2CROWS", "Two crows: long white candle, black body gapping up, black candle closing into the first body (bearish)", None, t3::TWO_CROWS, t3::two_crows),
    spec("CDL3BLACKCROWS", "Three black crows: three declining black candles closing near their lows after a white one (bearish)", None, m::THREE_BLACK_CROWS, m::three_black_crows),
    spec("CDL3INSIDE", "Three inside up/down: a harami confirmed by a third candle closing beyond the first's open", None, t3::THREE_INSIDE, t3::three_inside),
    spec("CDL3LINESTRIKE", "Three-line strike: three candles stepping on, wiped out by a fourth opposite candle", None, m::THREE_LINE_STRIKE, m::three_line_strike),
    spec("CDL3OUTSIDE", "Three outside up/down: an engulfing confirmed by a third candle closing further", None, t3::THREE_OUTSIDE, t3::three_outside),
    spec("CDL3STARSINSOUTH", "Three stars in the south: three shrinking black candles ending in a small marubozu (bullish)", None, t3::THREE_STARS_IN_SOUTH, t3::three_stars_in_south),
    spec("CDL3WHITESOLDIERS", "Three advancing white soldiers: three rising white candles with short upper shadows (bullish)", None, t3::THREE_WHITE_SOLDIERS, t3::three_white_soldiers),
    spec("CDLABANDONEDBABY", "Abandoned baby: long candle, isolated doji beyond a gap, opposite candle gapping back (reversal)", Some(0.3), st::ABANDONED_BABY, st::abandoned_baby),
    spec("CDLADVANCEBLOCK", "Advance block: three rising white candles showing exhaustion (bearish)", None, t3::ADVANCE_BLOCK, t3::advance_block),
    spec("CDLBELTHOLD", "Belt-hold: long candle opening at its low (white) or high (black)", None, s1::BELT_HOLD, s1::belt_hold),
    spec("CDLBREAKAWAY", "Breakaway: gap and three-candle run, then an opposite candle closing inside the gap (reversal)", None, m::BREAKAWAY, m::breakaway),
    spec("CDLCLOSINGMARUBOZU", "Closing marubozu: long candle closing at its high (white) or low (black)", None, s1::CLOSING_MARUBOZU, s1::closing_marubozu),
    spec("CDLCONCEALBABYSWALL", "Concealing baby swallow: two black marubozu, a gapping black candle engulfed by a fourth (bullish)", None, m::CONCEAL_BABY_SWALLOW, m::conceal_baby_swallow),
    spec("CDLCOUNTERATTACK", "Counterattack: two long opposite candles closing at the same price (reversal)", None, d2::COUNTERATTACK, d2::counterattack),
    spec("CDLDARKCLOUDCOVER", "Dark cloud cover: black candle opening above a long white one's high and closing deep into its body (bearish)", Some(0.5), d2::DARK_CLOUD_COVER, d2::dark_cloud_cover),
    spec("CDLDOJI", "Doji: open and close (almost) equal", None, s1::DOJI, s1::doji),
    spec("CDLDOJISTAR", "Doji star: long candle followed by a doji gapping away (reversal)", None, d2::DOJI_STAR, d2::doji_star),
    spec("CDLDRAGONFLYDOJI", "Dragonfly doji: doji with a long lower shadow and no upper shadow", None, s1::DRAGONFLY_DOJI, s1::dragonfly_doji),
    spec("CDLENGULFING", "Engulfing: a body engulfing the prior opposite body (80 when one end only matches)", None, d2::ENGULFING, d2::engulfing),
    spec("CDLEVENINGDOJISTAR", "Evening doji star: long white candle, doji gapping up, black candle closing into the first (bearish)", Some(0.3), st::EVENING_DOJI_STAR, st::evening_doji_star),
    spec("CDLEVENINGSTAR", "Evening star: long white candle, small body gapping up, black candle closing into the first (bearish)", Some(0.3), st::EVENING_STAR, st::evening_star),
    spec("CDLGAPSIDESIDEWHITE", "Up/down-gap side-by-side white lines: two similar white candles beyond a gap (continuation)", None, t3::GAP_SIDE_SIDE_WHITE, t3::gap_side_side_white),
    spec("CDLGRAVESTONEDOJI", "Gravestone doji: doji with a long upper shadow and no lower shadow", None, s1::GRAVESTONE_DOJI, s1::gravestone_doji),
    spec("CDLHAMMER", "Hammer: small body near the high, long lower shadow, at or below the prior low (bullish)", None, s1::HAMMER, s1::hammer),
    spec("CDLHANGINGMAN", "Hanging man: hammer-shaped candle at or above the prior high (bearish)", None, s1::HANGING_MAN, s1::hanging_man),
    spec("CDLHARAMI", "Harami: long candle followed by a small body inside it (80 when touching an end)", None, d2::HARAMI, d2::harami),
    spec("CDLHARAMICROSS", "Harami cross: long candle followed by a doji inside its body (80 when touching an end)", None, d2::HARAMI_CROSS, d2::harami_cross),
    spec("CDLHIGHWAVE", "High-wave candle: small body with very long shadows on both sides", None, s1::HIGH_WAVE, s1::high_wave),
    spec("CDLHIKKAKE", "Hikkake: inside bar then a false breakout (100); 200 when confirmed within 3 bars", None, m::HIKKAKE, m::hikkake),
    spec("CDLHIKKAKEMOD", "Modified hikkake: two inside bars, close near the extreme, false breakout; 200 when confirmed", None, m::HIKKAKE_MOD, m::hikkake_mod),
    spec("CDLHOMINGPIGEON", "Homing pigeon: long black candle followed by a small black body inside it (bullish)", None, d2::HOMING_PIGEON, d2::homing_pigeon),
    spec("CDLIDENTICAL3CROWS", "Identical three crows: three declining black candles each opening at the prior close (bearish)", None, t3::IDENTICAL_THREE_CROWS, t3::identical_three_crows),
    spec("CDLINNECK", "In-neck: long black candle, white candle opening lower and closing just at its close (bearish)", None, d2::IN_NECK, d2::in_neck),
    spec("CDLINVERTEDHAMMER", "Inverted hammer: small body, long upper shadow, gapping down from the prior body (bullish)", None, s1::INVERTED_HAMMER, s1::inverted_hammer),
    spec("CDLKICKING", "Kicking: marubozu followed by an opposite marubozu beyond a gap", None, d2::KICKING, d2::kicking),
    spec("CDLKICKINGBYLENGTH", "Kicking by length: kicking, direction taken from the longer marubozu", None, d2::KICKING_BY_LENGTH, d2::kicking_by_length),
    spec("CDLLADDERBOTTOM", "Ladder bottom: four falling black candles, then a white candle closing above the fourth's high (bullish)", None, m::LADDER_BOTTOM, m::ladder_bottom),
    spec("CDLLONGLEGGEDDOJI", "Long-legged doji: doji with a long shadow", None, s1::LONG_LEGGED_DOJI, s1::long_legged_doji),
    spec("CDLLONGLINE", "Long line: long body with short shadows", None, s1::LONG_LINE, s1::long_line),
    spec("CDLMARUBOZU", "Marubozu: long body with (almost) no shadows", None, s1::MARUBOZU, s1::marubozu),
    spec("CDLMATCHINGLOW", "Matching low: two black candles closing at the same price (bullish)", None, d2::MATCHING_LOW, d2::matching_low),
    spec("CDLMATHOLD", "Mat hold: long white, three small reaction candles holding in its body, then a new high (bullish)", Some(0.5), m::MAT_HOLD, m::mat_hold),
    spec("CDLMORNINGDOJISTAR", "Morning doji star: long black candle, doji gapping down, white candle closing into the first (bullish)", Some(0.3), st::MORNING_DOJI_STAR, st::morning_doji_star),
    spec("CDLMORNINGSTAR", "Morning star: long black candle, small body gapping down, white candle closing into the first (bullish)", Some(0.3), st::MORNING_STAR, st::morning_star),
    spec("CDLONNECK", "On-neck: long black candle, white candle opening lower and closing at its low (bearish)", None, d2::ON_NECK, d2::on_neck),
    spec("CDLPIERCING", "Piercing: long black candle, long white candle opening below its low and closing above its middle (bullish)", None, d2::PIERCING, d2::piercing),
    spec("CDLRICKSHAWMAN", "Rickshaw man: doji with two long shadows, body near the middle of the range", None, s1::RICKSHAW_MAN, s1::rickshaw_man),
    spec("CDLRISEFALL3METHODS", "Rising/falling three methods: long candle, three small reactions inside it, long candle beyond it (continuation)", None, m::RISE_FALL_THREE_METHODS, m::rise_fall_three_methods),
    spec("CDLSEPARATINGLINES", "Separating lines: opposite candles opening at the same price, the second a long belt-hold (continuation)", None, d2::SEPARATING_LINES, d2::separating_lines),
    spec("CDLSHOOTINGSTAR", "Shooting star: small body, long upper shadow, gapping up from the prior body (bearish)", None, s1::SHOOTING_STAR, s1::shooting_star),
    spec("CDLSHORTLINE", "Short line: short body with short shadows", None, s1::SHORT_LINE, s1::short_line),
    spec("CDLSPINNINGTOP", "Spinning top: small body with shadows longer than the body", None, s1::SPINNING_TOP, s1::spinning_top),
    spec("CDLSTALLEDPATTERN", "Stalled pattern: two long rising white candles, then a small one on the second's shoulder (bearish)", None, t3::STALLED_PATTERN, t3::stalled_pattern),
    spec("CDLSTICKSANDWICH", "Stick sandwich: black, white, black candles, the outer two closing at the same price (bullish)", None, t3::STICK_SANDWICH, t3::stick_sandwich),
    spec("CDLTAKURI", "Takuri: doji with no upper shadow and a very long lower shadow", None, s1::TAKURI, s1::takuri),
    spec("CDLTASUKIGAP", "Tasuki gap: gap, continuation candle, opposite candle closing inside the gap (continuation)", None, t3::TASUKI_GAP, t3::tasuki_gap),
    spec("CDLTHRUSTING", "Thrusting: long black candle, white candle closing into but below the middle of its body (bearish)", None, d2::THRUSTING, d2::thrusting),
    spec("CDLTRISTAR", "Tristar: three dojis, the middle one gapping away (reversal)", None, st::TRISTAR, st::tristar),
    spec("CDLUNIQUE3RIVER", "Unique three river: long black, black candle with a lower low, small white candle above that low (bullish)", None, t3::UNIQUE_THREE_RIVER, t3::unique_three_river),
    spec("CDLUPSIDEGAP2CROWS", "Upside gap two crows: long white, small black gapping up, larger black closing above the first (bearish)", None, t3::UPSIDE_GAP_TWO_CROWS, t3::upside_gap_two_crows),
    spec("CDLXSIDEGAP3METHODS", "Upside/downside gap three methods: two candles with a gap, then an opposite candle closing it (continuation)", None, t3::XSIDE_GAP_THREE_METHODS, t3::xside_gap_three_methods),
];

/// All 61 patterns, in TA-Lib's (alphabetical) order.
pub fn registry() -> &'static [PatternSpec] {
    &REGISTRY
}

/// The pattern called `name`: case-insensitive, with or without the `CDL`
/// prefix, ignoring `_`, `-` and spaces (`"hammer"`, `"CDL_HAMMER"`, `"cdl3inside"`).
pub fn find(name: &str) -> Option<&'static PatternSpec> {
    let key: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let bare = key.strip_prefix("CDL").unwrap_or(&key);
    REGISTRY.iter().find(|s| &s.name[3..] == bare)
}

/// Like [`find`], with a user-facing error listing the valid names.
pub fn lookup(name: &str) -> Result<&'static PatternSpec, PatternError> {
    find(name).ok_or_else(|| PatternError::Unknown {
        name: crate::echo::clip(name).into_owned(),
        valid: REGISTRY
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// Bars at the start of any series that always read 0 (TA-Lib's lookback).
pub fn lookback(spec: &PatternSpec) -> usize {
    spec.lookback
}

fn penetration_for(spec: &PatternSpec, given: Option<f64>) -> Result<f64, PatternError> {
    match (spec.penetration, given) {
        (_, Some(p)) if !p.is_finite() || p < 0.0 => {
            Err(PatternError::InvalidPenetration { value: p })
        }
        (None, Some(_)) => Err(PatternError::NoPenetration { pattern: spec.name }),
        (Some(_), Some(p)) => Ok(p),
        (default, None) => Ok(default.unwrap_or(0.0)),
    }
}

fn validate(d: &Ohlcv) -> Result<usize, PatternError> {
    let n = d.open.len();
    if d.high.len() != n || d.low.len() != n || d.close.len() != n {
        return Err(PatternError::LengthMismatch {
            open: n,
            high: d.high.len(),
            low: d.low.len(),
            close: d.close.len(),
        });
    }
    for (column, values) in [
        ("open", d.open),
        ("high", d.high),
        ("low", d.low),
        ("close", d.close),
    ] {
        if let Some(index) = values.iter().position(|x| !x.is_finite()) {
            return Err(PatternError::NonFinite {
                column,
                index,
                value: values[index],
            });
        }
    }
    Ok(n)
}

/// Runs one pattern into `out` (one code per bar), after validating the
/// inputs and the penetration (`None` takes TA-Lib's default).
pub fn detect_into(
    spec: &PatternSpec,
    ohlcv: &Ohlcv,
    penetration: Option<f64>,
    out: &mut [i32],
) -> Result<(), PatternError> {
    let pen = penetration_for(spec, penetration)?;
    let n = validate(ohlcv)?;
    if out.len() != n {
        return Err(PatternError::OutputLength {
            expected: n,
            got: out.len(),
        });
    }
    (spec.compute)(ohlcv, pen, out);
    Ok(())
}

/// Runs one pattern: one code per bar.
pub fn detect(
    spec: &PatternSpec,
    ohlcv: &Ohlcv,
    penetration: Option<f64>,
) -> Result<Vec<i32>, PatternError> {
    let mut out = vec![0; ohlcv.open.len()];
    detect_into(spec, ohlcv, penetration, &mut out)?;
    Ok(out)
}

/// Runs all 61 patterns (default penetrations) into one caller-owned buffer
/// of `61 * bars` codes, pattern by pattern in [`registry`] order: pattern
/// `k` fills `out[k * bars..(k + 1) * bars]`. Validates the inputs once and
/// allocates nothing.
pub fn detect_all_into(ohlcv: &Ohlcv, out: &mut [i32]) -> Result<(), PatternError> {
    let n = validate(ohlcv)?;
    let expected = n * REGISTRY.len();
    if out.len() != expected {
        return Err(PatternError::OutputLength {
            expected,
            got: out.len(),
        });
    }
    if n == 0 {
        return Ok(());
    }
    for (spec, row) in REGISTRY.iter().zip(out.chunks_exact_mut(n)) {
        (spec.compute)(ohlcv, spec.penetration.unwrap_or(0.0), row);
    }
    Ok(())
}

/// Runs all 61 patterns (default penetrations): `(name, codes)` in [`registry`] order.
pub fn detect_all(ohlcv: &Ohlcv) -> Result<Vec<(&'static str, Vec<i32>)>, PatternError> {
    let n = validate(ohlcv)?;
    Ok(REGISTRY
        .iter()
        .map(|spec| {
            let mut out = vec![0; n];
            (spec.compute)(ohlcv, spec.penetration.unwrap_or(0.0), &mut out);
            (spec.name, out)
        })
        .collect())
}
