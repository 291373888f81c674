//! A small Keras-like layer over the dfdx network: `compile`, `fit`,
//! `predict` and `evaluate`, so that each step of section 2.1 has a visible
//! Rust equivalent.

use std::any::Any;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use dfdx::prelude::*;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::error::DenseError;
use crate::fused::{FusedTrainer, Params, SparseInputs};
use crate::model::{CLASSES, INPUTS, Network};
use crate::rmsprop::Rmsprop;

/// A batch of flattened images, `(n, 784)`, as `Images::to_flat_f32` makes it.
pub type Inputs<D> = Tensor<(usize, Const<INPUTS>), f32, D>;
/// Class probabilities, `(n, 10)`: what `predict` returns.
pub type Probabilities<D> = Tensor<(usize, Const<CLASSES>), f32, D>;

/// The loss to minimize. Keras's `"sparse_categorical_crossentropy"`: the
/// targets are class numbers, and the loss of a sample is `-ln p[label]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    SparseCategoricalCrossentropy,
}

/// The metric reported besides the loss. Keras's `"accuracy"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Accuracy,
}

/// How `fit` computes a step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// The hand-fused step on the CPU ([`crate::fused`]); dfdx's tape on
    /// other devices.
    #[default]
    Auto,
    /// dfdx's tape and tensor operations, on any device.
    Tape,
}

/// The arguments of `fit`. `Fit { epochs: 5, batch_size: 128, ..Fit::default() }`
/// reads like Keras's `fit(epochs=5, batch_size=128)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fit {
    /// Passes over the whole training set.
    pub epochs: usize,
    /// Samples per gradient update; the last batch of an epoch keeps the rest.
    pub batch_size: usize,
    /// Seed of the shuffling of the samples before each epoch.
    pub seed: u64,
    /// Print a Keras-like line per epoch (and show a progress bar on a terminal).
    pub verbose: bool,
    pub engine: Engine,
}

impl Default for Fit {
    /// Keras's defaults: 1 epoch, batches of 32.
    fn default() -> Self {
        Fit {
            epochs: 1,
            batch_size: 32,
            seed: 0,
            verbose: true,
            engine: Engine::Auto,
        }
    }
}

/// What `fit` measured, epoch by epoch (Keras's `History.history`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub loss: Vec<f32>,
    pub accuracy: Vec<f32>,
    pub durations: Vec<Duration>,
    pub steps_per_epoch: usize,
}

impl History {
    /// Gradient updates made: epochs times steps per epoch.
    pub fn updates(&self) -> usize {
        self.loss.len() * self.steps_per_epoch
    }
}

/// What `evaluate` measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub loss: f32,
    pub accuracy: f32,
}

#[derive(Clone, Copy, Debug)]
struct Compiled {
    optimizer: Rmsprop,
}

/// The network with what `compile` chose and the optimizer's state, which
/// lives as long as the model (a second `fit` continues the first).
pub struct Model<D: Device<f32>> {
    pub network: Network<D>,
    compiled: Option<Compiled>,
    velocity: Option<Params>,
}

