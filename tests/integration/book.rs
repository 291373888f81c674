//! The real book: every snippet's output and figures are what the store
//! holds, and the built pages show all of them, render all math, and link
//! nowhere that does not exist.
//!
//! `NNBLOCKS_BLESS=1 cargo test` re-blesses the store instead of checking it.

use crate::common::workspace;
use nnblocks::engine::default_target_dir;
use nnblocks::markdown::attrs::Kind;
use nnblocks::pages::config::Nnblocks;
use nnblocks::verify::settle::Mode;
use std::collections::HashMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

#[test]
fn every_snippet_matches_the_store() {
    let bless = std::env::var_os("NNBLOCKS_BLESS").is_some_and(|v| !v.is_empty() && v != "0");
    let mode = if bless { Mode::Bless } else { Mode::Verify };
    let pre = Nnblocks {
        quiet: true,
        ..Nnblocks::default()
    };
    let report = nnblocks::check(&workspace(), mode, pre).unwrap();
    assert!(
        report.snippets.len() > 10,
        "the book has its snippets ({})",
        report.snippets.len()
    );
    let clean = if bless {
        report.failures.is_empty()
    } else {
        report.is_clean()
    };
    assert!(clean, "\n{}", report.problems(mode));
}

/// Every compiled snippet makes its device with `AutoDevice` (never `Cpu`
/// or `Cuda` by name), so `--features cuda` runs the whole book on a GPU.
#[test]
fn snippets_use_auto_device() {
    let book = nnblocks::load_book(&workspace(), Nnblocks::default()).unwrap();
    let mut named = Vec::new();
    for chapter in nnblocks::pages::preprocess::chapters(&book.book) {
        let (snippets, _) =
            nnblocks::markdown::snippet::parse_chapter(&chapter.path, &chapter.content);
        for s in snippets
            .iter()
            .filter(|s| !matches!(s.attrs.kind, Kind::Ignore(_)))
        {
            for device in ["Cpu", "Cuda"] {
                if nnblocks::plan::key::mentions(&s.code, device) {
                    named.push(format!("{}: names `{device}`", s.location));
                }
            }
        }
    }
    assert!(
        named.is_empty(),
        "use AutoDevice instead:\n{}",
        named.join("\n")
    );
    assert!(!nnblocks::plan::key::mentions(
        "let d = AutoDevice::default();",
        "Cpu"
    ));
}

#[test]
fn the_built_book_is_complete() {
    let out = tempfile::tempdir().unwrap();
    let pre = Nnblocks {
        quiet: true,
        workspace: None,
        // Its own scratch folder: the check above may be building at the same time.
        work_dir: Some(
            default_target_dir(&workspace())
                .join("nnblocks-tests")
                .join("built-book"),
        ),
        run_only: None,
        show_problems: false,
    };
    let mut book = nnblocks::load_book(&workspace(), pre).unwrap();
    book.config.build.build_dir = out.path().to_path_buf();
    book.build().unwrap();
    let pages = chapter_pages(&book, out.path());
    assert!(!pages.is_empty());
    let mut ids: HashMap<PathBuf, String> = HashMap::new();
    for page in &pages {
        let html = fs::read_to_string(page).unwrap();
        check_page(page, &html, out.path());
        ids.insert(page.clone(), html);
    }
    for page in &pages {
        check_links(page, &ids[page], out.path());
    }
    check_external_links_are_listed(&pages, &ids, &out.path().join("references.html"));
    let print = fs::read_to_string(out.path().join("print.html")).unwrap();
    let figures = pages
        .iter()
        .map(|p| ids[p].matches("<figure class=\"nb-figure\"").count())
        .sum::<usize>();
    assert_eq!(
        print.matches("<figure class=\"nb-figure\"").count(),
        figures,
        "print.html holds every figure"
    );
}

/// The HTML page of every chapter with a source file.
fn chapter_pages(book: &mdbook_driver::MDBook, out: &Path) -> Vec<PathBuf> {
    nnblocks::pages::preprocess::chapters(&book.book)
        .iter()
        .map(|c| out.join(c.path.with_extension("html")))
        .collect()
}

