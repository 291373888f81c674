//! `$...$` and `$$...$$` to MathML at build time, with pulldown-latex: no
//! script, nothing fetched when a page opens.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

/// MathML for one formula, safe to splice into markdown as inline HTML.
pub fn to_mathml(latex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(latex, &storage).collect();
    if let Some(Err(e)) = events.iter().find(|e| e.is_err()) {
        return Err(format!("invalid LaTeX `{latex}`: {e}"));
    }
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(latex),
        ..RenderConfig::default()
    };
    let mut mathml = String::new();
    push_mathml(&mut mathml, events.into_iter(), config)
        .map_err(|e| format!("rendering `{latex}`: {e}"))?;
    let class = if display {
        "nb-math-display"
    } else {
        "nb-math"
    };
    Ok(format!(
        "<span class=\"{class}\">{}</span>",
        shield(&mathml)
    ))
}

/// Markdown still parses the text between inline HTML tags: encode every
/// character it could take for syntax, and newlines, outside the tags.
fn shield(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ => {}
        }
        match c {
            '\n' => out.push(' '),
            '*' | '_' | '\\' | '`' | '[' | ']' | '~' | '{' | '}' | '$' | '|' | '!' if !in_tag => {
                out.push_str(&format!("&#{};", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_display() {
        let inline = to_mathml(r"W_{ij} \cdot x", false).unwrap();
        assert!(inline.starts_with("<span class=\"nb-math\"><math"));
        assert!(inline.contains("<msub>"));
        assert!(!inline.contains('_') || !inline.contains("W_"), "{inline}");
        let display = to_mathml(r"\frac{\partial L}{\partial w}", true).unwrap();
        assert!(display.contains("display=\"block\""), "{display}");
        assert!(display.contains("<mfrac>"));
    }

    #[test]
    fn markdown_syntax_is_encoded_outside_tags() {
        let m = to_mathml(r"a * b", false).unwrap();
        assert!(!m.contains(" * "), "{m}");
        // The annotation keeps the source, encoded.
        assert!(m.contains("&#42;"), "{m}");
    }

    #[test]
    fn bad_latex_is_an_error() {
        let e = to_mathml(r"\frac{1}", false).unwrap_err();
        assert!(e.contains("invalid LaTeX"), "{e}");
    }
}
