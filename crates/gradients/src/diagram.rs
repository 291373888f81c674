//! Computation graphs drawn as node-link diagrams (2.4.4): rounded boxes for
//! operations, ovals for tensors, arrows with heads, labels on edges.
//!
//! The layout is yours: give every node its centre in pixels. The diagram
//! sizes each node to its label and ends every arrow at the outline of its
//! target, so a figure snippet only lists nodes and edges.
//!
//! ```
//! use nnblocks_gradients::diagram::Diagram;
//!
//! let mut d = Diagram::new(300, 160);
//! let x = d.tensor("x", (150, 30));
//! let relu = d.op("relu", (150, 130));
//! d.edge(x, relu).label("(128, 784)");
//! let fig = d.figure()?;
//! assert!(fig.as_str().unwrap().contains("relu"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::error::Error;

use nnblocks_figures::{Figure, FigureError, style};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What a node stands for, and so how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An operation: a rounded box.
    Op,
    /// A tensor (an input, a weight, a result): an oval.
    Tensor,
}

/// How strongly a node or an edge is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Emphasis {
    /// The usual ink.
    #[default]
    Normal,
    /// Highlighted in red, thicker.
    Highlight,
    /// Pale gray: context, not the point.
    Faint,
}

/// A node: a label drawn inside a box or an oval centred at `center`.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The text inside.
    pub label: String,
    /// Operation or tensor.
    pub kind: Kind,
    /// The centre, in pixels from the top left.
    pub center: (i32, i32),
    /// How it is drawn.
    pub emphasis: Emphasis,
}

/// An arrow from one node to another, with an optional label.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// The index of the node it starts at.
    pub from: usize,
    /// The index of the node it points to.
    pub to: usize,
    /// Text beside the arrow's middle.
    pub label: Option<String>,
    /// Where the label's centre sits, relative to the arrow's middle.
    pub label_offset: (i32, i32),
    /// How it is drawn.
    pub emphasis: Emphasis,
}

impl Edge {
    /// Puts `text` beside the arrow: by default 12 pixels to the right of
    /// its middle (above it if the arrow is nearly level).
    pub fn label(&mut self, text: impl Into<String>) -> &mut Self {
        self.label = Some(text.into());
        self
    }

    /// Moves the label's centre to `(dx, dy)` from the arrow's middle.
    pub fn offset(&mut self, dx: i32, dy: i32) -> &mut Self {
        self.label_offset = (dx, dy);
        self
    }

    /// Draws the arrow (and its label) highlighted.
    pub fn highlight(&mut self) -> &mut Self {
        self.emphasis = Emphasis::Highlight;
        self
    }

    /// Draws the arrow pale.
    pub fn faint(&mut self) -> &mut Self {
        self.emphasis = Emphasis::Faint;
        self
    }
}

/// A free text placed on the diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// The text.
    pub text: String,
    /// Its centre.
    pub at: (i32, i32),
    /// How it is drawn.
    pub emphasis: Emphasis,
}

/// A computation graph laid out by hand: nodes at chosen places, and edges.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    /// Width of the figure, in pixels.
    pub width: u32,
    /// Height of the figure, in pixels.
    pub height: u32,
    /// The nodes, indexed by the numbers [`Diagram::op`] and
    /// [`Diagram::tensor`] return.
    pub nodes: Vec<Node>,
    /// The arrows, drawn under the nodes.
    pub edges: Vec<Edge>,
    /// Free texts.
    pub notes: Vec<Note>,
}

/// The height of every node, in pixels.
const NODE_HEIGHT: i32 = 34;
/// The narrowest operation box, so that `+` is not a sliver.
const MIN_OP_WIDTH: i32 = 52;
/// Space between a label and the side of its box.
const PAD: i32 = 14;
/// Arrowhead length and half width.
const HEAD: (f64, f64) = (11.0, 5.5);
/// Default distance of an edge label from its arrow.
const LABEL_GAP: f64 = 12.0;

impl Diagram {
    /// An empty diagram of `width` × `height` pixels.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            nodes: Vec::new(),
            edges: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds an operation node centred at `center`; returns its index.
    pub fn op(&mut self, label: impl Into<String>, center: (i32, i32)) -> usize {
        self.node(label.into(), Kind::Op, center)
    }

