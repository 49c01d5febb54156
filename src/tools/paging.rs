//! Answers sized for the model: the output budget, and the cursor that
//! fetches what did not fit.
//!
//! A client hands the model either the text or the structured content of
//! an answer, so an answer's size is the larger of the two, and its tokens
//! are estimated as bytes / 4 (close to what tokenizers give for CSV and
//! JSON of numbers, and cheap to compute exactly). A series tool that would
//! exceed the budget keeps the most recent rows that fit, says so, and
//! returns a `next_cursor`: passed back as `cursor` with the same
//! arguments, it answers the rows before them, under the same budget.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::{Tool, ToolError};

/// Bytes per estimated token.
pub const BYTES_PER_TOKEN: usize = 4;

/// The most tokens one answer may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    tokens: usize,
}

impl Budget {
    pub fn new(tokens: usize) -> Budget {
        Budget { tokens }
    }

    pub fn tokens(self) -> usize {
        self.tokens
    }

    /// Writes an answer's estimated tokens into it and returns them:
    /// bytes / 4 of the larger of its text and its structured content
    /// (compact JSON, as sent). The
    /// answer is measured once with the field at 0; the figure's own
    /// digits are then added to the JSON's size, so the stamp is exact.
    pub fn stamp<T: Tool>(out: &mut T::Output) -> usize
    where
        T::Output: Measured,
    {
        out.set_estimated_tokens(0);
        let json = serde_json::to_vec(&*out).map_or(usize::MAX / 2, |v| v.len());
        let text = T::text(out).len();
        let digits = |n: usize| n.checked_ilog10().map_or(1, |d| d as usize + 1);
        let tokens_at = |e: usize| (json - 1 + digits(e)).max(text).div_ceil(BYTES_PER_TOKEN);
        let mut estimate = tokens_at(0);
        for _ in 0..4 {
            let again = tokens_at(estimate);
            if again == estimate {
                break;
            }
            estimate = again;
        }
        out.set_estimated_tokens(estimate);
        estimate
    }

    pub fn fits(self, out: &impl Measured) -> bool {
        out.estimated_tokens() <= self.tokens
    }

    /// The answer showing the most rows, at most `max`, that fits: `render(n)`
    /// builds the answer with the `n` rows it would show (and the note and
    /// cursor that go with them). At least one row is shown when there is
    /// one, whatever its size, so a page always makes progress.
    /// `render` must [`Budget::stamp`] what it returns.
    pub fn fit<T: Tool>(
        self,
        max: usize,
        mut render: impl FnMut(usize) -> T::Output,
    ) -> (usize, T::Output)
    where
        T::Output: Measured,
    {
        let fits = |out: &T::Output| self.fits(out);
        let all = render(max);
        if max <= 1 || fits(&all) {
            return (max, all);
        }
        // Answers grow about linearly in rows: guess from the sizes at 0
        // and `max`, then search out from the guess.
        let fixed = render(0).estimated_tokens();
        let full = all.estimated_tokens();
        let per_row = (full.saturating_sub(fixed) as f64 / max as f64).max(f64::MIN_POSITIVE);
        let guess = ((self.tokens.saturating_sub(fixed)) as f64 / per_row) as usize;
        // render(lo) fits (one row always counts as fitting); render(hi) does not.
        let (mut lo, mut hi) = (0, max);
        let mut best = None;
        let mut try_rows = |n: usize, lo: &mut usize, hi: &mut usize| {
            let out = render(n);
            let ok = n == 1 || fits(&out);
            if ok {
                *lo = n;
                best = Some((n, out));
            } else {
                *hi = n;
            }
            ok
        };
        // The guess is usually within a few rows: gallop away from it until
        // the boundary is bracketed, then bisect.
        let up = try_rows(guess.clamp(1, max - 1), &mut lo, &mut hi);
        let mut step = 1;
        while hi - lo > 1 {
            let next = if up {
                (lo + step).min(hi - 1)
            } else {
                hi.saturating_sub(step).max(lo + 1)
            };
            if try_rows(next, &mut lo, &mut hi) != up {
                break;
            }
            step *= 2;
        }
        while hi - lo > 1 {
            let probe = lo + (hi - lo) / 2;
            try_rows(probe, &mut lo, &mut hi);
        }
        best.unwrap_or_else(|| (1, render(1)))
    }
}

/// An answer that reports its own size (`estimated_tokens`).
pub trait Measured {
    fn estimated_tokens(&self) -> usize;
    fn set_estimated_tokens(&mut self, tokens: usize);
}

/// Implements [`Measured`] for outputs with an `estimated_tokens` field.
macro_rules! measured {
    ($($t:ty),*) => {$(
        impl $crate::tools::paging::Measured for $t {
            fn estimated_tokens(&self) -> usize {
                self.estimated_tokens
            }
            fn set_estimated_tokens(&mut self, tokens: usize) {
                self.estimated_tokens = tokens;
            }
        }
    )*};
}
pub(crate) use measured;

/// Where the next page of an answer starts, and what request it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The request's arguments (but `cursor`), hashed.
    pub request: u64,
    /// The key range the arguments named when the cursor was issued.
    pub range: (i64, i64),
    /// The next page holds the rows with keys before this one.
    pub before: i64,
}

