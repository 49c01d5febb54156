//! The TA-Lib indicator table: names, inputs, parameters (TA-Lib's names,
//! defaults and valid ranges), outputs, lookback and compute for each.

use super::common::MAX_REAL;
use super::ma::{MaType, ma_lookback};
use super::{IndicatorError, IndicatorSpec, Input, Ohlcv, ParamSpec, WarmupRule};
use super::{ma, overlap, price, statistics as st, volatility as vol, volume as vo};
use Input::{Close, High, Low, Volume};

pub(super) type Out = Result<Vec<Vec<f64>>, IndicatorError>;

const MAXP: f64 = 100_000.0;

pub(super) const fn int(
    name: &'static str,
    default: f64,
    min: f64,
    description: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        default,
        min,
        max: MAXP,
        integer: true,
        description,
    }
}

pub(super) const fn real(
    name: &'static str,
    default: f64,
    min: f64,
    max: f64,
    description: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        default,
        min,
        max,
        integer: false,
        description,
    }
}

pub(super) const fn tp(default: f64, min: f64) -> ParamSpec {
    int("timeperiod", default, min, "number of bars in the window")
}

pub(super) const fn matype(name: &'static str, default: f64) -> ParamSpec {
    ParamSpec {
        name,
        default,
        min: 0.0,
        max: 8.0,
        integer: true,
        description: "moving average type: 0=SMA 1=EMA 2=WMA 3=DEMA 4=TEMA 5=TRIMA 6=KAMA 7=MAMA 8=T3",
    }
}

/// A validated whole-number parameter as usize (params are range-checked
/// before `compute`/`lookback`; saturating keeps a bad call panic-free).
#[inline]
pub(super) fn u(p: &[f64], i: usize) -> usize {
    p.get(i)
        .map_or(0, |v| if *v > 0.0 { *v as usize } else { 0 })
}

#[inline]
pub(super) fn f(p: &[f64], i: usize) -> f64 {
    p.get(i).copied().unwrap_or(f64::NAN)
}

pub(super) fn mt(p: &[f64], i: usize) -> Result<MaType, IndicatorError> {
    ma::matype_param("matype", f(p, i))
}

/// MA type for lookbacks (SMA if out of range; compute rejects it anyway).
pub(super) fn mtl(p: &[f64], i: usize) -> MaType {
    MaType::from_code(u(p, i)).unwrap_or(MaType::Sma)
}

pub(super) fn one(v: Result<Vec<f64>, IndicatorError>) -> Out {
    Ok(vec![v?])
}

pub(super) fn two(v: Result<(Vec<f64>, Vec<f64>), IndicatorError>) -> Out {
    let (a, b) = v?;
    Ok(vec![a, b])
}

pub(super) fn three(v: Result<super::Series3, IndicatorError>) -> Out {
    let (a, b, c) = v?;
    Ok(vec![a, b, c])
}

pub(super) fn lb_p_minus_1(p: &[f64]) -> usize {
    u(p, 0).saturating_sub(1)
}
pub(super) fn lb_p(p: &[f64]) -> usize {
    u(p, 0)
}
pub(super) fn lb_zero(_: &[f64]) -> usize {
    0
}
pub(super) fn lb_one(_: &[f64]) -> usize {
    1
}

/// One table entry.
macro_rules! spec {
    ($name:literal, $group:literal, $desc:literal, [$($inp:ident),*], [$($param:expr),*], [$($out:literal),*], $lb:expr, $compute:expr, $warmup:ident) => {
        IndicatorSpec {
            name: $name,
            group: $group,
            description: $desc,
            inputs: &[$($inp),*],
            params: &[$($param),*],
            outputs: &[$($out),*],
            lookback: $lb,
            compute: $compute,
            warmup: WarmupRule::$warmup,
            reading: None,
        }
    };
}
pub(super) use spec;

