//! Stochastic gradient descent and its variants (2.4.3) on one small problem:
//! a linear regression y = w·x + b with two features.
//!
//! Each update is the mini-batch SGD loop of the chapter: draw a batch,
//! run the forward pass, compute the loss, get the gradient from the tape
//! (the backward pass), and move the parameters a little against it. The
//! batch size picks the variant: all samples (batch gradient descent), a few
//! (mini-batch SGD) or one (true SGD).

use dfdx::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::GradientsError;

/// A batch on the device: the inputs as (samples, features), one sample per
/// row as everywhere in the book, and the targets.
pub type Batch<D> = (Tensor<(usize, Const<2>), f32, D>, Tensor<(usize,), f32, D>);

/// A regression data set: inputs with two features and one target each.
#[derive(Clone, Debug, PartialEq)]
pub struct Regression {
    inputs: Vec<[f32; 2]>,
    targets: Vec<f32>,
}

impl Regression {
    /// The true weights of [`Regression::generate`]'s data.
    pub const TRUE_W: [f32; 2] = [2.0, -3.0];
    /// The true bias of [`Regression::generate`]'s data.
    pub const TRUE_B: f32 = 1.0;

    /// `n` samples with features uniform in [-1, 1) and targets
    /// 2 x₁ − 3 x₂ + 1 plus uniform noise in [-0.1, 0.1), from `seed`.
    pub fn generate(n: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut inputs = Vec::with_capacity(n);
        let mut targets = Vec::with_capacity(n);
        for _ in 0..n {
            let x = [rng.gen_range(-1.0..1.0), rng.gen_range(-1.0..1.0)];
            let noise: f32 = rng.gen_range(-0.1..0.1);
            let [w1, w2] = Self::TRUE_W;
            targets.push(w1 * x[0] + w2 * x[1] + Self::TRUE_B + noise);
            inputs.push(x);
        }
        Self { inputs, targets }
    }

    /// A data set from given inputs and targets, of the same non-zero length.
    pub fn new(inputs: Vec<[f32; 2]>, targets: Vec<f32>) -> Result<Self, GradientsError> {
        if inputs.is_empty() || inputs.len() != targets.len() {
            return Err(GradientsError::Data {
                inputs: inputs.len(),
                targets: targets.len(),
            });
        }
        Ok(Self { inputs, targets })
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The samples at `indices` as tensors: the inputs as (samples,
    /// features), one sample per row, and the targets.
    pub fn batch<D: Device<f32>>(&self, dev: &D, indices: &[usize]) -> Batch<D> {
        let n = indices.len();
        let x = indices.iter().flat_map(|&i| self.inputs[i]).collect();
        let y = indices.iter().map(|&i| self.targets[i]).collect();
        (
            dev.tensor_from_vec(x, (n, Const)),
            dev.tensor_from_vec(y, (n,)),
        )
    }

    /// The curvature λ of the mean squared error of the samples at
    /// `indices`: the largest eigenvalue of its Hessian with respect to
    /// (w₁, w₂, b), which is (2/n) Σ x̃ x̃ᵀ with x̃ = (x₁, x₂, 1) and does not
    /// depend on the weights. Gradient descent on that loss diverges when the
    /// learning rate is above 2/λ. One sample gives 2 (x₁² + x₂² + 1).
    ///
    /// # Panics
    ///
    /// If `indices` is empty.
    pub fn curvature(&self, indices: &[usize]) -> f32 {
        assert!(!indices.is_empty(), "the curvature of no samples");
        let mut hessian = [[0.0_f64; 3]; 3];
        for &i in indices {
            let [x1, x2] = self.inputs[i];
            let x = [f64::from(x1), f64::from(x2), 1.0];
            for (row, &a) in hessian.iter_mut().zip(&x) {
                for (h, &b) in row.iter_mut().zip(&x) {
                    *h += 2.0 * a * b / indices.len() as f64;
                }
            }
        }
        // Power iteration: the Hessian is symmetric positive semi-definite,
        // so its largest eigenvalue is the one the iteration finds.
        let mut v = [1.0, 0.7, 0.3];
        let mut lambda = 0.0;
        for _ in 0..1000 {
            let hv: Vec<f64> = hessian
                .iter()
                .map(|row| row.iter().zip(&v).map(|(h, x)| h * x).sum())
                .collect();
            lambda = hv.iter().map(|x| x * x).sum::<f64>().sqrt();
            for (x, h) in v.iter_mut().zip(&hv) {
                *x = h / lambda;
            }
        }
        lambda as f32
    }
}

/// How to train.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Training {
    /// Samples per update: the data set's size for batch gradient descent,
    /// 1 for true SGD, anything between for mini-batch SGD.
    pub batch_size: usize,
    /// The step size of every update.
    pub learning_rate: f32,
    /// Passes over the whole data set.
    pub epochs: usize,
    /// Seeds the shuffling of the samples at every epoch.
    pub seed: u64,
}

/// The result of training.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The learned weights.
    pub w: [f32; 2],
    /// The learned bias.
    pub b: f32,
    /// The mean squared error on the whole data set before training and
    /// after every update.
    pub losses: Vec<f32>,
    /// How many updates were made.
    pub updates: usize,
}

