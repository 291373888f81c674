//! From one run of a program to the outcome of each of its cells: what it
//! printed and drew, or why it failed, at the book's `file:line`. Decided
//! here once, for the book's modes and for the device check alike.

use crate::build::output::Output;
use crate::build::registry::rewrite_locations;
use crate::build::runner::{self, Ending, RunReport, RunRequest};
use crate::markdown::attrs::Kind;
use crate::markdown::snippet::Diagnostic;
use crate::plan::Program;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What became of one cell.
#[derive(Debug, Clone, PartialEq)]
pub enum CellOutcome {
    /// It ran as its kind demands: here is what it showed.
    Shown(Output),
    /// It failed: panicked, timed out, did not panic though it should...
    Failed(Diagnostic),
    /// An earlier cell of its session failed.
    NotReached,
}

/// A program's cells' outcomes, and each cell's wall time.
#[derive(Debug)]
pub struct ProgramRun {
    pub outcomes: Vec<CellOutcome>,
    pub times: Vec<Duration>,
}

/// Runs `program` of the registry binary `exe` in a child process, its
/// figures written under `figure_dir` (emptied first).
pub fn run(
    program: &Program,
    exe: &Path,
    figure_dir: PathBuf,
    output_limit: usize,
) -> Result<ProgramRun> {
    if program.kind == Kind::NoRun {
        return Ok(ProgramRun {
            outcomes: vec![CellOutcome::Shown(Output::default())],
            times: vec![Duration::ZERO],
        });
    }
    let run = runner::run(&RunRequest {
        executable: exe,
        program: &program.id,
        figure_dir,
        timeouts: (program.cells.iter())
            .map(|c| Duration::from_secs(c.timeout_s))
            .collect(),
        output_limit,
    })?;
    Ok(ProgramRun {
        times: run.cell_times.clone(),
        outcomes: interpret(program, run),
    })
}

/// Each cell's outcome from how the process ended: the one place where a
/// `should_panic` snippet's panic becomes its output.
pub fn interpret(program: &Program, run: RunReport) -> Vec<CellOutcome> {
    let should_panic = program.kind == Kind::ShouldPanic;
    let mut outputs = run.cells;
    let (finished, failure) = match (&run.ending, should_panic) {
        (Ending::Success, false) => (outputs.len(), None),
        (Ending::Success, true) => (
            0,
            Some("should_panic snippet finished without panicking".to_string()),
        ),
        (Ending::Panicked, true) => {
            outputs.truncate(1);
            outputs.resize_with(1, Output::default);
            outputs[0]
                .text
                .push_str(&panic_message(&run.stderr, program));
            (1, None)
        }
        (ending, _) => {
            let last = outputs.len().saturating_sub(1);
            let stderr = rewrite_locations(&run.stderr, &program.file(), |l| {
                program.book_line(l).to_string()
            });
            (
                last,
                Some(format!("{}\n{}", describe(ending), indent(&stderr))),
            )
        }
    };
    let panic_at = panic_line(&run.stderr, program);
    let mut outcomes = Vec::new();
    for (c, cell) in program.cells.iter().enumerate() {
        let outcome = if c < finished {
            let out = std::mem::take(&mut outputs[c]);
            if out.figures.len() == cell.figures {
                CellOutcome::Shown(out)
            } else {
                CellOutcome::Failed(Diagnostic {
                    location: cell.location.clone(),
                    message: format!(
                        "the snippet showed {} figure(s) but its info string declares {} \
                         (figure=LABEL caption=\"...\" for each)",
                        out.figures.len(),
                        cell.figures
                    ),
                })
            }
        } else if c == finished
            && let Some(message) = &failure
        {
            // A panic inside the program's code is reported at its own line.
            let location = panic_at.clone().unwrap_or_else(|| cell.location.clone());
            CellOutcome::Failed(Diagnostic {
                location,
                message: message.clone(),
            })
        } else {
            CellOutcome::NotReached
        };
        outcomes.push(outcome);
    }
    outcomes
}

