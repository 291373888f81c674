//! `cargo run -- figures`: the book's figures as files named by their
//! numbers (`2-12-s232-grids.svg`, `.png`), with an `index.md`, for slides
//! and reports. Figures come from the store or the build cache where their
//! keys match; the snippets whose figures are missing or stale run as in a
//! build (`Mode::Build`), which writes only under `target/`. Nothing under
//! the book's source folder is written.
//!
//! PNGs of SVG figures are drawn by resvg with the NanumGothic the figure
//! crate embeds (no system font is looked up); PNG figures (pixel data) are
//! copied, enlarged by nearest neighbour.

use crate::build::output::FigureFile;
use crate::engine::Engine;
use crate::pages::config::Nnblocks;
use crate::pages::figures::{FigureInfo, number_figures, original_number};
use crate::pages::page::page_title;
use crate::plan::{BookSnippet, ChapterSource};
use crate::verify::report::Report;
use crate::verify::settle::{Mode, Origin};
use crate::verify::store::write_atomic;
use anyhow::{Context, Result, bail};
use resvg::{tiny_skia, usvg};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The fonts of the figures crate (`crates/figures/src/fonts.rs`).
static REGULAR: &[u8] = include_bytes!("../../crates/figures/fonts/NanumGothic.ttf");
static BOLD: &[u8] = include_bytes!("../../crates/figures/fonts/NanumGothicBold.ttf");

/// The family the figures name first, and every generic family's font here.
pub const FONT_FAMILY: &str = "NanumGothic";

pub const DEFAULT_SCALE: f32 = 2.0;
pub const MAX_SCALE: f32 = 16.0;

/// What to export, from the command line (`commands::cli`).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The folder to write to; `target/figures` when not given.
    pub out: Option<PathBuf>,
    pub svg: bool,
    pub png: bool,
    /// PNG pixels per SVG pixel.
    pub scale: f32,
    /// Figure numbers (`2-10`, `그림 2-10`) or labels; none means all.
    pub names: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            out: None,
            svg: true,
            png: true,
            scale: DEFAULT_SCALE,
            names: Vec::new(),
        }
    }
}

/// One figure of the book.
#[derive(Debug, Clone)]
pub struct Entry {
    pub label: String,
    pub info: FigureInfo,
    /// The snippet that draws it (its index in the plan), and which of the
    /// snippet's figures it is, from 0.
    pub snippet: usize,
    pub nth: usize,
    /// The snippet's store key: the figure is stored as
    /// `<chapter>/<key>-<nth + 1>.svg|png`.
    pub key: Option<String>,
}

impl Entry {
    /// The file name without extension: `2-12-s232-grids`.
    pub fn stem(&self) -> String {
        format!("{}-{}", self.info.short_number(), self.label)
    }
}

/// Every figure in reading order, numbered as the book numbers them.
pub fn catalogue(snippets: &[BookSnippet], chapters: &[ChapterSource]) -> Result<Vec<Entry>> {
    let titles: Vec<String> = chapters.iter().map(|c| page_title(&c.content)).collect();
    let report = Report {
        snippets: snippets.to_vec(),
        ..Report::default()
    };
    let mut numbered = number_figures(&report, chapters, &titles)?;
    let mut all = Vec::new();
    for (snippet, s) in snippets.iter().enumerate() {
        for (nth, f) in s.snippet.attrs.figures.iter().enumerate() {
            if let Some(info) = numbered.remove(&f.label) {
                all.push(Entry {
                    label: f.label.clone(),
                    info,
                    snippet,
                    nth,
                    key: s.key.clone(),
                });
            }
        }
    }
    all.sort_by_key(|e| e.info.order);
    Ok(all)
}

/// Every figure of the book at `root`, numbered, without running anything.
pub fn book_figures(root: &Path, preprocessor: Nnblocks) -> Result<Vec<Entry>> {
    let (engine, chapters) = crate::engine_and_chapters(root, preprocessor)?;
    catalogue(&engine.plan(&chapters)?.0.snippets, &chapters)
}

