//! Points of the plane as tensors, and the transforms of section 2.3.5.
//!
//! A shape is a batch of points: a `(n, 2)` tensor with one point per row,
//! the way a batch of samples enters a `Dense` layer. A map `x ↦ W x` of one
//! point (a column vector) is then `P Wᵀ` for all rows at once, the same
//! convention as `dfdx`'s `Linear`, whose `weight` is stored as `(out, in)`.

use dfdx::prelude::*;

/// A batch of 2D points, one per row.
pub type Points<D = AutoDevice> = Tensor<(usize, Const<2>), f32, D>;
/// A 2×2 matrix: the linear part of a transform of the plane.
pub type Matrix2<D = AutoDevice> = Tensor<Rank2<2, 2>, f32, D>;
/// A 2D vector: a point, an arrow, or the shift of a translation.
pub type Vector2<D = AutoDevice> = Tensor<Rank1<2>, f32, D>;

/// The points `xy` as a `(n, 2)` tensor on `dev`.
pub fn points<D: Device<f32>>(dev: &D, xy: &[[f32; 2]]) -> Points<D> {
    let flat: Vec<f32> = xy.iter().flatten().copied().collect();
    dev.tensor_from_vec(flat, (xy.len(), Const::<2>))
}

/// The rows of `p`, copied back from its device.
pub fn rows<D: Device<f32>>(p: &Points<D>) -> Vec<[f32; 2]> {
    p.as_vec().chunks_exact(2).map(|r| [r[0], r[1]]).collect()
}

/// Moves every point by `t`: a vector addition, broadcast over the rows.
pub fn translate<D: Device<f32>>(p: Points<D>, t: Vector2<D>) -> Points<D> {
    let t = t.broadcast_like(&p);
    p + t
}

/// The counter-clockwise rotation by `theta` radians,
/// `[[cos θ, -sin θ], [sin θ, cos θ]]`.
pub fn rotation<D: Device<f32>>(dev: &D, theta: f32) -> Matrix2<D> {
    let (s, c) = theta.sin_cos();
    dev.tensor([[c, -s], [s, c]])
}

/// Scaling by `h` horizontally and `v` vertically: the diagonal matrix
/// `[[h, 0], [0, v]]`.
pub fn scaling<D: Device<f32>>(dev: &D, h: f32, v: f32) -> Matrix2<D> {
    dev.tensor([[h, 0.0], [0.0, v]])
}

/// Applies the linear map `x ↦ W x` to every point: `P Wᵀ`.
pub fn linear<D: Device<f32>>(p: Points<D>, w: Matrix2<D>) -> Points<D> {
    p.matmul(w.permute())
}

/// Applies the affine map `x ↦ W x + b` to every point: a `Dense` layer
/// without activation.
pub fn affine<D: Device<f32>>(p: Points<D>, w: Matrix2<D>, b: Vector2<D>) -> Points<D> {
    translate(linear(p, w), b)
}

/// Applies `x ↦ relu(W x + b)`: a `Dense` layer with `relu` activation.
pub fn affine_relu<D: Device<f32>>(p: Points<D>, w: Matrix2<D>, b: Vector2<D>) -> Points<D> {
    affine(p, w, b).relu()
}

/// An affine map `x ↦ W x + b` of the plane, kept as its two tensors.
#[derive(Clone, Debug)]
pub struct Affine<D: Device<f32> = AutoDevice> {
    /// The linear part.
    pub w: Matrix2<D>,
    /// The translation.
    pub b: Vector2<D>,
}

impl<D: Device<f32>> Affine<D> {
    /// The map `x ↦ w x + b`.
    pub fn new(w: Matrix2<D>, b: Vector2<D>) -> Self {
        Self { w, b }
    }

    /// Applies the map to every point.
    pub fn apply(&self, p: Points<D>) -> Points<D> {
        affine(p, self.w.clone(), self.b.clone())
    }