impl<D: Device<f32> + 'static> Model<D> {
    pub fn new(network: Network<D>) -> Self {
        Model {
            network,
            compiled: None,
            velocity: None,
        }
    }

    /// Chooses the optimizer, the loss and the metric (each has one choice
    /// here, the chapter's) and resets the optimizer's state.
    pub fn compile(&mut self, optimizer: Rmsprop, loss: Loss, metric: Metric) {
        let (Loss::SparseCategoricalCrossentropy, Metric::Accuracy) = (loss, metric);
        self.compiled = Some(Compiled { optimizer });
        self.velocity = None;
    }

    // ANCHOR: model_fit
    /// Trains on `inputs` (`(n, 784)` in `[0, 1]`) and their `labels`
    /// (0 to 9): `epochs` passes over the samples in a seeded random order,
    /// one RMSprop update per batch.
    pub fn fit(
        &mut self,
        inputs: &Inputs<D>,
        labels: &[u8],
        fit: Fit,
    ) -> Result<History, DenseError> {
        let compiled = self.compiled.ok_or(DenseError::NotCompiled)?;
        let n = check_data(inputs, labels)?;
        if fit.batch_size == 0 {
            return Err(DenseError::ZeroBatchSize);
        }
        let steps = n.div_ceil(fit.batch_size);
        let velocity = self.velocity.take().unwrap_or_else(Params::zeros);
        let fused = fit.engine == Engine::Auto && (inputs as &dyn Any).is::<Inputs<Cpu>>();
        let mut stepper: Box<dyn Stepper<D> + '_> = if fused {
            Box::new(FusedStepper::new(
                &self.network,
                inputs,
                velocity,
                compiled.optimizer,
                fit.batch_size,
            ))
        } else {
            Box::new(TapeStepper::new(
                inputs.device(),
                velocity,
                compiled.optimizer,
                labels,
            ))
        };

        let mut rng = StdRng::seed_from_u64(fit.seed);
        let mut order: Vec<usize> = (0..n).collect();
        let mut history = History {
            steps_per_epoch: steps,
            ..History::default()
        };
        let mut batch_labels = Vec::with_capacity(fit.batch_size);
        for epoch in 0..fit.epochs {
            if fit.verbose {
                println!("Epoch {}/{}", epoch + 1, fit.epochs);
            }
            let bar = progress_bar(fit.verbose, steps);
            let start = Instant::now();
            order.shuffle(&mut rng);
            let (mut loss_sum, mut correct) = (0.0_f64, 0_usize);
            for (step, idx) in order.chunks(fit.batch_size).enumerate() {
                batch_labels.clear();
                batch_labels.extend(idx.iter().map(|&i| labels[i]));
                let stats = stepper.step(&mut self.network, inputs, idx, &batch_labels);
                loss_sum += stats.loss_sum;
                correct += stats.correct;
                if let Some(bar) = &bar {
                    let seen = (idx.len() + step * fit.batch_size) as f64;
                    bar.set_message(format!(
                        "loss: {:.4} - accuracy: {:.4}",
                        loss_sum / seen,
                        correct as f64 / seen
                    ));
                    bar.set_position(step as u64 + 1);
                }
            }
            stepper.sync(&mut self.network);
            let took = start.elapsed();
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            let loss = (loss_sum / n as f64) as f32;
            let accuracy = correct as f32 / n as f32;
            if fit.verbose {
                println!(
                    "{steps}/{steps} - {:.1}s - {:.1}ms/step - loss: {loss:.4} - accuracy: {accuracy:.4}",
                    took.as_secs_f64(),
                    took.as_secs_f64() * 1e3 / steps as f64,
                );
            }
            history.loss.push(loss);
            history.accuracy.push(accuracy);
            history.durations.push(took);
        }
        self.velocity = Some(stepper.into_velocity());
        Ok(history)
    }
    // ANCHOR_END: model_fit

    /// The class probabilities of every input, computed by the dfdx network
    /// in chunks of 2,048 samples.
    pub fn predict(&self, inputs: &Inputs<D>) -> Probabilities<D> {
        let n = inputs.shape().0;
        let mut out = Vec::with_capacity(n * CLASSES);
        for start in (0..n).step_by(2048) {
            let end = (start + 2048).min(n);
            let chunk = inputs.clone().slice((start..end, ..));
            out.extend(self.network.forward(chunk).as_vec());
        }
        inputs.device().tensor_from_vec(out, (n, Const))
    }

    /// The mean loss and the accuracy on `inputs` and their `labels`.
    pub fn evaluate(&self, inputs: &Inputs<D>, labels: &[u8]) -> Result<Evaluation, DenseError> {
        self.compiled.ok_or(DenseError::NotCompiled)?;
        let n = check_data(inputs, labels)?;
        let probs = self.predict(inputs).as_vec();
        let (mut loss, mut correct) = (0.0_f64, 0_usize);
        for (row, &label) in probs.chunks_exact(CLASSES).zip(labels) {
            let label = usize::from(label);
            // Clipped to [1e-7, 1 - 1e-7] before the log, as Keras does with
            // probabilities (its TensorFlow backend takes a softmax's logits
            // instead when it can; the two differ only below 1e-7).
            loss -= f64::from(row[label].clamp(1e-7, 1.0 - 1e-7).ln());
            correct += usize::from(argmax(row) == label);
        }
        Ok(Evaluation {
            loss: (loss / n as f64) as f32,
            accuracy: correct as f32 / n as f32,
        })
    }
}

