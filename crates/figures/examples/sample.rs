//! Renders a sample chart in the house style, as SVG and PNG, for checking
//! how figures look: `cargo run -p nnblocks-figures --example sample -- DIR`.

use std::error::Error;
use std::path::PathBuf;

use nnblocks_figures::{Curve, Figure, Format, Root, style};
use plotters::prelude::*;

fn sine_chart(root: &Root) -> Result<(), Box<dyn Error>> {
    let mut chart = style::chart(root)
        .caption("사인 곡선과 코사인 곡선", style::title())
        .build_cartesian_2d(-3.2..3.2, -1.2..1.2)?;
    style::mesh(&mut chart)
        .x_desc("입력 x (라디안)")
        .y_desc("출력")
        .draw()?;
    let xs = || (-320..=320).map(|i| f64::from(i) / 100.0);
    chart
        .draw_series(Curve::new(
            &chart,
            xs().map(|x| (x, x.sin())),
            style::line(style::BLUE),
        ))?
        .label("sin x")
        .legend(style::legend_line(style::BLUE));
    chart
        .draw_series(Curve::new(
            &chart,
            xs().map(|x| (x, x.cos())),
            style::line(style::RED),
        ))?
        .label("cos x")
        .legend(style::legend_line(style::RED));
    style::legend(&mut chart).draw()?;
    Ok(())
}

/// A diagram: a row vector broadcast against a column, copies in light gray.
fn broadcast_diagram(root: &Root) -> Result<(), Box<dyn Error>> {
    let cell = 44;
    let draw_grid = |x0: i32,
                     y0: i32,
                     rows: i32,
                     cols: i32,
                     stored: &dyn Fn(i32, i32) -> bool,
                     fill: RGBColor,
                     edge: RGBColor|
     -> Result<(), Box<dyn Error>> {
        for r in 0..rows {
            for c in 0..cols {
                let (x, y) = (x0 + c * cell, y0 + r * cell);
                let (bg, fg) = if stored(r, c) {
                    (fill, edge)
                } else {
                    (style::LIGHT_GRAY, style::GRAY)
                };
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    style::fill(bg),
                ))?;
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    fg.stroke_width(style::THIN_WIDTH),
                ))?;
                let label = format!("{}", c + 1);
                root.draw(&Text::new(
                    label,
                    (x + cell / 2, y + cell / 2),
                    style::centered(style::label()),
                ))?;
            }
        }
        Ok(())
    };
    root.draw(&Text::new(
        "브로드캐스팅: (1, 3) → (3, 3)",
        (24, 20),
        style::title(),
    ))?;
    draw_grid(40, 70, 3, 3, &|r, _| r == 0, style::LIGHT_BLUE, style::BLUE)?;
    root.draw(&Text::new("저장된 값", (200, 92), style::label()))?;
    root.draw(&Text::new(
        "복사본 (메모리 없음)",
        (200, 158),
        style::text(style::LABEL_SIZE).color(&style::MUTED),
    ))?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    for format in [Format::Svg, Format::Png] {
        let fig = Figure::canvas(format, 640, 400).draw(sine_chart)?;
        let path = dir.join(format!("sample.{format}"));
        fig.save(&path)?;
        println!("wrote {}", path.display());
    }
    for format in [Format::Svg, Format::Png] {
        let fig = Figure::canvas(format, 420, 220).draw(broadcast_diagram)?;
        let path = dir.join(format!("diagram.{format}"));
        fig.save(&path)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
