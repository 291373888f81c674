//! The chain rule on a computation graph, by hand (2.4.4).
//!
//! A [`Graph`] holds scalar operations in the order they were built (so every
//! node comes after its inputs). [`Graph::forward`] computes every node's
//! value; [`Graph::backward`] walks the graph from the loss back to the
//! inputs, multiplying local derivatives along each path and adding the
//! paths that meet: backpropagation, with nothing hidden. The chapter's
//! worked example is [`WorkedExample`], which also draws itself at each
//! stage of the walk.

use crate::GradientsError;
use crate::diagram::{Diagram, Emphasis};

/// A node's index in its graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub usize);

/// What a node computes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// A given value: data, a target, or a trainable parameter.
    Input {
        /// The value.
        value: f64,
        /// Whether training updates it (so its gradient is wanted).
        trainable: bool,
    },
    /// a × b.
    Mul(NodeId, NodeId),
    /// a + b.
    Add(NodeId, NodeId),
    /// |a − b|: the absolute error between a target a and a prediction b.
    AbsDiff(NodeId, NodeId),
}

impl Op {
    /// The nodes this one reads.
    pub fn inputs(&self) -> Vec<NodeId> {
        match *self {
            Op::Input { .. } => Vec::new(),
            Op::Mul(a, b) | Op::Add(a, b) | Op::AbsDiff(a, b) => vec![a, b],
        }
    }
}

/// One edge of the backward graph: how much `output` changes per unit
/// change of `input`, the local derivative grad(output, input).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Local {
    /// The node computed.
    pub output: NodeId,
    /// One of its inputs.
    pub input: NodeId,
    /// grad(output, input) at the forward values.
    pub grad: f64,
}

/// A computation graph of scalar operations.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    names: Vec<String>,
    ops: Vec<Op>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value that training does not change (data, a target).
    pub fn constant(&mut self, name: &str, value: f64) -> NodeId {
        self.push(
            name,
            Op::Input {
                value,
                trainable: false,
            },
        )
    }

    /// Adds a trainable parameter.
    pub fn parameter(&mut self, name: &str, value: f64) -> NodeId {
        self.push(
            name,
            Op::Input {
                value,
                trainable: true,
            },
        )
    }

    /// Adds `name = a × b`.
    pub fn mul(&mut self, name: &str, a: NodeId, b: NodeId) -> Result<NodeId, GradientsError> {
        self.checked(name, Op::Mul(a, b))
    }

    /// Adds `name = a + b`.
    pub fn add(&mut self, name: &str, a: NodeId, b: NodeId) -> Result<NodeId, GradientsError> {
        self.checked(name, Op::Add(a, b))
    }

    /// Adds `name = |a − b|`.
    pub fn abs_diff(&mut self, name: &str, a: NodeId, b: NodeId) -> Result<NodeId, GradientsError> {
        self.checked(name, Op::AbsDiff(a, b))
    }

    fn checked(&mut self, name: &str, op: Op) -> Result<NodeId, GradientsError> {
        let node = self.ops.len();
        if let Some(bad) = op.inputs().into_iter().find(|i| i.0 >= node) {
            return Err(GradientsError::Graph { node, input: bad.0 });
        }
        Ok(self.push(name, op))
    }

    fn push(&mut self, name: &str, op: Op) -> NodeId {
        self.names.push(name.to_owned());
        self.ops.push(op);
        NodeId(self.ops.len() - 1)
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// A node's name.
    pub fn name(&self, node: NodeId) -> &str {
        &self.names[node.0]
    }

    /// A node's operation.
    pub fn op(&self, node: NodeId) -> Op {
        self.ops[node.0]
    }

    /// The forward pass: every node's value, by node index.
    pub fn forward(&self) -> Vec<f64> {
        let mut values: Vec<f64> = Vec::with_capacity(self.ops.len());
        for op in &self.ops {
            let v = match *op {
                Op::Input { value, .. } => value,
                Op::Mul(a, b) => values[a.0] * values[b.0],
                Op::Add(a, b) => values[a.0] + values[b.0],
                Op::AbsDiff(a, b) => (values[a.0] - values[b.0]).abs(),
            };
            values.push(v);
        }
        values
    }

    /// The local derivatives of every edge at the forward `values`: the
    /// edges of the backward graph.
    pub fn locals(&self, values: &[f64]) -> Vec<Local> {
        let mut locals = Vec::new();
        for (i, op) in self.ops.iter().enumerate() {
            let output = NodeId(i);
            let mut edge = |input: NodeId, grad: f64| {
                locals.push(Local {
                    output,
                    input,
                    grad,
                })
            };
            match *op {
                Op::Input { .. } => {}
                Op::Mul(a, b) => {
                    edge(a, values[b.0]);
                    edge(b, values[a.0]);
                }
                Op::Add(a, b) => {
                    edge(a, 1.0);
                    edge(b, 1.0);
                }
                Op::AbsDiff(a, b) => {
                    let sign = (values[a.0] - values[b.0]).signum();
                    edge(a, sign);
                    edge(b, -sign);
                }
            }
        }
        locals
    }

    // ANCHOR: backward
    /// The backward pass: grad(`output`, node) for every node, by walking
    /// from `output` back through the graph, multiplying local derivatives
    /// along each path and summing over paths.
    pub fn backward(&self, values: &[f64], output: NodeId) -> Vec<f64> {
        let mut grads = vec![0.0; self.ops.len()];
        grads[output.0] = 1.0;
        let locals = self.locals(values);
        // Nodes come after their inputs, so visiting outputs from last to
        // first finishes a node's gradient before passing it on.
        for local in locals.iter().rev() {
            grads[local.input.0] += grads[local.output.0] * local.grad;
        }
        grads
    }
    // ANCHOR_END: backward

    /// Whether the gradient of `node` is wanted: it is trainable, or
    /// computed from something trainable.
    pub fn needs_grad(&self, node: NodeId) -> bool {
        match self.ops[node.0] {
            Op::Input { trainable, .. } => trainable,
            op => op.inputs().into_iter().any(|i| self.needs_grad(i)),
        }
    }
}

