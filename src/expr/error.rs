//! Why an expression could not be compiled or evaluated. The messages are
//! shown to users (LLM agents), so each names the position and what to do.

use crate::indicators::IndicatorError;

/// What went wrong, for callers that react differently (a tool maps
/// [`ErrorKind::Data`] to "could not be evaluated", the rest to "bad argument").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Malformed text: an unexpected character or token, a missing ')'.
    Syntax,
    /// A function, column, keyword parameter or output that does not exist.
    UnknownName,
    /// A function called with the wrong number or order of arguments.
    Arity,
    /// A parameter value the registry (or a built-in) rejects.
    Param,
    /// A number where a condition is needed, or the reverse.
    Type,
    /// Over a limit: length, nesting depth, indicator calls.
    Limit,
    /// The expression is fine but these bars cannot answer it (too few bars).
    Data,
}

/// A compile or evaluation error. `position` is the 1-based character
/// column in the expression text, when the error has one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    pub kind: ErrorKind,
    pub position: Option<usize>,
    pub message: String,
}

impl ExprError {
    /// An error at a position: the message reads "`what` at `pos`".
    pub(super) fn at(kind: ErrorKind, pos: usize, what: impl std::fmt::Display) -> ExprError {
        ExprError {
            kind,
            position: Some(pos),
            message: format!("{what} at {pos}"),
        }
    }

    /// An error at a position whose message places "at `pos`" itself.
    pub(super) fn placed(kind: ErrorKind, pos: usize, message: String) -> ExprError {
        ExprError {
            kind,
            position: Some(pos),
            message,
        }
    }

    /// An error about the whole expression or about the data.
    pub(super) fn general(kind: ErrorKind, message: impl Into<String>) -> ExprError {
        ExprError {
            kind,
            position: None,
            message: message.into(),
        }
    }

    /// Appends "; `hint`" (what to write instead).
    pub(super) fn hint(mut self, hint: impl std::fmt::Display) -> ExprError {
        self.message.push_str("; ");
        self.message.push_str(&hint.to_string());
        self
    }

    /// A registry rejection of a parameter, at the argument's position:
    /// "rsi at 5: parameter 'timeperiod' = 1 is invalid: must be in 2..=100000".
    pub(super) fn param(pos: usize, call: &str, err: &IndicatorError) -> ExprError {
        ExprError::placed(ErrorKind::Param, pos, format!("{call} at {pos}: {err}"))
    }
}