impl History {
    /// The loss on the whole data set at the end.
    pub fn final_loss(&self) -> f32 {
        *self
            .losses
            .last()
            .expect("the initial loss is always there")
    }

    /// Whether training blew up: the loss became infinite or NaN, or grew
    /// past a million times where it started.
    pub fn diverged(&self) -> bool {
        let last = self.final_loss();
        !last.is_finite() || last > self.losses[0] * 1e6
    }
}

// ANCHOR: train
/// Trains y = w·x + b from w = 0, b = 0 on `data` with SGD, shuffling the
/// samples every epoch and updating once per batch (the last batch of an
/// epoch may be smaller).
pub fn train<D: Device<f32>>(
    dev: &D,
    data: &Regression,
    how: Training,
) -> Result<History, GradientsError> {
    let n = data.len();
    if how.batch_size == 0 || how.batch_size > n {
        return Err(GradientsError::BatchSize {
            batch_size: how.batch_size,
            samples: n,
        });
    }
    let mut rng = StdRng::seed_from_u64(how.seed);
    let everything: Vec<usize> = (0..n).collect();
    let (all_x, all_y) = data.batch(dev, &everything);

    let mut w: Tensor<Rank1<2>, f32, D> = dev.zeros();
    let mut b: Tensor<Rank0, f32, D> = dev.zeros();
    let full_loss = |w: &Tensor<Rank1<2>, f32, D>, b: &Tensor<Rank0, f32, D>| {
        let pred = all_x.clone().matmul(w.clone()) + b.clone().broadcast_like(&(n,));
        mse_loss(pred, all_y.clone()).as_vec()[0]
    };
    let mut losses = vec![full_loss(&w, &b)];
    let mut order = everything.clone();
    for _ in 0..how.epochs {
        order.shuffle(&mut rng);
        for indices in order.chunks(how.batch_size) {
            // 1. a batch; 2. the forward pass; 3. the loss.
            let (x, y) = data.batch(dev, indices);
            let pred =
                x.leaky_trace().matmul(w.clone()) + b.clone().broadcast_like(&(indices.len(),));
            let loss = mse_loss(pred, y);
            // 4. the backward pass: the gradient of the loss.
            let grads = loss.backward();
            // 5. a small step against the gradient.
            w = w.clone() - grads.get(&w) * how.learning_rate;
            b = b.clone() - grads.get(&b) * how.learning_rate;
            losses.push(full_loss(&w, &b));
        }
    }
    Ok(History {
        w: {
            let w = w.as_vec();
            [w[0], w[1]]
        },
        b: b.as_vec()[0],
        updates: losses.len() - 1,
        losses,
    })
}
// ANCHOR_END: train

