//! Drawing tensors as boxes: the small toolkit behind the book's tensor
//! diagrams (a rank-3 time series, a rank-4 batch of images, a rank-5
//! batch of videos).
//!
//! A box lives in a 3D space where `x` goes right, `y` up and `z` back
//! (away from the reader). [`Oblique`] projects that space onto the canvas
//! the way textbooks draw boxes: the front face undistorted, depth going up
//! and to the right, shortened. [`Oblique::cuboid`] draws a box's three
//! visible faces with light fills and optional cell lines,
//! [`Oblique::dimension`] a labelled arrow along an edge.
//!
//! ```
//! use nnblocks_figures::{Figure, style};
//! use nnblocks_tensors::diagram::{Cuboid, Oblique};
//!
//! let fig = Figure::svg(300, 200).draw(|root| {
//!     let view = Oblique::new((60.0, 170.0), 10.0);
//!     view.cuboid(root, &Cuboid::new((0.0, 0.0, 0.0), (12.0, 8.0, 6.0), style::LIGHT_BLUE))?;
//!     view.dimension(root, (0.0, -1.0, 0.0), (12.0, -1.0, 0.0), "너비", (0, 14))?;
//!     Ok(())
//! })?;
//! assert!(fig.as_str().unwrap().contains("<polygon"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::error::Error;

use nnblocks_figures::{Root, style};
use plotters::element::{PathElement, Polygon};
use plotters::style::{Color, RGBColor, ShapeStyle};

/// A point in the diagram's 3D space: `(x right, y up, z back)`.
pub type Point3 = (f64, f64, f64);

/// The result of a drawing helper.
pub type DrawResult = Result<(), Box<dyn Error>>;

/// An oblique ("cabinet") projection of the diagram's 3D space onto the
/// canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Oblique {
    /// Canvas pixel of the 3D origin.
    pub origin: (f64, f64),
    /// Pixels per unit along `x` and `y`.
    pub scale: f64,
    /// Angle of the depth axis on the canvas, in degrees from the x axis.
    pub angle: f64,
    /// How much the depth axis is shortened (0.5: half as long).
    pub depth: f64,
}

impl Oblique {
    /// A projection with the origin at canvas pixel `origin` and `scale`
    /// pixels per unit; depth at 35 degrees, shortened to 0.55.
    pub fn new(origin: (f64, f64), scale: f64) -> Self {
        Self {
            origin,
            scale,
            angle: 35.0,
            depth: 0.55,
        }
    }

    /// The canvas pixel of a 3D point.
    pub fn project(&self, (x, y, z): Point3) -> (i32, i32) {
        let (sin, cos) = self.angle.to_radians().sin_cos();
        let d = z * self.depth;
        let px = self.origin.0 + self.scale * (x + d * cos);
        let py = self.origin.1 - self.scale * (y + d * sin);
        (px.round() as i32, py.round() as i32)
    }

    /// Draws the three visible faces of `cuboid` (front, top, right), each
    /// in a shade of its fill, then its cell lines and outline. Draw the
    /// boxes farthest back first: each box hides what it covers.
    pub fn cuboid(&self, root: &Root<'_>, cuboid: &Cuboid) -> DrawResult {
        let (x0, y0, z0) = cuboid.at;
        let (x1, y1, z1) = (x0 + cuboid.size.0, y0 + cuboid.size.1, z0 + cuboid.size.2);
        let front = [(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0)];
        let top = [(x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)];
        let right = [(x1, y0, z0), (x1, y0, z1), (x1, y1, z1), (x1, y1, z0)];
        let faces = [
            (front, cuboid.fill),
            (top, mix(cuboid.fill, WHITE_RGB, 0.3)),
            (right, mix(cuboid.fill, cuboid.edge, 0.15)),
        ];
        for (corners, fill) in faces {
            let points: Vec<_> = corners.iter().map(|&p| self.project(p)).collect();
            root.draw(&Polygon::new(points, fill.filled()))?;
        }

        // Cell lines: planes x = const show on the front and top faces,
        // y = const on the front and right, z = const on the top and right.
        let line_style = cuboid.edge.mix(0.35).stroke_width(style::THIN_WIDTH);
        let (nx, ny, nz) = cuboid.cells;
        for i in 1..nx {
            let x = x0 + cuboid.size.0 * i as f64 / nx as f64;
            self.path(root, &[(x, y0, z0), (x, y1, z0), (x, y1, z1)], line_style)?;
        }
        for j in 1..ny {
            let y = y0 + cuboid.size.1 * j as f64 / ny as f64;
            self.path(root, &[(x0, y, z0), (x1, y, z0), (x1, y, z1)], line_style)?;
        }
        for k in 1..nz {
            let z = z0 + cuboid.size.2 * k as f64 / nz as f64;
            self.path(root, &[(x0, y1, z), (x1, y1, z), (x1, y0, z)], line_style)?;
        }

        let outline = cuboid.edge.stroke_width(style::THIN_WIDTH);
        for corners in [front, top, right] {
            let mut closed = corners.to_vec();
            closed.push(corners[0]);
            self.path(root, &closed, outline)?;
        }
        Ok(())
    }

