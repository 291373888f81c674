//! The section's drawings, as helpers that draw on a figure's [`Root`]:
//! grids of tensor entries ([`grid`], [`broadcast_sum`]), the box diagram of
//! a matrix product ([`matrix_dot_boxes`]) and a fully connected network
//! ([`dense_network`]). Positions are in pixels from the top left.

use dfdx::shapes::{HasShape, Shape};
use dfdx::tensor::{Storage, Tensor};
use nnblocks_figures::{BackendError, Root, style};
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What drawing on a figure can fail with.
pub type DrawError = DrawingAreaErrorKind<BackendError>;

/// The colours of one cell of a [`grid`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellStyle {
    pub fill: RGBColor,
    pub border: RGBColor,
    pub text: RGBColor,
}

impl CellStyle {
    /// A stored value: a light fill with its dark border and ink text.
    pub fn stored(light: RGBColor, dark: RGBColor) -> Self {
        Self {
            fill: light,
            border: dark,
            text: style::INK,
        }
    }

    /// A value that broadcasting implies but does not store: light gray,
    /// muted text.
    pub fn implied() -> Self {
        Self {
            fill: style::LIGHT_GRAY,
            border: style::GRAY,
            text: style::MUTED,
        }
    }
}

/// A number as the grids show it: integers without a fraction, others with
/// one decimal.
pub fn format_value(v: f32) -> String {
    if v.fract() == 0.0 && v.abs() < 1e6 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

// ANCHOR: grid
/// A grid of `rows` (each a row of values) with its top left corner at
/// `(x, y)`, `cell` pixels per cell; `cell_style(i, j, value)` colours each
/// cell.
pub fn grid(
    root: &Root,
    (x, y): (i32, i32),
    cell: i32,
    rows: &[Vec<f32>],
    cell_style: impl Fn(usize, usize, f32) -> CellStyle,
) -> Result<(), DrawError> {
    let size = (f64::from(cell) * 0.42).max(12.0);
    for (i, row) in rows.iter().enumerate() {
        for (j, &value) in row.iter().enumerate() {
            let s = cell_style(i, j, value);
            let x0 = x + j as i32 * cell;
            let y0 = y + i as i32 * cell;
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + cell, y0 + cell)],
                s.fill.filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + cell, y0 + cell)],
                s.border.stroke_width(1),
            ))?;
            root.draw(&Text::new(
                format_value(value),
                (x0 + cell / 2, y0 + cell / 2),
                style::centered(style::font(size).color(&s.text)),
            ))?;
        }
    }
    Ok(())
}
// ANCHOR_END: grid

/// An operand of a broadcast operation as drawn: its values at the full
/// (broadcast) shape, and the part of that shape it stores. Shapes are
/// padded with leading 1s to rank 3: `(slices, rows, cols)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Operand {
    dims: [usize; 3],
    stored: [usize; 3],
    rank: usize,
    values: Vec<f32>,
    label: String,
}

fn dims3(shape: &[usize]) -> [usize; 3] {
    assert!(shape.len() <= 3, "a drawn operand has at most 3 axes");
    let mut dims = [1; 3];
    dims[3 - shape.len()..].copy_from_slice(shape);
    dims
}

fn shape_label(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Room around an operand's cells, in pixels: for the arrows that show
/// where broadcasting copies it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Room {
    top: i32,
    right: i32,
}

/// Pixels by which each slice behind the front one is drawn up and right.
fn depth_step(cell: i32) -> i32 {
    cell / 2
}

impl Operand {
    /// A tensor of rank 1 to 3 that stores all its values.
    pub fn new<S: Shape, D: Storage<f32>, T>(tensor: &Tensor<S, f32, D, T>) -> Self {
        let shape = tensor.shape().concrete();
        let dims = dims3(shape.as_ref());
        Self {
            dims,
            stored: dims,
            rank: shape.as_ref().len(),
            values: tensor.as_vec(),
            label: shape_label(shape.as_ref()),
        }
    }

