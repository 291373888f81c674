//! nnblocks: the engine of an executable textbook.
//!
//! Every ```` ```rust ```` snippet of the book under `book/` is compiled into
//! one registry crate, run in a child process, and its output and figures are
//! stored as committed files keyed by content. The mdBook preprocessor
//! splices them under each snippet; `cargo test` runs every snippet again and
//! compares with the store. See `docs/ENGINE.md` for the design.

pub mod attrs;
pub mod compare;
pub mod engine;
pub mod key;
pub mod math;
pub mod preprocess;
pub mod registry;
pub mod render;
pub mod runner;
pub mod snippet;
pub mod store;

use anyhow::{Context, Result};
use engine::{Mode, Report};
use mdbook_driver::MDBook;
use preprocess::Nnblocks;
use std::path::Path;

/// Loads the book at `root` (where `book.toml` is), with our preprocessor in
/// place of the `preprocess` command that `book.toml` declares for mdBook.
pub fn load_book(root: &Path, preprocessor: Nnblocks) -> Result<MDBook> {
    let mut book =
        MDBook::load(root).with_context(|| format!("loading the book at {}", root.display()))?;
    book.with_preprocessor(preprocessor);
    Ok(book)
}

/// Runs every snippet of the book at `root` and verifies or blesses the store.
pub fn check(root: &Path, mode: Mode, preprocessor: Nnblocks) -> Result<Report> {
    let book = load_book(root, Nnblocks::default())?;
    let engine = preprocessor.engine(root, &book.config.book.src);
    engine.process(&preprocess::chapters(&book.book), mode)
}
