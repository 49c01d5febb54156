//! Trader indicators against values worked out by hand from their
//! definitions, plus warm-up, error and real-data checks.

mod shared_data;

use trading_mcp::indicators::trader::{
    self, PivotMethod, donchian, heikin_ashi, ichimoku, keltner, pivots, supertrend, vwap,
};
use trading_mcp::indicators::{IndicatorError, IndicatorSpec, Ohlcv};

const NAN: f64 = f64::NAN;
const IST: i32 = 19_800;
/// 2025-09-11 09:15:00 IST: 20342 days after 1970-01-01 → 20342·86400 =
/// 1_757_548_800 (local midnight as if UTC) + 9h15m (33_300) − 5h30m (19_800).
const SEP11_0915: i64 = 1_757_548_800 + 33_300 - 19_800;
const DAY: i64 = 86_400;
const FIVE_MIN: i64 = 300;

fn assert_close(what: &str, actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        if e.is_nan() {
            assert!(a.is_nan(), "{what}[{i}]: expected NaN, got {a}");
        } else {
            assert!(
                (a - e).abs() <= 1e-9 * e.abs().max(1.0),
                "{what}[{i}]: expected {e}, got {a}"
            );
        }
    }
}

fn spec(name: &str) -> &'static IndicatorSpec {
    trader::SPECS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no spec {name}"))
}

fn defaults(s: &IndicatorSpec) -> Vec<f64> {
    s.params.iter().map(|p| p.default).collect()
}

fn daily<'a>(o: &'a [f64], h: &'a [f64], l: &'a [f64], c: &'a [f64], v: &'a [f64]) -> Ohlcv<'a> {
    Ohlcv {
        open: o,
        high: h,
        low: l,
        close: c,
        volume: v,
        ts: &[],
        utc_offset_secs: IST,
        intraday: false,
    }
}

fn is_invalid_param(r: Result<impl std::fmt::Debug, IndicatorError>, param: &str) {
    match r {
        Err(IndicatorError::InvalidParam { param: p, .. }) => assert_eq!(p, param),
        other => panic!("expected InvalidParam({param}), got {other:?}"),
    }
}

fn is_invalid_input(r: Result<impl std::fmt::Debug, IndicatorError>, needle: &str) {
    match r {
        Err(IndicatorError::InvalidInput(msg)) => {
            assert!(msg.contains(needle), "message {msg:?} lacks {needle:?}")
        }
        other => panic!("expected InvalidInput({needle}), got {other:?}"),
    }
}

