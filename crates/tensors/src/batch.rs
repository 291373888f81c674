//! Data batches: models do not see a whole data set at once but small
//! batches of samples, cut along axis 0 (the samples axis, which in a batch
//! is called the batch axis).
//!
//! The n-th batch of size `b` holds the samples `b * n .. b * (n + 1)`; the
//! last one may be shorter (Keras keeps it: 60,000 MNIST images make 468
//! batches of 128 and one of 96).
//!
//! ```
//! use dfdx::prelude::*;
//! use nnblocks_tensors::batch::{Batches, num_batches};
//!
//! let dev = AutoDevice::default();
//! let x: Tensor<(usize, Const<2>), f32, _> = dev.zeros_like(&(10, Const));
//! assert_eq!(num_batches(10, 4), 3);
//! assert_eq!(x.batch(1, 4)?.shape().0, 4);
//! assert_eq!(x.batch(2, 4)?.shape().0, 2);
//! assert!(x.batch(3, 4).is_err());
//! # Ok::<(), nnblocks_tensors::batch::BatchError>(())
//! ```

use std::ops::{Range, RangeFull};

use dfdx::shapes::{Dim, HasShape, Unit};
use dfdx::tensor::{Cpu, Tensor};

/// Why a batch could not be cut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// A batch size of 0 cuts nothing.
    #[error("배치 크기는 1 이상이어야 합니다")]
    ZeroSize,
    /// The batch would start at or after the last sample.
    #[error(
        "{index}번 배치(크기 {size})는 샘플 {}번에서 시작해야 하지만 샘플은 {samples}개뿐입니다(배치는 {}개)",
        index * size,
        num_batches(*samples, *size)
    )]
    OutOfRange {
        /// The batch asked for, from 0.
        index: usize,
        /// The batch size.
        size: usize,
        /// The number of samples.
        samples: usize,
    },
    /// The device could not allocate the batch.
    #[error("장치가 배치를 만들지 못했습니다: {0}")]
    Device(String),
}

/// How many batches of `size` cover `samples` samples, the last one
/// possibly shorter. 0 when `size` is 0.
pub fn num_batches(samples: usize, size: usize) -> usize {
    samples
        .checked_div(size)
        .map_or(0, |full| full + usize::from(!samples.is_multiple_of(size)))
}

/// The sample indices of batch `index` of `size`:
/// `size * index .. min(size * (index + 1), samples)`.
pub fn batch_range(samples: usize, size: usize, index: usize) -> Result<Range<usize>, BatchError> {
    if size == 0 {
        return Err(BatchError::ZeroSize);
    }
    let out_of_range = BatchError::OutOfRange {
        index,
        size,
        samples,
    };
    let start = index.checked_mul(size).ok_or(out_of_range.clone())?;
    if start >= samples {
        return Err(out_of_range);
    }
    Ok(start..samples.min(start + size))
}

/// Tensors whose axis 0 is a run-time number of samples (`usize`), which
/// can be cut into batches along it. Implemented for ranks 1 to 5, on the
/// CPU for every dtype and, with the `cuda` feature, on CUDA for the dtypes
/// dfdx slices there (`u8`, `i32`, `i64`, `u32`, `f32`, `f64`). (dfdx keeps
/// its slicing kernel trait private, so the devices are named one by one.)
pub trait Batches: Sized {
    /// The number of samples: the size of axis 0.
    fn samples(&self) -> usize;

    /// Batch `index` (from 0) of `size` samples, a new tensor of the same
    /// type; the last batch may be shorter.
    fn batch(&self, index: usize, size: usize) -> Result<Self, BatchError>;
}

macro_rules! impl_batches {
    ($($dim:ident),*) => {
        impl<$($dim: Dim,)* E: Unit> Batches for Tensor<(usize, $($dim,)*), E, Cpu> {
            impl_batches!(@body $($dim),*);
        }
        #[cfg(feature = "cuda")]
        impl_batches!(@cuda [$($dim),*] u8 i32 i64 u32 f32 f64);
    };
    (@cuda $dims:tt $($elem:ty)*) => {
        $(impl_batches!(@one $dims $elem);)*
    };
    (@one [$($dim:ident),*] $elem:ty) => {
        impl<$($dim: Dim,)*> Batches for Tensor<(usize, $($dim,)*), $elem, dfdx::tensor::Cuda> {
            impl_batches!(@body $($dim),*);
        }
    };
    (@body $($dim:ident),*) => {
        fn samples(&self) -> usize {
            self.shape().0
        }

        fn batch(&self, index: usize, size: usize) -> Result<Self, BatchError> {
            let range = batch_range(self.samples(), size, index)?;
            self.clone()
                .try_slice((range, $(impl_batches!(@full $dim),)*))
                .map_err(|err| BatchError::Device(err.to_string()))
        }
    };
    (@full $dim:ident) => { RangeFull };
}

impl_batches!();
impl_batches!(A);
impl_batches!(A, B);
impl_batches!(A, B, C);
impl_batches!(A, B, C, F);

#[cfg(test)]
mod tests {
    use super::*;
    use dfdx::prelude::*;

    #[test]
    fn mnist_sized_batches() {
        assert_eq!(num_batches(60_000, 128), 469);
        assert_eq!(batch_range(60_000, 128, 0), Ok(0..128));
        assert_eq!(batch_range(60_000, 128, 3), Ok(384..512));
        assert_eq!(batch_range(60_000, 128, 468), Ok(59_904..60_000));
        assert_eq!(
            batch_range(60_000, 128, 469),
            Err(BatchError::OutOfRange {
                index: 469,
                size: 128,
                samples: 60_000
            })
        );
        assert_eq!(batch_range(10, 0, 0), Err(BatchError::ZeroSize));
        assert_eq!(num_batches(10, 0), 0);
        assert!(batch_range(10, usize::MAX, 2).is_err());
    }

    #[test]
    fn a_batch_holds_the_right_samples() {
        let dev = Cpu::default();
        let data: Vec<f32> = (0..5 * 2 * 3).map(|i| i as f32).collect();
        let x = dev.tensor_from_vec(data, (5, Const::<2>, Const::<3>));
        let b = x.batch(1, 2).unwrap();
        assert_eq!(b.samples(), 2);
        let expected: Vec<f32> = (12..24).map(|i| i as f32).collect();
        assert_eq!(b.as_vec(), expected);
        let last = x.batch(2, 2).unwrap();
        assert_eq!(
            last.as_vec(),
            (24..30).map(|i| i as f32).collect::<Vec<_>>()
        );
    }

    #[test]
    fn every_message_is_korean() {
        assert_eq!(
            BatchError::ZeroSize.to_string(),
            "배치 크기는 1 이상이어야 합니다"
        );
        assert_eq!(
            BatchError::Device("x".into()).to_string(),
            "장치가 배치를 만들지 못했습니다: x"
        );
    }

    #[test]
    fn the_error_says_how_many_batches_there_are() {
        let err = batch_range(60_000, 128, 500).unwrap_err();
        assert_eq!(
            err.to_string(),
            "500번 배치(크기 128)는 샘플 64000번에서 시작해야 하지만 샘플은 60000개뿐입니다(배치는 469개)"
        );
    }
}
