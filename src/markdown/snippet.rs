//! Finding Rust snippets in a chapter, the way mdBook parses it.

use crate::markdown::attrs::{self, Attrs};
use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// mdBook's own parser options (`mdbook_markdown::new_cmark_parser` with its
/// defaults), plus math, which mdBook leaves off and we render ourselves.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
        | Options::ENABLE_MATH
}

pub fn parser(text: &str) -> Parser<'_> {
    Parser::new_ext(text, parser_options())
}

/// A place in a book source file, printed as `book/ch.md:12`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Something wrong at a place in the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Byte offsets to 1-based line numbers.
pub struct Lines(Vec<usize>);

impl Lines {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines(starts)
    }

    pub fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// One fenced Rust block of a chapter.
#[derive(Debug, Clone)]
pub struct Snippet {
    /// Where the fence opens (the file as `book/…`).
    pub location: Location,
    /// Line of the first code line in the markdown file.
    pub code_line: usize,
    /// Byte range of the info string, rewritten for mdBook.
    pub info: Range<usize>,
    /// Byte range of the whole fenced block; output goes after it.
    pub block: Range<usize>,
    pub attrs: Attrs,
    /// The code as compiled: hidden lines included, their `# ` removed.
    pub code: String,
}

/// Finds the Rust snippets of one chapter. `file` is how messages name it.
pub fn parse_chapter(file: &Path, text: &str) -> (Vec<Snippet>, Vec<Diagnostic>) {
    let lines = Lines::new(text);
    let mut snippets = Vec::new();
    let mut errors = Vec::new();
    let mut open: Option<(Range<usize>, Attrs, String)> = None;
    for (event, range) in parser(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                match attrs::parse(&info) {
                    Ok(Some(attrs)) => open = Some((range, attrs, String::new())),
                    Ok(None) => {}
                    Err(e) => errors.push(Diagnostic {
                        location: Location {
                            file: file.to_path_buf(),
                            line: lines.line_of(range.start),
                        },
                        message: format!("bad snippet attributes: {e}"),
                    }),
                }
            }
            Event::Text(t) => {
                if let Some((_, _, code)) = open.as_mut() {
                    code.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((block, attrs, raw)) = open.take() {
                    let line = lines.line_of(block.start);
                    snippets.push(Snippet {
                        location: Location {
                            file: file.to_path_buf(),
                            line,
                        },
                        code_line: line + 1,
                        info: info_range(text, &block),
                        block,
                        attrs,
                        code: unhide(&raw),
                    });
                }
            }
            _ => {}
        }
    }
    (snippets, errors)
}

/// The info string's byte range on the fence's first line.
fn info_range(text: &str, block: &Range<usize>) -> Range<usize> {
    let first_line_end = text[block.start..]
        .find('\n')
        .map_or(text.len(), |i| block.start + i);
    let line = &text[block.start..first_line_end];
    let fence_at = line.find(['`', '~']).unwrap_or(0);
    let fence_char = line.as_bytes()[fence_at];
    let after_fence = line[fence_at..]
        .find(|c: char| c as u32 != fence_char as u32)
        .map_or(line.len(), |i| fence_at + i);
    let info = &line[after_fence..];
    let start = after_fence + (info.len() - info.trim_start().len());
    let end = after_fence + info.trim_end().len();
    block.start + start..block.start + end.max(start)
}

/// Applies rustdoc's hidden-line rules: `# x` and `#` lines are compiled but
/// not shown; `##x` shows as `#x`.
pub fn unhide(code: &str) -> String {
    code.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed == "#" {
                ""
            } else if let Some(rest) = trimmed.strip_prefix("# ") {
                rest
            } else if trimmed.starts_with("##") {
                let indent = line.len() - trimmed.len();
                // Keep the indentation, drop one '#'.
                return format!("{}{}", &line[..indent], &trimmed[1..]);
            } else {
                line
            }
            .to_string()
        })
        .map(|l| l + "\n")
        .collect()
}

