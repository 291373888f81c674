//! [`Curve`]: a data line drawn at sub-pixel precision.

use plotters::chart::ChartContext;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::Ranged;
use plotters::element::{Drawable, PointCollection};
use plotters::style::ShapeStyle;
use plotters_backend::{BackendCoord, DrawingErrorKind};

use crate::backend::{Backend, BackendError};

/// A line through data points, placed at hundredths of a pixel in SVG.
///
/// Plotters' `LineSeries` rounds every point to a whole pixel, so a straight
/// line sampled at many points, or a smooth curve, comes out stepped. A
/// `Curve` maps its points with the chart's own axes but keeps the fractions;
/// use it wherever `LineSeries` would draw a data line:
///
/// ```
/// use nnblocks_figures::{Curve, Figure, style};
///
/// let fig = Figure::svg(320, 200).draw(|root| {
///     let mut chart = style::chart(root).build_cartesian_2d(0.0..3.0, 0.0..1.0)?;
///     let points = (0..=300).map(|i| f64::from(i) / 100.0).map(|x| (x, x / 3.0));
///     chart.draw_series(Curve::new(&chart, points, style::line(style::BLUE)))?;
///     Ok(())
/// })?;
/// assert!(fig.as_str().unwrap().contains(".5,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `P` is the chart's coordinate type; a `Curve` is drawn only on the chart
/// it was made for. For a line placed in pixels rather than data (an arc
/// beside an arrow, say), [`Curve::in_pixels`] draws on any area of the
/// figure.
#[derive(Clone, Debug)]
pub struct Curve<P> {
    pixels: Vec<(f64, f64)>,
    style: ShapeStyle,
    /// The origin of a curve placed in pixels, which plotters moves to the
    /// area's corner; none for a curve already placed on its chart.
    origin: Option<P>,
}

/// How finely an axis is read: a point's place along it, in 2^-20ths.
const STEPS: i32 = 1 << 20;

impl<A, B> Curve<(A, B)> {
    /// A curve through `points` (in the chart's coordinates), drawn on
    /// `chart` in `style`.
    pub fn new<X, Y>(
        chart: &ChartContext<'_, Backend<'_>, Cartesian2d<X, Y>>,
        points: impl IntoIterator<Item = (A, B)>,
        style: impl Into<ShapeStyle>,
    ) -> Self
    where
        X: Ranged<ValueType = A>,
        Y: Ranged<ValueType = B>,
    {
        let spec = chart.as_coord_spec();
        let (xs, ys) = (spec.get_x_axis_pixel_range(), spec.get_y_axis_pixel_range());
        // Plotters puts the first x value at the left edge and the first y
        // value at the bottom edge; so does this.
        let pixels = points
            .into_iter()
            .map(|(x, y)| {
                let fx = fraction(spec.x_spec(), &x);
                let fy = fraction(spec.y_spec(), &y);
                (
                    f64::from(xs.start) + f64::from(xs.end - xs.start) * fx,
                    f64::from(ys.end) - f64::from(ys.end - ys.start) * fy,
                )
            })
            .collect();
        Self {
            pixels,
            style: style.into(),
            origin: None,
        }
    }

    /// The points, in pixels from the top left of the canvas (or, for a
    /// curve [in pixels](Curve::in_pixels), of its area).
    pub fn pixels(&self) -> &[(f64, f64)] {
        &self.pixels
    }
}

impl Curve<BackendCoord> {
    /// A line through `points` given in pixels, with fractions, from the top
    /// left corner of the area it is drawn on:
    ///
    /// ```
    /// use nnblocks_figures::{Curve, Figure, style};
    ///
    /// let fig = Figure::svg(200, 200).draw(|root| {
    ///     let (_, right) = root.split_horizontally(100);
    ///     let arc = (0..=20).map(|i| f64::from(i) * 0.05 * std::f64::consts::PI)
    ///         .map(|a| (50.0 + 40.0 * a.cos(), 100.0 - 40.0 * a.sin()));
    ///     right.draw(&Curve::in_pixels(arc, style::line(style::RED)))?;
    ///     Ok(())
    /// })?;
    /// // The first point is (90, 100) in the right half: 190 on the canvas.
    /// assert!(fig.as_str().unwrap().contains("points=\"190,100 "));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_pixels(
        points: impl IntoIterator<Item = (f64, f64)>,
        style: impl Into<ShapeStyle>,
    ) -> Self {
        Self {
            pixels: points.into_iter().collect(),
            style: style.into(),
            origin: Some((0, 0)),
        }
    }
}

