//! The TA-Lib momentum indicators' table entries (see [`super::specs`]).

use super::ma::{self, ma_lookback};
use super::specs::{
    f, int, lb_p, lb_p_minus_1, lb_zero, matype, mt, mtl, one, spec, three, tp, two, u,
};
use super::{IndicatorSpec, Input, Ohlcv, Reading, WarmupRule};
use super::{directional as dir, momentum as mom, oscillators as osc, volume as vo};
use Input::{Close, High, Low, Open, Volume};

/// Momentum indicators, in TA-Lib's order.
pub static MOMENTUM_SPECS: &[IndicatorSpec] = &[
    // ---- momentum
    IndicatorSpec {
        reading: Some(Reading {
            label: "RSI",
            high: 70.0,
            low: 30.0,
        }),
        ..spec!(
            "RSI",
            "momentum",
            "Relative strength index (Wilder smoothing), 0..100.",
            [Close],
            [tp(14.0, 2.0)],
            ["rsi"],
            lb_p,
            |o: &Ohlcv, p: &[f64]| one(mom::rsi(o.close, u(p, 0))),
            Recursive
        )
    },
    spec!(
        "MACD",
        "momentum",
        "MACD: EMA(fast) - EMA(slow) of close, signal = EMA(signalperiod) of it, hist = macd - signal. fastperiod must be below slowperiod.",
        [Close],
        [
            int("fastperiod", 12.0, 2.0, "fast EMA period"),
            int("slowperiod", 26.0, 2.0, "slow EMA period"),
            int("signalperiod", 9.0, 1.0, "signal EMA period")
        ],
        ["macd", "macdsignal", "macdhist"],
        |p| mom::macd_lookback(u(p, 1).max(1), u(p, 2).max(1)),
        |o: &Ohlcv, p: &[f64]| three(mom::macd(o.close, u(p, 0), u(p, 1), u(p, 2))),
        Recursive
    ),
    IndicatorSpec {
        reading: Some(Reading {
            label: "Stochastic %K",
            high: 80.0,
            low: 20.0,
        }),
        ..spec!(
            "STOCH",
            "momentum",
            "Slow stochastic: %K over fastk_period smoothed by MA(slowk_period, slowk_matype), %D = MA(slowd_period, slowd_matype) of it; 0..100.",
            [High, Low, Close],
            [
                int("fastk_period", 5.0, 1.0, "bars for the raw %K range"),
                int("slowk_period", 3.0, 1.0, "%K smoothing period"),
                matype("slowk_matype", 0.0),
                int("slowd_period", 3.0, 1.0, "%D smoothing period"),
                matype("slowd_matype", 0.0)
            ],
            ["slowk", "slowd"],
            |p| osc::stoch_lookback(u(p, 0).max(1), u(p, 1), mtl(p, 2), u(p, 3), mtl(p, 4)),
            |o: &Ohlcv, p: &[f64]| two(osc::stoch(
                o.high,
                o.low,
                o.close,
                u(p, 0),
                u(p, 1),
                ma::matype_param("slowk_matype", f(p, 2))?,
                u(p, 3),
                ma::matype_param("slowd_matype", f(p, 4))?
            )),
            Recursive
        )
    },
    spec!(
        "STOCHF",
        "momentum",
        "Fast stochastic: raw %K over fastk_period and %D = MA(fastd_period, fastd_matype) of it; 0..100.",
        [High, Low, Close],
        [
            int("fastk_period", 5.0, 1.0, "bars for the %K range"),
            int("fastd_period", 3.0, 1.0, "%D smoothing period"),
            matype("fastd_matype", 0.0)
        ],
        ["fastk", "fastd"],
        |p| osc::stochf_lookback(u(p, 0).max(1), u(p, 1), mtl(p, 2)),
        |o: &Ohlcv, p: &[f64]| two(osc::stochf(
            o.high,
            o.low,
            o.close,
            u(p, 0),
            u(p, 1),
            ma::matype_param("fastd_matype", f(p, 2))?
        )),
        Recursive
    ),
    spec!(
        "STOCHRSI",
        "momentum",
        "Stochastic RSI: fast stochastic (fastk_period, fastd_period, fastd_matype) of RSI(timeperiod); 0..100.",
        [Close],
        [
            tp(14.0, 2.0),
            int("fastk_period", 5.0, 1.0, "bars for the %K range"),
            int("fastd_period", 3.0, 1.0, "%D smoothing period"),
            matype("fastd_matype", 0.0)
        ],
        ["fastk", "fastd"],
        |p| osc::stochrsi_lookback(u(p, 0), u(p, 1).max(1), u(p, 2), mtl(p, 3)),
        |o: &Ohlcv, p: &[f64]| two(osc::stochrsi(
            o.close,
            u(p, 0),
            u(p, 1),
            u(p, 2),
            ma::matype_param("fastd_matype", f(p, 3))?
        )),
        Recursive
    ),
    spec!(
        "ADX",
        "momentum",
        "Average directional index (Wilder): trend strength 0..100.",
        [High, Low, Close],
        [tp(14.0, 2.0)],
        ["adx"],
        |p| dir::adx_lookback(u(p, 0).max(1)),
        |o: &Ohlcv, p: &[f64]| one(dir::adx(o.high, o.low, o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "ADXR",
        "momentum",
        "ADX rating: (ADX + ADX timeperiod-1 bars ago) / 2.",
        [High, Low, Close],
        [tp(14.0, 2.0)],
        ["adxr"],
        |p| dir::adxr_lookback(u(p, 0).max(1)),
        |o: &Ohlcv, p: &[f64]| one(dir::adxr(o.high, o.low, o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "DX",
        "momentum",
        "Directional movement index: 100 |+DI - -DI| / (+DI + -DI).",
        [High, Low, Close],
        [tp(14.0, 2.0)],
        ["dx"],
        lb_p,
        |o: &Ohlcv, p: &[f64]| one(dir::dx(o.high, o.low, o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "PLUS_DI",
        "momentum",
        "Plus directional indicator (Wilder), percent.",
        [High, Low, Close],
        [tp(14.0, 1.0)],
        ["plus_di"],
        |p| dir::di_lookback(u(p, 0)),
        |o: &Ohlcv, p: &[f64]| one(dir::plus_di(o.high, o.low, o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "MINUS_DI",
        "momentum",
        "Minus directional indicator (Wilder), percent.",
        [High, Low, Close],
        [tp(14.0, 1.0)],
        ["minus_di"],
        |p| dir::di_lookback(u(p, 0)),
        |o: &Ohlcv, p: &[f64]| one(dir::minus_di(o.high, o.low, o.close, u(p, 0))),
        Recursive
    ),
    IndicatorSpec {
        reading: Some(Reading {
            label: "CCI",
            high: 100.0,
            low: -100.0,
        }),
        ..spec!(
            "CCI",
            "momentum",
            "Commodity channel index: (TP - SMA(TP)) / (0.015 × mean deviation), TP = (H+L+C)/3.",
            [High, Low, Close],
            [tp(14.0, 2.0)],
            ["cci"],
            lb_p_minus_1,
            |o: &Ohlcv, p: &[f64]| one(osc::cci(o.high, o.low, o.close, u(p, 0))),
            Window
        )
    },
    IndicatorSpec {
        reading: Some(Reading {
            label: "Williams %R",
            high: -20.0,
            low: -80.0,
        }),
        ..spec!(
            "WILLR",
            "momentum",
            "Williams %R: -100 (highest high - close) / (highest high - lowest low); -100..0.",
            [High, Low, Close],
            [tp(14.0, 2.0)],
            ["willr"],
            lb_p_minus_1,
            |o: &Ohlcv, p: &[f64]| one(osc::willr(o.high, o.low, o.close, u(p, 0))),
            Window
        )
    },
    IndicatorSpec {
        reading: Some(Reading {
            label: "MFI",
            high: 80.0,
            low: 20.0,
        }),
        ..spec!(
            "MFI",
            "momentum",
            "Money flow index: volume-weighted RSI of typical price over period bars; 0..100.",
            [High, Low, Close, Volume],
            [tp(14.0, 2.0)],
            ["mfi"],
            lb_p,
            |o: &Ohlcv, p: &[f64]| one(vo::mfi(o.high, o.low, o.close, o.volume, u(p, 0))),
            Window
        )
    },
    spec!(
        "ROC",
        "momentum",
        "Rate of change: (close / close[period ago] - 1) × 100.",
        [Close],
        [int("timeperiod", 10.0, 1.0, "bars back")],
        ["roc"],
        lb_p,
        |o: &Ohlcv, p: &[f64]| one(mom::roc(o.close, u(p, 0))),
        Window
    ),
    spec!(
        "MOM",
        "momentum",
        "Momentum: close - close[period ago].",
        [Close],
        [int("timeperiod", 10.0, 1.0, "bars back")],
        ["mom"],
        lb_p,
        |o: &Ohlcv, p: &[f64]| one(mom::mom(o.close, u(p, 0))),
        Window
    ),
    spec!(
        "CMO",
        "momentum",
        "Chande momentum oscillator (Wilder-smoothed gains/losses as TA-Lib): -100..100.",
        [Close],
        [tp(14.0, 2.0)],
        ["cmo"],
        lb_p,
        |o: &Ohlcv, p: &[f64]| one(mom::cmo(o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "PPO",
        "momentum",
        "Percentage price oscillator: 100 (MA(fast) - MA(slow)) / MA(slow). fastperiod must be below slowperiod.",
        [Close],
        [
            int("fastperiod", 12.0, 2.0, "fast MA period"),
            int("slowperiod", 26.0, 2.0, "slow MA period"),
            matype("matype", 1.0)
        ],
        ["ppo"],
        |p| ma_lookback(u(p, 0).max(u(p, 1)), mtl(p, 2)),
        |o: &Ohlcv, p: &[f64]| one(mom::ppo(o.close, u(p, 0), u(p, 1), mt(p, 2)?)),
        Recursive
    ),
    spec!(
        "APO",
        "momentum",
        "Absolute price oscillator: MA(fast) - MA(slow). fastperiod must be below slowperiod.",
        [Close],
        [
            int("fastperiod", 12.0, 2.0, "fast MA period"),
            int("slowperiod", 26.0, 2.0, "slow MA period"),
            matype("matype", 1.0)
        ],
        ["apo"],
        |p| ma_lookback(u(p, 0).max(u(p, 1)), mtl(p, 2)),
        |o: &Ohlcv, p: &[f64]| one(mom::apo(o.close, u(p, 0), u(p, 1), mt(p, 2)?)),
        Recursive
    ),
    spec!(
        "AROON",
        "momentum",
        "Aroon: 100 (period - bars since the lowest low / highest high) / period over the last period+1 bars.",
        [High, Low],
        [tp(14.0, 2.0)],
        ["aroondown", "aroonup"],
        lb_p,
        |o: &Ohlcv, p: &[f64]| two(osc::aroon(o.high, o.low, u(p, 0))),
        Window
    ),
    spec!(
        "AROONOSC",
        "momentum",
        "Aroon oscillator: aroonup - aroondown; -100..100.",
        [High, Low],
        [tp(14.0, 2.0)],
        ["aroonosc"],
        lb_p,
        |o: &Ohlcv, p: &[f64]| one(osc::aroonosc(o.high, o.low, u(p, 0))),
        Window
    ),
    spec!(
        "ULTOSC",
        "momentum",
        "Ultimate oscillator: weighted (4:2:1) buying pressure / true range over three periods (TA-Lib sorts them, shortest weighs most); 0..100.",
        [High, Low, Close],
        [
            int("timeperiod1", 7.0, 1.0, "short period"),
            int("timeperiod2", 14.0, 1.0, "middle period"),
            int("timeperiod3", 28.0, 1.0, "long period")
        ],
        ["ultosc"],
        |p| u(p, 0).max(u(p, 1)).max(u(p, 2)),
        |o: &Ohlcv, p: &[f64]| one(osc::ultosc(
            o.high,
            o.low,
            o.close,
            u(p, 0),
            u(p, 1),
            u(p, 2)
        )),
        Window
    ),
    spec!(
        "TRIX",
        "momentum",
        "TRIX: 1-bar percent rate of change of a triple EMA of close.",
        [Close],
        [tp(30.0, 1.0)],
        ["trix"],
        |p| mom::trix_lookback(u(p, 0).max(1)),
        |o: &Ohlcv, p: &[f64]| one(mom::trix(o.close, u(p, 0))),
        Recursive
    ),
    spec!(
        "BOP",
        "momentum",
        "Balance of power: (close - open) / (high - low).",
        [Open, High, Low, Close],
        [],
        ["bop"],
        lb_zero,
        |o: &Ohlcv, _: &[f64]| one(mom::bop(o.open, o.high, o.low, o.close)),
        Window
    ),
];
