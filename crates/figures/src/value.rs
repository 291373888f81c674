//! [`value`]: a number a snippet publishes for the prose around it.

use std::io::Write;

use crate::figure::{FIGURE_DIR_VAR, MARKER_DELIMITER};

/// Publishes `number` under `name`, so the book's prose can state it with
/// `{{#value NAME}}` and stay true when a re-run changes it: "테스트 정확도는
/// {{#value test_acc %.1}}입니다" reads the accuracy this snippet measured.
///
/// In the book (when the engine sets `NNBLOCKS_FIGURE_DIR`), it prints the
/// marker `"\u{1e}value:NAME=NUMBER\u{1e}"` to standard output, through the
/// handle `println!` uses; the engine stores the value with the snippet's
/// output and checks it under the snippet's rules, like its printed numbers.
/// Run anywhere else, it prints nothing.
///
/// A name is lowercase ASCII letters, digits and `_`, starting with a letter.
///
/// # Panics
///
/// On a name of another form, or a number that is not finite: the book's
/// build reports the panic at the snippet's line.
pub fn value(name: &str, number: impl Into<f64>) {
    let number = number.into();
    assert!(
        valid_name(name),
        "value name `{name}`: use lowercase letters, digits and `_`, starting with a letter"
    );
    assert!(number.is_finite(), "value `{name}` is {number}");
    if std::env::var_os(FIGURE_DIR_VAR).is_some_and(|d| !d.is_empty()) {
        let mut out = std::io::stdout().lock();
        let _ = write!(out, "{}", marker(name, number));
        let _ = out.flush();
    }
}

fn marker(name: &str, number: f64) -> String {
    // `{}` prints the shortest text that reads back as the same f64.
    format!("{MARKER_DELIMITER}value:{name}={number}{MARKER_DELIMITER}")
}

fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_carry_the_shortest_exact_number() {
        assert_eq!(marker("test_acc", 0.98), "\u{1e}value:test_acc=0.98\u{1e}");
        assert_eq!(
            marker("acc", f64::from(0.98_f32)),
            "\u{1e}value:acc=0.9800000190734863\u{1e}"
        );
        assert_eq!(marker("n", 407050.0), "\u{1e}value:n=407050\u{1e}");
    }

    #[test]
    fn names_are_identifiers() {
        assert!(valid_name("test_acc2"));
        assert!(!valid_name("Test"));
        assert!(!valid_name("2x"));
        assert!(!valid_name("a-b"));
        assert!(!valid_name(""));
    }
}
