//! Exchange calendars: when NSE/BSE and NYSE/Nasdaq trade. Pure code: no IO,
//! no clock; every query takes the instant or date it is about.
//!
//! - [`exchange`]: the exchanges, their fixed hours, the compiled-in data
//!   (`data/nse_calendar.csv`, `data/us_calendar.csv`) and the mapping from
//!   Yahoo's chart meta.
//! - [`data`]: the data format, one row for each day that is not a regular
//!   weekday session.
//! - [`hours`]: a day's segments and pre-open in local time.
//! - [`days`]: what each date is, session days and coverage.
//! - [`times`]: a day's hours as instants.
//! - [`status`]: the phase at an instant, the next open and close, and when
//!   the answer can next change.
//! - [`settle`]: when a day's bars are final, and partial bars.
//! - [`listing`]: a calendar as a document (the calendar resource).
//!
//! ```
//! use trading_mcp::calendar::Exchange;
//! let nse = Exchange::Nse.calendar();
//! let at = "2024-11-01T12:40:00Z".parse().unwrap(); // 18:10 IST, Muhurat
//! assert_eq!(nse.is_open(at), Some(true));
//! ```

pub mod data;
pub mod days;
pub mod exchange;
pub mod hours;
pub mod listing;
pub mod settle;
pub mod status;
pub mod times;

pub use data::CalendarDataError;
pub use days::{CalendarSpec, Day, DayKind, ExchangeCalendar};
pub use exchange::Exchange;
pub use hours::{Hours, PreOpenStage};
pub use settle::{SETTLE_GRACE_MINUTES, SettleConfig};
pub use status::{
    ClosedReason, DaySchedule, LocalTime, MarketStatus, Phase, PreOpenWindow, SegmentWindow,
};
pub use times::{DayTimes, PreOpenTimes, SegmentTimes, SessionTimes};
