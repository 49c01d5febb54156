//! `get_stock_chart_image`: a symbol's bars drawn as a PNG (candlesticks,
//! OHLC bars or a close line) with indicator overlays and panes and pattern
//! marks, from the read-through service, with a summary for clients that
//! cannot show images.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, TimeZone};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::args::{Choice, Choices, bar_query};
use super::chart_plots::{MarkedPatterns, Plots};
use super::columns::Columns;
use super::freshness::{BarClock, Freshness};
use super::numbers::{Precision, price};
use super::{CallContext, Tool, ToolError, ToolImage};
use crate::app::App;
use crate::calendar;
use crate::chart_image::{
    self, ChartBar, ChartError, ChartSpec, ChartStyle, ChartSubtitle, ChartTitle, ThemeName,
};
use crate::directory::Directory;
use crate::indicators::Warmup;
use crate::model::{INTERVALS, Interval, exchange_zone, key_date, local_date};
use crate::service::resample::{self, SessionAnchor};
use crate::service::{BarQuery, Served, key_range};
use crate::symbol::{Exchange, Venue};

/// The most source bars one image may be resampled from.
pub const MAX_SOURCE_BARS: u64 = 100_000;

/// The `get_stock_chart_image` tool.
pub struct ChartImage;

/// `patterns`: all of them, or some by name.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PatternsArg {
    /// true marks all 61 patterns, false none.
    All(bool),
    /// Pattern names (TA-Lib's, e.g. CDLHAMMER, CDLENGULFING).
    Names(Vec<String>),
}

/// Arguments of `get_stock_chart_image`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChartImageArgs {
    /// NSE symbol (RELIANCE), Yahoo ticker (AAPL with exchange US, ^NSEI) or alias (NIFTY).
    pub symbol: String,
    /// First date, YYYY-MM-DD or RFC 3339. Default: a span suiting the interval (1 year for 1d).
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last date (inclusive). Default: today.
    #[serde(default)]
    pub end_date: Option<String>,
    /// Bar interval (default 1d). More than 2,000 bars are resampled to a coarser interval, with a note.
    #[serde(default)]
    pub interval: Option<Choice<Interval>>,
    /// Exchange for a bare symbol: NSE (default), BSE or US.
    #[serde(default)]
    pub exchange: Option<Choice<Exchange>>,
    /// Lines over the price pane (at most 8): registry indicators as name(parameters in TA-Lib's order) or expressions, e.g. ["sma(20)", "sma(50)", "bbands(20)", "vwap", "supertrend"].
    #[serde(default)]
    pub overlays: Option<Vec<String>>,
    /// Panes under the price pane (at most 4), e.g. ["volume", "rsi(14)", "macd"]. Default ["volume"]; [] for none.
    #[serde(default)]
    pub panes: Option<Vec<String>>,
    /// Mark detected candlestick patterns: true for all 61, or a list of names.
    #[serde(default)]
    pub patterns: Option<PatternsArg>,
    /// candles (default), ohlc or line.
    #[serde(default)]
    pub style: Option<Choice<ChartStyle>>,
    /// light (default) or dark.
    #[serde(default)]
    pub theme: Option<Choice<ThemeName>>,
    /// Image width in pixels, 400 to 2000 (default 1200).
    #[serde(default)]
    pub width: Option<u32>,
    /// Image height in pixels, 300 to 1400 (default 700).
    #[serde(default)]
    pub height: Option<u32>,
}

/// The latest value of one drawn line.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DrawnLine {
    /// The overlay or pane as drawn (`sma(20)`, `macd`).
    pub group: String,
    /// The line within it (`macdsignal`).
    pub line: String,
    /// Its value at the last bar (null where it has none).
    pub last: Option<f64>,
}

