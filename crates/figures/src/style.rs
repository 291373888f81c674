//! The house style: colours, text, line widths and chart setup shared by every
//! figure in the book.
//!
//! Use the module by name, `style::BLUE`, `style::title()`, so that it does not
//! clash with plotters' own `BLUE` and friends.
//!
//! ```
//! use nnblocks_figures::{Curve, Figure, style};
//! use plotters::prelude::*;
//!
//! let fig = Figure::svg(640, 400).draw(|root| {
//!     let mut chart = style::chart(root)
//!         .caption("사인 곡선", style::title())
//!         .build_cartesian_2d(-3.2..3.2, -1.2..1.2)?;
//!     style::mesh(&mut chart).x_desc("x").y_desc("sin x").draw()?;
//!     let xs = (-320..=320).map(|i| f64::from(i) / 100.0);
//!     chart.draw_series(Curve::new(&chart, xs.map(|x| (x, x.sin())), style::line(style::BLUE)))?;
//!     Ok(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use plotters::chart::{
    ChartBuilder, ChartContext, MeshStyle, SeriesLabelPosition, SeriesLabelStyle,
};
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::{CoordTranslate, Shift};
use plotters::drawing::DrawingArea;
use plotters::element::PathElement;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{
    Color, FontDesc, FontFamily, FontStyle, RGBColor, ShapeStyle, TextStyle, WHITE,
};
use plotters_backend::{BackendCoord, DrawingBackend};

/// The font family of all figure text.
///
/// PNG figures always render it with the embedded NanumGothic. SVG figures
/// keep their text as text and name this CSS family list, so browsers use
/// NanumGothic or another Korean sans-serif the reader has.
pub const FONT_FAMILY: &str =
    "NanumGothic, 'Noto Sans CJK KR', 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif";

// Colours. The named colours are for data; `INK`, `MUTED` and `GRID` are for
// the frame around it.

/// Text and axes: a soft black.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text and de-emphasised marks.
pub const MUTED: RGBColor = RGBColor(0x6B, 0x6B, 0x6B);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

/// The primary data colour.
pub const BLUE: RGBColor = RGBColor(0x1F, 0x6F, 0xB4);
/// A second series, or what is wrong, removed or negative.
pub const RED: RGBColor = RGBColor(0xD1, 0x3B, 0x2E);
/// A third series, or what is right, added or positive.
pub const GREEN: RGBColor = RGBColor(0x2E, 0x8B, 0x47);
/// A fourth series.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x84, 0x13);
/// A fifth series.
pub const PURPLE: RGBColor = RGBColor(0x7B, 0x4F, 0xA8);
/// Neutral marks: reference lines, inactive elements.
pub const GRAY: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);

/// A light fill behind or under [`BLUE`] marks: tensor cells, areas.
pub const LIGHT_BLUE: RGBColor = RGBColor(0xD6, 0xE6, 0xF5);
/// A light fill to go with [`RED`].
pub const LIGHT_RED: RGBColor = RGBColor(0xF8, 0xD9, 0xD5);
/// A light fill to go with [`GREEN`].
pub const LIGHT_GREEN: RGBColor = RGBColor(0xD7, 0xEE, 0xDD);
/// A light neutral fill: values that are implied rather than stored, such as
/// the copies broadcasting makes.
pub const LIGHT_GRAY: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);

/// Data colours in the order series should take them.
pub const SERIES: [RGBColor; 5] = [BLUE, RED, GREEN, ORANGE, PURPLE];

// Text sizes, in plotters' units. An SVG figure's `font-size` is the size
// divided by 1.24, so 19 is about 15 CSS pixels.

/// Size of a figure title.
pub const TITLE_SIZE: f64 = 22.0;
/// Size of axis descriptions, legends and annotations.
pub const LABEL_SIZE: f64 = 19.0;
/// Size of tick labels.
pub const TICK_SIZE: f64 = 17.0;

