//! Comparing a fresh output with the stored one.
//!
//! Durations (`3.2s`, `15 ms`, `120µs`) always compare equal: timings are
//! shown in the book but never checked. A `timing` snippet masks every number;
//! a `tolerance` lets numbers differ by that much, relatively (or absolutely
//! for numbers below 1). Everything else must match exactly.

use crate::build::output::{ArrayFile, FigureFile, Output};
use crate::markdown::attrs::Rules;
use similar::TextDiff;

/// `None` when `actual` matches `expected`; otherwise a readable explanation.
pub fn compare(expected: &Output, actual: &Output, rules: Rules) -> Option<String> {
    let mut problems = Vec::new();
    if !text_matches(&expected.text, &actual.text, rules) {
        problems.push(format!(
            "output differs (- stored, + now):\n{}",
            TextDiff::from_lines(&expected.text, &actual.text)
                .unified_diff()
                .context_radius(3)
        ));
    }
    let (ev, av) = (expected.values_text(), actual.values_text());
    if !text_matches(&ev, &av, rules) {
        problems.push(format!(
            "published values differ (- stored, + now):\n{}",
            TextDiff::from_lines(&ev, &av)
                .unified_diff()
                .context_radius(3)
        ));
    }
    if expected.figures.len() != actual.figures.len() {
        problems.push(format!(
            "stored {} figure(s), now {}",
            expected.figures.len(),
            actual.figures.len()
        ));
    }
    for (n, (e, a)) in expected.figures.iter().zip(&actual.figures).enumerate() {
        if let Some(why) = figure_differs(e, a, rules) {
            problems.push(format!("figure {} differs: {why}", n + 1));
        }
    }
    let names = |o: &Output| {
        o.arrays
            .iter()
            .map(|a| format!("{}.{}", a.name, a.ext))
            .collect::<Vec<_>>()
    };
    if names(expected) != names(actual) {
        problems.push(format!(
            "stored arrays {:?}, now {:?}",
            names(expected),
            names(actual)
        ));
    }
    for (e, a) in expected.arrays.iter().zip(&actual.arrays) {
        match array_deviation(e, a) {
            None => problems.push(format!("array {} differs in length or format", e.name)),
            Some(d) if d > rules.tolerance.unwrap_or(0.0) => problems.push(format!(
                "array {} differs: numbers deviate by up to {d:.3e}{}",
                e.name,
                rules
                    .tolerance
                    .map_or(String::new(), |t| format!(", over the tolerance {t}"))
            )),
            Some(_) => {}
        }
    }
    (!problems.is_empty()).then(|| problems.join("\n"))
}

/// How far two arrays' numbers are apart at most, in `tolerance`'s unit;
/// `None` when their formats or lengths differ.
fn array_deviation(e: &ArrayFile, a: &ArrayFile) -> Option<f64> {
    let (x, y) = (e.numbers()?, a.numbers()?);
    if e.ext != a.ext || x.len() != y.len() {
        return None;
    }
    Some(x.iter().zip(&y).fold(0.0_f64, |worst, (&x, &y)| {
        let d = if x == y {
            0.0
        } else {
            relative_deviation(x, y)
        };
        worst.max(if d.is_nan() { f64::INFINITY } else { d })
    }))
}

