//! nnblocks: the engine of an executable textbook.
//!
//! Every ```` ```rust ```` snippet of the book under `book/` is compiled into
//! one registry crate, run in a child process, and its output and figures are
//! stored as committed files keyed by content. The mdBook preprocessor
//! splices them under each snippet; `cargo test` runs every snippet again and
//! compares with the store. See `docs/ENGINE.md` for the design.

pub mod attrs;
pub mod compare;
pub mod device;
pub mod directive;
pub mod engine;
pub mod exercises;
pub mod export;
pub mod figures;
pub mod key;
pub mod lint;
pub mod lock;
pub mod math;
pub mod outcome;
pub mod particle;
pub mod plan;
pub mod preprocess;
pub mod progress;
pub mod registry;
pub mod render;
pub mod runner;
pub mod serve;
pub mod settle;
pub mod snippet;
pub mod store;
pub mod values;

use anyhow::{Context, Result};
use engine::{Mode, Report};
use mdbook_driver::MDBook;
use preprocess::Nnblocks;
use std::path::{Path, PathBuf};

/// Loads the book at `root` (where `book.toml` is), with our preprocessor in
/// place of the `preprocess` command that `book.toml` declares for mdBook.
pub fn load_book(root: &Path, preprocessor: Nnblocks) -> Result<MDBook> {
    let mut book =
        MDBook::load(root).with_context(|| format!("loading the book at {}", root.display()))?;
    book.with_preprocessor(preprocessor);
    Ok(book)
}

/// Runs every snippet of the book at `root` (or of the chapters whose
/// source paths end with one of `only`) and verifies or blesses the store.
pub fn check(root: &Path, mode: Mode, preprocessor: Nnblocks) -> Result<Report> {
    check_chapters(root, mode, preprocessor, &[])
}

pub fn check_chapters(
    root: &Path,
    mode: Mode,
    preprocessor: Nnblocks,
    only: &[PathBuf],
) -> Result<Report> {
    let (mut engine, mut chapters) = engine_and_chapters(root, preprocessor)?;
    if !only.is_empty() {
        retain_chapters(&mut chapters, only)?;
        engine.partial = true;
    }
    engine.process(&chapters, mode)
}

/// Keeps the chapters whose source paths end with one of `only`.
fn retain_chapters(chapters: &mut Vec<engine::ChapterSource>, only: &[PathBuf]) -> Result<()> {
    chapters.retain(|c| only.iter().any(|o| o.ends_with(&c.path)));
    anyhow::ensure!(
        !chapters.is_empty(),
        "no chapter of the book matches {only:?} (give paths like book/preface.md)"
    );
    Ok(())
}

/// A snippet and the text the store holds for it, as `cargo run -- outputs`
/// writes them (the NumPy sheet's checker reads them, `docs/MAINTAINING.md`).
#[derive(Debug, serde::Serialize)]
pub struct StoredOutput {
    /// Where its fence opens (`book/numpy-dfdx.md`, line).
    pub location: snippet::Location,
    /// Its store key (`None` for an `ignore` snippet).
    pub key: Option<String>,
    pub rules: compare::Rules,
    /// `None` when the store holds nothing under its key: a snippet that
    /// changed and is not blessed yet, or an `ignore` one.
    pub output: Option<String>,
}

/// Every snippet of the chapters whose paths end with one of `only` (all
/// when empty), with its stored output. Runs nothing.
pub fn stored_outputs(
    root: &Path,
    preprocessor: Nnblocks,
    only: &[PathBuf],
) -> Result<Vec<StoredOutput>> {
    let (engine, mut chapters) = engine_and_chapters(root, preprocessor)?;
    if !only.is_empty() {
        retain_chapters(&mut chapters, only)?;
    }
    let store = engine.store();
    let (plan, _) = cpu_engine(engine).plan(&chapters)?;
    (plan.snippets.iter().enumerate())
        .map(|(i, s)| {
            let output = match &s.key {
                Some(key) => store.load(plan.chapter_of(i), key)?.map(|o| o.text),
                None => None,
            };
            Ok(StoredOutput {
                location: s.snippet.location.clone(),
                key: s.key.clone(),
                rules: s.rules(),
                output,
            })
        })
        .collect()
}

/// The engine `preprocessor` sets up for the book at `root`, and its chapters.
pub(crate) fn engine_and_chapters(
    root: &Path,
    preprocessor: Nnblocks,
) -> Result<(engine::Engine, Vec<engine::ChapterSource>)> {
    let book = load_book(root, Nnblocks::default())?;
    let engine = preprocessor.engine(root, &book.config.book.src);
    Ok((engine, preprocess::chapters(&book.book)))
}

/// Writes the registry crate of the whole book at `root` and returns the
/// plan a device check runs (see [`device`]).
pub fn device_plan(root: &Path, preprocessor: Nnblocks) -> Result<plan::DevicePlan> {
    let (engine, chapters) = engine_and_chapters(root, preprocessor)?;
    Ok(cpu_engine(engine).device_plan(&chapters)?.0)
}

/// The store holds CPU outputs: plan with the keys a CPU build computes,
/// even from an engine built with `--features cuda`.
fn cpu_engine(mut engine: engine::Engine) -> engine::Engine {
    engine.features.clear();
    engine
}

/// The device check in one go, where cargo is at hand: plans, builds the
/// registry with this engine's features and runs it against the store
/// (`cargo run --features cuda -- device-check` on a machine with a GPU).
pub fn device_check(root: &Path, preprocessor: Nnblocks) -> Result<Vec<device::Row>> {
    let (engine, chapters) = engine_and_chapters(root, preprocessor)?;
    let (device_plan, plan, env) = cpu_engine(engine.clone()).device_plan(&chapters)?;
    // The CPU plan's programs (their ids are the device plan's), compiled
    // with this engine's features.
    let registry = engine.build_registry(&plan, &env.crates)?;
    device::check(&device_plan, &registry, root)
}

/// The book's root: the nearest folder holding `book.toml`, from `start`
/// up. Found at run time, so a checkout that is moved still builds itself.
pub fn find_root(start: &Path) -> Result<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("book.toml").is_file())
        .map(Path::to_path_buf)
        .with_context(|| {
            format!(
                "no book.toml in {} or any folder above it: run this inside the book's \
                 checkout, or give --root DIR",
                start.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_nearest_folder_with_book_toml() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("book/ch02/deeper");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(dir.path().join("book.toml"), "").unwrap();
        assert_eq!(find_root(&deep).unwrap(), dir.path());
        assert_eq!(find_root(dir.path()).unwrap(), dir.path());
        let elsewhere = tempfile::tempdir().unwrap();
        let err = find_root(elsewhere.path()).unwrap_err().to_string();
        assert!(err.contains("no book.toml in"), "{err}");
    }
}
