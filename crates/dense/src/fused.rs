//! The training step of the chapter's network written out by hand on the
//! CPU: the same arithmetic as dfdx's tape, without the work nobody needs.
//!
//! Per batch of `B` images the first layer costs two large products, its
//! forward pass `B x 784 x 512` and its weight gradient `784 x B x 512`;
//! everything else is small. Against dfdx's tape this step
//!
//! - skips the gradient of the input images (a third of the training FLOPs);
//! - skips the zeros of the input: about 81% of MNIST's pixels are 0, so when
//!   fewer than half of a batch's values are non-zero, both products of the
//!   first layer run over the non-zero pixels only (per image, a list of
//!   `(pixel, value)`; per pixel, a list of `(image, value)`), each one adding
//!   a row of 512 weights or gradients, on both cores. Denser batches go to
//!   the same `gemm` kernels dfdx uses;
//! - adds the bias inside the forward product and keeps every buffer from
//!   one step to the next;
//! - fuses RMSprop's passes into one vectorized loop per parameter, spread
//!   over both cores; for the first layer's weights (98.7% of the
//!   parameters) that loop runs inside the sparse gradient kernel, on each
//!   gradient as soon as it is summed, so the gradient is never stored.
//!
//! Skipping a zero changes no result (`0 * w` adds nothing); summing in
//! another order changes the last bits, as any other kernel would.

use gemm::{Parallelism, gemm};

use rayon::prelude::*;

use crate::model::{CLASSES, HIDDEN, INPUTS};
use crate::rmsprop::Rmsprop;
use crate::simd::{Isa, Level, level};

/// A row-major matrix view for [`matmul`]: `(data, row stride, column stride)`.
type View<'a> = (&'a [f32], usize, usize);

/// `dst (m x n, row-major) = [dst +] lhs (m x k) * rhs (k x n)`, with the
/// operands given as strided views (a transpose is a swap of strides).
fn matmul(
    (m, n, k): (usize, usize, usize),
    dst: &mut [f32],
    accumulate: bool,
    lhs: View<'_>,
    rhs: View<'_>,
    threads: usize,
) {
    matmul_strided((m, n, k), (dst, n), accumulate, lhs, rhs, threads)
}

/// [`matmul`] into a destination with row stride `dst.1`.
fn matmul_strided(
    (m, n, k): (usize, usize, usize),
    (dst, dst_rs): (&mut [f32], usize),
    accumulate: bool,
    lhs: View<'_>,
    rhs: View<'_>,
    threads: usize,
) {
    let (l, l_rs, l_cs) = lhs;
    let (r, r_rs, r_cs) = rhs;
    assert!(m > 0 && n > 0 && k > 0);
    assert!(dst_rs >= n && dst.len() >= (m - 1) * dst_rs + n);
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
            dst_rs as isize,
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
/// buffers of one step. The first layer's weights (and their squared
/// averages) are kept transposed, `(784, 512)` as in Keras, so that a pixel's
/// weights are one contiguous row.
pub struct FusedTrainer {
    w1t: Vec<f32>,
    v_w1t: Vec<f32>,
    rest: Params,
    v_rest: Params,
    grads: Params,
    optimizer: Rmsprop,
    threads: usize,
    /// The input batch, `B x 784`; fill it before [`FusedTrainer::step`].
    pub batch: Vec<f32>,
    hidden: Vec<f32>,
    d_hidden: Vec<f32>,
    logits: Vec<f32>,
    rows: SparseRows,
    cols: SparseRows,
}

/// Non-zero values, grouped: entries `start[k]..start[k + 1]` of `index` and
/// `value` belong to group `k`.
#[derive(Default)]
struct SparseRows {
    start: Vec<usize>,
    index: Vec<u32>,
    value: Vec<f32>,
}

impl SparseRows {
    fn group(&self, k: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let range = self.start[k]..self.start[k + 1];
        self.index[range.clone()]
            .iter()
            .map(|&i| i as usize)
            .zip(self.value[range].iter().copied())
    }

    /// The non-zero values of each row of a row-major `rows x cols` matrix.
    fn fill_from_rows(&mut self, m: &[f32], cols: usize) {
        self.start.clear();
        self.index.clear();
        self.value.clear();
        self.start.push(0);
        for row in m.chunks_exact(cols) {
            for (i, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    self.index.push(i as u32);
                    self.value.push(v);
                }
            }
            self.start.push(self.index.len());
        }
    }

    /// The transpose of `rows`: per column, its `(row, value)` pairs in row order.
    fn transpose_of(&mut self, rows: &SparseRows, cols: usize) {
        let n = rows.index.len();
        self.start.clear();
        self.start.resize(cols + 1, 0);
        for &i in &rows.index {
            self.start[i as usize + 1] += 1;
        }
        for c in 0..cols {
            self.start[c + 1] += self.start[c];
        }
        self.index.resize(n, 0);
        self.value.resize(n, 0.0);
        let mut next = self.start.clone();
        for r in 0..rows.start.len() - 1 {
            for (c, v) in rows.group(r) {
                let at = next[c];
                self.index[at] = r as u32;
                self.value[at] = v;
                next[c] += 1;
            }
        }
    }
}

