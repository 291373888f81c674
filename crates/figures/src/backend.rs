//! One drawing backend type for both output formats.
//!
//! Plotters gives SVG and bitmap output different backend types, so a helper
//! written for one would not accept the other. [`Backend`] wraps either and
//! forwards every call, which lets a figure's drawing code (and any helper a
//! reader writes for it) take a single [`Root`] type.

use plotters::backend::{BitMapBackend, DrawingBackend};
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use crate::svg::Svg;

/// The bitmap backend's error type, which plotters does not name publicly.
type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

/// The drawing area a figure's closure draws on: the whole canvas, already
/// filled white.
///
/// Helpers that draw part of a figure can take `&Root` too:
///
/// ```
/// use nnblocks_figures::{Figure, Root};
/// use plotters::prelude::*;
///
/// fn dot(root: &Root) -> Result<(), Box<dyn std::error::Error>> {
///     root.draw(&Circle::new((20, 20), 5, BLACK.filled()))?;
///     Ok(())
/// }
///
/// let svg = Figure::svg(40, 40).draw(dot)?;
/// let png = Figure::png(40, 40).draw(dot)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type Root<'a> = DrawingArea<Backend<'a>, Shift>;

/// A plotters backend that renders either SVG or a bitmap.
///
/// Made by [`Canvas::draw`](crate::Canvas::draw); readers meet it only as the
/// backend of [`Root`].
pub struct Backend<'a>(Inner<'a>);

enum Inner<'a> {
    Svg(Svg<'a>),
    Bitmap(BitMapBackend<'a>),
}

impl<'a> Backend<'a> {
    pub(crate) fn svg(buf: &'a mut String, size: (u32, u32)) -> Self {
        Self(Inner::Svg(Svg::new(buf, size)))
    }

    pub(crate) fn bitmap(buf: &'a mut [u8], size: (u32, u32)) -> Self {
        Self(Inner::Bitmap(BitMapBackend::with_buffer(buf, size)))
    }

    /// Draws a polyline through `points`, in pixels with fractions: at
    /// hundredths of a pixel in SVG, rounded to whole pixels in a bitmap.
    pub(crate) fn draw_fine_path<S: BackendStyle>(
        &mut self,
        points: &[(f64, f64)],
        style: &S,
    ) -> Result<()> {
        match &mut self.0 {
            Inner::Svg(b) => {
                b.draw_fine_path(points, style);
                Ok(())
            }
            Inner::Bitmap(b) => {
                let whole = points
                    .iter()
                    .map(|&(x, y)| (x.round() as i32, y.round() as i32));
                b.draw_path(whole, style).map_err(bitmap_err)
            }
        }
    }
}

/// An error reported by the SVG or the bitmap backend.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The SVG backend failed.
    #[error(transparent)]
    Svg(std::io::Error),
    /// The bitmap backend failed.
    #[error(transparent)]
    Bitmap(BitmapError),
}

fn svg_err(e: DrawingErrorKind<std::io::Error>) -> DrawingErrorKind<BackendError> {
    match e {
        DrawingErrorKind::DrawingError(e) => DrawingErrorKind::DrawingError(BackendError::Svg(e)),
        DrawingErrorKind::FontError(e) => DrawingErrorKind::FontError(e),
    }
}

fn bitmap_err(e: DrawingErrorKind<BitmapError>) -> DrawingErrorKind<BackendError> {
    match e {
        DrawingErrorKind::DrawingError(e) => {
            DrawingErrorKind::DrawingError(BackendError::Bitmap(e))
        }
        DrawingErrorKind::FontError(e) => DrawingErrorKind::FontError(e),
    }
}

type Result<T> = std::result::Result<T, DrawingErrorKind<BackendError>>;

/// Forwards a call to whichever backend is inside, converting its error.
macro_rules! forward {
    ($inner:expr, $b:ident => $call:expr) => {
        match $inner {
            Inner::Svg($b) => $call.map_err(svg_err),
            Inner::Bitmap($b) => $call.map_err(bitmap_err),
        }
    };
}

impl DrawingBackend for Backend<'_> {
    type ErrorType = BackendError;

    fn get_size(&self) -> (u32, u32) {
        match &self.0 {
            Inner::Svg(b) => b.get_size(),
            Inner::Bitmap(b) => b.get_size(),
        }
    }

    fn ensure_prepared(&mut self) -> Result<()> {
        forward!(&mut self.0, b => b.ensure_prepared())
    }

    fn present(&mut self) -> Result<()> {
        forward!(&mut self.0, b => b.present())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<()> {
        forward!(&mut self.0, b => b.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<()> {
        forward!(&mut self.0, b => b.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<()> {
        forward!(&mut self.0, b => b.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<()> {
        forward!(&mut self.0, b => b.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<()> {
        forward!(&mut self.0, b => b.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<()> {
        forward!(&mut self.0, b => b.fill_polygon(vert, style))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<()> {
        match &mut self.0 {
            Inner::Svg(b) => b.draw_text(text, style, pos).map_err(svg_err),
            Inner::Bitmap(b) => crate::text::draw(b, text, style, pos).map_err(bitmap_err),
        }
    }

    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32)> {
        forward!(&self.0, b => b.estimate_text_size(text, style))
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<()> {
        forward!(&mut self.0, b => b.blit_bitmap(pos, size, src))
    }
}