fn is_not_enough(r: Result<impl std::fmt::Debug, IndicatorError>, need: usize) {
    match r {
        Err(IndicatorError::NotEnoughData { need: n, .. }) => assert_eq!(n, need),
        other => panic!("expected NotEnoughData(need {need}), got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// VWAP
// ---------------------------------------------------------------------------

// Two IST sessions of 5-minute bars. Typical prices (H+L+C)/3:
// 09-11: (102+98+100)/3 = 100, (104+100+102)/3 = 102, (103+97+103)/3 = 101
// 09-12: (111+105+108)/3 = 108, (112+108+110)/3 = 110, (110+104+104)/3 = 106
const VH: [f64; 6] = [102.0, 104.0, 103.0, 111.0, 112.0, 110.0];
const VL: [f64; 6] = [98.0, 100.0, 97.0, 105.0, 108.0, 104.0];
const VC: [f64; 6] = [100.0, 102.0, 103.0, 108.0, 110.0, 104.0];
const VV: [f64; 6] = [10.0, 30.0, 20.0, 0.0, 50.0, 150.0];

fn two_sessions_ts() -> [i64; 6] {
    let d1 = SEP11_0915;
    let d2 = SEP11_0915 + DAY; // 2025-09-12 09:15 IST
    [
        d1,
        d1 + FIVE_MIN,
        d1 + 2 * FIVE_MIN,
        d2,
        d2 + FIVE_MIN,
        d2 + 2 * FIVE_MIN,
    ]
}

#[test]
fn vwap_resets_at_each_ist_session() {
    let ts = two_sessions_ts();
    let bars = Ohlcv {
        open: &VC,
        high: &VH,
        low: &VL,
        close: &VC,
        volume: &VV,
        ts: &ts,
        utc_offset_secs: IST,
        intraday: true,
    };
    let expected = [
        100.0,                            // 100·10 / 10
        (1000.0 + 102.0 * 30.0) / 40.0,   // 4060/40 = 101.5
        (4060.0 + 101.0 * 20.0) / 60.0,   // 6080/60 = 101.333…
        NAN,                              // new session, volume 0 so far
        110.0,                            // 110·50 / 50 (not (6080+5500)/110)
        (5500.0 + 106.0 * 150.0) / 200.0, // 21400/200 = 107
    ];
    assert_close("vwap", &vwap(&bars).unwrap(), &expected);
    let via_spec = (spec("VWAP").compute)(&bars, &[]).unwrap();
    assert_close("VWAP spec", &via_spec[0], &expected);
}

#[test]
fn vwap_daily_bars_are_cumulative_from_the_first_bar() {
    let bars = daily(&VC, &VH, &VL, &VC, &VV);
    let expected = [
        100.0,
        101.5,
        6080.0 / 60.0,
        6080.0 / 60.0,                     // zero volume adds nothing
        (6080.0 + 5500.0) / 110.0,         // 11580/110
        (11580.0 + 106.0 * 150.0) / 260.0, // 27480/260
    ];
    assert_close("vwap daily", &vwap(&bars).unwrap(), &expected);
}

#[test]
fn vwap_sessions_follow_exchange_local_dates_not_utc() {
    // 18:25 UTC = 23:55 IST on 09-11; 18:35 UTC = 00:05 IST on 09-12 (new
    // session); 23:55 UTC = 05:25 IST and 00:05 UTC = 05:35 IST on 09-12 (same
    // session although the UTC date changes).
    let utc_0911 = 1_757_548_800;
    let ts = [
        utc_0911 + 18 * 3600 + 25 * 60,
        utc_0911 + 18 * 3600 + 35 * 60,
        utc_0911 + 23 * 3600 + 55 * 60,
        utc_0911 + DAY + 5 * 60,
    ];
    let tp = [10.0, 20.0, 30.0, 40.0];
    let v = [1.0, 1.0, 1.0, 2.0];
    let bars = Ohlcv {
        open: &tp,
        high: &tp,
        low: &tp,
        close: &tp,
        volume: &v,
        ts: &ts,
        utc_offset_secs: IST,
        intraday: true,
    };
    // 10; reset → 20; (20+30)/2 = 25; (20+30+80)/4 = 32.5
    assert_close("vwap", &vwap(&bars).unwrap(), &[10.0, 20.0, 25.0, 32.5]);
}

#[test]
fn vwap_errors() {
    let ts = two_sessions_ts();
    let mut bars = Ohlcv {
        open: &VC,
        high: &VH,
        low: &VL,
        close: &VC,
        volume: &VV,
        ts: &ts,
        utc_offset_secs: IST,
        intraday: true,
    };
    let neg = [10.0, -1.0, 20.0, 0.0, 50.0, 150.0];
    is_invalid_input(
        vwap(&Ohlcv {
            volume: &neg,
            ..bars
        }),
        "volume[1]",
    );
    let nan = [10.0, 30.0, NAN, 0.0, 50.0, 150.0];
    is_invalid_input(
        vwap(&Ohlcv {
            volume: &nan,
            ..bars
        }),
        "volume[2]",
    );
    is_invalid_input(
        vwap(&Ohlcv {
            ts: &ts[..5],
            ..bars
        }),
        "timestamp",
    );
    let backwards = [ts[0], ts[2], ts[1], ts[3], ts[4], ts[5]];
    is_invalid_input(
        vwap(&Ohlcv {
            ts: &backwards,
            ..bars
        }),
        "increasing",
    );
    is_invalid_input(
        vwap(&Ohlcv {
            low: &VL[..5],
            ..bars
        }),
        "one length",
    );
    bars.intraday = false;
    // Daily bars do not read the timestamps.
    assert!(vwap(&Ohlcv { ts: &[], ..bars }).is_ok());
    is_not_enough(vwap(&daily(&[], &[], &[], &[], &[])), 1);
    is_invalid_input((spec("VWAP").compute)(&bars, &[1.0]), "parameter");
}

// ---------------------------------------------------------------------------
// Supertrend
// ---------------------------------------------------------------------------

const SH: [f64; 10] = [10.0, 11.0, 12.0, 13.0, 15.0, 16.0, 15.5, 13.0, 12.0, 14.0];
const SL: [f64; 10] = [8.0, 9.0, 10.0, 11.0, 12.0, 14.0, 13.0, 11.0, 10.0, 12.0];
const SC: [f64; 10] = [9.0, 10.0, 11.0, 12.5, 14.5, 15.0, 13.5, 11.5, 10.5, 13.5];

#[test]
fn supertrend_by_hand_with_two_flips() {
    // period 2, multiplier 1. TR[i] = max(H-L, |H-C[i-1]|, |L-C[i-1]|):
    //   TR1 = 2, TR2 = 2, TR3 = 2, TR4 = max(3, 2.5, 0.5) = 3, TR5 = 2,
    //   TR6 = max(2.5, 0.5, 2) = 2.5, TR7 = max(2, 0.5, 2.5) = 2.5,
    //   TR8 = max(2, 0.5, 1.5) = 2, TR9 = max(2, 3.5, 1.5) = 3.5
    // ATR2 = (2+2)/2 = 2, then ATR[i] = (ATR[i-1] + TR[i]) / 2:
    //   2, 2.5, 2.25, 2.375, 2.4375, 2.21875, 2.859375
    // bar  hl2   basic up / low         final up / low       dir  close
    //  2   11    13 / 9                 13 / 9               -1   11 (seed: down)
    //  3   12    14 / 10                13 (14>13, C2 11<13) / 10 (10>9)
    //                                                        -1   12.5 <= 13
    //  4   13.5  16 / 11                13 / 11              +1   14.5 > 13: flip up
    //  5   15    17.25 / 12.75          17.25 (C4 14.5>13) / 12.75
    //                                                        +1   15 >= 12.75
    //  6   14.25 16.625 / 11.875        16.625 (<17.25) / 12.75 (11.875<12.75, C5 15>12.75)
    //                                                        +1   13.5 >= 12.75
    //  7   12    14.4375 / 9.5625       14.4375 / 12.75      -1   11.5 < 12.75: flip down
    //  8   11    13.21875 / 8.78125     13.21875 / 8.78125 (C7 11.5 < 12.75)
    //                                                        -1   10.5 <= 13.21875
    //  9   13    15.859375 / 10.140625  13.21875 / 10.140625 +1   13.5 > 13.21875: flip up
    let upper = [
        NAN, NAN, 13.0, 13.0, 13.0, 17.25, 16.625, 14.4375, 13.21875, 13.21875,
    ];
    let lower = [
        NAN, NAN, 9.0, 10.0, 11.0, 12.75, 12.75, 12.75, 8.78125, 10.140625,
    ];
    let dir = [NAN, NAN, -1.0, -1.0, 1.0, 1.0, 1.0, -1.0, -1.0, 1.0];
    let st = [
        NAN, NAN, 13.0, 13.0, 11.0, 12.75, 12.75, 14.4375, 13.21875, 10.140625,
    ];
    let s = supertrend(&SH, &SL, &SC, 2, 1.0).unwrap();
    assert_close("upper", &s.upper, &upper);
    assert_close("lower", &s.lower, &lower);
    assert_close("direction", &s.direction, &dir);
    assert_close("supertrend", &s.supertrend, &st);

    let bars = daily(&SC, &SH, &SL, &SC, &SC);
    let out = (spec("SUPERTREND").compute)(&bars, &[2.0, 1.0]).unwrap();
    assert_eq!(out.len(), 4);
    assert_close("spec supertrend", &out[0], &st);
    assert_close("spec direction", &out[1], &dir);
}

#[test]
fn supertrend_warm_up_and_errors() {
    // Default period 10: the first 10 bars are NaN, needs 11 bars.
    let h: Vec<f64> = (0..30).map(|i| 100.0 + (i % 7) as f64).collect();
    let l: Vec<f64> = h.iter().map(|x| x - 3.0).collect();
    let c: Vec<f64> = h.iter().map(|x| x - 1.0).collect();
    let s = supertrend(&h, &l, &c, 10, 3.0).unwrap();
    for out in [&s.supertrend, &s.direction, &s.upper, &s.lower] {
        assert!(out[..10].iter().all(|x| x.is_nan()));
        assert!(out[10..].iter().all(|x| x.is_finite()));
    }
    assert_eq!((spec("SUPERTREND").lookback)(&[10.0, 3.0]), 10);
    is_not_enough(supertrend(&h[..10], &l[..10], &c[..10], 10, 3.0), 11);
    is_invalid_param(supertrend(&h, &l, &c, 0, 3.0), "period");
    is_invalid_param(supertrend(&h, &l, &c, 10, 0.0), "multiplier");
    is_invalid_param(supertrend(&h, &l, &c, 10, -1.0), "multiplier");
    is_invalid_param(supertrend(&h, &l, &c, 10, NAN), "multiplier");
    let mut bad = c.clone();
    bad[5] = f64::INFINITY;
    is_invalid_input(supertrend(&h, &l, &bad, 10, 3.0), "close[5]");
    is_invalid_input(supertrend(&h, &l[1..], &c, 10, 3.0), "one length");
    let bars = daily(&c, &h, &l, &c, &c);
    let compute = spec("SUPERTREND").compute;
    is_invalid_param(compute(&bars, &[2.5, 3.0]), "period");
    is_invalid_param(compute(&bars, &[-1.0, 3.0]), "period");
    is_invalid_param(compute(&bars, &[NAN, 3.0]), "period");
    is_invalid_param(compute(&bars, &[10.0, 0.0]), "multiplier");
    is_invalid_input(compute(&bars, &[10.0]), "parameter");
    is_not_enough(compute(&bars, &[30.0, 3.0]), 31);
}

// ---------------------------------------------------------------------------
// Ichimoku
// ---------------------------------------------------------------------------

const IH: [f64; 10] = [10.0, 12.0, 11.0, 14.0, 13.0, 15.0, 16.0, 14.0, 13.0, 17.0];
const IL: [f64; 10] = [8.0, 9.0, 9.0, 11.0, 10.0, 12.0, 13.0, 12.0, 10.0, 14.0];
const IC: [f64; 10] = [9.0, 11.0, 10.0, 13.0, 12.0, 14.0, 15.0, 13.0, 11.0, 16.0];

#[test]
fn ichimoku_by_hand_small_windows() {
    // tenkan 2, kijun 3, senkou_b 4, displacement 2.
    // tenkan[i] = (max H[i-1..=i] + min L[i-1..=i]) / 2:
    //   i1 (12+8)/2 = 10, i2 (12+9)/2 = 10.5, i3 (14+9)/2 = 11.5, i4 (14+10)/2 = 12,
    //   i5 (15+10)/2 = 12.5, i6 (16+12)/2 = 14, i7 (16+12)/2 = 14, i8 (14+10)/2 = 12,
    //   i9 (17+10)/2 = 13.5
    let tenkan = [NAN, 10.0, 10.5, 11.5, 12.0, 12.5, 14.0, 14.0, 12.0, 13.5];
    // kijun over 3 bars: i2 (12+8)/2, i3 (14+9)/2, i4 (14+9)/2, i5 (15+10)/2,
    //   i6 (16+10)/2, i7 (16+12)/2, i8 (16+10)/2, i9 (17+10)/2
    let kijun = [NAN, NAN, 10.0, 11.5, 11.5, 12.5, 13.0, 14.0, 13.0, 13.5];
    // senkou_a[i] = (tenkan[i-2] + kijun[i-2]) / 2, from i = 4:
    //   (10.5+10)/2, (11.5+11.5)/2, (12+11.5)/2, (12.5+12.5)/2, (14+13)/2, (14+14)/2
    let senkou_a = [NAN, NAN, NAN, NAN, 10.25, 11.5, 11.75, 12.5, 13.5, 14.0];
    // 4-bar mids: i3 (14+8)/2 = 11, i4 (14+9)/2 = 11.5, i5 (15+9)/2 = 12,
    //   i6 (16+10)/2 = 13, i7 13, i8 13, i9 (17+10)/2 = 13.5; shifted by 2:
    let senkou_b = [NAN, NAN, NAN, NAN, NAN, 11.0, 11.5, 12.0, 13.0, 13.0];
    // chikou[i] = close[i+2]
    let chikou = [10.0, 13.0, 12.0, 14.0, 15.0, 13.0, 11.0, 16.0, NAN, NAN];
    let r = ichimoku(&IH, &IL, &IC, 2, 3, 4, 2).unwrap();
    assert_close("tenkan", &r.tenkan, &tenkan);
    assert_close("kijun", &r.kijun, &kijun);
    assert_close("senkou_a", &r.senkou_a, &senkou_a);
    assert_close("senkou_b", &r.senkou_b, &senkou_b);
    assert_close("chikou", &r.chikou, &chikou);
    // Lookback = max(2,3,4) - 1 + 2 = 5 = senkou_b's leading NaNs.
    assert_eq!((spec("ICHIMOKU").lookback)(&[2.0, 3.0, 4.0, 2.0]), 5);
    assert_eq!((spec("ICHIMOKU").lookback)(&[9.0, 26.0, 52.0, 26.0]), 77);
    let bars = daily(&IC, &IH, &IL, &IC, &IC);
    let out = (spec("ICHIMOKU").compute)(&bars, &[2.0, 3.0, 4.0, 2.0]).unwrap();
    assert_close("spec senkou_b", &out[3], &senkou_b);
    assert_close("spec chikou", &out[4], &chikou);
    // Displacement 0: spans unshifted, chikou = close.
    let r0 = ichimoku(&IH, &IL, &IC, 2, 3, 4, 0).unwrap();
    assert_close("chikou d=0", &r0.chikou, &IC);
    assert_close(
        "senkou_a d=0",
        &r0.senkou_a[2..],
        &[10.25, 11.5, 11.75, 12.5, 13.5, 14.0, 12.5, 13.5],
    );
    is_not_enough(ichimoku(&IH[..5], &IL[..5], &IC[..5], 2, 3, 4, 2), 6);
    is_invalid_param(ichimoku(&IH, &IL, &IC, 0, 3, 4, 2), "tenkan");
    is_invalid_param(
        (spec("ICHIMOKU").compute)(&bars, &[2.0, 3.5, 4.0, 2.0]),
        "kijun",
    );
    is_invalid_param(
        (spec("ICHIMOKU").compute)(&bars, &[2.0, 3.0, 4.0, -1.0]),
        "displacement",
    );
}

// ---------------------------------------------------------------------------
// Keltner and Donchian
// ---------------------------------------------------------------------------

#[test]
fn keltner_by_hand() {
    // Bars 0..6 of the supertrend series; period 3 (k = 2/4 = 0.5), ATR 2, ×2.
    let (h, l, c) = (&SH[..6], &SL[..6], &SC[..6]);
    // EMA3: seed (9+10+11)/3 = 10; 10 + 0.5(12.5-10) = 11.25;
    //   11.25 + 0.5(14.5-11.25) = 12.875; 12.875 + 0.5(15-12.875) = 13.9375
    // ATR2 (see supertrend test): 2, 2, 2.5, 2.25 at bars 2..5
    let middle = [NAN, NAN, 10.0, 11.25, 12.875, 13.9375];
    let upper = [NAN, NAN, 14.0, 15.25, 17.875, 18.4375]; // middle + 2·ATR
    let lower = [NAN, NAN, 6.0, 7.25, 7.875, 9.4375]; //     middle - 2·ATR
    let k = keltner(h, l, c, 3, 2, 2.0).unwrap();
    assert_close("middle", &k.middle, &middle);
    assert_close("upper", &k.upper, &upper);
    assert_close("lower", &k.lower, &lower);
    // period 4 makes the lookback max(4-1, 2) = 3: all lines NaN up to bar 2.
    // EMA4 seed (9+10+11+12.5)/4 = 10.625; k = 0.4: 10.625 + 0.4(14.5-10.625) = 12.175;
    //   12.175 + 0.4(15-12.175) = 13.305
    let k4 = keltner(h, l, c, 4, 2, 2.0).unwrap();
    assert_close(
        "middle4",
        &k4.middle,
        &[NAN, NAN, NAN, 10.625, 12.175, 13.305],
    );
    assert_close(
        "upper4",
        &k4.upper,
        &[NAN, NAN, NAN, 14.625, 17.175, 17.805],
    );
    assert_eq!((spec("KELTNER").lookback)(&[4.0, 2.0, 2.0]), 3);
    assert_eq!((spec("KELTNER").lookback)(&[20.0, 10.0, 2.0]), 19);
    assert_eq!((spec("KELTNER").lookback)(&[5.0, 10.0, 2.0]), 10);
    // Lookback max(6-1, 2) = 5 fits 6 bars; period 7 needs 7.
    assert!(keltner(h, l, c, 6, 2, 2.0).is_ok());
    is_not_enough(keltner(h, l, c, 7, 2, 2.0), 7);
    is_not_enough(keltner(h, l, c, 3, 6, 2.0), 7);
    is_invalid_param(keltner(h, l, c, 3, 0, 2.0), "atr_period");
    is_invalid_param(keltner(h, l, c, 3, 2, -2.0), "multiplier");
}

#[test]
fn donchian_by_hand() {
    // period 3 on the ichimoku series: upper = max of 3 highs, lower = min of 3 lows.
    let upper = [NAN, NAN, 12.0, 14.0, 14.0, 15.0, 16.0, 16.0, 16.0, 17.0];
    let lower = [NAN, NAN, 8.0, 9.0, 9.0, 10.0, 10.0, 12.0, 10.0, 10.0];
    let middle = [NAN, NAN, 10.0, 11.5, 11.5, 12.5, 13.0, 14.0, 13.0, 13.5];
    let d = donchian(&IH, &IL, 3).unwrap();
    assert_close("upper", &d.upper, &upper);
    assert_close("lower", &d.lower, &lower);
    assert_close("middle", &d.middle, &middle);
    // period 1 is the bar itself.
    let d1 = donchian(&IH, &IL, 1).unwrap();
    assert_close("upper1", &d1.upper, &IH);
    assert_close("lower1", &d1.lower, &IL);
    assert_eq!((spec("DONCHIAN").lookback)(&[20.0]), 19);
    is_not_enough(donchian(&IH, &IL, 11), 11);
    assert!(donchian(&IH, &IL, 10).is_ok());
    is_invalid_param(donchian(&IH, &IL, 0), "period");
    let bars = daily(&IC, &IH, &IL, &IC, &IC);
    is_invalid_param((spec("DONCHIAN").compute)(&bars, &[0.0]), "period");
    is_invalid_param((spec("DONCHIAN").compute)(&bars, &[2.5]), "period");
}

// ---------------------------------------------------------------------------
// Pivots
// ---------------------------------------------------------------------------

// Previous period: H = 110, L = 98, C = 107 → PP = 315/3 = 105, R = H-L = 12.
// Classic: R1 = 2·105-98 = 112, S1 = 2·105-110 = 100, R2 = 105+12 = 117,
//   S2 = 105-12 = 93, R3 = 110+2(105-98) = 124, S3 = 98-2(110-105) = 88.
const CLASSIC: [f64; 7] = [105.0, 112.0, 117.0, 124.0, 100.0, 93.0, 88.0];
// Fibonacci: PP ± 0.382·12 = 4.584, 0.618·12 = 7.416, 12.
const FIB: [f64; 7] = [105.0, 109.584, 112.416, 117.0, 100.416, 97.584, 93.0];
// Camarilla: 1.1·12 = 13.2; C ± 13.2/12 = 1.1, /6 = 2.2, /4 = 3.3, /2 = 6.6.
const CAM: [f64; 9] = [
    105.0, 108.1, 109.2, 110.3, 113.6, 105.9, 104.8, 103.7, 100.4,
];

fn check_levels(out: &[Vec<f64>], rows: &[usize], expected: &[f64]) {
    assert_eq!(out.len(), expected.len());
    for (k, col) in out.iter().enumerate() {
        for &i in rows {
            assert!(
                (col[i] - expected[k]).abs() < 1e-9,
                "output {k} bar {i}: {} vs {}",
                col[i],
                expected[k]
            );
        }
    }
}

#[test]
fn pivots_daily_from_previous_bar() {
    let h = [110.0, 120.0];
    let l = [98.0, 101.0];
    let c = [107.0, 119.0];
    let bars = daily(&c, &h, &l, &c, &c);
    for (name, expected) in [
        ("PIVOT_CLASSIC", &CLASSIC[..]),
        ("PIVOT_FIBONACCI", &FIB[..]),
        ("PIVOT_CAMARILLA", &CAM[..]),
    ] {
        let s = spec(name);
        let out = (s.compute)(&bars, &[]).unwrap();
        assert_eq!(out.len(), s.outputs.len());
        assert!(out.iter().all(|col| col[0].is_nan()), "{name}: bar 0 NaN");
        check_levels(&out, &[1], expected);
        assert_eq!((s.lookback)(&[]), 1);
    }
    let p = pivots(&bars, PivotMethod::Camarilla).unwrap();
    assert_eq!(p.resistance.len(), 4);
    assert!((p.resistance[3][1] - 113.6).abs() < 1e-9);
    is_not_enough(
        pivots(
            &daily(&c[..1], &h[..1], &l[..1], &c[..1], &c[..1]),
            PivotMethod::Classic,
        ),
        2,
    );
    let bad = [110.0, NAN];
    is_invalid_input(
        pivots(&daily(&c, &bad, &l, &c, &c), PivotMethod::Classic),
        "high[1]",
    );
}

#[test]
fn pivots_intraday_from_previous_session() {
    // 09-11 session: highs 105, 110, 109 → H = 110; lows 100, 102, 98 → L = 98;
    // last close C = 107: the same levels as the daily test, on every 09-12 bar.
    let ts = two_sessions_ts();
    let h = [105.0, 110.0, 109.0, 130.0, 131.0, 129.0];
    let l = [100.0, 102.0, 98.0, 120.0, 119.0, 118.0];
    let c = [103.0, 108.0, 107.0, 125.0, 126.0, 124.0];
    let bars = Ohlcv {
        open: &c,
        high: &h,
        low: &l,
        close: &c,
        volume: &c,
        ts: &ts,
        utc_offset_secs: IST,
        intraday: true,
    };
    for (name, expected) in [
        ("PIVOT_CLASSIC", &CLASSIC[..]),
        ("PIVOT_FIBONACCI", &FIB[..]),
        ("PIVOT_CAMARILLA", &CAM[..]),
    ] {
        let out = (spec(name).compute)(&bars, &[]).unwrap();
        for col in &out {
            assert!(
                col[..3].iter().all(|x| x.is_nan()),
                "{name}: first session NaN"
            );
        }
        check_levels(&out, &[3, 4, 5], expected);
    }
    let one_session = Ohlcv {
        high: &h[..3],
        low: &l[..3],
        close: &c[..3],
        ts: &ts[..3],
        ..bars
    };
    is_invalid_input(pivots(&one_session, PivotMethod::Fibonacci), "one session");
    is_invalid_input(
        pivots(
            &Ohlcv {
                ts: &ts[..2],
                ..bars
            },
            PivotMethod::Classic,
        ),
        "timestamp",
    );
}

// ---------------------------------------------------------------------------
// Heikin-Ashi
// ---------------------------------------------------------------------------

#[test]
fn heikin_ashi_by_hand() {
    let o = [10.0, 11.0, 13.0, 10.0];
    let h = [12.0, 14.0, 13.5, 10.5];
    let l = [9.0, 10.0, 11.0, 9.0];
    let c = [11.0, 13.0, 11.5, 9.5];
    // ha_close = (O+H+L+C)/4: 42/4 = 10.5, 48/4 = 12, 49/4 = 12.25, 39/4 = 9.75
    // ha_open: (10+11)/2 = 10.5, (10.5+10.5)/2 = 10.5, (10.5+12)/2 = 11.25,
    //   (11.25+12.25)/2 = 11.75 (above the bar's high 10.5)
    // ha_high = max(H, ha_open, ha_close): 12, 14, 13.5, 11.75
    // ha_low = min(L, ha_open, ha_close): 9, 10, 11, 9
    let r = heikin_ashi(&o, &h, &l, &c).unwrap();
    assert_close("ha_open", &r.open, &[10.5, 10.5, 11.25, 11.75]);
    assert_close("ha_high", &r.high, &[12.0, 14.0, 13.5, 11.75]);
    assert_close("ha_low", &r.low, &[9.0, 10.0, 11.0, 9.0]);
    assert_close("ha_close", &r.close, &[10.5, 12.0, 12.25, 9.75]);
    let out = (spec("HEIKIN_ASHI").compute)(&daily(&o, &h, &l, &c, &c), &[]).unwrap();
    assert_close("spec ha_high", &out[1], &[12.0, 14.0, 13.5, 11.75]);
    assert_eq!((spec("HEIKIN_ASHI").lookback)(&[]), 0);
    is_not_enough(heikin_ashi(&[], &[], &[], &[]), 1);
    is_invalid_input(heikin_ashi(&o, &h, &l, &c[..3]), "one length");
    is_invalid_input(heikin_ashi(&[NAN, 1.0, 1.0, 1.0], &h, &l, &c), "open[0]");
}

// ---------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------

#[test]
fn specs_are_consistent() {
    let names: Vec<_> = trader::SPECS.iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "VWAP",
            "SUPERTREND",
            "ICHIMOKU",
            "KELTNER",
            "DONCHIAN",
            "PIVOT_CLASSIC",
            "PIVOT_FIBONACCI",
            "PIVOT_CAMARILLA",
            "HEIKIN_ASHI"
        ]
    );
    // 120 daily bars with volume, so every indicator has values with defaults.
    let n = 120;
    let h: Vec<f64> = (0..n).map(|i| 100.0 + ((i * 37) % 17) as f64).collect();
    let l: Vec<f64> = h.iter().map(|x| x - 4.0).collect();
    let c: Vec<f64> = h.iter().map(|x| x - 1.5).collect();
    let o: Vec<f64> = h.iter().map(|x| x - 2.5).collect();
    let v: Vec<f64> = (0..n).map(|i| 1000.0 + i as f64).collect();
    let bars = daily(&o, &h, &l, &c, &v);
    for s in trader::SPECS {
        assert_eq!(s.group, "trader");
        assert_eq!(s.name, s.name.to_uppercase());
        for p in s.params {
            assert!(
                p.min <= p.default && p.default <= p.max,
                "{}.{}",
                s.name,
                p.name
            );
        }
        for o in s.outputs {
            assert_eq!(*o, o.to_lowercase());
        }
        let params = defaults(s);
        let out = (s.compute)(&bars, &params).unwrap();
        assert_eq!(out.len(), s.outputs.len(), "{}", s.name);
        let lb = (s.lookback)(&params);
        for (col, name) in out.iter().zip(s.outputs) {
            assert_eq!(col.len(), n);
            let lead = col.iter().take_while(|x| x.is_nan()).count();
            assert!(lead <= lb, "{}.{name}: {lead} NaNs > lookback {lb}", s.name);
        }
        // The lookback is exact: some output has exactly that many leading NaNs.
        let max_lead = out
            .iter()
            .map(|col| col.iter().take_while(|x| x.is_nan()).count())
            .max()
            .unwrap();
        assert_eq!(max_lead, lb, "{}", s.name);
        // lookback never panics on junk.
        let _ = (s.lookback)(&vec![f64::NAN; s.params.len()]);
        let _ = (s.lookback)(&vec![-5.0; s.params.len()]);
        let _ = (s.lookback)(&[]);
    }
}

// ---------------------------------------------------------------------------
// Sliding windows against brute force
// ---------------------------------------------------------------------------

fn reliance_intraday() -> (shared_data::Csv, Vec<i64>) {
    // 3 header lines: `Price,Close,...`, `Ticker,...`, `Datetime,,,,,`.
    let path = shared_data::shared_dir()
        .join("data/nse_intraday/RELIANCE.NS_5m_2025-09-11_to_2025-12-05.csv");
    let mut csv = shared_data::Csv::read(&path);
    assert_eq!(csv.header[0], "Price");
    assert_eq!(csv.rows[0][0], "Ticker");
    assert_eq!(csv.rows[1][0], "Datetime");
    csv.rows.drain(..2);
    let ts = csv.rows.iter().map(|r| parse_datetime(&r[0])).collect();
    (csv, ts)
}

/// `2025-09-11 09:15:00+05:30` → epoch seconds UTC.
fn parse_datetime(s: &str) -> i64 {
    let num = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (num(0, 4), num(5, 7), num(8, 10));
    let (hh, mm, ss) = (num(11, 13), num(14, 16), num(17, 19));
    let sign = if &s[19..20] == "-" { -1 } else { 1 };
    let off = sign * (num(20, 22) * 3600 + num(23, 25) * 60);
    // Days from civil (H. Hinnant).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * DAY + hh * 3600 + mm * 60 + ss - off
}

#[test]
fn parse_datetime_matches_hand_epoch() {
    assert_eq!(parse_datetime("2025-09-11 09:15:00+05:30"), SEP11_0915);
}

#[test]
fn sliding_extremes_match_brute_force() {
    let (csv, _) = reliance_intraday();
    let col = |i: usize| -> Vec<f64> { csv.rows.iter().map(|r| r[i].parse().unwrap()).collect() };
    let (h, l, c) = (col(2), col(3), col(1));
    for period in [1usize, 2, 3, 5, 8, 20, 64, 100] {
        let d = donchian(&h, &l, period).unwrap();
        for i in 0..h.len() {
            if i + 1 < period {
                assert!(d.upper[i].is_nan() && d.lower[i].is_nan() && d.middle[i].is_nan());
                continue;
            }
            let w = i + 1 - period..=i;
            let hh = h[w.clone()].iter().cloned().fold(f64::MIN, f64::max);
            let ll = l[w].iter().cloned().fold(f64::MAX, f64::min);
            assert_eq!(
                (d.upper[i], d.lower[i]),
                (hh, ll),
                "period {period} bar {i}"
            );
            assert_eq!(d.middle[i], (hh + ll) / 2.0);
        }
    }
    let r = ichimoku(&h, &l, &c, 9, 26, 52, 26).unwrap();
    let mid = |i: usize, n: usize| {
        let w = i + 1 - n..=i;
        let hh = h[w.clone()].iter().cloned().fold(f64::MIN, f64::max);
        let ll = l[w].iter().cloned().fold(f64::MAX, f64::min);
        (hh + ll) / 2.0
    };
    // Each line is NaN exactly in its own warm-up, brute force after it.
    let check = |what: &str, i: usize, got: f64, warm: usize, f: &dyn Fn() -> f64| {
        if i < warm {
            assert!(got.is_nan(), "{what}[{i}] should be NaN");
        } else {
            assert_eq!(got, f(), "{what}[{i}]");
        }
    };
    for i in 0..h.len() {
        check("tenkan", i, r.tenkan[i], 8, &|| mid(i, 9));
        check("kijun", i, r.kijun[i], 25, &|| mid(i, 26));
        check("senkou_a", i, r.senkou_a[i], 51, &|| {
            (mid(i - 26, 9) + mid(i - 26, 26)) / 2.0
        });
        check("senkou_b", i, r.senkou_b[i], 77, &|| mid(i - 26, 52));
        if i + 26 < h.len() {
            assert_eq!(r.chikou[i], c[i + 26]);
        }
    }
    assert!(r.chikou[h.len() - 26..].iter().all(|x| x.is_nan()));
}

// ---------------------------------------------------------------------------
// Real intraday data
// ---------------------------------------------------------------------------

#[test]
fn vwap_on_real_reliance_5m_resets_each_session() {
    let (csv, ts) = reliance_intraday();
    let col = |i: usize| -> Vec<f64> { csv.rows.iter().map(|r| r[i].parse().unwrap()).collect() };
    // Columns: Datetime(Price), Close, High, Low, Open, Volume.
    let (c, h, l, o, v) = (col(1), col(2), col(3), col(4), col(5));
    assert_eq!(c.len(), 4354);
    let bars = Ohlcv {
        open: &o,
        high: &h,
        low: &l,
        close: &c,
        volume: &v,
        ts: &ts,
        utc_offset_secs: IST,
        intraday: true,
    };
    let w = vwap(&bars).unwrap();
    let dates: Vec<&str> = csv.rows.iter().map(|r| &r[0][..10]).collect();
    let mut sessions = 0;
    let mut zero_volume_openings = 0;
    let mut i = 0;
    while i < c.len() {
        let start = i;
        while i < c.len() && dates[i] == dates[start] {
            i += 1;
        }
        sessions += 1;
        assert!(csv.rows[start][0][11..].starts_with("09:15") || dates[start] == "2025-10-21");
        // Bars before the session's first traded volume have no VWAP; the
        // first bar with volume has VWAP = its own typical price.
        let first = (start..i)
            .find(|&j| v[j] > 0.0)
            .expect("session without volume");
        if first > start {
            zero_volume_openings += 1;
        }
        assert!(
            w[start..first].iter().all(|x| x.is_nan()),
            "{}",
            dates[start]
        );
        let tp = (h[first] + l[first] + c[first]) / 3.0;
        assert!(
            (w[first] - tp).abs() < 1e-9,
            "{}: {} vs {tp}",
            dates[start],
            w[first]
        );
        let (mut lo, mut hi) = (f64::MAX, f64::MIN);
        for j in start..i {
            lo = lo.min(l[j]);
            hi = hi.max(h[j]);
            if j >= first {
                assert!(
                    w[j] >= lo - 1e-9 && w[j] <= hi + 1e-9,
                    "bar {j}: {} not in [{lo}, {hi}]",
                    w[j]
                );
            }
        }
    }
    // 57 full sessions of 75 bars, one partial (65) and the Muhurat session (14).
    assert_eq!(sessions, 59);
    // yfinance reports most 09:15 bars with volume 0.
    assert!(zero_volume_openings > 50, "{zero_volume_openings}");

    // Intraday pivots: every bar of a session carries the previous session's levels.
    let p = pivots(&bars, PivotMethod::Classic).unwrap();
    let first_day = dates.iter().take_while(|d| **d == dates[0]).count();
    assert!(p.pp[..first_day].iter().all(|x| x.is_nan()));
    let prev: Vec<usize> = (0..first_day).collect();
    let hh = prev.iter().map(|&j| h[j]).fold(f64::MIN, f64::max);
    let ll = prev.iter().map(|&j| l[j]).fold(f64::MAX, f64::min);
    let cc = c[first_day - 1];
    let next_day_end = first_day
        + dates[first_day..]
            .iter()
            .take_while(|d| **d == dates[first_day])
            .count();
    for j in first_day..next_day_end {
        assert!((p.pp[j] - (hh + ll + cc) / 3.0).abs() < 1e-9);
    }
}
