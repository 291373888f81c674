//! The modes over a whole book: its chapters become a [`Plan`], the plan is
//! compiled into one registry and run, and the outcomes are settled as a
//! build, a check or a bless; the device check runs a plan elsewhere.
//! Input: chapters and a mode; output: the store on disk and a [`Report`].

pub mod device;

use crate::build::lock::WorkLock;
use crate::build::outcome::{self, CellOutcome};
use crate::build::output::Output;
use crate::build::progress::Progress;
use crate::build::registry::{
    BuildResult, ErrorSite, Registry, renumber_gutter, rewrite_locations,
};
use crate::markdown::attrs::Kind;
use crate::markdown::snippet::{Diagnostic, Location};
use crate::plan::ChapterSource;
use crate::plan::key::{KeyEnv, WorkspaceCrate};
use crate::plan::{DevicePlan, Plan, Program, compile_fail_id};
use crate::verify::report::Report;
use crate::verify::settle::{self, Mode, Origin, Settlement, Stored};
use crate::verify::store::Store;
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How many times the registry is rebuilt after dropping the programs that
/// broke it: errors that only show once others are gone (rustc stops before
/// monomorphization when a crate has type errors) are found in one run.
const MAX_BUILDS: usize = 4;

/// How the engine is set up for one book.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The workspace root (Cargo.toml, Cargo.lock, crates/, data/).
    pub root: PathBuf,
    /// The book's source directory (chapters and the committed store).
    pub src_dir: PathBuf,
    pub target_dir: PathBuf,
    /// The registry crate, the cache and scratch files (`target/nnblocks`).
    pub work_dir: PathBuf,
    pub features: Vec<&'static str>,
    pub default_timeout: Duration,
    pub output_limit: usize,
    /// Capture cargo's progress instead of showing it.
    pub quiet: bool,
    /// Only some chapters are processed: look for stale store files in
    /// their folders only.
    pub partial: bool,
    /// Build only: run snippets of these chapters only; the others show what
    /// the store or the cache has (an author's view while other chapters are
    /// being written).
    pub run_only: Option<Vec<PathBuf>>,
}

/// What the registry build and the runs produced.
#[derive(Default)]
struct Executed {
    outputs: Vec<(usize, Output)>,
    failures: Vec<Diagnostic>,
    programs_run: usize,
}

/// What compiling the registry gave: the binary, if any program is left in
/// it, and every error, attributed.
struct Compiled {
    executable: Option<PathBuf>,
    /// Programs dropped because they do not compile, by index in the plan.
    broken: BTreeSet<usize>,
    failures: Vec<Diagnostic>,
    /// The first build's result, for compile_fail snippets.
    first: BuildResult,
}

