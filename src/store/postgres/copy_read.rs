//! The range read of bars on PostgreSQL, through `COPY … TO STDOUT` in
//! binary format.
//!
//! A row read through sqlx's query API costs a `PgRow` with its own vector
//! of value ranges; COPY hands over the rows as CopyData messages, which
//! are decoded here straight into the `Bar`s: no allocation per row beyond
//! the output vectors' growth. COPY takes no bind parameters, so the
//! statement carries its values as literals: two integers, and the symbol
//! and interval quoted by [`literal`].

use futures::TryStreamExt;
use sqlx::{PgConnection, PgPool};

use crate::model::{Bar, BarSource};
use crate::store::{StoreError, StoredBar};

/// Columns the statement selects, in order.
const COLUMNS: u16 = 9;

/// `PGCOPY\n\377\r\n\0`, then 32-bit flags and a 32-bit header-extension length.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// One decoded row: the bar, when it was fetched, and its source's text.
struct CopiedRow<'a> {
    bar: Bar,
    fetched_at: i64,
    source: &'a [u8],
}

/// `text` as an SQL string literal. With `standard_conforming_strings` on
/// (PostgreSQL's default since 9.1, and set on every connection by
/// [`super::connect`]),
/// doubling the quote is the only escape a literal needs.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn statement(symbol: &str, interval: &str, start: i64, end: i64) -> String {
    format!(
        "COPY (SELECT ts, open, high, low, close, adj_close, volume, fetched_at, source FROM bars
               WHERE symbol = {} AND interval = {} AND ts >= {start} AND ts < {end} ORDER BY ts)
         TO STDOUT (FORMAT binary)",
        literal(symbol),
        literal(interval),
    )
}