/// Whether the code defines its own `fn main`, as rustdoc decides it.
pub fn has_main(code: &str) -> bool {
    code.match_indices("fn main").any(|(i, _)| {
        let before_ok = i == 0 || !is_ident(code.as_bytes()[i - 1]);
        let after = code[i + "fn main".len()..].trim_start();
        before_ok && (after.starts_with('(') || after.starts_with('<'))
    })
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// What runs in one child process: a standalone snippet or a whole session.
#[derive(Debug, Clone)]
pub struct Program {
    /// Indices into the book's snippet list, in reading order.
    pub cells: Vec<usize>,
}

/// Groups a book's snippets (in reading order) into programs: each session
/// of a chapter is one program, every other snippet in the registry its own.
pub fn programs(snippets: &[Snippet]) -> (Vec<Program>, Vec<Diagnostic>) {
    let mut programs: Vec<Program> = Vec::new();
    let mut sessions: Vec<((PathBuf, String), usize)> = Vec::new();
    let mut errors = Vec::new();
    for (i, s) in snippets.iter().enumerate() {
        if !s.attrs.kind.in_registry() {
            continue;
        }
        let Some(name) = &s.attrs.session else {
            programs.push(Program { cells: vec![i] });
            continue;
        };
        if has_main(&s.code) {
            errors.push(Diagnostic {
                location: s.location.clone(),
                message: format!(
                    "a cell of session `{name}` cannot define `fn main`: cells run in one shared main"
                ),
            });
            continue;
        }
        let key = (s.location.file.clone(), name.clone());
        match sessions.iter().find(|(k, _)| *k == key) {
            Some((_, p)) => programs[*p].cells.push(i),
            None => {
                sessions.push((key, programs.len()));
                programs.push(Program { cells: vec![i] });
            }
        }
    }
    (programs, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::attrs::Kind;

    const CHAPTER: &str = "# Title\n\
\n\
Some prose with `inline code`.\n\
\n\
```rust\n\
# use std::fmt;\n\
let x = 1;\n\
##[derive(Debug)]\n\
#\n\
println!(\"{x}\");\n\
```\n\
\n\
```text\n\
not rust\n\
```\n\
\n\
~~~~rust ,no_run  \n\
fn main() {}\n\
~~~~\n\
\n\
```rust,frobnicate\n\
```\n";

    #[test]
    fn finds_rust_snippets_with_lines_and_ranges() {
        let (snippets, errors) = parse_chapter(Path::new("book/ch.md"), CHAPTER);
        assert_eq!(snippets.len(), 2);
        let a = &snippets[0];
        assert_eq!(a.location.to_string(), "book/ch.md:5");
        assert_eq!(a.code_line, 6);
        assert_eq!(&CHAPTER[a.info.clone()], "rust");
        assert_eq!(
            a.code,
            "use std::fmt;\nlet x = 1;\n#[derive(Debug)]\n\nprintln!(\"{x}\");\n"
        );
        assert!(CHAPTER[a.block.clone()].trim_end().ends_with("```"));
        assert!(CHAPTER[a.block.clone()].starts_with("```rust\n"));
        let b = &snippets[1];
        assert_eq!(b.location.line, 17);
        assert_eq!(&CHAPTER[b.info.clone()], "rust ,no_run");
        assert_eq!(b.attrs.kind, Kind::NoRun);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].to_string().starts_with(
                "book/ch.md:21: bad snippet attributes: unknown attribute `frobnicate`"
            ),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn our_options_are_mdbooks_plus_math() {
        let text = "a *b* | c\n--|--\n1|2\n\n- [x] t\n\n\"q\" -- x[^1]\n\n[^1]: n\n\nterm\n: def\n\n> [!NOTE]\n> n\n";
        let ours: Vec<_> = parser(text).collect();
        let mdbooks: Vec<_> =
            mdbook_markdown::new_cmark_parser(text, &Default::default()).collect();
        assert_eq!(ours, mdbooks);
    }

    #[test]
    fn main_detection() {
        assert!(has_main("fn main() {}"));
        assert!(has_main("use x;\nfn main () -> Result<(), E> {}"));
        assert!(!has_main("fn main_loop() {}"));
        assert!(!has_main("fn domain() {}"));
    }

    #[test]
    fn sessions_group_cells_per_chapter() {
        let md = "```rust,session=s\nlet a = 1;\n```\n\n```rust\n1;\n```\n\n```rust,session=s\nlet b = a;\n```\n\n```rust,compile_fail\nx\n```\n";
        let (mut snippets, _) = parse_chapter(Path::new("a.md"), md);
        let (other, _) = parse_chapter(Path::new("b.md"), md);
        snippets.extend(other);
        let (programs, errors) = programs(&snippets);
        assert!(errors.is_empty());
        let cells: Vec<_> = programs.iter().map(|p| p.cells.clone()).collect();
        assert_eq!(cells, vec![vec![0, 2], vec![1], vec![4, 6], vec![5]]);
    }

    #[test]
    fn session_cells_cannot_have_main() {
        let md = "```rust,session=s\nfn main() {}\n```\n";
        let (snippets, _) = parse_chapter(Path::new("a.md"), md);
        let (_, errors) = programs(&snippets);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .to_string()
                .starts_with("a.md:1: a cell of session")
        );
    }
}