    /// Adds a tensor node centred at `center`; returns its index.
    pub fn tensor(&mut self, label: impl Into<String>, center: (i32, i32)) -> usize {
        self.node(label.into(), Kind::Tensor, center)
    }

    fn node(&mut self, label: String, kind: Kind, center: (i32, i32)) -> usize {
        self.nodes.push(Node {
            label,
            kind,
            center,
            emphasis: Emphasis::Normal,
        });
        self.nodes.len() - 1
    }

    /// Adds an arrow from node `from` to node `to`; label or highlight it
    /// through the returned edge.
    ///
    /// # Panics
    /// If either index is not a node of this diagram.
    pub fn edge(&mut self, from: usize, to: usize) -> &mut Edge {
        let n = self.nodes.len();
        assert!(
            from < n && to < n,
            "edge {from} -> {to}, but only {n} nodes"
        );
        self.edges.push(Edge {
            from,
            to,
            label: None,
            label_offset: (0, 0),
            emphasis: Emphasis::Normal,
        });
        self.edges.last_mut().expect("just pushed")
    }

    /// Sets how node `node` is drawn.
    pub fn emphasize(&mut self, node: usize, emphasis: Emphasis) {
        self.nodes[node].emphasis = emphasis;
    }

    /// Adds a free text centred at `at`.
    pub fn note(&mut self, text: impl Into<String>, at: (i32, i32), emphasis: Emphasis) {
        self.notes.push(Note {
            text: text.into(),
            at,
            emphasis,
        });
    }

    /// Renders the diagram as an SVG figure of its size.
    pub fn figure(&self) -> Result<Figure, FigureError> {
        Figure::svg(self.width, self.height).draw(|root| self.draw(root))
    }

    /// Draws the diagram on `area`, in its pixel coordinates.
    pub fn draw<DB>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), Box<dyn Error>>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let font = style::label();
        let sizes = self
            .nodes
            .iter()
            .map(|node| {
                let (w, _) = area.estimate_text_size(&node.label, &font)?;
                let width = match node.kind {
                    Kind::Op => (w as i32 + 2 * PAD).max(MIN_OP_WIDTH),
                    Kind::Tensor => w as i32 + 3 * PAD,
                };
                Ok((width, NODE_HEIGHT))
            })
            .collect::<Result<Vec<_>, DrawingAreaErrorKind<DB::ErrorType>>>()?;

        for edge in &self.edges {
            self.draw_edge(area, edge, &sizes)?;
        }
        for (node, &size) in self.nodes.iter().zip(&sizes) {
            draw_node(area, node, size)?;
        }
        for note in &self.notes {
            let text = style::centered(font.clone().color(ink(note.emphasis)));
            area.draw(&Text::new(note.text.clone(), note.at, text))?;
        }
        Ok(())
    }

    fn draw_edge<DB>(
        &self,
        area: &DrawingArea<DB, Shift>,
        edge: &Edge,
        sizes: &[(i32, i32)],
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
    where
        DB: DrawingBackend,
    {
        let (a, b) = (&self.nodes[edge.from], &self.nodes[edge.to]);
        let (ax, ay) = (f64::from(a.center.0), f64::from(a.center.1));
        let (bx, by) = (f64::from(b.center.0), f64::from(b.center.1));
        let (dx, dy) = (bx - ax, by - ay);
        let len = dx.hypot(dy);
        if len == 0.0 {
            return Ok(());
        }
        let (ux, uy) = (dx / len, dy / len);
        let start = exit(a.kind, sizes[edge.from], ux, uy) + 1.0;
        let end = len - exit(b.kind, sizes[edge.to], ux, uy) - 1.0;
        if end <= start {
            return Ok(());
        }
        let color = ink(edge.emphasis);
        let width = if edge.emphasis == Emphasis::Highlight {
            3
        } else {
            2
        };
        let at = |t: f64| (ax + ux * t, ay + uy * t);
        let px = |(x, y): (f64, f64)| (x.round() as i32, y.round() as i32);
        let tip = at(end);
        let base = at(end - HEAD.0);
        area.draw(&PathElement::new(
            [px(at(start)), px(base)],
            color.stroke_width(width),
        ))?;
        let (nx, ny) = (-uy, ux);
        let head = [
            px(tip),
            px((base.0 + nx * HEAD.1, base.1 + ny * HEAD.1)),
            px((base.0 - nx * HEAD.1, base.1 - ny * HEAD.1)),
        ];
        area.draw(&Polygon::new(head, color.filled()))?;

        if let Some(label) = &edge.label {
            let (mx, my) = at((start + end) / 2.0);
            let mut text = style::label().color(color);
            let pos = if edge.label_offset == (0, 0) {
                // Beside the arrow: to its right, or above a level arrow.
                let mut side = (-uy, ux);
                if side.0 < 0.0 || (side.0.abs() < 0.3 && side.1 > 0.0) {
                    side = (uy, -ux);
                }
                let h = if side.0 >= 0.3 {
                    HPos::Left
                } else {
                    HPos::Center
                };
                let v = if side.0 >= 0.3 {
                    VPos::Center
                } else {
                    VPos::Bottom
                };
                text = text.pos(Pos::new(h, v));
                px((mx + side.0 * LABEL_GAP, my + side.1 * LABEL_GAP))
            } else {
                text = style::centered(text);
                (
                    mx.round() as i32 + edge.label_offset.0,
                    my.round() as i32 + edge.label_offset.1,
                )
            };
            area.draw(&Text::new(label.clone(), pos, text))?;
        }
        Ok(())
    }
}

