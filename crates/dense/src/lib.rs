//! The MNIST network of sections 2.1 ("신경망과의 첫 만남") and 2.5 ("첫 번째
//! 예제 다시 살펴보기") of the book. [`model`] is the chapter's two-layer
//! dense network in plain dfdx, initialized as Keras initializes it;
//! [`keras`] puts a small Keras-like layer on top (`compile`, `fit`,
//! `predict`, `evaluate`) whose `fit` runs a hand-fused training step on the
//! CPU ([`fused`]) with a Keras-exact [`rmsprop`], and dfdx's tape on other
//! devices; [`scratch`] rebuilds the same model from scratch for section 2.5
//! (`NaiveDense`, `NaiveSequential`, `BatchGenerator`, a training step with
//! dfdx's tape in the role of TensorFlow's `GradientTape`); [`plots`] draws
//! the sections' figures; [`pad`] exports the trained network for the digit
//! pad of section 2.1 and computes, in Rust, what the page computes.
//!
//! The hand-written kernels of the fused step pick AVX-512, AVX2 with FMA or
//! plain code from the CPU at run time; setting [`PORTABLE_KERNELS_VAR`]
//! (`NNBLOCKS_PORTABLE_KERNELS=1`) forces the plain code everywhere, so that
//! CI can check the book's stored outputs against the path an ARM or Apple
//! machine takes.

pub mod error;
pub mod fused;
pub mod keras;
pub mod model;
pub mod pad;
pub mod plots;
pub mod rmsprop;
pub mod scratch;
mod simd;

pub use error::DenseError;
pub use keras::{Engine, Evaluation, Fit, History, Loss, Metric, Model};
pub use model::{Architecture, Network, build_network};
pub use rmsprop::Rmsprop;
pub use simd::PORTABLE_KERNELS_VAR;