fn check_page(page: &Path, html: &str, out: &Path) {
    let name = page.display();
    for attr in ["src", "href"] {
        for tag in ["<script", "<link", "<img", "<iframe"] {
            for url in attr_values(html, tag, attr) {
                assert!(
                    !url.contains("://") && !url.starts_with("//"),
                    "{name}: the page fetches {url} from the network"
                );
            }
        }
    }
    let main = between(html, "<main>", "</main>").unwrap_or_else(|| panic!("{name}: no <main>"));
    assert!(
        !main.contains("{{#"),
        "{name}: a `{{{{#` directive was left in the page"
    );
    let rust_blocks = main.matches("<code class=\"language-rust").count();
    let followed = main
        .split("<code class=\"language-rust")
        .skip(1)
        .filter(|rest| {
            let after = rest
                .split_once("</pre>")
                .map_or("", |(_, a)| a)
                .trim_start();
            // A `predict` snippet's output is folded until the reader opens it.
            after.starts_with("<div class=\"nb-")
                || after.starts_with("<details class=\"nb-predict\"")
        })
        .count();
    assert_eq!(
        followed, rust_blocks,
        "{name}: every Rust snippet is followed by its output, figure or note"
    );
    let prose = strip_elements(main, &["pre", "code", "math", "script", "style"]);
    if let Some(i) = prose.find('$') {
        panic!(
            "{name}: unrendered `$` in the prose: …{}…",
            &prose[i.saturating_sub(60)..(i + 60).min(prose.len())]
        );
    }
    for src in attr_values(main, "<img", "src") {
        check_image(page, &src, out);
    }
}

fn check_image(page: &Path, src: &str, out: &Path) {
    let bytes = if let Some(data) = src.strip_prefix("data:") {
        let b64 = data.split_once(";base64,").expect("base64 data url").1;
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
    } else {
        let path = resolve(page, src);
        assert!(
            path.starts_with(out),
            "{}: image outside the book: {src}",
            page.display()
        );
        fs::read(&path).unwrap_or_else(|e| panic!("{}: broken image {src}: {e}", page.display()))
    };
    if src.ends_with(".svg") || src.starts_with("data:image/svg") {
        let svg = String::from_utf8(bytes).expect("SVG is UTF-8");
        assert!(
            svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
            "{}: {src} is not a whole SVG",
            page.display()
        );
        let width = attr_values(&svg, "<svg", "width")
            .next()
            .unwrap_or_default();
        assert!(
            width.parse::<f64>().is_ok_and(|w| w > 0.0),
            "{}: {src} has no width",
            page.display()
        );
    } else {
        let img = image::load_from_memory(&bytes)
            .unwrap_or_else(|e| panic!("{}: {src} does not decode: {e}", page.display()));
        assert!(img.width() > 0 && img.height() > 0);
    }
}

/// Every relative link and anchor of a page points at something real.
fn check_links(page: &Path, html: &str, out: &Path) {
    let main = between(html, "<main>", "</main>").unwrap();
    for href in attr_values(main, "<a", "href") {
        if href.contains("://") || href.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = href.split_once('#').unwrap_or((&href, ""));
        let target = if file.is_empty() {
            page.to_path_buf()
        } else {
            resolve(page, file)
        };
        assert!(
            target.starts_with(out),
            "{}: link {href} leaves the book",
            page.display()
        );
        let text = fs::read_to_string(&target)
            .unwrap_or_else(|_| panic!("{}: broken link {href}", page.display()));
        if !anchor.is_empty() {
            assert!(
                text.contains(&format!("id=\"{anchor}\"")),
                "{}: link {href} points at a missing anchor",
                page.display()
            );
        }
    }
}

/// Every link that leaves the book is also listed on the references page.
fn check_external_links_are_listed(
    pages: &[PathBuf],
    html: &HashMap<PathBuf, String>,
    refs: &Path,
) {
    let listed: Vec<String> = attr_values(&html[refs], "<a", "href").collect();
    for page in pages.iter().filter(|p| *p != refs) {
        let main = between(&html[page], "<main>", "</main>").unwrap();
        for href in attr_values(main, "<a", "href").filter(|h| h.contains("://")) {
            assert!(
                listed.contains(&href),
                "{}: external link {href} is not listed in book/references.md",
                page.display()
            );
        }
    }
}

fn resolve(page: &Path, rel: &str) -> PathBuf {
    let mut path = page.parent().unwrap().to_path_buf();
    for c in Path::new(rel).components() {
        match c {
            Component::ParentDir => {
                path.pop();
            }
            Component::Normal(n) => path.push(n),
            _ => {}
        }
    }
    path
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].rfind(close)? + start;
    Some(&text[start..end])
}

