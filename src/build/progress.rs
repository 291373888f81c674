//! Which snippet program runs now, and how many are left: a bar that
//! redraws itself on a terminal, one line per program otherwise (a log, CI).

use std::io::{IsTerminal, Write};

/// The progress of one batch of program runs.
pub struct Progress {
    total: usize,
    started: usize,
    bar: bool,
    quiet: bool,
}

/// Width of the bar, in characters.
const WIDTH: usize = 24;

impl Progress {
    /// Progress over `total` runs; `quiet` prints nothing.
    pub fn new(total: usize, quiet: bool) -> Self {
        Progress {
            total,
            started: 0,
            bar: std::io::stderr().is_terminal(),
            quiet,
        }
    }

    /// Says that the next run, of `what`, starts.
    pub fn start(&mut self, what: &str) {
        self.started += 1;
        if self.quiet {
            return;
        }
        let line = self.line(what);
        let mut err = std::io::stderr().lock();
        let _ = if self.bar {
            write!(err, "\r\x1b[2K{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
    }

    /// Ends the bar's line.
    pub fn finish(&self) {
        if self.bar && !self.quiet && self.started > 0 {
            eprintln!();
        }
    }

    fn line(&self, what: &str) -> String {
        let prefix = format!("nnblocks: running {}/{}", self.started, self.total);
        if !self.bar {
            return format!("{prefix} {what}");
        }
        let filled = (WIDTH * self.started.saturating_sub(1)) / self.total.max(1);
        format!(
            "[{}{}] {prefix} {what}",
            "=".repeat(filled),
            " ".repeat(WIDTH - filled)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_up_and_the_bar_fills() {
        let mut p = Progress {
            total: 4,
            started: 0,
            bar: false,
            quiet: true,
        };
        p.start("a.md:3");
        assert_eq!(p.line("a.md:3"), "nnblocks: running 1/4 a.md:3");
        p.bar = true;
        p.start("a.md:9");
        p.start("b.md:1");
        assert!(
            p.line("b.md:1")
                .starts_with("[============            ] nnblocks: running 3/4")
        );
    }
}