/// The figures `names` ask for (numbers like `2-10` or `그림 2-10`, or
/// labels), in reading order; all of them when `names` is empty. An
/// unknown name is an error naming the closest numbers or labels.
pub fn select<'a>(all: &'a [Entry], names: &[String]) -> Result<Vec<&'a Entry>> {
    if names.is_empty() {
        return Ok(all.iter().collect());
    }
    let mut chosen = BTreeSet::new();
    let mut unknown = Vec::new();
    for name in names {
        let wanted = name.trim();
        let wanted = wanted.strip_prefix("그림").unwrap_or(wanted).trim();
        match all
            .iter()
            .position(|e| e.label == wanted || e.info.short_number() == wanted)
        {
            Some(i) => {
                chosen.insert(i);
            }
            None => {
                let near = closest(wanted, all);
                unknown.push(if near.is_empty() {
                    format!("no figure {wanted}")
                } else {
                    format!("no figure {wanted}; closest: {}", near.join(", "))
                });
            }
        }
    }
    if !unknown.is_empty() {
        let example = (all.iter().find(|e| e.info.short_number().contains('-'))).or(all.first());
        bail!(
            "{}\n(figures are named by number, like {}, or by label, like {}; \
             with no name, every figure is exported and index.md lists them)",
            unknown.join("\n"),
            example.map_or("2-1", |e| e.info.short_number()),
            example.map_or("s21-curves", |e| e.label.as_str()),
        );
    }
    Ok(chosen.into_iter().map(|i| &all[i]).collect())
}

/// The numbers or labels nearest to `name` by edit distance (at most 3,
/// in reading order), if any is near at all.
pub fn closest<'a>(name: &str, all: &'a [Entry]) -> Vec<&'a str> {
    let mut scored: Vec<(usize, usize, &str)> = Vec::new();
    for e in all {
        for candidate in [e.info.short_number(), e.label.as_str()] {
            scored.push((edit_distance(name, candidate), e.info.order, candidate));
        }
    }
    let Some(best) = scored.iter().map(|s| s.0).min() else {
        return Vec::new();
    };
    // Beyond half the name, a "closest" name is just another name.
    if best > name.chars().count().div_ceil(2).max(1) {
        return Vec::new();
    }
    scored.retain(|s| s.0 == best);
    scored.sort_by_key(|s| s.1);
    scored.into_iter().take(3).map(|s| s.2).collect()
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// What an export wrote.
#[derive(Debug)]
pub struct Exported {
    pub dir: PathBuf,
    /// The figures' files, in reading order, then `index.md`.
    pub files: Vec<PathBuf>,
    pub figures: usize,
    /// Programs the engine ran because a figure was missing or stale.
    pub programs_run: usize,
}

