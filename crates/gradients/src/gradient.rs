//! The gradient of a tensor function (2.4.2): the loss of `dot(W, x)` as a
//! function of the weight matrix W, its gradient from the tape, and the same
//! gradient the slow way, nudging one coefficient at a time.

use dfdx::prelude::*;

/// The loss of a one-layer linear model as a function of its weights:
/// y_pred = dot(W, x), loss = mean((y_pred − y_true)²).
///
/// Trace `w` to get the gradient with respect to it; untraced, this is just
/// the forward pass.
pub fn dot_loss<const M: usize, const K: usize, D, T>(
    w: Tensor<Rank2<M, K>, f64, D, T>,
    x: Tensor<Rank1<K>, f64, D>,
    y_true: Tensor<Rank1<M>, f64, D>,
) -> Tensor<Rank0, f64, D, T>
where
    D: Device<f64>,
    T: Tape<f64, D> + Merge<NoneTape>,
{
    mse_loss(w.matmul(x), y_true)
}

/// A gradient estimated by finite differences, and what it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate<const M: usize, const K: usize> {
    /// The estimated partial derivatives, in W's shape.
    pub grad: [[f64; K]; M],
    /// How many times the loss was evaluated (forward passes).
    pub forward_passes: usize,
}

/// The gradient of `loss` at `w`, one coefficient at a time: nudge
/// W[i][j] by ±`eps`, evaluate the loss twice, take the slope
/// (central differences). Costs two forward passes per coefficient.
///
/// ```
/// use nnblocks_gradients::gradient::numeric_gradient;
///
/// let est = numeric_gradient([[1.0, 2.0]], |w| w[0][0] * w[0][0] + 3.0 * w[0][1], 1e-4);
/// assert!((est.grad[0][0] - 2.0).abs() < 1e-6);
/// assert!((est.grad[0][1] - 3.0).abs() < 1e-6);
/// assert_eq!(est.forward_passes, 4);
/// ```
pub fn numeric_gradient<const M: usize, const K: usize>(
    w: [[f64; K]; M],
    mut loss: impl FnMut([[f64; K]; M]) -> f64,
    eps: f64,
) -> Estimate<M, K> {
    let mut grad = [[0.0; K]; M];
    let mut forward_passes = 0;
    for i in 0..M {
        for j in 0..K {
            let mut up = w;
            up[i][j] += eps;
            let mut down = w;
            down[i][j] -= eps;
            grad[i][j] = (loss(up) - loss(down)) / (2.0 * eps);
            forward_passes += 2;
        }
    }
    Estimate {
        grad,
        forward_passes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tape_gradient_has_ws_shape_and_matches_the_formula_and_the_estimate() {
        let dev = Cpu::default();
        let w0 = [[0.1, -0.2, 0.3], [0.0, 0.5, -0.4]];
        let x = [1.0, 2.0, -1.0];
        let y = [1.0, -1.0];
        let w = dev.tensor(w0);
        let loss = dot_loss(w.leaky_trace(), dev.tensor(x), dev.tensor(y));
        let grad: [[f64; 3]; 2] = loss.backward().get(&w).array();
        // d/dW[i][j] of mean((W x - y)²) over M = 2 outputs is (W x - y)[i] x[j].
        for i in 0..2 {
            let pred: f64 = (0..3).map(|j| w0[i][j] * x[j]).sum();
            for j in 0..3 {
                let expected = (pred - y[i]) * x[j];
                assert!((grad[i][j] - expected).abs() < 1e-12, "{grad:?}");
            }
        }
        let est = numeric_gradient(
            w0,
            |w| dot_loss(dev.tensor(w), dev.tensor(x), dev.tensor(y)).array(),
            1e-5,
        );
        assert_eq!(est.forward_passes, 12);
        let pairs = est.grad.iter().flatten().zip(grad.iter().flatten());
        for (slow, tape) in pairs {
            assert!((slow - tape).abs() < 1e-8, "{slow} vs {tape}");
        }
    }

    #[test]
    fn a_step_against_the_gradient_lowers_the_loss() {
        let dev = Cpu::default();
        let x = dev.tensor([0.5, -1.0]);
        let y = dev.tensor([2.0]);
        let w = dev.tensor([[1.0, 1.0]]);
        let loss0 = dot_loss(w.leaky_trace(), x.clone(), y.clone());
        let before = loss0.array();
        let grad = loss0.backward().get(&w);
        let w1 = w - grad * 0.1;
        let after = dot_loss(w1, x, y).array();
        assert!(after < before, "{after} >= {before}");
    }
}
