//! The modes over a whole book: its chapters become a [`Plan`], the plan is
//! compiled into one registry and run, and the outcomes are settled as a
//! build, a check or a bless; the device check runs a plan elsewhere.
//! Input: chapters and a mode; output: the store on disk and a [`Report`].

pub mod device;

use crate::build::lock::WorkLock;
use crate::build::outcome::{self, CellOutcome, ProgramRun};
use crate::build::output::Output;
use crate::build::pool;
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
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
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
        let todo = self.todo(&plan, mode, [&store, &cache], &mut outputs)?;
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

    /// What must run: the programs and compile_fail snippets (of the
    /// chapters it may run) whose outputs a build finds neither in the store
    /// nor in the cache; `outputs` gets what it finds. Verify and bless
    /// reuse nothing: they run everything.
    fn todo(
        &self,
        plan: &Plan,
        mode: Mode,
        stores: [&Store; 2],
        outputs: &mut [Option<(Output, Origin)>],
    ) -> Result<Todo> {
        let mut reuse = |cells: &[usize]| -> Result<bool> {
            Ok(mode == Mode::Build && self.lookup(plan, cells, outputs, stores)?)
        };
        let mut todo = Todo::default();
        for (p, program) in plan.programs.iter().enumerate() {
            let cells: Vec<usize> = program.cells.iter().map(|c| c.snippet).collect();
            if !reuse(&cells)? && self.may_run(plan, cells[0]) {
                todo.programs.push(p);
            }
        }
        for &i in &plan.compile_fail {
            if !reuse(&[i])? && self.may_run(plan, i) {
                todo.compile_fail.push(i);
            }
        }
        Ok(todo)
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
        for (p, run) in self.run_programs(plan, &exe, &runs) {
            let run = run?;
            done.programs_run += 1;
            for (cell, outcome) in plan.programs[p].cells.iter().zip(run.outcomes) {
                match outcome {
                    CellOutcome::Shown(out) => done.outputs.push((cell.snippet, out)),
                    CellOutcome::Failed(d) => done.failures.push(d),
                    CellOutcome::NotReached => {}
                }
            }
        }
        Ok(done)
    }

    /// Runs the programs `runs` of the registry binary `exe`, side by side
    /// (each in its own process and figure folder), and returns their runs
    /// in program order, whichever finished first.
    fn run_programs(
        &self,
        plan: &Plan,
        exe: &Path,
        runs: &[usize],
    ) -> BTreeMap<usize, Result<ProgramRun>> {
        let progress = Mutex::new(Progress::new(runs.len(), self.quiet));
        let run = |p: usize| {
            let program = &plan.programs[p];
            (progress.lock().unwrap_or_else(|e| e.into_inner()))
                .start(&program_label(plan, program));
            let figures = self.work_dir.join("figures").join(&program.id);
            (p, outcome::run(program, exe, figures, self.output_limit))
        };
        let schedule = pool::schedule(&plan.programs, runs);
        let mut done: BTreeMap<_, _> = pool::side_by_side(&schedule.shared, pool::workers(), run)
            .into_iter()
            .collect();
        done.extend(schedule.alone.iter().map(|&p| run(p)));
        (progress.into_inner().unwrap_or_else(|e| e.into_inner())).finish();
        done
    }

    /// Builds the registry with the `included` programs and the compile_fail
    /// snippets `cf` (see [`compile_until_built`]).
    fn compile(
        &self,
        registry: &mut Registry,
        plan: &Plan,
        included: &[usize],
        cf: &[usize],
        crates: &[WorkspaceCrate],
    ) -> Result<Compiled> {
        compile_until_built(plan, included, cf, |programs, cf, bins| {
            registry.write(programs, cf, crates)?;
            if !self.quiet {
                eprintln!(
                    "nnblocks: compiling {} snippet program(s) and {} compile_fail snippet(s)",
                    programs.len(),
                    bins.len()
                );
            }
            registry.build(bins)
        })
    }
}

