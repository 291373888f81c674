//! Values from runs in the prose: a snippet publishes a number with
//! `nnblocks_figures::value("test_acc", acc)`; the prose of the same page
//! states it with `{{#value test_acc %.1}}`, formatted as a textbook writes
//! numbers. The value is stored and checked with the snippet's output, so
//! the sentence follows the run.

use crate::markdown::snippet::{Diagnostic, Location};
use crate::verify::report::Report;
use std::collections::HashMap;

/// A value as one page sees it: the number, and where it is published.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub number: String,
    /// Byte offset of the publishing snippet in the chapter.
    pub offset: usize,
    pub location: Location,
}

/// The values published on one page, by name.
pub type PageValues = HashMap<String, Published>;

/// The values the snippets of chapter `chapter` published, and an error
/// for each name published twice.
pub fn page_values(report: &Report, chapter: usize) -> (PageValues, Vec<Diagnostic>) {
    let mut values = PageValues::new();
    let mut problems = Vec::new();
    let shown = report.snippets.iter().zip(&report.outputs);
    for (s, output) in shown.filter(|(s, _)| s.chapter == chapter) {
        let Some((out, _)) = output else { continue };
        for v in &out.values {
            let published = Published {
                number: v.number.clone(),
                offset: s.snippet.block.start,
                location: s.snippet.location.clone(),
            };
            if let Some(first) = values.insert(v.name.clone(), published) {
                problems.push(Diagnostic {
                    location: s.snippet.location.clone(),
                    message: format!(
                        "value `{}` is published twice on this page (first at {}): give each its own name",
                        v.name, first.location
                    ),
                });
            }
        }
    }
    (values, problems)
}

/// The text for `{{#value ARGS}}` at byte `offset` of the page: `ARGS` is
/// a name and an optional format (see [`format`]).
pub fn render(values: &PageValues, args: &str, offset: usize) -> Result<String, String> {
    let mut words = args.split_whitespace();
    let name = words.next().unwrap_or_default();
    let spec = words.next().unwrap_or_default();
    if let Some(extra) = words.next() {
        return Err(format!(
            "has an extra word `{extra}`: write {{{{#value NAME FORMAT}}}}"
        ));
    }
    let Some(v) = values.get(name) else {
        return Err(format!(
            "refers to no value published on this page: publish it in a snippet above \
             with nnblocks_figures::value(\"{name}\", ...)"
        ));
    };
    if v.offset > offset {
        return Err(format!(
            "comes before the snippet that publishes it ({}): state a value after it is measured",
            v.location
        ));
    }
    format(&v.number, spec)
}

/// A number as a textbook writes it. `spec`:
///
/// | spec | 0.98012 | 407050 | 1.3812 |
/// |---|---|---|---|
/// | (none) | `0.98012` | `407050` | `1.3812` |
/// | `.2` | `0.98` | `407050.00` | `1.38` |
/// | `%.1` (`%` for none) | `98.0%` | | |
/// | `,` | | `407,050` | |
/// | `x.1` | | | `1.4배` |
pub fn format(number: &str, spec: &str) -> Result<String, String> {
    let x: f64 = number
        .parse()
        .map_err(|_| format!("has a stored value `{number}` that is not a number"))?;
    let decimals = |digits: &str| -> Result<usize, String> {
        match digits {
            "" => Ok(0),
            _ => digits
                .strip_prefix('.')
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| format!("has a bad format `{spec}` ({FORMATS})")),
        }
    };
    Ok(match spec {
        "" => number.to_string(),
        "," => thousands(x.round()),
        s if s.starts_with('.') => format!("{x:.*}", decimals(s)?),
        s if s.starts_with('%') => format!("{:.*}%", decimals(&s[1..])?, x * 100.0),
        s if s.starts_with('x') => format!("{x:.*}배", decimals(&s[1..])?),
        _ => return Err(format!("has an unknown format `{spec}` ({FORMATS})")),
    })
}

const FORMATS: &str = "formats: .N decimals, %.N percent, `,` thousands, x.N ratio in 배";

/// `407050` -> `407,050`.
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_a_textbook() {
        assert_eq!(format("0.9800000190734863", ".4").unwrap(), "0.9800");
        assert_eq!(format("0.9800000190734863", "%.1").unwrap(), "98.0%");
        assert_eq!(format("0.9884", "%").unwrap(), "99%");
        assert_eq!(format("407050", ",").unwrap(), "407,050");
        assert_eq!(format("1234567.4", ",").unwrap(), "1,234,567");
        assert_eq!(format("-1500", ",").unwrap(), "-1,500");
        assert_eq!(format("999", ",").unwrap(), "999");
        assert_eq!(format("1.3812", "x.1").unwrap(), "1.4배");
        assert_eq!(format("0.25", "").unwrap(), "0.25");
        assert!(format("0.25", "%1").unwrap_err().contains("bad format"));
        assert!(format("0.25", "e3").unwrap_err().contains("unknown format"));
    }

    fn values() -> PageValues {
        PageValues::from([(
            "acc".to_string(),
            Published {
                number: "0.98".into(),
                offset: 100,
                location: Location {
                    file: "book/a.md".into(),
                    line: 7,
                },
            },
        )])
    }

    #[test]
    fn a_value_is_stated_after_its_snippet_only() {
        assert_eq!(render(&values(), "acc %.1", 150).unwrap(), "98.0%");
        let early = render(&values(), "acc", 50).unwrap_err();
        assert!(
            early.contains("comes before the snippet that publishes it (book/a.md:7)"),
            "{early}"
        );
        let unknown = render(&values(), "loss .2", 150).unwrap_err();
        assert!(
            unknown.contains("no value published on this page"),
            "{unknown}"
        );
        assert!(render(&values(), "acc .2 more", 150).is_err());
    }
}
