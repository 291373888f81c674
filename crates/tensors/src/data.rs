//! The shapes of real-world data tensors, and the memory they take.
//!
//! Vector data is `(samples, features)`, time series `(samples, timesteps,
//! features)`, images `(samples, height, width, channels)` and video
//! `(samples, frames, height, width, channels)`. A [`DataShape`] names the
//! axes of such a shape and computes, without allocating anything, how many
//! numbers it holds and how many bytes they take in a given dtype:
//!
//! ```
//! use nnblocks_tensors::data::DataShape;
//!
//! let video = DataShape::new([("샘플", 4), ("프레임", 240), ("높이", 144), ("너비", 256), ("채널", 3)]);
//! assert_eq!(video.numel(), 106_168_320);
//! assert_eq!(video.bytes::<f32>().to_string(), "405.0 MiB");
//! ```

use std::fmt;

use crate::info::Dims;

/// A number of bytes, printed in the largest binary unit (KiB = 1024 B,
/// MiB, GiB, TiB) that keeps the value at least 1, with one decimal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub u64);

impl Bytes {
    /// The bytes of `numel` elements of type `E`.
    pub fn of<E>(numel: usize) -> Self {
        let numel = u64::try_from(numel).expect("usize fits in u64");
        let size = u64::try_from(std::mem::size_of::<E>()).expect("usize fits in u64");
        Bytes(numel * size)
    }

    /// The same amount in decimal megabytes (10^6 bytes), the unit disk
    /// makers and some books use.
    pub fn megabytes(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// The same amount in mebibytes (2^20 bytes).
    pub fn mebibytes(self) -> f64 {
        self.0 as f64 / f64::from(1u32 << 20)
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
        if self.0 < 1024 {
            return write!(f, "{} B", self.0);
        }
        let mut value = self.0 as f64;
        let mut unit = "B";
        for next in UNITS {
            if value < 1024.0 {
                break;
            }
            value /= 1024.0;
            unit = next;
        }
        write!(f, "{value:.1} {unit}")
    }
}

/// A count printed with a comma every three digits: `106,168,320`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Thousands(pub usize);

impl fmt::Display for Thousands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                write!(f, ",")?;
            }
            write!(f, "{digit}")?;
        }
        Ok(())
    }
}

/// A shape whose axes have names: `(samples 128, height 256, width 256,
/// channels 3)`. Only the sizes are stored, never the data.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DataShape {
    axes: Vec<(&'static str, usize)>,
}

impl DataShape {
    /// A shape from its axes, outermost (axis 0) first.
    pub fn new(axes: impl IntoIterator<Item = (&'static str, usize)>) -> Self {
        Self {
            axes: axes.into_iter().collect(),
        }
    }

    /// The number of axes.
    pub fn rank(&self) -> usize {
        self.axes.len()
    }

    /// The axis sizes, printed as a tuple: `(128, 256, 256, 3)`.
    pub fn dims(&self) -> Dims {
        Dims(self.axes.iter().map(|&(_, size)| size).collect())
    }

    /// The axis names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.axes.iter().map(|&(name, _)| name).collect()
    }

    /// How many numbers a tensor of this shape holds.
    pub fn numel(&self) -> usize {
        self.axes.iter().map(|&(_, size)| size).product()
    }

    /// The bytes a tensor of this shape takes with elements of type `E`.
    pub fn bytes<E>(&self) -> Bytes {
        Bytes::of::<E>(self.numel())
    }

    /// The shape of one sample: axis 0 removed.
    pub fn sample(&self) -> DataShape {
        DataShape {
            axes: self.axes.iter().skip(1).copied().collect(),
        }
    }

    /// The axes in a new order: `order[i]` is the old axis that becomes axis
    /// `i`, as in NumPy's `transpose` and dfdx's `permute`. Channels-last
    /// `(n, h, w, c)` becomes channels-first with `[0, 3, 1, 2]`.
    ///
    /// # Panics
    /// If `order` is not a permutation of `0..rank()`.
    pub fn permuted(&self, order: &[usize]) -> DataShape {
        let mut seen = vec![false; self.rank()];
        for &axis in order {
            assert!(
                axis < self.rank() && !std::mem::replace(&mut seen[axis], true),
                "{order:?} is not a permutation of the {} axes",
                self.rank()
            );
        }
        assert_eq!(order.len(), self.rank(), "{order:?} misses axes");
        DataShape {
            axes: order.iter().map(|&axis| self.axes[axis]).collect(),
        }
    }
}

impl fmt::Display for DataShape {
    /// `(샘플 4, 프레임 240, ...)`: every axis with its name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(")?;
        for (i, (name, size)) in self.axes.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{name} {size}")?;
        }
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_pick_the_largest_binary_unit() {
        assert_eq!(Bytes(0).to_string(), "0 B");
        assert_eq!(Bytes(1023).to_string(), "1023 B");
        assert_eq!(Bytes(1024).to_string(), "1.0 KiB");
        assert_eq!(Bytes(47_040_000).to_string(), "44.9 MiB");
        assert_eq!(Bytes(3 << 30).to_string(), "3.0 GiB");
        assert_eq!(Bytes::of::<f64>(10), Bytes(80));
    }

    #[test]
    fn thousands_are_grouped_by_three() {
        assert_eq!(Thousands(0).to_string(), "0");
        assert_eq!(Thousands(999).to_string(), "999");
        assert_eq!(Thousands(1000).to_string(), "1,000");
        assert_eq!(Thousands(106_168_320).to_string(), "106,168,320");
        assert_eq!(Thousands(35_840_000_000).to_string(), "35,840,000,000");
    }

    #[test]
    fn the_books_video_batch_is_405_mib_or_425_mb() {
        let video = DataShape::new([
            ("samples", 4),
            ("frames", 240),
            ("height", 144),
            ("width", 256),
            ("channels", 3),
        ]);
        assert_eq!(video.rank(), 5);
        assert_eq!(video.numel(), 106_168_320);
        let bytes = video.bytes::<f32>();
        assert_eq!(bytes, Bytes(424_673_280));
        assert_eq!(bytes.to_string(), "405.0 MiB");
        assert_eq!(format!("{:.1}", bytes.megabytes()), "424.7");
        assert_eq!(video.sample().dims(), Dims::from([240, 144, 256, 3]));
        assert_eq!(video.bytes::<u8>().to_string(), "101.2 MiB");
    }

    #[test]
    fn channels_last_to_channels_first() {
        let images = DataShape::new([("n", 128), ("h", 256), ("w", 256), ("c", 3)]);
        let first = images.permuted(&[0, 3, 1, 2]);
        assert_eq!(first.dims(), Dims::from([128, 3, 256, 256]));
        assert_eq!(first.names(), ["n", "c", "h", "w"]);
        assert_eq!(first.numel(), images.numel());
        assert_eq!(first.to_string(), "(n 128, c 3, h 256, w 256)");
    }

    #[test]
    #[should_panic(expected = "not a permutation")]
    fn a_repeated_axis_is_not_a_permutation() {
        DataShape::new([("a", 1), ("b", 2)]).permuted(&[0, 0]);
    }
}