    /// The single affine map equal to applying `self` and then `next`:
    /// `W₂ (W₁ x + b₁) + b₂ = (W₂ W₁) x + (W₂ b₁ + b₂)`.
    pub fn then(&self, next: &Affine<D>) -> Affine<D> {
        Affine {
            w: next.w.clone().matmul(self.w.clone()),
            b: next.w.clone().matmul(self.b.clone()) + next.b.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::FRAC_PI_2;

    fn close(a: &[[f32; 2]], b: &[[f32; 2]]) -> bool {
        a.len() == b.len()
            && a.iter()
                .flatten()
                .zip(b.iter().flatten())
                .all(|(x, y)| (x - y).abs() < 1e-6)
    }

    #[test]
    fn translation_adds_the_vector_to_every_row() {
        let dev = Cpu::default();
        let p = points(&dev, &[[0.0, 0.0], [1.0, 2.0]]);
        let moved = translate(p, dev.tensor([0.5, -1.0]));
        assert_eq!(rows(&moved), [[0.5, -1.0], [1.5, 1.0]]);
    }

    #[test]
    fn quarter_turn_is_counter_clockwise() {
        let dev = Cpu::default();
        let p = points(&dev, &[[1.0, 0.0], [0.0, 1.0]]);
        let turned = linear(p, rotation(&dev, FRAC_PI_2));
        assert!(close(&rows(&turned), &[[0.0, 1.0], [-1.0, 0.0]]));
    }

    #[test]
    fn scaling_stretches_each_axis() {
        let dev = Cpu::default();
        let p = points(&dev, &[[1.0, 1.0], [-2.0, 4.0]]);
        let scaled = linear(p, scaling(&dev, 1.5, 0.5));
        assert_eq!(rows(&scaled), [[1.5, 0.5], [-3.0, 2.0]]);
    }

    #[test]
    fn affine_matches_a_linear_layer() {
        let dev = Cpu::default();
        let w = dev.tensor([[1.0, 2.0], [-0.5, 0.25]]);
        let b = dev.tensor([0.1, -0.2]);
        let layer = dfdx::nn::modules::Linear::<2, 2, f32, Cpu> {
            weight: w.clone(),
            bias: b.clone(),
        };
        let p = points(&dev, &[[1.0, -1.0], [0.5, 2.0], [3.0, 0.0]]);
        let ours = rows(&affine(p.clone(), w, b));
        let layers = rows(&layer.forward(p));
        assert!(close(&ours, &layers));
        assert!(close(&ours, &[[-0.9, -0.95], [4.6, 0.05], [3.1, -1.7]]));
    }

    #[test]
    fn relu_clamps_negative_coordinates_only() {
        let dev = Cpu::default();
        let identity = dev.tensor([[1.0, 0.0], [0.0, 1.0]]);
        let p = points(&dev, &[[-1.0, 2.0], [3.0, -4.0], [-5.0, -6.0]]);
        let out = affine_relu(p, identity, dev.zeros());
        assert_eq!(rows(&out), [[0.0, 2.0], [3.0, 0.0], [0.0, 0.0]]);
    }

    #[test]
    fn two_affine_maps_are_one() {
        let dev = Cpu::default();
        let first = Affine::new(
            dev.tensor([[1.0, 2.0], [3.0, 4.0]]),
            dev.tensor([1.0, -1.0]),
        );
        let second = Affine::new(
            dev.tensor([[0.0, 1.0], [-1.0, 0.5]]),
            dev.tensor([2.0, 0.0]),
        );
        let both = first.then(&second);
        // W2 W1 and W2 b1 + b2, worked out by hand.
        assert_eq!(both.w.array(), [[3.0, 4.0], [0.5, 0.0]]);
        assert_eq!(both.b.array(), [1.0, -1.5]);
        let p = points(&dev, &[[0.5, 1.0], [-2.0, 3.0]]);
        let stepwise = rows(&second.apply(first.apply(p.clone())));
        assert!(close(&stepwise, &rows(&both.apply(p))));
    }
}
