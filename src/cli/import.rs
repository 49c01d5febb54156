//! `trading-mcp import FILE...`: bar files into the store, with coverage,
//! so the server then serves them without going upstream.
//!
//! Each file is read, parsed (pure code in [`crate::import`]) and written in
//! one transaction ([`BarStore::import_bars`]); a summary line per file goes
//! to stdout, a progress bar to stderr when it is a terminal.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::import::{self, BASIS_TOLERANCE, ParsedFile, file_name, header, spans};
use crate::model::{Instrument, Interval, key_date};
use crate::store::{BarStore, ImportBatch, ImportWrite};
use crate::symbol::{self, ResolvedSymbol};
use crate::upstream::exchange_zone;

/// Bad rows listed per file; the rest are counted.
const BAD_ROWS_SHOWN: usize = 20;

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Bar files: Yahoo CSV (Date,Open,High,Low,Close,Adj Close,Volume),
    /// yfinance's 3-line header, or broker CSV (timestamp,...,volume,oi).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Symbol for every file (default: the ticker in the file, else the
    /// file name: RELIANCE.NS.csv, RELIANCE_2020-10-01_to_....csv).
    #[arg(long)]
    pub symbol: Option<String>,
    /// Exchange of bare symbols: NSE (default), BSE, or US for a ticker as given.
    #[arg(long)]
    pub exchange: Option<String>,
    /// Bar interval (default: inferred from the timestamps). Intraday files
    /// are refused under 1d, never collapsed.
    #[arg(long)]
    pub interval: Option<Interval>,
    /// Overwrite stored Yahoo bars that differ from the file (by default
    /// they are kept, and the file's bars there are skipped).
    #[arg(long)]
    pub replace: bool,
}

/// What happened to one file.
struct Outcome {
    symbol: String,
    parsed: ParsedFile,
    write: ImportWrite,
    covered: Vec<(i64, i64)>,
    zone: Tz,
    now: DateTime<Utc>,
}

/// Runs the import; exit code 0 when every row of every file was stored
/// or skipped as a placeholder, 1 when a file was refused or a row was bad.
pub async fn run(config: Config, args: ImportArgs) -> anyhow::Result<i32> {
    if let Some(s) = &args.symbol {
        symbol::resolve(s, args.exchange.as_deref())
            .map_err(|e| anyhow::anyhow!("--symbol: {e}"))?;
    }
    let store = BarStore::open_location(&config.db).await?;
    let now = crate::clock::configured(config.now).now();
    let progress = progress_bar(&args.files);
    let mut stdout = std::io::stdout().lock();
    let (mut failed, mut bad_rows, mut totals) = (0usize, 0usize, Totals::default());
    let args = Arc::new(args);
    let mut prepared = spawn_reader(args.clone(), store.clone(), now);
    for path in &args.files {
        let outcome = match prepared.recv().await {
            Some(Ok(p)) => write(&store, p, args.replace, now).await,
            Some(Err(e)) => Err(e),
            None => Err("the file reader stopped unexpectedly".to_string()),
        };
        let name = display_name(path);
        let lines = match &outcome {
            Ok(o) => {
                bad_rows += o.parsed.bad.len();
                totals.add(o);
                summary(&name, o)
            }
            Err(e) => {
                failed += 1;
                vec![format!("{name}: not imported: {e}")]
            }
        };
        progress.suspend(|| -> std::io::Result<()> {
            for line in &lines {
                writeln!(stdout, "{line}")?;
            }
            stdout.flush()
        })?;
        progress.inc(file_len(path));
        progress.set_message(format!("{} rows", totals.read));
    }
    progress.finish_and_clear();
    writeln!(
        stdout,
        "{} file(s): {} rows read, {} stored, {} skipped; {failed} file(s) not imported",
        args.files.len(),
        totals.read,
        totals.stored,
        totals.read - totals.stored,
    )?;
    store.close().await;
    Ok(i32::from(failed > 0 || bad_rows > 0))
}

#[derive(Default)]
struct Totals {
    read: usize,
    stored: usize,
}