/// What one step measured: the summed loss and the correct predictions.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepStats {
    pub loss_sum: f64,
    pub correct: usize,
}

/// A whole data set's non-zero inputs, built once per `fit` when fewer than
/// half of the values are non-zero: per sample, its `(pixel, value)` pairs.
/// Values that are all `k / 255` for a byte `k` (images scaled as Keras
/// scales them) are kept as that byte, so that MNIST's 9.4 million non-zero
/// training pixels take 28 MB, and no batch has to be gathered from the
/// dense `f32` inputs. Stored in chunks of 1,024 samples, each allocated to
/// its exact size.
pub struct SparseInputs {
    chunks: Vec<Chunk>,
    /// The first sample of each chunk.
    firsts: Vec<usize>,
}

struct Chunk {
    start: Vec<u32>,
    index: Vec<u16>,
    values: Values,
}

enum Values {
    Bytes(Vec<u8>),
    Floats(Vec<f32>),
}

/// Samples per chunk of [`SparseInputs`].
const CHUNK_SAMPLES: usize = 1024;

impl Chunk {
    /// The non-zero values of `rows` (row-major, `cols` wide); the values as
    /// bytes when every one of them is `k / 255`.
    fn new(rows: &[f32], cols: usize) -> Self {
        let (mut start, mut index, mut floats) = (vec![0], Vec::new(), Vec::new());
        for row in rows.chunks_exact(cols) {
            for (i, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    index.push(i as u16);
                    floats.push(v);
                }
            }
            start.push(index.len() as u32);
        }
        let as_byte = |v: f32| {
            let k = (v * 255.0).round();
            ((0.0..=255.0).contains(&k) && k / 255.0 == v).then_some(k as u8)
        };
        let bytes: Option<Vec<u8>> = floats.iter().map(|&v| as_byte(v)).collect();
        let values = match bytes {
            Some(b) => Values::Bytes(b),
            None => {
                floats.shrink_to_fit();
                Values::Floats(floats)
            }
        };
        index.shrink_to_fit();
        Chunk {
            start,
            index,
            values,
        }
    }
}