    /// `stored` as broadcasting repeats it to the shape of `like`: drawn at
    /// that shape, with the entries it does not store in light gray. The
    /// shapes are aligned at their last axes and an axis of length 1 is
    /// repeated (NumPy's rule, [`crate::broadcast::broadcast_shape`]).
    ///
    /// # Panics
    /// If `stored` does not broadcast to the shape of `like`.
    pub fn broadcast<S1: Shape, S2: Shape, D: Storage<f32>, T1, T2>(
        stored: &Tensor<S1, f32, D, T1>,
        like: &Tensor<S2, f32, D, T2>,
    ) -> Self {
        let own = stored.shape().concrete();
        let target = like.shape().concrete();
        let shape = crate::broadcast::broadcast_shape(own.as_ref(), target.as_ref());
        assert_eq!(
            shape.as_deref(),
            Ok(target.as_ref()),
            "{:?} does not broadcast to {:?}",
            own.as_ref(),
            target.as_ref()
        );
        let small = dims3(own.as_ref());
        let dims = dims3(target.as_ref());
        let data = stored.as_vec();
        let mut values = Vec::with_capacity(dims.iter().product());
        for s in 0..dims[0] {
            for i in 0..dims[1] {
                for j in 0..dims[2] {
                    let at = |k: usize, axis: usize| if small[axis] == 1 { 0 } else { k };
                    values.push(data[(at(s, 0) * small[1] + at(i, 1)) * small[2] + at(j, 2)]);
                }
            }
        }
        Self {
            dims,
            stored: small,
            rank: target.as_ref().len(),
            values,
            label: shape_label(own.as_ref()),
        }
    }

    /// The shape label drawn under the operand, such as `(4, 3)`.
    pub fn label(&self) -> &str {
        &self.label
    }

    fn slice_rows(&self, s: usize) -> Vec<Vec<f32>> {
        let [_, rows, cols] = self.dims;
        (0..rows)
            .map(|i| {
                let start = (s * rows + i) * cols;
                self.values[start..start + cols].to_vec()
            })
            .collect()
    }

    /// The axes (of the padded `(slices, rows, cols)` shape) along which
    /// broadcasting copies the stored values.
    fn stretched(&self) -> [bool; 3] {
        [0, 1, 2].map(|k| self.stored[k] == 1 && self.dims[k] > 1)
    }

    /// The axis number of padded axis `k` in the drawn (broadcast) shape.
    fn axis_name(&self, k: usize) -> String {
        format!("축 {}", k + self.rank - 3)
    }

    fn room(&self) -> Room {
        let [slices, rows, cols] = self.stretched();
        Room {
            top: if cols {
                40
            } else if slices {
                20
            } else {
                0
            },
            right: if rows { 60 } else { 0 },
        }
    }

    fn depth(&self, cell: i32) -> i32 {
        (self.dims[0] as i32 - 1) * depth_step(cell)
    }

    /// Width and height in pixels when drawn with `cell`-pixel cells,
    /// arrows included.
    pub fn size(&self, cell: i32) -> (i32, i32) {
        let [_, rows, cols] = self.dims.map(|d| d as i32);
        let (depth, room) = (self.depth(cell), self.room());
        (
            cols * cell + depth + room.right,
            rows * cell + depth + room.top,
        )
    }

    /// Draws the operand with its top left corner at `(x, y)`: stored
    /// entries in `light` with `dark` borders, implied ones in light gray,
    /// its shape label below. A rank-3 operand is a stack of its slices
    /// along axis 0, slice 0 in front with its values, each slice behind
    /// it half a cell up and right. An arrow, named by its axis, shows each
    /// axis along which broadcasting copies the stored values.
    pub fn draw(
        &self,
        root: &Root,
        (x, y): (i32, i32),
        cell: i32,
        (light, dark): (RGBColor, RGBColor),
    ) -> Result<(), DrawError> {
        let [slices, rows, cols] = self.dims;
        let step = depth_step(cell);
        let front = (x, y + self.room().top + self.depth(cell));
        let style_of = |s: usize, i: usize, j: usize| {
            let [ss, sr, sc] = self.stored;
            if s < ss && i < sr && j < sc {
                CellStyle::stored(light, dark)
            } else {
                CellStyle::implied()
            }
        };
        for s in (1..slices).rev() {
            let at = (front.0 + s as i32 * step, front.1 - s as i32 * step);
            blank_grid(root, at, cell, (rows, cols), |i, j| style_of(s, i, j))?;
        }
        grid(root, front, cell, &self.slice_rows(0), |i, j, _| {
            style_of(0, i, j)
        })?;
        self.draw_arrows(root, front, cell)?;
        root.draw(&Text::new(
            self.label.clone(),
            (
                x + cols as i32 * cell / 2,
                front.1 + rows as i32 * cell + 16,
            ),
            style::centered(style::label().color(&style::MUTED)),
        ))?;
        Ok(())
    }