    /// A polyline through 3D points.
    pub fn path(&self, root: &Root<'_>, points: &[Point3], line: ShapeStyle) -> DrawResult {
        let points: Vec<_> = points.iter().map(|&p| self.project(p)).collect();
        root.draw(&PathElement::new(points, line))?;
        Ok(())
    }

    /// A dimension arrow from `from` to `to` (3D points, usually just
    /// outside an edge of a box) with `label` centred at its middle, moved
    /// by `offset` canvas pixels.
    pub fn dimension(
        &self,
        root: &Root<'_>,
        from: Point3,
        to: Point3,
        label: &str,
        offset: (i32, i32),
    ) -> DrawResult {
        let (a, b) = (self.project(from), self.project(to));
        arrow(root, a, b, style::INK)?;
        let middle = ((a.0 + b.0) / 2 + offset.0, (a.1 + b.1) / 2 + offset.1);
        root.draw_text(label, &style::centered(style::label()), middle)?;
        Ok(())
    }
}

/// A box to draw: its nearest bottom-left corner, its size along `x`, `y`
/// and `z`, its fill, outline colour and the number of cells along each
/// axis (1 draws no inner lines).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cuboid {
    /// The corner with the smallest `x`, `y` and `z`.
    pub at: Point3,
    /// Extent along `x` (right), `y` (up) and `z` (back).
    pub size: Point3,
    /// The front face's colour; the top is lighter, the side darker.
    pub fill: RGBColor,
    /// Outline and cell-line colour.
    pub edge: RGBColor,
    /// Cells along `x`, `y`, `z`.
    pub cells: (usize, usize, usize),
}

impl Cuboid {
    /// A box with the house outline colour and no inner lines.
    pub fn new(at: Point3, size: Point3, fill: RGBColor) -> Self {
        Self {
            at,
            size,
            fill,
            edge: style::INK,
            cells: (1, 1, 1),
        }
    }

    /// The same box divided into `cells` along `x`, `y`, `z`.
    pub fn cells(self, x: usize, y: usize, z: usize) -> Self {
        Self {
            cells: (x, y, z),
            ..self
        }
    }

    /// The same box outlined in `edge`.
    pub fn edge(self, edge: RGBColor) -> Self {
        Self { edge, ..self }
    }
}

/// A straight arrow from `from` to `to` in canvas pixels, its head at `to`.
pub fn arrow(root: &Root<'_>, from: (i32, i32), to: (i32, i32), color: RGBColor) -> DrawResult {
    root.draw(&PathElement::new(
        [from, to],
        color.stroke_width(style::THIN_WIDTH),
    ))?;
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let length = dx.hypot(dy);
    if length > 0.0 {
        let (ux, uy) = (dx / length, dy / length);
        let (head, half) = (9.0, 4.0);
        let base = (f64::from(to.0) - ux * head, f64::from(to.1) - uy * head);
        let left = (base.0 - uy * half, base.1 + ux * half);
        let right = (base.0 + uy * half, base.1 - ux * half);
        let round = |(x, y): (f64, f64)| (x.round() as i32, y.round() as i32);
        root.draw(&Polygon::new(
            vec![to, round(left), round(right)],
            color.filled(),
        ))?;
    }
    Ok(())
}

const WHITE_RGB: RGBColor = RGBColor(255, 255, 255);

/// `a` moved a fraction `t` of the way towards `b`.
pub fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let channel = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    RGBColor(channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnblocks_figures::Figure;

    #[test]
    fn projection_keeps_the_front_face_and_moves_depth_up_right() {
        let view = Oblique::new((100.0, 200.0), 10.0);
        assert_eq!(view.project((0.0, 0.0, 0.0)), (100, 200));
        assert_eq!(view.project((3.0, 2.0, 0.0)), (130, 180));
        let (x, y) = view.project((0.0, 0.0, 10.0));
        assert!(x > 100 && y < 200, "depth goes up and right: {x}, {y}");
    }

    #[test]
    fn a_cuboid_draws_three_faces_and_its_cell_lines() {
        let count = |cells: (usize, usize, usize)| {
            let fig = Figure::svg(200, 200)
                .draw(|root| {
                    let view = Oblique::new((20.0, 180.0), 10.0);
                    let cuboid = Cuboid::new((0.0, 0.0, 0.0), (5.0, 5.0, 5.0), style::LIGHT_BLUE);
                    view.cuboid(root, &cuboid.cells(cells.0, cells.1, cells.2))
                })
                .unwrap();
            let svg = fig.as_str().unwrap().to_owned();
            (
                svg.matches("<polygon").count(),
                svg.matches("<polyline").count(),
            )
        };
        assert_eq!(count((1, 1, 1)), (3, 3));
        // 2 + 3 + 1 inner lines.
        assert_eq!(count((3, 4, 2)), (3, 3 + 6));
    }

    #[test]
    fn mix_blends_channels() {
        let a = RGBColor(0, 100, 200);
        assert_eq!(mix(a, RGBColor(100, 100, 0), 0.5), RGBColor(50, 100, 100));
        assert_eq!(mix(a, WHITE_RGB, 0.0), a);
    }
}
