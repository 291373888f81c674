//! Plotters helpers shared by the figures of sections 2.3.5 and 2.3.6:
//! a plane with equal scales and its axes through the origin, arrows,
//! shapes, labels, and the 3D view of two sheets.

use std::ops::Range;

use nnblocks_figures::{Backend, BackendError, Curve, style};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf32;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use crate::Sheets;

/// A chart of the plane, `(x, y)` in `f32`.
pub type Plane<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf32, RangedCoordf32>>;

/// What drawing on a chart of `DB` can fail with.
pub type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Space for tick labels under and left of a plane, in pixels.
const X_LABELS: u32 = 36;
const Y_LABELS: u32 = 44;

/// A chart of the plane over `x × y` on `area`, one unit as long on both
/// axes (so angles and shapes are true), with the house grid and the two
/// axes through the origin drawn darker.
pub fn plane<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: Range<f32>,
    y: Range<f32>,
) -> DrawResult<Plane<'_, DB>, DB> {
    let (w, h) = area.dim_in_pixel();
    let m = style::MARGIN;
    let free_w = w.saturating_sub(Y_LABELS + 2 * m) as f32;
    let free_h = h.saturating_sub(X_LABELS + 2 * m) as f32;
    let unit = (free_w / (x.end - x.start)).min(free_h / (y.end - y.start));
    let extra_w = (free_w - unit * (x.end - x.start)).max(0.0) as u32;
    let extra_h = (free_h - unit * (y.end - y.start)).max(0.0) as u32;
    let mut chart = ChartBuilder::on(area)
        .margin_left(m + extra_w / 2)
        .margin_right(m + extra_w - extra_w / 2)
        .margin_top(m + extra_h / 2)
        .margin_bottom(m + extra_h - extra_h / 2)
        .x_label_area_size(X_LABELS)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(x.clone(), y.clone())?;
    style::mesh(&mut chart)
        .x_labels(((x.end - x.start) * 2.0).round() as usize + 1)
        .y_labels(((y.end - y.start) * 2.0).round() as usize + 1)
        .x_label_formatter(&|v| format!("{v:.1}"))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .draw()?;
    let axis = style::MUTED.stroke_width(1);
    if x.contains(&0.0) {
        chart.draw_series([PathElement::new([(0.0, y.start), (0.0, y.end)], axis)])?;
    }
    if y.contains(&0.0) {
        chart.draw_series([PathElement::new([(x.start, 0.0), (x.end, 0.0)], axis)])?;
    }
    Ok(chart)
}

/// An arrow from `from` to `to`, its head a filled triangle 12 pixels long.
pub fn arrow<DB: DrawingBackend>(
    chart: &mut Plane<'_, DB>,
    from: [f32; 2],
    to: [f32; 2],
    color: RGBColor,
) -> DrawResult<(), DB> {
    let (fx, fy) = chart.backend_coord(&(from[0], from[1]));
    let (tx, ty) = chart.backend_coord(&(to[0], to[1]));
    let (dx, dy) = (f64::from(tx - fx), f64::from(ty - fy));
    let length = dx.hypot(dy);
    if length < 1.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / length, dy / length);
    let (head, half) = (12.0_f64.min(length), 5.0);
    // The shaft stops where the head begins, so its end does not poke out.
    let cut = (1.0 - head / length) as f32;
    let shaft_end = (
        from[0] + cut * (to[0] - from[0]),
        from[1] + cut * (to[1] - from[1]),
    );
    chart.draw_series([PathElement::new(
        [(from[0], from[1]), shaft_end],
        style::line(color),
    )])?;
    let corner = |sign: f64| {
        (
            (-ux * head - sign * uy * half).round() as i32,
            (-uy * head + sign * ux * half).round() as i32,
        )
    };
    chart.draw_series([EmptyElement::at((to[0], to[1]))
        + Polygon::new(vec![(0, 0), corner(1.0), corner(-1.0)], color.filled())])?;
    Ok(())
}