/// Exports the figures `options` asks for from the book at `root`,
/// running the snippets whose figures are not stored or cached, with
/// progress on `log`.
pub fn export(
    root: &Path,
    preprocessor: Nnblocks,
    options: &Options,
    log: &mut dyn Write,
) -> Result<Exported> {
    let (mut engine, chapters) = crate::engine_and_chapters(root, preprocessor)?;
    let dir = (options.out.clone()).unwrap_or_else(|| engine.target_dir.join("figures"));
    refuse_book_folder(&dir, &engine.src_dir)?;
    let (plan, env) = engine.plan(&chapters)?;
    let all = catalogue(&plan.snippets, &chapters)?;
    let chosen = select(&all, &options.names)?;
    if chosen.is_empty() {
        bail!("the book has no figures");
    }
    prepare(&dir)?;
    // Named figures: only their chapters' snippets may run.
    if !options.names.is_empty() && engine.run_only.is_none() {
        let pages: BTreeSet<PathBuf> = chosen.iter().map(|e| e.info.chapter.clone()).collect();
        engine.run_only = Some(pages.into_iter().collect());
    }
    let pending = pending(&engine, &plan.snippets, &env, &chosen)?;
    writeln!(
        log,
        "nnblocks: {} figure(s): {} stored or cached, {} to draw by running their snippet(s)",
        chosen.len(),
        chosen.len() - pending.iter().map(|(_, n)| n.len()).sum::<usize>(),
        pending.iter().map(|(_, n)| n.len()).sum::<usize>(),
    )?;
    for (location, numbers) in &pending {
        writeln!(log, "  runs {location} ({})", numbers.join(", "))?;
    }
    let report = engine.process_plan(plan, &env, Mode::Build)?;
    if !report.failures.is_empty() {
        write!(log, "{}", report.problems(Mode::Build))?;
    }
    let mut files = Vec::new();
    let mut rows = Vec::new();
    let mut undrawn = Vec::new();
    for e in &chosen {
        let drawn = (report.outputs.get(e.snippet))
            .and_then(Option::as_ref)
            .and_then(|(out, origin)| Some((out.figures.get(e.nth)?, *origin)));
        let Some((file, origin)) = drawn else {
            undrawn.push(format!(
                "{} ({}, {})",
                e.info.number, e.label, report.snippets[e.snippet].snippet.location
            ));
            continue;
        };
        let written = write_figure(&dir, e, file, options)?;
        let names: Vec<String> = written
            .iter()
            .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
            .collect();
        let from = match origin {
            Origin::Store => "store",
            Origin::Cache => "cache",
            Origin::Fresh => "ran",
        };
        let note = if file.ext == "png" && options.svg {
            "; pixel data: no SVG"
        } else {
            ""
        };
        writeln!(
            log,
            "  {:<9} {:<22} {} ({from}{note})",
            e.info.number,
            e.label,
            if names.is_empty() {
                "-".to_string()
            } else {
                names.join(", ")
            }
        )?;
        rows.push(index_row(e, &names));
        files.extend(written);
    }
    if !undrawn.is_empty() {
        bail!(
            "{} figure(s) could not be drawn, their snippets failed (problems above): {}",
            undrawn.len(),
            undrawn.join(", ")
        );
    }
    let index = dir.join("index.md");
    write_atomic(&index, index_markdown(&rows).as_bytes())?;
    files.push(index);
    Ok(Exported {
        dir,
        files,
        figures: chosen.len(),
        programs_run: report.programs_run,
    })
}

/// The chosen figures' snippets that neither the store nor the cache
/// holds, by location, with the numbers of their figures.
fn pending(
    engine: &Engine,
    snippets: &[BookSnippet],
    env: &crate::plan::key::KeyEnv,
    chosen: &[&Entry],
) -> Result<Vec<(String, Vec<String>)>> {
    let (store, cache) = (engine.store(), engine.cache(env));
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for e in chosen {
        let s = &snippets[e.snippet];
        let Some(key) = s.key.as_deref() else {
            continue;
        };
        let chapter = &e.info.chapter;
        if store.has(chapter, key) || cache.has(chapter, key) {
            continue;
        }
        let location = s.snippet.location.to_string();
        let number = e.info.number.clone();
        match out.iter_mut().find(|(l, _)| *l == location) {
            Some((_, numbers)) => numbers.push(number),
            None => out.push((location, vec![number])),
        }
    }
    Ok(out)
}

/// Fails if `dir` is the book's source folder or inside it: this command
/// never writes there.
fn refuse_book_folder(dir: &Path, src_dir: &Path) -> Result<()> {
    let absolute = std::path::absolute(dir).with_context(|| format!("{}", dir.display()))?;
    // The deepest folder that exists, resolved, and the rest as written.
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
            break;
        };
        rest.push(name);
        existing = parent;
    }
    let mut resolved = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    resolved.extend(rest.iter().rev());
    let src = src_dir
        .canonicalize()
        .unwrap_or_else(|_| src_dir.to_path_buf());
    if resolved.starts_with(&src) {
        bail!(
            "--out {}: that is inside the book's sources ({}); `figures` never writes there, \
             give a folder elsewhere (the default is target/figures)",
            dir.display(),
            src_dir.display()
        );
    }
    Ok(())
}