/// Where `value` lies along `axis`: 0 at its first value, 1 at its last.
/// The axis's own mapping is used at a fine resolution, so log and other
/// non-linear axes work too.
fn fraction<R: Ranged>(axis: &R, value: &R::ValueType) -> f64 {
    f64::from(axis.map(value, (0, STEPS))) / f64::from(STEPS)
}

impl<'b, P> Drawable<Backend<'b>> for Curve<P> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut origin: I,
        backend: &mut Backend<'b>,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<BackendError>> {
        let (dx, dy) = origin
            .next()
            .map_or((0.0, 0.0), |(x, y)| (f64::from(x), f64::from(y)));
        let moved: Vec<_> = self.pixels.iter().map(|&(x, y)| (x + dx, y + dy)).collect();
        backend.draw_fine_path(&moved, &self.style)
    }
}

// Plotters translates only the origin of a curve in pixels; a curve on a
// chart was placed by `new` and has nothing to translate.
impl<'a, P: 'a> PointCollection<'a, P> for &'a Curve<P> {
    type Point = &'a P;
    type IntoIter = std::option::Iter<'a, P>;

    fn point_iter(self) -> Self::IntoIter {
        self.origin.iter()
    }
}

/// A curve is a series of one element, so `chart.draw_series(curve)` works.
impl<P> IntoIterator for Curve<P> {
    type Item = Self;
    type IntoIter = std::iter::Once<Self>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(self)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Curve, Figure, style};
    use plotters::prelude::*;

    /// A straight line through many samples is one straight line, and its
    /// points lie on the same pixels plotters would give them, to a pixel.
    #[test]
    fn a_curve_follows_the_chart_axes_without_rounding() {
        let mut seen = Vec::new();
        Figure::svg(400, 300)
            .draw(|root| {
                let mut chart = style::chart(root).build_cartesian_2d(-1.0..2.0, 0.0..10.0)?;
                let points: Vec<_> = (0..=30)
                    .map(|i| (f64::from(i) / 10.0 - 1.0, 3.0 * f64::from(i) / 10.0))
                    .collect();
                let curve = Curve::new(&chart, points.clone(), style::line(style::BLUE));
                let spec = chart.as_coord_spec();
                for (p, &(x, y)) in points.iter().zip(curve.pixels()) {
                    let (wx, wy) = spec.translate(p);
                    assert!((x - f64::from(wx)).abs() < 1.0 && (y - f64::from(wy)).abs() < 1.0);
                }
                let (a, b, c) = (curve.pixels()[0], curve.pixels()[15], curve.pixels()[30]);
                // Collinear: the middle sample is on the line through the ends.
                let cross = (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0);
                assert!(cross.abs() < 1e-2, "{cross}");
                seen = curve.pixels().to_vec();
                chart.draw_series(curve)?;
                Ok(())
            })
            .unwrap();
        assert!(
            seen.iter()
                .any(|&(x, y)| x.fract() != 0.0 || y.fract() != 0.0)
        );
    }

    #[test]
    fn a_png_curve_is_drawn_on_whole_pixels() {
        let png = Figure::png(100, 80)
            .draw(|root| {
                let mut chart = ChartBuilder::on(root).build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
                let points = [(0.0, 0.0), (1.0, 1.0)];
                chart.draw_series(Curve::new(&chart, points, BLACK.stroke_width(3)))?;
                Ok(())
            })
            .unwrap();
        let img = image::load_from_memory(png.as_bytes()).unwrap().to_rgb8();
        assert!(img.pixels().any(|p| p.0 == [0, 0, 0]), "the line is drawn");
    }
}
