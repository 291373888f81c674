//! A scratch book for integration tests, built against this workspace's crates.

use nnblocks::engine::default_target_dir;
use nnblocks::preprocess::Nnblocks;
use std::fs;
use std::path::PathBuf;
use tempfile::TempDir;

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A book with one chapter `bad.md`, and the preprocessor set up to use
/// this workspace's crates and a scratch folder of its own.
pub fn book(name: &str, chapter: &str) -> (TempDir, Nnblocks) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("book")).unwrap();
    fs::write(
        dir.path().join("book.toml"),
        "[book]\ntitle = \"t\"\nsrc = \"book\"\n[build]\nbuild-dir = \"out\"\n\
         [preprocessor.nnblocks]\ncommand = \"false\"\n\
         [output.html.playground]\nrunnable = false\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("book/SUMMARY.md"),
        "# S\n\n- [Bad](bad.md)\n",
    )
    .unwrap();
    fs::write(dir.path().join("book/bad.md"), chapter).unwrap();
    let root = workspace();
    let work_dir = default_target_dir(&root).join("nnblocks-tests").join(name);
    // Each run starts with no cached outputs; the registry build stays warm.
    let _ = fs::remove_dir_all(work_dir.join("cache"));
    let pre = Nnblocks {
        quiet: true,
        workspace: Some(root.clone()),
        work_dir: Some(work_dir),
        run_only: None,
    };
    (dir, pre)
}

pub fn clone(p: &Nnblocks) -> Nnblocks {
    Nnblocks {
        quiet: p.quiet,
        workspace: p.workspace.clone(),
        work_dir: p.work_dir.clone(),
        run_only: p.run_only.clone(),
    }
}