impl SparseInputs {
    /// Reads the samples (rows of `cols` values) in chunks of 1,024 samples;
    /// `None` as soon as at least half of the values read are non-zero, or
    /// if a row is too long for 16-bit indices.
    pub fn from_chunks(chunks: impl Iterator<Item = Vec<f32>>, cols: usize) -> Option<Self> {
        if cols == 0 || cols > usize::from(u16::MAX) + 1 {
            return None;
        }
        let (mut out, mut firsts, mut total, mut non_zero) = (Vec::new(), Vec::new(), 0, 0);
        for rows in chunks {
            assert_eq!(rows.len() % cols, 0);
            for part in rows.chunks(CHUNK_SAMPLES * cols) {
                let chunk = Chunk::new(part, cols);
                total += part.len();
                non_zero += chunk.index.len();
                if 2 * non_zero >= total {
                    return None;
                }
                firsts.push(total / cols - part.len() / cols);
                out.push(chunk);
            }
        }
        Some(SparseInputs {
            chunks: out,
            firsts,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.start.len() - 1).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `rows` with the samples `idx`, in that order.
    fn gather(&self, idx: &[usize], rows: &mut SparseRows) {
        rows.start.clear();
        rows.index.clear();
        rows.value.clear();
        rows.start.push(0);
        for &s in idx {
            let k = self.firsts.partition_point(|&f| f <= s) - 1;
            let (chunk, local) = (&self.chunks[k], s - self.firsts[k]);
            let range = chunk.start[local] as usize..chunk.start[local + 1] as usize;
            rows.index
                .extend(chunk.index[range.clone()].iter().map(|&i| u32::from(i)));
            match &chunk.values {
                Values::Bytes(b) => rows
                    .value
                    .extend(b[range].iter().map(|&k| f32::from(k) / 255.0)),
                Values::Floats(f) => rows.value.extend_from_slice(&f[range]),
            }
            rows.start.push(rows.index.len());
        }
    }
}

/// Hidden units per tile of the sparse first-layer kernels: a tile of a
/// batch's hidden values (128 x 64 floats, 32 KiB) stays in the L1 cache.
const TILE: usize = 64;
/// Row stride of the hidden values: 512 floats and one cache line, so that
/// the rows of a tile do not all fall into the same few cache sets.
const STRIDE: usize = HIDDEN + 16;

/// The first layer's forward pass over one tile: `rows[r]` (the tile's part
/// of image `r`'s hidden values) `= relu(bias + sum over the image's non-zero
/// pixels i of x[r, i] * w1t[i, tile])`, with `pixels` giving, per image, its
/// non-zero pixels. The sum stays in registers.
#[inline(always)]
fn forward_tile<const FMA: bool>(
    rows: &mut [&mut [f32]],
    bias: &[f32],
    w1t: &[f32],
    tile: usize,
    pixels: &SparseRows,
) {
    let bias: &[f32; TILE] = bias.try_into().unwrap();
    for (r, row) in rows.iter_mut().enumerate() {
        let mut acc = *bias;
        for (i, v) in pixels.group(r) {
            let w: &[f32; TILE] = w1t[i * HIDDEN + tile * TILE..][..TILE].try_into().unwrap();
            for k in 0..TILE {
                acc[k] = if FMA {
                    w[k].mul_add(v, acc[k])
                } else {
                    acc[k] + v * w[k]
                };
            }
        }
        for (h, a) in row.iter_mut().zip(acc) {
            *h = a.max(0.0);
        }
    }
}

/// The first layer's weight gradient over one tile, `g[i] = sum over the
/// images r where pixel i is non-zero of x[r, i] * dh[r, tile]`, summed in
/// registers and applied at once by RMSprop to `w1t[i, tile]` (with its
/// squared average): the gradient is never stored, and the optimizer makes
/// no pass of its own over the first layer.
#[inline(always)]
fn gradient_tile<const FMA: bool>(
    params: &mut [(&mut [f32], &mut [f32])],
    dh: &[f32],
    tile: usize,
    cols: &SparseRows,
    opt: &Rmsprop,
) {
    let (lr, rho, eps) = (opt.learning_rate, opt.rho, opt.epsilon);
    for (i, (w, sq)) in params.iter_mut().enumerate() {
        let mut acc = [0.0_f32; TILE];
        for (r, v) in cols.group(i) {
            let d: &[f32; TILE] = dh[r * STRIDE + tile * TILE..][..TILE].try_into().unwrap();
            for k in 0..TILE {
                acc[k] = if FMA {
                    d[k].mul_add(v, acc[k])
                } else {
                    acc[k] + v * d[k]
                };
            }
        }
        let w: &mut [f32; TILE] = (&mut **w).try_into().unwrap();
        let sq: &mut [f32; TILE] = (&mut **sq).try_into().unwrap();
        for k in 0..TILE {
            let g = acc[k];
            let a = if FMA {
                (g * g).mul_add(1.0 - rho, rho * sq[k])
            } else {
                rho * sq[k] + (1.0 - rho) * (g * g)
            };
            sq[k] = a;
            w[k] -= lr * g / (a + eps).sqrt();
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Rmsprop, SparseRows, forward_tile, gradient_tile};

    #[target_feature(enable = "avx512f")]
    pub fn forward_avx512(
        rows: &mut [&mut [f32]],
        bias: &[f32],
        w1t: &[f32],
        tile: usize,
        cols: &SparseRows,
    ) {
        forward_tile::<true>(rows, bias, w1t, tile, cols)
    }
    #[target_feature(enable = "avx2,fma")]
    pub fn forward_avx2(
        rows: &mut [&mut [f32]],
        bias: &[f32],
        w1t: &[f32],
        tile: usize,
        cols: &SparseRows,
    ) {
        forward_tile::<true>(rows, bias, w1t, tile, cols)
    }
    #[target_feature(enable = "avx512f")]
    pub fn gradient_avx512(
        params: &mut [(&mut [f32], &mut [f32])],
        dh: &[f32],
        tile: usize,
        cols: &SparseRows,
        opt: &Rmsprop,
    ) {
        gradient_tile::<true>(params, dh, tile, cols, opt)
    }
    #[target_feature(enable = "avx2,fma")]
    pub fn gradient_avx2(
        params: &mut [(&mut [f32], &mut [f32])],
        dh: &[f32],
        tile: usize,
        cols: &SparseRows,
        opt: &Rmsprop,
    ) {
        gradient_tile::<true>(params, dh, tile, cols, opt)
    }
}

fn forward_tile_dispatch(
    rows: &mut [&mut [f32]],
    bias: &[f32],
    w1t: &[f32],
    tile: usize,
    cols: &SparseRows,
) {
    forward_tile_at(level(), rows, bias, w1t, tile, cols)
}

/// [`forward_tile`] on the path of `level`.
fn forward_tile_at(
    level: Level,
    rows: &mut [&mut [f32]],
    bias: &[f32],
    w1t: &[f32],
    tile: usize,
    cols: &SparseRows,
) {
    match level.isa() {
        // SAFETY: `forward_avx512` only requires AVX-512F, and a `Level` of
        // `Isa::Avx512` exists only where `is_x86_feature_detected!("avx512f")`
        // said yes (`simd::Level::new`).
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::forward_avx512(rows, bias, w1t, tile, cols) },
        // SAFETY: `forward_avx2` only requires AVX2 and FMA, and a `Level` of
        // `Isa::Avx2` exists only where `is_x86_feature_detected!` found both
        // (`simd::Level::new`).
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { x86::forward_avx2(rows, bias, w1t, tile, cols) },
        Isa::Plain => forward_tile::<false>(rows, bias, w1t, tile, cols),
    }
}

fn gradient_tile_dispatch(
    params: &mut [(&mut [f32], &mut [f32])],
    dh: &[f32],
    tile: usize,
    cols: &SparseRows,
    opt: &Rmsprop,
) {
    gradient_tile_at(level(), params, dh, tile, cols, opt)
}

/// [`gradient_tile`] on the path of `level`.
fn gradient_tile_at(
    level: Level,
    params: &mut [(&mut [f32], &mut [f32])],
    dh: &[f32],
    tile: usize,
    cols: &SparseRows,
    opt: &Rmsprop,
) {
    match level.isa() {
        // SAFETY: `gradient_avx512` only requires AVX-512F, and a `Level` of
        // `Isa::Avx512` exists only where `is_x86_feature_detected!("avx512f")`
        // said yes (`simd::Level::new`).
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::gradient_avx512(params, dh, tile, cols, opt) },
        // SAFETY: `gradient_avx2` only requires AVX2 and FMA, and a `Level`
        // of `Isa::Avx2` exists only where `is_x86_feature_detected!` found
        // both (`simd::Level::new`).
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { x86::gradient_avx2(params, dh, tile, cols, opt) },
        Isa::Plain => gradient_tile::<false>(params, dh, tile, cols, opt),
    }
}

/// Splits the rows (of length `len`, `stride` apart) of a matrix into tiles
/// of `TILE` columns: `tiles[t][r]` is row `r`'s part of tile `t`.
fn tiles(m: &mut [f32], rows: usize, stride: usize) -> Vec<Vec<&mut [f32]>> {
    let mut tiles: Vec<Vec<&mut [f32]>> = (0..HIDDEN / TILE)
        .map(|_| Vec::with_capacity(rows))
        .collect();
    for row in m.chunks_mut(stride).take(rows) {
        for (t, piece) in row[..HIDDEN].chunks_exact_mut(TILE).enumerate() {
            tiles[t].push(piece);
        }
    }
    tiles
}

fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0; m.len()];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = m[r * cols + c];
        }
    }
    t
}

