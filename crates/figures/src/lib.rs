//! The figure runtime and house style of the nnblocks book.
//!
//! Every diagram and chart in the book is drawn by a Rust snippet that runs
//! when the book is built. Such a snippet draws with plain [plotters] on a
//! [`Figure`] and calls [`Figure::show`]; this crate renders the drawing to SVG
//! (or PNG, for pixel data), embeds the NanumGothic font so that Korean labels
//! render in raster figures, hands the file to the book engine, and provides
//! the shared [`style`] (palette, fonts, chart setup) that keeps the book's
//! figures consistent. Data lines are drawn with [`Curve`], which keeps
//! their points at sub-pixel precision where plotters' `LineSeries` would
//! round them to a staircase. Run outside the book, the same snippet just saves its
//! figure in the current directory.
//!
//! ```no_run
//! use nnblocks_figures::{Curve, Figure, style};
//! use plotters::prelude::*;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let fig = Figure::svg(640, 400).draw(|root| {
//!         let mut chart = style::chart(root).build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
//!         style::mesh(&mut chart).x_desc("입력 x").y_desc("출력 y").draw()?;
//!         chart.draw_series(Curve::new(&chart, [(0.0, 0.0), (1.0, 1.0)], style::line(style::BLUE)))?;
//!         Ok(())
//!     })?;
//!     fig.show()?;
//!     Ok(())
//! }
//! ```

mod array;
mod backend;
mod curve;
mod figure;
mod fonts;
pub mod style;
mod svg;
mod text;
mod value;

pub use array::{Precision, array};
pub use backend::{Backend, BackendError, Root};
pub use curve::Curve;
pub use figure::{Canvas, FIGURE_DIR_VAR, Figure, FigureError, Format};
pub use value::value;
