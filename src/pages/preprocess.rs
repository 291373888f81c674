//! The mdBook preprocessor: runs the engine over the book, then splices
//! outputs, figures, figure references and MathML into each chapter by byte
//! range. A chapter is never re-serialized: what is not replaced stays as
//! the author wrote it.

use crate::engine::Engine;
use crate::markdown::attrs;
use crate::markdown::directive::{Directive, DirectiveAt, directives};
use crate::markdown::snippet::{self, Diagnostic, Lines, Location, Snippet};
use crate::pages::config;
use crate::pages::exercises::{self, Exercise};
use crate::pages::figures::{Figures, figure_link, figure_list, number_figures};
use crate::pages::lint::{self, Prose};
use crate::pages::math;
use crate::pages::page::{chapter_number, page_title, relative_url};
use crate::pages::particle;
use crate::pages::render::{self, PlacedArray, PlacedFigure};
use crate::pages::values::{self, PageValues};
use crate::plan::ChapterSource;
use crate::verify::report::Report;
use crate::verify::settle::{Mode, Origin};
use anyhow::{Result, bail};
use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::pages::config::{NAME, Nnblocks};

impl Preprocessor for Nnblocks {
    fn name(&self) -> &str {
        NAME
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        let (engine, settings) = config::engine(self, &ctx.root, &ctx.config)?;
        let chapters = chapters(&book);
        let report = engine.process(&chapters, Mode::Build)?;
        if !report.failures.is_empty() && !self.show_problems {
            bail!(
                "{} snippet problem(s):\n\n{}",
                report.failures.len(),
                report.problems(Mode::Build)
            );
        }
        let not_stored = report
            .outputs
            .iter()
            .flatten()
            .filter(|(_, o)| *o != Origin::Store)
            .count();
        if not_stored > 0 && !self.quiet {
            eprintln!(
                "nnblocks: {not_stored} output(s) are not in the store yet (shown from target/); \
                 review them, then `cargo run -- bless`"
            );
        }
        let (mut spliced, prose) = splice_book(
            &engine,
            &chapters,
            &report,
            &settings.prose_numbers,
            self.show_problems,
        )?;
        if !prose.is_empty() && !self.show_problems {
            let list: Vec<String> = prose.iter().map(ToString::to_string).collect();
            bail!(
                "{} problem(s) in the book's prose:\n{}",
                prose.len(),
                list.join("\n")
            );
        }
        if self.show_problems && !self.quiet {
            let count = report.failures.len() + prose.len();
            if count > 0 {
                eprintln!("nnblocks: {count} problem(s), shown in the pages");
            }
        }
        book.for_each_chapter_mut(|ch| {
            if let Some(content) = ch.source_path.as_ref().and_then(|p| spliced.remove(p)) {
                ch.content = content;
            }
        });
        Ok(book)
    }

    fn supports_renderer(&self, _renderer: &str) -> Result<bool> {
        Ok(true)
    }
}