impl Engine {
    /// The engine for the workspace at `root` with its book in `src_dir`.
    pub fn new(root: &Path, src_dir: &Path) -> Self {
        let target_dir = default_target_dir(root);
        Engine {
            root: root.to_path_buf(),
            src_dir: src_dir.to_path_buf(),
            // Authors working on several chapters at once can keep separate registries.
            work_dir: std::env::var_os("NNBLOCKS_WORK_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| target_dir.join("nnblocks")),
            target_dir,
            features: if cfg!(feature = "cuda") {
                vec!["cuda"]
            } else {
                vec![]
            },
            default_timeout: Duration::from_secs(60),
            output_limit: 1 << 20,
            quiet: false,
            partial: false,
            run_only: None,
        }
    }

    /// The committed store, under the book's source directory.
    pub fn store(&self) -> Store {
        Store::new(self.src_dir.join("outputs"))
    }

    /// Outputs of runs that are not in the store yet, kept per machine:
    /// the store's keys travel between machines, cached outputs do not.
    pub fn cache(&self, env: &KeyEnv) -> Store {
        Store::new(self.work_dir.join("cache").join(&env.machine))
    }

    /// How a chapter is named in messages: relative to the workspace root.
    pub fn display_path(&self, chapter: &Path) -> PathBuf {
        let src = self
            .src_dir
            .strip_prefix(&self.root)
            .unwrap_or(&self.src_dir);
        src.join(chapter)
    }

    /// The plan of these chapters, and what its keys were computed from.
    pub fn plan(&self, chapters: &[ChapterSource]) -> Result<(Plan, KeyEnv)> {
        let env = KeyEnv::compute(&self.root, &self.features)?;
        let plan = Plan::new(
            chapters,
            |p| self.display_path(p),
            &env,
            self.default_timeout.as_secs(),
        );
        Ok((plan, env))
    }

    pub fn process(&self, chapters: &[ChapterSource], mode: Mode) -> Result<Report> {
        let (plan, env) = self.plan(chapters)?;
        self.process_plan(plan, &env, mode)
    }

    /// [`Engine::process`] for a plan already made (a caller that needed
    /// its snippets first plans once).
    pub fn process_plan(&self, plan: Plan, env: &KeyEnv, mode: Mode) -> Result<Report> {
        let _lock = WorkLock::acquire(&self.work_dir)?;
        let (store, cache) = (self.store(), self.cache(env));
        let mut outputs: Vec<Option<(Output, Origin)>> = vec![None; plan.snippets.len()];
        // Only a build reuses outputs; verify and bless run everything.
        let reuse = |cells: &[usize], outputs: &mut Vec<Option<(Output, Origin)>>| {
            if mode != Mode::Build {
                return Ok(false);
            }
            self.lookup(&plan, cells, outputs, [&store, &cache])
        };
        let mut todo = Todo::default();
        for (p, program) in plan.programs.iter().enumerate() {
            let cells: Vec<usize> = program.cells.iter().map(|c| c.snippet).collect();
            if !reuse(&cells, &mut outputs)? && self.may_run(&plan, cells[0]) {
                todo.programs.push(p);
            }
        }
        for &i in &plan.compile_fail {
            if !reuse(&[i], &mut outputs)? && self.may_run(&plan, i) {
                todo.compile_fail.push(i);
            }
        }
        let executed = if todo.is_empty() {
            Executed::default()
        } else {
            self.execute(&plan, &todo, &env.crates)?
        };
        for (i, out) in executed.outputs {
            outputs[i] = Some((out, Origin::Fresh));
        }
        let mut failures = plan.problems.clone();
        failures.extend(executed.failures);
        let stored = self.read_store(&store, &plan, &outputs, mode)?;
        let scope = self.partial.then_some(plan.chapters.as_slice());
        let settled = settle::settle(mode, &plan, &outputs, &stored, scope);
        let removed =
            self.carry_out(&settled, &plan, &outputs, mode, failures.is_empty(), &cache)?;
        // An author building one chapter is not stopped by another's problems.
        failures.retain(|d| self.selected(&d.location.file));
        Ok(Report {
            snippets: plan.snippets,
            outputs,
            failures,
            mismatches: settled.mismatches,
            missing: settled.missing,
            orphans: settled.orphans,
            removed,
            programs_run: executed.programs_run,
        })
    }

    /// What the store holds for the fresh outputs (verify, bless) and its files.
    fn read_store<'a>(
        &self,
        store: &'a Store,
        plan: &Plan,
        outputs: &[Option<(Output, Origin)>],
        mode: Mode,
    ) -> Result<Stored<'a>> {
        let mut stored = Stored {
            store,
            outputs: vec![None; plan.snippets.len()],
            files: Vec::new(),
        };
        if mode == Mode::Build {
            return Ok(stored);
        }
        for (i, s) in plan.snippets.iter().enumerate() {
            if let (Some(key), Some((_, Origin::Fresh))) = (&s.key, &outputs[i]) {
                stored.outputs[i] = store.load(plan.chapter_of(i), key)?;
            }
        }
        stored.files = store.files()?;
        Ok(stored)
    }

    /// Writes what settling decided; returns the store files it removed.
    fn carry_out(
        &self,
        settled: &Settlement,
        plan: &Plan,
        outputs: &[Option<(Output, Origin)>],
        mode: Mode,
        no_failures: bool,
        cache: &Store,
    ) -> Result<Vec<PathBuf>> {
        let save = |store: &Store, i: usize| {
            let (Some(key), Some((out, _))) = (&plan.snippets[i].key, &outputs[i]) else {
                return Ok(());
            };
            store.save(plan.chapter_of(i), key, out)
        };
        for &i in &settled.cache {
            save(cache, i)?;
        }
        let store = self.store();
        for &i in &settled.store {
            save(&store, i)?;
        }
        // A failed snippet has no output to key: its old files may still be
        // the right ones, so a bless with failures removes nothing.
        if mode != Mode::Bless || !no_failures {
            return Ok(Vec::new());
        }
        for f in &settled.orphans {
            std::fs::remove_file(f).with_context(|| format!("removing {}", f.display()))?;
        }
        Ok(settled.orphans.clone())
    }

    /// Writes the registry crate for the whole book, as a build would, and
    /// returns what a device check must run (every runnable program, with
    /// its cells' store keys as this engine computes them), with the plan it
    /// was cut from and the key environment, for building that registry.
    pub fn device_plan(&self, chapters: &[ChapterSource]) -> Result<(DevicePlan, Plan, KeyEnv)> {
        let (plan, env) = self.plan(chapters)?;
        anyhow::ensure!(
            plan.problems.is_empty(),
            "the book has problems; fix them first:\n{}",
            plan.problems
                .iter()
                .map(|d| format!("{d}\n"))
                .collect::<String>()
        );
        let _lock = WorkLock::acquire(&self.work_dir)?;
        let programs: Vec<&Program> = plan.programs.iter().collect();
        self.registry().write(&programs, &[], &env.crates)?;
        let store = self.src_dir.join("outputs");
        let device = DevicePlan {
            store: store
                .strip_prefix(&self.root)
                .unwrap_or(&store)
                .to_path_buf(),
            programs: (plan.programs.iter())
                .filter(|p| matches!(p.kind, Kind::Run | Kind::ShouldPanic))
                .cloned()
                .collect(),
        };
        Ok((device, plan, env))
    }

    /// Builds the registry of every program of `plan` with this engine's
    /// features (`cuda` from `cargo run --features cuda`) and returns the
    /// binary; fails with every compiler error otherwise.
    pub fn build_registry(&self, plan: &Plan, crates: &[WorkspaceCrate]) -> Result<PathBuf> {
        let _lock = WorkLock::acquire(&self.work_dir)?;
        let all: Vec<usize> = (0..plan.programs.len()).collect();
        let compiled = self.compile(&mut self.registry(), plan, &all, &[], crates)?;
        match compiled.executable {
            Some(exe) if compiled.failures.is_empty() => Ok(exe),
            _ => anyhow::bail!(
                "the snippet registry did not build:\n\n{}",
                compiled
                    .failures
                    .iter()
                    .map(|d| format!("{d}\n\n"))
                    .collect::<String>()
            ),
        }
    }

    /// The registry crate of this engine's work folder.
    fn registry(&self) -> Registry {
        Registry::new(
            &self.root,
            &self.target_dir,
            &self.work_dir,
            &self.features,
            self.quiet,
        )
    }

    /// Whether the snippet's chapter is one the build may run (`run_only`).
    fn may_run(&self, plan: &Plan, snippet: usize) -> bool {
        self.selected(&self.display_path(plan.chapter_of(snippet)))
    }

    /// Whether a chapter (as messages name it) is one `run_only` selects.
    pub fn selected(&self, file: &Path) -> bool {
        self.run_only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| file.ends_with(o) || o.ends_with(file)))
    }

    /// Fills outputs from the store or the cache; false if any cell is missing.
    fn lookup(
        &self,
        plan: &Plan,
        cells: &[usize],
        outputs: &mut [Option<(Output, Origin)>],
        [store, cache]: [&Store; 2],
    ) -> Result<bool> {
        let mut found = Vec::new();
        for &i in cells {
            let key = plan.snippets[i]
                .key
                .as_deref()
                .context("snippet without key")?;
            let chapter = plan.chapter_of(i);
            let hit = match store.load(chapter, key)? {
                Some(o) => Some((o, Origin::Store)),
                None => cache.load(chapter, key)?.map(|o| (o, Origin::Cache)),
            };
            match hit {
                Some(hit) => found.push((i, hit)),
                None => return Ok(false),
            }
        }
        for (i, hit) in found {
            outputs[i] = Some(hit);
        }
        Ok(true)
    }

    /// Compiles the registry and runs what `todo` lists.
    fn execute(&self, plan: &Plan, todo: &Todo, crates: &[WorkspaceCrate]) -> Result<Executed> {
        let mut registry = self.registry();
        // A full build keeps every program in the registry, so the next
        // build of another chapter selection recompiles nothing.
        let included: Vec<usize> = (0..plan.programs.len())
            .filter(|&p| self.run_only.is_none() || todo.programs.contains(&p))
            .collect();
        let compiled = self.compile(&mut registry, plan, &included, &todo.compile_fail, crates)?;
        let mut done = Executed {
            failures: compiled.failures,
            ..Executed::default()
        };
        for &i in &todo.compile_fail {
            match compile_fail_output(plan, i, &compiled.first) {
                Ok(out) => done.outputs.push((i, out)),
                Err(d) => done.failures.push(d),
            }
            done.programs_run += 1;
        }
        let Some(exe) = compiled.executable else {
            return Ok(done);
        };
        let runs: Vec<usize> = (todo.programs.iter().copied())
            .filter(|p| !compiled.broken.contains(p))
            .collect();
        let mut progress = Progress::new(runs.len(), self.quiet);
        for p in runs {
            let program = &plan.programs[p];
            progress.start(&program_label(plan, program));
            let figures = self.work_dir.join("figures").join(&program.id);
            let run = outcome::run(program, &exe, figures, self.output_limit)?;
            done.programs_run += 1;
            for (cell, outcome) in program.cells.iter().zip(run.outcomes) {
                match outcome {
                    CellOutcome::Shown(out) => done.outputs.push((cell.snippet, out)),
                    CellOutcome::Failed(d) => done.failures.push(d),
                    CellOutcome::NotReached => {}
                }
            }
        }
        progress.finish();
        Ok(done)
    }

    /// Builds the registry with the `included` programs and the compile_fail
    /// snippets `cf`; drops the programs that do not compile and builds
    /// again, until the registry builds or no program is left to blame.
    fn compile(
        &self,
        registry: &mut Registry,
        plan: &Plan,
        included: &[usize],
        cf: &[usize],
        crates: &[WorkspaceCrate],
    ) -> Result<Compiled> {
        let mut included = included.to_vec();
        let cf: Vec<(String, &str)> = (cf.iter())
            .map(|&i| {
                let s = &plan.snippets[i];
                (compile_fail_id(s), s.snippet.code.as_str())
            })
            .collect();
        let mut bins: Vec<String> = cf.iter().map(|(id, _)| id.clone()).collect();
        let mut compiled = Compiled {
            executable: None,
            broken: BTreeSet::new(),
            failures: Vec::new(),
            first: BuildResult::default(),
        };
        for attempt in 0..MAX_BUILDS {
            let programs: Vec<&Program> = included.iter().map(|&p| &plan.programs[p]).collect();
            registry.write(&programs, if attempt == 0 { &cf } else { &[] }, crates)?;
            if !self.quiet {
                eprintln!(
                    "nnblocks: compiling {} snippet program(s) and {} compile_fail snippet(s)",
                    programs.len(),
                    bins.len()
                );
            }
            let built = registry.build(&bins)?;
            let (broken, failures) = blame(plan, &built);
            for f in failures {
                // A crate's errors come back with every build.
                if !compiled.failures.contains(&f) {
                    compiled.failures.push(f);
                }
            }
            compiled.executable = built.executable.clone();
            if attempt == 0 {
                compiled.first = built;
            }
            let newly: Vec<usize> = (included.iter())
                .copied()
                .filter(|p| broken.contains(&plan.programs[*p].id))
                .collect();
            if compiled.executable.is_some() || newly.is_empty() {
                break;
            }
            compiled.broken.extend(&newly);
            included.retain(|p| !newly.contains(p));
            bins.clear();
            if included.is_empty() {
                break;
            }
        }
        Ok(compiled)
    }
}