    /// The arrows along the stretched axes, around the front slice whose top
    /// left corner is `front`: down the right side for rows, over the top
    /// for columns, up and right along the stack for slices.
    fn draw_arrows(&self, root: &Root, front: (i32, i32), cell: i32) -> Result<(), DrawError> {
        let [slices, rows, cols] = self.dims.map(|d| d as i32);
        let [along_slices, along_rows, along_cols] = self.stretched();
        let (x, y) = front;
        let half = cell / 2;
        let name = |at: (i32, i32), hpos: HPos, k: usize| {
            Text::new(
                self.axis_name(k),
                at,
                style::label()
                    .color(&style::INK)
                    .pos(Pos::new(hpos, VPos::Center)),
            )
        };
        if along_rows {
            let ax = x + cols * cell + self.depth(cell) + 12;
            arrow(
                root,
                (ax, y + half),
                (ax, y + rows * cell - half),
                style::INK,
                0.0,
            )?;
            root.draw(&name((ax + 8, y + rows * cell / 2), HPos::Left, 1))?;
        }
        if along_cols {
            let ay = y - self.depth(cell) - 14;
            arrow(
                root,
                (x + half, ay),
                (x + cols * cell - half, ay),
                style::INK,
                0.0,
            )?;
            root.draw(&name((x + cols * cell / 2, ay - 16), HPos::Center, 2))?;
        }
        if along_slices {
            let depth = (slices - 1) * depth_step(cell);
            let from = (x - 8, y - 8);
            let to = (x + depth - 8, y - depth - 8);
            arrow(root, from, to, style::INK, 0.0)?;
            let middle = ((from.0 + to.0) / 2, (from.1 + to.1) / 2);
            root.draw(&name((middle.0 - 10, middle.1 - 6), HPos::Right, 0))?;
        }
        Ok(())
    }
}

/// Cells without values: the slices of a stack behind its front one.
fn blank_grid(
    root: &Root,
    (x, y): (i32, i32),
    cell: i32,
    (rows, cols): (usize, usize),
    cell_style: impl Fn(usize, usize) -> CellStyle,
) -> Result<(), DrawError> {
    for i in 0..rows {
        for j in 0..cols {
            let s = cell_style(i, j);
            let x0 = x + j as i32 * cell;
            let y0 = y + i as i32 * cell;
            let corners = [(x0, y0), (x0 + cell, y0 + cell)];
            root.draw(&Rectangle::new(corners, s.fill.filled()))?;
            root.draw(&Rectangle::new(corners, s.border.stroke_width(1)))?;
        }
    }
    Ok(())
}

