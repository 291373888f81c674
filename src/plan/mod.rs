//! The plan: what to run and under which key. Input: the book's chapters;
//! output: every snippet with its store key, and the programs that run them
//! with their generated code, line maps, rules and timeouts. Every mode
//! starts here, and so does the device check (the runnable part as JSON).

pub mod codegen;
pub mod key;

use crate::markdown::attrs::Kind;
use crate::markdown::attrs::Rules;
use crate::markdown::snippet::{self, Diagnostic, Location, Snippet};
use crate::plan::codegen::CellLines;
use crate::plan::key::KeyEnv;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A chapter's source, as mdBook loaded it.
#[derive(Debug, Clone)]
pub struct ChapterSource {
    /// Relative to the book's source directory.
    pub path: PathBuf,
    pub content: String,
}

/// A snippet with its chapter and key.
#[derive(Debug, Clone)]
pub struct BookSnippet {
    /// Index into the book's chapters.
    pub chapter: usize,
    pub snippet: Snippet,
    /// None for `ignore` snippets.
    pub key: Option<String>,
}

impl BookSnippet {
    pub fn rules(&self) -> Rules {
        self.snippet.attrs.rules()
    }
}

/// A book, prepared: nothing has been compiled or run yet.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Chapter paths, relative to the book's source directory.
    pub chapters: Vec<PathBuf>,
    pub snippets: Vec<BookSnippet>,
    /// The registry's programs: every `Run`, `NoRun` and `ShouldPanic` snippet
    /// or session.
    pub programs: Vec<Program>,
    /// `compile_fail` snippets, by index into `snippets`.
    pub compile_fail: Vec<usize>,
    /// Bad attributes, sessions that cannot be: found before anything runs.
    pub problems: Vec<Diagnostic>,
}

/// What runs in one child process: a snippet, or every cell of a session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Program {
    /// The registry's name for it (its module, and its first argument).
    pub id: String,
    /// `Run`, `NoRun` or `ShouldPanic` (a session is always `Run`).
    pub kind: Kind,
    /// The snippet brings its own `fn main` (not wrapped in one).
    pub own_main: bool,
    pub cells: Vec<Cell>,
    /// Its module in the registry crate, generated once here (a device
    /// plan's JSON leaves it out: its registry was built elsewhere).
    #[serde(skip)]
    pub code: String,
}

/// One snippet of a program.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cell {
    /// Index into the plan's snippets (meaningless in a plan read back from JSON).
    #[serde(skip)]
    pub snippet: usize,
    /// Where the snippet's fence opens.
    pub location: Location,
    /// The markdown line of its first code line.
    pub code_line: usize,
    /// Where its code is in the generated module.
    pub lines: CellLines,
    /// The chapter, relative to the book's source folder (the store's subfolder).
    pub chapter: PathBuf,
    pub key: String,
    pub rules: Rules,
    pub timeout_s: u64,
    /// How many figures its info string declares.
    pub figures: usize,
}

impl Program {
    /// The book's `file:line` of line `line` of the generated module.
    pub fn book_line(&self, line: usize) -> Location {
        let (cell, in_cell) = codegen::cell_of(&self.lines(), line).unwrap_or((0, 0));
        let c = &self.cells[cell];
        Location {
            file: c.location.file.clone(),
            line: c.code_line + in_cell,
        }
    }

    fn lines(&self) -> Vec<CellLines> {
        self.cells.iter().map(|c| c.lines.clone()).collect()
    }

    /// The generated module's file name, as compiler and panic messages name it.
    pub fn file(&self) -> String {
        format!("src/{}.rs", self.id)
    }
}

/// What a device check runs (`device-plan` writes it as JSON): the runnable
/// programs, and where the store is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevicePlan {
    /// The store, relative to the workspace root (absolute if outside it).
    pub store: PathBuf,
    pub programs: Vec<Program>,
}

impl Plan {
    /// Parses the chapters, groups snippets into programs and keys them.
    /// `display` names a chapter in messages (`book/ch.md`).
    pub fn new(
        chapters: &[ChapterSource],
        display: impl Fn(&Path) -> PathBuf,
        env: &KeyEnv,
        default_timeout_s: u64,
    ) -> Plan {
        let mut problems = Vec::new();
        let mut snippets = Vec::new();
        for (i, ch) in chapters.iter().enumerate() {
            let (found, errors) = snippet::parse_chapter(&display(&ch.path), &ch.content);
            problems.extend(errors);
            snippets.extend(found.into_iter().map(|snippet| BookSnippet {
                chapter: i,
                snippet,
                key: None,
            }));
        }
        let plain: Vec<Snippet> = snippets.iter().map(|s| s.snippet.clone()).collect();
        let (groups, errors) = snippet::programs(&plain);
        problems.extend(errors);
        assign_keys(&mut snippets, &groups, env);
        let mut plan = Plan {
            chapters: chapters.iter().map(|c| c.path.clone()).collect(),
            compile_fail: (0..snippets.len())
                .filter(|&i| snippets[i].snippet.attrs.kind == Kind::CompileFail)
                .collect(),
            snippets,
            programs: Vec::new(),
            problems,
        };
        let mut ids = Vec::new();
        for group in &groups {
            let program = plan.program(&group.cells, &mut ids, default_timeout_s);
            plan.programs.push(program);
        }
        plan
    }