/// The chapters with a source file, in reading order.
pub fn chapters(book: &Book) -> Vec<ChapterSource> {
    book.iter()
        .filter_map(|item| match item {
            BookItem::Chapter(ch) => Some(ChapterSource {
                path: ch.source_path.clone()?,
                content: ch.content.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// Every chapter's new content, by source path.
fn splice_book(
    engine: &Engine,
    chapters: &[ChapterSource],
    report: &Report,
    prose_numbers: &[String],
    show_problems: bool,
) -> Result<(HashMap<PathBuf, String>, Vec<Diagnostic>)> {
    let titles: Vec<String> = chapters.iter().map(|c| page_title(&c.content)).collect();
    let figures = number_figures(report, chapters, &titles)?;
    let pages: Vec<(&Path, &str)> = (chapters.iter())
        .map(|c| (c.path.as_path(), c.content.as_str()))
        .collect();
    let prefixes: Vec<Option<String>> = titles.iter().map(|t| chapter_number(t)).collect();
    let (exercises, twice) = exercises::number(&pages, &prefixes, |p| engine.display_path(p));
    let mut problems = twice;
    problems.extend(exercises::check_solutions(
        &exercises,
        report,
        &pages,
        |p| engine.display_path(p),
    ));
    let glossary: Vec<usize> = (0..chapters.len())
        .filter(|&i| chapters[i].content.contains(lint::GLOSSARY_HEADER))
        .collect();
    let avoided: Vec<(String, String)> = glossary
        .iter()
        .flat_map(|&i| lint::avoided_words(&chapters[i].content))
        .collect();
    let sections: BTreeSet<String> = chapters
        .iter()
        .flat_map(|c| section_numbers(&c.content))
        .collect();
    // Failures inside no snippet (a crate that does not compile) go on
    // every page when the pages show problems.
    let unplaced: Vec<&Diagnostic> = (report.failures.iter())
        .filter(|d| {
            !(report.snippets.iter()).any(|s| inside(engine, &chapters[s.chapter], &s.snippet, d))
        })
        .collect();
    let mut out = HashMap::new();
    for (i, ch) in chapters.iter().enumerate() {
        let opened: Vec<String> = (exercises::marks(&ch.content, Directive::Solution))
            .into_iter()
            .map(|(_, label)| label)
            .collect();
        let (values, twice) = values::page_values(report, i);
        problems.extend(twice);
        let mut numbers = code_numbers(&ch.content);
        numbers.extend(sections.iter().cloned());
        numbers.extend(prose_numbers.iter().cloned());
        let known = Known {
            figures: &figures,
            exercises: &exercises,
            values,
            numbers,
            // The glossary names the words to avoid; it is the one page that may.
            avoided: if glossary.contains(&i) { &[] } else { &avoided },
        };
        let shown = show_problems.then_some(report.failures.as_slice());
        let mut edits = snippet_edits(engine, report, (i, ch), &known, &opened, shown);
        let before = problems.len();
        edits.extend(prose_edits(
            &engine.display_path(&ch.path),
            ch,
            &known,
            &mut problems,
        ));
        if show_problems {
            let mut banner: Vec<&Diagnostic> = problems[before..].iter().collect();
            banner.extend(&unplaced);
            if !banner.is_empty() {
                let at = after_first_line(&ch.content);
                edits.push((at..at, format!("\n{}\n\n", render::problems(&banner))));
            }
        }
        out.insert(ch.path.clone(), apply(&ch.content, edits));
    }
    // An author building one chapter is not stopped by another's prose
    // (whose snippets, changed and not run, may not have published yet).
    problems.retain(|d| engine.selected(&d.location.file));
    Ok((out, problems))
}

/// Whether `d` was reported inside the block of snippet `sn` of `ch`.
fn inside(engine: &Engine, ch: &ChapterSource, sn: &Snippet, d: &Diagnostic) -> bool {
    let last = sn.location.line + ch.content[sn.block.clone()].matches('\n').count();
    d.location.file == engine.display_path(&ch.path)
        && (sn.location.line..=last).contains(&d.location.line)
}

/// Where a banner goes: after the page's first line (its title).
fn after_first_line(content: &str) -> usize {
    content.find('\n').map_or(content.len(), |i| i + 1)
}

/// Info strings made plain for mdBook, and output blocks after each snippet.
fn snippet_edits(
    engine: &Engine,
    report: &Report,
    (chapter, ch): (usize, &ChapterSource),
    known: &Known,
    opened: &[String],
    shown_failures: Option<&[Diagnostic]>,
) -> Vec<(Range<usize>, String)> {
    let mut edits = Vec::new();
    for (i, s) in report
        .snippets
        .iter()
        .enumerate()
        .filter(|(_, s)| s.chapter == chapter)
    {
        let sn = &s.snippet;
        let info = match sn.attrs.kind.rustdoc_flag() {
            Some(flag) => format!("rust,{flag}"),
            None => "rust".to_string(),
        };
        edits.push((sn.info.clone(), info));
        let output = report.outputs[i].as_ref();
        let placed: Vec<PlacedFigure> = sn
            .attrs
            .figures
            .iter()
            .enumerate()
            .filter_map(|(n, f)| {
                let (out, origin) = output?;
                let file = out.figures.get(n)?;
                let key = s.key.as_deref()?;
                let src = match origin {
                    Origin::Store => {
                        let path = engine.store().figure_path(&ch.path, key, n + 1, &file.ext);
                        relative_url(&ch.path, path.strip_prefix(&engine.src_dir).ok()?)
                    }
                    _ => render::data_url(&file.ext, &file.bytes),
                };
                Some(PlacedFigure {
                    number: known.figures[&f.label].number.clone(),
                    anchor: known.figures[&f.label].anchor.clone(),
                    caption: f.caption.clone(),
                    src,
                })
            })
            .collect();
        let mut html = render::snippet_block(&sn.attrs.kind, output.map(|(o, _)| o), &placed);
        if let Some((out, _)) = output {
            // Inline, so a page opened from disk (file://, where browsers
            // refuse fetch) and print.html read them too.
            let arrays: Vec<PlacedArray> = (out.arrays.iter())
                .map(|a| PlacedArray {
                    name: a.name.clone(),
                    format: a.ext.clone(),
                    src: render::data_url(&a.ext, &a.bytes),
                })
                .collect();
            html.push_str(&render::arrays(&arrays));
        }
        if sn.attrs.predict {
            html = render::folded("nb-predict", "실행 결과 보기", &html);
        }
        if let Some(failures) = shown_failures {
            let mine: Vec<&Diagnostic> = (failures.iter())
                .filter(|d| inside(engine, ch, sn, d))
                .collect();
            if !mine.is_empty() {
                html = render::problems(&mine);
            }
        }
        let newline = if ch.content[..sn.block.end].ends_with('\n') {
            ""
        } else {
            "\n"
        };
        let mut after = format!("{newline}\n{html}\n\n");
        // A solution: the code and its output in one folded block.
        if let Some((label, e)) =
            (sn.attrs.solution.as_ref()).and_then(|l| known.exercises.get(l).map(|e| (l, e)))
        {
            let (open, close) = render::solution(&e.number);
            // Unless `{{#solution LABEL}}` opened it earlier, above the explanation.
            if !opened.contains(label) {
                edits.push((sn.block.start..sn.block.start, open));
            }
            after.push_str(&close);
        }
        edits.push((sn.block.end..sn.block.end, after));
    }
    edits
}

/// Math to MathML, `{{#fig label}}` to links and `{{#value name format}}`
/// to numbers, outside code: a code block or an inline code span keeps them
/// as written. In prose, `\{{#fig label}}` is the literal text (mdBook's
/// escape for its own `{{#include}}`): the backslash is removed, nothing
/// else. A particle pair after either (`은(는)`) becomes the form that fits.
/// Prose and figure captions are linted on the way: numbers typed by hand,
/// the glossary's avoided words, sentences in 한다체 ([`lint`]).
/// `file` is how messages name the chapter.
fn prose_edits(
    file: &Path,
    ch: &ChapterSource,
    known: &Known,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(Range<usize>, String)> {
    let lines = Lines::new(&ch.content);
    let at = |offset: usize| Location {
        file: file.to_path_buf(),
        line: lines.line_of(offset),
    };
    let at_line = at;
    let mut edits = Vec::new();
    // A code block's text comes as Text events between its Start and End;
    // inline code is a Code event of its own, which we never look into.
    let mut in_code_block = false;
    // The block of prose being read (a paragraph, a list item, a heading, a
    // table cell), linted as a whole when it ends: sentences wrap lines.
    let mut block = Prose::default();
    let lint_block = |prose: &Prose, problems: &mut Vec<Diagnostic>| {
        if prose.is_empty() {
            return;
        }
        for (at, word, term) in lint::avoided_in(prose, known.avoided) {
            problems.push(Diagnostic {
                location: at_line(prose.source(at)),
                message: format!(
                    "{} is not the book's word: write {} (용어집, glossary)",
                    lint::quoted(word),
                    lint::quoted(term)
                ),
            });
        }
        for plain in lint::plain_endings(prose) {
            problems.push(Diagnostic {
                location: at_line(prose.source(plain.at)),
                message: format!(
                    "“{}” ends in 한다체 (`{}`): the book's prose and captions are in 합니다체 \
                     (-ㅂ니다/-습니다); a quotation goes in “…”",
                    plain.context, plain.word
                ),
            });
        }
    };
    for (event, range) in snippet::parser(&ch.content).into_offset_iter() {
        match &event {
            Event::Start(tag) if !inline(tag) => {
                lint_block(&std::mem::take(&mut block), problems);
            }
            Event::End(tag) if !inline_end(tag) => {
                lint_block(&std::mem::take(&mut block), problems);
            }
            Event::Code(code) => block.push_opaque(&format!("`{code}`"), range.start),
            Event::SoftBreak | Event::HardBreak => block.push_text(" ", range.start, false),
            Event::FootnoteReference(_) => {
                block.push_opaque(&ch.content[range.clone()], range.start)
            }
            _ => {}
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                // A figure's caption is prose too; its line is the fence's.
                if let CodeBlockKind::Fenced(info) = kind
                    && let Ok(Some(attrs)) = attrs::parse(&info)
                {
                    for figure in &attrs.figures {
                        lint_block(&Prose::caption(&figure.caption, range.start), problems);
                    }
                }
            }
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::InlineMath(ref tex) | Event::DisplayMath(ref tex) => {
                block.push_opaque(&ch.content[range.clone()], range.start);
                let display = matches!(event, Event::DisplayMath(_));
                match math::to_mathml(tex, display) {
                    Ok(html) => edits.push((range, html)),
                    Err(message) => problems.push(Diagnostic {
                        location: at(range.start),
                        message,
                    }),
                }
            }
            Event::Text(t) if !in_code_block => {
                let found = directives(&ch.content, range.clone());
                let mut plain = range.start;
                for d in found
                    .iter()
                    .map(|d| d.range.clone())
                    .chain(std::iter::once(range.end..range.end))
                {
                    for (at, number) in
                        lint::typed_measurements(&ch.content[plain..d.start], &known.numbers)
                    {
                        problems.push(Diagnostic {
                            location: at_line(plain + at),
                            message: format!(
                                "`{number}` is typed by hand: a measured result comes from the run \
                                 (nnblocks_figures::value in the snippet, {{{{#value NAME FORMAT}}}} here)"
                            ),
                        });
                    }
                    plain = d.end;
                }
                let text = &ch.content[range.clone()];
                block.push_text(&t, range.start, *t == *text);
                for d in found {
                    if d.escaped {
                        // Drop the backslash; the rest stays as written.
                        edits.push((d.range.start - 1..d.range.start, String::new()));
                        continue;
                    }
                    let generated = match d.kind {
                        Directive::Fig => figure_link(ch, known.figures, &d.args),
                        Directive::FigureList => figure_list(ch, known.figures, &d.args)
                            .map(|html| (html, String::new())),
                        Directive::Exercise => exercise_mark(known.exercises, &d.args),
                        Directive::Solution => solution_opening(&ch.content, known.exercises, &d),
                        Directive::Value => values::render(&known.values, &d.args, d.range.start)
                            .map(|text| (text.clone(), text)),
                    };
                    let edit = generated.and_then(|(html, spoken)| {
                        let (len, particle) = particle_after(&ch.content, d.range.end, &spoken)?;
                        Ok((d.range.start..d.range.end + len, html + particle))
                    });
                    match edit {
                        Ok(edit) => edits.push(edit),
                        Err(message) => problems.push(Diagnostic {
                            location: at(d.range.start),
                            message: format!("{} {message}", &ch.content[d.range.clone()]),
                        }),
                    }
                }
            }
            _ => {}
        }
    }
    lint_block(&block, problems);
    edits
}

/// Tags that stay inside a sentence: emphasis and links.
fn inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
    )
}

/// The ends of [`inline`] tags.
fn inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
    )
}

/// Every number written in a page's code: its code blocks and inline code.
fn code_numbers(content: &str) -> BTreeSet<String> {
    let mut in_code_block = false;
    let mut numbers = BTreeSet::new();
    for event in snippet::parser(content) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(t) if in_code_block => numbers.extend(lint::code_numbers(&t)),
            Event::Code(t) => numbers.extend(lint::code_numbers(&t)),
            _ => {}
        }
    }
    numbers
}

