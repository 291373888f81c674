//! Checking the book on another device, e.g. a GPU, with a registry built
//! elsewhere (`--features cuda`): the machine with the GPU has neither cargo
//! nor rustc, so it cannot compute store keys or compile.
//!
//! `device-plan` (here) writes the registry crate and a [`DevicePlan`]: every
//! runnable program, and for each cell the store key the CPU build gives it
//! and its comparison rules. `device-check` (there) runs each program of the
//! plan with the prebuilt registry binary and compares every cell with the
//! committed CPU output, under the snippet's own rules.

use crate::build::outcome::{self, CellOutcome, indent};
use crate::build::output::Output;
use crate::markdown::snippet::Location;
use crate::plan::{Cell, DevicePlan, Program};
use crate::verify::compare;
use crate::verify::store::Store;
use anyhow::{Context, Result};
use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

/// How one snippet's output on the device compares with the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Byte for byte what the book shows.
    Exact,
    /// Equal but for what is never compared: durations, and every number
    /// of a `timing` snippet.
    Masked,
    /// Numbers differ by at most this much, within the snippet's tolerance.
    Within(f64),
    /// Differs beyond the rules; `deviation` is the tolerance that would
    /// have matched, when only numbers differ.
    Differs {
        deviation: Option<f64>,
        diff: String,
    },
    /// The store has no output for this snippet's key.
    NotStored,
    /// The snippet did not finish (panic, timeout, crash...).
    Failed(String),
}

impl Verdict {
    pub fn is_match(&self) -> bool {
        matches!(self, Verdict::Exact | Verdict::Masked | Verdict::Within(_))
    }

    fn label(&self) -> String {
        match self {
            Verdict::Exact => "exact".into(),
            Verdict::Masked => "match (timings differ)".into(),
            Verdict::Within(d) => format!("within tolerance (max dev. {d:.1e})"),
            Verdict::Differs {
                deviation: Some(d), ..
            } => format!("DIFFERS (numbers only, max dev. {d:.1e})"),
            Verdict::Differs { .. } => "DIFFERS".into(),
            Verdict::NotStored => "NOT STORED".into(),
            Verdict::Failed(_) => "FAILED".into(),
        }
    }
}

/// One snippet's result.
#[derive(Debug)]
pub struct Row {
    pub location: Location,
    pub verdict: Verdict,
    /// Wall time of the cell on the device (a session's first cell includes
    /// starting the process and the device).
    pub time: Duration,
}

/// Runs every program of `plan` with `registry` and compares with the store
/// under `root`. Prints a line per program to stderr as it goes, with its
/// outcome: a check killed halfway still leaves what it found.
pub fn check(plan: &DevicePlan, registry: &Path, root: &Path) -> Result<Vec<Row>> {
    let store = Store::new(root.join(&plan.store));
    // Where the programs write their figures for the runner to read back.
    let scratch = std::env::temp_dir().join(format!("nnblocks-device-{}", std::process::id()));
    let rows: Result<Vec<Vec<Row>>> = (plan.programs.iter().enumerate())
        .map(|(n, program)| {
            let first = &program.cells[0].location;
            eprint!(
                "[{}/{}] {first} ({}): ",
                n + 1,
                plan.programs.len(),
                program.id
            );
            let rows = check_program(program, registry, &store, &scratch);
            eprintln!("{}", rows.as_ref().map_or("error".into(), |r| outcome(r)));
            rows
        })
        .collect();
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(rows?.into_iter().flatten().collect())
}

