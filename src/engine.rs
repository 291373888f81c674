//! Orchestration: from a book's chapters to every snippet's output, in one of
//! three modes (build, verify, bless), reporting every failure by file:line.

use crate::attrs::Kind;
use crate::compare::{self, Rules};
use crate::device::{Plan, PlannedCell, PlannedProgram};
use crate::key::{KeyEnv, WorkspaceCrate};
use crate::registry::{self, BuildResult, ProgramSource, Registry};
use crate::runner::{self, Ending, RunRequest};
use crate::snippet::{self, Diagnostic, Location, Program, Snippet};
use crate::store::{Output, Store};
use anyhow::{Context, Result};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A chapter's source, as mdBook loaded it.
#[derive(Debug, Clone)]
pub struct ChapterSource {
    /// Relative to the book's source directory.
    pub path: PathBuf,
    pub content: String,
}

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

/// A snippet with its chapter and key.
#[derive(Debug, Clone)]
pub struct BookSnippet {
    pub chapter: usize,
    pub snippet: Snippet,
    /// None for `ignore` snippets.
    pub key: Option<String>,
}

/// The outcome for the whole book.
#[derive(Debug, Default)]
pub struct Report {
    pub snippets: Vec<BookSnippet>,
    /// Per snippet, in the same order; None where there is nothing to show.
    pub outputs: Vec<Option<(Output, Origin)>>,
    /// Snippets that did not compile, panicked, timed out, ...; bad attributes.
    pub failures: Vec<Diagnostic>,
    /// Verify: outputs differing from the store.
    pub mismatches: Vec<Diagnostic>,
    /// Verify: snippets with no stored output yet.
    pub missing: Vec<Location>,
    /// Verify: store files no snippet uses. Bless: the ones it removed.
    pub orphans: Vec<PathBuf>,
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

    /// Outputs of runs that are not in the store yet.
    pub fn cache(&self) -> Store {
        Store::new(self.work_dir.join("cache"))
    }

    /// How a chapter is named in messages: relative to the workspace root.
    pub fn display_path(&self, chapter: &Path) -> PathBuf {
        let src = self
            .src_dir
            .strip_prefix(&self.root)
            .unwrap_or(&self.src_dir);
        src.join(chapter)
    }

    pub fn process(&self, chapters: &[ChapterSource], mode: Mode) -> Result<Report> {
        let (mut report, programs, env) = self.prepare(chapters)?;

        let chapter_of = |s: &BookSnippet| chapters[s.chapter].path.clone();
        // Only a build reuses outputs; verify and bless run everything.
        let mut todo = Todo::default();
        for (p, program) in programs.iter().enumerate() {
            let found =
                mode == Mode::Build && self.lookup_all(&mut report, &program.cells, &chapter_of)?;
            if !found && self.may_run(chapters, &report.snippets[program.cells[0]]) {
                todo.programs.push(p);
            }
        }
        for i in 0..report.snippets.len() {
            if report.snippets[i].snippet.attrs.kind != Kind::CompileFail {
                continue;
            }
            let found = mode == Mode::Build && self.lookup_all(&mut report, &[i], &chapter_of)?;
            if !found && self.may_run(chapters, &report.snippets[i]) {
                todo.compile_fail.push(i);
            }
        }
        if !todo.is_empty() {
            self.execute(&mut report, &programs, &todo, &env.crates)?;
        }
        self.settle(&mut report, chapters, mode)?;
        // An author building one chapter is not stopped by another's problems.
        report.failures.retain(|d| self.selected(&d.location.file));
        Ok(report)
    }