/// Creates `dir` and checks that a file can be written in it, before any
/// snippet runs.
fn prepare(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    let probe = dir.join(format!(".nnblocks-probe{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("cannot write in the output folder {}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes one figure in the formats asked for; returns the files written.
fn write_figure(
    dir: &Path,
    e: &Entry,
    file: &FigureFile,
    options: &Options,
) -> Result<Vec<PathBuf>> {
    let stem = e.stem();
    let mut written = Vec::new();
    let mut write = |ext: &str, bytes: &[u8]| -> Result<()> {
        let path = dir.join(format!("{stem}.{ext}"));
        write_atomic(&path, bytes)?;
        written.push(path);
        Ok(())
    };
    let what = || format!("{} ({})", e.info.number, e.label);
    match file.ext.as_str() {
        "svg" => {
            if options.svg {
                write("svg", &file.bytes)?;
            }
            if options.png {
                write(
                    "png",
                    &svg_to_png(&file.bytes, options.scale).with_context(what)?,
                )?;
            }
        }
        "png" if options.png => write(
            "png",
            &scale_png(&file.bytes, options.scale).with_context(what)?,
        )?,
        "png" => {}
        other => bail!("{}: a figure file of unknown kind `{other}`", what()),
    }
    Ok(written)
}

/// One line of the index table.
fn index_row(e: &Entry, files: &[String]) -> String {
    let (caption, original) = original_number(&e.info.caption);
    let cell = |text: &str| text.replace('|', "\\|");
    let links: Vec<String> = files.iter().map(|f| format!("[{f}]({f})")).collect();
    format!(
        "| {} | `{}` | {} | {} | {} | {} |",
        e.info.number,
        e.label,
        cell(caption),
        cell(&e.info.page),
        original.map_or(String::new(), |n| format!("그림 {n}")),
        links.join(" "),
    )
}

fn index_markdown(rows: &[String]) -> String {
    let mut out = String::from(
        "# 그림 목록\n\n\
         `cargo run -- figures`로 내보낸 그림입니다. 번호는 책의 번호이고, \
         원서 열은 캡션이 가리키는 원서의 그림 번호입니다.\n\n\
         | 번호 | 레이블 | 캡션 | 쪽 | 원서 | 파일 |\n\
         |---|---|---|---|---|---|\n",
    );
    for row in rows {
        out.push_str(row);
        out.push('\n');
    }
    out
}

/// The font database: the embedded NanumGothic, regular and bold, and
/// nothing else; every generic family (`sans-serif`...) is NanumGothic.
pub fn font_database() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        db.set_sans_serif_family(FONT_FAMILY);
        db.set_serif_family(FONT_FAMILY);
        db.set_monospace_family(FONT_FAMILY);
        db.set_cursive_family(FONT_FAMILY);
        db.set_fantasy_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// An SVG drawn as PNG at `scale` PNG pixels per SVG pixel.
pub fn svg_to_png(svg: &[u8], scale: f32) -> Result<Vec<u8>> {
    let options = usvg::Options {
        fontdb: font_database(),
        font_family: FONT_FAMILY.into(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(svg, &options).context("reading the SVG")?;
    let size = tree.size();
    let (width, height) = (scaled(size.width(), scale), scaled(size.height(), scale));
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .with_context(|| format!("a {width}×{height} image is too large"))?;
    let transform = tiny_skia::Transform::from_scale(
        width as f32 / size.width(),
        height as f32 / size.height(),
    );
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    pixmap.encode_png().context("encoding the PNG")
}

/// A PNG figure (pixel data) enlarged by nearest neighbour: each pixel
/// becomes a block, no pixel is invented. At scale 1, the stored bytes.
pub fn scale_png(png: &[u8], scale: f32) -> Result<Vec<u8>> {
    if scale == 1.0 {
        return Ok(png.to_vec());
    }
    let source = tiny_skia::Pixmap::decode_png(png).context("reading the PNG")?;
    let (w, h) = (source.width(), source.height());
    let (width, height) = (scaled(w as f32, scale), scaled(h as f32, scale));
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .with_context(|| format!("a {width}×{height} image is too large"))?;
    let from = source.pixels();
    let pick = |i: u32, n: u32, m: u32| ((i as u64 * n as u64 / m as u64) as u32).min(n - 1);
    for (i, pixel) in pixmap.pixels_mut().iter_mut().enumerate() {
        let (x, y) = (i as u32 % width, i as u32 / width);
        *pixel = from[(pick(y, h, height) * w + pick(x, w, width)) as usize];
    }
    pixmap.encode_png().context("encoding the PNG")
}

fn scaled(pixels: f32, scale: f32) -> u32 {
    ((pixels * scale).round() as u32).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(order: usize, number: &str, label: &str) -> Entry {
        Entry {
            label: label.into(),
            info: FigureInfo {
                number: number.into(),
                chapter: "ch02/a.md".into(),
                page: "2.3 쪽".into(),
                anchor: format!("fig-{label}"),
                caption: format!("{label}의 캡션 (원서 그림 2.{order})"),
                order,
            },
            snippet: order,
            nth: 0,
            key: None,
        }
    }

    fn book() -> Vec<Entry> {
        vec![
            entry(0, "그림 1", "preface-relu"),
            entry(1, "그림 2-9", "s22-video"),
            entry(2, "그림 2-10", "s23-dense-network"),
            entry(3, "그림 2-19", "s235-rotation"),
            entry(4, "그림 2-29", "s24-surface"),
        ]
    }

    fn labels(chosen: Vec<&Entry>) -> Vec<&str> {
        chosen.into_iter().map(|e| e.label.as_str()).collect()
    }

    #[test]
    fn names_are_numbers_or_labels_in_reading_order() {
        let all = book();
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            labels(select(&all, &names(&["s24-surface", "2-10", "그림 1", "2-10"])).unwrap()),
            ["preface-relu", "s23-dense-network", "s24-surface"]
        );
        assert_eq!(
            labels(select(&all, &names(&["그림 2-9"])).unwrap()),
            ["s22-video"]
        );
        assert_eq!(select(&all, &[]).unwrap().len(), 5);
        assert_eq!(all[2].stem(), "2-10-s23-dense-network");
        assert_eq!(all[0].stem(), "1-preface-relu");
    }

    #[test]
    fn an_unknown_name_names_the_closest() {
        let all = book();
        let err = select(&all, &["2-99".into()]).unwrap_err().to_string();
        assert!(
            err.starts_with("no figure 2-99; closest: 2-9, 2-19, 2-29\n"),
            "{err}"
        );
        let err = select(&all, &["s24-surfce".into(), "2-10".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("no figure s24-surfce; closest: s24-surface\n"),
            "{err}"
        );
        let err = select(&all, &["전혀-다른-이름".into()])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("no figure 전혀-다른-이름\n"), "{err}");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("2-9", "2-9"), 0);
    }

    #[test]
    fn the_index_row_has_number_label_caption_page_and_original() {
        let e = entry(4, "그림 2-29", "s24-surface");
        assert_eq!(
            index_row(&e, &["2-29-s24-surface.svg".into()]),
            "| 그림 2-29 | `s24-surface` | s24-surface의 캡션 | 2.3 쪽 | 그림 2.4 | \
             [2-29-s24-surface.svg](2-29-s24-surface.svg) |"
        );
    }

    #[test]
    fn the_book_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("book");
        std::fs::create_dir_all(&src).unwrap();
        assert!(refuse_book_folder(&src.join("new/figures"), &src).is_err());
        assert!(refuse_book_folder(&src, &src).is_err());
        assert!(refuse_book_folder(&dir.path().join("book/../out"), &src).is_ok());
        assert!(refuse_book_folder(&dir.path().join("target/figures"), &src).is_ok());
    }

    /// Ink: pixels darker than the background.
    fn ink(png: &[u8]) -> Vec<bool> {
        let p = tiny_skia::Pixmap::decode_png(png).unwrap();
        p.pixels()
            .iter()
            .map(|c| c.alpha() > 0 && c.red() < 128)
            .collect()
    }

    fn text_svg(text: &str, weight: &str) -> Vec<u8> {
        format!(
            "<svg width=\"120\" height=\"40\" xmlns=\"http://www.w3.org/2000/svg\">\
             <rect width=\"120\" height=\"40\" fill=\"#FFFFFF\"/>\
             <text x=\"4\" y=\"30\" font-family=\"NanumGothic, &apos;Noto Sans CJK KR&apos;, \
             sans-serif\" font-weight=\"{weight}\" font-size=\"24\" fill=\"#000000\">{text}</text></svg>"
        )
        .into_bytes()
    }

    #[test]
    fn hangul_is_drawn_with_nanum_gothic_not_tofu() {
        let db = font_database();
        let families: Vec<&str> = db
            .faces()
            .flat_map(|f| f.families.iter().map(|(name, _)| name.as_str()))
            .collect();
        assert!(families.contains(&FONT_FAMILY), "{families:?}");
        let query = |families: &[usvg::fontdb::Family]| {
            db.query(&usvg::fontdb::Query {
                families,
                ..Default::default()
            })
        };
        assert!(query(&[usvg::fontdb::Family::SansSerif]).is_some());
        assert!(query(&[usvg::fontdb::Family::Name("NanumGothic")]).is_some());
        let son = ink(&svg_to_png(&text_svg("손", "normal"), 1.0).unwrap());
        let sil = ink(&svg_to_png(&text_svg("실", "normal"), 1.0).unwrap());
        // A missing glyph (U+E000 is in no font here) draws the same box
        // for every character.
        let tofu = ink(&svg_to_png(&text_svg("\u{E000}", "normal"), 1.0).unwrap());
        let count = |v: &[bool]| v.iter().filter(|b| **b).count();
        assert!(count(&son) > 40, "손 has ink: {}", count(&son));
        assert_ne!(son, sil, "two syllables, two shapes");
        assert_ne!(son, tofu);
        let bold = ink(&svg_to_png(&text_svg("손", "bold"), 1.0).unwrap());
        assert!(count(&bold) > count(&son), "bold is heavier");
        let big =
            tiny_skia::Pixmap::decode_png(&svg_to_png(&text_svg("손", "normal"), 2.5).unwrap())
                .unwrap();
        assert_eq!((big.width(), big.height()), (300, 100));
    }

    #[test]
    fn pixel_figures_grow_by_nearest_neighbour() {
        let mut p = tiny_skia::Pixmap::new(2, 1).unwrap();
        p.pixels_mut()[0] = tiny_skia::ColorU8::from_rgba(0, 0, 0, 255).premultiply();
        p.pixels_mut()[1] = tiny_skia::ColorU8::from_rgba(255, 255, 255, 255).premultiply();
        let png = p.encode_png().unwrap();
        assert_eq!(scale_png(&png, 1.0).unwrap(), png);
        let big = tiny_skia::Pixmap::decode_png(&scale_png(&png, 3.0).unwrap()).unwrap();
        assert_eq!((big.width(), big.height()), (6, 3));
        let reds: Vec<u8> = big.pixels()[..6].iter().map(|c| c.red()).collect();
        assert_eq!(reds, [0, 0, 0, 255, 255, 255]);
    }
}