/// The colour of text and lines at `emphasis`.
fn ink(emphasis: Emphasis) -> &'static RGBColor {
    match emphasis {
        Emphasis::Normal => &style::INK,
        Emphasis::Highlight => &style::RED,
        Emphasis::Faint => &style::GRAY,
    }
}

/// How far from a node's centre a ray in the unit direction (ux, uy)
/// leaves its outline, in pixels.
fn exit(kind: Kind, (w, h): (i32, i32), ux: f64, uy: f64) -> f64 {
    let (a, b) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    match kind {
        Kind::Tensor => 1.0 / ((ux / a).powi(2) + (uy / b).powi(2)).sqrt(),
        Kind::Op => {
            let along_x = if ux == 0.0 {
                f64::INFINITY
            } else {
                a / ux.abs()
            };
            let along_y = if uy == 0.0 {
                f64::INFINITY
            } else {
                b / uy.abs()
            };
            along_x.min(along_y)
        }
    }
}

fn draw_node<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    node: &Node,
    (w, h): (i32, i32),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (fill, stroke, width) = match (node.emphasis, node.kind) {
        (Emphasis::Highlight, _) => (style::LIGHT_RED, style::RED, 3),
        (Emphasis::Faint, _) => (style::LIGHT_GRAY, style::GRAY, 1),
        (Emphasis::Normal, Kind::Op) => (style::LIGHT_BLUE, style::BLUE, 2),
        (Emphasis::Normal, Kind::Tensor) => (WHITE, style::INK, 2),
    };
    let outline = outline(node.kind, node.center, (w, h));
    area.draw(&Polygon::new(outline.clone(), fill.filled()))?;
    let mut closed = outline;
    closed.push(closed[0]);
    area.draw(&PathElement::new(closed, stroke.stroke_width(width)))?;
    let text = style::centered(style::label().color(ink(node.emphasis)));
    area.draw(&Text::new(node.label.clone(), node.center, text))?;
    Ok(())
}

/// The outline of a node as a polygon: an ellipse for a tensor, a box with
/// rounded corners for an operation.
fn outline(kind: Kind, (cx, cy): (i32, i32), (w, h): (i32, i32)) -> Vec<(i32, i32)> {
    let (cx, cy) = (f64::from(cx), f64::from(cy));
    let (a, b) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    let px = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
    match kind {
        Kind::Tensor => (0..64)
            .map(|i| {
                let t = std::f64::consts::TAU * f64::from(i) / 64.0;
                px(cx + a * t.cos(), cy + b * t.sin())
            })
            .collect(),
        Kind::Op => {
            let r = 8.0_f64.min(b);
            let corners = [
                (cx + a - r, cy + b - r, 0.0),
                (cx - a + r, cy + b - r, 90.0),
                (cx - a + r, cy - b + r, 180.0),
                (cx + a - r, cy - b + r, 270.0),
            ];
            corners
                .iter()
                .flat_map(|&(x, y, start)| {
                    (0..=6).map(move |i| {
                        let t = (start + 15.0 * f64::from(i)).to_radians();
                        px(x + r * t.cos(), y + r * t.sin())
                    })
                })
                .collect()
        }
    }
}

