//! The engine of neural networks: section 2.4 of the book ("신경망의 엔진:
//! 그레이디언트 기반 최적화"). Everything here runs on dfdx's automatic
//! differentiation (its tapes), generic over the device (the CPU, or CUDA with
//! the `cuda` feature): [`derivative`] puts finite differences next to the
//! tape's derivative and draws tangents; [`gradient`] takes the gradient of a
//! loss with respect to a weight matrix and checks it coefficient by
//! coefficient, the slow way; [`sgd`] trains a small regression with batch,
//! mini-batch and true stochastic gradient descent at several learning rates;
//! [`descent`] rolls a ball down 1D and 2D losses, with and without momentum,
//! and [`plot`] draws its steps as arrows and a 2D loss as level curves;
//! [`backprop`] builds the chapter's scalar computation graph and
//! back-propagates through it by hand; and [`diagram`] draws computation
//! graphs as node-link figures, including the two-layer model's
//! ([`diagram::two_layer_model`]).

pub mod backprop;
pub mod derivative;
pub mod descent;
pub mod diagram;
pub mod gradient;
pub mod plot;
pub mod sgd;

/// A rank-1 `f64` tensor of run-time length on a tape: the argument of the
/// scalar functions this crate differentiates at many points at once.
pub type Traced<D> = dfdx::tensor::Tensor<(usize,), f64, D, dfdx::tensor::OwnedTape<f64, D>>;

/// What can go wrong in this crate.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GradientsError {
    /// A batch size of zero, or larger than the data set.
    #[error("batch size {batch_size} is not in 1..={samples} (the number of samples)")]
    BatchSize { batch_size: usize, samples: usize },
    /// A problem with no samples, or inputs and targets of different lengths.
    #[error("{inputs} inputs but {targets} targets; need the same number, at least one")]
    Data { inputs: usize, targets: usize },
    /// A node of a computation graph used before it was defined.
    #[error("node {node} refers to node {input}, which does not come before it")]
    Graph { node: usize, input: usize },
}