    /// Parses the chapters, groups snippets into programs and keys them.
    fn prepare(&self, chapters: &[ChapterSource]) -> Result<(Report, Vec<Program>, KeyEnv)> {
        let mut report = Report::default();
        for (i, ch) in chapters.iter().enumerate() {
            let (snippets, errors) =
                snippet::parse_chapter(&self.display_path(&ch.path), &ch.content);
            report.failures.extend(errors);
            report
                .snippets
                .extend(snippets.into_iter().map(|snippet| BookSnippet {
                    chapter: i,
                    snippet,
                    key: None,
                }));
        }
        let plain: Vec<Snippet> = report.snippets.iter().map(|s| s.snippet.clone()).collect();
        let (programs, errors) = snippet::programs(&plain);
        report.failures.extend(errors);
        let env = KeyEnv::compute(&self.root, &self.features)?;
        assign_keys(&mut report.snippets, &programs, &env);
        report.outputs = vec![None; report.snippets.len()];
        Ok((report, programs, env))
    }

    /// Writes the registry crate for the whole book, as a build would, and
    /// returns what a device check must run: every runnable program, with
    /// its cells' store keys as this build computes them.
    pub fn device_plan(&self, chapters: &[ChapterSource]) -> Result<Plan> {
        let (report, programs, env) = self.prepare(chapters)?;
        anyhow::ensure!(
            report.failures.is_empty(),
            "the book has problems; fix them first:\n{}",
            report.problems(Mode::Build)
        );
        let ids = program_ids(&report, &programs);
        let sources: Vec<ProgramSource> = programs
            .iter()
            .zip(&ids)
            .map(|(p, id)| program_source(&report, p, id))
            .collect();
        let mut registry = self.registry();
        registry.write(&sources, &[], &env.crates)?;
        let store = self.src_dir.join("outputs");
        let mut plan = Plan {
            store: store
                .strip_prefix(&self.root)
                .unwrap_or(&store)
                .to_path_buf(),
            programs: Vec::new(),
        };
        for (program, id) in programs.iter().zip(&ids) {
            let kind = &report.snippets[program.cells[0]].snippet.attrs.kind;
            if !matches!(kind, Kind::Run | Kind::ShouldPanic) {
                continue;
            }
            let lines = registry.cells(id);
            let cells = program.cells.iter().enumerate().map(|(c, &i)| {
                let s = &report.snippets[i];
                PlannedCell {
                    location: s.snippet.location.clone(),
                    code_line: s.snippet.code_line,
                    lines: lines[c].clone(),
                    chapter: chapters[s.chapter].path.clone(),
                    key: s.key.clone().unwrap_or_default(),
                    tolerance: s.snippet.attrs.tolerance,
                    timing: s.snippet.attrs.timing,
                    timeout_s: s
                        .snippet
                        .attrs
                        .timeout_s
                        .unwrap_or(self.default_timeout.as_secs()),
                }
            });
            plan.programs.push(PlannedProgram {
                id: id.clone(),
                should_panic: *kind == Kind::ShouldPanic,
                cells: cells.collect(),
            });
        }
        Ok(plan)
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

    /// Builds the registry crate that [`Engine::device_plan`] wrote, with
    /// this engine's features (`cuda` from `cargo run --features cuda`), and
    /// returns the binary.
    pub fn build_registry(&self) -> Result<PathBuf> {
        let built = self.registry().build(&[])?;
        match built.executable {
            Some(exe) => Ok(exe),
            None => {
                let errors: String = built.errors.iter().map(|e| e.rendered.as_str()).collect();
                anyhow::bail!("the snippet registry did not build:\n{errors}")
            }
        }
    }

    /// Whether the snippet's chapter is one the build may run (`run_only`).
    fn may_run(&self, chapters: &[ChapterSource], s: &BookSnippet) -> bool {
        self.selected(&self.display_path(&chapters[s.chapter].path))
    }

    /// Whether a chapter (as messages name it) is one `run_only` selects.
    fn selected(&self, file: &Path) -> bool {
        self.run_only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| file.ends_with(o) || o.ends_with(file)))
    }

    /// Fills outputs from the store or the cache; false if any cell is missing.
    fn lookup_all(
        &self,
        report: &mut Report,
        cells: &[usize],
        chapter_of: &impl Fn(&BookSnippet) -> PathBuf,
    ) -> Result<bool> {
        let mut found = Vec::new();
        for &i in cells {
            let s = &report.snippets[i];
            let key = s.key.as_deref().context("registry snippet without key")?;
            let chapter = chapter_of(s);
            let hit = match self.store().load(&chapter, key)? {
                Some(o) => Some((o, Origin::Store)),
                None => self
                    .cache()
                    .load(&chapter, key)?
                    .map(|o| (o, Origin::Cache)),
            };
            match hit {
                Some(hit) => found.push((i, hit)),
                None => return Ok(false),
            }
        }
        for (i, hit) in found {
            report.outputs[i] = Some(hit);
        }
        Ok(true)
    }

    /// Compiles the registry and runs what `todo` lists.
    fn execute(
        &self,
        report: &mut Report,
        programs: &[Program],
        todo: &Todo,
        crates: &[WorkspaceCrate],
    ) -> Result<()> {
        let mut registry = self.registry();
        let ids = program_ids(report, programs);
        let mut included: Vec<usize> = (0..programs.len())
            .filter(|&p| self.run_only.is_none() || todo.programs.contains(&p))
            .collect();
        let cf: Vec<(String, &str)> = todo
            .compile_fail
            .iter()
            .map(|&i| {
                (
                    cf_id(&report.snippets[i]),
                    report.snippets[i].snippet.code.as_str(),
                )
            })
            .collect();
        let bins: Vec<String> = cf.iter().map(|(id, _)| id.clone()).collect();
        let mut built = self.build(
            &mut registry,
            report,
            programs,
            &ids,
            &included,
            &cf,
            crates,
            &bins,
        )?;
        self.compile_fail_outputs(report, &todo.compile_fail, &built);
        let broken = self.blame_compile_errors(report, programs, &ids, &registry, &built);
        if built.executable.is_none() && !broken.is_empty() {
            included.retain(|p| !broken.contains(p));
            built = self.build(
                &mut registry,
                report,
                programs,
                &ids,
                &included,
                &[],
                crates,
                &[],
            )?;
            self.blame_compile_errors(report, programs, &ids, &registry, &built);
        }
        let Some(exe) = built.executable.clone() else {
            if included.is_empty() || todo.programs.iter().all(|p| broken.contains(p)) {
                return Ok(());
            }
            anyhow::bail!("the snippet registry did not build, and no snippet was blamed");
        };
        for &p in &todo.programs {
            if included.contains(&p) && !broken.contains(&p) {
                self.run_program(report, &programs[p], &ids[p], &exe, &registry)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        registry: &mut Registry,
        report: &Report,
        programs: &[Program],
        ids: &[String],
        included: &[usize],
        cf: &[(String, &str)],
        crates: &[crate::key::WorkspaceCrate],
        bins: &[String],
    ) -> Result<BuildResult> {
        let sources: Vec<ProgramSource> = included
            .iter()
            .map(|&p| program_source(report, &programs[p], &ids[p]))
            .collect();
        registry.write(&sources, cf, crates)?;
        if !self.quiet {
            eprintln!(
                "nnblocks: compiling {} snippet program(s) and {} compile_fail snippet(s)",
                sources.len(),
                cf.len()
            );
        }
        registry.build(bins)
    }

    fn compile_fail_outputs(&self, report: &mut Report, cf: &[usize], built: &BuildResult) {
        for &i in cf {
            let id = cf_id(&report.snippets[i]);
            let file = format!("src/bin/{id}.rs");
            let errors: Vec<String> = built
                .errors
                .iter()
                .filter(|e| e.id == id)
                .map(|e| {
                    registry::rewrite_locations(&e.rendered, &file, |l| format!("src/main.rs:{l}"))
                })
                .collect();
            let location = report.snippets[i].snippet.location.clone();
            if built.compiled_bins.contains(&id) || errors.is_empty() {
                report.failures.push(Diagnostic {
                    location,
                    message: "compile_fail snippet compiled without error".into(),
                });
            } else {
                let text = errors.concat();
                report.outputs[i] = Some((
                    Output {
                        text,
                        figures: vec![],
                    },
                    Origin::Fresh,
                ));
            }
            report.programs_run += 1;
        }
    }

    /// Turns registry compile errors into failures at the snippet's line;
    /// returns the programs that failed to compile.
    fn blame_compile_errors(
        &self,
        report: &mut Report,
        programs: &[Program],
        ids: &[String],
        registry: &Registry,
        built: &BuildResult,
    ) -> Vec<usize> {
        let mut broken = Vec::new();
        let mut messages: HashMap<usize, (Location, String)> = HashMap::new();
        for e in built.errors.iter().filter(|e| !e.id.starts_with("cf_")) {
            let Some(p) = ids.iter().position(|id| *id == e.id) else {
                continue;
            };
            let (cell, line) = e.cell.unwrap_or((0, 0));
            let snippet = &report.snippets[programs[p].cells[cell]].snippet;
            let location = Location {
                file: snippet.location.file.clone(),
                line: snippet.code_line + line,
            };
            let file = format!("src/{}.rs", e.id);
            let rendered = registry::rewrite_locations(&e.rendered, &file, |l| {
                let (c, in_cell) = registry.cell_of(&e.id, l).unwrap_or((0, 0));
                let s = &report.snippets[programs[p].cells[c]].snippet;
                format!("{}:{}", s.location.file.display(), s.code_line + in_cell)
            });
            let entry = messages.entry(p).or_insert((location, String::new()));
            entry.1.push_str(&rendered);
            if !broken.contains(&p) {
                broken.push(p);
            }
        }
        let mut sorted: Vec<_> = messages.into_values().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (location, text) in sorted {
            report.failures.push(Diagnostic {
                location,
                message: format!("snippet does not compile:\n{text}"),
            });
        }
        broken
    }

    fn run_program(
        &self,
        report: &mut Report,
        program: &Program,
        id: &str,
        exe: &Path,
        registry: &Registry,
    ) -> Result<()> {
        let first = &report.snippets[program.cells[0]].snippet;
        let kind = first.attrs.kind.clone();
        if kind == Kind::NoRun {
            report.outputs[program.cells[0]] = Some((Output::default(), Origin::Fresh));
            return Ok(());
        }
        let timeouts = program
            .cells
            .iter()
            .map(|&i| {
                report.snippets[i]
                    .snippet
                    .attrs
                    .timeout_s
                    .map_or(self.default_timeout, Duration::from_secs)
            })
            .collect();
        let run = runner::run(&RunRequest {
            executable: exe,
            program: id,
            figure_dir: self.work_dir.join("figures").join(id),
            timeouts,
            output_limit: self.output_limit,
        })?;
        report.programs_run += 1;
        let last = run.last_cell().min(program.cells.len() - 1);
        let cell_loc = |c: usize| report.snippets[program.cells[c]].snippet.location.clone();
        let ok_cells = match (&run.ending, &kind) {
            (Ending::Success, Kind::ShouldPanic) => {
                report.failures.push(Diagnostic {
                    location: cell_loc(0),
                    message: "should_panic snippet finished without panicking".into(),
                });
                0
            }
            (Ending::Success, _) => run.cells.len(),
            (Ending::Panicked, Kind::ShouldPanic) => {
                let mut out = run.cells.into_iter().next().unwrap_or_default();
                let first_line = registry.cells(id).first().map_or(1, |c| c.first_line);
                out.text
                    .push_str(&panic_message(&run.stderr, id, first_line));
                report.outputs[program.cells[0]] = Some((out, Origin::Fresh));
                return Ok(());
            }
            (ending, _) => {
                let snippet = &report.snippets[program.cells[last]].snippet;
                let (location, stderr) = self
                    .locate_panic(&run.stderr, registry, id, program, report)
                    .unwrap_or((snippet.location.clone(), run.stderr.clone()));
                report.failures.push(Diagnostic {
                    location,
                    message: format!("{}\n{}", describe(ending), indent(&stderr)),
                });
                last
            }
        };
        for (c, out) in run.cells.into_iter().enumerate().take(ok_cells) {
            let i = program.cells[c];
            let declared = report.snippets[i].snippet.attrs.figures.len();
            if out.figures.len() != declared {
                report.failures.push(Diagnostic {
                    location: report.snippets[i].snippet.location.clone(),
                    message: format!(
                        "the snippet showed {} figure(s) but its info string declares {declared} (figure=LABEL caption=\"...\" for each)",
                        out.figures.len()
                    ),
                });
                continue;
            }
            report.outputs[i] = Some((out, Origin::Fresh));
        }
        Ok(())
    }

    /// The markdown line of a panic inside the program, with stderr rewritten.
    fn locate_panic(
        &self,
        stderr: &str,
        registry: &Registry,
        id: &str,
        program: &Program,
        report: &Report,
    ) -> Option<(Location, String)> {
        let file = format!("src/{id}.rs");
        let at = stderr.find(&format!("{file}:"))?;
        let digits: String = stderr[at + file.len() + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let (cell, line) = registry.cell_of(id, digits.parse().ok()?)?;
        let s = &report.snippets[program.cells[cell]].snippet;
        let location = Location {
            file: s.location.file.clone(),
            line: s.code_line + line,
        };
        let rewritten = registry::rewrite_locations(stderr, &file, |l| {
            let (c, in_cell) = registry.cell_of(id, l).unwrap_or((0, 0));
            let s = &report.snippets[program.cells[c]].snippet;
            format!("{}:{}", s.location.file.display(), s.code_line + in_cell)
        });
        Some((location, rewritten))
    }

    /// Applies the mode: cache, compare with or write the store.
    fn settle(&self, report: &mut Report, chapters: &[ChapterSource], mode: Mode) -> Result<()> {
        let store = self.store();
        let mut used: BTreeSet<PathBuf> = BTreeSet::new();
        for (i, s) in report.snippets.iter().enumerate() {
            let (Some(key), Some((out, origin))) = (&s.key, &report.outputs[i]) else {
                if let Some(key) = &s.key {
                    used.insert(store.chapter_dir(&chapters[s.chapter].path).join(key));
                }
                continue;
            };
            let chapter = &chapters[s.chapter].path;
            used.insert(store.chapter_dir(chapter).join(key));
            if *origin != Origin::Fresh {
                continue;
            }
            match mode {
                Mode::Build => self.cache().save(chapter, key, out)?,
                // What still matches is left alone: re-blessing does not churn
                // timings or last digits.
                Mode::Bless => {
                    let stored = store.load(chapter, key)?;
                    if stored.is_none_or(|st| compare::compare(&st, out, rules_of(s)).is_some()) {
                        store.save(chapter, key, out)?;
                    }
                }
                Mode::Verify => match store.load(chapter, key)? {
                    None => report.missing.push(s.snippet.location.clone()),
                    Some(stored) => {
                        if let Some(why) = compare::compare(&stored, out, rules_of(s)) {
                            report.mismatches.push(Diagnostic {
                                location: s.snippet.location.clone(),
                                message: format!(
                                    "output is not what the book stores ({} {key}):\n{why}",
                                    store.chapter_dir(chapter).display()
                                ),
                            });
                        }
                    }
                },
            }
        }
        if mode != Mode::Build {
            report.orphans = store
                .files()?
                .into_iter()
                .filter(|f| {
                    let dir = f.parent().unwrap_or(Path::new(""));
                    let key = Store::key_of(f).unwrap_or_default();
                    let in_scope =
                        !self.partial || chapters.iter().any(|c| store.chapter_dir(&c.path) == dir);
                    in_scope && !used.contains(&dir.join(key))
                })
                .collect();
        }
        if mode == Mode::Bless && report.failures.is_empty() {
            for f in &report.orphans {
                std::fs::remove_file(f).with_context(|| format!("removing {}", f.display()))?;
            }
        }
        Ok(())
    }
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

fn rules_of(s: &BookSnippet) -> Rules {
    Rules {
        tolerance: s.snippet.attrs.tolerance,
        timing: s.snippet.attrs.timing,
    }
}

fn assign_keys(snippets: &mut [BookSnippet], programs: &[Program], env: &KeyEnv) {
    for program in programs {
        let kind = snippets[program.cells[0]].snippet.attrs.kind.clone();
        let mut codes: Vec<String> = Vec::new();
        for &i in &program.cells {
            codes.push(snippets[i].snippet.code.clone());
            let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
            snippets[i].key = Some(env.key(&refs, &kind));
        }
    }
    for s in snippets.iter_mut() {
        if s.snippet.attrs.kind == Kind::CompileFail {
            s.key = Some(env.key(&[&s.snippet.code], &Kind::CompileFail));
        }
    }
}

/// A program's code for the registry: its cells in reading order.
fn program_source<'a>(report: &'a Report, program: &Program, id: &str) -> ProgramSource<'a> {
    ProgramSource {
        id: id.to_string(),
        cells: program
            .cells
            .iter()
            .map(|&i| report.snippets[i].snippet.code.as_str())
            .collect(),
    }
}

/// Module names for programs: from their last cell's key, deduplicated.
fn program_ids(report: &Report, programs: &[Program]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for p in programs {
        let last = &report.snippets[*p.cells.last().expect("program has cells")];
        let base = format!("p_{}", &last.key.as_deref().unwrap_or("none")[..12]);
        let mut id = base.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        ids.push(id);
    }
    ids
}

fn cf_id(s: &BookSnippet) -> String {
    format!("cf_{}", &s.key.as_deref().unwrap_or("none")[..12])
}

pub(crate) fn describe(ending: &Ending) -> String {
    match ending {
        Ending::Success => "finished".into(),
        Ending::Panicked => "snippet panicked:".into(),
        Ending::Failed(why) => format!("snippet failed: {why}; stderr:"),
        Ending::TimedOut { after, .. } => format!(
            "snippet timed out after {} s (raise it with timeout=SECONDS); stderr:",
            after.as_secs_f64()
        ),
        Ending::TooMuchOutput { limit } => format!(
            "snippet printed more than {} KiB and was stopped; stderr:",
            limit / 1024
        ),
    }
}

pub(crate) fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// The panic as a reader running the snippet as `src/main.rs` would see it,
/// without thread ids or the backtrace hint.
pub(crate) fn panic_message(stderr: &str, id: &str, first_line: usize) -> String {
    let file = format!("src/{id}.rs");
    let text = registry::rewrite_locations(stderr, &file, |l| {
        format!("src/main.rs:{}", (l + 2).saturating_sub(first_line))
    });
    text.lines()
        .filter(|l| !l.starts_with("note: run with `RUST_BACKTRACE=1`"))
        .map(|l| strip_thread_id(l) + "\n")
        .collect()
}

/// `thread 'main' (12345) panicked at` -> `thread 'main' panicked at`.
fn strip_thread_id(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("thread '")
        && let Some(q) = rest.find("' (")
        && let Some(close) = rest[q + 3..].find(')')
        && rest[q + 3..q + 3 + close]
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return format!("thread '{}'{}", &rest[..q], &rest[q + 3 + close + 1..]);
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_ids_are_removed() {
        assert_eq!(
            strip_thread_id("thread 'main' (4242) panicked at src/main.rs:3:1:"),
            "thread 'main' panicked at src/main.rs:3:1:"
        );
        assert_eq!(
            strip_thread_id("thread 'main' panicked at x"),
            "thread 'main' panicked at x"
        );
    }
}
