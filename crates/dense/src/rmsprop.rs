//! RMSprop as Keras 3 runs it.
//!
//! For every parameter `w` with gradient `g`, Keras keeps a moving average
//! `v` of the squared gradient, starting at 0, and updates
//!
//! ```text
//! v <- rho * v + (1 - rho) * g^2
//! w <- w - lr * g / sqrt(v + epsilon)
//! ```
//!
//! with `lr = 1e-3`, `rho = 0.9`, `epsilon = 1e-7` (keras/src/optimizers/
//! rmsprop.py at v3.15.1, lines 55-58 and 126-154: `epsilon` is added to
//! `v` under the square root). dfdx 0.13's `RMSprop` adds `epsilon` at the
//! same place (`(s_avg_f32 + eps).sqrt()` in src/tensor_ops/rmsprop/
//! cpu_kernel.rs) but differs in three other ways: its default `lr` is
//! `1e-2`, its default `epsilon` is `1e-8`, and it starts `v` at 1
//! (`try_fill_with_ones` in src/optim/rmsprop.rs), not 0. While `0.9^k`
//! (what is left of that 1 after `k` steps) outweighs `100 g^2`, its steps
//! are smaller than Keras's despite the tenfold learning rate. (The Keras 2 `optimizer_v2` RMSprop, which the
//! original book ran, added `epsilon` outside the square root when it had
//! no momentum.) Section 2.1 of the book runs one step of each against these
//! formulas.

use dfdx::prelude::*;
use rayon::prelude::*;

/// Keras's RMSprop hyper-parameters (`keras.optimizers.RMSprop()`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rmsprop {
    /// Learning rate.
    pub learning_rate: f32,
    /// Decay of the moving average of squared gradients.
    pub rho: f32,
    /// Added to the average under the square root.
    pub epsilon: f32,
}

impl Default for Rmsprop {
    /// Keras's defaults: learning rate 1e-3, rho 0.9, epsilon 1e-7.
    fn default() -> Self {
        Rmsprop {
            learning_rate: 1e-3,
            rho: 0.9,
            epsilon: 1e-7,
        }
    }
}

/// Elements per task when the update runs on several threads.
const CHUNK: usize = 16 * 1024;

impl Rmsprop {
    /// One update of the parameters `w` with gradients `g` and squared
    /// averages `v`, all three passes fused into one, over both cores for
    /// large tensors.
    pub fn update_slices(&self, w: &mut [f32], g: &[f32], v: &mut [f32]) {
        assert!(w.len() == g.len() && g.len() == v.len());
        let Rmsprop {
            learning_rate: lr,
            rho,
            epsilon: eps,
        } = *self;
        let kernel = move |w: &mut [f32], g: &[f32], v: &mut [f32]| {
            crate::simd::rmsprop(w, g, v, lr, rho, eps)
        };
        if w.len() < 2 * CHUNK {
            kernel(w, g, v);
        } else {
            w.par_chunks_mut(CHUNK)
                .zip(g.par_chunks(CHUNK))
                .zip(v.par_chunks_mut(CHUNK))
                .for_each(|((w, g), v)| kernel(w, g, v));
        }
    }

    /// The same update with dfdx tensor operations, on any device: `w` and
    /// `v` are replaced by their new values.
    pub fn update_tensor<S: Shape, D: Device<f32>>(
        &self,
        w: &mut Tensor<S, f32, D>,
        g: Tensor<S, f32, D>,
        v: &mut Tensor<S, f32, D>,
    ) {
        let new_v = v.clone() * self.rho + g.clone().square() * (1.0 - self.rho);
        let step = g * self.learning_rate / (new_v.clone() + self.epsilon).sqrt();
        *w = w.clone() - step;
        *v = new_v;
    }
}
