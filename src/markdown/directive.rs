//! The book's own `{{#...}}` directives in a chapter's prose: `{{#fig}}`,
//! `{{#figures}}`, `{{#value}}`, `{{#exercise}}` and `{{#solution}}`. Found here once, for
//! the preprocessor that replaces them and for the exercise numbering.

use crate::markdown::snippet;
use mdbook_markdown::pulldown_cmark::{Event, Tag, TagEnd};
use std::ops::Range;

/// What a `{{#...}}` directive of ours asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Directive {
    /// `{{#fig label}}`: a link reading the figure's number.
    Fig,
    /// `{{#figures}}`: the list of every figure in the book.
    FigureList,
    /// `{{#value name format}}`: a published number.
    Value,
    /// `{{#exercise label}}`: an exercise's number, where it is set.
    Exercise,
    /// `{{#solution label}}`: where the solution's fold opens, above its
    /// explanation.
    Solution,
}

/// One directive in the source.
#[derive(Debug)]
pub struct DirectiveAt {
    pub kind: Directive,
    /// From `{{` to `}}`, without a backslash before it.
    pub range: Range<usize>,
    /// What follows the directive's name, trimmed.
    pub args: String,
    /// A backslash right before `{{` in the source (outside `range`).
    pub escaped: bool,
}

/// Our directives inside a text range of `content`. The escaping backslash
/// is looked for in the source itself: CommonMark takes `\{` for an
/// escape, so the text event starts after it.
pub fn directives(content: &str, range: Range<usize>) -> Vec<DirectiveAt> {
    const OPEN: [(&str, Directive); 5] = [
        ("{{#fig ", Directive::Fig),
        ("{{#figures", Directive::FigureList),
        ("{{#value ", Directive::Value),
        ("{{#exercise ", Directive::Exercise),
        ("{{#solution ", Directive::Solution),
    ];
    let mut found = Vec::new();
    let mut from = range.start;
    while let Some((start, open, kind)) = OPEN
        .iter()
        .filter_map(|&(open, kind)| {
            content[from..range.end]
                .find(open)
                .map(|i| (from + i, open, kind))
        })
        .min_by_key(|(start, _, _)| *start)
    {
        let Some(close) = content[start..range.end].find("}}") else {
            break;
        };
        found.push(DirectiveAt {
            kind,
            range: start..start + close + 2,
            args: content[start + open.len()..start + close]
                .trim()
                .to_string(),
            escaped: content[..start].ends_with('\\'),
        });
        from = start + close + 2;
    }
    found
}

/// Every directive in a page's prose: not in a code block (inline code is
/// an event of its own, never looked into).
pub fn in_prose(content: &str) -> Vec<DirectiveAt> {
    let mut found = Vec::new();
    let mut in_code_block = false;
    for (event, range) in snippet::parser(content).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(_) if !in_code_block => found.extend(directives(content, range)),
            _ => {}
        }
    }
    found
}
