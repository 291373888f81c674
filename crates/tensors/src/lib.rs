//! Data representations for neural networks: section 2.2 of the book
//! ("신경망을 위한 데이터 표현"). A tensor is a container of numbers with a
//! rank (its number of axes), a shape and a dtype; this crate holds what the
//! section's snippets build on: [`mnist`], the loader of the MNIST
//! handwritten digits (the rank-3 `u8` tensor `(60000, 28, 28)` whose
//! slices and batches the section studies, read from the original IDX
//! files, verified, and converted into `dfdx` tensors on any device: the
//! CPU, or CUDA with the `cuda` feature); [`info`], a tensor's rank, shape
//! and dtype as printable values; [`batch`], batches cut along the samples
//! axis; [`data`], the shapes of real-world data tensors and the memory
//! they take; and [`diagram`], the boxes of the section's tensor figures.

pub mod batch;
pub mod data;
pub mod diagram;
pub mod info;
pub mod mnist;

pub use mnist::Mnist;
