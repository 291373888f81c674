//! Section 2.5: the same network from scratch, as the book rebuilds it in
//! TensorFlow: a naive dense layer, a naive sequential model, a batch
//! generator, one training step with dfdx's tape in the role of
//! `tf.GradientTape`, the plain update `w -= learning_rate * gradient`, and a
//! training loop.

use dfdx::prelude::*;
use rand::distributions::Uniform;

use crate::keras::argmax;
use crate::model::CLASSES;

/// A matrix whose shape is known at run time, like a NumPy array.
pub type Matrix<D> = Tensor<(usize, usize), f32, D>;
/// A vector whose length is known at run time.
pub type Vector<D> = Tensor<(usize,), f32, D>;

/// The activation of a [`NaiveDense`] layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Softmax,
}

impl Activation {
    pub fn apply<D: Device<f32>, T: Tape<f32, D>>(
        self,
        x: Tensor<(usize, usize), f32, D, T>,
    ) -> Tensor<(usize, usize), f32, D, T> {
        match self {
            Activation::Relu => x.relu(),
            Activation::Softmax => x.softmax::<Axis<1>>(),
        }
    }
}

/// A dense layer: `activation(inputs . w + b)`, with `w` of shape
/// `(input_size, output_size)` drawn from U(0, 0.1) and `b` zeros.
pub struct NaiveDense<D: Device<f32>> {
    pub activation: Activation,
    pub w: Matrix<D>,
    pub b: Vector<D>,
}

impl<D: Device<f32>> NaiveDense<D> {
    pub fn new(dev: &D, input_size: usize, output_size: usize, activation: Activation) -> Self {
        NaiveDense {
            activation,
            w: dev.sample_like(&(input_size, output_size), Uniform::new(0.0, 0.1)),
            b: dev.zeros_like(&(output_size,)),
        }
    }

    /// Runs the layer. The weights join the tape that `inputs` carries, so
    /// that a backward pass reaches them.
    pub fn call<T: Tape<f32, D> + Merge<T>>(
        &self,
        inputs: Tensor<(usize, usize), f32, D, T>,
    ) -> Tensor<(usize, usize), f32, D, T> {
        let x = inputs.matmul(self.w.retaped::<T>());
        let shape = *x.shape();
        let x = x + self.b.retaped::<T>().broadcast_like::<_, Axis<0>>(&shape);
        self.activation.apply(x)
    }

    /// The layer's weights, `[w, b]` in the Python version.
    pub fn weights(&self) -> (&Matrix<D>, &Vector<D>) {
        (&self.w, &self.b)
    }
}

/// Layers applied one after the other.
pub struct NaiveSequential<D: Device<f32>> {
    pub layers: Vec<NaiveDense<D>>,
}

impl<D: Device<f32>> NaiveSequential<D> {
    pub fn new(layers: Vec<NaiveDense<D>>) -> Self {
        NaiveSequential { layers }
    }

    pub fn call<T: Tape<f32, D> + Merge<T>>(
        &self,
        inputs: Tensor<(usize, usize), f32, D, T>,
    ) -> Tensor<(usize, usize), f32, D, T> {
        self.layers.iter().fold(inputs, |x, layer| layer.call(x))
    }

    /// Every layer's weights, in order.
    pub fn weights(&self) -> Vec<(&Matrix<D>, &Vector<D>)> {
        self.layers.iter().map(NaiveDense::weights).collect()
    }
}

/// Consecutive batches of `batch_size` samples (the last one may be
/// smaller), in the order of the data: no shuffling.
pub struct BatchGenerator<'a, D: Device<f32>> {
    index: usize,
    images: &'a Matrix<D>,
    labels: &'a [u8],
    pub batch_size: usize,
    pub num_batches: usize,
}

impl<'a, D: Device<f32>> BatchGenerator<'a, D> {
    pub fn new(images: &'a Matrix<D>, labels: &'a [u8], batch_size: usize) -> Self {
        assert_eq!(images.shape().0, labels.len(), "one label per image");
        assert!(batch_size > 0, "batches need at least one sample");
        BatchGenerator {
            index: 0,
            images,
            labels,
            batch_size,
            num_batches: labels.len().div_ceil(batch_size),
        }
    }
}