    fn program(&self, cells: &[usize], ids: &mut Vec<String>, timeout_s: u64) -> Program {
        let key = |i: usize| self.snippets[i].key.clone().unwrap_or_default();
        let id = unique_id("p", &key(*cells.last().expect("a program has cells")), ids);
        let codes: Vec<&str> = (cells.iter())
            .map(|&i| self.snippets[i].snippet.code.as_str())
            .collect();
        let (code, lines) = codegen::program_file(&codes);
        let first = &self.snippets[cells[0]].snippet;
        Program {
            id,
            kind: first.attrs.kind.clone(),
            own_main: cells.len() == 1 && snippet::has_main(&first.code),
            cells: (cells.iter().zip(lines))
                .map(|(&i, lines)| {
                    let s = &self.snippets[i];
                    Cell {
                        snippet: i,
                        location: s.snippet.location.clone(),
                        code_line: s.snippet.code_line,
                        lines,
                        chapter: self.chapters[s.chapter].clone(),
                        key: key(i),
                        rules: s.rules(),
                        timeout_s: s.snippet.attrs.timeout_s.unwrap_or(timeout_s),
                        figures: s.snippet.attrs.figures.len(),
                    }
                })
                .collect(),
            code,
        }
    }

    /// The chapter of a snippet, relative to the book's source directory.
    pub fn chapter_of(&self, snippet: usize) -> &Path {
        &self.chapters[self.snippets[snippet].chapter]
    }
}

/// The registry binary of a `compile_fail` snippet.
pub fn compile_fail_id(s: &BookSnippet) -> String {
    unique_id("cf", s.key.as_deref().unwrap_or_default(), &mut Vec::new())
}

/// `p_<first 12 key digits>`, with `_2`, `_3`... for a repeat in `taken`.
fn unique_id(prefix: &str, key: &str, taken: &mut Vec<String>) -> String {
    let short = key.get(..12).unwrap_or(key);
    let base = format!("{prefix}_{short}");
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}_{n}");
        n += 1;
    }
    taken.push(id.clone());
    id
}

fn assign_keys(snippets: &mut [BookSnippet], programs: &[snippet::Program], env: &KeyEnv) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(md: &str) -> Plan {
        let chapters = [ChapterSource {
            path: "ch.md".into(),
            content: md.into(),
        }];
        Plan::new(
            &chapters,
            |p| Path::new("book").join(p),
            &KeyEnv::fixed("env"),
            60,
        )
    }

    #[test]
    fn sessions_become_one_program_with_a_line_map() {
        let p = plan(
            "# T\n\n```rust,session=s\nlet a = 1;\n```\n\n```rust,compile_fail\nx\n```\n\n\
             ```rust,session=s,timeout=5\nlet b = a;\nprintln!(\"{b}\");\n```\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.programs.len(), 1);
        assert_eq!(p.compile_fail, vec![1]);
        let program = &p.programs[0];
        assert_eq!(program.kind, Kind::Run);
        assert!(!program.own_main);
        assert_eq!(program.cells.len(), 2);
        assert_eq!(program.cells[1].timeout_s, 5);
        assert_eq!(program.cells[0].timeout_s, 60);
        let second = program.cells[1].lines.first_line;
        assert_eq!(program.book_line(second + 1).to_string(), "book/ch.md:13");
        assert_eq!(
            program.id,
            format!("p_{}", &p.snippets[2].key.as_ref().unwrap()[..12])
        );
    }

    #[test]
    fn a_snippet_with_its_own_main_is_marked() {
        let p = plan("```rust,should_panic\nfn main() {\n    panic!(\"x\");\n}\n```\n");
        assert!(p.programs[0].own_main);
        assert_eq!(p.programs[0].kind, Kind::ShouldPanic);
    }

    #[test]
    fn ids_survive_short_keys_and_repeats() {
        let mut taken = Vec::new();
        assert_eq!(unique_id("p", "abc", &mut taken), "p_abc");
        assert_eq!(unique_id("p", "abc", &mut taken), "p_abc_2");
        assert_eq!(unique_id("cf", "", &mut taken), "cf_");
        assert_eq!(
            unique_id("p", "0123456789abcdef", &mut taken),
            "p_0123456789ab"
        );
    }
}
