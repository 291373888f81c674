//! The HTML that goes under a snippet: its output, its figures, or a note.
//!
//! Each fragment is one physical line starting with `<div`, so markdown
//! treats it as a raw HTML block and never parses what the program printed.

use crate::build::output::Output;
use crate::markdown::attrs::Kind;
use base64::Engine as _;

/// Outputs longer than this many lines are folded after `FOLD_KEEP` lines.
const FOLD_OVER: usize = 30;
const FOLD_KEEP: usize = 20;

/// A figure ready to place: its number, anchor, caption and image source.
pub struct PlacedFigure {
    pub number: String,
    pub anchor: String,
    pub caption: String,
    pub src: String,
}

/// The block shown under a snippet of `kind`.
pub fn snippet_block(kind: &Kind, output: Option<&Output>, figures: &[PlacedFigure]) -> String {
    let label = match kind {
        Kind::Run => "출력",
        Kind::ShouldPanic => "출력 (의도한 패닉)",
        Kind::CompileFail => "컴파일 오류 (의도한 오류)",
        Kind::NoRun => return note("이 코드는 컴파일만 확인하고 실행하지는 않습니다."),
        Kind::Ignore(reason) => return note(&format!("이 코드는 실행하지 않습니다: {reason}")),
    };
    let text = output.map_or("", |o| o.text.as_str());
    let mut html = String::new();
    if !text.is_empty() || figures.is_empty() {
        html.push_str(&output_text(label, text, kind == &Kind::CompileFail));
    }
    for f in figures {
        html.push_str(&figure(f));
    }
    html
}

/// `html` folded under `summary`, closed until the reader opens it (the
/// print view opens every fold: theme/korean-search.js).
pub fn folded(class: &str, summary: &str, html: &str) -> String {
    format!(
        "<details class=\"{class}\"><summary>{}</summary>{html}</details>",
        escape(summary)
    )
}

/// What goes before and after a solution snippet: a fold that holds the
/// code (markdown between them) and its output.
pub fn solution(number: &str) -> (String, String) {
    (
        format!(
            "<details class=\"nb-solution\"><summary>{} 풀이</summary>\n\n",
            escape(number)
        ),
        "</details>\n\n".to_string(),
    )
}

fn note(text: &str) -> String {
    format!("<div class=\"nb-note\">{}</div>", escape(text))
}