/// Result of `get_stock_chart_image`: what the picture shows, in numbers.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChartImageOutput {
    pub symbol: String,
    pub yahoo_symbol: String,
    /// The instrument's name, when the symbol directory knows it.
    pub name: Option<String>,
    /// The interval drawn (coarser than asked when the range was resampled).
    pub interval: String,
    /// The interval fetched.
    pub source_interval: String,
    /// First and last bar drawn, exchange-local.
    pub first: String,
    pub last: String,
    /// Candles drawn.
    pub bars: usize,
    pub last_close: f64,
    /// Last close minus the first bar's open.
    pub change: f64,
    pub change_pct: f64,
    /// Every overlay and pane line with its last value.
    pub lines: Vec<DrawnLine>,
    /// Pattern marks drawn.
    pub pattern_marks: usize,
    pub width: u32,
    pub height: u32,
    /// Size of the PNG sent as the image content.
    pub png_bytes: usize,
    /// Things the reader must know: resampling, stale data, marks left out.
    pub notes: Vec<String>,
    pub freshness: Freshness,
    #[serde(skip)]
    pub png: bytes::Bytes,
}

impl Choices for ChartStyle {
    const WHAT: &'static str = "style";

    fn parse_choice(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "candles" | "candle" | "candlestick" | "candlesticks" => Some(ChartStyle::Candles),
            "ohlc" | "bars" => Some(ChartStyle::Ohlc),
            "line" => Some(ChartStyle::Line),
            _ => None,
        }
    }

    fn choices() -> Vec<String> {
        ["candles", "ohlc", "line"].map(String::from).to_vec()
    }
}

impl Choices for ThemeName {
    const WHAT: &'static str = "theme";

    fn parse_choice(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "light" => Some(ThemeName::Light),
            "dark" => Some(ThemeName::Dark),
            _ => None,
        }
    }

    fn choices() -> Vec<String> {
        ["light", "dark"].map(String::from).to_vec()
    }
}

/// Everything checked in the arguments before anything is fetched.
struct Request {
    query: BarQuery,
    plots: Plots,
    patterns: MarkedPatterns,
    style: ChartStyle,
    theme: ThemeName,
    width: u32,
    height: u32,
}

impl Tool for ChartImage {
    const NAME: &'static str = "get_stock_chart_image";
    type Args = ChartImageArgs;
    type Output = ChartImageOutput;

    fn description() -> String {
        "A chart of a symbol's bars as a PNG image (candles, ohlc or line) with a volume pane, \
         indicator overlays (sma(20), bbands(20), vwap, supertrend...) and panes (rsi(14), macd...), \
         and optional candlestick pattern marks; no gaps for weekends or nights. Returns the image, \
         a one-line summary (range, last close, change, overlays' last values) and the same summary \
         as structured content with freshness. At most 2,000 candles: longer ranges are resampled \
         to a coarser interval, with a note."
            .to_string()
    }

    async fn run(
        app: &App,
        args: ChartImageArgs,
        ctx: &mut CallContext,
    ) -> Result<ChartImageOutput, ToolError> {
        let request = Request::check(app, &args)?;
        let (served, drawn) = fetch(app, &request).await?;
        ctx.depends_on(&served);
        let (spec, notes) = build_spec(&request, &served, &drawn)?;
        let rendered = tokio::task::spawn_blocking(move || chart_image::render(&spec))
            .await
            .map_err(|e| ToolError::new(format!("drawing the chart failed: {e}")))?
            .map_err(chart_error)?;
        Ok(output(&args.symbol, &served, &drawn, rendered, notes))
    }

