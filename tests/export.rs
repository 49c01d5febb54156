//! `trading-mcp export`, black-box: files written by the real binary, read
//! back with the arrow and parquet readers (and, for CSV, by `import`), and
//! compared value by value with the store.

mod shared_data;
mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMillisecondType};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use shared_data::shared_dir;
use support::*;
use trading_mcp::model::{Interval, date_key};
use trading_mcp::store::StoredBar;

const RELIANCE: &str = "nse_daily_yahoo/RELIANCE.NS.csv";
const INTRADAY: &str = "nse_intraday/RELIANCE.NS_5m_2025-09-11_to_2025-12-05.csv";

async fn run(env: &Env, args: &[&str]) -> (i32, String, String) {
    let out = env
        .command(args)
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A store with 24 years of RELIANCE daily bars and its 5-minute file.
async fn imported() -> Env {
    let mut env = Env::new("http://127.0.0.1:9");
    env.set("TRADING_MCP_NOW", "2025-12-08T12:00:00+05:30");
    let files = [RELIANCE, INTRADAY].map(|f| shared_dir().join("data").join(f));
    let mut args = vec!["import"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let (code, out, err) = run(&env, &args).await;
    assert_eq!(code, 0, "{out}\n{err}");
    env
}

async fn stored(db: &TestDb, interval: Interval) -> Vec<StoredBar> {
    let store = db.store().await;
    let rows = store
        .read_stored_bars("RELIANCE.NS", interval, i64::MIN, i64::MAX)
        .await
        .unwrap();
    store.close().await;
    rows
}

async fn export(env: &Env, format: &str, interval: &str, extra: &[&str]) -> PathBuf {
    let out = env.dir.path().join(format!("out-{interval}.{format}"));
    let mut args = vec![
        "export",
        "RELIANCE",
        "--format",
        format,
        "--interval",
        interval,
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(env, &args).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("exported"), "{stderr}");
    assert!(!out.with_extension(format!("{format}.partial")).exists());
    out
}

/// Every value of the batches equals the stored rows.
fn compare(
    (schema, batches): (SchemaRef, Vec<RecordBatch>),
    rows: &[StoredBar],
    interval: Interval,
) {
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(total, rows.len());
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let time = if interval.is_intraday() {
        "timestamp"
    } else {
        "date"
    };
    assert_eq!(
        names,
        vec![
            time,
            "open",
            "high",
            "low",
            "close",
            "adj_close",
            "volume",
            "source"
        ]
    );
    assert_eq!(schema.metadata()["symbol"], "RELIANCE.NS");
    assert_eq!(schema.metadata()["currency"], "INR");
    assert_eq!(schema.metadata()["interval"], interval.as_str());
    if interval.is_intraday() {
        assert_eq!(
            schema.field(0).data_type(),
            &DataType::Timestamp(TimeUnit::Millisecond, Some("Asia/Kolkata".into()))
        );
    } else {
        assert_eq!(schema.field(0).data_type(), &DataType::Date32);
    }
    let mut i = 0;
    for b in &batches {
        let f = |c: usize| b.column(c).as_primitive::<Float64Type>();
        let volume = b.column(6).as_primitive::<Int64Type>();
        let source = b.column(7).as_string::<i32>();
        for j in 0..b.num_rows() {
            let want = &rows[i];
            let ts = if interval.is_intraday() {
                b.column(0)
                    .as_primitive::<TimestampMillisecondType>()
                    .value(j)
                    / 1000
            } else {
                i64::from(b.column(0).as_primitive::<Date32Type>().value(j)) * 86_400
            };
            assert_eq!(ts, want.bar.ts, "row {i}");
            let got = [
                f(1).value(j),
                f(2).value(j),
                f(3).value(j),
                f(4).value(j),
                f(5).value(j),
            ];
            let bar = want.bar;
            assert_eq!(
                got,
                [bar.open, bar.high, bar.low, bar.close, bar.adj_close],
                "row {i}"
            );
            assert_eq!(volume.value(j), bar.volume);
            assert_eq!(source.value(j), want.source.as_str());
            i += 1;
        }
    }
}

fn read_arrow(path: &Path) -> (SchemaRef, Vec<RecordBatch>) {
    let reader =
        arrow_ipc::reader::FileReader::try_new(std::fs::File::open(path).unwrap(), None).unwrap();
    (reader.schema(), reader.map(Result::unwrap).collect())
}

fn read_parquet(path: &Path) -> (SchemaRef, Vec<RecordBatch>) {
    let file = std::fs::File::open(path).unwrap();
    let builder =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let schema = builder.schema().clone();
    (
        schema,
        builder.build().unwrap().map(Result::unwrap).collect(),
    )
}

#[tokio::test]
async fn arrow_and_parquet_round_trip_every_value() {
    let env = imported().await;
    for interval in [Interval::D1, Interval::M5] {
        let rows = stored(&env.db(), interval).await;
        assert!(rows.len() > 4_000);
        let arrow = export(&env, "arrow", interval.as_str(), &[]).await;
        compare(read_arrow(&arrow), &rows, interval);
        let parquet = export(&env, "parquet", interval.as_str(), &[]).await;
        compare(read_parquet(&parquet), &rows, interval);
    }
}

#[tokio::test]
async fn csv_round_trips_through_import() {
    let env = imported().await;
    for interval in [Interval::D1, Interval::M5] {
        let csv = export(&env, "csv", interval.as_str(), &[]).await;
        let text = std::fs::read_to_string(&csv).unwrap();
        let first = text.lines().next().unwrap();
        let time = if interval.is_intraday() {
            "timestamp"
        } else {
            "date"
        };
        assert_eq!(
            first,
            format!("{time},open,high,low,close,adj_close,volume,source")
        );
        if interval.is_intraday() {
            assert!(
                text.lines()
                    .nth(1)
                    .unwrap()
                    .starts_with("2025-09-11T09:15:00+05:30,"),
                "{text:.200}"
            );
        }
        // A fresh store reads the file back to the same bars.
        let mut again = Env::new("http://127.0.0.1:9");
        again.set("TRADING_MCP_NOW", "2025-12-08T12:00:00+05:30");
        let (code, out, err) = run(
            &again,
            &["import", "--symbol", "RELIANCE", csv.to_str().unwrap()],
        )
        .await;
        assert_eq!(code, 0, "{out}\n{err}");
        let back: Vec<_> = stored(&again.db(), interval)
            .await
            .iter()
            .map(|r| (r.bar, r.source))
            .collect();
        let want: Vec<_> = stored(&env.db(), interval)
            .await
            .iter()
            .map(|r| (r.bar, r.source))
            .collect();
        assert_eq!(back, want);
    }
}

#[tokio::test]
async fn from_and_to_bound_the_export() {
    let env = imported().await;
    let path = export(
        &env,
        "parquet",
        "1d",
        &["--from", "2024-01-01", "--to", "2024-03-28"],
    )
    .await;
    let rows: Vec<StoredBar> = stored(&env.db(), Interval::D1)
        .await
        .into_iter()
        .filter(|r| {
            let d = |s| date_key(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
            r.bar.ts >= d("2024-01-01") && r.bar.ts <= d("2024-03-28")
        })
        .collect();
    assert_eq!(rows.len(), 60);
    compare(read_parquet(&path), &rows, Interval::D1);
}

#[tokio::test]
async fn nothing_stored_is_a_clear_error() {
    let env = imported().await;
    let out = env.dir.path().join("x.csv");
    let (code, _, err) = run(
        &env,
        &[
            "export",
            "TCS",
            "--format",
            "csv",
            "-o",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("nothing is stored for TCS.NS"), "{err}");
    assert!(!out.exists());
    let (code, _, err) = run(
        &env,
        &[
            "export",
            "RELIANCE",
            "--format",
            "csv",
            "--from",
            "2030-01-01",
            "--to",
            "2020-01-01",
        ],
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("--from is after --to"), "{err}");
    let fresh = Env::new("http://127.0.0.1:9");
    let (code, _, err) = run(&fresh, &["export", "RELIANCE", "--format", "csv"]).await;
    assert_eq!(code, 1);
    let want = match fresh.db() {
        TestDb::Sqlite(_) => "no database at",
        // A PostgreSQL database exists before any server runs on it.
        TestDb::Postgres(_) => "nothing is stored for RELIANCE.NS",
    };
    assert!(err.contains(want), "{err}");
    if let TestDb::Sqlite(path) = fresh.db() {
        assert!(!path.exists(), "no file is created");
    }
}
