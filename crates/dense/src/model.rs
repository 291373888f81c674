//! The chapter's network in plain dfdx: two dense layers, 784 -> 512 (relu)
//! and 512 -> 10 (softmax), with Keras's initialization.

use dfdx::nn::modules;
use dfdx::prelude::*;
use rand::distributions::Uniform;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Pixels of a flattened MNIST image, the network's input size.
pub const INPUTS: usize = 784;
/// Units of the hidden layer.
pub const HIDDEN: usize = 512;
/// Classes, the output size.
pub const CLASSES: usize = 10;

/// The model of section 2.1 as a dfdx architecture, layer for layer the Keras
/// model `Sequential([Dense(512, activation="relu"), Dense(10, activation="softmax")])`.
pub type Architecture = (
    Linear<INPUTS, HIDDEN>,
    ReLU,
    Linear<HIDDEN, CLASSES>,
    Softmax,
);

/// The built network on device `D`: its layers hold the weights.
pub type Network<D> = <Architecture as BuildOnDevice<D, f32>>::Built;

/// Builds the network on `dev` and initializes it as Keras initializes a
/// `Dense` layer: Glorot-uniform weights and zero biases, drawn from a
/// generator seeded with `seed`.
pub fn build_network<D: Device<f32> + DeviceBuildExt>(dev: &D, seed: u64) -> Network<D> {
    let mut net = dev.build_module::<Architecture, f32>();
    let mut rng = StdRng::seed_from_u64(seed);
    glorot_uniform(&mut net.0, &mut rng);
    glorot_uniform(&mut net.2, &mut rng);
    net
}

/// Keras's default initialization of a dense layer: weights from
/// U(-l, l) with l = sqrt(6 / (fan_in + fan_out)) (Glorot uniform), biases 0.
pub fn glorot_uniform<const I: usize, const O: usize, D: Device<f32>>(
    layer: &mut modules::Linear<I, O, f32, D>,
    rng: &mut StdRng,
) {
    let limit = glorot_limit(I, O);
    let dist = Uniform::new_inclusive(-limit, limit);
    let weights: Vec<f32> = (0..I * O).map(|_| rng.sample(dist)).collect();
    layer.weight.copy_from(&weights);
    layer.bias.fill_with_zeros();
}

/// The bound of Glorot-uniform initialization for a layer with these sizes.
pub fn glorot_limit(fan_in: usize, fan_out: usize) -> f32 {
    (6.0 / (fan_in + fan_out) as f32).sqrt()
}

/// Number of trainable numbers of a network: 784 x 512 + 512 + 512 x 10 + 10.
pub fn parameter_count<D: Device<f32>>(net: &Network<D>) -> usize {
    net.num_trainable_params()
}