    fn text(out: &ChartImageOutput) -> String {
        let mut text = format!(
            "{} ({}) {} {} to {}, {} bars: last close {}, change {:+.2} ({:+.2}%)",
            out.symbol,
            out.yahoo_symbol,
            out.interval,
            out.first,
            out.last,
            out.bars,
            out.last_close,
            out.change,
            out.change_pct
        );
        for l in &out.lines {
            let value = l.last.map_or("n/a".to_string(), |v| format!("{v:.2}"));
            if l.group == l.line {
                let _ = write!(text, "; {} {value}", l.group);
            } else {
                let _ = write!(text, "; {}.{} {value}", l.group, l.line);
            }
        }
        if out.pattern_marks > 0 {
            let _ = write!(text, "; {} pattern marks", out.pattern_marks);
        }
        let _ = write!(text, ". {}", out.freshness.summary());
        for note in &out.notes {
            let _ = write!(text, "\n# {note}");
        }
        text
    }

    fn image(out: &ChartImageOutput) -> Option<ToolImage> {
        Some(ToolImage {
            mime_type: "image/png",
            data: out.png.clone(),
        })
    }
}

impl Request {
    fn check(app: &App, args: &ChartImageArgs) -> Result<Request, ToolError> {
        let width = args.width.unwrap_or(chart_image::DEFAULT_WIDTH);
        let height = args.height.unwrap_or(chart_image::DEFAULT_HEIGHT);
        chart_image::check_size(width, height).map_err(chart_error)?;
        let overlays = args.overlays.clone().unwrap_or_default();
        let panes = args.panes.clone().unwrap_or_else(|| vec!["volume".into()]);
        chart_image::check_counts(overlays.len(), panes.len()).map_err(chart_error)?;
        let plots = Plots::compile(&overlays, &panes)?;
        let patterns = match &args.patterns {
            None => MarkedPatterns::resolve(None, None),
            Some(PatternsArg::All(all)) => MarkedPatterns::resolve(Some(*all), None),
            Some(PatternsArg::Names(names)) => MarkedPatterns::resolve(None, Some(names)),
        }?;
        let style = args.style.as_ref().map(Choice::get).transpose()?;
        let theme = args.theme.as_ref().map(Choice::get).transpose()?;
        let exchange = args.exchange.as_ref().map(Choice::get).transpose()?;
        let query = bar_query(
            &args.symbol,
            args.exchange.as_ref(),
            args.interval.as_ref(),
            args.start_date.as_deref(),
            args.end_date.as_deref(),
        )?;
        check_source_bars(app, &query, exchange)?;
        Ok(Request {
            query,
            plots,
            patterns,
            style: style.unwrap_or_default(),
            theme: theme.unwrap_or_default(),
            width,
            height,
        })
    }
}

/// The calendar a symbol trades on, as far as is known before a fetch.
fn calendar_of(query: &BarQuery, exchange: Option<Exchange>) -> Option<calendar::Exchange> {
    calendar::Exchange::for_venue(query.symbol.venue).or(match (query.symbol.venue, exchange) {
        (Venue::Other, Some(Exchange::Us)) => Some(calendar::Exchange::Us),
        _ => None,
    })
}

/// Refuses, before any fetch, a range that needs more than
/// [`MAX_SOURCE_BARS`] bars at its interval, naming coarser intervals that
/// fit. Counts every weekday as a full session (around the clock where the
/// market is not known), so it errs towards refusing.
fn check_source_bars(
    app: &App,
    query: &BarQuery,
    exchange: Option<Exchange>,
) -> Result<(), ToolError> {
    let cal = calendar_of(query, exchange).map(calendar::Exchange::calendar);
    let zone = cal.map_or(chrono_tz::UTC, |c| c.zone());
    let session = cal
        .and_then(|c| c.regular_session())
        .unwrap_or(Duration::hours(24));
    let now = app.clock().now();
    let interval = query.interval;
    let (start, end) = key_range(interval, zone, query.start, query.end, now)?;
    let date = |key: i64| match interval.is_intraday() {
        true => DateTime::from_timestamp(key, 0).map_or(key_date(key), |t| local_date(zone, t)),
        false => key_date(key),
    };
    let (first, last) = (date(start), date(end - 1));
    let estimate = |i: Interval| resample::estimated_bars(i, first, last, session);
    let needed = estimate(interval);
    if needed <= MAX_SOURCE_BARS {
        return Ok(());
    }
    let fitting: Vec<&str> = INTERVALS
        .iter()
        .filter(|&&i| i > interval && estimate(i) <= MAX_SOURCE_BARS)
        .map(|i| i.as_str())
        .collect();
    Err(ToolError::new(format!(
        "{first} to {last} at {interval} is about {needed} bars; one chart is drawn from at most {MAX_SOURCE_BARS} source bars (resampled to at most {} candles). Use a coarser interval ({}) or a shorter range",
        chart_image::MAX_BARS,
        if fitting.is_empty() {
            "none fits this range".to_string()
        } else {
            fitting.join(", ")
        }
    )))
}