impl Totals {
    fn add(&mut self, o: &Outcome) {
        self.read += o.parsed.read;
        self.stored += o.write.inserted + o.write.updated + o.write.replaced;
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn progress_bar(files: &[PathBuf]) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let total: u64 = files.iter().map(|p| file_len(p)).sum();
    let style = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::new(total).with_style(style)
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The symbol of a file: `--symbol`, else yfinance's ticker line, else the
/// file name.
fn file_symbol(
    path: &Path,
    ticker: Option<&str>,
    args: &ImportArgs,
) -> Result<ResolvedSymbol, String> {
    let name = display_name(path);
    let (given, from) = match (&args.symbol, ticker) {
        (Some(s), _) => (s.clone(), "--symbol"),
        (None, Some(t)) => (t.to_string(), "the file's Ticker line"),
        (None, None) => (
            file_name::symbol_of(&name)
                .ok_or_else(|| {
                    format!("cannot tell the symbol from the file name {name:?}; pass --symbol")
                })?
                .to_string(),
            "the file name",
        ),
    };
    symbol::resolve(&given, args.exchange.as_deref())
        .map_err(|e| format!("symbol {given:?} (from {from}): {e}; pass --symbol"))
}

/// A file read, parsed and given its coverage: everything but the write.
struct Prepared {
    resolved: ResolvedSymbol,
    instrument: Instrument,
    zone: Tz,
    parsed: ParsedFile,
    covered: Vec<(i64, i64)>,
}

/// Reads and parses the files in order on a thread of its own, one file
/// ahead of the writer: parsing overlaps the previous file's write, and the
/// thread's buffers serve file after file.
fn spawn_reader(
    args: Arc<ImportArgs>,
    store: BarStore,
    now: DateTime<Utc>,
) -> tokio::sync::mpsc::Receiver<Result<Prepared, String>> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let runtime = tokio::runtime::Handle::current();
    std::thread::spawn(move || {
        let mut text = Vec::new();
        for path in &args.files {
            let lookup = |symbol: &str| runtime.block_on(store.instrument(symbol));
            let prepared = prepare(&mut text, path, &args, lookup, now);
            if tx.blocking_send(prepared).is_err() {
                break;
            }
        }
    });
    rx
}

/// Reads one file into `text` and parses it.
fn prepare(
    text: &mut Vec<u8>,
    path: &Path,
    args: &ImportArgs,
    stored_instrument: impl Fn(&str) -> Result<Option<Instrument>, crate::store::StoreError>,
    now: DateTime<Utc>,
) -> Result<Prepared, String> {
    text.clear();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(text))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let header = header::read(text)?;
    let resolved = file_symbol(path, header.ticker.as_deref(), args)?;
    let instrument = match stored_instrument(&resolved.yahoo).map_err(|e| e.to_string())? {
        Some(stored) => stored,
        None => import::instrument::derive(&resolved)?,
    };
    let zone = exchange_zone(&instrument.timezone).ok_or_else(|| {
        format!(
            "the stored timezone {:?} of {} is not an IANA zone",
            instrument.timezone, resolved.yahoo
        )
    })?;
    let parsed = import::parse_file(text, &header, zone, args.interval)?;
    let keys: Vec<i64> = parsed.bars.iter().map(|b| b.ts).collect();
    let sessions = import::sessions_for(resolved.venue, zone);
    let covered = spans::covered(&keys, parsed.interval, sessions, now);
    Ok(Prepared {
        resolved,
        instrument,
        zone,
        parsed,
        covered,
    })
}

/// Writes a prepared file in one transaction.
async fn write(
    store: &BarStore,
    p: Prepared,
    replace: bool,
    now: DateTime<Utc>,
) -> Result<Outcome, String> {
    let batch = ImportBatch {
        instrument: &p.instrument,
        interval: p.parsed.interval,
        bars: &p.parsed.bars,
        covered: &p.covered,
        replace,
        imported_at: now.timestamp(),
        basis_tolerance: BASIS_TOLERANCE,
    };
    let write = store
        .import_bars(&p.resolved.yahoo, &batch)
        .await
        .map_err(|e| format!("nothing stored: {e}"))?;
    Ok(Outcome {
        symbol: p.resolved.yahoo,
        parsed: p.parsed,
        write,
        covered: p.covered,
        zone: p.zone,
        now,
    })
}