impl FusedTrainer {
    pub fn new(params: Params, velocity: Params, optimizer: Rmsprop, max_batch: usize) -> Self {
        let w1t = transpose(&params.w1, HIDDEN, INPUTS);
        let v_w1t = transpose(&velocity.w1, HIDDEN, INPUTS);
        let strip = |p: Params| Params {
            w1: Vec::new(),
            ..p
        };
        FusedTrainer {
            w1t,
            v_w1t,
            rest: strip(params),
            v_rest: strip(velocity),
            grads: Params::zeros(),
            optimizer,
            threads: rayon::current_num_threads(),
            batch: vec![0.0; max_batch * INPUTS],
            hidden: vec![0.0; max_batch * STRIDE],
            d_hidden: vec![0.0; max_batch * STRIDE],
            logits: vec![0.0; max_batch * CLASSES],
            rows: SparseRows::default(),
            cols: SparseRows::default(),
        }
    }

    /// The parameters, in dfdx's layout.
    pub fn params(&self) -> Params {
        Params {
            w1: transpose(&self.w1t, INPUTS, HIDDEN),
            ..self.rest.clone()
        }
    }

    /// RMSprop's squared averages, in dfdx's layout.
    pub fn velocity(&self) -> Params {
        Params {
            w1: transpose(&self.v_w1t, INPUTS, HIDDEN),
            ..self.v_rest.clone()
        }
    }

