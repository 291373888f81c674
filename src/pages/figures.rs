//! The book's figures as the prose sees them: their numbers in reading
//! order, the links `{{#fig label}}` becomes, and the list of figures
//! `{{#figures}}` becomes.

use crate::pages::page::{chapter_number, relative_url};
use crate::pages::render::escape;
use crate::plan::ChapterSource;
use crate::verify::report::Report;
use anyhow::{Result, bail};
use std::collections::HashMap;
use std::path::PathBuf;

/// Where a figure lives and what it shows.
#[derive(Debug, Clone)]
pub struct FigureInfo {
    /// `그림 2-3`.
    pub number: String,
    /// The chapter's source path, relative to the book's source folder.
    pub chapter: PathBuf,
    /// The title of that chapter's page.
    pub page: String,
    /// The anchor of the figure on its page: `fig-<label>`.
    pub anchor: String,
    pub caption: String,
    /// Its place in reading order, from 0.
    pub order: usize,
}

impl FigureInfo {
    /// The number without `그림 `: `2-10`, or `1` in an unnumbered chapter.
    pub fn short_number(&self) -> &str {
        self.number.strip_prefix("그림 ").unwrap_or(&self.number)
    }
}

/// Every figure, by label.
pub type Figures = HashMap<String, FigureInfo>;

/// How a caption names the original book's figure it reproduces.
const ORIGINAL: &str = "(원서 그림 ";

/// Numbers figures in reading order: `그림 2-3` in a chapter titled `2.x …`,
/// `그림 3` in an unnumbered chapter (counted within it). `titles` are the
/// chapters' page titles.
pub fn number_figures(
    report: &Report,
    chapters: &[ChapterSource],
    titles: &[String],
) -> Result<Figures> {
    let mut figures = Figures::new();
    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut duplicates = Vec::new();
    let mut originals: HashMap<String, String> = HashMap::new();
    for s in &report.snippets {
        let prefix = chapter_number(&titles[s.chapter])
            .unwrap_or_else(|| format!("#{}", chapters[s.chapter].path.display()));
        for f in &s.snippet.attrs.figures {
            let n = counters.entry(prefix.clone()).or_default();
            *n += 1;
            let number = if prefix.starts_with('#') {
                format!("그림 {n}")
            } else {
                format!("그림 {prefix}-{n}")
            };
            let info = FigureInfo {
                number,
                chapter: chapters[s.chapter].path.clone(),
                page: titles[s.chapter].clone(),
                anchor: format!("fig-{}", f.label),
                caption: f.caption.clone(),
                order: figures.len(),
            };
            if let (_, Some(original)) = original_number(&f.caption)
                && let Some(first) = originals.insert(original.to_string(), f.label.clone())
            {
                duplicates.push(format!(
                    "{}: figures `{first}` and `{}` both reproduce 원서 그림 {original}",
                    s.snippet.location, f.label
                ));
            }
            if figures.insert(f.label.clone(), info).is_some() {
                duplicates.push(format!(
                    "{}: figure label `{}` is used twice",
                    s.snippet.location, f.label
                ));
            }
        }
    }
    if !duplicates.is_empty() {
        bail!("{}", duplicates.join("\n"));
    }
    Ok(figures)
}

/// The original book's figure number a caption names, `2.14` from
/// `… (원서 그림 2.14)` at its end, and the caption without it.
pub fn original_number(caption: &str) -> (&str, Option<&str>) {
    let Some(start) = caption.rfind(ORIGINAL) else {
        return (caption, None);
    };
    let rest = &caption[start + ORIGINAL.len()..];
    match rest.strip_suffix(')') {
        Some(number)
            if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.') =>
        {
            (caption[..start].trim_end(), Some(number))
        }
        _ => (caption, None),
    }
}

/// The URL of `f` from the page of `ch`.
fn href(ch: &ChapterSource, f: &FigureInfo) -> String {
    let page = if f.chapter == ch.path {
        String::new()
    } else {
        relative_url(&ch.path, &f.chapter.with_extension("html"))
    };
    format!("{page}#{}", f.anchor)
}