/// The bars a chart draws: the interval, and where the drawn range starts.
struct Drawn {
    bars: Vec<crate::model::Bar>,
    first: usize,
    interval: Interval,
    zone: Tz,
    notes: Vec<String>,
}

/// Fetches the bars with the warm-up the overlays, panes and patterns need,
/// resampled when the range holds more candles than one chart can draw.
async fn fetch(app: &App, request: &Request) -> Result<(Served, Drawn), ToolError> {
    let query = &request.query;
    let from = query.interval;
    let warmup = request
        .plots
        .program
        .warmup(from.is_intraday())
        .max(Warmup::Bars(request.patterns.lookback()));
    let mut served = app.chart.get_with_warmup(query, warmup).await?;
    let series = served.series.clone();
    let zone = exchange_zone(&series.instrument.timezone).unwrap_or(chrono_tz::UTC);
    let n = served.in_range().len();
    if n <= chart_image::MAX_BARS {
        let drawn = Drawn {
            bars: served.bars().to_vec(),
            first: served.warmup_len(),
            interval: from,
            zone,
            notes: Vec::new(),
        };
        return Ok((served, drawn));
    }
    let anchor = series
        .exchange()
        .map_or(SessionAnchor::midnight(zone), |e| {
            SessionAnchor::of(e.calendar())
        });
    let resample_error = |e: resample::ResampleError| ToolError::new(e.to_string());
    let to = resample::finest_fitting(served.in_range(), from, &anchor, chart_image::MAX_BARS)
        .map_err(resample_error)?
        .ok_or_else(|| {
            ToolError::new(format!(
                "{n} {from} bars do not fit in {} candles at any coarser interval; shorten the range",
                chart_image::MAX_BARS
            ))
        })?;
    // The warm-up is counted in drawn bars: ask for as many source bars
    // as that many buckets hold.
    if let Warmup::Bars(w) = warmup
        && w > 0
    {
        let buckets = resample::bucket_count(served.in_range(), from, to, &anchor)
            .map_err(resample_error)?
            .max(1);
        let per_bucket = n.div_ceil(buckets);
        served = app
            .chart
            .get_with_warmup(query, Warmup::Bars((w + 1) * per_bucket))
            .await?;
    }
    let bars = resample::resample(served.bars(), from, to, &anchor).map_err(resample_error)?;
    let in_range =
        resample::resample(served.in_range(), from, to, &anchor).map_err(resample_error)?;
    let first_key = in_range.first().map_or(i64::MIN, |b| b.ts);
    let first = bars.partition_point(|b| b.ts < first_key);
    let notes = vec![format!(
        "{n} {from} bars resampled to {} {to} bars to fit {} candles; ask for a shorter range to see {from} bars",
        bars.len() - first,
        chart_image::MAX_BARS
    )];
    let drawn = Drawn {
        bars,
        first,
        interval: to,
        zone,
        notes,
    };
    Ok((served, drawn))
}