/// One row of a broadcasting figure: `a op b = sum`, starting at `(x, y)`,
/// each operand in its colour and implied entries in light gray. The
/// operands' front slices share a bottom line.
pub fn broadcast_sum(
    root: &Root,
    (x, y): (i32, i32),
    cell: i32,
    [a, b, sum]: [&Operand; 3],
    op: &str,
) -> Result<(), DrawError> {
    let gap = cell * 3 / 2;
    let colours = [
        (style::LIGHT_BLUE, style::BLUE),
        (style::LIGHT_RED, style::RED),
        (style::LIGHT_GREEN, style::GREEN),
    ];
    let height = [a, b, sum]
        .iter()
        .map(|o| o.size(cell).1)
        .max()
        .unwrap_or(0);
    let middle = y + height - a.dims[1] as i32 * cell / 2;
    let mut left = x;
    for (k, (operand, colour)) in [a, b, sum].into_iter().zip(colours).enumerate() {
        let (w, h) = operand.size(cell);
        operand.draw(root, (left, y + height - h), cell, colour)?;
        left += w;
        if k < 2 {
            let symbol = if k == 0 { op } else { "=" };
            root.draw(&Text::new(
                symbol.to_string(),
                (left + gap / 2, middle),
                style::centered(style::bold(style::TITLE_SIZE * 1.2).color(&style::INK)),
            ))?;
            left += gap;
        }
    }
    Ok(())
}

fn dashed(root: &Root, from: (i32, i32), to: (i32, i32)) -> Result<(), DrawError> {
    root.draw(&plotters::element::DashedPathElement::new(
        [from, to],
        4,
        4,
        style::GRAY.stroke_width(1),
    ))
}

fn boxed(
    root: &Root,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    fill: RGBColor,
    border: RGBColor,
) -> Result<(), DrawError> {
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
    root.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        border.stroke_width(2),
    ))
}

/// The box diagram of `z = dot(x, y)` for `x` of shape `(a, b)` and `y` of
/// shape `(b, c)`: `x` bottom left, `y` above `z`, so that row `i` of `x` and
/// column `j` of `y` meet at `z[i, j]`. The boxes are drawn `unit` pixels
/// per entry; the shared length `b` is the width of `x` and the height of
/// `y`. The row, column and entry are labelled in the reader's notation
/// (`x의 i번째 행`, `y의 j번째 열`, `z[i, j]`), every edge by its length's
/// name (`a`, `b` or `c`). The column's label goes left of the column, in
/// `y`: leave it room (`j` of 4 or more at 32 pixels per entry).
pub fn matrix_dot_boxes(
    root: &Root,
    (x, y): (i32, i32),
    unit: i32,
    (a, b, c): (usize, usize, usize),
    (i, j): (usize, usize),
) -> Result<(), DrawError> {
    let (a, b, c, i, j) = (a as i32, b as i32, c as i32, i as i32, j as i32);
    let gap = unit * 2;
    // y: top right, b tall, c wide; x: bottom left, a tall, b wide; z below y.
    let y_box = (x + b * unit + gap, y);
    let x_box = (x, y + b * unit + gap);
    let z_box = (y_box.0, x_box.1);
    boxed(
        root,
        x_box,
        (x_box.0 + b * unit, x_box.1 + a * unit),
        style::LIGHT_BLUE,
        style::BLUE,
    )?;
    boxed(
        root,
        y_box,
        (y_box.0 + c * unit, y_box.1 + b * unit),
        style::LIGHT_RED,
        style::RED,
    )?;
    boxed(
        root,
        z_box,
        (z_box.0 + c * unit, z_box.1 + a * unit),
        style::LIGHT_GREEN,
        style::GREEN,
    )?;
    // Row i of x, column j of y, entry (i, j) of z.
    let row = (x_box.0, x_box.1 + i * unit);
    root.draw(&Rectangle::new(
        [row, (row.0 + b * unit, row.1 + unit)],
        style::BLUE.mix(0.45).filled(),
    ))?;
    let col = (y_box.0 + j * unit, y_box.1);
    root.draw(&Rectangle::new(
        [col, (col.0 + unit, col.1 + b * unit)],
        style::RED.mix(0.45).filled(),
    ))?;
    let cell = (z_box.0 + j * unit, z_box.1 + i * unit);
    root.draw(&Rectangle::new(
        [cell, (cell.0 + unit, cell.1 + unit)],
        style::GREEN.filled(),
    ))?;
    // Guides from the row and the column to the entry.
    dashed(
        root,
        (row.0 + b * unit, row.1 + unit / 2),
        (cell.0, cell.1 + unit / 2),
    )?;
    dashed(
        root,
        (col.0 + unit / 2, col.1 + b * unit),
        (cell.0 + unit / 2, cell.1),
    )?;
    // Names and the row, column and entry, inside the boxes; lengths
    // outside, along the edges.
    let bold = style::centered(style::bold(style::LABEL_SIZE).color(&style::INK));
    let muted = style::centered(style::label().color(&style::MUTED));
    // A box's name sits in its last column, or its first if the
    // highlighted column is the last.
    let name_col = if j + 1 < c { c - 1 } else { 0 };
    let names = [
        ("x", (x_box.0 + b * unit / 2, x_box.1 + a * unit - unit / 2)),
        (
            "y",
            (y_box.0 + name_col * unit + unit / 2, y_box.1 + b * unit / 2),
        ),
        (
            "z",
            (
                z_box.0 + name_col * unit + unit / 2,
                z_box.1 + a * unit - unit / 2,
            ),
        ),
    ];
    for (name, at) in names {
        root.draw(&Text::new(name, at, bold.clone()))?;
    }
    root.draw(&Text::new(
        "x의 i번째 행",
        (x_box.0 + b * unit / 2, row.1 - unit / 2),
        muted.clone(),
    ))?;
    let right = style::label()
        .color(&style::MUTED)
        .pos(Pos::new(HPos::Right, VPos::Center));
    root.draw(&Text::new(
        "y의 j번째 열",
        (col.0 - 8, y_box.1 + b * unit / 2),
        right,
    ))?;
    root.draw(&Text::new(
        "z[i, j]",
        (cell.0 + unit / 2, cell.1 + unit + 14),
        style::centered(style::label().color(&style::GREEN)),
    ))?;
    // Edge lengths: x is (a, b), y is (b, c), z is (a, c).
    let edge = |t: &str, at: (i32, i32)| Text::new(t.to_string(), at, muted.clone());
    let below = |(bx, by): (i32, i32), w: i32, h: i32| (bx + w * unit / 2, by + h * unit + 16);
    let beside = |(bx, by): (i32, i32), w: i32, h: i32| (bx + w * unit + 16, by + h * unit / 2);
    root.draw(&edge("a", (x_box.0 - 16, x_box.1 + a * unit / 2)))?;
    root.draw(&edge("b", below(x_box, b, a)))?;
    root.draw(&edge("c", (y_box.0 + c * unit / 2, y_box.1 - 16)))?;
    root.draw(&edge("b", beside(y_box, c, b)))?;
    root.draw(&edge("c", below(z_box, c, a)))?;
    root.draw(&edge("a", beside(z_box, c, a)))?;
    Ok(())
}

