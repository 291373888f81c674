//! `cargo run -- figures`: the book's figures exported by number and label,
//! as the CLI writes them, and its errors.

use nnblocks::commands::export::{self, Entry};
use nnblocks::engine::default_target_dir;
use nnblocks::pages::config::Nnblocks;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{book, clone, workspace};

/// The CLI on this workspace's book, with a work folder of its own (so a
/// concurrent `cargo test` or build holding `target/nnblocks` is not waited
/// for).
fn figures(args: &[&str]) -> Output {
    let root = workspace();
    Command::new(env!("CARGO_BIN_EXE_nnblocks"))
        .arg("--root")
        .arg(&root)
        .arg("figures")
        .args(args)
        .env(
            "NNBLOCKS_WORK_DIR",
            default_target_dir(&root).join("nnblocks-tests/export"),
        )
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn entry<'a>(all: &'a [Entry], label: &str) -> &'a Entry {
    all.iter()
        .find(|e| e.label == label)
        .unwrap_or_else(|| panic!("the book has a figure {label}"))
}

/// The figure as the store holds it, or (while the store is stale, in a
/// working tree under edit) as the export's run cached it.
fn stored(e: &Entry, ext: &str) -> Vec<u8> {
    let root = workspace();
    let name = format!("{}-{}.{ext}", e.key.as_deref().unwrap(), e.nth + 1);
    let chapter = e.info.chapter.with_extension("");
    let in_store = root.join("book/outputs").join(&chapter).join(&name);
    if let Ok(bytes) = fs::read(&in_store) {
        return bytes;
    }
    let cache = default_target_dir(&root).join("nnblocks-tests/export/cache");
    for machine in fs::read_dir(&cache).unwrap() {
        if let Ok(bytes) = fs::read(machine.unwrap().path().join(&chapter).join(&name)) {
            return bytes;
        }
    }
    panic!("{name} is neither in the store nor in the cache");
}

/// `width="640" height="360"` of an SVG's root element.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let start = svg.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

fn rgba(png: &[u8]) -> image::RgbaImage {
    image::load_from_memory(png).unwrap().to_rgba8()
}

/// Pixels that differ between two images of one size.
fn differing(a: &image::RgbaImage, b: &image::RgbaImage) -> usize {
    assert_eq!(a.dimensions(), b.dimensions());
    a.pixels().zip(b.pixels()).filter(|(p, q)| p != q).count()
}

#[test]
fn exports_two_figures_by_number_and_by_label() {
    let all = export::book_figures(&workspace(), Nnblocks::default()).unwrap();
    // The broadcasting grids by number, the loss surface (axis 손실) by label.
    let grids = entry(&all, "s232-grids");
    let surface = entry(&all, "s24-surface");
    let dir = tempfile::tempdir().unwrap();
    let out = figures(&[
        "--out",
        dir.path().to_str().unwrap(),
        "--scale",
        "3",
        grids.info.short_number(),
        "s24-surface",
    ]);
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("nnblocks: 2 figure(s): "), "{log}");
    assert!(log.contains("exported 2 figure(s)"), "{log}");

    let stem = |e: &Entry| format!("{}-{}", e.info.short_number(), e.label);
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected = vec!["index.md".to_string()];
    for e in [grids, surface] {
        expected.push(format!("{}.png", stem(e)));
        expected.push(format!("{}.svg", stem(e)));
        assert!(
            log.contains(&format!("{}.svg, {}.png", stem(e), stem(e))),
            "progress names {}: {log}",
            e.info.number
        );
    }
    expected.sort();
    assert_eq!(names, expected);
    assert!(grids.info.number.starts_with("그림 2-"), "{:?}", grids.info);

    for e in [grids, surface] {
        let svg = fs::read(dir.path().join(format!("{}.svg", stem(e)))).unwrap();
        assert!(svg == stored(e, "svg"), "{} equals the stored SVG", e.label);
        let (w, h) = svg_size(std::str::from_utf8(&svg).unwrap());
        let png = rgba(&fs::read(dir.path().join(format!("{}.png", stem(e)))).unwrap());
        assert_eq!(png.dimensions(), (w * 3, h * 3), "{} at --scale 3", e.label);
        let ink = png
            .pixels()
            .filter(|p| p.0[..3].iter().any(|&c| c < 200))
            .count();
        let total = (png.width() * png.height()) as usize;
        assert!(
            ink * 50 > total,
            "{}: {ink} of {total} pixels drawn",
            e.label
        );
    }

    // 손실 on the loss surface is drawn with NanumGothic: the PNG is neither
    // the figure without that label nor the figure with missing-glyph boxes
    // (tofu) in its place.
    let svg = String::from_utf8(stored(surface, "svg")).unwrap();
    assert!(
        svg.contains(">\n손실\n</text>"),
        "the surface has the label 손실"
    );
    let exported = rgba(&fs::read(dir.path().join(format!("{}.png", stem(surface)))).unwrap());
    let drawn = |text: &str| {
        let svg = svg.replace(">\n손실\n</text>", &format!(">\n{text}\n</text>"));
        rgba(&export::svg_to_png(svg.as_bytes(), 3.0).unwrap())
    };
    assert!(differing(&exported, &drawn("")) > 100, "손실 has ink");
    assert!(
        differing(&exported, &drawn("\u{E000}\u{E000}")) > 100,
        "not tofu"
    );
    assert_eq!(differing(&exported, &drawn("손실")), 0);

    let index = fs::read_to_string(dir.path().join("index.md")).unwrap();
    let rows: Vec<&str> = index.lines().filter(|l| l.starts_with("| 그림")).collect();
    assert_eq!(rows.len(), 2, "{index}");
    assert!(index.contains("| 번호 | 레이블 | 캡션 | 쪽 | 원서 | 파일 |"));
    for (row, e) in rows.iter().zip([grids, surface]) {
        let (caption, original) = nnblocks::pages::figures::original_number(&e.info.caption);
        assert!(
            row.starts_with(&format!(
                "| {} | `{}` | {caption} | {} | ",
                e.info.number, e.label, e.info.page
            )),
            "{row}"
        );
        let original = original.map_or(String::new(), |n| format!("그림 {n}"));
        assert!(
            row.ends_with(&format!(
                "| {original} | [{0}.svg]({0}.svg) [{0}.png]({0}.png) |",
                stem(e)
            )),
            "{row}"
        );
    }
}