/// The computation graph of the chapter's two-layer model,
/// `loss(y_true, softmax(dot(relu(dot(x, W1) + b1), W2) + b2))`, top to
/// bottom, with the shape of the tensor on every arrow of the main path
/// (`batch` samples of 784 pixels, 512 hidden units, 10 classes).
///
/// Draw it with `two_layer_model().figure()?.show()?`.
pub fn two_layer_model() -> Diagram {
    let spine = 330;
    let (left, right) = (150, 510);
    let row = |i: i32| 32 + 60 * i;
    let mut d = Diagram::new(700, (row(9) - 24) as u32);
    let x = d.tensor("x (입력)", (spine, row(0)));
    let ops = [
        d.op("dot", (spine, row(1))),
        d.op("+", (spine, row(2))),
        d.op("relu", (spine, row(3))),
        d.op("dot", (spine, row(4))),
        d.op("+", (spine, row(5))),
        d.op("softmax", (spine, row(6))),
        d.op("loss", (spine, row(7))),
    ];
    let loss_val = d.tensor("loss_val", (spine, row(8)));
    let shapes = [
        "(batch, 784)",
        "(batch, 512)",
        "(batch, 512)",
        "(batch, 512)",
        "(batch, 10)",
        "(batch, 10)",
        "(batch, 10)",
        "스칼라",
    ];
    let path: Vec<usize> = std::iter::once(x).chain(ops).chain([loss_val]).collect();
    for (pair, shape) in path.windows(2).zip(shapes) {
        d.edge(pair[0], pair[1]).label(shape);
    }
    for (name, op) in [
        ("W1", ops[0]),
        ("b1", ops[1]),
        ("W2", ops[3]),
        ("b2", ops[4]),
    ] {
        let at = (left, d.nodes[op].center.1);
        let param = d.tensor(name, at);
        d.edge(param, op);
    }
    let y_true = d.tensor("y_true", (right, row(7)));
    d.edge(y_true, ops[6]);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_end_on_the_outline_of_their_target() {
        // A vertical edge between two ops 100 px apart, each 34 px high:
        // the line starts 17 px below the first centre, the head's tip is
        // 17 px above the second.
        let mut d = Diagram::new(200, 200);
        let a = d.op("a", (100, 40));
        let b = d.op("b", (100, 140));
        d.edge(a, b);
        let svg = d.figure().unwrap();
        let svg = svg.as_str().unwrap();
        assert!(svg.contains("<polyline") || svg.contains("<path") || svg.contains("<line"));
        assert!(svg.contains("100,58") || svg.contains("100 58"), "{svg}");
        assert!(svg.contains("100,122") || svg.contains("100 122"), "{svg}");
    }

    #[test]
    fn exit_distances_of_box_and_oval() {
        assert_eq!(exit(Kind::Op, (60, 34), 1.0, 0.0), 30.0);
        assert_eq!(exit(Kind::Op, (60, 34), 0.0, -1.0), 17.0);
        assert!((exit(Kind::Tensor, (60, 34), 0.0, 1.0) - 17.0).abs() < 1e-12);
        let s = std::f64::consts::FRAC_1_SQRT_2;
        // On the ellipse x²/30² + y²/17² = 1 along the diagonal.
        let t = exit(Kind::Tensor, (60, 34), s, s);
        assert!(((t * s / 30.0).powi(2) + (t * s / 17.0).powi(2) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn two_layer_model_has_its_nodes_and_edges() {
        let d = two_layer_model();
        let labels: Vec<&str> = d.nodes.iter().map(|n| n.label.as_str()).collect();
        for name in [
            "x (입력)",
            "W1",
            "b1",
            "relu",
            "W2",
            "b2",
            "softmax",
            "y_true",
            "loss_val",
        ] {
            assert!(labels.contains(&name), "{name} missing from {labels:?}");
        }
        assert_eq!(d.nodes.len(), 14);
        assert_eq!(d.edges.len(), 8 + 4 + 1);
        for n in &d.nodes {
            let (x, y) = n.center;
            assert!(x > 0 && y > 0 && x < d.width as i32 && y < d.height as i32);
        }
    }
}
