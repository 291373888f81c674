//! Rendering, fonts, determinism and the `show` protocol, checked on the
//! bytes the crate produces.

use std::error::Error;
use std::path::Path;
use std::process::Command;

use image::{Rgb, RgbImage};
use nnblocks_figures::{Figure, Format, Root, style};
use plotters::prelude::*;

const WHITE_PX: Rgb<u8> = Rgb([255, 255, 255]);

/// A chart with Korean title, axis descriptions, two series and a legend:
/// most of what the book's figures use.
fn chart(root: &Root) -> Result<(), Box<dyn Error>> {
    let mut chart = style::chart(root)
        .caption("사인 곡선", style::title())
        .build_cartesian_2d(-3.2..3.2, -1.2..1.2)?;
    style::mesh(&mut chart)
        .x_desc("입력 x")
        .y_desc("출력 y")
        .draw()?;
    let xs = || (-320..=320).map(|i| f64::from(i) / 100.0);
    chart
        .draw_series(LineSeries::new(
            xs().map(|x| (x, x.sin())),
            style::line(style::BLUE),
        ))?
        .label("sin x")
        .legend(style::legend_line(style::BLUE));
    chart
        .draw_series(LineSeries::new(
            xs().map(|x| (x, x.cos())),
            style::line(style::RED),
        ))?
        .label("cos x")
        .legend(style::legend_line(style::RED));
    style::legend(&mut chart).draw()?;
    Ok(())
}

fn decode(fig: &Figure) -> RgbImage {
    assert_eq!(fig.format(), Format::Png);
    image::load_from_memory_with_format(fig.as_bytes(), image::ImageFormat::Png)
        .expect("a PNG figure decodes")
        .to_rgb8()
}

/// The pixels in `[x0, x1) x [y0, y1)` that are not white.
fn ink(img: &RgbImage, (x0, y0): (u32, u32), (x1, y1): (u32, u32)) -> Vec<(u32, u32)> {
    let mut inked = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            if *img.get_pixel(x, y) != WHITE_PX {
                inked.push((x, y));
            }
        }
    }
    inked
}

/// Renders `text` at (10, 10) on a white 200x60 PNG, in `font`.
fn text_png(text: &str, font: FontDesc<'static>) -> RgbImage {
    let text = text.to_owned();
    let fig = Figure::png(200, 60)
        .draw(move |root| {
            root.draw(&Text::new(text, (10, 10), font.color(&BLACK)))?;
            Ok(())
        })
        .unwrap();
    decode(&fig)
}

/// Checks that `svg` is a well-formed XML document: tags nest and close,
/// attribute values are quoted and hold no markup, text holds no stray `<`
/// or `&`. Returns the element names in document order.
fn check_well_formed(svg: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open]);
        let close = rest[open..].find('>').expect("every tag closes") + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            continue;
        }
        let (tag, self_closing) = match tag.strip_suffix('/') {
            Some(tag) => (tag, true),
            None => (tag, false),
        };
        let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let name = &tag[..name_end];
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "bad element name in <{tag}>"
        );
        check_attributes(&tag[name_end..]);
        names.push(name.to_owned());
        if !self_closing {
            stack.push(name.to_owned());
        }
        if stack.is_empty() {
            assert!(rest.trim().is_empty(), "content after the root element");
        }
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    names
}

fn check_attributes(mut attrs: &str) {
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            return;
        }
        let eq = attrs.find('=').expect("attribute has a value");
        let key = &attrs[..eq];
        assert!(
            key.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':'),
            "bad attribute name {key:?}"
        );
        let value = attrs[eq + 1..].strip_prefix('"').expect("value is quoted");
        let end = value.find('"').expect("value closes");
        check_text(&value[..end]);
        attrs = &value[end + 1..];
    }
}

fn check_text(text: &str) {
    assert!(!text.contains('<'), "stray < in {text:?}");
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
        assert!(
            ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"].contains(&entity),
            "bad entity {entity:?}"
        );
    }
}

