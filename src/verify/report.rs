//! The outcome for the whole book, as every mode returns it and the page
//! passes read it.

use crate::build::output::Output;
use crate::markdown::snippet::{Diagnostic, Location};
use crate::plan::BookSnippet;
use crate::verify::settle::{Mode, Origin};
use std::path::PathBuf;

/// The outcome for the whole book.
#[derive(Debug, Default)]
pub struct Report {
    pub snippets: Vec<BookSnippet>,
    /// Per snippet, in the same order; None where there is nothing to show.
    pub outputs: Vec<Option<(Output, Origin)>>,
    /// Snippets that did not compile, panicked, timed out, ...; bad attributes;
    /// crates that did not compile.
    pub failures: Vec<Diagnostic>,
    /// Verify: outputs differing from the store.
    pub mismatches: Vec<Diagnostic>,
    /// Verify: snippets with no stored output yet.
    pub missing: Vec<Location>,
    /// Verify and bless: store files no snippet produces.
    pub orphans: Vec<PathBuf>,
    /// Bless: the orphans it removed (none when a snippet failed).
    pub removed: Vec<PathBuf>,
    /// Programs (snippets or sessions) run, and compile_fail snippets compiled.
    pub programs_run: usize,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.failures.is_empty()
            && self.mismatches.is_empty()
            && self.missing.is_empty()
            && self.orphans.is_empty()
    }

    /// Every problem, one paragraph each, for a terminal.
    pub fn problems(&self, mode: Mode) -> String {
        let mut out = String::new();
        for d in self.failures.iter().chain(&self.mismatches) {
            out.push_str(&format!("{d}\n\n"));
        }
        for l in &self.missing {
            out.push_str(&format!(
                "{l}: output not in the store yet: review it, then run `cargo run -- bless` \
                 (or `NNBLOCKS_BLESS=1 cargo test`)\n"
            ));
        }
        if mode == Mode::Verify {
            for o in &self.orphans {
                out.push_str(&format!(
                    "{}: stored output that no snippet produces any more (`cargo run -- bless` removes it)\n",
                    o.display()
                ));
            }
        }
        out
    }
}
