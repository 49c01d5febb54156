//! `trading-mcp export SYMBOL --format csv|arrow|parquet [-o FILE]`: stored
//! bars out, in the typed schema of [`crate::export`].

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use clap::Args;

use crate::config::Config;
use crate::export::{self, ExportFormat, Series};
use crate::model::{Interval, date_key, local_midnight};
use crate::service::{Bound, parse_bound};
use crate::store::{BarStore, DbLocation};
use crate::symbol;
use crate::upstream::exchange_zone;

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Symbol: NSE name (RELIANCE), Yahoo ticker (AAPL with --exchange US,
    /// ^NSEI, RELIANCE.BO) or alias (NIFTY).
    pub symbol: String,
    /// Exchange of a bare symbol: NSE (default), BSE, or US.
    #[arg(long)]
    pub exchange: Option<String>,
    /// Bar interval.
    #[arg(long, default_value = "1d")]
    pub interval: Interval,
    /// First date (YYYY-MM-DD, exchange-local) or RFC 3339 instant; default: the first stored bar.
    #[arg(long)]
    pub from: Option<String>,
    /// Last date, inclusive (YYYY-MM-DD) or RFC 3339 instant; default: the last stored bar.
    #[arg(long)]
    pub to: Option<String>,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Output file (default: stdout; Arrow and Parquet need a file or a pipe).
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

/// The bar-key range `[start, end)` of the optional bounds.
fn key_range(interval: Interval, zone: Tz, from: Option<Bound>, to: Option<Bound>) -> (i64, i64) {
    let local_date = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&zone).date_naive();
    let key = |b: Bound, after: bool| -> i64 {
        let next = |d: NaiveDate| if after { d.succ_opt().unwrap_or(d) } else { d };
        match (b, interval.is_intraday()) {
            (Bound::Date(d), true) => local_midnight(zone, next(d)),
            (Bound::Date(d), false) => date_key(next(d)),
            (Bound::Instant(t), true) => t.timestamp() + i64::from(after),
            (Bound::Instant(t), false) => date_key(next(local_date(t))),
        }
    };
    (
        from.map_or(i64::MIN, |b| key(b, false)),
        to.map_or(i64::MAX, |b| key(b, true)),
    )
}

/// Exports; exit code 0 on success, 1 when nothing is stored in the range.
pub async fn run(config: Config, args: ExportArgs) -> anyhow::Result<i32> {
    let resolved = symbol::resolve(&args.symbol, args.exchange.as_deref())?;
    let bound =
        |name: &str, v: &Option<String>| v.as_deref().map(|s| parse_bound(name, s)).transpose();
    let (from, to) = (bound("--from", &args.from)?, bound("--to", &args.to)?);
    let to_stdout = args.output.is_none();
    if to_stdout && args.format != ExportFormat::Csv && std::io::stdout().is_terminal() {
        anyhow::bail!(
            "{:?} output is binary; pass -o FILE or redirect stdout",
            args.format
        );
    }
    if let DbLocation::Sqlite(path) = &config.db
        && !path.is_file()
    {
        anyhow::bail!(
            "no database at {}; run `trading-mcp import` or `trading-mcp serve` first, or pass --db",
            path.display()
        );
    }
    let store = BarStore::open_location(&config.db).await?;
    let outcome = export(&store, &resolved.yahoo, &args, (from, to)).await;
    store.close().await;
    outcome
}

async fn export(
    store: &BarStore,
    symbol: &str,
    args: &ExportArgs,
    (from, to): (Option<Bound>, Option<Bound>),
) -> anyhow::Result<i32> {
    let Some(instrument) = store.instrument(symbol).await? else {
        eprintln!(
            "error: nothing is stored for {symbol}; import it or fetch it through the server first"
        );
        return Ok(1);
    };
    let zone = exchange_zone(&instrument.timezone).unwrap_or(chrono_tz::UTC);
    let (start, end) = key_range(args.interval, zone, from, to);
    if start >= end {
        anyhow::bail!("--from is after --to; swap them");
    }
    let rows = store
        .read_stored_bars(symbol, args.interval, start, end)
        .await?;
    if rows.is_empty() {
        eprintln!(
            "error: no {symbol} {} bars are stored in that range",
            args.interval
        );
        return Ok(1);
    }
    let series = Series {
        instrument: &instrument,
        interval: args.interval,
        zone,
        rows: &rows,
    };
    match &args.output {
        None => export::write(&series, args.format, std::io::stdout())?,
        Some(path) => write_file(path, &series, args.format)?,
    }
    eprintln!("exported {} {symbol} {} bars", rows.len(), args.interval);
    Ok(0)
}

/// Writes beside `path` and renames, so a failed export leaves no half file.
fn write_file(path: &Path, series: &Series<'_>, format: ExportFormat) -> anyhow::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let written = std::fs::File::create(&partial)
        .map_err(anyhow::Error::from)
        .and_then(|mut f| {
            export::write(series, format, &mut f)?;
            f.flush()?;
            f.sync_all()?;
            Ok(())
        })
        .and_then(|()| std::fs::rename(&partial, path).map_err(anyhow::Error::from));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        anyhow::bail!("cannot write {}: {e:#}", path.display());
    }
    Ok(())
}
