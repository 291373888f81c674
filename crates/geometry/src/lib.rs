//! The geometry of tensor operations and of deep learning: sections 2.3.5
//! ("텐서 연산의 기하학적 해석") and 2.3.6 ("딥러닝의 기하학적 해석") of the
//! book. [`plane`] treats the rows of a `dfdx` tensor as points of the plane
//! and moves a whole shape ([`shapes`]) at once: translation is a vector
//! addition, rotation and scaling are dot products with a 2×2 matrix, an
//! affine map `W x + b` is a `Linear` layer without activation, and two
//! stacked affine maps collapse into one ([`plane::Affine::then`]), which is
//! why networks need `relu`. [`manifold`] makes the chapter's picture of two
//! crumpled sheets of paper real: red and blue sheets crumpled together in 3D,
//! a small dense network trained with `dfdx` to tell them apart, and the
//! representation after each of its layers. [`draw`] holds the plotters
//! helpers the section's figures share (axes through the origin, arrows,
//! shapes, shaded 3D sheets). Everything that touches tensors is generic
//! over the `dfdx` device: the CPU by default, CUDA with the `cuda` feature.

pub mod draw;
mod error;
pub mod manifold;
pub mod plane;
pub mod shapes;

pub use error::GeometryError;
pub use manifold::Sheets;
pub use plane::{Affine, Points};