fn output_text(label: &str, text: &str, is_error: bool) -> String {
    let class = if is_error {
        "nb-output nb-error"
    } else {
        "nb-output"
    };
    if text.is_empty() {
        return format!(
            "<div class=\"{class} nb-empty\"><div class=\"nb-output-label\">{label}: 없음</div></div>"
        );
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let pre = |part: &[&str]| {
        format!(
            "<pre class=\"nb-output-text\">{}</pre>",
            escape(&part.concat())
        )
    };
    let body = if lines.len() > FOLD_OVER {
        format!(
            "{}<details class=\"nb-fold\"><summary>나머지 {}줄 펼치기</summary>{}</details>",
            pre(&lines[..FOLD_KEEP]),
            lines.len() - FOLD_KEEP,
            pre(&lines[FOLD_KEEP..])
        )
    } else {
        pre(&lines)
    };
    format!("<div class=\"{class}\"><div class=\"nb-output-label\">{label}</div>{body}</div>")
}

fn figure(f: &PlacedFigure) -> String {
    format!(
        "<div class=\"nb-figure-wrap\"><figure class=\"nb-figure\" id=\"{anchor}\">\
         <img src=\"{src}\" alt=\"{caption}\" loading=\"lazy\">\
         <figcaption><a class=\"nb-figure-number\" href=\"#{anchor}\">{number}</a> {caption}</figcaption>\
         </figure></div>",
        anchor = escape(&f.anchor),
        src = escape(&f.src),
        caption = escape(&f.caption),
        number = escape(&f.number),
    )
}

/// Problems shown in the page instead of failing the build (`serve`): each
/// with its `file:line` and the compiler's or the panic's text.
pub fn problems(problems: &[&crate::markdown::snippet::Diagnostic]) -> String {
    let items: String = (problems.iter())
        .map(|d| {
            format!(
                "<div class=\"nb-problem\"><div class=\"nb-output-label\">오류: {}</div>\
                 <pre class=\"nb-output-text\">{}</pre></div>",
                escape(&d.location.to_string()),
                escape(&d.message)
            )
        })
        .collect();
    format!("<div class=\"nb-output nb-error nb-problems\">{items}</div>")
}

/// An array a snippet published for the page's JavaScript, ready to place.
pub struct PlacedArray {
    pub name: String,
    /// `f16`, `f32` or `f64`.
    pub format: String,
    pub src: String,
}

/// The hidden elements through which a page's script finds a snippet's
/// arrays: `document.querySelector('.nb-array[data-name="NAME"]')`, then
/// `fetch(el.dataset.src)`.
pub fn arrays(arrays: &[PlacedArray]) -> String {
    if arrays.is_empty() {
        return String::new();
    }
    let spans: String = (arrays.iter())
        .map(|a| {
            format!(
                "<span class=\"nb-array\" data-name=\"{}\" data-format=\"{}\" data-src=\"{}\"></span>",
                escape(&a.name),
                escape(&a.format),
                escape(&a.src)
            )
        })
        .collect();
    format!("<div class=\"nb-arrays\" hidden>{spans}</div>")
}

/// A `data:` URL for a figure or an array that is not in the committed
/// store yet.
pub fn data_url(ext: &str, bytes: &[u8]) -> String {
    let mime = match ext {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    };
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Escapes for HTML, keeps it on one line, and hides `{{#` from mdBook's
/// include preprocessor.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '{' => out.push_str("&#123;"),
            '\n' => out.push_str("&#10;"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(text: &str) -> Output {
        Output::from_text(text)
    }

    #[test]
    fn output_is_escaped_and_on_one_line() {
        let html = snippet_block(&Kind::Run, Some(&out("<b>&\n\n{{#include x}}\n")), &[]);
        assert!(!html.contains('\n'));
        assert!(html.starts_with("<div class=\"nb-output\">"));
        assert!(
            html.contains("&lt;b&gt;&amp;&#10;&#10;&#123;&#123;#include x}}&#10;"),
            "{html}"
        );
    }

    #[test]
    fn long_output_is_folded() {
        let text: String = (1..=40).map(|i| format!("line {i}\n")).collect();
        let html = snippet_block(&Kind::Run, Some(&out(&text)), &[]);
        assert!(html.contains("나머지 20줄 펼치기"));
        let (shown, folded) = html.split_once("<details").unwrap();
        assert!(shown.contains("line 20&#10;") && !shown.contains("line 21"));
        assert!(folded.contains("line 21&#10;") && folded.contains("line 40"));
    }

    #[test]
    fn figures_are_numbered_and_anchored() {
        let fig = PlacedFigure {
            number: "그림 2-1".into(),
            anchor: "fig-grid".into(),
            caption: "MNIST \"샘플\"".into(),
            src: "../outputs/a/k-1.png".into(),
        };
        let html = snippet_block(&Kind::Run, Some(&out("")), &[fig]);
        assert!(
            !html.contains("nb-output"),
            "empty text with a figure shows only the figure"
        );
        assert!(html.contains("id=\"fig-grid\""));
        assert!(html.contains(
            "<a class=\"nb-figure-number\" href=\"#fig-grid\">그림 2-1</a> MNIST &quot;샘플&quot;"
        ));
    }

    #[test]
    fn notes_for_no_run_and_ignore() {
        assert!(snippet_block(&Kind::NoRun, None, &[]).contains("컴파일만"));
        assert!(
            snippet_block(&Kind::Ignore("GPU <필요>".into()), None, &[])
                .contains("GPU &lt;필요&gt;")
        );
    }

    #[test]
    fn arrays_are_hidden_spans_a_script_can_find() {
        assert_eq!(arrays(&[]), "");
        let html = arrays(&[PlacedArray {
            name: "digit-weights".into(),
            format: "f16".into(),
            src: "../outputs/ch02/a/k-digit-weights.f16".into(),
        }]);
        assert_eq!(
            html,
            "<div class=\"nb-arrays\" hidden><span class=\"nb-array\" data-name=\"digit-weights\" \
             data-format=\"f16\" data-src=\"../outputs/ch02/a/k-digit-weights.f16\"></span></div>"
        );
        assert!(data_url("f16", b"ab").starts_with("data:application/octet-stream;base64,"));
    }

    #[test]
    fn data_urls() {
        assert_eq!(data_url("png", b"ab"), "data:image/png;base64,YWI=");
    }
}