fn figure_differs(e: &FigureFile, a: &FigureFile, rules: Rules) -> Option<String> {
    if e.ext != a.ext {
        return Some(format!("was {}, now {}", e.ext, a.ext));
    }
    if e.bytes == a.bytes {
        return None;
    }
    match e.ext.as_str() {
        "svg" => {
            let (es, as_) = (
                String::from_utf8_lossy(&e.bytes),
                String::from_utf8_lossy(&a.bytes),
            );
            let rules = Rules {
                timing: false,
                ..rules
            };
            let ((e_tags, e_text), (a_tags, a_text)) = (split_svg(&es), split_svg(&as_));
            if text_matches(&e_text, &a_text, rules)
                && numbers_match(&e_tags, &a_tags, |x, y| {
                    within(x, y, rules.tolerance) || within_a_pixel(x, y, rules.tolerance)
                })
            {
                return None;
            }
            let diff = TextDiff::from_lines(es.as_ref(), as_.as_ref());
            let changed = diff
                .ops()
                .iter()
                .filter(|op| op.tag() != similar::DiffTag::Equal)
                .count();
            Some(format!("{changed} SVG line group(s) changed"))
        }
        _ => Some(format!(
            "{} bytes stored, {} bytes now, contents differ",
            e.bytes.len(),
            a.bytes.len()
        )),
    }
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Text(&'a str),
    Number(&'a str),
    Duration,
}

fn text_matches(expected: &str, actual: &str, rules: Rules) -> bool {
    numbers_match(expected, actual, |x, y| {
        rules.timing || within(x, y, rules.tolerance)
    })
}

/// Equal text and durations, and numbers equal or accepted by `close`.
fn numbers_match(expected: &str, actual: &str, close: impl Fn(&str, &str) -> bool) -> bool {
    let (e, a) = (tokens(expected), tokens(actual));
    e.len() == a.len()
        && e.iter().zip(&a).all(|pair| match pair {
            (Token::Text(x), Token::Text(y)) => x == y,
            (Token::Duration, Token::Duration) => true,
            (Token::Number(x), Token::Number(y)) => x == y || close(x, y),
            _ => false,
        })
}

/// An SVG's tags (where its coordinates are) and its text content (labels),
/// each as one string.
fn split_svg(svg: &str) -> (String, String) {
    let (mut tags, mut text) = (String::new(), String::new());
    let mut in_tag = false;
    for c in svg.chars() {
        in_tag = (in_tag || c == '<') && c != '>';
        if in_tag || c == '>' {
            tags.push(c);
        } else {
            text.push(c);
        }
    }
    (tags, text)
}

/// A figure's coordinates are pixels, whole (plotters rounds) or in
/// hundredths (`Curve`), so a value within a snippet's tolerance can still
/// move a point by up to a pixel: under a tolerance, numbers in a figure's
/// tags may differ by one.
fn within_a_pixel(x: &str, y: &str, tolerance: Option<f64>) -> bool {
    let number = |s: &str| s.parse::<f64>().ok();
    tolerance.is_some()
        && number(x)
            .zip(number(y))
            .is_some_and(|(x, y)| (x - y).abs() <= 1.0)
}

fn within(x: &str, y: &str, tolerance: Option<f64>) -> bool {
    tolerance.is_some_and(|tol| number_deviation(x, y).is_some_and(|d| d <= tol))
}

/// How far apart two numbers are, in the unit `tolerance` uses: relative,
/// or absolute below 1.
fn number_deviation(x: &str, y: &str) -> Option<f64> {
    Some(relative_deviation(x.parse().ok()?, y.parse().ok()?))
}

/// `|x - y|` relative to the larger magnitude, or absolute below 1.
fn relative_deviation(x: f64, y: f64) -> f64 {
    (x - y).abs() / x.abs().max(y.abs()).max(1.0)
}

/// The smallest `tolerance` under which `actual` would match `expected`
/// (0 for an exact match), or `None` when they differ in more than numbers:
/// words, number of figures, a PNG. Tells a reader of a cross-device check
/// whether a difference is rounding or a real change.
pub fn deviation(expected: &Output, actual: &Output) -> Option<f64> {
    if expected.figures.len() != actual.figures.len() {
        return None;
    }
    let mut worst = text_deviation(&expected.text, &actual.text)?.max(text_deviation(
        &expected.values_text(),
        &actual.values_text(),
    )?);
    for (e, a) in expected.figures.iter().zip(&actual.figures) {
        if e.ext != a.ext || (e.ext != "svg" && e.bytes != a.bytes) {
            return None;
        }
        let (es, as_) = (
            String::from_utf8_lossy(&e.bytes),
            String::from_utf8_lossy(&a.bytes),
        );
        worst = worst.max(text_deviation(&es, &as_)?);
    }
    if expected.arrays.len() != actual.arrays.len() {
        return None;
    }
    for (e, a) in expected.arrays.iter().zip(&actual.arrays) {
        if e.name != a.name {
            return None;
        }
        worst = worst.max(array_deviation(e, a)?);
    }
    Some(worst)
}

fn text_deviation(expected: &str, actual: &str) -> Option<f64> {
    let (e, a) = (tokens(expected), tokens(actual));
    if e.len() != a.len() {
        return None;
    }
    e.iter()
        .zip(&a)
        .try_fold(0.0_f64, |worst, pair| match pair {
            (Token::Text(x), Token::Text(y)) if x == y => Some(worst),
            (Token::Duration, Token::Duration) => Some(worst),
            (Token::Number(x), Token::Number(y)) => Some(worst.max(number_deviation(x, y)?)),
            _ => None,
        })
}

const UNITS: [&str; 7] = ["ns", "µs", "us", "ms", "s", "초", "min"];

fn tokens(text: &str) -> Vec<Token<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut text_start) = (0, 0);
    while i < b.len() {
        let starts_number =
            b[i].is_ascii_digit() || (b[i] == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        let glued = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if !starts_number || glued {
            i += 1;
            continue;
        }
        let end = number_end(b, i);
        if text_start < i {
            out.push(Token::Text(&text[text_start..i]));
        }
        match duration_end(text, end) {
            Some(after) => {
                out.push(Token::Duration);
                i = after;
            }
            None => {
                out.push(Token::Number(&text[i..end]));
                i = end;
            }
        }
        text_start = i;
    }
    if text_start < b.len() {
        out.push(Token::Text(&text[text_start..]));
    }
    out
}

fn number_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    let digits = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
    };
    digits(&mut i);
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i += 1;
        digits(&mut i);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = j;
            digits(&mut i);
        }
    }
    i
}