const CURSOR_VERSION: &str = "c1";

impl Cursor {
    /// The opaque string clients pass back.
    pub fn encode(&self) -> String {
        let plain = format!(
            "{CURSOR_VERSION}:{:016x}:{}:{}:{}",
            self.request, self.range.0, self.range.1, self.before
        );
        URL_SAFE_NO_PAD.encode(plain)
    }

    /// The cursor passed as `cursor`, checked before any fetch: one this
    /// server issued, for a request with these same arguments.
    pub fn parse(text: &str, request: u64) -> Result<Cursor, ToolError> {
        let bad = || {
            ToolError::new(
                "`cursor` is not a cursor this server issued: pass back a `next_cursor` exactly as returned, or leave `cursor` out for the most recent page",
            )
        };
        let plain = URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad)?;
        let parts: Vec<&str> = plain.split(':').collect();
        let [version, hash, start, end, before] = parts[..] else {
            return Err(bad());
        };
        if version != CURSOR_VERSION {
            return Err(bad());
        }
        let number = |s: &str| s.parse::<i64>().map_err(|_| bad());
        let cursor = Cursor {
            request: u64::from_str_radix(hash, 16).map_err(|_| bad())?,
            range: (number(start)?, number(end)?),
            before: number(before)?,
        };
        if cursor.request != request {
            return Err(ToolError::new(
                "this `cursor` belongs to a request with other arguments: pass it with exactly the arguments of the call that returned it (symbol, dates, interval, max_points...), or leave it out for the most recent page",
            ));
        }
        if !(cursor.range.0 < cursor.before && cursor.before <= cursor.range.1) {
            return Err(bad());
        }
        Ok(cursor)
    }

    /// Checks, once the range is known, that the arguments still name the
    /// range the cursor was issued for.
    pub fn check_range(&self, range: (i64, i64)) -> Result<(), ToolError> {
        if self.range != range {
            return Err(ToolError::new(
                "this `cursor` is stale: the range these arguments name has moved since it was issued (dates left out default from today). Ask again without `cursor`, or give start_date and end_date explicitly",
            ));
        }
        Ok(())
    }
}

/// Ends a text header line with what the reader must know about paging:
/// `; TRUNCATED; next_cursor <cursor>`.
pub fn end_header(text: &mut String, truncated: bool, next_cursor: Option<&str>) {
    if truncated {
        text.push_str("; TRUNCATED");
    }
    if let Some(c) = next_cursor {
        text.push_str("; next_cursor ");
        text.push_str(c);
    }
    text.push('\n');
}

/// A stable hash of a call's arguments without `cursor`: the same for
/// the same arguments in any key order, in any process.
pub fn request_hash(args: &Map<String, Value>) -> u64 {
    let mut hash = Fnv::default();
    for (k, v) in sorted(args) {
        if k != "cursor" {
            hash.write(k.as_bytes());
            hash.write(b"=");
            canonical(v, &mut hash);
            hash.write(b";");
        }
    }
    hash.0
}

fn sorted(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn canonical(v: &Value, hash: &mut Fnv) {
    match v {
        Value::Object(map) => {
            hash.write(b"{");
            for (k, v) in sorted(map) {
                hash.write(k.as_bytes());
                hash.write(b"=");
                canonical(v, hash);
                hash.write(b",");
            }
            hash.write(b"}");
        }
        Value::Array(items) => {
            hash.write(b"[");
            for item in items {
                canonical(item, hash);
                hash.write(b",");
            }
            hash.write(b"]");
        }
        other => hash.write(other.to_string().as_bytes()),
    }
}

/// FNV-1a, 64 bits: stable across processes and versions, unlike std's
/// randomly keyed hasher.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn cursors_round_trip_and_name_what_is_wrong() {
        let c = Cursor {
            request: 42,
            range: (100, 900),
            before: 500,
        };
        assert_eq!(Cursor::parse(&c.encode(), 42), Ok(c));
        assert_eq!(c.check_range((100, 900)), Ok(()));
        let other = Cursor::parse(&c.encode(), 43).unwrap_err();
        assert!(other.0.contains("other arguments"), "{other:?}");
        let stale = c.check_range((200, 900)).unwrap_err();
        assert!(stale.0.contains("stale"), "{stale:?}");
        let outside = URL_SAFE_NO_PAD.encode(format!("c1:{:016x}:1:2:3", 42));
        for junk in [
            "",
            "abc",
            "!!!",
            &URL_SAFE_NO_PAD.encode("c1:zz:1:2:3"),
            &outside,
        ] {
            let e = Cursor::parse(junk, 42).unwrap_err();
            assert!(
                e.0.contains("not a cursor this server issued"),
                "{junk}: {e:?}"
            );
        }
    }

    #[test]
    fn the_request_hash_ignores_key_order_and_the_cursor() {
        let a = args(json!({"symbol": "ITC", "params": {"a": 1, "b": 2}}));
        let b = args(json!({"params": {"b": 2, "a": 1}, "symbol": "ITC", "cursor": "x"}));
        let c = args(json!({"symbol": "TCS", "params": {"a": 1, "b": 2}}));
        assert_eq!(request_hash(&a), request_hash(&b));
        assert_ne!(request_hash(&a), request_hash(&c));
    }
}