fn check_program(
    program: &Program,
    registry: &Path,
    store: &Store,
    scratch: &Path,
) -> Result<Vec<Row>> {
    let figures = scratch.join("figures").join(&program.id);
    let run = outcome::run(program, registry, figures, 1 << 20)?;
    let mut rows = Vec::new();
    for ((c, cell), outcome) in program.cells.iter().enumerate().zip(run.outcomes) {
        let verdict = match outcome {
            CellOutcome::Shown(actual) => {
                verdict(cell, store.load(&cell.chapter, &cell.key)?, &actual)
            }
            CellOutcome::Failed(d) => Verdict::Failed(format!("{}: {}", d.location, d.message)),
            CellOutcome::NotReached => {
                Verdict::Failed("an earlier cell of its session failed".into())
            }
        };
        rows.push(Row {
            location: cell.location.clone(),
            verdict,
            time: run.times.get(c).copied().unwrap_or_default(),
        });
    }
    Ok(rows)
}

fn verdict(cell: &Cell, stored: Option<Output>, actual: &Output) -> Verdict {
    let Some(stored) = stored else {
        return Verdict::NotStored;
    };
    if stored == *actual {
        return Verdict::Exact;
    }
    let deviation = compare::deviation(&stored, actual);
    match compare::compare(&stored, actual, cell.rules) {
        None if cell.rules.timing || deviation == Some(0.0) => Verdict::Masked,
        None => Verdict::Within(deviation.unwrap_or(0.0)),
        Some(diff) => Verdict::Differs { deviation, diff },
    }
}

/// One program's rows in a line: how many match, the time, and the verdict
/// of each that does not.
fn outcome(rows: &[Row]) -> String {
    let matched = rows.iter().filter(|r| r.verdict.is_match()).count();
    let time: Duration = rows.iter().map(|r| r.time).sum();
    let mut line = format!(
        "{matched} of {} match, {:.2} s",
        rows.len(),
        time.as_secs_f64()
    );
    for r in rows.iter().filter(|r| !r.verdict.is_match()) {
        let _ = write!(line, "; {}: {}", r.location, r.verdict.label());
    }
    line
}

/// The rows as a markdown table, then the details of every row that does
/// not match, then a summary line.
pub fn report(rows: &[Row]) -> String {
    let mut out = String::from("| snippet | match | time |\n| --- | --- | ---: |\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {:.3} s |",
            r.location,
            r.verdict.label(),
            r.time.as_secs_f64()
        );
    }
    for r in rows.iter().filter(|r| !r.verdict.is_match()) {
        let detail = match &r.verdict {
            Verdict::Differs { diff, .. } => diff.clone(),
            Verdict::Failed(why) => why.clone(),
            _ => "no stored output for this snippet's key: is the plan from this commit?".into(),
        };
        let _ = write!(
            out,
            "\n{}: {}\n{}",
            r.location,
            r.verdict.label(),
            indent(&detail)
        );
    }
    let matched = rows.iter().filter(|r| r.verdict.is_match()).count();
    let count = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
    let (exact, masked) = (count(Verdict::Exact), count(Verdict::Masked));
    let total: Duration = rows.iter().map(|r| r.time).sum();
    let _ = writeln!(
        out,
        "\n{matched} of {} snippets match ({exact} exactly, {masked} but for timings, \
         {} within tolerance); {:.1} s in all",
        rows.len(),
        matched - exact - masked,
        total.as_secs_f64()
    );
    out
}

/// Reads a plan written by `device-plan`.
pub fn read_plan(path: &Path) -> Result<DevicePlan> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the device plan {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("parsing the device plan {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: usize, verdict: Verdict, ms: u64) -> Row {
        Row {
            location: Location {
                file: "ch.md".into(),
                line,
            },
            verdict,
            time: Duration::from_millis(ms),
        }
    }

    #[test]
    fn a_programs_outcome_names_what_does_not_match() {
        let rows = [
            row(3, Verdict::Exact, 1200),
            row(9, Verdict::Masked, 50),
            row(14, Verdict::NotStored, 0),
            row(20, Verdict::Failed("panicked".into()), 5),
        ];
        assert_eq!(
            outcome(&rows),
            "2 of 4 match, 1.25 s; ch.md:14: NOT STORED; ch.md:20: FAILED"
        );
        assert_eq!(outcome(&rows[..1]), "1 of 1 match, 1.20 s");
    }
}
