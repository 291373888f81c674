//! nnblocks: the engine of an executable textbook.
//!
//! Every ```` ```rust ```` snippet of the book under `book/` is compiled into
//! one registry crate, run in a child process, and its output and figures are
//! stored as committed files keyed by content. The mdBook preprocessor
//! splices them under each snippet; `cargo test` runs every snippet again and
//! compares with the store. See `docs/ENGINE.md` for the design.

pub mod build;
pub mod commands;
pub mod engine;
pub mod markdown;
pub mod pages;
pub mod plan;
pub mod verify;

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use pages::config::Nnblocks;
use pages::preprocess;
use std::path::{Path, PathBuf};
use verify::report::Report;
use verify::settle::Mode;

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
fn retain_chapters(chapters: &mut Vec<plan::ChapterSource>, only: &[PathBuf]) -> Result<()> {
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
    pub location: markdown::snippet::Location,
    /// Its store key (`None` for an `ignore` snippet).
    pub key: Option<String>,
    pub rules: markdown::attrs::Rules,
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

/// The engine for the book at `root`, set up by its book.toml and the flags
/// in `preprocessor` as a build's is, and its chapters.
pub(crate) fn engine_and_chapters(
    root: &Path,
    preprocessor: Nnblocks,
) -> Result<(engine::Engine, Vec<plan::ChapterSource>)> {
    let book = load_book(root, Nnblocks::default())?;
    let (engine, _) = pages::config::engine(&preprocessor, root, &book.config)?;
    Ok((engine, preprocess::chapters(&book.book)))
}

/// Writes the registry crate of the whole book at `root` and returns the
/// plan a device check runs (see [`engine::device`]).
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
pub fn device_check(root: &Path, preprocessor: Nnblocks) -> Result<Vec<engine::device::Row>> {
    let (engine, chapters) = engine_and_chapters(root, preprocessor)?;
    let (device_plan, plan, env) = cpu_engine(engine.clone()).device_plan(&chapters)?;
    // The CPU plan's programs (their ids are the device plan's), compiled
    // with this engine's features.
    let registry = engine.build_registry(&plan, &env.crates)?;
    engine::device::check(&device_plan, &registry, root)
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

    /// `.cargo/config.toml` lowers the opt-level of crates only the engine
    /// uses: no crate a snippet can reach (any feature, CUDA's included) is
    /// listed, so the registry and its outputs stay at opt-level 3.
    #[test]
    fn profile_overrides_leave_the_snippets_crates_alone() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = std::fs::read_to_string(root.join(".cargo/config.toml")).unwrap();
        let config: toml::Table = config.parse().unwrap();
        let listed = config["profile"]["dev"]["package"].as_table().unwrap();
        let tree = std::process::Command::new(env!("CARGO"))
            .current_dir(root)
            .args([
                "tree",
                "--workspace",
                "--exclude",
                "nnblocks",
                "--all-features",
            ])
            .args(["--edges", "normal,build", "--prefix", "none"])
            .output()
            .unwrap();
        assert!(
            tree.status.success(),
            "{}",
            String::from_utf8_lossy(&tree.stderr)
        );
        let tree = String::from_utf8(tree.stdout).unwrap();
        // `name v1.2.3 ...`: a crate is listed by name, or as `name@1.2.3`.
        let reached: Vec<(&str, &str)> = (tree.lines())
            .filter_map(|l| {
                let mut words = l.split(' ');
                Some((words.next()?, words.next()?.strip_prefix('v')?))
            })
            .collect();
        let named = |spec: &str| match spec.split_once('@') {
            Some((name, version)) => reached.contains(&(name, version)),
            None => reached.iter().any(|(name, _)| *name == spec),
        };
        assert!(named("dfdx") && named("cudarc") && !named("mdbook-html"));
        let lowered: Vec<&String> = listed.keys().filter(|k| named(k)).collect();
        assert!(
            lowered.is_empty(),
            "snippets use {lowered:?}: remove them from .cargo/config.toml"
        );
    }
}

