//! The three key attributes of a tensor, as NumPy names them: its rank
//! (`ndim`), its shape and its dtype.
//!
//! A `dfdx` tensor `Tensor<S, E, D>` carries its shape `S` and its element
//! type (dtype) `E` in its type. [`TensorAttrs`] reads them back as values
//! a reader can print:
//!
//! ```
//! use dfdx::prelude::*;
//! use nnblocks_tensors::info::TensorAttrs;
//!
//! let dev = AutoDevice::default();
//! let x: Tensor<Rank2<3, 5>, i32, _> = dev.zeros();
//! assert_eq!(x.ndim(), 2);
//! assert_eq!(x.dims().to_string(), "(3, 5)");
//! assert_eq!(x.dtype(), "i32");
//! assert_eq!(x.nbytes(), 3 * 5 * 4);
//! ```

use std::fmt;
use std::ops::Deref;

use dfdx::shapes::{HasShape, Shape, Unit};
use dfdx::tensor::{Storage, Tensor};

/// The sizes of a shape's axes, printed like a Python tuple: `()`, `(5,)`,
/// `(3, 5)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dims(pub Vec<usize>);

impl Dims {
    /// The dims of any `dfdx` shape, compile-time (`Const<N>`) or run-time
    /// (`usize`) axes alike.
    pub fn of<S: Shape>(shape: &S) -> Self {
        Dims(shape.concrete().into())
    }

    /// The number of axes (the rank).
    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// The number of elements: the product of the axis sizes (1 for rank 0).
    pub fn numel(&self) -> usize {
        self.0.iter().product()
    }
}

impl Deref for Dims {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        &self.0
    }
}

impl<const N: usize> From<[usize; N]> for Dims {
    fn from(dims: [usize; N]) -> Self {
        Dims(dims.to_vec())
    }
}

impl fmt::Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => write!(f, "()"),
            [only] => write!(f, "({only},)"),
            [first, rest @ ..] => {
                write!(f, "({first}")?;
                for dim in rest {
                    write!(f, ", {dim}")?;
                }
                write!(f, ")")
            }
        }
    }
}

/// The name of a dtype as Rust spells it: `"u8"`, `"f32"`, `"bool"`.
pub fn dtype_name<E: Unit>() -> &'static str {
    let name = std::any::type_name::<E>();
    // Primitive types have no path; keep only the last segment of others.
    name.rsplit("::").next().unwrap_or(name)
}

/// Rank, shape and dtype of a `dfdx` tensor on any device, as values.
pub trait TensorAttrs {
    /// The number of axes (NumPy's `ndim`): 0 for a scalar, 1 for a vector,
    /// 2 for a matrix.
    fn ndim(&self) -> usize;
    /// The size of each axis (NumPy's `shape`).
    fn dims(&self) -> Dims;
    /// The element type (NumPy's `dtype`), e.g. `"u8"` or `"f32"`.
    fn dtype(&self) -> &'static str;
    /// The number of elements.
    fn numel(&self) -> usize {
        self.dims().numel()
    }
    /// Bits per element: 8 for `u8`, 32 for `f32`.
    fn bits(&self) -> usize;
    /// Bytes the elements take: `numel() * bits() / 8`.
    fn nbytes(&self) -> usize {
        self.numel() * self.bits() / 8
    }
}

impl<S: Shape, E: Unit, D: Storage<E>, T> TensorAttrs for Tensor<S, E, D, T> {
    fn ndim(&self) -> usize {
        S::NUM_DIMS
    }

    fn dims(&self) -> Dims {
        Dims::of(self.shape())
    }

    fn dtype(&self) -> &'static str {
        dtype_name::<E>()
    }

    fn bits(&self) -> usize {
        8 * std::mem::size_of::<E>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dfdx::prelude::*;

    #[test]
    fn dims_print_like_python_tuples() {
        assert_eq!(Dims(vec![]).to_string(), "()");
        assert_eq!(Dims::from([5]).to_string(), "(5,)");
        assert_eq!(Dims::from([60000, 28, 28]).to_string(), "(60000, 28, 28)");
    }

    #[test]
    fn attributes_of_const_and_runtime_shapes() {
        let dev = Cpu::default();
        let scalar: Tensor<Rank0, f64, _> = dev.tensor(12.0);
        assert_eq!((scalar.ndim(), scalar.numel()), (0, 1));
        assert_eq!(scalar.dtype(), "f64");
        assert_eq!(scalar.nbytes(), 8);

        let images: Tensor<(usize, Const<28>, Const<28>), u8, _> =
            dev.zeros_like(&(7, Const, Const));
        assert_eq!(images.ndim(), 3);
        assert_eq!(images.dims(), Dims::from([7, 28, 28]));
        assert_eq!((images.dtype(), images.bits()), ("u8", 8));
        assert_eq!(images.nbytes(), 7 * 784);

        let flags: Tensor<Rank1<4>, bool, _> = dev.zeros();
        assert_eq!(flags.dtype(), "bool");
        assert_eq!(flags.dims().rank(), 1);
    }
}
