//! Tensor operations: sections 2.3.1-2.3.4 of the book ("신경망의 톱니바퀴:
//! 텐서 연산"). A `Dense` layer computes `relu(dot(input, W) + b)`: a dot
//! product, a broadcast addition and an element-wise relu. This crate writes
//! each of them twice, as the section does: by hand, with loops over a plain
//! row-major [`Matrix`] ([`naive`], which checks shapes at run time and says
//! what is wrong in a [`ShapeError`]), and with `dfdx`'s vectorized tensor
//! operations on any device ([`vectorized`], where shapes are types and a
//! mismatch does not compile). [`broadcast`] holds the broadcasting rule and
//! the section's broadcasting examples, [`peak`] this machine's theoretical
//! f32 throughput (for the matrix-product benchmark, `benches/ops.rs`), and
//! [`diagram`] the section's drawings: element grids, broadcasting grids, the
//! matrix-product box diagram and a fully connected network.

pub mod broadcast;
pub mod diagram;
mod error;
mod matrix;
pub mod naive;
pub mod peak;
pub mod vectorized;

pub use error::ShapeError;
pub use matrix::Matrix;