#[test]
fn unknown_figures_and_bad_options_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = figures(&["--out", out_dir, "2-99", "s24-surfce"]);
    let log = stderr(&out);
    assert!(!out.status.success());
    assert!(log.contains("no figure 2-99; closest: 2-9, 2-19"), "{log}");
    assert!(
        log.contains("no figure s24-surfce; closest: s24-surface"),
        "{log}"
    );

    let out = figures(&["--format", "svg,jpg"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("`jpg`: give svg, png or svg,png"),
        "{}",
        stderr(&out)
    );
    let out = figures(&["--scale", "-1"]);
    assert!(
        stderr(&out).contains("a number above 0"),
        "{}",
        stderr(&out)
    );

    // A folder that cannot be made: a file stands where its parent should be.
    let file = dir.path().join("file");
    fs::write(&file, "").unwrap();
    let out = figures(&["--out", file.join("sub").to_str().unwrap(), "s24-surface"]);
    let log = stderr(&out);
    assert!(!out.status.success());
    assert!(
        log.contains(&format!(
            "cannot create the output folder {}",
            file.join("sub").display()
        )),
        "{log}"
    );
    assert!(log.contains("os error"), "the OS's reason: {log}");

    let inside = workspace().join("book/figures-export-test");
    let out = figures(&["--out", inside.to_str().unwrap(), "s24-surface"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("inside the book's sources"),
        "{}",
        stderr(&out)
    );
    assert!(!inside.exists(), "nothing is written under book/");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only `file`");
}

#[test]
fn missing_figures_are_drawn_by_running_their_snippet_and_book_is_untouched() {
    let (dir, pre) = book(
        "export",
        "# 2.9 시험\n\n```rust,figure=t-loss caption=\"시험 손실 곡선 (원서 그림 2.99)\"\n\
         use nnblocks_figures::{Figure, style};\n\
         let fig = Figure::svg(320, 200).draw(|root| {\n\
             let mut chart = style::chart(root).build_cartesian_2d(0.0..1.0, 0.0..1.0)?;\n\
             style::mesh(&mut chart).x_desc(\"걸음\").y_desc(\"손실\").draw()?;\n\
             Ok(())\n\
         })?;\n\
         fig.show()?;\n```\n",
    );
    let before = tree(&dir.path().join("book"));
    let out = dir.path().join("exported");
    let options = export::Options {
        out: Some(out.clone()),
        ..export::Options::default()
    };
    let mut log = Vec::new();
    let done = export::export(dir.path(), clone(&pre), &options, &mut log).unwrap();
    let log = String::from_utf8(log).unwrap();
    assert!(
        log.contains("1 figure(s): 0 stored or cached, 1 to draw"),
        "{log}"
    );
    assert!(log.contains("bad.md:3 (그림 2-1)"), "{log}");
    assert!(
        log.contains("2-1-t-loss.svg, 2-1-t-loss.png (ran)"),
        "{log}"
    );
    assert_eq!(done.figures, 1);
    assert_eq!(done.programs_run, 1);
    assert_eq!(tree(&dir.path().join("book")), before, "book/ is untouched");
    let svg = fs::read_to_string(out.join("2-1-t-loss.svg")).unwrap();
    assert!(svg.contains("손실"));
    let png = rgba(&fs::read(out.join("2-1-t-loss.png")).unwrap());
    assert_eq!(png.dimensions(), (640, 400));
    let index = fs::read_to_string(out.join("index.md")).unwrap();
    assert!(
        index.contains("| 그림 2-1 | `t-loss` | 시험 손실 곡선 | 2.9 시험 | 그림 2.99 |"),
        "{index}"
    );

    // The second time, from the build cache; still nothing under book/.
    let mut log = Vec::new();
    let options = export::Options {
        svg: false,
        ..options
    };
    let done = export::export(dir.path(), clone(&pre), &options, &mut log).unwrap();
    let log = String::from_utf8(log).unwrap();
    assert!(log.contains("2-1-t-loss.png (cache)"), "{log}");
    assert_eq!(done.programs_run, 0);
    assert_eq!(tree(&dir.path().join("book")), before);
}

/// Every file under `dir`, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for f in fs::read_dir(&d).unwrap() {
            let path = f.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}