/// Turns a build's errors into failures: at the snippet's markdown line,
/// at a crate's own file:line, or (where rustc names no place) as they
/// are. Returns the ids of the programs that did not compile.
fn blame(plan: &Plan, built: &BuildResult) -> (BTreeSet<String>, Vec<Diagnostic>) {
    let mut broken = BTreeSet::new();
    // One failure per program (at its first error) or per place elsewhere.
    let mut groups: Vec<(String, Diagnostic)> = Vec::new();
    let mut push = |group: String, location: Location, prefix: &str, text: String| match groups
        .iter_mut()
        .find(|(g, _)| *g == group)
    {
        Some((_, d)) if d.message.contains(&text) => {}
        Some((_, d)) => d.message.push_str(&text),
        None => groups.push((
            group,
            Diagnostic {
                location,
                message: format!("{prefix}\n{text}"),
            },
        )),
    };
    for e in &built.errors {
        match &e.site {
            ErrorSite::Program { id, line } => {
                let Some(program) = plan.programs.iter().find(|p| p.id == *id) else {
                    continue;
                };
                broken.insert(id.clone());
                let excerpt =
                    renumber_gutter(&e.rendered, &program.file(), |l| program.book_line(l).line);
                let text = rewrite_locations(&excerpt, &program.file(), |l| {
                    program.book_line(l).to_string()
                });
                let location = program.book_line(*line);
                push(id.clone(), location, "snippet does not compile:", text);
            }
            ErrorSite::Bin(_) => {}
            ErrorSite::Crate { file, line } => {
                let location = Location {
                    file: file.clone(),
                    line: *line,
                };
                let prefix = "does not compile (a crate the snippets use):";
                push(location.to_string(), location, prefix, e.rendered.clone());
            }
            ErrorSite::Unknown => {
                let location = Location {
                    file: "Cargo.toml".into(),
                    line: 0,
                };
                let prefix = "the snippet registry did not build:";
                push(String::new(), location, prefix, e.rendered.clone());
            }
        }
    }
    let mut failures: Vec<Diagnostic> = groups.into_iter().map(|(_, d)| d).collect();
    // In reading order, whatever order rustc found them in.
    failures.sort_by(|a, b| a.location.cmp(&b.location));
    (broken, failures)
}