    /// One step of mini-batch training on the first `labels.len()` rows of
    /// [`FusedTrainer::batch`]: forward pass, mean sparse categorical
    /// cross-entropy, backward pass, RMSprop update.
    pub fn step(&mut self, labels: &[u8]) -> StepStats {
        let x = &self.batch[..labels.len() * INPUTS];
        self.rows.fill_from_rows(x, INPUTS);
        let sparse = 2 * self.rows.index.len() < x.len();
        self.step_inner(labels, sparse)
    }

    /// One step on the samples `idx` of a sparse data set (no dense batch).
    pub fn step_sparse(&mut self, data: &SparseInputs, idx: &[usize], labels: &[u8]) -> StepStats {
        data.gather(idx, &mut self.rows);
        self.step_inner(labels, true)
    }

    fn step_inner(&mut self, labels: &[u8], sparse: bool) -> StepStats {
        let b = labels.len();
        let t = self.threads;
        let x = &self.batch[..b * INPUTS];
        let h = &mut self.hidden[..b * STRIDE];
        let z = &mut self.logits[..b * CLASSES];
        let (w1t, p) = (&self.w1t, &self.rest);
        if sparse {
            self.cols.transpose_of(&self.rows, INPUTS);
        }
        let cols = &self.cols;

        // Forward: h = relu(x . w1t + b1), z = h . w2^T + b2.
        if sparse {
            let pixels = &self.rows;
            tiles(h, b, STRIDE)
                .into_par_iter()
                .enumerate()
                .for_each(|(tile, mut rows)| {
                    let bias = &p.b1[tile * TILE..(tile + 1) * TILE];
                    forward_tile_dispatch(&mut rows, bias, w1t, tile, pixels);
                });
        } else {
            for row in h.chunks_mut(STRIDE) {
                row[..HIDDEN].copy_from_slice(&p.b1);
            }
            let dst = (&mut *h, STRIDE);
            matmul_strided(
                (b, HIDDEN, INPUTS),
                dst,
                true,
                (x, INPUTS, 1),
                (w1t, HIDDEN, 1),
                t,
            );
            for row in h.chunks_mut(STRIDE) {
                row[..HIDDEN].iter_mut().for_each(|a| *a = a.max(0.0));
            }
        }
        for row in z.chunks_exact_mut(CLASSES) {
            row.copy_from_slice(&p.b2);
        }
        matmul(
            (b, CLASSES, HIDDEN),
            z,
            true,
            (h, STRIDE, 1),
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
            (h, STRIDE, 1),
            1,
        );
        column_sums(dz, CLASSES, CLASSES, &mut g.b2);
        let dh = &mut self.d_hidden[..b * STRIDE];
        let dst = (&mut *dh, STRIDE);
        matmul_strided(
            (b, HIDDEN, CLASSES),
            dst,
            false,
            (dz, CLASSES, 1),
            (&p.w2, HIDDEN, 1),
            1,
        );
        for (d_row, h_row) in dh.chunks_mut(STRIDE).zip(h.chunks(STRIDE)) {
            for (d, &a) in d_row[..HIDDEN].iter_mut().zip(&h_row[..HIDDEN]) {
                if a <= 0.0 {
                    *d = 0.0;
                }
            }
        }
        // First layer: dw1t = x^T . dh, db1 = sum of dh's rows. No dx.
        column_sums(dh, HIDDEN, STRIDE, &mut g.b1);
        let dh = &*dh;
        let o = &self.optimizer;
        if sparse {
            // The gradient and the update of the first layer's weights, fused.
            let weights = tiles(&mut self.w1t, INPUTS, HIDDEN);
            let squares = tiles(&mut self.v_w1t, INPUTS, HIDDEN);
            weights
                .into_par_iter()
                .zip(squares)
                .enumerate()
                .for_each(|(tile, (w, sq))| {
                    let mut params: Vec<_> = w.into_iter().zip(sq).collect();
                    gradient_tile_dispatch(&mut params, dh, tile, cols, o);
                });
        } else {
            matmul(
                (INPUTS, HIDDEN, b),
                &mut g.w1,
                false,
                (x, 1, INPUTS),
                (dh, STRIDE, 1),
                t,
            );
            o.update_slices(&mut self.w1t, &g.w1, &mut self.v_w1t);
        }

        let (p, v) = (&mut self.rest, &mut self.v_rest);
        o.update_slices(&mut p.b1, &g.b1, &mut v.b1);
        o.update_slices(&mut p.w2, &g.w2, &mut v.w2);
        o.update_slices(&mut p.b2, &g.b2, &mut v.b2);
        stats
    }
}

