//! Argument types shared by the tools.
//!
//! A [`Choice`] is a string with a fixed set of valid values: its schema
//! lists them (`enum`), its parse is lenient ("1D", " nse "), and a value
//! outside them is not a decoding failure but a tool error that names the
//! choices, because a model never sees a protocol error's message.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use super::ToolError;
use crate::model::{INTERVALS, Interval};
use crate::service::adjust::Adjust;
use crate::service::{BarQuery, Bound, parse_bound};
use crate::symbol::{self, Exchange};

/// A type whose values are a fixed list of names.
pub trait Choices: Sized {
    /// What the argument is called in messages ("interval").
    const WHAT: &'static str;
    /// Reads a value leniently; `None` when it is none of the choices.
    fn parse_choice(s: &str) -> Option<Self>;
    /// The canonical spellings, for the schema and error messages.
    fn choices() -> Vec<String>;
}

/// A string argument that should be one of `T`'s choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice<T>(Result<T, String>);

impl<T: Choices> Choice<T> {
    /// The value, or a tool error naming the valid choices.
    pub fn get(&self) -> Result<T, ToolError>
    where
        T: Clone,
    {
        self.0.clone().map_err(|raw| {
            ToolError(format!(
                "unknown {} {:?}; use one of {}",
                T::WHAT,
                crate::echo::clip(&raw),
                T::choices().join(", ")
            ))
        })
    }
}

impl<T: Choices> From<T> for Choice<T> {
    fn from(value: T) -> Self {
        Choice(Ok(value))
    }
}

impl<'de, T: Choices> Deserialize<'de> for Choice<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(Choice(T::parse_choice(&raw).ok_or(raw)))
    }
}

impl<T: Choices> JsonSchema for Choice<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed(T::WHAT)
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "enum": T::choices() })
    }
}

impl Choices for Interval {
    const WHAT: &'static str = "interval";

    fn parse_choice(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    fn choices() -> Vec<String> {
        INTERVALS.iter().map(|i| i.as_str().to_string()).collect()
    }
}

impl Choices for Exchange {
    const WHAT: &'static str = "exchange";

    fn parse_choice(s: &str) -> Option<Self> {
        Exchange::parse(s)
    }

    fn choices() -> Vec<String> {
        Exchange::CHOICES.iter().map(|s| s.to_string()).collect()
    }
}

/// The arguments of a tool that takes none: any argument is a protocol
/// error that says so.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NoArgs {}

impl<'de> Deserialize<'de> for NoArgs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Empty;
        impl<'de> serde::de::Visitor<'de> for Empty {
            type Value = NoArgs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an empty object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<NoArgs, A::Error> {
                match map.next_key::<String>()? {
                    None => Ok(NoArgs {}),
                    Some(key) => Err(serde::de::Error::custom(format!(
                        "this tool takes no arguments (got `{}`)",
                        crate::echo::clip(&key)
                    ))),
                }
            }
        }
        d.deserialize_map(Empty)
    }
}

/// Rows returned when `max_points` is not given.
pub const DEFAULT_MAX_POINTS: i64 = 500;

/// `max_points` checked against the configured limit.
pub fn max_points(given: Option<i64>, limit: usize) -> Result<usize, ToolError> {
    let max_points = given.unwrap_or(DEFAULT_MAX_POINTS);
    if max_points < 1 || max_points as u64 > limit as u64 {
        return Err(ToolError(format!(
            "max_points {max_points} is out of range; use 1 to {limit} (narrow the dates to see more history in pieces)"
        )));
    }
    Ok(max_points as usize)
}

/// A `limit` argument: `default` when not given, else 1 to `max`.
pub fn limit(given: Option<usize>, default: usize, max: usize) -> Result<usize, ToolError> {
    match given {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ToolError(format!(
            "limit {n} is out of range; use 1 to {max} (default {default})"
        ))),
    }
}

/// The fields every bar-reading tool takes, checked into a [`BarQuery`].
pub fn bar_query(
    symbol: &str,
    exchange: Option<&Choice<Exchange>>,
    interval: Option<&Choice<Interval>>,
    start_date: Option<&str>,
    end_date: Option<&str>,
) -> Result<BarQuery, ToolError> {
    let exchange = exchange.map(Choice::get).transpose()?;
    let symbol = symbol::resolve_on(symbol, exchange)?;
    let interval = interval
        .map(Choice::get)
        .transpose()?
        .unwrap_or(Interval::D1);
    Ok(BarQuery {
        symbol,
        interval,
        start: bound("start_date", start_date)?,
        end: bound("end_date", end_date)?,
        adjust: Adjust::default(),
        max_age_secs: None,
    })
}

impl Choices for Adjust {
    const WHAT: &'static str = "adjust";

    fn parse_choice(s: &str) -> Option<Self> {
        Adjust::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
    }

    fn choices() -> Vec<String> {
        Adjust::ALL.iter().map(|a| a.as_str().to_string()).collect()
    }
}

/// The `adjust` argument: Yahoo's basis (splits) when not given.
pub fn adjust(given: Option<&Choice<Adjust>>) -> Result<Adjust, ToolError> {
    Ok(given.map(Choice::get).transpose()?.unwrap_or_default())
}

fn bound(field: &str, value: Option<&str>) -> Result<Option<Bound>, ToolError> {
    Ok(value
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_bound(field, s))
        .transpose()?)
}

impl<T: fmt::Display> fmt::Display for Choice<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Ok(v) => v.fmt(f),
            Err(raw) => raw.fmt(f),
        }
    }
}

impl Choices for crate::calendar::Exchange {
    const WHAT: &'static str = "exchange";

    /// NSE, BSE or US; NYSE and NASDAQ name the US calendar too.
    fn parse_choice(s: &str) -> Option<Self> {
        use crate::calendar::Exchange as Cal;
        match s.trim().to_ascii_uppercase().as_str() {
            "NSE" => Some(Cal::Nse),
            "BSE" => Some(Cal::Bse),
            "US" | "NYSE" | "NASDAQ" => Some(Cal::Us),
            _ => None,
        }
    }

    fn choices() -> Vec<String> {
        crate::calendar::Exchange::ALL
            .iter()
            .map(|e| e.as_str().to_string())
            .collect()
    }
}