/// Reads the range on `conn`, handing each row to `row`.
async fn each_row(
    conn: &mut PgConnection,
    (symbol, interval): (&str, &str),
    (start, end): (i64, i64),
    mut row: impl FnMut(CopiedRow<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut stream = conn
        .copy_out_raw(&statement(symbol, interval, start, end))
        .await?;
    let mut decoder = Decoder::default();
    while let Some(chunk) = stream.try_next().await? {
        decoder.feed(&chunk, &mut row)?;
    }
    decoder.finish()
}

/// Bars of `symbol`/`interval` with `start <= ts < end`, oldest first, and
/// when each was fetched: what the SQLite store's C-API read returns.
pub async fn read_bars(
    pool: &PgPool,
    symbol: &str,
    interval: &str,
    start: i64,
    end: i64,
) -> Result<(Vec<Bar>, Vec<i64>), StoreError> {
    let mut conn = pool.acquire().await?;
    let mut bars = Vec::new();
    let mut fetched = Vec::new();
    each_row(&mut conn, (symbol, interval), (start, end), |r| {
        bars.push(r.bar);
        fetched.push(r.fetched_at);
        Ok(())
    })
    .await?;
    Ok((bars, fetched))
}

/// The same range with each bar's fetch time and source.
pub async fn read_stored_bars(
    pool: &PgPool,
    symbol: &str,
    interval: &str,
    start: i64,
    end: i64,
) -> Result<Vec<StoredBar>, StoreError> {
    read_stored_bars_on(&mut *pool.acquire().await?, symbol, interval, start, end).await
}

/// [`read_stored_bars`] on a given connection (inside its transaction).
pub async fn read_stored_bars_on(
    conn: &mut PgConnection,
    symbol: &str,
    interval: &str,
    start: i64,
    end: i64,
) -> Result<Vec<StoredBar>, StoreError> {
    let mut rows = Vec::new();
    each_row(conn, (symbol, interval), (start, end), |r| {
        let source = BarSource::from_db(r.source).ok_or_else(|| {
            StoreError::Read(format!(
                "bar with unknown source {:?}",
                String::from_utf8_lossy(r.source)
            ))
        })?;
        rows.push(StoredBar {
            bar: r.bar,
            fetched_at: r.fetched_at,
            source,
        });
        Ok(())
    })
    .await?;
    Ok(rows)
}

/// Decodes the binary COPY stream: the header, then tuples of [`COLUMNS`]
/// fields, then the trailer (a field count of -1). PostgreSQL sends a
/// tuple per CopyData message, but the format does not promise it, so a
/// tuple split across chunks is carried over.
#[derive(Default)]
struct Decoder {
    header_read: bool,
    finished: bool,
    carry: Vec<u8>,
}

fn malformed(what: &str) -> StoreError {
    StoreError::Read(format!("malformed COPY data from PostgreSQL: {what}"))
}

impl Decoder {
    fn feed(
        &mut self,
        chunk: &[u8],
        row: &mut impl FnMut(CopiedRow<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if self.carry.is_empty() {
            let used = self.decode(chunk, row)?;
            self.carry.extend_from_slice(&chunk[used..]);
        } else {
            self.carry.extend_from_slice(chunk);
            let carry = std::mem::take(&mut self.carry);
            let used = self.decode(&carry, row)?;
            self.carry = carry;
            self.carry.drain(..used);
        }
        Ok(())
    }

    fn finish(&self) -> Result<(), StoreError> {
        match (self.finished, self.carry.is_empty()) {
            (true, true) => Ok(()),
            (true, false) => Err(malformed("bytes after the trailer")),
            (false, _) => Err(malformed("the stream ended before its trailer")),
        }
    }

    /// Decodes every whole item at the start of `bytes`; returns how many
    /// bytes it used.
    fn decode(
        &mut self,
        bytes: &[u8],
        row: &mut impl FnMut(CopiedRow<'_>) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let mut at = 0;
        if !self.header_read {
            let Some(header) = header_len(bytes)? else {
                return Ok(0);
            };
            self.header_read = true;
            at = header;
        }
        while at < bytes.len() {
            if self.finished {
                return Err(malformed("bytes after the trailer"));
            }
            match tuple(&bytes[at..])? {
                Tuple::Incomplete => break,
                Tuple::Trailer => {
                    self.finished = true;
                    at += 2;
                }
                Tuple::Row(decoded, len) => {
                    row(decoded)?;
                    at += len;
                }
            }
        }
        Ok(at)
    }
}

/// The header's length, or `None` if `bytes` does not hold all of it yet.
fn header_len(bytes: &[u8]) -> Result<Option<usize>, StoreError> {
    const FIXED: usize = SIGNATURE.len() + 8;
    if bytes.len() < FIXED {
        return Ok(None);
    }
    if &bytes[..SIGNATURE.len()] != SIGNATURE {
        return Err(malformed("no PGCOPY signature"));
    }
    let extension = u32::from_be_bytes(bytes[15..19].try_into().expect("4 bytes")) as usize;
    Ok((bytes.len() >= FIXED + extension).then_some(FIXED + extension))
}

enum Tuple<'a> {
    Incomplete,
    Trailer,
    /// A row and the bytes it took.
    Row(CopiedRow<'a>, usize),
}

/// A cursor over one tuple's fields.
struct Fields<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    /// The next field's bytes; `Ok(None)` if the tuple is not all here.
    fn next(&mut self) -> Result<Option<&'a [u8]>, StoreError> {
        let Some(len) = self.bytes.get(self.at..self.at + 4) else {
            return Ok(None);
        };
        let len = i32::from_be_bytes(len.try_into().expect("4 bytes"));
        let len = usize::try_from(len).map_err(|_| malformed("a NULL in a NOT NULL column"))?;
        let start = self.at + 4;
        let Some(field) = self.bytes.get(start..start + len) else {
            return Ok(None);
        };
        self.at = start + len;
        Ok(Some(field))
    }

    fn eight(&mut self) -> Result<Option<[u8; 8]>, StoreError> {
        self.next()?
            .map(|f| {
                f.try_into()
                    .map_err(|_| malformed("an 8-byte column of another width"))
            })
            .transpose()
    }
}

/// Decodes the tuple at the start of `bytes`.
fn tuple(bytes: &[u8]) -> Result<Tuple<'_>, StoreError> {
    let Some(count) = bytes.get(..2) else {
        return Ok(Tuple::Incomplete);
    };
    match i16::from_be_bytes([count[0], count[1]]) {
        -1 => return Ok(Tuple::Trailer),
        n if n == COLUMNS as i16 => {}
        n => return Err(malformed(&format!("{n} columns in a row, not {COLUMNS}"))),
    }
    let mut fields = Fields { bytes, at: 2 };
    let mut numbers = [[0u8; 8]; 8];
    for number in &mut numbers {
        match fields.eight()? {
            Some(n) => *number = n,
            None => return Ok(Tuple::Incomplete),
        }
    }
    let Some(source) = fields.next()? else {
        return Ok(Tuple::Incomplete);
    };
    let [ts, open, high, low, close, adj_close, volume, fetched_at] = numbers;
    let bar = Bar {
        ts: i64::from_be_bytes(ts),
        open: f64::from_be_bytes(open),
        high: f64::from_be_bytes(high),
        low: f64::from_be_bytes(low),
        close: f64::from_be_bytes(close),
        adj_close: f64::from_be_bytes(adj_close),
        volume: i64::from_be_bytes(volume),
    };
    let row = CopiedRow {
        bar,
        fetched_at: i64::from_be_bytes(fetched_at),
        source,
    };
    Ok(Tuple::Row(row, fields.at))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A COPY stream as PostgreSQL writes it, for `rows` (ts, close) pairs.
    fn stream(rows: &[(i64, f64)]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        for &(ts, close) in rows {
            out.extend_from_slice(&(COLUMNS as i16).to_be_bytes());
            let mut field = |b: &[u8]| {
                out.extend_from_slice(&(b.len() as i32).to_be_bytes());
                out.extend_from_slice(b);
            };
            field(&ts.to_be_bytes());
            for _ in 0..5 {
                field(&close.to_be_bytes());
            }
            field(&7i64.to_be_bytes());
            field(&99i64.to_be_bytes());
            field(b"yahoo");
        }
        out.extend_from_slice(&(-1i16).to_be_bytes());
        out
    }

    fn decode_in_chunks(bytes: &[u8], size: usize) -> Result<Vec<(i64, f64, i64)>, StoreError> {
        let mut decoder = Decoder::default();
        let mut got = Vec::new();
        for chunk in bytes.chunks(size) {
            decoder.feed(chunk, &mut |r| {
                assert_eq!(r.source, b"yahoo");
                assert_eq!(r.bar.volume, 7);
                got.push((r.bar.ts, r.bar.close, r.fetched_at));
                Ok(())
            })?;
        }
        decoder.finish()?;
        Ok(got)
    }

    #[test]
    fn rows_decode_whatever_the_chunking() {
        let bytes = stream(&[(100, 1.5), (200, -2.25), (300, 1e300)]);
        let want = vec![(100, 1.5, 99), (200, -2.25, 99), (300, 1e300, 99)];
        for size in [1, 2, 3, 7, 19, 40, bytes.len()] {
            assert_eq!(
                decode_in_chunks(&bytes, size).unwrap(),
                want,
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn broken_streams_are_read_errors_not_panics() {
        let good = stream(&[(1, 1.0)]);
        let cut = &good[..good.len() - 2];
        assert!(
            decode_in_chunks(cut, 5)
                .unwrap_err()
                .to_string()
                .contains("before its trailer")
        );
        let mut extra = good.clone();
        extra.push(0);
        assert!(
            decode_in_chunks(&extra, 4)
                .unwrap_err()
                .to_string()
                .contains("after the trailer")
        );
        let mut unsigned = good.clone();
        unsigned[0] = b'X';
        assert!(
            decode_in_chunks(&unsigned, 64)
                .unwrap_err()
                .to_string()
                .contains("signature")
        );
        let mut narrow = good.clone();
        narrow[19] = 0;
        narrow[20] = 3;
        assert!(
            decode_in_chunks(&narrow, 64)
                .unwrap_err()
                .to_string()
                .contains("columns")
        );
    }

    #[test]
    fn literals_double_their_quotes() {
        assert_eq!(literal("A'B"), "'A''B'");
        assert!(
            statement("X'; DROP TABLE bars; --", "1d", 0, 1).contains("'X''; DROP TABLE bars; --'")
        );
    }
}