/// The renderer's spec: bars, lines, marks, title and subtitle.
fn build_spec(
    request: &Request,
    served: &Served,
    drawn: &Drawn,
) -> Result<(ChartSpec, Vec<String>), ToolError> {
    let series = &served.series;
    let cols = Columns::of_bars(
        &drawn.bars,
        &series.instrument.timezone,
        drawn.interval,
        drawn.first,
    );
    let ohlcv = cols.ohlcv();
    let first = drawn.first;
    let clock = BarClock::new(drawn.interval, drawn.zone);
    let bars: Vec<ChartBar> = drawn.bars[first..]
        .iter()
        .map(|b| ChartBar {
            time: clock.local(b.ts),
            open: b.open,
            high: b.high,
            low: b.low,
            close: b.close,
            volume: b.volume as f64,
        })
        .collect();
    if bars.is_empty() {
        return Err(ToolError::new(format!(
            "{} has no {} bars in this range (a holiday, a weekend, or before listing); widen the range",
            series.yahoo_symbol, drawn.interval
        )));
    }
    let mut notes = drawn.notes.clone();
    notes.extend(served.notes.iter().cloned());
    let mut spec = ChartSpec::new(
        ChartTitle {
            symbol: series.yahoo_symbol.clone(),
            name: Directory::get()
                .by_yahoo(&series.yahoo_symbol)
                .map(|l| l.name.clone()),
        },
        drawn.interval,
        bars,
    );
    let ev = request
        .plots
        .program
        .evaluate(&ohlcv)
        .map_err(|e| ToolError::new(e.to_string()))?;
    (spec.overlays, spec.panes) = request.plots.draw(&ev, first);
    if !request.patterns.is_empty() {
        let mut marks = request.patterns.detect(&ohlcv, first)?;
        if marks.len() > chart_image::MAX_MARKS {
            let dropped = marks.len() - chart_image::MAX_MARKS;
            marks.drain(..dropped);
            notes.push(format!(
                "{dropped} of the oldest pattern marks left out (at most {} per chart); name fewer patterns or shorten the range",
                chart_image::MAX_MARKS
            ));
        }
        spec.marks = marks;
    }
    spec.subtitle = ChartSubtitle {
        fetched_at: served
            .fetched_at
            .and_then(|t| drawn.zone.timestamp_opt(t, 0).single()),
        stale: served.stale,
        stale_reason: served.stale_reason.clone(),
        notes: notes.clone(),
    };
    spec.style = request.style;
    spec.theme = request.theme;
    spec.width = request.width;
    spec.height = request.height;
    Ok((spec, notes))
}

fn output(
    asked: &str,
    served: &Served,
    drawn: &Drawn,
    rendered: chart_image::RenderedChart,
    notes: Vec<String>,
) -> ChartImageOutput {
    let s = &rendered.summary;
    let clock = BarClock::new(drawn.interval, drawn.zone);
    let at = |i: usize| clock.format(drawn.bars[i].ts);
    let series = &served.series;
    let digits = Precision::default();
    ChartImageOutput {
        symbol: asked.trim().to_string(),
        yahoo_symbol: series.yahoo_symbol.clone(),
        name: Directory::get()
            .by_yahoo(&series.yahoo_symbol)
            .map(|l| l.name.clone()),
        interval: drawn.interval.to_string(),
        source_interval: series.interval.to_string(),
        first: at(drawn.first),
        last: at(drawn.bars.len() - 1),
        bars: s.bars,
        last_close: price(s.last_close),
        change: digits.round(s.change),
        change_pct: digits.round(s.change_pct),
        lines: s
            .lines
            .iter()
            .map(|l| DrawnLine {
                group: l.group.clone(),
                line: l.line.clone(),
                last: digits.round_opt(l.last),
            })
            .collect(),
        pattern_marks: s.marks.drawn,
        width: rendered.width,
        height: rendered.height,
        png_bytes: rendered.png.len(),
        notes,
        freshness: Freshness::of(served),
        png: bytes::Bytes::from(rendered.png),
    }
}

fn chart_error(e: ChartError) -> ToolError {
    ToolError::new(e.to_string())
}