/// The section numbers of a page's headings (`## 2.3.1 원소별 연산` -> `2.3.1`),
/// and each of their prefixes (`2.3`).
fn section_numbers(content: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    let mut in_heading = false;
    for event in snippet::parser(content) {
        match event {
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) if in_heading => {
                let number: String = t
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                let parts: Vec<&str> = number.split('.').filter(|p| !p.is_empty()).collect();
                for n in 2..=parts.len() {
                    numbers.push(parts[..n].join("."));
                }
            }
            _ => {}
        }
    }
    numbers
}

/// What a page's directives and lints refer to.
struct Known<'a> {
    /// Every figure of the book, by label.
    figures: &'a Figures,
    /// Every exercise of the book, by label.
    exercises: &'a HashMap<String, Exercise>,
    /// The values published on the page.
    values: PageValues,
    /// Numbers prose may write by hand: those in the page's code, and the
    /// book's section numbers (`2.3`).
    numbers: BTreeSet<String>,
    /// Words the glossary says the book does not use, with the term to write.
    avoided: &'a [(String, String)],
}

/// The mark for `{{#exercise label}}`, and how it reads.
fn exercise_mark(
    exercises: &HashMap<String, Exercise>,
    label: &str,
) -> Result<(String, String), String> {
    let e = exercises.get(label).ok_or("is not numbered")?;
    Ok((
        format!(
            "<span class=\"nb-exercise\" id=\"ex-{label}\">{}</span>",
            e.number
        ),
        e.number.clone(),
    ))
}