/// The link for `{{#fig label}}`, and how it reads.
pub fn figure_link(
    ch: &ChapterSource,
    figures: &Figures,
    label: &str,
) -> Result<(String, String), String> {
    let f = figures
        .get(label)
        .ok_or("refers to no figure (labels come from figure=LABEL)")?;
    Ok((
        format!(
            "<a class=\"nb-figref\" href=\"{}\">{}</a>",
            href(ch, f),
            f.number
        ),
        f.number.clone(),
    ))
}

/// The table `{{#figures}}` becomes: every figure in reading order, with
/// its caption, its page and the original book's number where the caption
/// names one.
pub fn figure_list(ch: &ChapterSource, figures: &Figures, args: &str) -> Result<String, String> {
    if !args.is_empty() {
        return Err("takes nothing after its name".into());
    }
    let mut all: Vec<&FigureInfo> = figures.values().collect();
    all.sort_by_key(|f| f.order);
    let mut html = String::from(
        "<table class=\"nb-figure-list\">\n<thead><tr><th>번호</th><th>캡션</th><th>쪽</th>\
         <th>원서</th></tr></thead>\n<tbody>\n",
    );
    for f in all {
        let (caption, original) = original_number(&f.caption);
        let page = relative_url(&ch.path, &f.chapter.with_extension("html"));
        html.push_str(&format!(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td><a href=\"{page}\">{}</a></td>\
             <td>{}</td></tr>\n",
            href(ch, f),
            f.number,
            escape(caption),
            escape(&f.page),
            original.map_or(String::new(), |n| format!("그림 {n}")),
        ));
    }
    html.push_str("</tbody>\n</table>\n");
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        let info = |number: &str| FigureInfo {
            number: number.into(),
            chapter: "a.md".into(),
            page: String::new(),
            anchor: String::new(),
            caption: String::new(),
            order: 0,
        };
        assert_eq!(info("그림 2-10").short_number(), "2-10");
        assert_eq!(info("그림 1").short_number(), "1");
    }

    #[test]
    fn a_caption_names_its_original_at_its_end() {
        assert_eq!(
            original_number("점곱으로 하는 회전입니다. (원서 그림 2.10)"),
            ("점곱으로 하는 회전입니다.", Some("2.10"))
        );
        assert_eq!(
            original_number("원서에 없는 그림"),
            ("원서에 없는 그림", None)
        );
        assert_eq!(
            original_number("(원서 그림 2.1) 가운데"),
            ("(원서 그림 2.1) 가운데", None)
        );
    }

    #[test]
    fn the_list_has_every_figure_in_order_with_page_and_original() {
        let figure =
            |order: usize, number: &str, chapter: &str, label: &str, caption: &str| FigureInfo {
                number: number.into(),
                chapter: chapter.into(),
                page: format!("{chapter} 제목"),
                anchor: format!("fig-{label}"),
                caption: caption.into(),
                order,
            };
        let figures = Figures::from([
            (
                "b".into(),
                figure(
                    1,
                    "그림 2-2",
                    "ch02/b.md",
                    "b",
                    "둘째 <그림> (원서 그림 2.5)",
                ),
            ),
            ("a".into(), figure(0, "그림 2-1", "ch02/a.md", "a", "첫째")),
        ]);
        let list_page = ChapterSource {
            path: "figures.md".into(),
            content: String::new(),
        };
        let html = figure_list(&list_page, &figures, "").unwrap();
        let rows: Vec<&str> = html.lines().filter(|l| l.starts_with("<tr><td>")).collect();
        assert_eq!(rows.len(), 2);
        assert!(
            rows[0].contains("<a href=\"ch02/a.html#fig-a\">그림 2-1</a>"),
            "{}",
            rows[0]
        );
        assert!(
            rows[0].ends_with("<td></td></tr>"),
            "no original: {}",
            rows[0]
        );
        assert!(
            rows[1].contains("<td>둘째 &lt;그림&gt;</td>"),
            "{}",
            rows[1]
        );
        assert!(rows[1].contains("<a href=\"ch02/b.html\">ch02/b.md 제목</a>"));
        assert!(rows[1].ends_with("<td>그림 2.5</td></tr>"), "{}", rows[1]);
        assert!(figure_list(&list_page, &figures, "extra").is_err());
    }
}