/// The index of the largest value (the first one on ties).
pub fn argmax(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold(
            (0, f32::NEG_INFINITY),
            |a, (i, &v)| if v > a.1 { (i, v) } else { a },
        )
        .0
}

fn check_data<D: Device<f32>>(inputs: &Inputs<D>, labels: &[u8]) -> Result<usize, DenseError> {
    let n = inputs.shape().0;
    if n != labels.len() {
        return Err(DenseError::LengthMismatch {
            inputs: n,
            labels: labels.len(),
        });
    }
    if n == 0 {
        return Err(DenseError::Empty);
    }
    if let Some((index, &label)) = labels
        .iter()
        .enumerate()
        .find(|(_, l)| usize::from(**l) >= CLASSES)
    {
        return Err(DenseError::BadLabel { index, label });
    }
    Ok(n)
}

/// A progress bar on stderr, only when stderr is a terminal: the book
/// captures stdout, and a bar in a log file is noise.
fn progress_bar(verbose: bool, steps: usize) -> Option<ProgressBar> {
    if !verbose || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(steps as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{pos:>4}/{len} [{bar:30}] {elapsed} - {msg}")
        .expect("a valid template")
        .progress_chars("=> ");
    bar.set_style(style);
    Some(bar)
}

/// One way of running a training step.
trait Stepper<D: Device<f32>> {
    fn step(
        &mut self,
        net: &mut Network<D>,
        inputs: &Inputs<D>,
        idx: &[usize],
        labels: &[u8],
    ) -> crate::fused::StepStats;
    /// Writes the trained parameters into the network.
    fn sync(&mut self, net: &mut Network<D>);
    fn into_velocity(self: Box<Self>) -> Params;
}

struct FusedStepper {
    trainer: FusedTrainer,
    sparse: Option<SparseInputs>,
}

impl FusedStepper {
    fn new<D: Device<f32>>(
        net: &Network<D>,
        inputs: &Inputs<D>,
        velocity: Params,
        opt: Rmsprop,
        batch: usize,
    ) -> Self {
        // Read the inputs once, 1,024 samples at a time, and keep their
        // non-zero values if they are sparse.
        let n = inputs.shape().0;
        let chunks = (0..n)
            .step_by(1024)
            .map(|s| inputs.clone().slice((s..(s + 1024).min(n), ..)).as_vec());
        let sparse = SparseInputs::from_chunks(chunks, INPUTS);
        let params = Params {
            w1: net.0.weight.as_vec(),
            b1: net.0.bias.as_vec(),
            w2: net.2.weight.as_vec(),
            b2: net.2.bias.as_vec(),
        };
        FusedStepper {
            trainer: FusedTrainer::new(params, velocity, opt, batch),
            sparse,
        }
    }
}

impl<D: Device<f32> + 'static> Stepper<D> for FusedStepper {
    fn step(
        &mut self,
        _net: &mut Network<D>,
        inputs: &Inputs<D>,
        idx: &[usize],
        labels: &[u8],
    ) -> crate::fused::StepStats {
        if let Some(data) = &self.sparse {
            return self.trainer.step_sparse(data, idx, labels);
        }
        let inputs = (inputs as &dyn Any)
            .downcast_ref::<Inputs<Cpu>>()
            .expect("the fused engine runs on the CPU");
        let dev = inputs.device();
        let idx = dev.tensor_from_vec(idx.to_vec(), (idx.len(),));
        let batch: Inputs<Cpu> = inputs.clone().gather(idx);
        batch.copy_into(&mut self.trainer.batch[..labels.len() * INPUTS]);
        self.trainer.step(labels)
    }

    fn sync(&mut self, net: &mut Network<D>) {
        let p = &self.trainer.params();
        net.0.weight.copy_from(&p.w1);
        net.0.bias.copy_from(&p.b1);
        net.2.weight.copy_from(&p.w2);
        net.2.bias.copy_from(&p.b2);
    }

    fn into_velocity(self: Box<Self>) -> Params {
        self.trainer.velocity()
    }
}

