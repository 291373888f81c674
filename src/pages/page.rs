//! A chapter's page as its links and figure numbers see it: its title, the
//! chapter number that title starts with, and relative URLs between pages.

use crate::markdown::snippet;
use mdbook_markdown::pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};
use std::path::Path;

/// The title of a chapter's page, whose number prefixes its figures: its
/// first level-1 heading as mdBook's parser sees it (a snippet's hidden
/// `# ` line is not a heading).
pub fn page_title(content: &str) -> String {
    let mut title: Option<String> = None;
    for event in snippet::parser(content) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => title = Some(String::new()),
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if title.is_some() => break,
            Event::Text(t) | Event::Code(t) => {
                if let Some(title) = title.as_mut() {
                    title.push_str(&t);
                }
            }
            _ => {}
        }
    }
    title.unwrap_or_default().trim().to_string()
}

/// `2.2 데이터 표현` -> `2`.
pub(crate) fn chapter_number(name: &str) -> Option<String> {
    let digits: String = name
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// A link from one chapter's page to a file of the book, both relative to
/// the book's source directory.
pub(crate) fn relative_url(from_chapter: &Path, to: &Path) -> String {
    let depth = from_chapter.parent().map_or(0, |p| p.components().count());
    let mut url = "../".repeat(depth);
    url.push_str(&to.to_string_lossy().replace('\\', "/"));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls() {
        assert_eq!(
            relative_url(
                Path::new("preface.md"),
                Path::new("outputs/preface/k-1.svg")
            ),
            "outputs/preface/k-1.svg"
        );
        assert_eq!(
            relative_url(Path::new("ch02/data.md"), Path::new("ch02/x.html")),
            "../ch02/x.html"
        );
    }

    #[test]
    fn chapter_numbers_from_titles() {
        assert_eq!(chapter_number("2.2 데이터 표현").as_deref(), Some("2"));
        assert_eq!(chapter_number("머리말"), None);
        assert_eq!(page_title("intro\n# 2.1 첫 신경망\n"), "2.1 첫 신경망");
    }

    #[test]
    fn the_title_is_never_a_hidden_line_of_a_code_block() {
        // A snippet's hidden `# ` lines before the title, fenced both ways.
        let chapter = "```rust\n# use std::fmt;\nlet x = 1;\n```\n\n\
                       ~~~rust\n# fn helper() {}\n~~~\n\n\
                       # 3.1 `Tensor` 연산\n\n```rust\n# let y = 2;\n```\n";
        assert_eq!(page_title(chapter), "3.1 Tensor 연산");
        assert_eq!(chapter_number(&page_title(chapter)).as_deref(), Some("3"));
        // Only hidden lines: no title at all.
        assert_eq!(page_title("```rust\n# use x;\nlet a = 1;\n```\n"), "");
        // A real heading of level 2 first is not the title.
        assert_eq!(page_title("## 1.9 sub\n\n# 2.0 main\n"), "2.0 main");
    }

    #[test]
    fn the_title_is_the_first_level_1_heading() {
        assert_eq!(
            page_title("```rust\n# hidden\n```\n\n# 2.3 `텐서` 연산\n\n# 둘째\n"),
            "2.3 텐서 연산"
        );
        assert_eq!(page_title("제목 없음\n"), "");
    }
}