/// `out[j] = sum over rows i of m[i][j]` for a row-major matrix with `cols`
/// columns and rows `stride` apart.
fn column_sums(m: &[f32], cols: usize, stride: usize, out: &mut [f32]) {
    out.fill(0.0);
    for row in m.chunks(stride) {
        for (o, &v) in out.iter_mut().zip(&row[..cols]) {
            *o += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::for_each_level;

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
    fn sparse_rows_and_their_transpose() {
        let m = [0.0, 2.0, 0.0, 3.0, 0.0, 4.0];
        let mut rows = SparseRows::default();
        rows.fill_from_rows(&m, 3);
        assert_eq!(rows.group(0).collect::<Vec<_>>(), [(1, 2.0)]);
        assert_eq!(rows.group(1).collect::<Vec<_>>(), [(0, 3.0), (2, 4.0)]);
        let mut cols = SparseRows::default();
        cols.transpose_of(&rows, 3);
        assert_eq!(cols.group(0).collect::<Vec<_>>(), [(1, 3.0)]);
        assert_eq!(cols.group(1).collect::<Vec<_>>(), [(0, 2.0)]);
        assert_eq!(cols.group(2).collect::<Vec<_>>(), [(1, 4.0)]);
    }

    #[test]
    fn sparse_inputs_keep_the_non_zero_values() {
        // Three samples of four values, in two chunks of different sizes.
        let chunks = vec![
            vec![0.0, 1.0 / 255.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            vec![1.0, 0.0, 0.0, 128.0 / 255.0],
        ];
        let data = SparseInputs::from_chunks(chunks.into_iter(), 4).unwrap();
        assert_eq!(data.len(), 3);
        assert!(matches!(data.chunks[0].values, Values::Bytes(_)));
        let mut rows = SparseRows::default();
        data.gather(&[2, 0, 1], &mut rows);
        assert_eq!(
            rows.group(0).collect::<Vec<_>>(),
            [(0, 1.0), (3, 128.0 / 255.0)]
        );
        assert_eq!(rows.group(1).collect::<Vec<_>>(), [(1, 1.0 / 255.0)]);
        assert_eq!(rows.group(2).count(), 0);
        // Values that are not bytes over 255 stay f32.
        let data = SparseInputs::from_chunks(std::iter::once(vec![0.3, 0.0, 0.0, 0.0]), 4).unwrap();
        assert!(matches!(data.chunks[0].values, Values::Floats(_)));
        data.gather(&[0], &mut rows);
        assert_eq!(rows.group(0).collect::<Vec<_>>(), [(0, 0.3)]);
        // Dense inputs are refused.
        assert!(SparseInputs::from_chunks(std::iter::once(vec![0.5, 0.5, 0.0, 0.5]), 4).is_none());
    }

    /// A small sparse problem for the tile kernels: `IMAGES` images of
    /// `PIXELS` pixels, about a third of them zero, and first-layer weights.
    const IMAGES: usize = 7;
    const PIXELS: usize = 20;

    fn sparse_problem() -> (SparseRows, SparseRows, Vec<f32>) {
        let wave = |i: usize, f: f32| (i as f32 * f).sin();
        let x: Vec<f32> = (0..IMAGES * PIXELS)
            .map(|i| if i % 3 == 1 { 0.0 } else { wave(i, 0.71) })
            .collect();
        let mut rows = SparseRows::default();
        rows.fill_from_rows(&x, PIXELS);
        let mut cols = SparseRows::default();
        cols.transpose_of(&rows, PIXELS);
        let w1t = (0..PIXELS * HIDDEN).map(|i| wave(i, 0.37) * 0.5).collect();
        (rows, cols, w1t)
    }

    fn assert_close(what: &str, level: Level, got: &[f32], want: &[f32]) {
        assert_eq!(got.len(), want.len());
        for (k, (a, b)) in got.iter().zip(want).enumerate() {
            assert!(
                (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                "{what} at {level:?}, value {k}: {a} vs {b}"
            );
        }
    }

    #[test]
    fn every_supported_level_computes_the_same_forward_tile() {
        let (pixels, _, w1t) = sparse_problem();
        let bias: Vec<f32> = (0..HIDDEN).map(|j| (j as f32 * 0.13).cos() * 0.1).collect();
        let run = |level: Level, tile: usize| {
            let mut out = vec![vec![f32::NAN; TILE]; IMAGES];
            let mut rows: Vec<&mut [f32]> = out.iter_mut().map(|r| &mut r[..]).collect();
            let b = &bias[tile * TILE..][..TILE];
            forward_tile_at(level, &mut rows, b, &w1t, tile, &pixels);
            out.concat()
        };
        let tiles = [0, 1, HIDDEN / TILE - 1];
        let wants = tiles.map(|tile| run(Level::PLAIN, tile));
        for want in &wants {
            // The ReLU clips some values and keeps others.
            assert!(want.contains(&0.0) && want.iter().any(|&h| h > 0.0));
        }
        for_each_level("forward_tile", |level| {
            for (tile, want) in tiles.iter().zip(&wants) {
                let what = format!("forward_tile, tile {tile}");
                assert_close(&what, level, &run(level, *tile), want)
            }
        });
    }

    #[test]
    fn every_supported_level_computes_the_same_gradient_update() {
        let (_, cols, w1t) = sparse_problem();
        let dh: Vec<f32> = (0..IMAGES * STRIDE)
            .map(|i| (i as f32 * 0.53).sin() * 0.2)
            .collect();
        let opt = Rmsprop::default();
        let run = |level: Level, tile: usize| {
            let mut w: Vec<Vec<f32>> = (0..PIXELS)
                .map(|i| w1t[i * HIDDEN + tile * TILE..][..TILE].to_vec())
                .collect();
            let mut sq: Vec<Vec<f32>> = (0..PIXELS)
                .map(|i| (0..TILE).map(|k| ((i + k) % 5) as f32 * 1e-3).collect())
                .collect();
            let mut params: Vec<(&mut [f32], &mut [f32])> = w
                .iter_mut()
                .zip(sq.iter_mut())
                .map(|(w, sq)| (&mut w[..], &mut sq[..]))
                .collect();
            gradient_tile_at(level, &mut params, &dh, tile, &cols, &opt);
            (w.concat(), sq.concat())
        };
        let tiles = [0, 1, HIDDEN / TILE - 1];
        let wants = tiles.map(|tile| run(Level::PLAIN, tile));
        for_each_level("gradient_tile", |level| {
            for (tile, (want_w, want_sq)) in tiles.iter().zip(&wants) {
                let (w, sq) = run(level, *tile);
                let what = format!("gradient_tile, tile {tile}");
                assert_close(&format!("{what}, weights"), level, &w, want_w);
                assert_close(&format!("{what}, squares"), level, &sq, want_sq);
            }
        });
    }

    #[test]
    fn transpose_swaps_axes() {
        assert_eq!(
            transpose(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3),
            [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
    }

    #[test]
    fn column_sums_add_rows() {
        let mut out = [9.0; 3];
        column_sums(&[1.0, 2.0, 3.0, 0.0, 10.0, 20.0, 30.0], 3, 4, &mut out);
        assert_eq!(out, [11.0, 22.0, 33.0]);
    }
}
