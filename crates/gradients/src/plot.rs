//! Marks for the descent figures of 2.4.3: arrows from one step to the next,
//! straight or bent, and level curves (contour lines) of a loss of two
//! parameters.
//!
//! ```
//! use nnblocks_gradients::plot::level_curves;
//!
//! // The unit circle is the level 1 of w1² + w2².
//! let curves = level_curves(|a, b| a * a + b * b, -2.0..2.0, -2.0..2.0, 40, 1.0);
//! assert_eq!(curves.len(), 1);
//! for (a, b) in &curves[0] {
//!     assert!((a.hypot(*b) - 1.0).abs() < 0.01);
//! }
//! ```

use std::ops::Range;

use nnblocks_figures::{Backend, BackendError, Curve};
use plotters::coord::CoordTranslate;
use plotters::prelude::*;

/// A polyline or polygon in pixels.
type Points = Vec<(f64, f64)>;

/// Arrowhead length and half width, in pixels.
const HEAD: (f64, f64) = (10.0, 4.5);
/// Points per arc, drawn at sub-pixel precision.
const SAMPLES: u32 = 24;

/// Draws an arrow on `area` from `from` to `to` (in the area's coordinates),
/// leaving `gap` pixels free at both ends so that it does not cover the
/// points it joins.
///
/// With `bend` 0 the arrow is straight; otherwise it is an arc whose middle
/// lies `bend` pixels to the left of the straight line, as seen on the
/// screen when travelling from `from` to `to` (a negative `bend` goes right).
pub fn arrow<CT>(
    area: &DrawingArea<Backend<'_>, CT>,
    from: &CT::From,
    to: &CT::From,
    bend: f64,
    gap: f64,
    color: RGBColor,
) -> Result<(), DrawingAreaErrorKind<BackendError>>
where
    CT: CoordTranslate,
{
    let base = area.get_base_pixel();
    let pixel = |p: &CT::From| {
        let (x, y) = area.map_coordinate(p);
        (f64::from(x - base.0), f64::from(y - base.1))
    };
    let arc = trim(bezier(pixel(from), pixel(to), bend), gap);
    if arc.len() < 2 {
        return Ok(());
    }
    let plain = area.strip_coord_spec();
    let round = |(x, y): (f64, f64)| (x.round() as i32, y.round() as i32);
    let (head, shaft) = head(&arc);
    plain.draw(&Curve::in_pixels(shaft, color.stroke_width(2)))?;
    plain.draw(&Polygon::new(
        head.into_iter().map(round).collect::<Vec<_>>(),
        color.filled(),
    ))?;
    Ok(())
}