impl<'a, D: Device<f32>> Iterator for BatchGenerator<'a, D> {
    type Item = (Matrix<D>, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.index;
        if start >= self.labels.len() {
            return None;
        }
        let end = (start + self.batch_size).min(self.labels.len());
        self.index = end;
        let images = self.images.clone().slice((start..end, ..));
        Some((images, &self.labels[start..end]))
    }
}

/// The mean over the batch of `-ln p[label]`, with `p` clipped to
/// `[1e-7, 1 - 1e-7]`, as Keras's crossentropy does when it is given
/// probabilities it cannot trace back to logits (its TensorFlow backend
/// uses the softmax's logits instead when it can; section 2.5 links both).
pub fn sparse_categorical_crossentropy<D: Device<f32>, T: Tape<f32, D> + Merge<NoneTape>>(
    labels: &[u8],
    predictions: Tensor<(usize, usize), f32, D, T>,
) -> Tensor<Rank0, f32, D, T> {
    let (n, classes) = *predictions.shape();
    let mut one_hot = vec![0.0; n * classes];
    for (row, &label) in one_hot.chunks_exact_mut(classes).zip(labels) {
        row[usize::from(label)] = 1.0;
    }
    let one_hot = predictions.device().tensor_from_vec(one_hot, (n, classes));
    let log_p = predictions.clamp(1e-7, 1.0 - 1e-7).ln();
    (log_p * one_hot).sum::<Rank0, _>() * (-1.0 / n as f32)
}

/// The plain update rule: `w -= learning_rate * gradient` for every weight.
pub fn update_weights<D: Device<f32>>(
    gradients: &Gradients<f32, D>,
    model: &mut NaiveSequential<D>,
    learning_rate: f32,
) {
    for layer in &mut model.layers {
        layer.w = layer.w.clone() - gradients.get(&layer.w) * learning_rate;
        layer.b = layer.b.clone() - gradients.get(&layer.b) * learning_rate;
    }
}

/// One training step: the forward pass recorded on a tape, the loss, its
/// gradients with respect to every weight, and the update. Returns the
/// batch's mean loss.
pub fn one_training_step<D: Device<f32>>(
    model: &mut NaiveSequential<D>,
    images_batch: Matrix<D>,
    labels_batch: &[u8],
    learning_rate: f32,
) -> f32 {
    let predictions = model.call(images_batch.leaky_traced());
    let average_loss = sparse_categorical_crossentropy(labels_batch, predictions);
    let loss = average_loss.as_vec()[0];
    let gradients = average_loss.backward();
    update_weights(&gradients, model, learning_rate);
    loss
}

// ANCHOR: scratch_fit
/// Trains for `epochs` passes over the data, printing the loss every 100
/// batches. Returns every batch's loss.
pub fn fit<D: Device<f32>>(
    model: &mut NaiveSequential<D>,
    images: &Matrix<D>,
    labels: &[u8],
    epochs: usize,
    batch_size: usize,
    learning_rate: f32,
) -> Vec<f32> {
    let mut losses = Vec::new();
    for epoch_counter in 0..epochs {
        println!("Epoch {epoch_counter}");
        let batches = BatchGenerator::new(images, labels, batch_size);
        for (batch_counter, (images_batch, labels_batch)) in batches.enumerate() {
            let loss = one_training_step(model, images_batch, labels_batch, learning_rate);
            if batch_counter % 100 == 0 {
                println!("loss at batch {batch_counter}: {loss:.2}");
            }
            losses.push(loss);
        }
    }
    losses
}
// ANCHOR_END: scratch_fit

/// The fraction of `images` whose most probable class is their label.
pub fn evaluate<D: Device<f32>>(
    model: &NaiveSequential<D>,
    images: &Matrix<D>,
    labels: &[u8],
) -> f32 {
    let predictions = model.call(images.clone()).as_vec();
    let classes = predictions.len() / labels.len().max(1);
    debug_assert_eq!(classes, CLASSES);
    let correct = predictions
        .chunks_exact(classes)
        .zip(labels)
        .filter(|(row, label)| argmax(row) == usize::from(**label))
        .count();
    correct as f32 / labels.len() as f32
}
