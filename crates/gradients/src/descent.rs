//! Gradient descent on a loss of a few parameters (2.4.3): a ball rolling
//! down a 1D loss curve or a 2D loss surface, with or without momentum.
//!
//! Each step asks dfdx's tape for the gradient at the current point and moves
//! against it. With momentum the step also keeps part of the previous step,
//! the ball's velocity:
//!
//! v ← μ v − η ∇f(w),  w ← w + v
//!
//! with learning rate η and momentum μ (μ = 0 is plain gradient descent).

use dfdx::prelude::*;

/// A loss with two valleys: f(w) = w⁴ − 4w² + 2w, element by element.
///
/// Its local minimum is near w = 1.27 (f ≈ −1.31), its global minimum near
/// w = −1.53 (f ≈ −6.93), with a bump near w = 0.26 (f ≈ 0.26) between them.
pub fn two_valleys<S: Shape, D: Device<f64>>(
    w: Tensor<S, f64, D, OwnedTape<f64, D>>,
) -> Tensor<S, f64, D, OwnedTape<f64, D>> {
    let w2 = w.with_empty_tape().square();
    w2.with_empty_tape().square() - w2 * 4.0 + w * 2.0
}

/// How to descend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Descent {
    /// η, the step size: how far to move against the gradient.
    pub learning_rate: f64,
    /// μ, the share of the previous step kept in the next (0 for none).
    pub momentum: f64,
    /// How many steps to take.
    pub steps: usize,
}

/// Where the descent went: the points (the start first) and the loss at each.
#[derive(Clone, Debug, PartialEq)]
pub struct Path<const N: usize> {
    /// The parameters before each step, and after the last.
    pub points: Vec<[f64; N]>,
    /// The loss at each point.
    pub losses: Vec<f64>,
}

impl<const N: usize> Path<N> {
    /// Where the descent stopped.
    pub fn end(&self) -> [f64; N] {
        *self.points.last().expect("a path has its start")
    }

    /// The loss where the descent stopped.
    pub fn final_loss(&self) -> f64 {
        *self.losses.last().expect("a path has its start")
    }
}

// ANCHOR: descend
/// Descends the loss `f` of `N` parameters from `start`, computing each
/// gradient with dfdx on `dev`.
///
/// ```
/// use dfdx::prelude::*;
/// use nnblocks_gradients::descent::{descend, Descent};
///
/// let dev = AutoDevice::default();
/// let bowl = |w: Tensor<Rank1<2>, f64, AutoDevice, OwnedTape<f64, AutoDevice>>| w.square().sum();
/// let plain = Descent { learning_rate: 0.25, momentum: 0.0, steps: 3 };
/// let path = descend(&dev, [4.0, -2.0], plain, bowl);
/// // Each step halves w, since the gradient of w² is 2w.
/// assert_eq!(path.end(), [0.5, -0.25]);
/// ```
pub fn descend<const N: usize, D, F>(dev: &D, start: [f64; N], how: Descent, f: F) -> Path<N>
where
    D: Device<f64>,
    F: Fn(Tensor<Rank1<N>, f64, D, OwnedTape<f64, D>>) -> Tensor<Rank0, f64, D, OwnedTape<f64, D>>,
{
    let mut w = start;
    let mut velocity = [0.0; N];
    let mut points = vec![w];
    let mut losses = Vec::with_capacity(how.steps + 1);
    for step in 0..=how.steps {
        let param = dev.tensor(w);
        let loss = f(param.leaky_trace());
        losses.push(loss.as_vec()[0]);
        if step == how.steps {
            break;
        }
        let grad = loss.backward().get(&param).as_vec();
        for i in 0..N {
            velocity[i] = how.momentum * velocity[i] - how.learning_rate * grad[i];
            w[i] += velocity[i];
        }
        points.push(w);
    }
    Path { points, losses }
}
// ANCHOR_END: descend

#[cfg(test)]
mod tests {
    use super::*;
    use crate::derivative::values_and_derivatives;

    fn valley_loss(
        w: Tensor<Rank1<1>, f64, Cpu, OwnedTape<f64, Cpu>>,
    ) -> Tensor<Rank0, f64, Cpu, OwnedTape<f64, Cpu>> {
        two_valleys(w).sum()
    }

    #[test]
    fn two_valleys_has_the_stated_minima() {
        let dev = Cpu::default();
        let (ys, dys) = values_and_derivatives(&dev, &[-1.5257, 0.2586, 1.2671], two_valleys);
        for dy in &dys {
            assert!(dy.abs() < 0.01, "{dys:?}");
        }
        assert!(ys[0] < ys[2] && ys[2] < ys[1], "{ys:?}");
    }

    #[test]
    fn plain_descent_stops_in_the_local_minimum_and_momentum_rolls_on() {
        let dev = Cpu::default();
        let plain = Descent {
            learning_rate: 0.01,
            momentum: 0.0,
            steps: 300,
        };
        let rolling = Descent {
            momentum: 0.9,
            ..plain
        };
        let stuck = descend(&dev, [2.0], plain, valley_loss);
        let rolled = descend(&dev, [2.0], rolling, valley_loss);
        assert!((stuck.end()[0] - 1.267).abs() < 0.01, "{:?}", stuck.end());
        assert!((rolled.end()[0] + 1.526).abs() < 0.01, "{:?}", rolled.end());
        assert!(rolled.final_loss() < stuck.final_loss());
    }

    #[test]
    fn descent_lowers_the_loss_on_a_bowl() {
        let dev = Cpu::default();
        let bowl = |w: Tensor<Rank1<2>, f64, Cpu, OwnedTape<f64, Cpu>>| {
            (w.square() * dev.tensor([1.0, 4.0])).sum()
        };
        let how = Descent {
            learning_rate: 0.05,
            momentum: 0.0,
            steps: 20,
        };
        let path = descend(&dev, [2.0, 1.0], how, bowl);
        assert_eq!(path.points.len(), 21);
        assert!(
            path.losses.windows(2).all(|l| l[1] < l[0]),
            "{:?}",
            path.losses
        );
        // w1 shrinks by 1 - 0.05 * 2 each step, w2 by 1 - 0.05 * 8.
        assert!((path.end()[0] - 2.0 * 0.9_f64.powi(20)).abs() < 1e-12);
        assert!((path.end()[1] - 0.6_f64.powi(20)).abs() < 1e-12);
    }
}
