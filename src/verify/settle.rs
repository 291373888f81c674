//! Settling: what a mode does with the outputs it has, decided without
//! touching the disk. A build caches fresh outputs; a check compares them
//! with the store; a bless writes those that changed. The engine reads the
//! store before and carries the decisions out after.

use crate::build::output::Output;
use crate::markdown::snippet::{Diagnostic, Location};
use crate::plan::Plan;
use crate::verify::compare;
use crate::verify::store::Store;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What to do with the outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Use the store and the cache; run only what neither has; cache it.
    Build,
    /// Run everything and compare with the store.
    Verify,
    /// Run everything and write the store; remove entries nothing uses.
    Bless,
}

/// Where an output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Store,
    Cache,
    Fresh,
}

/// What the mode asks for, by snippet index and store file.
#[derive(Debug, Default, PartialEq)]
pub struct Settlement {
    /// Build: fresh outputs to cache.
    pub cache: Vec<usize>,
    /// Bless: outputs to write to the store (new, or no longer matching).
    pub store: Vec<usize>,
    /// Verify: outputs that differ from the store.
    pub mismatches: Vec<Diagnostic>,
    /// Verify: snippets whose output is not stored yet.
    pub missing: Vec<Location>,
    /// Verify and bless: store files that no snippet of the plan produces.
    pub orphans: Vec<PathBuf>,
}

/// What the store holds for the plan, read before settling.
pub struct Stored<'a> {
    pub store: &'a Store,
    /// Per snippet: its stored output, where it has a fresh one to compare.
    pub outputs: Vec<Option<Output>>,
    /// Every file of the store.
    pub files: Vec<PathBuf>,
}

/// Decides what `mode` does. `outputs` holds each snippet's output and
/// where it came from; `scope` limits the search for orphans to these
/// chapters' folders (a check of some chapters only).
pub fn settle(
    mode: Mode,
    plan: &Plan,
    outputs: &[Option<(Output, Origin)>],
    stored: &Stored,
    scope: Option<&[PathBuf]>,
) -> Settlement {
    let mut done = Settlement::default();
    let mut used: BTreeSet<PathBuf> = BTreeSet::new();
    for (i, s) in plan.snippets.iter().enumerate() {
        let Some(key) = &s.key else { continue };
        let chapter = plan.chapter_of(i);
        used.insert(stored.store.chapter_dir(chapter).join(key));
        let Some((out, Origin::Fresh)) = &outputs[i] else {
            continue;
        };
        let differs = |st: &Output| compare::compare(st, out, s.rules());
        match (mode, &stored.outputs[i]) {
            (Mode::Build, _) => done.cache.push(i),
            // What still matches is left alone: re-blessing does not churn
            // timings or last digits.
            (Mode::Bless, Some(st)) if differs(st).is_none() => {}
            (Mode::Bless, _) => done.store.push(i),
            (Mode::Verify, None) => done.missing.push(s.snippet.location.clone()),
            (Mode::Verify, Some(st)) => {
                if let Some(why) = differs(st) {
                    done.mismatches.push(Diagnostic {
                        location: s.snippet.location.clone(),
                        message: format!(
                            "output is not what the book stores ({} {key}):\n{why}",
                            stored.store.chapter_dir(chapter).display()
                        ),
                    });
                }
            }
        }
    }
    if mode != Mode::Build {
        let in_scope = |dir: &Path| {
            scope.is_none_or(|chapters| {
                (chapters.iter()).any(|c| stored.store.chapter_dir(c) == dir)
            })
        };
        done.orphans = (stored.files.iter())
            .filter(|f| {
                let dir = f.parent().unwrap_or(Path::new(""));
                let key = Store::key_of(f).unwrap_or_default();
                in_scope(dir) && !used.contains(&dir.join(key))
            })
            .cloned()
            .collect();
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ChapterSource;
    use crate::plan::key::KeyEnv;

    const CHAPTER: &str = "```rust\nprintln!(\"a\");\n```\n\n```rust,tolerance=0.01\nprintln!(\"1.00\");\n```\n\n\
                           ```rust,ignore=\"why\"\nx\n```\n";

    fn plan() -> Plan {
        let chapters = [ChapterSource {
            path: "ch.md".into(),
            content: CHAPTER.into(),
        }];
        Plan::new(&chapters, |p| p.to_path_buf(), &KeyEnv::fixed("e"), 60)
    }

    fn fresh(text: &str) -> Option<(Output, Origin)> {
        Some((Output::from_text(text), Origin::Fresh))
    }

    fn key(plan: &Plan, i: usize) -> String {
        plan.snippets[i].key.clone().unwrap()
    }

    fn settle_with(
        mode: Mode,
        outputs: &[Option<(Output, Origin)>],
        stored: Vec<Option<&str>>,
        files: Vec<PathBuf>,
        scope: Option<&[PathBuf]>,
    ) -> Settlement {
        let store = Store::new("/s");
        let stored = Stored {
            store: &store,
            outputs: stored
                .into_iter()
                .map(|t| t.map(Output::from_text))
                .collect(),
            files,
        };
        settle(mode, &plan(), outputs, &stored, scope)
    }

    #[test]
    fn a_build_caches_only_fresh_outputs() {
        let outputs = [
            fresh("a\n"),
            Some((Output::from_text("1.00\n"), Origin::Store)),
            None,
        ];
        let done = settle_with(Mode::Build, &outputs, vec![None; 3], vec![], None);
        assert_eq!(done.cache, vec![0]);
        assert!(done.orphans.is_empty() && done.store.is_empty());
    }

    #[test]
    fn a_check_compares_under_each_snippets_rules() {
        let outputs = [fresh("b\n"), fresh("1.001\n"), None];
        let done = settle_with(
            Mode::Verify,
            &outputs,
            vec![Some("a\n"), Some("1.00\n"), None],
            vec![],
            None,
        );
        assert_eq!(done.mismatches.len(), 1);
        assert_eq!(done.mismatches[0].location.to_string(), "ch.md:1");
        assert!(done.mismatches[0].message.contains("-a\n+b"));
        let missing = settle_with(Mode::Verify, &outputs, vec![None; 3], vec![], None);
        assert_eq!(missing.missing.len(), 2);
    }

    #[test]
    fn a_bless_writes_what_changed_and_finds_orphans_in_scope() {
        let p = plan();
        let outputs = [fresh("a\n"), fresh("1.001\n"), None];
        let used = PathBuf::from(format!("/s/ch/{}.txt", key(&p, 0)));
        let stale = PathBuf::from("/s/ch/0000.txt");
        let elsewhere = PathBuf::from("/s/other/0000.txt");
        let files = vec![used, stale.clone(), elsewhere.clone()];
        let done = settle_with(
            Mode::Bless,
            &outputs,
            vec![Some("old\n"), Some("1.00\n"), None],
            files.clone(),
            None,
        );
        assert_eq!(done.store, vec![0], "within tolerance is left alone");
        assert_eq!(done.orphans, vec![stale.clone(), elsewhere]);
        let scoped = settle_with(
            Mode::Bless,
            &outputs,
            vec![None; 3],
            files,
            Some(&[PathBuf::from("ch.md")]),
        );
        assert_eq!(scoped.orphans, vec![stale]);
        assert_eq!(scoped.store, vec![0, 1]);
    }
}
