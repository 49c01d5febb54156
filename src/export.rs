//! Stored bars out as CSV, Arrow IPC or Parquet, with a typed schema that
//! pandas, polars and DuckDB read directly:
//!
//! | column | daily bars | intraday bars |
//! |---|---|---|
//! | `date` / `timestamp` | `Date32` (trading date) | `Timestamp(ms, exchange zone)` (bar start) |
//! | `open`, `high`, `low`, `close`, `adj_close` | `Float64` | `Float64` |
//! | `volume` | `Int64` | `Int64` |
//! | `source` | `Utf8` (`yahoo` / `import`) | `Utf8` |
//!
//! The schema metadata carries `symbol`, `interval`, `currency`,
//! `exchange` and `timezone`. The CSV has the same columns (intraday stamps
//! in RFC 3339 with the exchange's offset) and `trading-mcp import` reads
//! it back. Conversion is pure; the writers take any `Write`.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, TimeUnit};
use chrono::TimeZone;
use chrono_tz::Tz;

use crate::model::{Instrument, Interval, key_date};
use crate::store::StoredBar;

/// The file formats of `trading-mcp export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    /// Arrow IPC file (Feather v2).
    Arrow,
    Parquet,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing the output failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("building the Arrow data failed: {0}")]
    Arrow(#[from] ArrowError),
    #[error("writing Parquet failed: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
}

/// What the exported bars are.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub instrument: &'a Instrument,
    pub interval: Interval,
    /// The exchange zone intraday stamps are shown in.
    pub zone: Tz,
    pub rows: &'a [StoredBar],
}

/// The name of the first column.
fn time_column(interval: Interval) -> &'static str {
    if interval.is_intraday() {
        "timestamp"
    } else {
        "date"
    }
}

/// The Arrow schema of a series.
pub fn schema(s: &Series<'_>) -> Schema {
    let time = if s.interval.is_intraday() {
        DataType::Timestamp(TimeUnit::Millisecond, Some(s.zone.name().into()))
    } else {
        DataType::Date32
    };
    let price = |name: &str| Field::new(name, DataType::Float64, false);
    let fields = vec![
        Field::new(time_column(s.interval), time, false),
        price("open"),
        price("high"),
        price("low"),
        price("close"),
        price("adj_close"),
        Field::new("volume", DataType::Int64, false),
        Field::new("source", DataType::Utf8, false),
    ];
    let i = s.instrument;
    let metadata = HashMap::from([
        ("symbol".to_string(), i.yahoo_symbol.clone()),
        ("interval".to_string(), s.interval.as_str().to_string()),
        ("currency".to_string(), i.currency.clone()),
        ("exchange".to_string(), i.exchange.clone()),
        ("timezone".to_string(), s.zone.name().to_string()),
    ]);
    Schema::new_with_metadata(fields, metadata)
}

/// The series as one record batch.
pub fn record_batch(s: &Series<'_>) -> Result<RecordBatch, ArrowError> {
    let rows = s.rows;
    let time: ArrayRef = if s.interval.is_intraday() {
        let ms: Vec<i64> = rows.iter().map(|r| r.bar.ts.saturating_mul(1000)).collect();
        Arc::new(TimestampMillisecondArray::from(ms).with_timezone(s.zone.name()))
    } else {
        // Date keys are midnights UTC: whole days since the epoch.
        let days = rows
            .iter()
            .map(|r| i32::try_from(r.bar.ts.div_euclid(86_400)))
            .collect::<Result<Vec<i32>, _>>()
            .map_err(|_| ArrowError::InvalidArgumentError("a date beyond Date32's range".into()))?;
        Arc::new(Date32Array::from(days))
    };
    let col = |f: fn(&StoredBar) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter_values(rows.iter().map(f)))
    };
    let columns = vec![
        time,
        col(|r| r.bar.open),
        col(|r| r.bar.high),
        col(|r| r.bar.low),
        col(|r| r.bar.close),
        col(|r| r.bar.adj_close),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.bar.volume),
        )) as ArrayRef,
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.source.as_str()),
        )) as ArrayRef,
    ];
    RecordBatch::try_new(Arc::new(schema(s)), columns)
}

/// Writes the series in `format`.
pub fn write<W: Write + Send>(
    s: &Series<'_>,
    format: ExportFormat,
    out: W,
) -> Result<(), ExportError> {
    match format {
        ExportFormat::Csv => write_csv(s, out),
        ExportFormat::Arrow => {
            let batch = record_batch(s)?;
            let mut w = arrow_ipc::writer::FileWriter::try_new_buffered(out, &batch.schema())?;
            w.write(&batch)?;
            w.finish()?;
            w.into_inner()?.flush()?;
            Ok(())
        }
        ExportFormat::Parquet => {
            let batch = record_batch(s)?;
            let props = parquet::file::properties::WriterProperties::builder()
                .set_compression(parquet::basic::Compression::SNAPPY)
                .build();
            let mut w = parquet::arrow::ArrowWriter::try_new(out, batch.schema(), Some(props))?;
            w.write(&batch)?;
            w.into_inner()?.flush()?;
            Ok(())
        }
    }
}

fn write_csv<W: Write>(s: &Series<'_>, out: W) -> Result<(), ExportError> {
    let mut out = std::io::BufWriter::new(out);
    writeln!(
        out,
        "{},open,high,low,close,adj_close,volume,source",
        time_column(s.interval)
    )?;
    for r in s.rows {
        let b = &r.bar;
        if s.interval.is_intraday() {
            let at = s
                .zone
                .timestamp_opt(b.ts, 0)
                .single()
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| b.ts.to_string());
            write!(out, "{at}")?;
        } else {
            write!(out, "{}", key_date(b.ts))?;
        }
        writeln!(
            out,
            ",{},{},{},{},{},{},{}",
            b.open, b.high, b.low, b.close, b.adj_close, b.volume, r.source
        )?;
    }
    out.flush()?;
    Ok(())
}