#[test]
fn svg_is_a_well_formed_white_document_holding_its_text() {
    let fig = Figure::svg(640, 400).draw(chart).unwrap();
    assert_eq!(fig.format(), Format::Svg);
    assert_eq!(fig.size(), (640, 400));
    let svg = fig.as_str().expect("SVG is UTF-8");
    assert_eq!(svg.as_bytes(), fig.as_bytes());

    let names = check_well_formed(svg);
    assert_eq!(names.first().map(String::as_str), Some("svg"));
    assert!(svg.starts_with("<svg "), "{}", &svg[..40]);
    assert!(svg.contains(r#"width="640" height="400" viewBox="0 0 640 400""#));
    // The first thing drawn is an opaque white rectangle over everything.
    assert_eq!(names.get(1).map(String::as_str), Some("rect"));
    assert!(svg.contains(
        r##"<rect x="0" y="0" width="640" height="400" opacity="1" fill="#FFFFFF" stroke="none"/>"##
    ));

    // Text stays text, in the house font stack with its quotes escaped.
    for text in ["사인 곡선", "입력 x", "출력 y", "sin x", "cos x", "0.5"] {
        assert!(
            svg.contains(&format!(">\n{text}\n</text>")),
            "{text:?} missing"
        );
    }
    let family = "font-family=\"NanumGothic, &apos;Noto Sans CJK KR&apos;, \
                  &apos;Apple SD Gothic Neo&apos;, &apos;Malgun Gothic&apos;, sans-serif\"";
    assert!(svg.contains(family));
    assert!(svg.contains(r#"font-weight="bold""#), "the title is bold");
    // The data lines are drawn in the house colours.
    assert!(svg.contains(r##"stroke="#1F6FB4""##));
    assert!(svg.contains(r##"stroke="#D13B2E""##));
}

#[test]
fn svg_text_is_escaped() {
    let fig = Figure::svg(300, 50)
        .draw(|root| {
            root.draw(&Text::new("a < b & \"c\" > 'd'", (5, 5), style::label()))?;
            Ok(())
        })
        .unwrap();
    let svg = fig.as_str().unwrap();
    check_well_formed(svg);
    assert!(svg.contains("a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;"));
}

#[test]
fn png_decodes_to_its_size_and_shows_what_was_drawn() {
    let fig = Figure::png(120, 80)
        .draw(|root| {
            root.draw(&Rectangle::new(
                [(20, 10), (60, 50)],
                style::fill(style::BLUE),
            ))?;
            Ok(())
        })
        .unwrap();
    assert_eq!(fig.format(), Format::Png);
    assert_eq!(fig.size(), (120, 80));
    assert!(fig.as_str().is_none());
    assert!(fig.as_bytes().starts_with(b"\x89PNG\r\n\x1a\n"));

    let img = decode(&fig);
    assert_eq!(img.dimensions(), (120, 80));
    let RGBColor(r, g, b) = style::BLUE;
    assert_eq!(
        *img.get_pixel(40, 30),
        Rgb([r, g, b]),
        "inside the rectangle"
    );
    assert_eq!(*img.get_pixel(5, 5), WHITE_PX, "the background is white");
    assert_eq!(*img.get_pixel(100, 70), WHITE_PX);
    // Plotters fills [20, 60) x [10, 50).
    assert_eq!(ink(&img, (0, 0), (120, 80)).len(), 40 * 40);
}

#[test]
fn korean_text_renders_in_png() {
    let font = style::font(style::LABEL_SIZE);
    let blank = text_png("", font.clone());
    let hangul = text_png("한글 그림", font.clone());
    let region = ((0, 0), (200, 60));
    assert!(ink(&blank, region.0, region.1).is_empty());
    let inked = ink(&hangul, region.0, region.1);
    assert!(inked.len() > 150, "only {} pixels inked", inked.len());
    // All of it lies where the text was put.
    assert!(
        inked
            .iter()
            .all(|&(x, y)| (10..120).contains(&x) && (5..40).contains(&y))
    );

    // Different syllables give different glyphs, so these are not the
    // missing-glyph box.
    let han = text_png("한", font.clone());
    let geul = text_png("글", font.clone());
    assert_ne!(
        ink(&han, region.0, region.1),
        ink(&geul, region.0, region.1)
    );

    // Plotters' default family and the bold house font render too.
    let default = text_png("한글 그림", ("sans-serif", style::LABEL_SIZE).into_font());
    assert_eq!(ink(&default, region.0, region.1), inked);
    let bold = text_png("한글 그림", style::bold(style::LABEL_SIZE));
    assert!(ink(&bold, region.0, region.1).len() > inked.len());
}

#[test]
fn png_glyphs_keep_their_side_bearing_and_sit_on_the_svg_baseline() {
    use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

    let size = 40.0;
    let nanum = FontRef::try_from_slice(include_bytes!("../fonts/NanumGothic.ttf")).unwrap();
    let one = nanum.glyph_id('1');
    let scaled = nanum.as_scaled(PxScale::from(size as f32));
    let bearing = scaled.h_side_bearing(one);
    assert!(
        bearing > 3.0,
        "the test needs a glyph with a visible side bearing"
    );
    let px_per_unit = size as f32 / nanum.height_unscaled();
    let em = px_per_unit * nanum.units_per_em().unwrap();
    // The glyph's extent around the baseline, in pixels, y up.
    let bounds = nanum.outline(one).unwrap().bounds;
    let above = bounds.min.y.max(bounds.max.y) * px_per_unit;
    let below = bounds.min.y.min(bounds.max.y) * px_per_unit;

    let img = text_png("1", style::font(size));
    let inked = ink(&img, (0, 0), (200, 60));
    let left = inked.iter().map(|p| p.0).min().unwrap() as f32;
    let top = inked.iter().map(|p| p.1).min().unwrap() as f32;
    let bottom = inked.iter().map(|p| p.1).max().unwrap() as f32 + 1.0;
    // Drawn with its anchor at (10, 10): the glyph starts one side bearing
    // right of it, and its baseline is where the SVG backend's dy="0.76em"
    // puts a top-anchored text's.
    let baseline = 10.0 + 0.76 * em;
    assert!(
        (left - (10.0 + bearing)).abs() <= 1.0,
        "left {left}, bearing {bearing}"
    );
    assert!(
        (top - (baseline - above)).abs() <= 1.0,
        "top {top}, baseline {baseline}"
    );
    assert!(
        (bottom - (baseline - below)).abs() <= 1.0,
        "bottom {bottom}, baseline {baseline}"
    );
}

#[test]
fn centered_text_is_centred_on_its_anchor_in_png() {
    let fig = Figure::png(200, 60)
        .draw(|root| {
            root.draw(&Text::new(
                "가나다",
                (100, 30),
                style::centered(style::label()),
            ))?;
            Ok(())
        })
        .unwrap();
    let inked = ink(&decode(&fig), (0, 0), (200, 60));
    let (xs, ys): (Vec<u32>, Vec<u32>) = inked.into_iter().unzip();
    let mid = |v: &[u32]| (v.iter().min().unwrap() + v.iter().max().unwrap() + 1) as f32 / 2.0;
    assert!((mid(&xs) - 100.0).abs() <= 2.0, "x centre {}", mid(&xs));
    assert!((mid(&ys) - 30.0).abs() <= 3.0, "y centre {}", mid(&ys));
}

#[test]
fn the_same_drawing_gives_the_same_bytes() {
    for format in [Format::Svg, Format::Png] {
        let a = Figure::canvas(format, 640, 400).draw(chart).unwrap();
        let b = Figure::canvas(format, 640, 400).draw(chart).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes(), "{format}");
        assert_eq!(a, b);
    }
}

#[test]
fn closure_errors_and_bad_sizes_are_reported() {
    let err = Figure::svg(10, 10)
        .draw(|_| Err("no data".into()))
        .unwrap_err();
    assert_eq!(err.to_string(), "drawing the figure failed: no data");
    assert!(err.source().is_some());

    let err = Figure::png(0, 10).draw(|_| Ok(())).unwrap_err();
    assert!(err.to_string().contains("0x10"), "{err}");
}

#[test]
fn save_writes_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let fig = Figure::png(30, 20).draw(|_| Ok(())).unwrap();
    let path = dir.path().join("x.png");
    fig.save(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), fig.as_bytes());
}

// `show` reads the environment and writes to the process's stdout, so it is
// tested in a child process: this test binary run again with only
// `show_child` selected.

const CHILD_VAR: &str = "NNBLOCKS_FIGURES_SHOW_CHILD";

/// What the child process runs; does nothing in a normal test run.
#[test]
fn show_child() -> Result<(), Box<dyn Error>> {
    if std::env::var_os(CHILD_VAR).is_none() {
        return Ok(());
    }
    // In this fresh process, a house font made before any figure can still
    // measure text, which legends and axis labels need.
    let early = style::label();
    Figure::svg(100, 40).draw(move |root| {
        let (width, _) = root.estimate_text_size("한글", &early)?;
        assert!(width > 10, "{width}");
        Ok(())
    })?;
    print!("before");
    Figure::svg(640, 400).draw(chart)?.show()?;
    Figure::png(320, 200).draw(chart)?.show()?;
    println!("after");
    Ok(())
}

fn run_child(dir: &Path, figure_dir: Option<&Path>) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["show_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_VAR, "1")
        .current_dir(dir);
    match figure_dir {
        Some(figure_dir) => cmd.env("NNBLOCKS_FIGURE_DIR", figure_dir),
        None => cmd.env_remove("NNBLOCKS_FIGURE_DIR"),
    };
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The child's figures, rendered here: equal bytes mean the output is also
/// the same from one process to the next.
fn assert_child_figures(dir: &Path) {
    let svg = Figure::svg(640, 400).draw(chart).unwrap();
    let png = Figure::png(320, 200).draw(chart).unwrap();
    assert_eq!(
        std::fs::read(dir.join("figure-1.svg")).unwrap(),
        svg.as_bytes()
    );
    assert_eq!(
        std::fs::read(dir.join("figure-2.png")).unwrap(),
        png.as_bytes()
    );
}

#[test]
fn show_in_the_book_writes_numbered_files_and_prints_markers() {
    let cwd = tempfile::tempdir().unwrap();
    let figures = tempfile::tempdir().unwrap();
    let stdout = run_child(cwd.path(), Some(figures.path()));
    assert!(
        stdout.contains(
            "before\u{1e}figure:figure-1.svg\u{1e}\u{1e}figure:figure-2.png\u{1e}after\n"
        ),
        "{stdout:?}"
    );
    assert_child_figures(figures.path());
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
}

#[test]
fn show_elsewhere_saves_in_the_current_directory() {
    let cwd = tempfile::tempdir().unwrap();
    let stdout = run_child(cwd.path(), None);
    assert!(
        stdout
            .contains("beforefigure saved to figure-1.svg\nfigure saved to figure-2.png\nafter\n"),
        "{stdout:?}"
    );
    assert!(!stdout.contains('\u{1e}'));
    assert_child_figures(cwd.path());
}