/// The fold's opening for `{{#solution label}}`, which must stand alone on
/// its line (it becomes an HTML block).
fn solution_opening(
    content: &str,
    exercises: &HashMap<String, Exercise>,
    d: &DirectiveAt,
) -> Result<(String, String), String> {
    let line_start = content[..d.range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = content[d.range.end..]
        .find('\n')
        .map_or(content.len(), |i| d.range.end + i);
    if content[line_start..line_end].trim() != &content[d.range.clone()] {
        return Err("must stand alone on its line".into());
    }
    let e = exercises.get(&d.args).ok_or("solves no exercise")?;
    Ok((render::solution(&e.number).0, String::new()))
}

/// The particle the author wrote right after generated text that reads
/// as `spoken` (from byte `end` of `content`): a pair such as `은(는)` is
/// replaced by the form that fits (its length and that form); nothing to
/// replace is `(0, "")`; a fixed form that may not fit is an error.
fn particle_after(
    content: &str,
    end: usize,
    spoken: &str,
) -> Result<(usize, &'static str), String> {
    let after = &content[end..];
    if let Some((len, pair)) = particle::pair_at(after) {
        return match particle::spoken_ending(spoken) {
            Some(ending) => Ok((len, particle::choose(pair, ending))),
            None => Err(format!(
                "is followed by `{pair}`, but “{spoken}” cannot be read aloud"
            )),
        };
    }
    match particle::fixed_particle(after) {
        Some((fixed, pair)) => Err(format!(
            "is followed by a fixed `{fixed}`: write `{pair}`, and the book picks the form \
             that fits how “{spoken}” is read (numbers move when figures are added)"
        )),
        None => Ok((0, "")),
    }
}

/// Applies non-overlapping edits, last first, so ranges stay valid.
fn apply(content: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| std::cmp::Reverse((r.start, r.end)));
    let mut out = content.to_string();
    for (range, text) in edits {
        out.replace_range(range, &text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::figures::FigureInfo;

    #[test]
    fn edits_apply_back_to_front() {
        let text = "abc def ghi";
        let out = apply(
            text,
            vec![
                (0..3, "X".into()),
                (8..11, "ZZZ".into()),
                (4..4, "+".into()),
            ],
        );
        assert_eq!(out, "X +def ZZZ");
    }

    /// The prose edits of one chapter `ch02/a.md` applied: markdown in,
    /// markdown out, and the problems found. `relu` is figure 2-1 there,
    /// `grid` figure 3-4 in `ch03/b.md`.
    fn splice_prose(content: &str) -> (String, Vec<String>) {
        let figure = |number: &str, chapter: &str, label: &str| FigureInfo {
            number: number.into(),
            chapter: chapter.into(),
            page: String::new(),
            anchor: format!("fig-{label}"),
            caption: String::new(),
            order: 0,
        };
        let figures = HashMap::from([
            ("relu".to_string(), figure("그림 2-1", "ch02/a.md", "relu")),
            ("grid".to_string(), figure("그림 3-4", "ch03/b.md", "grid")),
        ]);
        let ch = ChapterSource {
            path: "ch02/a.md".into(),
            content: content.into(),
        };
        let values = PageValues::from([(
            "acc".to_string(),
            values::Published {
                number: "0.9812".into(),
                offset: 0,
                location: Location {
                    file: "book/ch02/a.md".into(),
                    line: 1,
                },
            },
        )]);
        let avoided = [
            ("원소".to_string(), "항목".to_string()),
            ("밀집 층".to_string(), "`Dense` 층".to_string()),
        ];
        let known = Known {
            figures: &figures,
            exercises: &HashMap::new(),
            values,
            numbers: code_numbers(content),
            avoided: &avoided,
        };
        let mut problems = Vec::new();
        let edits = prose_edits(Path::new("book/ch02/a.md"), &ch, &known, &mut problems);
        let problems = problems.iter().map(ToString::to_string).collect();
        (apply(content, edits), problems)
    }

    const RELU: &str = r##"<a class="nb-figref" href="#fig-relu">그림 2-1</a>"##;
    const GRID: &str = r##"<a class="nb-figref" href="../ch03/b.html#fig-grid">그림 3-4</a>"##;

    #[test]
    fn finds_directives_in_order() {
        let text = "see {{#value acc %.1}}, {{#fig relu}} and {{#fig grid-2}}.";
        let refs = directives(text, 0..text.len());
        assert_eq!(refs.len(), 3);
        assert_eq!(&text[refs[1].range.clone()], "{{#fig relu}}");
        assert_eq!(
            (refs[0].kind, refs[0].args.as_str()),
            (Directive::Value, "acc %.1")
        );
        assert_eq!(
            (refs[2].kind, refs[2].args.as_str()),
            (Directive::Fig, "grid-2")
        );
        assert!(refs.iter().all(|r| !r.escaped));
    }

    #[test]
    fn figure_refs_in_prose_become_links() {
        let (out, problems) =
            splice_prose("See {{#fig relu}} and {{#fig grid}}.\n\n{{#fig nope}}\n");
        assert_eq!(
            out,
            format!("See {RELU} and {GRID}.\n\n{{{{#fig nope}}}}\n")
        );
        assert_eq!(
            problems,
            ["book/ch02/a.md:3: {{#fig nope}} refers to no figure (labels come from figure=LABEL)"]
        );
    }

    #[test]
    fn the_particle_after_a_figure_fits_its_number() {
        // 그림 2-1 reads 이 일 (final ㄹ), 그림 3-4 reads 삼 사 (no final).
        let (out, problems) = splice_prose(
            "{{#fig relu}}은(는) 곡선, {{#fig grid}}은(는) 격자, {{#fig relu}}(으)로 봅니다.\n",
        );
        assert_eq!(
            out,
            format!("{RELU}은 곡선, {GRID}는 격자, {RELU}로 봅니다.\n")
        );
        assert_eq!(problems, Vec::<String>::new());
    }

    #[test]
    fn values_become_numbers_with_their_particles() {
        // 98.1% reads 구십팔 점 일 퍼센트: a vowel.
        let (out, problems) = splice_prose(
            "정확도 {{#value acc %.1}}은(는) 높습니다. 소수로 {{#value acc .2}}이(가) 됩니다. \
             `{{#value acc}}`, \\{{#value acc}}, {{#value nope}}\n",
        );
        assert_eq!(
            out,
            "정확도 98.1%는 높습니다. 소수로 0.98이 됩니다. `{{#value acc}}`, {{#value acc}}, {{#value nope}}\n"
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .starts_with("book/ch02/a.md:1: {{#value nope}} refers to no value published"),
            "{problems:?}"
        );
    }

    #[test]
    fn prose_states_no_measurement_by_hand_and_avoids_the_glossarys_words() {
        let (_, problems) = splice_prose(
            "```rust\nlet lr = 0.01;\n```\n\n학습률 0.01에서 정확도 0.97, 곧 97%입니다.\n\n\
             원소별 연산. `원소`는 코드라서 괜찮고 {{#value acc .2}}도 됩니다.\n",
        );
        assert_eq!(
            problems,
            [
                "book/ch02/a.md:5: `0.97` is typed by hand: a measured result comes from the run \
                 (nnblocks_figures::value in the snippet, {{#value NAME FORMAT}} here)",
                "book/ch02/a.md:5: `97%` is typed by hand: a measured result comes from the run \
                 (nnblocks_figures::value in the snippet, {{#value NAME FORMAT}} here)",
                "book/ch02/a.md:7: `원소` is not the book's word: write `항목` (용어집, glossary)",
            ]
        );
    }

    #[test]
    fn prose_and_captions_are_in_hamnida_style_named_by_file_and_line() {
        let (_, problems) = splice_prose(
            "# 제목\n\n첫 문장은 합니다체입니다. 둘째 문장은 줄을\n넘겨 변한다. 원서는 \
             “모양 변환이다”라고 씁니다.\n\n\
             - 에포크마다 손실과 정확도\n- 입력을 *받는다*\n\n\
             ```rust,figure=f caption=\"값이 조금만 변경된다 (원서 그림 2.16)\"\n\
             println!(\"끝났다.\");\n```\n\n\
             ```rust,figure=g caption=\"번호는 걸음 순서이다.\"\n```\n\n\
             `코드이다.`와 $x다.$는 읽지 않고, 이것은 변합니다.\n",
        );
        let hint = "the book's prose and captions are in 합니다체 (-ㅂ니다/-습니다); \
                    a quotation goes in “…”";
        assert_eq!(
            problems,
            [
                format!(
                    "book/ch02/a.md:4: “둘째 문장은 줄을 넘겨 변한다” ends in 한다체 (`변한다`): {hint}"
                ),
                format!("book/ch02/a.md:7: “입력을 받는다” ends in 한다체 (`받는다`): {hint}"),
                format!(
                    "book/ch02/a.md:9: “값이 조금만 변경된다” ends in 한다체 (`변경된다`): {hint}"
                ),
                format!(
                    "book/ch02/a.md:13: “번호는 걸음 순서이다” ends in 한다체 (`순서이다`): {hint}"
                ),
            ]
        );
    }

    #[test]
    fn an_avoided_word_may_wrap_across_lines() {
        let (_, problems) =
            splice_prose("여기서 원\n소별이 아니라 항목별입니다. 밀집\n층은 쓰지 않습니다.\n");
        assert_eq!(
            problems,
            [
                "book/ch02/a.md:2: `밀집 층` is not the book's word: write `Dense` 층 (용어집, glossary)"
            ]
        );
    }

    #[test]
    fn a_fixed_particle_after_a_figure_is_an_error() {
        let (_, problems) =
            splice_prose("첫 줄.\n{{#fig grid}}은 격자이고 {{#fig relu}}의 곡선은 그대로.\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with(
                "book/ch02/a.md:2: {{#fig grid}} is followed by a fixed `은`: write `은(는)`"
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn figure_refs_in_code_stay_as_written() {
        let code = "```text\n{{#fig relu}}\n```\n\n\
                    ~~~rust\n// {{#fig nope}}\n~~~\n\n    {{#fig relu}}\n\n\
                    - item\n\n  ```\n  {{#fig grid}}\n  ```\n\n\
                    Write `{{#fig relu}}` or ``{{#fig nope}}``.\n";
        let (out, problems) = splice_prose(&format!("{code}\nSee {{{{#fig relu}}}}.\n"));
        assert_eq!(out, format!("{code}\nSee {RELU}.\n"));
        assert_eq!(problems, Vec::<String>::new());
    }

    #[test]
    fn a_backslash_escapes_a_figure_ref() {
        let (out, problems) = splice_prose(
            "Write \\{{#fig relu}} to get {{#fig relu}}; \\{{#fig nope}} is no error.\n\n\
             *\\{{#fig grid}}* and \\{{#fig grid}}{{#fig grid}}\n\n\
             ```\n\\{{#fig relu}}\n```\n",
        );
        assert_eq!(
            out,
            format!(
                "Write {{{{#fig relu}}}} to get {RELU}; {{{{#fig nope}}}} is no error.\n\n\
                 *{{{{#fig grid}}}}* and {{{{#fig grid}}}}{GRID}\n\n\
                 ```\n\\{{{{#fig relu}}}}\n```\n"
            )
        );
        assert_eq!(problems, Vec::<String>::new());
    }
}
