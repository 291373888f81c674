//! Exercises and their worked solutions. Prose marks an exercise with
//! `{{#exercise LABEL}}`, which reads "연습 2-3" (numbered in reading order
//! like figures); a snippet after it on the same page with
//! `solution=LABEL` is its solution, drawn folded under "연습 2-3 풀이". Every
//! exercise has exactly one solution and every solution its exercise: the
//! book does not build otherwise.

use crate::markdown::directive::{self, Directive};
use crate::markdown::snippet::{Diagnostic, Lines, Location};
use crate::verify::report::Report;
use std::collections::HashMap;
use std::path::Path;

/// An exercise: its number, page and place.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    /// `연습 2-3`.
    pub number: String,
    pub chapter: usize,
    /// Byte offset of its `{{#exercise}}` in the page.
    pub offset: usize,
    pub location: Location,
}

/// Every exercise of the book by label, numbered per chapter with
/// `prefixes[chapter]` (`Some("2")` gives `연습 2-k`, `None` gives `연습 k`).
/// `display` names a chapter in messages.
pub fn number(
    pages: &[(&Path, &str)],
    prefixes: &[Option<String>],
    display: impl Fn(&Path) -> std::path::PathBuf,
) -> (HashMap<String, Exercise>, Vec<Diagnostic>) {
    let mut exercises = HashMap::new();
    let mut problems = Vec::new();
    let mut counters: HashMap<Option<String>, usize> = HashMap::new();
    for (chapter, (path, content)) in pages.iter().enumerate() {
        let lines = Lines::new(content);
        for (offset, label) in marks(content, Directive::Exercise) {
            let prefix = &prefixes[chapter];
            let n = counters.entry(prefix.clone()).or_default();
            *n += 1;
            let number = match prefix {
                Some(p) => format!("연습 {p}-{n}"),
                None => format!("연습 {n}"),
            };
            let location = Location {
                file: display(path),
                line: lines.line_of(offset),
            };
            let exercise = Exercise {
                number,
                chapter,
                offset,
                location: location.clone(),
            };
            if let Some(first) = exercises.insert(label.clone(), exercise) {
                problems.push(Diagnostic {
                    location,
                    message: format!(
                        "exercise `{label}` is defined twice (first at {})",
                        first.location
                    ),
                });
            }
        }
    }
    (exercises, problems)
}

/// The directives of `kind` in a page's prose, not escaped: `(offset, label)`.
pub fn marks(content: &str, kind: Directive) -> Vec<(usize, String)> {
    (directive::in_prose(content).into_iter())
        .filter(|d| d.kind == kind && !d.escaped)
        .map(|d| (d.range.start, d.args))
        .collect()
}

/// Every solution must follow its exercise on the same page, and every
/// exercise must have exactly one solution.
pub fn check_solutions(
    exercises: &HashMap<String, Exercise>,
    report: &Report,
    pages: &[(&Path, &str)],
    display: impl Fn(&Path) -> std::path::PathBuf,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    // A fold opened early must close at its solution, after its exercise.
    for (chapter, (path, content)) in pages.iter().enumerate() {
        for (offset, label) in marks(content, Directive::Solution) {
            let solution = report.snippets.iter().find(|s| {
                s.chapter == chapter && s.snippet.attrs.solution.as_deref() == Some(label.as_str())
            });
            let fits = exercises
                .get(&label)
                .is_some_and(|e| e.chapter == chapter && e.offset < offset)
                && solution.is_some_and(|s| s.snippet.block.start > offset);
            if !fits {
                problems.push(Diagnostic {
                    location: Location {
                        file: display(path),
                        line: Lines::new(content).line_of(offset),
                    },
                    message: format!(
                        "{{{{#solution {label}}}}} must come after {{{{#exercise {label}}}}} and before \
                         the snippet with solution={label}, on the same page"
                    ),
                });
            }
        }
    }
    let mut solved: HashMap<&str, &Location> = HashMap::new();
    for s in &report.snippets {
        let Some(label) = &s.snippet.attrs.solution else {
            continue;
        };
        let at = &s.snippet.location;
        let problem = match exercises.get(label) {
            None => Some(format!(
                "solution={label} solves no exercise: write {{{{#exercise {label}}}}} in the prose before it"
            )),
            Some(e) if e.chapter != s.chapter || e.offset > s.snippet.block.start => Some(format!(
                "solution={label} must come after its exercise ({}), on the same page",
                e.location
            )),
            Some(_) => solved.insert(label, at).map(|first| {
                format!("exercise `{label}` has a second solution (first at {first})")
            }),
        };
        if let Some(message) = problem {
            problems.push(Diagnostic {
                location: at.clone(),
                message,
            });
        }
    }
    let mut unsolved: Vec<_> = (exercises.iter())
        .filter(|(label, _)| !solved.contains_key(label.as_str()))
        .map(|(label, e)| Diagnostic {
            location: e.location.clone(),
            message: format!(
                "{{{{#exercise {label}}}}} has no solution: add a snippet with solution={label} after it"
            ),
        })
        .collect();
    unsolved.sort_by(|a, b| a.location.cmp(&b.location));
    problems.extend(unsolved);
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exercises_are_numbered_per_chapter_and_found_in_prose_only() {
        let a = "# 2.1 A\n\n{{#exercise one}} 모양은?\n\n```text\n{{#exercise not}}\n```\n\n\\{{#exercise shown}} `{{#exercise code}}`\n\n{{#exercise two}}\n";
        let b = "{{#exercise three}} and {{#exercise one}}\n";
        let pages = [(Path::new("a.md"), a), (Path::new("b.md"), b)];
        let (found, problems) = number(&pages, &[Some("2".into()), None], |p| p.to_path_buf());
        let numbered = |l: &str| found[l].number.clone();
        assert_eq!(
            (numbered("two"), numbered("three"), found.len()),
            ("연습 2-2".to_string(), "연습 1".to_string(), 3)
        );
        assert_eq!(found["two"].location.to_string(), "a.md:11");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .to_string()
                .starts_with("b.md:1: exercise `one` is defined twice (first at a.md:3)"),
            "{}",
            problems[0]
        );
    }
}
