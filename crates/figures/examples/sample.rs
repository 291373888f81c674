//! Renders a sample chart in the house style, as SVG and PNG, for checking
//! how figures look: `cargo run -p nnblocks-figures --example sample -- DIR`.

use std::error::Error;
use std::path::PathBuf;

use nnblocks_figures::{Figure, Format, Root, style};
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

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    for format in [Format::Svg, Format::Png] {
        let fig = Figure::canvas(format, 640, 400).draw(sine_chart)?;
        let path = dir.join(format!("sample.{format}"));
        fig.save(&path)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
