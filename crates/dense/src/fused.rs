//! The training step of the chapter's network written out by hand on the
//! CPU: the same arithmetic as dfdx's tape, without the work nobody needs.
//!
//! Per batch of `B` images it runs two large matrix products (the first
//! layer forward, `B x 784 x 512`, and its weight gradient, `512 x B x 784`)
//! and a few small ones, with the same `gemm` kernels dfdx uses. Against
//! dfdx's tape it skips the gradient of the input images (a third of the
//! training FLOPs), adds the bias inside the first product, keeps every
//! buffer from one step to the next, and fuses the optimizer's passes into
//! one loop per parameter, spread over both cores.

use gemm::{Parallelism, gemm};

use crate::model::{CLASSES, HIDDEN, INPUTS};
use crate::rmsprop::Rmsprop;

/// A row-major matrix view for [`matmul`]: `(data, row stride, column stride)`.
type View<'a> = (&'a [f32], usize, usize);

/// `dst (m x n, row-major) = [dst +] lhs (m x k) * rhs (k x n)`, with the
/// operands given as strided views (a transpose is a swap of strides).
#[allow(clippy::too_many_arguments)]
fn matmul(
    (m, n, k): (usize, usize, usize),
    dst: &mut [f32],
    accumulate: bool,
    lhs: View<'_>,
    rhs: View<'_>,
    threads: usize,
) {
    let (l, l_rs, l_cs) = lhs;
    let (r, r_rs, r_cs) = rhs;
    assert!(m > 0 && n > 0 && k > 0);
    assert!(dst.len() >= m * n);
    assert!(l.len() > (m - 1) * l_rs + (k - 1) * l_cs);
    assert!(r.len() > (k - 1) * r_rs + (n - 1) * r_cs);
    let parallelism = if threads > 1 {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    };
    // SAFETY: the assertions above keep every index the kernel reads or
    // writes inside the three slices, and `dst` does not alias the operands
    // (it is borrowed mutably).
    unsafe {
        gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            l.as_ptr(),
            l_cs as isize,
            l_rs as isize,
            r.as_ptr(),
            r_cs as isize,
            r_rs as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// Parameters in dfdx's layout: `w1` is `(512, 784)`, `w2` is `(10, 512)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
}

impl Params {
    /// All zeros: the starting squared averages of RMSprop.
    pub fn zeros() -> Self {
        Params {
            w1: vec![0.0; HIDDEN * INPUTS],
            b1: vec![0.0; HIDDEN],
            w2: vec![0.0; CLASSES * HIDDEN],
            b2: vec![0.0; CLASSES],
        }
    }
}

/// The state of a training run: parameters, optimizer state, and the
/// buffers of one step.
pub struct FusedTrainer {
    pub params: Params,
    pub velocity: Params,
    grads: Params,
    optimizer: Rmsprop,
    threads: usize,
    /// The input batch, `B x 784`; fill it before [`FusedTrainer::step`].
    pub batch: Vec<f32>,
    hidden: Vec<f32>,
    d_hidden: Vec<f32>,
    logits: Vec<f32>,
}

/// What one step measured: the summed loss and the correct predictions.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepStats {
    pub loss_sum: f64,
    pub correct: usize,
}

impl FusedTrainer {
    pub fn new(params: Params, velocity: Params, optimizer: Rmsprop, max_batch: usize) -> Self {
        FusedTrainer {
            params,
            velocity,
            grads: Params::zeros(),
            optimizer,
            threads: rayon::current_num_threads(),
            batch: vec![0.0; max_batch * INPUTS],
            hidden: vec![0.0; max_batch * HIDDEN],
            d_hidden: vec![0.0; max_batch * HIDDEN],
            logits: vec![0.0; max_batch * CLASSES],
        }
    }