/// Draws the steps of a descent, from each of `points` to the next: as an
/// arrow (bent by `bend`, see [`arrow`]) where the step is long enough on
/// the screen to hold one, as a plain line where it is not.
pub fn steps<CT>(
    area: &DrawingArea<Backend<'_>, CT>,
    points: &[CT::From],
    bend: f64,
    gap: f64,
    color: RGBColor,
) -> Result<(), DrawingAreaErrorKind<BackendError>>
where
    CT: CoordTranslate,
    CT::From: Clone,
{
    for pair in points.windows(2) {
        let (a, b) = (area.map_coordinate(&pair[0]), area.map_coordinate(&pair[1]));
        let length = f64::from(b.0 - a.0).hypot(f64::from(b.1 - a.1));
        if length > 2.0 * gap + 1.5 * HEAD.0 {
            arrow(area, &pair[0], &pair[1], bend, gap, color)?;
        } else {
            area.draw(&PathElement::new(
                vec![pair[0].clone(), pair[1].clone()],
                color.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// Points along the quadratic Bézier curve from `a` to `b` whose middle is
/// `bend` pixels to the left of the chord (screen coordinates, y down).
fn bezier(a: (f64, f64), b: (f64, f64), bend: f64) -> Vec<(f64, f64)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx.hypot(dy).max(1e-9);
    // Left of the direction of travel on a screen whose y axis points down.
    let (nx, ny) = (dy / length, -dx / length);
    // The curve's middle is halfway between the chord's middle and the
    // control point.
    let c = (
        (a.0 + b.0) / 2.0 + 2.0 * bend * nx,
        (a.1 + b.1) / 2.0 + 2.0 * bend * ny,
    );
    let samples = if bend == 0.0 { 1 } else { SAMPLES };
    (0..=samples)
        .map(|i| {
            let t = f64::from(i) / f64::from(samples);
            let (u, v, w) = ((1.0 - t) * (1.0 - t), 2.0 * t * (1.0 - t), t * t);
            (u * a.0 + v * c.0 + w * b.0, u * a.1 + v * c.1 + w * b.1)
        })
        .collect()
}

/// `points` cut `gap` pixels (in a straight line) from the first point and
/// from the last; empty if nothing is left.
fn trim(points: Vec<(f64, f64)>, gap: f64) -> Vec<(f64, f64)> {
    let mut cut = cut_start(&points, gap);
    cut.reverse();
    let mut cut = cut_start(&cut, gap);
    cut.reverse();
    cut
}

/// `points` from where they first get `gap` away from the first point, the
/// crossing point found on the segment that crosses.
fn cut_start(points: &[(f64, f64)], gap: f64) -> Vec<(f64, f64)> {
    let Some(&first) = points.first() else {
        return Vec::new();
    };
    let away = |p: (f64, f64)| (p.0 - first.0).hypot(p.1 - first.1);
    match points.iter().position(|&p| away(p) >= gap) {
        None => Vec::new(),
        Some(0) => points.to_vec(),
        Some(k) => {
            let (p, q) = (points[k - 1], points[k]);
            let t = (gap - away(p)) / (away(q) - away(p));
            let mut cut = vec![(p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1))];
            cut.extend_from_slice(&points[k..]);
            cut
        }
    }
}

/// The arrowhead at the end of `arc` (a triangle), and the shaft: `arc`
/// stopped where the head begins.
fn head(arc: &[(f64, f64)]) -> (Points, Points) {
    let tip = arc[arc.len() - 1];
    let mut backwards = arc.to_vec();
    backwards.reverse();
    let mut shaft = cut_start(&backwards, HEAD.0);
    shaft.reverse();
    let base = shaft.last().copied().unwrap_or(arc[0]);
    let (dx, dy) = (tip.0 - base.0, tip.1 - base.1);
    let length = dx.hypot(dy).max(1e-9);
    let (nx, ny) = (-dy / length * HEAD.1, dx / length * HEAD.1);
    let head = vec![tip, (base.0 + nx, base.1 + ny), (base.0 - nx, base.1 - ny)];
    (head, shaft)
}

/// The curves where `f(w1, w2) = level` over the rectangle `w1` × `w2`,
/// traced on a grid of `cells` × `cells` cells (marching squares), each as a
/// list of points. A closed curve ends where it starts.
pub fn level_curves<F>(
    f: F,
    w1: Range<f64>,
    w2: Range<f64>,
    cells: usize,
    level: f64,
) -> Vec<Vec<(f64, f64)>>
where
    F: Fn(f64, f64) -> f64,
{
    let at = |i: usize, j: usize| {
        let x = w1.start + (w1.end - w1.start) * i as f64 / cells as f64;
        let y = w2.start + (w2.end - w2.start) * j as f64 / cells as f64;
        (x, y, f(x, y) - level)
    };
    let mut segments = Vec::new();
    for i in 0..cells {
        for j in 0..cells {
            let corners = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
            let crossings: Vec<(f64, f64)> = (0..4)
                .filter_map(|k| crossing(corners[k], corners[(k + 1) % 4]))
                .collect();
            for pair in crossings.chunks_exact(2) {
                segments.push([pair[0], pair[1]]);
            }
        }
    }
    join(segments)
}

/// Where the level (0) lies on the grid edge from `a` to `b`, if it does.
/// The result does not depend on the edge's direction, so two cells sharing
/// an edge find the same point.
fn crossing(a: (f64, f64, f64), b: (f64, f64, f64)) -> Option<(f64, f64)> {
    if (a.2 < 0.0) == (b.2 < 0.0) {
        return None;
    }
    let (lo, hi) = if (a.0, a.1) < (b.0, b.1) {
        (a, b)
    } else {
        (b, a)
    };
    let t = lo.2 / (lo.2 - hi.2);
    Some((lo.0 + t * (hi.0 - lo.0), lo.1 + t * (hi.1 - lo.1)))
}

/// Chains segments that share end points into polylines.
fn join(mut segments: Vec<[(f64, f64); 2]>) -> Vec<Vec<(f64, f64)>> {
    let mut curves = Vec::new();
    while let Some([a, b]) = segments.pop() {
        let mut curve = vec![a, b];
        // Grow the curve at its end, then at its start.
        for _ in 0..2 {
            while let Some(k) = segments
                .iter()
                .position(|s| s.contains(curve.last().unwrap()))
            {
                let [p, q] = segments.swap_remove(k);
                curve.push(if p == *curve.last().unwrap() { q } else { p });
            }
            curve.reverse();
        }
        curves.push(curve);
    }
    curves
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_curves_of_a_bowl_are_closed_ellipses() {
        let bowl = |a: f64, b: f64| 0.3 * a * a + b * b;
        for level in [0.25, 1.0, 2.0] {
            let curves = level_curves(bowl, -3.0..3.0, -1.5..1.5, 60, level);
            assert_eq!(curves.len(), 1, "level {level}");
            let curve = &curves[0];
            assert_eq!(curve.first(), curve.last(), "closed");
            for &(a, b) in curve {
                assert!((bowl(a, b) - level).abs() < 0.02 * level.max(1.0));
            }
        }
    }

    #[test]
    fn a_level_outside_the_rectangle_has_no_curve() {
        let curves = level_curves(|a, b| a * a + b * b, -1.0..1.0, -1.0..1.0, 10, 5.0);
        assert!(curves.is_empty());
    }

    #[test]
    fn arcs_bulge_to_the_left_and_trimming_keeps_the_gap() {
        // Travelling right on the screen, left is up (smaller y).
        let arc = bezier((0.0, 0.0), (100.0, 0.0), 20.0);
        let middle = arc[arc.len() / 2];
        assert!((middle.0 - 50.0).abs() < 1e-9 && (middle.1 + 20.0).abs() < 1e-9);
        let trimmed = trim(arc, 10.0);
        let first = trimmed[0];
        // The cut is interpolated on a short chord: exact to well under a pixel.
        assert!((first.0.hypot(first.1) - 10.0).abs() < 0.1);
        let (tip, shaft) = head(&trimmed);
        assert_eq!(tip[0], *trimmed.last().unwrap());
        let base = shaft[shaft.len() - 1];
        let tip = tip[0];
        assert!(((tip.0 - base.0).hypot(tip.1 - base.1) - HEAD.0).abs() < 0.1);
        // A straight arrow is a single segment.
        assert_eq!(
            trim(bezier((0.0, 0.0), (0.0, 50.0), 0.0), 5.0),
            [(0.0, 5.0), (0.0, 45.0)]
        );
    }
}