/// The book's `file:line` of the first place in the program that stderr names.
fn panic_line(stderr: &str, program: &Program) -> Option<crate::markdown::snippet::Location> {
    let file = program.file();
    let at = stderr.find(&format!("{file}:"))?;
    let digits: String = stderr[at + file.len() + 1..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(program.book_line(digits.parse().ok()?))
}

pub fn describe(ending: &Ending) -> String {
    match ending {
        Ending::Success => "finished".into(),
        Ending::Panicked => "snippet panicked:".into(),
        Ending::Failed(why) => format!("snippet failed: {why}; stderr:"),
        Ending::TimedOut { after, .. } => format!(
            "snippet timed out after {} s (raise it with timeout=SECONDS); stderr:",
            after.as_secs_f64()
        ),
        Ending::TooMuchOutput { limit } => format!(
            "snippet printed more than {} KiB and was stopped; stderr:",
            limit / 1024
        ),
    }
}

pub fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// The panic as a reader running the snippet as `src/main.rs` would see it
/// (wrapped in `fn main() {` unless it has its own), without thread ids or
/// the backtrace hint.
fn panic_message(stderr: &str, program: &Program) -> String {
    let first_line = program.cells[0].lines.first_line;
    let wrapper_lines = if program.own_main { 0 } else { 1 };
    let text = rewrite_locations(stderr, &program.file(), |l| {
        format!(
            "src/main.rs:{}",
            (l + 1 + wrapper_lines).saturating_sub(first_line)
        )
    });
    text.lines()
        .filter(|l| !l.starts_with("note: run with `RUST_BACKTRACE=1`"))
        .map(|l| strip_thread_id(l) + "\n")
        .collect()
}

/// `thread 'main' (12345) panicked at` -> `thread 'main' panicked at`.
fn strip_thread_id(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("thread '")
        && let Some(q) = rest.find("' (")
        && let Some(close) = rest[q + 3..].find(')')
        && rest[q + 3..q + 3 + close]
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return format!("thread '{}'{}", &rest[..q], &rest[q + 3 + close + 1..]);
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::attrs::Rules;
    use crate::markdown::snippet::Location;
    use crate::plan::Cell;
    use crate::plan::codegen::CellLines;

    fn cell(line: usize, first_line: usize, len: usize, figures: usize) -> Cell {
        Cell {
            snippet: 0,
            location: Location {
                file: "book/ch.md".into(),
                line,
            },
            code_line: line + 1,
            lines: CellLines { first_line, len },
            chapter: "ch.md".into(),
            key: "k".into(),
            rules: Rules::default(),
            timeout_s: 60,
            figures,
        }
    }

    fn program(kind: Kind, own_main: bool, cells: Vec<Cell>) -> Program {
        Program {
            id: "p_1".into(),
            kind,
            own_main,
            cells,
            code: String::new(),
        }
    }

    fn report(cells: &[&str], ending: Ending, stderr: &str) -> RunReport {
        RunReport {
            cells: cells.iter().map(|t| Output::from_text(t)).collect(),
            ending,
            stderr: stderr.into(),
            elapsed: Duration::ZERO,
            cell_times: vec![],
        }
    }

    const PANIC: &str = "thread 'main' (77) panicked at src/p_1.rs:8:5:\nboom\n\
                         note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";

    #[test]
    fn should_panic_lines_count_the_wrapper_only_when_there_is_one() {
        // The snippet's code starts at line 6 of the module; line 8 is its third line.
        let wrapped = program(Kind::ShouldPanic, false, vec![cell(1, 6, 4, 0)]);
        let own = program(Kind::ShouldPanic, true, vec![cell(1, 6, 4, 0)]);
        let text = |p: &Program| match &interpret(p, report(&["a\n"], Ending::Panicked, PANIC))[0] {
            CellOutcome::Shown(o) => o.text.clone(),
            other => panic!("{other:?}"),
        };
        // `fn main() {` comes first in a reader's src/main.rs.
        assert_eq!(
            text(&wrapped),
            "a\nthread 'main' panicked at src/main.rs:4:5:\nboom\n"
        );
        assert_eq!(
            text(&own),
            "a\nthread 'main' panicked at src/main.rs:3:5:\nboom\n"
        );
    }

    #[test]
    fn should_panic_that_finishes_fails() {
        let p = program(Kind::ShouldPanic, false, vec![cell(1, 6, 4, 0)]);
        let out = interpret(&p, report(&["a\n"], Ending::Success, ""));
        assert!(
            matches!(&out[0], CellOutcome::Failed(d) if d.message.contains("without panicking"))
        );
    }

    #[test]
    fn a_panic_fails_its_cell_at_its_line_and_skips_the_rest() {
        let p = program(
            Kind::Run,
            false,
            vec![cell(1, 3, 2, 0), cell(10, 6, 4, 0), cell(20, 11, 1, 0)],
        );
        let out = interpret(&p, report(&["a\n", "b\n"], Ending::Panicked, PANIC));
        assert_eq!(out[0], CellOutcome::Shown(Output::from_text("a\n")));
        let CellOutcome::Failed(d) = &out[1] else {
            panic!("{:?}", out[1])
        };
        assert_eq!(d.location.to_string(), "book/ch.md:13");
        assert!(d.message.contains("panicked at book/ch.md:13:5"), "{d}");
        assert_eq!(out[2], CellOutcome::NotReached);
    }

    #[test]
    fn figures_must_be_the_declared_ones() {
        let p = program(Kind::Run, false, vec![cell(1, 3, 2, 1)]);
        let out = interpret(&p, report(&["a\n"], Ending::Success, ""));
        assert!(
            matches!(&out[0], CellOutcome::Failed(d) if d.message.contains("showed 0 figure(s)"))
        );
    }

    #[test]
    fn thread_ids_are_removed() {
        assert_eq!(
            strip_thread_id("thread 'main' (4242) panicked at src/main.rs:3:1:"),
            "thread 'main' panicked at src/main.rs:3:1:"
        );
        assert_eq!(
            strip_thread_id("thread 'main' panicked at x"),
            "thread 'main' panicked at x"
        );
    }
}