/// The step written with dfdx's tape, as on any device.
struct TapeStepper<D: Device<f32>> {
    one_hot: Tensor<(usize, Const<CLASSES>), f32, D>,
    opt: Rmsprop,
    v_w1: Tensor<Rank2<512, 784>, f32, D>,
    v_b1: Tensor<Rank1<512>, f32, D>,
    v_w2: Tensor<Rank2<10, 512>, f32, D>,
    v_b2: Tensor<Rank1<10>, f32, D>,
}

impl<D: Device<f32>> TapeStepper<D> {
    fn new(dev: &D, v: Params, opt: Rmsprop, labels: &[u8]) -> Self {
        let mut one_hot = vec![0.0; labels.len() * CLASSES];
        for (row, &l) in one_hot.chunks_exact_mut(CLASSES).zip(labels) {
            row[usize::from(l)] = 1.0;
        }
        TapeStepper {
            one_hot: dev.tensor_from_vec(one_hot, (labels.len(), Const)),
            opt,
            v_w1: dev.tensor_from_vec(v.w1, (Const, Const)),
            v_b1: dev.tensor_from_vec(v.b1, (Const,)),
            v_w2: dev.tensor_from_vec(v.w2, (Const, Const)),
            v_b2: dev.tensor_from_vec(v.b2, (Const,)),
        }
    }
}

impl<D: Device<f32>> Stepper<D> for TapeStepper<D> {
    fn step(
        &mut self,
        net: &mut Network<D>,
        inputs: &Inputs<D>,
        idx: &[usize],
        labels: &[u8],
    ) -> crate::fused::StepStats {
        let dev = inputs.device().clone();
        let idx = dev.tensor_from_vec(idx.to_vec(), (idx.len(),));
        let x: Inputs<D> = inputs.clone().gather(idx.clone());
        let y: Tensor<(usize, Const<CLASSES>), f32, D> = self.one_hot.clone().gather(idx);
        let grads = net.alloc_grads();
        let hidden = net.0.forward(x.traced(grads)).relu();
        let logits = net.2.forward(hidden);
        // Two copies to the host per step (logits, loss): on a GPU each one
        // waits for the step's kernels. The labels are on the host already.
        let predicted = logits.retaped::<NoneTape>().as_vec();
        let loss = cross_entropy_with_logits_loss(logits, y);
        let loss_sum = f64::from(loss.as_vec()[0]) * labels.len() as f64;
        let grads = loss.backward();
        let o = self.opt;
        let g = (
            grads.get(&net.0.weight),
            grads.get(&net.0.bias),
            grads.get(&net.2.weight),
            grads.get(&net.2.bias),
        );
        o.update_tensor(&mut net.0.weight, g.0, &mut self.v_w1);
        o.update_tensor(&mut net.0.bias, g.1, &mut self.v_b1);
        o.update_tensor(&mut net.2.weight, g.2, &mut self.v_w2);
        o.update_tensor(&mut net.2.bias, g.3, &mut self.v_b2);
        let correct = predicted
            .chunks_exact(CLASSES)
            .zip(labels)
            .filter(|&(p, &label)| argmax(p) == usize::from(label))
            .count();
        crate::fused::StepStats { loss_sum, correct }
    }

    fn sync(&mut self, _net: &mut Network<D>) {}

    fn into_velocity(self: Box<Self>) -> Params {
        Params {
            w1: self.v_w1.as_vec(),
            b1: self.v_b1.as_vec(),
            w2: self.v_w2.as_vec(),
            b2: self.v_b2.as_vec(),
        }
    }
}