/// A node label such as `a` with subscript `1` and superscript `(2)`,
/// centred at `at`.
fn node_label(
    root: &Root,
    at: (i32, i32),
    base: &str,
    sub: &str,
    sup: &str,
) -> Result<(), DrawError> {
    let big = style::LABEL_SIZE;
    let small = style::TICK_SIZE * 0.8;
    let ink = |size: f64| style::font(size).color(&style::INK);
    // A generous estimate of the base's width, so that the scripts beside
    // it do not touch it.
    let base_w = (base.chars().count() as f64 * big * 0.5) as i32;
    let width = base_w + (sub.chars().count().max(sup.chars().count()) as f64 * small * 0.5) as i32;
    let x0 = at.0 - width / 2;
    let anchored = |s: TextStyle<'static>| {
        s.pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ))
    };
    root.draw(&Text::new(base.to_string(), (x0, at.1), anchored(ink(big))))?;
    if !sub.is_empty() {
        root.draw(&Text::new(
            sub.to_string(),
            (x0 + base_w + 1, at.1 + 6),
            anchored(ink(small)),
        ))?;
    }
    if !sup.is_empty() {
        root.draw(&Text::new(
            sup.to_string(),
            (x0 + base_w + 1, at.1 - 8),
            anchored(ink(small)),
        ))?;
    }
    Ok(())
}

