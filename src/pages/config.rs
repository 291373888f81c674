//! One config for every mode: book.toml's `[preprocessor.nnblocks]` table
//! and the command line's flags (carried by [`Nnblocks`]) set up the engine
//! here, whether mdBook calls the preprocessor (`build`, `serve`,
//! `preprocess`) or a command plans and runs the book itself (`check`,
//! `bless`, `outputs`, `figures`, `device-plan`, `device-check`).

use crate::engine::Engine;
use anyhow::{Context, Result};
use mdbook_preprocessor::config::Config;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The preprocessor's name, and its table in book.toml.
pub const NAME: &str = "nnblocks";

/// The command line's flags, which [`engine`] merges with book.toml's
/// settings; also the preprocessor, for `MDBook::with_preprocessor` or the
/// `preprocess` command that book.toml declares for a plain `mdbook build`
/// (its `Preprocessor` impl is in `pages::preprocess`).
#[derive(Debug, Default)]
pub struct Nnblocks {
    /// Capture cargo's output (tests).
    pub quiet: bool,
    /// The workspace whose crates snippets use, if not the book's root (tests).
    pub workspace: Option<PathBuf>,
    /// Scratch folder instead of `target/nnblocks` (tests).
    pub work_dir: Option<PathBuf>,
    /// Run the snippets of these chapters only (`cargo run -- build CHAPTER`).
    pub run_only: Option<Vec<PathBuf>>,
    /// Show problems in the pages instead of failing the build (`serve`):
    /// a snippet's error under the snippet, others at the top of each page.
    pub show_problems: bool,
}

/// Our settings in book.toml's `[preprocessor.nnblocks]` (mdBook's own keys
/// there, `command` and `before`, are mdBook's).
#[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Settings {
    /// Seconds a snippet may run unless it says `timeout=`.
    pub timeout: Option<u64>,
    /// Numbers with a decimal point that prose may type by hand because no
    /// run produces them (versions such as `0.13`).
    #[serde(default)]
    pub prose_numbers: Vec<String>,
}

impl Settings {
    /// The settings of a loaded book's config.
    pub fn read(config: &Config) -> Result<Settings> {
        let table = format!("preprocessor.{NAME}");
        let settings = config
            .get(&table)
            .with_context(|| format!("book.toml: [{table}]"))?;
        Ok(settings.unwrap_or_default())
    }
}

/// The engine for the book at `book_root` whose config is `config`, set up
/// by its settings and the flags in `flags`; and the settings, for the page
/// passes.
pub fn engine(flags: &Nnblocks, book_root: &Path, config: &Config) -> Result<(Engine, Settings)> {
    let settings = Settings::read(config)?;
    let root = (flags.workspace.clone()).unwrap_or_else(|| book_root.to_path_buf());
    let mut engine = Engine::new(&root, &book_root.join(&config.book.src));
    engine.quiet = flags.quiet;
    if let Some(dir) = &flags.work_dir {
        engine.work_dir = dir.clone();
    }
    engine.run_only = flags.run_only.clone();
    if let Some(seconds) = settings.timeout {
        engine.default_timeout = Duration::from_secs(seconds);
    }
    Ok((engine, settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::settle::Mode;
    use std::fs;

    fn config(toml: &str) -> Config {
        toml.parse().unwrap()
    }

    #[test]
    fn settings_come_from_the_nnblocks_table() {
        let c = config(
            "[preprocessor.nnblocks]\ncommand = \"x\"\ntimeout = 5\nprose-numbers = [\"0.13\"]\n",
        );
        let want = Settings {
            timeout: Some(5),
            prose_numbers: vec!["0.13".into()],
        };
        assert_eq!(Settings::read(&c).unwrap(), want);
        assert_eq!(Settings::read(&config("")).unwrap(), Settings::default());
        let err = Settings::read(&config("[preprocessor.nnblocks]\ntimeout = \"5\"\n"));
        assert!(format!("{:#}", err.unwrap_err()).contains("[preprocessor.nnblocks]"));
    }

    #[test]
    fn the_engine_takes_the_books_timeout() {
        let flags = Nnblocks::default();
        let set = config("[preprocessor.nnblocks]\ntimeout = 7\n");
        let (set_up, _) = engine(&flags, Path::new("/b"), &set).unwrap();
        assert_eq!(set_up.default_timeout, Duration::from_secs(7));
        let (unset, _) = engine(&flags, Path::new("/b"), &config("")).unwrap();
        assert_eq!(unset.default_timeout, Duration::from_secs(60));
    }

    /// `check` (not only `build`) obeys book.toml's timeout: a snippet that
    /// never ends fails after the book's 1 s, named by file and line, where
    /// the default would wait 60 s.
    #[test]
    fn check_obeys_the_timeout_in_book_toml() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        write(
            "book.toml",
            "[book]\ntitle = \"t\"\nsrc = \"book\"\n[preprocessor.nnblocks]\ntimeout = 1\n",
        );
        write("Cargo.toml", "[workspace]\nresolver = \"3\"\n");
        write("Cargo.lock", "version = 4\n");
        write("book/SUMMARY.md", "# S\n\n- [A](a.md)\n");
        write(
            "book/a.md",
            "# A\n\n```rust\nloop {\n    std::thread::sleep(std::time::Duration::from_secs(1000));\n}\n```\n",
        );
        let flags = Nnblocks {
            quiet: true,
            ..Nnblocks::default()
        };
        let report = crate::check(dir.path(), Mode::Verify, flags).unwrap();
        let problems = report.problems(Mode::Verify);
        assert!(
            problems.contains("book/a.md:3") && problems.contains("timed out after 1 s"),
            "{problems}"
        );
    }
}