/// The chapter's worked example: x1 = x × w, x2 = x1 + b,
/// loss_val = |y_true − x2|, with trainable w and b.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkedExample {
    /// The graph.
    pub graph: Graph,
    /// The input.
    pub x: NodeId,
    /// The weight.
    pub w: NodeId,
    /// The bias.
    pub b: NodeId,
    /// The target.
    pub y_true: NodeId,
    /// x × w.
    pub x1: NodeId,
    /// x1 + b.
    pub x2: NodeId,
    /// |y_true − x2|.
    pub loss_val: NodeId,
}

/// What a drawing of the worked example shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The graph alone.
    Graph,
    /// The graph with the values of the forward pass.
    Forward,
    /// The backward graph: arrows reversed, labelled with local derivatives.
    Backward,
    /// The backward graph with the path from loss_val to w highlighted.
    PathToW,
}

impl WorkedExample {
    /// Builds the graph for given values (the chapter's are x = 2, w = 3,
    /// b = 1, y_true = 4).
    pub fn new(x: f64, w: f64, b: f64, y_true: f64) -> Result<Self, GradientsError> {
        let mut graph = Graph::new();
        let xn = graph.constant("x", x);
        let wn = graph.parameter("w", w);
        let x1 = graph.mul("x1", xn, wn)?;
        let bn = graph.parameter("b", b);
        let x2 = graph.add("x2", x1, bn)?;
        let yn = graph.constant("y_true", y_true);
        let loss_val = graph.abs_diff("loss_val", yn, x2)?;
        Ok(Self {
            graph,
            x: xn,
            w: wn,
            b: bn,
            y_true: yn,
            x1,
            x2,
            loss_val,
        })
    }

    /// The worked example drawn at `stage`, top to bottom, 700 pixels wide.
    pub fn diagram(&self, stage: Stage) -> Diagram {
        let g = &self.graph;
        let values = g.forward();
        let locals = g.locals(&values);
        let spine = 350;
        let row = |i: i32| 36 + 76 * i;
        let mut d = Diagram::new(700, (row(6) + 36) as u32);
        let label = |node: NodeId| match stage {
            Stage::Graph => g.name(node).to_owned(),
            _ => format!("{} = {}", g.name(node), values[node.0]),
        };
        // Tensor nodes (ids in the diagram, by graph node) and op nodes.
        let place = [
            (self.x, (spine - 110, row(0))),
            (self.w, (spine + 110, row(0))),
            (self.x1, (spine, row(2))),
            (self.b, (spine + 190, row(2))),
            (self.x2, (spine, row(4))),
            (self.y_true, (spine - 190, row(4))),
            (self.loss_val, (spine, row(6))),
        ];
        let mut at = vec![usize::MAX; g.len()];
        for (node, center) in place {
            at[node.0] = d.tensor(label(node), center);
        }
        let op_rows = [
            (self.x1, "×", 1),
            (self.x2, "+", 3),
            (self.loss_val, "|y_true − x2|", 5),
        ];
        let mut op_at = vec![usize::MAX; g.len()];
        for (node, text, r) in op_rows {
            op_at[node.0] = d.op(text, (spine, row(r)));
        }
        let on_path = |node: NodeId| {
            stage == Stage::PathToW && [self.w, self.x1, self.x2, self.loss_val].contains(&node)
        };
        for (node, _, _) in op_rows {
            let op = op_at[node.0];
            match stage {
                Stage::Graph | Stage::Forward => {
                    for input in g.op(node).inputs() {
                        d.edge(at[input.0], op);
                    }
                    d.edge(op, at[node.0]);
                }
                Stage::Backward | Stage::PathToW => {
                    let e = d.edge(at[node.0], op);
                    if on_path(node) {
                        e.highlight();
                    }
                    for local in locals.iter().filter(|l| l.output == node) {
                        let input = local.input;
                        let e = d.edge(op, at[input.0]);
                        if !g.needs_grad(input) {
                            e.faint();
                            continue;
                        }
                        e.label(format!(
                            "grad({}, {}) = {}",
                            g.name(node),
                            g.name(input),
                            local.grad
                        ));
                        // x1's label goes left of the spine, clear of b's arrow.
                        if input == self.x1 {
                            e.offset(-80, 0);
                        }
                        if on_path(node) && on_path(input) {
                            e.highlight();
                        }
                    }
                }
            }
        }
        if stage == Stage::PathToW {
            for node in [self.w, self.x1, self.x2, self.loss_val] {
                d.emphasize(at[node.0], Emphasis::Highlight);
            }
            for node in [self.x1, self.x2, self.loss_val] {
                d.emphasize(op_at[node.0], Emphasis::Highlight);
            }
            let grad_w = g.backward(&values, self.loss_val)[self.w.0];
            let [a, b, c] = [
                self.grad_of(&locals, self.loss_val, self.x2),
                self.grad_of(&locals, self.x2, self.x1),
                self.grad_of(&locals, self.x1, self.w),
            ];
            d.note(
                format!("grad(loss_val, w) = {a} × {b} × {c} = {grad_w}"),
                (spine + 215, row(6)),
                Emphasis::Highlight,
            );
        }
        d
    }

