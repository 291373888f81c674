//! The digit pad of section 2.1: the trained network's parameters as one
//! list of numbers, in the order the page's JavaScript
//! (`theme/digit-pad.js`) reads them, and the page's forward pass in Rust.
//!
//! The chapter's snippet exports [`parameters`] at reduced precision
//! (`nnblocks_figures::Precision::F16`) and computes with [`probabilities`],
//! on exactly those rounded numbers, the reference probabilities that the
//! browser test compares with the page's own forward pass.

use dfdx::prelude::*;
use nnblocks_tensors::mnist::Image;

use crate::model::{CLASSES, HIDDEN, INPUTS, Network};

/// How many numbers [`parameters`] returns: 784 x 512 + 512 + 512 x 10 + 10.
pub const PARAMETERS: usize = INPUTS * HIDDEN + HIDDEN + HIDDEN * CLASSES + CLASSES;

/// The network's weights and biases as one list, layer by layer, each
/// weight matrix as dfdx stores it, `(outputs, inputs)` row by row:
/// the first layer's weights `[512][784]`, its biases `[512]`, the second
/// layer's weights `[10][512]`, its biases `[10]`.
pub fn parameters<D: Device<f32>>(net: &Network<D>) -> Vec<f64> {
    let mut out = Vec::with_capacity(PARAMETERS);
    for part in [
        net.0.weight.as_vec(),
        net.0.bias.as_vec(),
        net.2.weight.as_vec(),
        net.2.bias.as_vec(),
    ] {
        out.extend(part.into_iter().map(f64::from));
    }
    out
}

/// An image's 784 pixels divided by 255, row by row, as the chapter feeds
/// them to the network (`to_flat_f32`), in `f64`.
pub fn pixels(image: &Image) -> Vec<f64> {
    image
        .iter()
        .flatten()
        .map(|&p| f64::from(p) / 255.0)
        .collect()
}

/// The forward pass of the page in `f64`: relu of the first layer, then
/// the softmax of the second, on `params` in the order of [`parameters`].
/// Sums run over the inputs in order, as in the page.
///
/// # Panics
///
/// If `params` does not hold [`PARAMETERS`] numbers or `pixels` 784.
pub fn probabilities(params: &[f64], pixels: &[f64]) -> [f64; CLASSES] {
    assert_eq!(params.len(), PARAMETERS, "parameters");
    assert_eq!(pixels.len(), INPUTS, "pixels");
    let (w1, rest) = params.split_at(INPUTS * HIDDEN);
    let (b1, rest) = rest.split_at(HIDDEN);
    let (w2, b2) = rest.split_at(HIDDEN * CLASSES);
    let hidden: Vec<f64> = (0..HIDDEN)
        .map(|j| {
            let row = &w1[j * INPUTS..(j + 1) * INPUTS];
            let sum = row.iter().zip(pixels).fold(b1[j], |s, (w, x)| s + w * x);
            sum.max(0.0)
        })
        .collect();
    let mut scores = [0.0; CLASSES];
    for (k, score) in scores.iter_mut().enumerate() {
        let row = &w2[k * HIDDEN..(k + 1) * HIDDEN];
        *score = row.iter().zip(&hidden).fold(b2[k], |s, (w, h)| s + w * h);
    }
    softmax(scores)
}

/// The index of the largest probability: the predicted digit (the first
/// one on a tie, like [`crate::keras::argmax`]).
pub fn argmax(probs: &[f64]) -> usize {
    let mut best = 0;
    for (i, &p) in probs.iter().enumerate() {
        if p > probs[best] {
            best = i;
        }
    }
    best
}

/// Softmax, subtracting the largest score first so that `exp` cannot overflow.
fn softmax(scores: [f64; CLASSES]) -> [f64; CLASSES] {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps = scores.map(|z| (z - max).exp());
    let sum: f64 = exps.iter().sum();
    exps.map(|e| e / sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_a_distribution_and_keeps_order() {
        let p = softmax([2.0, 1.0, 0.1, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[9] > 0.99);
        assert!(p[0] > p[1] && p[1] > p[2] && p[2] > p[3]);
        assert_eq!(argmax(&p), 9);
        // A huge score does not overflow: its class takes all the probability.
        let q = softmax([1000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(q[0], 1.0);
        assert_eq!(argmax(&[0.5, 0.5]), 0);
    }
}