/// If a time unit follows the number (optionally after one space), the end of it.
fn duration_end(text: &str, end: usize) -> Option<usize> {
    let rest = &text[end..];
    let (skip, rest) = match rest.strip_prefix(' ') {
        Some(r) => (1, r),
        None => (0, rest),
    };
    UNITS.iter().find_map(|unit| {
        let after = rest.strip_prefix(unit)?;
        let boundary = after
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        boundary.then(|| end + skip + unit.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(text: &str) -> Output {
        Output::from_text(text)
    }

    fn same(e: &str, a: &str, rules: Rules) -> bool {
        compare(&out(e), &out(a), rules).is_none()
    }

    const EXACT: Rules = Rules {
        tolerance: None,
        timing: false,
    };

    #[test]
    fn exact_text() {
        assert!(same("shape: [2, 3]\n", "shape: [2, 3]\n", EXACT));
        assert!(!same("shape: [2, 3]\n", "shape: [2, 4]\n", EXACT));
        assert!(!same("a\n", "a\nb\n", EXACT));
    }

    #[test]
    fn durations_are_masked() {
        assert!(same(
            "epoch 1/5 - 3.2s - loss 0.25\n",
            "epoch 1/5 - 2.9s - loss 0.25\n",
            EXACT
        ));
        assert!(same(
            "took 15 ms, 120µs, 2초\n",
            "took 9 ms, 80µs, 3초\n",
            EXACT
        ));
        assert!(!same(
            "epoch 1/5 - 3.2s - loss 0.25\n",
            "epoch 1/5 - 2.9s - loss 0.26\n",
            EXACT
        ));
        // A number followed by a word starting with s is not a duration.
        assert!(!same("5 samples\n", "6 samples\n", EXACT));
    }

    #[test]
    fn tolerance_is_relative_above_one_absolute_below() {
        let tol = Rules {
            tolerance: Some(1e-3),
            timing: false,
        };
        assert!(same("loss 0.25000\n", "loss 0.25090\n", tol));
        assert!(!same("loss 0.250\n", "loss 0.252\n", tol));
        assert!(same("sum 1000.0\n", "sum 1000.9\n", tol));
        assert!(same("x -1.5e-3\n", "x -1.4e-3\n", tol));
        assert!(!same("acc 0.97\n", "loss 0.97\n", tol));
        assert!(!same("x 1e-3\n", "x 2e-3\n", EXACT));
    }

    #[test]
    fn timing_masks_all_numbers_but_not_words() {
        let timing = Rules {
            tolerance: None,
            timing: true,
        };
        assert!(same(
            "naive is 83.1x slower\n",
            "naive is 75.0x slower\n",
            timing
        ));
        assert!(!same(
            "naive is 83.1x slower\n",
            "naive is 75.0x faster\n",
            timing
        ));
    }

    #[test]
    fn identifiers_with_digits_are_text() {
        assert!(!same(
            "Rank2<3, 5>\n",
            "Rank3<3, 5>\n",
            Rules {
                tolerance: Some(1.0),
                timing: true
            }
        ));
    }

    #[test]
    fn deviation_is_the_tolerance_that_would_match() {
        let d = |e: &str, a: &str| deviation(&out(e), &out(a));
        assert_eq!(d("loss 0.25, took 3 s", "loss 0.25, took 9 s"), Some(0.0));
        // Absolute below 1, relative above: the unit of `tolerance`.
        let small = d("w = 0.1250", "w = 0.1251").unwrap();
        assert!((small - 1e-4).abs() < 1e-12, "{small}");
        let big = d("n = 200.0", "n = 201.0").unwrap();
        assert!((big - 1.0 / 201.0).abs() < 1e-12, "{big}");
        assert!(same(
            "n = 200.0",
            "n = 201.0",
            Rules {
                tolerance: big.into(),
                timing: false
            }
        ));
        // Words or figures that differ are not rounding.
        assert_eq!(d("acc 0.9", "loss 0.9"), None);
        assert_eq!(d("1 2", "1 2 3"), None);
        let with_png = |bytes: &[u8]| Output {
            text: String::new(),
            figures: vec![FigureFile {
                ext: "png".into(),
                bytes: bytes.to_vec(),
            }],
            values: vec![],
            arrays: vec![],
        };
        assert_eq!(deviation(&with_png(b"a"), &with_png(b"b")), None);
        assert_eq!(deviation(&with_png(b"a"), &with_png(b"a")), Some(0.0));
    }

    #[test]
    fn mismatch_shows_a_diff() {
        let why = compare(&out("a\nb\nc\n"), &out("a\nB\nc\n"), EXACT).unwrap();
        assert!(why.contains("-b\n+B"), "{why}");
    }

    #[test]
    fn arrays_compare_number_by_number_under_the_tolerance() {
        let with = |numbers: &[f32]| Output {
            arrays: vec![ArrayFile {
                name: "w".into(),
                ext: "f32".into(),
                bytes: numbers.iter().flat_map(|x| x.to_le_bytes()).collect(),
            }],
            ..Output::default()
        };
        let tolerant = Rules {
            tolerance: Some(0.01),
            timing: false,
        };
        let (e, near, far) = (with(&[0.5, 2.0]), with(&[0.5, 2.01]), with(&[0.5, 2.1]));
        assert_eq!(compare(&e, &e, EXACT), None);
        assert!(
            compare(&e, &near, EXACT)
                .unwrap()
                .contains("array w differs")
        );
        assert_eq!(compare(&e, &near, tolerant), None);
        assert!(
            compare(&e, &far, tolerant)
                .unwrap()
                .contains("over the tolerance 0.01")
        );
        assert!(
            compare(&e, &with(&[0.5]), tolerant)
                .unwrap()
                .contains("length or format")
        );
        assert!(
            compare(&e, &out(""), tolerant)
                .unwrap()
                .contains("stored arrays [\"w.f32\"], now []")
        );
        assert_eq!(
            deviation(&e, &far).map(|d| (d * 1000.0).round()),
            Some(48.0)
        );
    }

    #[test]
    fn figures_compare_by_count_and_content() {
        let fig = |b: &[u8]| FigureFile {
            ext: "png".into(),
            bytes: b.to_vec(),
        };
        let e = Output {
            text: String::new(),
            figures: vec![fig(b"a")],
            values: vec![],
            arrays: vec![],
        };
        let a = Output {
            text: String::new(),
            figures: vec![fig(b"b")],
            values: vec![],
            arrays: vec![],
        };
        assert!(compare(&e, &a, EXACT).unwrap().contains("figure 1 differs"));
        assert!(
            compare(&e, &out(""), EXACT)
                .unwrap()
                .contains("stored 1 figure(s), now 0")
        );
        let svg = |s: &str| Output {
            text: String::new(),
            figures: vec![FigureFile {
                ext: "svg".into(),
                bytes: s.as_bytes().to_vec(),
            }],
            values: vec![],
            arrays: vec![],
        };
        let tol = Rules {
            tolerance: Some(1e-3),
            timing: false,
        };
        assert!(
            compare(
                &svg("<line x1=\"10.0001\"/>"),
                &svg("<line x1=\"10.0002\"/>"),
                tol
            )
            .is_none()
        );
        assert!(compare(&svg("<line x1=\"10\"/>"), &svg("<line x1=\"12\"/>"), tol).is_some());
    }

    #[test]
    fn figure_coordinates_may_round_to_the_next_pixel_under_a_tolerance() {
        let svg = |cy: &str| Output {
            text: String::new(),
            figures: vec![FigureFile {
                ext: "svg".into(),
                bytes: format!("<circle cx=\"648\" cy=\"{cy}\" r=\"4\"/>").into_bytes(),
            }],
            values: vec![],
            arrays: vec![],
        };
        let tolerant = Rules {
            tolerance: Some(0.01),
            timing: false,
        };
        assert_eq!(compare(&svg("57"), &svg("56"), tolerant), None);
        assert!(compare(&svg("57"), &svg("55"), tolerant).is_some());
        assert!(compare(&svg("57"), &svg("56"), Rules::default()).is_some());
        assert_eq!(compare(&svg("57.5"), &svg("56.5"), tolerant), None);
        assert!(compare(&svg("57.5"), &svg("56.49"), tolerant).is_some());
        // Labels are text, not coordinates: no slack there.
        let label = |t: &str| Output {
            text: String::new(),
            figures: vec![FigureFile {
                ext: "svg".into(),
                bytes: format!("<text x=\"3\">{t}</text>").into_bytes(),
            }],
            values: vec![],
            arrays: vec![],
        };
        assert!(compare(&label("57"), &label("56"), tolerant).is_some());
        // Printed numbers get no such slack.
        let text = |t: &str| Output::from_text(t);
        assert!(compare(&text("57\n"), &text("56\n"), tolerant).is_some());
    }
}