fn arrow(
    root: &Root,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    trim: f64,
) -> Result<(), DrawError> {
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let len = dx.hypot(dy);
    let (ux, uy) = (dx / len, dy / len);
    let start = (from.0 + (ux * trim) as i32, from.1 + (uy * trim) as i32);
    let tip = (to.0 - (ux * trim) as i32, to.1 - (uy * trim) as i32);
    root.draw(&PathElement::new([start, tip], color.stroke_width(1)))?;
    let (hx, hy) = (f64::from(tip.0) - ux * 9.0, f64::from(tip.1) - uy * 9.0);
    let head = [
        tip,
        ((hx - uy * 4.0) as i32, (hy + ux * 4.0) as i32),
        ((hx + uy * 4.0) as i32, (hy - ux * 4.0) as i32),
    ];
    root.draw(&Polygon::new(head, color.filled()))
}

/// A fully connected network: one column of circles per layer, `layers[l]`
/// units in layer `l`, every unit (and a bias node "1" on top of every layer
/// but the last) wired to every unit of the next layer. Inputs are labelled
/// `x₁, x₂, ...`, the units of layer `l` (from 1) `a₁⁽ˡ⁾, ...`.
pub fn dense_network(
    root: &Root,
    (x, y): (i32, i32),
    (width, height): (i32, i32),
    layers: &[usize],
) -> Result<(), DrawError> {
    let radius = 24;
    let columns = layers.len() as i32;
    let rows = layers.iter().map(|&n| n + 1).max().unwrap_or(1) as i32;
    let dx = (width - 2 * radius) / (columns - 1).max(1);
    let dy = (height - 2 * radius - 30) / (rows - 1).max(1);
    // Node centres, bias first (None for the last layer).
    let centre = |l: usize, k: usize| {
        let n = layers[l] as i32 + i32::from(l + 1 < layers.len());
        let top = y + radius + (rows - n) * dy / 2;
        (x + radius + l as i32 * dx, top + k as i32 * dy)
    };
    for l in 0..layers.len() - 1 {
        let sources = layers[l] + 1;
        // The next layer's units start below its bias node, if it has one.
        let first_target = usize::from(l + 2 < layers.len());
        for s in 0..sources {
            for t in first_target..first_target + layers[l + 1] {
                let colour = if s == 0 { style::GRAY } else { style::BLUE };
                arrow(
                    root,
                    centre(l, s),
                    centre(l + 1, t),
                    colour,
                    f64::from(radius) + 2.0,
                )?;
            }
        }
    }
    for (l, &n) in layers.iter().enumerate() {
        let has_bias = l + 1 < layers.len();
        let first_unit = usize::from(has_bias);
        if has_bias {
            let c = centre(l, 0);
            root.draw(&Circle::new(c, radius, style::LIGHT_GRAY.filled()))?;
            root.draw(&Circle::new(c, radius, style::GRAY.stroke_width(2)))?;
            node_label(root, c, "1", "", "")?;
        }
        for k in 0..n {
            let c = centre(l, first_unit + k);
            let (fill, border) = if l == 0 {
                (style::LIGHT_BLUE, style::BLUE)
            } else if has_bias {
                (style::LIGHT_GREEN, style::GREEN)
            } else {
                (style::LIGHT_RED, style::RED)
            };
            root.draw(&Circle::new(c, radius, fill.filled()))?;
            root.draw(&Circle::new(c, radius, border.stroke_width(2)))?;
            if l == 0 {
                node_label(root, c, "x", &(k + 1).to_string(), "")?;
            } else {
                node_label(root, c, "a", &(k + 1).to_string(), &format!("({})", l + 1))?;
            }
        }
        let name = if l == 0 {
            "입력층".to_string()
        } else if !has_bias {
            "출력층".to_string()
        } else if layers.len() == 3 {
            "은닉층".to_string()
        } else {
            format!("은닉층 {l}")
        };
        root.draw(&Text::new(
            name,
            (x + radius + l as i32 * dx, y + height - 10),
            style::centered(style::label().color(&style::MUTED)),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dfdx::prelude::*;
    use nnblocks_figures::Figure;

    #[test]
    fn formats_values() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(-0.25), "-0.2");
        assert_eq!(format_value(1.5), "1.5");
    }

    #[test]
    fn an_operand_knows_what_it_stores() {
        let dev = Cpu::default();
        let (y, sum) = crate::broadcast::add_column(&dev);
        let b = Operand::broadcast(&y, &sum);
        assert_eq!(b.label(), "(4, 1)");
        assert_eq!(b.stored, [1, 4, 1]);
        assert_eq!(b.dims, [1, 4, 3]);
        assert_eq!(b.slice_rows(0)[1], vec![2.0, 2.0, 2.0]);
        let v: Tensor<Rank1<3>, f32, _> = dev.zeros();
        assert_eq!(Operand::new(&v).label(), "(3,)");
        let (x, m, s) = crate::broadcast::add_matrix_to_stack(&dev);
        let stack = Operand::broadcast(&m, &s);
        assert_eq!(stack.stored, [1, 4, 2]);
        // Two slices behind the front one, half a cell each.
        assert_eq!(Operand::new(&x).size(10), (2 * 10 + 10, 4 * 10 + 10));
        assert_eq!(stack.stretched(), [true, false, false]);
        assert_eq!(stack.axis_name(0), "축 0");
        assert_eq!(b.stretched(), [false, false, true]);
        assert_eq!(b.axis_name(2), "축 1");
        let row = Operand::broadcast(&crate::broadcast::add_row(&dev).0, &sum);
        assert_eq!(row.stretched(), [false, true, false]);
        assert_eq!(row.axis_name(1), "축 0");
    }

    #[test]
    fn a_stack_shows_the_values_of_its_front_slice_only() {
        let dev = Cpu::default();
        let (x, m, s) = crate::broadcast::add_matrix_to_stack(&dev);
        let operands = [
            Operand::new(&x),
            Operand::broadcast(&m, &s),
            Operand::new(&s),
        ];
        let fig = Figure::svg(600, 300)
            .draw(|root| {
                broadcast_sum(
                    root,
                    (10, 10),
                    30,
                    [&operands[0], &operands[1], &operands[2]],
                    "+",
                )?;
                Ok(())
            })
            .unwrap();
        let svg = fig.as_str().unwrap();
        // Slice 0 of the sum is 2 * (0..8); 16 (slice 2 of the block) is not drawn.
        assert!(svg.contains(">\n14\n<"));
        assert!(!svg.contains(">\n16\n<"));
        // 3 grids of 8 values, 3 shape labels, the stretch arrow's name, + and =.
        assert_eq!(svg.matches("<text").count(), 3 * 8 + 3 + 1 + 2);
        assert!(svg.contains("축 0"));
    }

    #[test]
    fn draws_every_diagram() {
        let dev = Cpu::default();
        let (y, sum) = crate::broadcast::add_row(&dev);
        let a = Operand::new(&crate::broadcast::rows_0123(&dev));
        let fig = Figure::svg(600, 400)
            .draw(|root| {
                broadcast_sum(
                    root,
                    (10, 10),
                    30,
                    [&a, &Operand::broadcast(&y, &sum), &Operand::new(&sum)],
                    "+",
                )?;
                Ok(())
            })
            .unwrap();
        let svg = fig.as_str().unwrap();
        // 12 cells in each of the three grids, and the sum's last entry.
        assert!(svg.matches("<rect").count() >= 3 * 12 * 2);
        assert!(svg.contains(">\n6\n<"));
        assert!(svg.contains("(3,)\n"));

        let fig = Figure::svg(600, 500)
            .draw(|root| {
                matrix_dot_boxes(root, (40, 30), 24, (5, 4, 6), (2, 3))?;
                dense_network(root, (20, 20), (500, 400), &[3, 3, 2])?;
                Ok(())
            })
            .unwrap();
        let svg = fig.as_str().unwrap();
        assert!(svg.contains("z[i, j]"));
        // (3 + 1) * 3 + (3 + 1) * 2 arrows, each a line and a head.
        assert_eq!(svg.matches("<polygon").count(), 20);
    }
}