    /// One step of mini-batch training on the first `labels.len()` rows of
    /// [`FusedTrainer::batch`]: forward pass, mean sparse categorical
    /// cross-entropy, backward pass, RMSprop update.
    pub fn step(&mut self, labels: &[u8]) -> StepStats {
        let b = labels.len();
        let p = &self.params;
        let x = &self.batch[..b * INPUTS];
        let h = &mut self.hidden[..b * HIDDEN];
        let z = &mut self.logits[..b * CLASSES];

        // Forward: h = relu(x . w1^T + b1), z = h . w2^T + b2.
        for row in h.chunks_exact_mut(HIDDEN) {
            row.copy_from_slice(&p.b1);
        }
        let t = self.threads;
        matmul(
            (b, HIDDEN, INPUTS),
            h,
            true,
            (x, INPUTS, 1),
            (&p.w1, 1, INPUTS),
            t,
        );
        h.iter_mut().for_each(|v| *v = v.max(0.0));
        for row in z.chunks_exact_mut(CLASSES) {
            row.copy_from_slice(&p.b2);
        }
        matmul(
            (b, CLASSES, HIDDEN),
            z,
            true,
            (h, HIDDEN, 1),
            (&p.w2, 1, HIDDEN),
            1,
        );

        // Softmax and cross-entropy; z becomes dL/dz = (softmax - one_hot) / b.
        let mut stats = StepStats::default();
        let scale = 1.0 / b as f32;
        for (row, &label) in z.chunks_exact_mut(CLASSES).zip(labels) {
            let (argmax, max) =
                row.iter()
                    .copied()
                    .enumerate()
                    .fold(
                        (0, f32::NEG_INFINITY),
                        |a, (i, v)| if v > a.1 { (i, v) } else { a },
                    );
            let label = usize::from(label);
            let shifted = row[label] - max;
            let mut sum = 0.0;
            for v in row.iter_mut() {
                *v = (*v - max).exp();
                sum += *v;
            }
            stats.loss_sum += f64::from(sum.ln() - shifted);
            stats.correct += usize::from(argmax == label);
            for v in row.iter_mut() {
                *v *= scale / sum;
            }
            row[label] -= scale;
        }
        let dz = &*z;

        // Backward, second layer: dw2 = dz^T . h, db2 = sum of dz's rows,
        // dh = (dz . w2) where h > 0.
        let g = &mut self.grads;
        matmul(
            (CLASSES, HIDDEN, b),
            &mut g.w2,
            false,
            (dz, 1, CLASSES),
            (h, HIDDEN, 1),
            1,
        );
        column_sums(dz, CLASSES, &mut g.b2);
        let dh = &mut self.d_hidden[..b * HIDDEN];
        matmul(
            (b, HIDDEN, CLASSES),
            dh,
            false,
            (dz, CLASSES, 1),
            (&p.w2, HIDDEN, 1),
            1,
        );
        for (d, &a) in dh.iter_mut().zip(h.iter()) {
            if a <= 0.0 {
                *d = 0.0;
            }
        }
        // First layer: dw1 = dh^T . x, db1 = sum of dh's rows. No dx.
        column_sums(dh, HIDDEN, &mut g.b1);
        matmul(
            (HIDDEN, INPUTS, b),
            &mut g.w1,
            false,
            (dh, 1, HIDDEN),
            (x, INPUTS, 1),
            t,
        );

        let (o, p, v) = (&self.optimizer, &mut self.params, &mut self.velocity);
        o.update_slices(&mut p.w1, &g.w1, &mut v.w1);
        o.update_slices(&mut p.b1, &g.b1, &mut v.b1);
        o.update_slices(&mut p.w2, &g.w2, &mut v.w2);
        o.update_slices(&mut p.b2, &g.b2, &mut v.b2);
        stats
    }
}

/// `out[j] = sum over rows i of m[i][j]` for a row-major matrix with `cols`
/// columns.
fn column_sums(m: &[f32], cols: usize, out: &mut [f32]) {
    out.fill(0.0);
    for row in m.chunks_exact(cols) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matmul_with_transposed_operands() {
        // a (2x3) . b^T where b is (2x3): [[1,2,3],[4,5,6]] . [[1,0,1],[0,1,0]]^T
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
        let mut c = [10.0; 4];
        matmul((2, 2, 3), &mut c, true, (&a, 3, 1), (&b, 1, 3), 1);
        assert_eq!(c, [14.0, 12.0, 20.0, 15.0]);
        matmul((2, 2, 3), &mut c, false, (&a, 3, 1), (&b, 1, 3), 2);
        assert_eq!(c, [4.0, 2.0, 10.0, 5.0]);
    }

    #[test]
    fn column_sums_add_rows() {
        let mut out = [9.0; 3];
        column_sums(&[1.0, 2.0, 3.0, 10.0, 20.0, 30.0], 3, &mut out);
        assert_eq!(out, [11.0, 22.0, 33.0]);
    }
}