/// A shape: `corners` filled lightly in `color` and outlined in it.
pub fn shape<DB: DrawingBackend>(
    chart: &mut Plane<'_, DB>,
    corners: &[[f32; 2]],
    color: RGBColor,
) -> DrawResult<(), DB> {
    let points: Vec<(f32, f32)> = corners.iter().map(|&[x, y]| (x, y)).collect();
    chart.draw_series([Polygon::new(points.clone(), color.mix(0.25).filled())])?;
    let closed = points.iter().chain(points.first()).copied();
    chart.draw_series([PathElement::new(
        closed.collect::<Vec<_>>(),
        style::line(color),
    )])?;
    Ok(())
}

/// Where a shape was before a transform: its outline dashed in gray.
pub fn ghost<DB: DrawingBackend>(
    chart: &mut Plane<'_, DB>,
    corners: &[[f32; 2]],
) -> DrawResult<(), DB> {
    let points: Vec<(f32, f32)> = corners.iter().map(|&[x, y]| (x, y)).collect();
    chart.draw_series([Polygon::new(
        points.clone(),
        style::LIGHT_GRAY.mix(0.6).filled(),
    )])?;
    let closed: Vec<_> = points.iter().chain(points.first()).copied().collect();
    chart.draw_series([DashedPathElement::new(
        closed,
        6,
        4,
        style::GRAY.stroke_width(style::LINE_WIDTH),
    )])?;
    Ok(())
}

/// `text` in `color`, its top left corner `(dx, dy)` pixels from `at`.
pub fn label<DB: DrawingBackend>(
    chart: &mut Plane<'_, DB>,
    at: [f32; 2],
    (dx, dy): (i32, i32),
    text: &str,
    color: RGBColor,
) -> DrawResult<(), DB> {
    let font = style::label().color(&color);
    chart.draw_series([
        EmptyElement::at((at[0], at[1])) + Text::new(text.to_owned(), (dx, dy), font)
    ])?;
    Ok(())
}

/// A filled dot of radius 5 at `at`.
pub fn dot<DB: DrawingBackend>(
    chart: &mut Plane<'_, DB>,
    at: [f32; 2],
    color: RGBColor,
) -> DrawResult<(), DB> {
    chart.draw_series([Circle::new((at[0], at[1]), 5, color.filled())])?;
    Ok(())
}

/// Small filled dots of radius `radius` at every point of `points`.
pub fn dots<DB: DrawingBackend>(
    chart: &mut Plane<'_, DB>,
    points: &[[f32; 2]],
    radius: u32,
    color: RGBColor,
) -> DrawResult<(), DB> {
    chart.draw_series(
        points
            .iter()
            .map(|&[x, y]| Circle::new((x, y), radius, color.filled())),
    )?;
    Ok(())
}

/// A dashed line from `from` to `to`, for guides and construction lines.
pub fn dashed<DB: DrawingBackend>(
    chart: &mut Plane<'_, DB>,
    from: [f32; 2],
    to: [f32; 2],
    color: RGBColor,
) -> DrawResult<(), DB> {
    chart.draw_series([DashedPathElement::new(
        [(from[0], from[1]), (to[0], to[1])],
        5,
        4,
        color.stroke_width(1),
    )])?;
    Ok(())
}

/// The arc of radius `radius` around the origin from angle `start` to
/// `end` (radians, counter-clockwise), ending in an arrow head.
pub fn arc(
    chart: &mut Plane<'_, Backend<'_>>,
    radius: f32,
    start: f32,
    end: f32,
    color: RGBColor,
) -> Result<(), DrawingAreaErrorKind<BackendError>> {
    let at = |a: f32| [radius * a.cos(), radius * a.sin()];
    let steps = 48;
    let points = (0..=steps)
        .map(|k| at(start + (end - start) * k as f32 / steps as f32))
        .map(|[x, y]| (x, y));
    chart.draw_series(Curve::new(chart, points, style::line(color)))?;
    arrow(chart, at(end - 0.02 * (end - start)), at(end), color)
}

/// Shades the half-planes `x < 0` and `y < 0`, as two rectangles that do
/// not overlap (the quadrant where both are negative is shaded once). `relu`
/// works on each coordinate separately: it sets `x` to zero in the first
/// half-plane, `y` in the second, and both where they meet.
pub fn shade_negative<DB: DrawingBackend>(chart: &mut Plane<'_, DB>) -> DrawResult<(), DB> {
    let (x, y) = (chart.x_range(), chart.y_range());
    let fill = style::LIGHT_RED.mix(0.45).filled();
    chart.draw_series([
        Rectangle::new([(x.start, y.start), (0.0, y.end)], fill),
        Rectangle::new([(0.0, y.start), (x.end, 0.0)], fill),
    ])?;
    Ok(())
}