/// The layout of `src/`: one folder per pipeline stage, and imports that
/// point down the pipeline only (`cargo test --lib imports_point_down`).
#[cfg(test)]
mod pipeline {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The stages a snippet passes through, lowest first: a module may use
    /// its own stage and lower ones.
    const STAGES: [&str; 7] = [
        "markdown", "plan", "build", "verify", "engine", "pages", "commands",
    ];

    /// A `crate::` reference: the module it names and where it is.
    struct Import {
        to: String,
        at: String,
    }

    /// Every `.rs` file under `dir`, as `folder/name.rs` relative to `src`.
    fn sources(src: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(src, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).unwrap().to_string_lossy();
                out.insert(
                    rel.replace('\\', "/"),
                    std::fs::read_to_string(&path).unwrap(),
                );
            }
        }
    }

    /// The module a file is (`plan/codegen`, `plan/mod`), and its stage.
    fn module_of(file: &str) -> Option<(String, usize)> {
        let (folder, _) = file.split_once('/')?;
        let stage = STAGES.iter().position(|s| *s == folder)?;
        Some((file.trim_end_matches(".rs").to_string(), stage))
    }

    /// The paths of the use tree at `s[*i..]` (what follows `crate::`):
    /// `build::{lock, outcome::Run}` gives `build::lock`, `build::outcome::Run`.
    fn use_tree(s: &[u8], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix;
        loop {
            while s.get(*i).is_some_and(u8::is_ascii_whitespace) {
                *i += 1;
            }
            if s.get(*i) == Some(&b'{') {
                *i += 1;
                while *i < s.len() && s[*i] != b'}' {
                    use_tree(s, i, path.clone(), out);
                    // Past ` as Name` to the next item.
                    while *i < s.len() && s[*i] != b',' && s[*i] != b'}' {
                        *i += 1;
                    }
                    *i += usize::from(s.get(*i) == Some(&b','));
                }
                *i += 1;
                return;
            }
            let start = *i;
            while s
                .get(*i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                *i += 1;
            }
            if start < *i {
                path.push(String::from_utf8_lossy(&s[start..*i]).into_owned());
            }
            if start == *i || !s[*i..].starts_with(b"::") {
                out.push(path);
                return;
            }
            *i += 2;
        }
    }

    /// The stage modules `text` (the file `file`) refers to with `crate::`,
    /// outside comments.
    fn imports(file: &str, text: &str, files: &BTreeMap<String, String>) -> Vec<Import> {
        let mut found = Vec::new();
        let code: String = (text.lines())
            .map(|l| {
                if l.trim_start().starts_with("//") {
                    ""
                } else {
                    l
                }
            })
            .flat_map(|l| [l, "\n"])
            .collect();
        let starts = code.match_indices("crate::").map(|(i, _)| i);
        for start in starts.filter(|&i| {
            !(code[..i].chars().next_back()).is_some_and(|c| c.is_alphanumeric() || c == '_')
        }) {
            let line = code[..start].matches('\n').count() + 1;
            let mut paths = Vec::new();
            use_tree(
                code.as_bytes(),
                &mut (start + "crate::".len()),
                Vec::new(),
                &mut paths,
            );
            for path in paths {
                let Some(folder) = path.first().filter(|f| STAGES.contains(&f.as_str())) else {
                    continue;
                };
                let sub = path.get(1).map(|s| format!("{folder}/{s}.rs"));
                let to = match sub.filter(|s| files.contains_key(s)) {
                    Some(s) => s.trim_end_matches(".rs").to_string(),
                    None => format!("{folder}/mod"),
                };
                let src_line = text.lines().nth(line - 1).unwrap_or_default().trim();
                let at = format!("src/{file}:{line}: `{src_line}`");
                found.push(Import { to, at });
            }
        }
        found
    }

    /// Every file outside a stage folder, every import of a higher stage,
    /// and one import cycle between modules, if any.
    fn problems(files: &BTreeMap<String, String>) -> Vec<String> {
        let mut problems = Vec::new();
        let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (file, text) in files {
            let Some((module, stage)) = module_of(file) else {
                if !matches!(file.as_str(), "lib.rs" | "main.rs") {
                    problems.push(format!("src/{file} is in no stage folder {STAGES:?}"));
                }
                continue;
            };
            for import in imports(file, text, files) {
                let (_, to_stage) = module_of(&import.to).expect("a stage module");
                if to_stage > stage {
                    problems.push(format!(
                        "{} imports {} (stage {}), above its own stage {} ({})",
                        import.at,
                        import.to,
                        STAGES[to_stage],
                        STAGES[stage],
                        STAGES.join(" < ")
                    ));
                }
                if import.to != module {
                    let from = edges.entry(module.clone()).or_default();
                    from.entry(import.to).or_insert(import.at);
                }
            }
        }
        problems.extend(cycle(&edges));
        problems
    }

    /// One cycle of the import graph, each step with the import that makes it.
    fn cycle(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Option<String> {
        fn visit(
            m: &str,
            edges: &BTreeMap<String, BTreeMap<String, String>>,
            done: &mut BTreeSet<String>,
            path: &mut Vec<String>,
        ) -> Option<Vec<String>> {
            if let Some(i) = path.iter().position(|p| p == m) {
                return Some(path[i..].to_vec());
            }
            if !done.insert(m.to_string()) {
                return None;
            }
            path.push(m.to_string());
            for next in edges.get(m).into_iter().flat_map(|e| e.keys()) {
                if let Some(c) = visit(next, edges, done, path) {
                    return Some(c);
                }
            }
            path.pop();
            None
        }
        let mut done = BTreeSet::new();
        let found = (edges.keys()).find_map(|m| visit(m, edges, &mut done, &mut Vec::new()))?;
        let steps: Vec<String> = (0..found.len())
            .map(|i| edges[&found[i]][&found[(i + 1) % found.len()]].clone())
            .collect();
        Some(format!("import cycle:\n  {}", steps.join("\n  ")))
    }

    #[test]
    fn imports_point_down_the_pipeline() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = BTreeMap::new();
        sources(&src, &src, &mut files);
        let problems = problems(&files);
        assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
        // The check sees the graph: the engine uses the plan.
        assert!(
            imports("engine/mod.rs", &files["engine/mod.rs"], &files)
                .iter()
                .any(|i| i.to == "plan/mod")
        );
    }

    #[test]
    fn the_import_check_finds_upward_imports_and_cycles() {
        let files = BTreeMap::from([
            ("lib.rs".to_string(), String::new()),
            ("flat.rs".to_string(), String::new()),
            (
                "plan/mod.rs".to_string(),
                "use crate::{plan::key::{self, A as B}, x};\n".into(),
            ),
            (
                "plan/key.rs".to_string(),
                "// crate::engine::E\nuse crate::plan::P;\n".into(),
            ),
            (
                "engine/mod.rs".to_string(),
                "use crate::plan::key::K;\n".into(),
            ),
            (
                "markdown/a.rs".to_string(),
                "fn f(_: crate::engine::E) {}\n".into(),
            ),
        ]);
        let problems = problems(&files);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("src/flat.rs is in no stage folder"));
        assert!(problems[1].starts_with("src/markdown/a.rs:1: `fn f(_: crate::engine::E) {}` imports engine/mod (stage engine), above its own stage markdown"));
        assert_eq!(
            problems[2],
            "import cycle:\n  src/plan/key.rs:2: `use crate::plan::P;`\n  \
             src/plan/mod.rs:1: `use crate::{plan::key::{self, A as B}, x};`"
        );
    }
}
