use thiserror::Error;

/// What can go wrong when training or evaluating a model of this crate.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DenseError {
    /// `fit` or `evaluate` was called before `compile`.
    #[error(
        "the model is not compiled: call `compile` with an optimizer, a loss and metrics first"
    )]
    NotCompiled,
    /// The inputs and the labels describe different numbers of samples.
    #[error("{inputs} input samples but {labels} labels")]
    LengthMismatch { inputs: usize, labels: usize },
    /// A label is not one of the classes 0 to 9.
    #[error("label {label} of sample {index} is not a class (0 to 9)")]
    BadLabel { index: usize, label: u8 },
    /// A batch size of zero.
    #[error("the batch size must be at least 1")]
    ZeroBatchSize,
    /// Nothing to train or evaluate on.
    #[error("no samples")]
    Empty,
}