/// A compile_fail snippet's output: rustc's errors as a reader compiling
/// it as `src/main.rs` would see them.
fn compile_fail_output(plan: &Plan, i: usize, built: &BuildResult) -> Result<Output, Diagnostic> {
    let id = compile_fail_id(&plan.snippets[i]);
    let file = format!("src/bin/{id}.rs");
    let errors: Vec<String> = (built.errors.iter())
        .filter(|e| e.site == ErrorSite::Bin(id.clone()))
        .map(|e| rewrite_locations(&e.rendered, &file, |l| format!("src/main.rs:{l}")))
        .collect();
    if built.compiled_bins.contains(&id) || errors.is_empty() {
        return Err(Diagnostic {
            location: plan.snippets[i].snippet.location.clone(),
            message: "compile_fail snippet compiled without error".into(),
        });
    }
    Ok(Output::from_text(&errors.concat()))
}

/// Cargo's target folder for the workspace at `root`.
pub fn default_target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

#[derive(Default)]
struct Todo {
    programs: Vec<usize>,
    compile_fail: Vec<usize>,
}

impl Todo {
    fn is_empty(&self) -> bool {
        self.programs.is_empty() && self.compile_fail.is_empty()
    }
}

/// Where a program starts, and how many snippets it runs: `book/a.md:12`,
/// `book/a.md:12 (5 snippets)` for a session.
fn program_label(plan: &Plan, program: &Program) -> String {
    let first = &plan.snippets[program.cells[0].snippet].snippet.location;
    match program.cells.len() {
        1 => first.to_string(),
        n => format!("{first} ({n} snippets)"),
    }
}