#[cfg(test)]
mod tests {
    use super::*;

    fn run(batch_size: usize, learning_rate: f32, epochs: usize) -> History {
        let data = Regression::generate(64, 0);
        let how = Training {
            batch_size,
            learning_rate,
            epochs,
            seed: 0,
        };
        train(&Cpu::default(), &data, how).unwrap()
    }

    #[test]
    fn every_variant_recovers_the_true_weights_at_a_good_rate() {
        for (batch_size, lr) in [(64, 0.5), (8, 0.1), (1, 0.02)] {
            let h = run(batch_size, lr, 100);
            assert!(
                h.final_loss() < 0.01,
                "batch {batch_size}: {}",
                h.final_loss()
            );
            assert!(
                (h.w[0] - 2.0).abs() < 0.1 && (h.w[1] + 3.0).abs() < 0.1,
                "{:?}",
                h.w
            );
            assert!((h.b - 1.0).abs() < 0.1, "{}", h.b);
        }
    }

    #[test]
    fn update_counts_follow_the_batch_size() {
        assert_eq!(run(64, 0.1, 3).updates, 3);
        assert_eq!(run(10, 0.1, 3).updates, 3 * 7);
        assert_eq!(run(1, 0.01, 3).updates, 3 * 64);
    }

    #[test]
    fn too_small_a_rate_barely_moves_and_too_large_a_rate_diverges() {
        let small = run(64, 1e-3, 20);
        assert!(small.final_loss() > 0.8 * small.losses[0]);
        assert!(!small.diverged());
        let large = run(64, 5.0, 20);
        assert!(large.diverged(), "{:?}", large.losses);
    }

    #[test]
    fn batches_keep_one_sample_per_row() {
        let data = Regression::new(
            vec![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
            vec![7.0, 8.0, 9.0],
        )
        .unwrap();
        let (x, y) = data.batch(&Cpu::default(), &[2, 0]);
        assert_eq!(x.shape().concrete(), [2, 2]);
        assert_eq!(x.as_vec(), [5.0, 6.0, 1.0, 2.0]);
        assert_eq!(y.as_vec(), [9.0, 7.0]);
    }

    #[test]
    fn one_sample_has_the_curvature_of_its_rank_one_hessian() {
        let data = Regression::new(vec![[0.5, -1.0]], vec![0.0]).unwrap();
        // 2 (x₁² + x₂² + 1) = 2 (0.25 + 1 + 1)
        assert!((data.curvature(&[0]) - 4.5).abs() < 1e-5);
    }

    #[test]
    fn batch_descent_diverges_just_above_two_over_the_curvature() {
        let data = Regression::generate(64, 0);
        let limit = 2.0 / data.curvature(&(0..64).collect::<Vec<_>>());
        let below = run(64, 0.97 * limit, 300);
        assert!(!below.diverged(), "{}", below.final_loss());
        assert!(below.final_loss() < 0.01, "{}", below.final_loss());
        let above = run(64, 1.03 * limit, 300);
        assert!(above.diverged(), "{}", above.final_loss());
    }

    #[test]
    fn bad_batch_sizes_and_data_are_errors() {
        let data = Regression::generate(4, 0);
        let how = Training {
            batch_size: 0,
            learning_rate: 0.1,
            epochs: 1,
            seed: 0,
        };
        let err = train(&Cpu::default(), &data, how).unwrap_err();
        assert_eq!(
            err,
            GradientsError::BatchSize {
                batch_size: 0,
                samples: 4
            }
        );
        let how = Training {
            batch_size: 5,
            ..how
        };
        assert!(train(&Cpu::default(), &data, how).is_err());
        assert_eq!(
            Regression::new(vec![[0.0, 0.0]], vec![]).unwrap_err(),
            GradientsError::Data {
                inputs: 1,
                targets: 0
            }
        );
    }
}