/// A bar key as a person reads it: the date, or the local time.
fn show_key(key: i64, interval: Interval, zone: Tz) -> String {
    if interval.is_intraday() {
        zone.timestamp_opt(key, 0)
            .single()
            .map(|t| t.format("%Y-%m-%d %H:%M%:z").to_string())
            .unwrap_or_else(|| key.to_string())
    } else {
        key_date(key).to_string()
    }
}

/// Joins the non-zero counts: "3 new, 1 updated".
fn counts(parts: &[(usize, &str)]) -> String {
    parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The summary of one imported file: a line, then bad rows and warnings.
fn summary(name: &str, o: &Outcome) -> Vec<String> {
    let (p, w) = (&o.parsed, &o.write);
    let stored = w.inserted + w.updated + w.replaced;
    let skipped = p.read - stored;
    let stored_detail = counts(&[
        (w.inserted, "new"),
        (w.updated, "updated"),
        (w.replaced, "replacing Yahoo's"),
    ]);
    let skipped_detail = counts(&[
        (p.null_rows, "null"),
        (p.bad.len(), "bad"),
        (w.unchanged, "already stored"),
        (w.kept_yahoo, "Yahoo's bar kept"),
    ]);
    let range = match (p.bars.first(), p.bars.last()) {
        (Some(f), Some(l)) => format!(
            "; bars {}..{}, coverage in {} span(s)",
            show_key(f.ts, p.interval, o.zone),
            show_key(l.ts, p.interval, o.zone),
            o.covered.len()
        ),
        _ => "; no bars".to_string(),
    };
    let paren = |s: String| if s.is_empty() { s } else { format!(" ({s})") };
    let mut lines = vec![format!(
        "{name}: {} {} ({}): {} rows read, {stored} stored{}, {skipped} skipped{}{range}",
        o.symbol,
        p.interval,
        p.layout,
        p.read,
        paren(stored_detail),
        paren(skipped_detail),
    )];
    for bad in p.bad.iter().take(BAD_ROWS_SHOWN) {
        lines.push(format!("  line {}: {}", bad.line, bad.reason));
    }
    if p.bad.len() > BAD_ROWS_SHOWN {
        lines.push(format!(
            "  ... and {} more bad rows",
            p.bad.len() - BAD_ROWS_SHOWN
        ));
    }
    if let Some(warning) = basis_warning(o) {
        lines.push(warning);
    }
    let uncovered = uncovered(&p.bars, &o.covered);
    if uncovered > 0 {
        lines.push(format!(
            "  note: {uncovered} bar(s) of sessions not settled yet (at {}) are stored but not marked covered; the server will refresh them",
            o.now.with_timezone(&o.zone).format("%Y-%m-%d %H:%M%:z")
        ));
    }
    lines
}

/// Bars outside every covered range (both ascending).
fn uncovered(bars: &[crate::model::Bar], covered: &[(i64, i64)]) -> usize {
    let mut ranges = covered.iter().peekable();
    bars.iter()
        .filter(|b| {
            while ranges.next_if(|r| r.1 <= b.ts).is_some() {}
            ranges.peek().is_none_or(|r| r.0 > b.ts)
        })
        .count()
}

fn basis_warning(o: &Outcome) -> Option<String> {
    let b = &o.write.basis;
    let worst = b.worst?;
    let w = &o.write;
    let action = match (w.kept_yahoo > 0, w.updated + w.replaced > 0) {
        (true, true) => {
            "; the stored Yahoo bars were kept (pass --replace to overwrite them), earlier imported ones overwritten"
        }
        (true, false) => "; the stored Yahoo bars were kept (pass --replace to overwrite them)",
        (false, true) => "; the stored bars were overwritten with the file's",
        (false, false) => "",
    };
    Some(format!(
        "  warning: {} of {} bars already stored differ from the file's by more than {} % \
         (largest {:.1} % on {}: stored close {}, file {}): a different adjustment basis, \
         such as a split, bonus or demerger adjusted in one and not the other{action}",
        b.differing,
        b.overlapping,
        BASIS_TOLERANCE * 100.0,
        worst.relative() * 100.0,
        show_key(worst.ts, o.parsed.interval, o.zone),
        worst.stored_close,
        worst.file_close,
    ))
}
