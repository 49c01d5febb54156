//! The timestamps of bar files: `YYYY-MM-DD`, optionally followed by
//! ` HH:MM[:SS[.fff]]` (or `T...`) and an offset (`Z`, `+05:30`, `+0530`,
//! `+05`). Hand-written because it runs once per row of every import.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A parsed timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// A bare date.
    Date(NaiveDate),
    /// A date and time without offset: local to the exchange.
    Local(NaiveDateTime),
    /// A date and time with an offset, as epoch seconds (UTC).
    Instant(i64),
}

/// The formats accepted, for error messages.
pub const FORMATS: &str =
    "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS with an optional offset such as +05:30";

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 {
        return None;
    }
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Parses a stamp; `None` when it is not one of [`FORMATS`].
pub fn parse(s: &[u8]) -> Option<Stamp> {
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(&s[0..4])?).ok()?,
        digits(&s[5..7])?,
        digits(&s[8..10])?,
    )?;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(Stamp::Date(date));
    }
    if !matches!(rest[0], b' ' | b'T') || rest.len() < 6 || rest[3] != b':' {
        return None;
    }
    let (h, m) = (digits(&rest[1..3])?, digits(&rest[4..6])?);
    let mut rest = &rest[6..];
    let mut sec = 0;
    if let [b':', a, b, tail @ ..] = rest {
        sec = digits(&[*a, *b])?;
        rest = tail;
        if let [b'.', tail @ ..] = rest {
            // Fractions of a second: a bar starts on a whole second.
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            rest = &tail[n..];
        }
    }
    let local = date.and_time(NaiveTime::from_hms_opt(h, m, sec)?);
    let offset = match rest {
        [] => return Some(Stamp::Local(local)),
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let (hh, mm) = match tail {
                [a, b] => (digits(&[*a, *b])?, 0),
                [a, b, b':', c, d] | [a, b, c, d] => (digits(&[*a, *b])?, digits(&[*c, *d])?),
                _ => return None,
            };
            if hh > 23 || mm > 59 {
                return None;
            }
            let secs = i64::from(hh * 3600 + mm * 60);
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    Some(Stamp::Instant(local.and_utc().timestamp() - offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn instant(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Stamp {
        Stamp::Instant(
            Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
                .unwrap()
                .timestamp(),
        )
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse(b"2024-03-28"),
            Some(Stamp::Date(NaiveDate::from_ymd_opt(2024, 3, 28).unwrap()))
        );
        assert_eq!(parse(b"2024-02-30"), None);
        assert_eq!(parse(b"28-03-2024"), None);
        assert_eq!(parse(b"2024-3-28"), None);
        assert_eq!(parse(b""), None);
    }

    #[test]
    fn offsets_give_instants() {
        assert_eq!(
            parse(b"2025-09-11 09:15:00+05:30"),
            Some(instant(2025, 9, 11, 3, 45))
        );
        assert_eq!(
            parse(b"2025-09-11T09:15:00+0530"),
            Some(instant(2025, 9, 11, 3, 45))
        );
        assert_eq!(
            parse(b"2020-10-01 00:00:00+05:30"),
            Some(instant(2020, 9, 30, 18, 30))
        );
        assert_eq!(
            parse(b"2020-01-02 00:00:00-05:00"),
            Some(instant(2020, 1, 2, 5, 0))
        );
        assert_eq!(
            parse(b"2024-01-02T03:04:00Z"),
            Some(instant(2024, 1, 2, 3, 4))
        );
        assert_eq!(
            parse(b"2024-01-02 03:04:00.000+00"),
            Some(instant(2024, 1, 2, 3, 4))
        );
    }

    #[test]
    fn no_offset_is_local() {
        let local = NaiveDate::from_ymd_opt(2024, 1, 2)
            .unwrap()
            .and_hms_opt(9, 15, 0)
            .unwrap();
        assert_eq!(parse(b"2024-01-02 09:15"), Some(Stamp::Local(local)));
        assert_eq!(parse(b"2024-01-02 09:15:00"), Some(Stamp::Local(local)));
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            &b"2024-01-02 25:00:00"[..],
            b"2024-01-02 09:15:00+5:30",
            b"2024-01-02 09:15:00 IST",
            b"2024-01-02x",
            b"2024-01-02 09:15:00.+05:30",
            b"yesterday",
        ] {
            assert_eq!(parse(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