/// TA-Lib overlap, volume, volatility, statistics and price functions
/// (momentum is in `specs_momentum`).
pub static TALIB_SPECS: &[IndicatorSpec] = &[
    // ---- overlap studies
    spec!(
        "SMA",
        "overlap",
        "Simple moving average of close.",
        [Close],
        [tp(30.0, 1.0)],
        ["sma"],
        |p| ma_lookback(u(p, 0), MaType::Sma),
        |o: &Ohlcv, p: &[f64]| one(ma::sma(o.close, u(p, 0))),
        Window
    ),
    spec!(
        "EMA",
        "overlap",
        "Exponential moving average of close, k = 2/(period+1), seeded with the SMA of the first period bars.",
        [Close],
        [tp(30.0, 1.0)],
        ["ema"],
        |p| ma_lookback(u(p, 0), MaType::Ema),
        |o: &Ohlcv, p: &[f64]| one(ma::ema(o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "WMA",
        "overlap",
        "Linearly weighted moving average of close (newest bar weighs most).",
        [Close],
        [tp(30.0, 1.0)],
        ["wma"],
        |p| ma_lookback(u(p, 0), MaType::Wma),
        |o: &Ohlcv, p: &[f64]| one(ma::wma(o.close, u(p, 0))),
        Window
    ),
    spec!(
        "DEMA",
        "overlap",
        "Double exponential moving average: 2*EMA - EMA(EMA).",
        [Close],
        [tp(30.0, 1.0)],
        ["dema"],
        |p| ma_lookback(u(p, 0), MaType::Dema),
        |o: &Ohlcv, p: &[f64]| one(ma::dema(o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "TEMA",
        "overlap",
        "Triple exponential moving average: 3*EMA - 3*EMA(EMA) + EMA(EMA(EMA)).",
        [Close],
        [tp(30.0, 1.0)],
        ["tema"],
        |p| ma_lookback(u(p, 0), MaType::Tema),
        |o: &Ohlcv, p: &[f64]| one(ma::tema(o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "TRIMA",
        "overlap",
        "Triangular moving average (SMA of an SMA) of close.",
        [Close],
        [tp(30.0, 1.0)],
        ["trima"],
        |p| ma_lookback(u(p, 0), MaType::Trima),
        |o: &Ohlcv, p: &[f64]| one(ma::trima(o.close, u(p, 0))),
        Window
    ),
    spec!(
        "KAMA",
        "overlap",
        "Kaufman adaptive moving average: EMA whose factor follows the efficiency ratio over period bars.",
        [Close],
        [tp(30.0, 1.0)],
        ["kama"],
        |p| ma_lookback(u(p, 0), MaType::Kama),
        |o: &Ohlcv, p: &[f64]| one(ma::kama(o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "T3",
        "overlap",
        "Tillson T3: six chained EMAs combined with volume factor vfactor.",
        [Close],
        [
            tp(5.0, 1.0),
            real(
                "vfactor",
                0.7,
                0.0,
                1.0,
                "volume factor (0 = triple EMA-like, 1 = more responsive)"
            )
        ],
        ["t3"],
        |p| ma_lookback(u(p, 0), MaType::T3),
        |o: &Ohlcv, p: &[f64]| one(ma::t3(o.close, u(p, 0), f(p, 1))),
        Recursive
    ),
    spec!(
        "MIDPOINT",
        "overlap",
        "(highest close + lowest close) / 2 over period bars.",
        [Close],
        [tp(14.0, 2.0)],
        ["midpoint"],
        lb_p_minus_1,
        |o: &Ohlcv, p: &[f64]| one(overlap::midpoint(o.close, u(p, 0))),
        Window
    ),
    spec!(
        "MIDPRICE",
        "overlap",
        "(highest high + lowest low) / 2 over period bars.",
        [High, Low],
        [tp(14.0, 2.0)],
        ["midprice"],
        lb_p_minus_1,
        |o: &Ohlcv, p: &[f64]| one(overlap::midprice(o.high, o.low, u(p, 0))),
        Window
    ),
    spec!(
        "BBANDS",
        "overlap",
        "Bollinger Bands: middle = MA(close, matype), upper/lower = middle ± nbdevup/nbdevdn × population standard deviation over period. Unstable only with EMA-family matype.",
        [Close],
        [
            tp(20.0, 2.0),
            real(
                "nbdevup",
                2.0,
                -MAX_REAL,
                MAX_REAL,
                "deviations above the middle band"
            ),
            real(
                "nbdevdn",
                2.0,
                -MAX_REAL,
                MAX_REAL,
                "deviations below the middle band"
            ),
            matype("matype", 0.0)
        ],
        ["upperband", "middleband", "lowerband"],
        |p| overlap::bbands_lookback(u(p, 0), mtl(p, 3)),
        |o: &Ohlcv, p: &[f64]| three(overlap::bbands(
            o.close,
            u(p, 0),
            f(p, 1),
            f(p, 2),
            mt(p, 3)?
        )),
        Recursive
    ),
    spec!(
        "SAR",
        "overlap",
        "Parabolic SAR (Wilder), TA-Lib variant: initial direction from the first bars' directional movement.",
        [High, Low],
        [
            real(
                "acceleration",
                0.02,
                0.0,
                MAX_REAL,
                "acceleration factor step (and start)"
            ),
            real("maximum", 0.2, 0.0, MAX_REAL, "maximum acceleration factor")
        ],
        ["sar"],
        lb_one,
        |o: &Ohlcv, p: &[f64]| one(overlap::sar(o.high, o.low, f(p, 0), f(p, 1))),
        Recursive
    ),
    // ---- volume
    spec!(
        "OBV",
        "volume",
        "On-balance volume: cumulative volume signed by the close's direction, starting at the first bar's volume.",
        [Close, Volume],
        [],
        ["obv"],
        lb_zero,
        |o: &Ohlcv, _: &[f64]| one(vo::obv(o.close, o.volume)),
        Cumulative
    ),
    spec!(
        "AD",
        "volume",
        "Chaikin accumulation/distribution line: cumulative ((C-L)-(H-C))/(H-L) × volume.",
        [High, Low, Close, Volume],
        [],
        ["ad"],
        lb_zero,
        |o: &Ohlcv, _: &[f64]| one(vo::ad(o.high, o.low, o.close, o.volume)),
        Cumulative
    ),
    spec!(
        "ADOSC",
        "volume",
        "Chaikin A/D oscillator: EMA(fastperiod) - EMA(slowperiod) of the A/D line.",
        [High, Low, Close, Volume],
        [
            int("fastperiod", 3.0, 2.0, "fast EMA period"),
            int("slowperiod", 10.0, 2.0, "slow EMA period")
        ],
        ["adosc"],
        |p| u(p, 0).max(u(p, 1)).saturating_sub(1),
        |o: &Ohlcv, p: &[f64]| one(vo::adosc(
            o.high,
            o.low,
            o.close,
            o.volume,
            u(p, 0),
            u(p, 1)
        )),
        Recursive
    ),
    // ---- volatility
    spec!(
        "ATR",
        "volatility",
        "Average true range (Wilder smoothing).",
        [High, Low, Close],
        [tp(14.0, 1.0)],
        ["atr"],
        lb_p,
        |o: &Ohlcv, p: &[f64]| one(vol::atr(o.high, o.low, o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "NATR",
        "volatility",
        "Normalised ATR: 100 × ATR / close.",
        [High, Low, Close],
        [tp(14.0, 1.0)],
        ["natr"],
        lb_p,
        |o: &Ohlcv, p: &[f64]| one(vol::natr(o.high, o.low, o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "TRANGE",
        "volatility",
        "True range: max(high - low, |high - prev close|, |low - prev close|).",
        [High, Low, Close],
        [],
        ["trange"],
        lb_one,
        |o: &Ohlcv, _: &[f64]| one(vol::trange(o.high, o.low, o.close)),
        Window
    ),
    // ---- statistics
    spec!(
        "STDDEV",
        "statistics",
        "Population standard deviation of close over period bars, times nbdev.",
        [Close],
        [
            tp(5.0, 2.0),
            real("nbdev", 1.0, -MAX_REAL, MAX_REAL, "multiplier")
        ],
        ["stddev"],
        lb_p_minus_1,
        |o: &Ohlcv, p: &[f64]| one(st::stddev(o.close, u(p, 0), f(p, 1))),
        Window
    ),
    spec!(
        "LINEARREG",
        "statistics",
        "Least-squares line over period bars, value at the last bar.",
        [Close],
        [tp(14.0, 2.0)],
        ["linearreg"],
        lb_p_minus_1,
        |o: &Ohlcv, p: &[f64]| one(st::linearreg(o.close, u(p, 0))),
        Window
    ),
    spec!(
        "LINEARREG_SLOPE",
        "statistics",
        "Slope per bar of the least-squares line over period bars.",
        [Close],
        [tp(14.0, 2.0)],
        ["linearreg_slope"],
        lb_p_minus_1,
        |o: &Ohlcv, p: &[f64]| one(st::linearreg_slope(o.close, u(p, 0))),
        Window
    ),
    // ---- price transform
    spec!(
        "TYPPRICE",
        "price",
        "Typical price: (high + low + close) / 3.",
        [High, Low, Close],
        [],
        ["typprice"],
        lb_zero,
        |o: &Ohlcv, _: &[f64]| one(price::typprice(o.high, o.low, o.close)),
        Window
    ),
];
