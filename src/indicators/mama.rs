//! MESA adaptive moving average (Ehlers' MAMA), as TA-Lib's `TA_MA` uses it
//! for `matype` 7 (fast limit 0.5, slow limit 0.05).

/// One of the Hilbert-transform filters MAMA runs separately on even and
/// odd bars (TA-Lib's `DO_HILBERT_EVEN/ODD` macros).
#[derive(Default, Clone, Copy)]
struct Hilbert {
    buf: [f64; 3],
    prev: f64,
    prev_input: f64,
}

impl Hilbert {
    #[inline(always)]
    fn step(&mut self, idx: usize, input: f64, adjusted_prev_period: f64) -> f64 {
        const A: f64 = 0.0962;
        const B: f64 = 0.5769;
        let t = A * input;
        let mut v = -self.buf[idx];
        self.buf[idx] = t;
        v += t;
        v -= self.prev;
        self.prev = B * self.prev_input;
        v += self.prev;
        self.prev_input = input;
        v * adjusted_prev_period
    }
}

/// MESA adaptive MA (Ehlers), TA-Lib's port: lookback 32, the even/odd
/// Hilbert filters alternate on the parity of the index *within `x`*
/// (TA-Lib uses the index in the array it was handed). Writes FAMA too when
/// `fama` is given.
pub(crate) fn mama_into(
    x: &[f64],
    fast: f64,
    slow: f64,
    out: &mut [f64],
    mut fama_out: Option<&mut [f64]>,
) {
    const LB: usize = 32;
    if x.len() <= LB {
        out.fill(f64::NAN);
        if let Some(f) = fama_out.as_deref_mut() {
            f.fill(f64::NAN);
        }
        return;
    }
    out[..LB].fill(f64::NAN);
    if let Some(f) = fama_out.as_deref_mut() {
        f[..LB].fill(f64::NAN);
    }
    let rad2deg = 180.0 / (4.0 * 1.0f64.atan());
    // 4-bar WMA price smoother, primed over the first 12 bars.
    let mut trailing_idx = 0;
    let mut today = 0;
    let mut wma_sub = x[0];
    let mut wma_sum = x[0];
    wma_sub += x[1];
    wma_sum += x[1] * 2.0;
    wma_sub += x[2];
    wma_sum += x[2] * 3.0;
    today += 3;
    let mut trailing_value = 0.0;
    for _ in 0..9 {
        let v = x[today];
        today += 1;
        wma_sub += v;
        wma_sub -= trailing_value;
        wma_sum += v * 4.0;
        trailing_value = x[trailing_idx];
        trailing_idx += 1;
        wma_sum -= wma_sub;
    }
    let mut hilbert_idx = 0;
    let (mut det, mut q1f, mut jif, mut jqf) = (
        [Hilbert::default(); 2],
        [Hilbert::default(); 2],
        [Hilbert::default(); 2],
        [Hilbert::default(); 2],
    );
    let mut period = 0.0f64;
    let (mut prev_q2, mut prev_i2, mut re, mut im) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let (mut mama, mut fama) = (0.0f64, 0.0f64);
    // i1_for[p][0] = prev2, [1] = prev3 for parity p (0 even, 1 odd).
    let mut i1_prev2 = [0.0f64; 2];
    let mut i1_prev3 = [0.0f64; 2];
    let mut prev_phase = 0.0f64;
    while today < x.len() {
        let adjusted = 0.075 * period + 0.54;
        let today_value = x[today];
        wma_sub += today_value;
        wma_sub -= trailing_value;
        wma_sum += today_value * 4.0;
        trailing_value = x[trailing_idx];
        trailing_idx += 1;
        let smoothed = wma_sum * 0.1;
        wma_sum -= wma_sub;
        let p = today % 2; // 0 even, 1 odd
        let detrender = det[p].step(hilbert_idx, smoothed, adjusted);
        let q1 = q1f[p].step(hilbert_idx, detrender, adjusted);
        let i1 = i1_prev3[p];
        let ji = jif[p].step(hilbert_idx, i1, adjusted);
        let jq = jqf[p].step(hilbert_idx, q1, adjusted);
        if p == 0 {
            // TA-Lib advances the shared circular index on even bars only.
            hilbert_idx += 1;
            if hilbert_idx == 3 {
                hilbert_idx = 0;
            }
        }
        let q2 = 0.2 * (q1 + ji) + 0.8 * prev_q2;
        let i2 = 0.2 * (i1 - jq) + 0.8 * prev_i2;
        // The detrender, delayed 3 bars, feeds the other parity.
        let o = 1 - p;
        i1_prev3[o] = i1_prev2[o];
        i1_prev2[o] = detrender;
        let phase = if i1 != 0.0 {
            (q1 / i1).atan() * rad2deg
        } else {
            0.0
        };
        let mut delta = prev_phase - phase;
        prev_phase = phase;
        if delta < 1.0 {
            delta = 1.0;
        }
        let mut alpha = fast;
        if delta > 1.0 {
            alpha = fast / delta;
            if alpha < slow {
                alpha = slow;
            }
        }
        mama = alpha * today_value + (1.0 - alpha) * mama;
        let half = alpha * 0.5;
        fama = half * mama + (1.0 - half) * fama;
        if today >= LB {
            out[today] = mama;
            if let Some(f) = fama_out.as_deref_mut() {
                f[today] = fama;
            }
        }
        re = 0.2 * (i2 * prev_i2 + q2 * prev_q2) + 0.8 * re;
        im = 0.2 * (i2 * prev_q2 - q2 * prev_i2) + 0.8 * im;
        prev_q2 = q2;
        prev_i2 = i2;
        let prev_period = period;
        if im != 0.0 && re != 0.0 {
            period = 360.0 / ((im / re).atan() * rad2deg);
        }
        let hi = 1.5 * prev_period;
        if period > hi {
            period = hi;
        }
        let lo = 0.67 * prev_period;
        if period < lo {
            period = lo;
        }
        period = period.clamp(6.0, 50.0);
        period = 0.2 * period + 0.8 * prev_period;
        today += 1;
    }
}