/// Builds (`build`: the programs, the compile_fail snippets' ids and code,
/// the bins to build) the `included` programs and the compile_fail snippets
/// `cf`; drops the programs that do not compile and builds again, until the
/// registry builds or no program is left to blame. compile_fail snippets
/// are built once, in the first build.
fn compile_until_built(
    plan: &Plan,
    included: &[usize],
    cf: &[usize],
    mut build: impl FnMut(&[&Program], &[(String, &str)], &[String]) -> Result<BuildResult>,
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
        let built = build(&programs, if attempt == 0 { &cf } else { &[] }, &bins)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A plan of `chapter` (as `book/ch.md`), keyed without a workspace.
    fn plan(chapter: &str) -> Plan {
        let chapters = [ChapterSource {
            path: "ch.md".into(),
            content: chapter.into(),
        }];
        Plan::new(
            &chapters,
            |p| Path::new("book").join(p),
            &KeyEnv::fixed("t"),
            60,
        )
    }

    fn engine(root: &Path) -> Engine {
        Engine::new(root, &root.join("book"))
    }

    const FOUR: &str = "# T\n\n```rust\nprintln!(\"a\");\n```\n\n\
                        ```rust,session=s\nprintln!(\"b1\");\n```\n\n\
                        ```rust,session=s\nprintln!(\"b2\");\n```\n\n\
                        ```rust,compile_fail\nlet x: u8 = \"c\";\n```\n\n\
                        ```rust,compile_fail\nlet y: u8 = \"d\";\n```\n";

    #[test]
    fn a_build_takes_what_the_store_and_the_cache_have_and_runs_the_rest() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let engine = engine(dir.path());
        let plan = plan(FOUR);
        assert_eq!(plan.programs.len(), 2);
        let [a, b1, c, d] = [0, 1, 3, 4];
        let (store, cache) = (engine.store(), Store::new(dir.path().join("cache")));
        let key = |i: usize| plan.snippets[i].key.clone().unwrap();
        let chapter = Path::new("ch");
        store.save(chapter, &key(a), &Output::from_text("a\n"))?;
        // One cell of the session is cached, the other is not: it runs whole.
        cache.save(chapter, &key(b1), &Output::from_text("b1\n"))?;
        cache.save(chapter, &key(c), &Output::from_text("error\n"))?;

        let mut outputs = vec![None; plan.snippets.len()];
        let todo = engine.todo(&plan, Mode::Build, [&store, &cache], &mut outputs)?;
        assert_eq!((todo.programs, todo.compile_fail), (vec![1], vec![d]));
        let origin = |o: &Option<(Output, Origin)>| o.as_ref().map(|(_, origin)| *origin);
        let origins: Vec<_> = outputs.iter().map(origin).collect();
        assert_eq!(
            origins,
            [Some(Origin::Store), None, None, Some(Origin::Cache), None]
        );
        assert_eq!(outputs[a].as_ref().unwrap().0.text, "a\n");

        // A check and a bless run everything, whatever is stored.
        for mode in [Mode::Verify, Mode::Bless] {
            let mut outputs = vec![None; plan.snippets.len()];
            let todo = engine.todo(&plan, mode, [&store, &cache], &mut outputs)?;
            assert_eq!((todo.programs, todo.compile_fail), (vec![0, 1], vec![c, d]));
            assert!(outputs.iter().all(Option::is_none));
        }

        // A build of other chapters only runs nothing here, missing or not.
        let other = Engine {
            run_only: Some(vec!["book/other.md".into()]),
            ..engine.clone()
        };
        let mut outputs = vec![None; plan.snippets.len()];
        let todo = other.todo(&plan, Mode::Build, [&store, &cache], &mut outputs)?;
        assert!(todo.is_empty());
        assert!(outputs[a].is_some(), "what is stored is still shown");
        Ok(())
    }

    /// A chapter whose first three programs do not compile, each for a
    /// reason rustc finds at a different stage, and a compile_fail snippet.
    const BROKEN: &str = "# T\n\n\
```rust\nlet x: i32 = \"text\";\n```\n\n\
```rust\nstruct Check<const N: usize>;\nimpl<const N: usize> Check<N> {\n    \
const NONZERO: () = assert!(N > 0, \"N must not be zero\");\n}\nlet () = Check::<0>::NONZERO;\n```\n\n\
```rust\nuse dfdx::prelude::*;\nlet dev = AutoDevice::default();\n\
let t: Tensor<Rank1<4>, f32, _> = dev.zeros();\nlet _ = t.reshape::<Rank1<5>>();\n```\n\n\
```rust\nprintln!(\"good\");\n```\n\n\
```rust,compile_fail\nfn main() {\n    let v = vec![1];\n    let w = v;\n    println!(\"{:?}\", v);\n}\n```\n";

    /// Cargo's messages (`--message-format=json`) of the three builds of the
    /// registry of `BROKEN`, recorded with rustc 1.95 (ids renamed to p_aaa,
    /// p_bbb, p_ccc, p_good and cf_111; dependencies' lines but one left out).
    const BUILDS: [&str; 3] = [
        include_str!("../../tests/fixtures/cargo/build1.jsonl"),
        include_str!("../../tests/fixtures/cargo/build2.jsonl"),
        include_str!("../../tests/fixtures/cargo/build3.jsonl"),
    ];

    /// Replays the recorded builds in turn, with the plan's own ids, as the
    /// registry at `/work/main/target/nnblocks` reads them; records what
    /// each build was asked to compile (program ids, bins).
    struct Replay<'a> {
        plan: &'a Plan,
        builds: std::slice::Iter<'static, &'static str>,
        asked: Vec<(Vec<String>, Vec<String>)>,
    }

    impl<'a> Replay<'a> {
        fn new(plan: &'a Plan) -> Self {
            Replay {
                plan,
                builds: BUILDS.iter(),
                asked: Vec::new(),
            }
        }

        fn build(
            &mut self,
            programs: &[&Program],
            cf: &[(String, &str)],
            bins: &[String],
        ) -> Result<BuildResult> {
            let ids: Vec<String> = programs.iter().map(|p| p.id.clone()).collect();
            self.asked.push((ids.clone(), bins.to_vec()));
            assert_eq!(cf.len(), bins.len(), "compile_fail code comes with its bin");
            let mut messages = self
                .builds
                .next()
                .expect("three builds at most")
                .to_string();
            let recorded = ["p_aaa", "p_bbb", "p_ccc", "p_good"];
            for (name, program) in recorded.iter().zip(&self.plan.programs) {
                messages = messages.replace(name, &program.id);
            }
            messages = messages.replace("cf_111", &compile_fail_id(&self.plan.snippets[4]));
            let root = Path::new("/work/main");
            let registry = Registry::new(
                root,
                &root.join("target"),
                &root.join("target/nnblocks"),
                &[],
                true,
            )
            .with_programs(&ids);
            registry.read_messages(Cursor::new(messages), bins)
        }

        /// [`compile_until_built`] of every program and the compile_fail snippet.
        fn compile(&mut self) -> Result<Compiled> {
            let plan = self.plan;
            compile_until_built(plan, &[0, 1, 2, 3], &[4], |p, cf, bins| {
                self.build(p, cf, bins)
            })
        }
    }

    #[test]
    fn programs_that_do_not_compile_are_dropped_until_the_registry_builds() -> Result<()> {
        let plan = plan(BROKEN);
        let id = |p: usize| plan.programs[p].id.clone();
        let cf = compile_fail_id(&plan.snippets[4]);
        let mut replay = Replay::new(&plan);
        let compiled = replay.compile()?;
        assert_eq!(
            replay.asked,
            [
                (vec![id(0), id(1), id(2), id(3)], vec![cf.clone()]),
                // dfdx's error shows only once the crate has no other error.
                (vec![id(2), id(3)], vec![]),
                (vec![id(3)], vec![]),
            ]
        );
        assert_eq!(compiled.broken, BTreeSet::from([0, 1, 2]));
        assert_eq!(
            compiled.executable.as_deref(),
            Some(Path::new("/work/main/target/debug/nnblocks-registry"))
        );
        let at: Vec<String> = (compiled.failures.iter())
            .map(|d| d.location.to_string())
            .collect();
        // Each at its snippet's line in the book: the type error, the
        // assert! that fails at compile time, the reshape that dfdx rejects
        // (rustc names it in a note after an error inside dfdx).
        assert_eq!(at, ["book/ch.md:4", "book/ch.md:10", "book/ch.md:19"]);
        let [a, b, c] = &compiled.failures[..] else {
            unreachable!()
        };
        assert!(
            a.message
                .starts_with("snippet does not compile:\nerror[E0308]: mismatched types"),
            "{a}"
        );
        assert!(a.message.contains("--> book/ch.md:4:"), "{a}");
        assert!(b.message.contains("N must not be zero"), "{b}");
        assert!(c.message.contains("Src::NUMEL == Dst::NUMEL"), "{c}");
        assert!(
            c.message.contains("dfdx-0.13.0/src/shapes/same_numel.rs"),
            "{c}"
        );
        for d in &compiled.failures {
            assert!(
                !d.message.contains("/root/") && !d.message.contains("src/p_"),
                "{d}"
            );
        }
        Ok(())
    }

    #[test]
    fn a_compile_fail_snippet_shows_rustcs_error_as_a_reader_sees_it() -> Result<()> {
        let plan = plan(BROKEN);
        let compiled = Replay::new(&plan).compile()?;
        let out = compile_fail_output(&plan, 4, &compiled.first).expect("rustc's error");
        assert!(
            out.text
                .starts_with("error[E0382]: borrow of moved value: `v`\n --> src/main.rs:4:22\n"),
            "{}",
            out.text
        );
        assert!(!out.text.contains("src/bin/"), "{}", out.text);
        // Only its own bin's errors, not the warning's or another target's.
        assert!(
            !out.text.contains("unused variable") && !out.text.contains("E0308"),
            "{}",
            out.text
        );

        // One that compiled is a failure at its fence.
        let compiled_anyway = BuildResult {
            compiled_bins: vec![compile_fail_id(&plan.snippets[4])],
            ..BuildResult::default()
        };
        let d = compile_fail_output(&plan, 4, &compiled_anyway).unwrap_err();
        assert_eq!(d.location.to_string(), "book/ch.md:26");
        assert!(d.message.contains("compiled without error"));
        Ok(())
    }
}