/// How a 3D panel looks at its cube: plotters' projection angles, in
/// radians, and zoom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Turn around the vertical axis.
    pub yaw: f64,
    /// Tilt towards the viewer.
    pub pitch: f64,
    /// Zoom; 1 fills the panel.
    pub scale: f64,
    /// One unit as long on every axis (the true shape), or each axis
    /// stretched over the panel (a flat layer of points still shows its
    /// structure).
    pub equal_axes: bool,
    /// Leave out the cells nearer to the viewer than the middle of the
    /// points, as if the front half were cut away, to show what is inside.
    pub cut_away: bool,
}

impl Default for View {
    fn default() -> Self {
        Self {
            yaw: 0.6,
            pitch: 0.35,
            scale: 0.75,
            equal_axes: true,
            cut_away: false,
        }
    }
}

/// Draws `sheets` in 3D on `area` as two surfaces of small shaded cells,
/// red and blue, in a cube that keeps their true proportions; `title`
/// (if not empty) goes above, tick labels on the axes give the sizes. Cells
/// are drawn from the back to the front, and a cell seen edge-on is paler
/// than one facing the viewer, so folds read as folds.
///
/// Returns how many cells it drew.
pub fn sheets_3d<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    sheets: &Sheets,
    title: &str,
    view: View,
) -> DrawResult<usize, DB> {
    // A cube around the points: the same span on every axis.
    let mut lo = [f32::INFINITY; 3];
    let mut hi = [f32::NEG_INFINITY; 3];
    for p in &sheets.points {
        for k in 0..3 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let widest = (0..3).map(|k| hi[k] - lo[k]).fold(1e-3, f32::max);
    let range = |k: usize| {
        let span = if view.equal_axes {
            widest
        } else {
            (hi[k] - lo[k]).max(1e-3)
        } * 1.05;
        let mid = (lo[k] + hi[k]) / 2.0;
        mid - span / 2.0..mid + span / 2.0
    };
    // Plotters draws its second axis upwards; the sheets' z goes up.
    let mut builder = ChartBuilder::on(area);
    builder.margin(18);
    if !title.is_empty() {
        builder.caption(title, style::label());
    }
    let mut chart = builder.build_cartesian_3d(range(0), range(2), range(1))?;
    chart.with_projection(|mut p| {
        p.yaw = view.yaw;
        p.pitch = view.pitch;
        p.scale = view.scale;
        p.into_matrix()
    });
    chart
        .configure_axes()
        .light_grid_style(TRANSPARENT)
        .bold_grid_style(style::GRID)
        .axis_panel_style(style::LIGHT_GRAY.mix(0.5))
        .max_light_lines(0)
        .x_labels(3)
        .y_labels(3)
        .z_labels(3)
        // Numbers on the axes give the panel its size. The cube has the
        // same span on every axis, so the depth axis goes unlabelled: its
        // numbers would run into the first axis's at the front corner.
        .label_style(style::tick())
        .x_formatter(&|v| format!("{v:.1}"))
        .y_formatter(&|v| format!("{v:.1}"))
        .z_formatter(&|_| String::new())
        .tick_size(4)
        .draw()?;

    // Every cell in the projection's own frame: screen x, screen y, depth.
    let spec = chart.as_coord_spec();
    let m = *spec.projection().as_ref();
    let viewed = |p: &[f32; 3]| -> [f64; 3] {
        let (x, y, z) = spec.map_3d(&p[0], &p[2], &p[1]);
        let (x, y, z) = (f64::from(x), f64::from(y), f64::from(z));
        [0, 1, 2].map(|r| m[r][0] * x + m[r][1] * y + m[r][2] * z + m[r][3])
    };
    let viewed_points: Vec<[f64; 3]> = sheets.points.iter().map(viewed).collect();
    let mut cells: Vec<(f64, f64, [usize; 4], usize)> = sheets
        .cells()
        .map(|(corners, sheet)| {
            let [a, b, c, d] = corners.map(|i| viewed_points[i]);
            let e = [0, 1, 2].map(|k| c[k] - a[k]);
            let f = [0, 1, 2].map(|k| d[k] - b[k]);
            let n = [
                e[1] * f[2] - e[2] * f[1],
                e[2] * f[0] - e[0] * f[2],
                e[0] * f[1] - e[1] * f[0],
            ];
            let norm = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt().max(1e-9);
            let facing = n[2].abs() / norm;
            let depth = (a[2] + b[2] + c[2] + d[2]) / 4.0;
            (depth, facing, corners, sheet)
        })
        .collect();
    if view.cut_away {
        let middle = viewed_points.iter().map(|p| p[2]).sum::<f64>() / viewed_points.len() as f64;
        cells.retain(|cell| cell.0 >= middle);
    }
    // Far cells first (plotters' depth grows away from the viewer).
    cells.sort_by(|p, q| q.0.total_cmp(&p.0));
    let colors = [style::RED, style::BLUE];
    chart.draw_series(cells.iter().map(|&(_, facing, corners, sheet)| {
        let base = colors[sheet];
        let t = 0.45 + 0.55 * facing;
        let mix = |c: u8| (255.0 - t * (255.0 - f64::from(c))).round() as u8;
        let fill = RGBColor(mix(base.0), mix(base.1), mix(base.2));
        let corners: Vec<(f32, f32, f32)> = corners
            .iter()
            .map(|&i| {
                let p = sheets.points[i];
                (p[0], p[2], p[1])
            })
            .collect();
        Polygon::new(corners, fill.filled())
    }))?;
    Ok(cells.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnblocks_figures::Figure;

    #[test]
    fn a_plane_has_equal_units_on_both_axes() {
        for (w, h) in [(560, 460), (900, 300), (300, 700)] {
            Figure::svg(w, h)
                .draw(|root| {
                    let chart = plane(root, -0.5..2.0, -0.2..1.3)?;
                    let (x0, y0) = chart.backend_coord(&(0.0, 0.0));
                    let (x1, _) = chart.backend_coord(&(1.0, 0.0));
                    let (_, y1) = chart.backend_coord(&(0.0, 1.0));
                    let (across, up) = (x1 - x0, y0 - y1);
                    assert!(
                        across > 50 && (across - up).abs() <= 1,
                        "{w}x{h}: {across} vs {up}"
                    );
                    Ok(())
                })
                .unwrap();
        }
    }

    #[test]
    fn cutting_away_the_front_leaves_about_half_the_cells() {
        let sheets = Sheets::crumpled_with(9, 1.0, 0.1).unwrap();
        let cut = View {
            cut_away: true,
            ..View::default()
        };
        Figure::svg(400, 300)
            .draw(|root| {
                let drawn = sheets_3d(root, &sheets, "", cut)?;
                let all = 2 * 8 * 8;
                assert!(drawn > all / 4 && drawn < all * 3 / 4, "{drawn} of {all}");
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn sheets_are_drawn_cell_by_cell_in_both_colours() {
        let sheets = Sheets::crumpled_with(5, 0.5, 0.1).unwrap();
        let fig = Figure::svg(400, 300)
            .draw(|root| {
                let drawn = sheets_3d(root, &sheets, "입력", View::default())?;
                assert_eq!(drawn, 2 * 4 * 4);
                Ok(())
            })
            .unwrap();
        let svg = fig.as_str().unwrap();
        // Shaded cells are the sheet colours mixed with white: reddish and
        // bluish fills, and a title.
        let fills: Vec<&str> = svg
            .split("<polygon")
            .skip(1)
            .filter_map(|p| p.split("fill=\"#").nth(1).map(|f| &f[..6]))
            .collect();
        let reddish = |f: &&&str| f[..2] > f[4..6];
        let bluish = |f: &&&str| f[4..6] > f[..2];
        assert!(fills.iter().filter(reddish).count() >= 12);
        assert!(fills.iter().filter(bluish).count() >= 12);
        assert!(svg.contains("입력"));
    }
}
