//! Echoing user input back in error messages, bounded. Pure code.
//!
//! An error should show what was wrong ("unknown interval \"2h\"") without
//! handing a megabyte of hostile input back to the caller's context.

use std::borrow::Cow;

/// Longest input echoed whole, in characters.
pub const ECHO_MAX_CHARS: usize = 64;

/// `input` as it is if short, else its first characters and its length.
pub fn clip(input: &str) -> Cow<'_, str> {
    let count = input.chars().count();
    if count <= ECHO_MAX_CHARS {
        return Cow::Borrowed(input);
    }
    let head: String = input.chars().take(ECHO_MAX_CHARS - 16).collect();
    Cow::Owned(format!("{head}… ({count} characters in all)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_input_is_echoed_whole() {
        assert_eq!(clip("2h"), "2h");
        assert_eq!(clip(&"A".repeat(64)), "A".repeat(64));
    }

    #[test]
    fn long_input_is_cut_on_a_character_boundary() {
        let input = "र".repeat(1 << 20);
        let out = clip(&input);
        assert_eq!(
            out,
            format!("{}… (1048576 characters in all)", "र".repeat(48))
        );
    }
}