/// Values of `attr` on every `tag` (e.g. `<img`, `src`).
fn attr_values<'a>(
    html: &'a str,
    tag: &'a str,
    attr: &'a str,
) -> impl Iterator<Item = String> + 'a {
    html.split(tag).skip(1).filter_map(move |rest| {
        let head = &rest[..rest.find('>')?];
        let pat = format!(" {attr}=\"");
        let start = head.find(&pat)? + pat.len();
        let len = head[start..].find('"')?;
        Some(head[start..start + len].replace("&amp;", "&"))
    })
}

/// The text with the named elements (and all tags) removed.
fn strip_elements(html: &str, names: &[&str]) -> String {
    let mut text = html.to_string();
    for name in names {
        let open = format!("<{name}");
        let close = format!("</{name}>");
        while let Some(i) = text.find(&open) {
            let Some(j) = text[i..].find(&close) else {
                break;
            };
            text.replace_range(i..i + j + close.len(), " ");
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn page_checks_catch_problems() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("a.html");
    let good = "<main><p id=\"x\">ok</p><a href=\"#x\">x</a><pre><code class=\"language-rust\">1</code></pre><div class=\"nb-output\"></div></main>";
    fs::write(&page, good).unwrap();
    check_page(&page, good, dir.path());
    check_links(&page, good, dir.path());
    let bad = [
        "<main><p>costs $5</p></main>",
        "<main><p>{{#fig a}}</p></main>",
        "<main><pre><code class=\"language-rust\">1</code></pre><p>no output</p></main>",
        "<main><img src=\"missing.png\"></main>",
        "<script src=\"https://cdn.example/x.js\"></script><main></main>",
    ];
    for html in bad {
        let caught = std::panic::catch_unwind(|| check_page(&page, html, dir.path()));
        assert!(caught.is_err(), "not caught: {html}");
    }
    let refs = dir.path().join("references.html");
    let pages = vec![page.clone(), refs.clone()];
    let listed = "<main><a href=\"https://a.example/\">a</a></main>".to_string();
    let mut html = HashMap::from([(refs.clone(), listed.clone()), (page.clone(), listed)]);
    check_external_links_are_listed(&pages, &html, &refs);
    html.insert(
        page.clone(),
        "<main><a href=\"https://b.example/\">b</a></main>".into(),
    );
    let caught = std::panic::catch_unwind(|| check_external_links_are_listed(&pages, &html, &refs));
    assert!(caught.is_err(), "an unlisted external link is caught");
    for html in [
        "<main><a href=\"#nope\">x</a></main>",
        "<main><a href=\"b.html\">b</a></main>",
    ] {
        let caught = std::panic::catch_unwind(|| check_links(&page, html, dir.path()));
        assert!(caught.is_err(), "not caught: {html}");
    }
}

/// `mdbook build` runs `cargo run -- preprocess` as book.toml declares: the
/// same JSON protocol must give the same chapters as the in-process build.
#[test]
fn command_preprocessor_speaks_mdbooks_protocol() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let exe = env!("CARGO_BIN_EXE_nnblocks");
    let supports = Command::new(exe)
        .args(["preprocess", "supports", "html"])
        .status()
        .unwrap();
    assert!(supports.success());
    let book = mdbook_driver::MDBook::load(workspace()).unwrap();
    let ctx = mdbook_preprocessor::PreprocessorContext::new(
        workspace(),
        book.config.clone(),
        "html".into(),
    );
    let input = serde_json::to_string(&(&ctx, &book.book)).unwrap();
    let mut child = Command::new(exe)
        .arg("preprocess")
        .env(
            "NNBLOCKS_WORK_DIR",
            default_target_dir(&workspace())
                .join("nnblocks-tests")
                .join("command"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let processed: mdbook_preprocessor::book::Book = serde_json::from_slice(&out.stdout).unwrap();
    let preface = processed
        .chapters()
        .find(|c| c.source_path.as_deref() == Some(Path::new("preface.md")))
        .expect("the preface");
    assert!(preface.content.contains("<div class=\"nb-output\">"));
    assert!(preface.content.contains("<math"));
    assert!(
        !preface.content.contains("session=intro"),
        "our attributes are removed for mdBook"
    );
}