/// Width of data lines, in pixels.
pub const LINE_WIDTH: u32 = 2;
/// Width of outlines, arrows and axes, in pixels.
pub const THIN_WIDTH: u32 = 1;

/// Space between the canvas edge and a chart, in pixels.
pub const MARGIN: u32 = 16;

/// The house font at `size`.
pub fn font(size: f64) -> FontDesc<'static> {
    // Plotters looks the font up when a `FontDesc` is made, so it must be
    // registered before, even outside a figure's drawing.
    crate::fonts::register();
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size, FontStyle::Normal)
}

/// The bold house font at `size`.
///
/// (Plotters' `FontDesc::style` keeps the regular glyphs in PNG figures; this
/// picks the bold ones.)
pub fn bold(size: f64) -> FontDesc<'static> {
    crate::fonts::register();
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size, FontStyle::Bold)
}

/// Text in the house font at `size`, in [`INK`].
pub fn text(size: f64) -> TextStyle<'static> {
    font(size).color(&INK)
}

/// A figure title, for `ChartBuilder::caption` or drawn on its own. Most
/// figures need none: the book's text says what they show.
pub fn title() -> TextStyle<'static> {
    bold(TITLE_SIZE).color(&INK)
}

/// Axis descriptions, legends and annotations.
pub fn label() -> TextStyle<'static> {
    text(LABEL_SIZE)
}

/// Tick labels.
pub fn tick() -> TextStyle<'static> {
    font(TICK_SIZE).color(&MUTED)
}

/// `text` anchored at its centre instead of its top left: for labels inside
/// boxes and at points of a diagram.
pub fn centered(text: TextStyle<'static>) -> TextStyle<'static> {
    text.pos(Pos::new(HPos::Center, VPos::Center))
}

/// A data line in `color`, [`LINE_WIDTH`] wide.
pub fn line(color: RGBColor) -> ShapeStyle {
    color.stroke_width(LINE_WIDTH)
}

/// A solid fill in `color`.
pub fn fill(color: RGBColor) -> ShapeStyle {
    color.filled()
}

/// A chart builder with the house margin and room for tick labels and axis
/// descriptions on the left and at the bottom; add a caption if the figure
/// needs a title, then build the coordinates.
pub fn chart<'a, 'b, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(MARGIN)
        .margin_right(MARGIN * 2)
        .x_label_area_size(52)
        .y_label_area_size(68);
    builder
}

/// The house mesh: light grid lines at the labelled ticks only, gray axes and
/// tick labels, house fonts. Add axis descriptions and call `draw()`:
/// `style::mesh(&mut chart).x_desc("x").draw()?`.
pub fn mesh<'a, 'b, X, Y, XT, YT, DB>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    DB: DrawingBackend,
{
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(GRID.stroke_width(THIN_WIDTH))
        .max_light_lines(0)
        .axis_style(GRAY.stroke_width(THIN_WIDTH))
        .set_all_tick_mark_size(4)
        .label_style(tick())
        .axis_desc_style(label())
        .x_labels(7)
        .y_labels(7);
    mesh
}

/// The house legend for the series given a `.label(...)`: top right, on a
/// white box with a light border, in the label font. Call `draw()` on it.
pub fn legend<'a, 'b, DB, CT>(
    chart: &'b mut ChartContext<'a, DB, CT>,
) -> SeriesLabelStyle<'a, 'b, DB, CT>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    let mut legend = chart.configure_series_labels();
    legend
        .position(SeriesLabelPosition::UpperRight)
        .margin(8)
        .legend_area_size(28)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID)
        .label_font(label());
    legend
}

/// The legend mark of a line series in `color`:
/// `.label("sin x").legend(style::legend_line(style::BLUE))`.
pub fn legend_line(color: RGBColor) -> impl Fn(BackendCoord) -> PathElement<BackendCoord> {
    move |(x, y)| PathElement::new([(x, y), (x + 20, y)], line(color))
}
