//! A scratch book for integration tests, built against this workspace's crates.

use nnblocks::engine::default_target_dir;
use nnblocks::pages::config::Nnblocks;
use nnblocks::verify::report::Report;
use nnblocks::verify::settle::Mode;
use std::fs;
use std::path::{Path, PathBuf};
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
        show_problems: false,
    };
    (dir, pre)
}

/// The engine's report on the book at `dir` in `mode` (problems are in it,
/// not an error).
pub fn check(dir: &Path, pre: &Nnblocks, mode: Mode) -> Report {
    nnblocks::check(dir, mode, clone(pre)).unwrap()
}

/// Why `mdbook build` of the book at `dir` fails.
pub fn build_error(dir: &Path, pre: &Nnblocks) -> String {
    let book = nnblocks::load_book(dir, clone(pre)).unwrap();
    format!("{:#}", book.build().expect_err("the build must fail"))
}

pub fn clone(p: &Nnblocks) -> Nnblocks {
    Nnblocks {
        quiet: p.quiet,
        workspace: p.workspace.clone(),
        work_dir: p.work_dir.clone(),
        run_only: p.run_only.clone(),
        show_problems: p.show_problems,
    }
}

/// A book that is its own workspace, with no dependency but the crates
/// written into it: builds in seconds, in its own target folder.
pub fn own_workspace(chapters: &[(&str, &str)], crates: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "book.toml",
        "[book]\ntitle = \"t\"\nsrc = \"book\"\n[build]\nbuild-dir = \"out\"\n\
         [output.html.playground]\nrunnable = false\n",
    );
    write("Cargo.toml", "[workspace]\nresolver = \"3\"\n");
    write("Cargo.lock", "version = 4\n");
    let summary: String = chapters
        .iter()
        .map(|(name, _)| format!("- [{name}]({name})\n"))
        .collect();
    write("book/SUMMARY.md", &format!("# S\n\n{summary}"));
    for (name, text) in chapters {
        write(&format!("book/{name}"), text);
    }
    for (name, lib) in crates {
        write(
            &format!("crates/{name}/Cargo.toml"),
            &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n"),
        );
        write(&format!("crates/{name}/src/lib.rs"), lib);
    }
    dir
}