    fn grad_of(&self, locals: &[Local], output: NodeId, input: NodeId) -> f64 {
        locals
            .iter()
            .find(|l| l.output == output && l.input == input)
            .map_or(0.0, |l| l.grad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chapters_numbers() {
        let ex = WorkedExample::new(2.0, 3.0, 1.0, 4.0).unwrap();
        let values = ex.graph.forward();
        assert_eq!(values[ex.x1.0], 6.0);
        assert_eq!(values[ex.x2.0], 7.0);
        assert_eq!(values[ex.loss_val.0], 3.0);
        let grads = ex.graph.backward(&values, ex.loss_val);
        assert_eq!(grads[ex.w.0], 2.0);
        assert_eq!(grads[ex.b.0], 1.0);
        assert_eq!(grads[ex.x2.0], 1.0);
        assert_eq!(grads[ex.x.0], 3.0);
        assert_eq!(grads[ex.y_true.0], -1.0);
    }

    #[test]
    fn a_prediction_below_the_target_flips_the_signs() {
        let ex = WorkedExample::new(2.0, 1.0, 0.0, 4.0).unwrap();
        let values = ex.graph.forward();
        let grads = ex.graph.backward(&values, ex.loss_val);
        assert_eq!(values[ex.loss_val.0], 2.0);
        assert_eq!(grads[ex.w.0], -2.0);
        assert_eq!(grads[ex.b.0], -1.0);
    }

    #[test]
    fn paths_that_meet_add_up() {
        // y = x × x + x: dy/dx = 2x + 1 = 7 at x = 3, three paths.
        let mut g = Graph::new();
        let x = g.parameter("x", 3.0);
        let sq = g.mul("sq", x, x).unwrap();
        let y = g.add("y", sq, x).unwrap();
        let values = g.forward();
        assert_eq!(values[y.0], 12.0);
        assert_eq!(g.backward(&values, y)[x.0], 7.0);
    }

    #[test]
    fn nodes_must_come_after_their_inputs() {
        let mut g = Graph::new();
        let a = g.constant("a", 1.0);
        assert_eq!(
            g.add("c", a, NodeId(5)).unwrap_err(),
            GradientsError::Graph { node: 1, input: 5 }
        );
    }

    #[test]
    fn diagrams_show_values_and_local_gradients() {
        let ex = WorkedExample::new(2.0, 3.0, 1.0, 4.0).unwrap();
        let labels = |stage| {
            let d = ex.diagram(stage);
            let mut all: Vec<String> = d.nodes.iter().map(|n| n.label.clone()).collect();
            all.extend(d.edges.iter().filter_map(|e| e.label.clone()));
            all.extend(d.notes.iter().map(|n| n.text.clone()));
            all
        };
        assert!(labels(Stage::Graph).contains(&"x1".to_owned()));
        assert!(labels(Stage::Forward).contains(&"loss_val = 3".to_owned()));
        let backward = labels(Stage::Backward);
        for expected in [
            "grad(loss_val, x2) = 1",
            "grad(x2, x1) = 1",
            "grad(x2, b) = 1",
            "grad(x1, w) = 2",
        ] {
            assert!(
                backward.contains(&expected.to_owned()),
                "{expected} not in {backward:?}"
            );
        }
        assert!(!backward.iter().any(|l| l.starts_with("grad(x1, x)")));
        assert!(labels(Stage::PathToW).contains(&"grad(loss_val, w) = 1 × 1 × 2 = 2".to_owned()));
        let path = ex.diagram(Stage::PathToW);
        let red = path
            .edges
            .iter()
            .filter(|e| e.emphasis == Emphasis::Highlight)
            .count();
        assert_eq!(red, 6);
    }
}
