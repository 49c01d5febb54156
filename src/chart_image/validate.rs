//! The limits of one chart and the checks of a spec against them. Every
//! message says what to change.

use super::spec::{ChartSpec, Line, PaneKind};

pub const MIN_WIDTH: u32 = 400;
pub const MAX_WIDTH: u32 = 2000;
pub const MIN_HEIGHT: u32 = 300;
pub const MAX_HEIGHT: u32 = 1400;
/// Candles per image; longer ranges are resampled by the caller first.
pub const MAX_BARS: usize = 2000;
pub const MAX_OVERLAYS: usize = 8;
pub const MAX_PANES: usize = 4;
/// Lines in one overlay or pane (Ichimoku has five).
pub const MAX_LINES: usize = 8;
/// Reference levels in one pane.
pub const MAX_LEVELS: usize = 8;
/// Pattern marks per image (61 patterns can fire on many bars).
pub const MAX_MARKS: usize = 2 * MAX_BARS;

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    /// The spec breaks a limit or holds values that cannot be drawn.
    #[error("{0}")]
    Invalid(String),
    /// Drawing or encoding failed for want of memory or a defect, not
    /// because of the input.
    #[error("drawing the chart as PNG failed: {0}")]
    Encode(String),
}

fn invalid(message: String) -> Result<(), ChartError> {
    Err(ChartError::Invalid(message))
}

/// Checks an image size, for callers that validate arguments before
/// fetching anything.
pub fn check_size(width: u32, height: u32) -> Result<(), ChartError> {
    if !(MIN_WIDTH..=MAX_WIDTH).contains(&width) || !(MIN_HEIGHT..=MAX_HEIGHT).contains(&height) {
        return invalid(format!(
            "image size {width}x{height} is outside the limits: width {MIN_WIDTH} to {MAX_WIDTH}, height {MIN_HEIGHT} to {MAX_HEIGHT} pixels (default 1200x700)"
        ));
    }
    Ok(())
}

/// Checks the overlay and pane counts, before anything is computed.
pub fn check_counts(overlays: usize, panes: usize) -> Result<(), ChartError> {
    if overlays > MAX_OVERLAYS {
        return invalid(format!(
            "{overlays} overlays is more than the {MAX_OVERLAYS} a chart can show; drop some"
        ));
    }
    if panes > MAX_PANES {
        return invalid(format!(
            "{panes} panes is more than the {MAX_PANES} a chart can show under its price pane; drop some"
        ));
    }
    Ok(())
}

/// Checks everything [`super::render`] relies on.
pub fn check(spec: &ChartSpec) -> Result<(), ChartError> {
    check_size(spec.width, spec.height)?;
    check_counts(spec.overlays.len(), spec.panes.len())?;
    let n = spec.bars.len();
    if n == 0 {
        return invalid(
            "there are no bars to draw: the range holds no trading sessions; widen the range or check the dates"
                .to_string(),
        );
    }
    if n > MAX_BARS {
        return invalid(format!(
            "{n} bars is more than the {MAX_BARS} candles one chart can draw; resample to a coarser interval or shorten the range"
        ));
    }
    check_bars(spec)?;
    for overlay in &spec.overlays {
        check_lines(&overlay.label, &overlay.lines, n)?;
        if overlay.band && overlay.lines.len() < 2 {
            return invalid(format!(
                "overlay {:?} is a band but has {} line; a band needs an upper and a lower line",
                overlay.label,
                overlay.lines.len()
            ));
        }
    }
    for pane in &spec.panes {
        let PaneKind::Indicator(ind) = &pane.kind else {
            continue;
        };
        check_lines(&pane.label, &ind.lines, n)?;
        if let Some(h) = &ind.histogram {
            check_lines(&pane.label, std::slice::from_ref(h), n)?;
        }
        if ind.levels.len() > MAX_LEVELS || ind.levels.iter().any(|l| !l.is_finite()) {
            return invalid(format!(
                "pane {:?}: reference levels must be at most {MAX_LEVELS} finite numbers",
                pane.label
            ));
        }
        if let Some((lo, hi)) = ind.bounds
            && !(lo.is_finite() && hi.is_finite() && lo < hi)
        {
            return invalid(format!(
                "pane {:?}: bounds {lo}..{hi} must be finite with the lower below the upper",
                pane.label
            ));
        }
    }
    if spec.marks.len() > MAX_MARKS {
        return invalid(format!(
            "{} pattern marks is more than the {MAX_MARKS} one chart can show; ask for fewer patterns",
            spec.marks.len()
        ));
    }
    if let Some(m) = spec.marks.iter().find(|m| m.bar >= n) {
        return invalid(format!(
            "pattern mark {:?} points at bar {}, but there are only {n} bars",
            m.label, m.bar
        ));
    }
    Ok(())
}

fn check_bars(spec: &ChartSpec) -> Result<(), ChartError> {
    for (i, b) in spec.bars.iter().enumerate() {
        let prices = [b.open, b.high, b.low, b.close];
        if prices.iter().any(|p| !p.is_finite()) || !b.volume.is_finite() || b.volume < 0.0 {
            return invalid(format!(
                "bar {i} ({}) has a missing or invalid value (open {}, high {}, low {}, close {}, volume {}); drop or repair it",
                b.time, b.open, b.high, b.low, b.close, b.volume
            ));
        }
        if b.high < b.low {
            return invalid(format!(
                "bar {i} ({}) has its high {} below its low {}; the data is malformed",
                b.time, b.high, b.low
            ));
        }
        if i > 0 && b.time <= spec.bars[i - 1].time {
            return invalid(format!(
                "bar {i} ({}) is not after bar {} ({}); bars must be oldest first, one per time",
                b.time,
                i - 1,
                spec.bars[i - 1].time
            ));
        }
    }
    Ok(())
}

fn check_lines(label: &str, lines: &[Line], n: usize) -> Result<(), ChartError> {
    if lines.len() > MAX_LINES {
        return invalid(format!(
            "{label:?} has {} lines; at most {MAX_LINES} fit in one legend",
            lines.len()
        ));
    }
    for line in lines {
        if line.values.len() != n {
            return invalid(format!(
                "{label:?} line {:?} has {} values for {n} bars; align it with the bars (NaN for no value)",
                line.name,
                line.values.len()
            ));
        }
        if line.values.iter().any(|v| v.is_infinite()) {
            return invalid(format!(
                "{label:?} line {:?} holds an infinite value; use NaN where it has none",
                line.name
            ));
        }
    }
    Ok(())
}
