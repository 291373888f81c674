//! Shape errors of the hand-written operations and of the broadcasting rule.

use thiserror::Error;

/// Two operands whose shapes do not fit an operation: what the hand-written
/// loops of [`crate::naive`] check at run time, and what `dfdx` rejects at
/// compile time.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ShapeError {
    /// An element-wise operation needs operands of the same shape.
    #[error("{op}: shapes {left:?} and {right:?} differ")]
    Mismatch {
        op: &'static str,
        left: Vec<usize>,
        right: Vec<usize>,
    },
    /// A dot product needs the last axis of the left operand as long as the
    /// first axis of the right one.
    #[error("{op}: shapes {left:?} and {right:?} do not fit: {left_len} != {right_len}")]
    Contraction {
        op: &'static str,
        left: Vec<usize>,
        right: Vec<usize>,
        left_len: usize,
        right_len: usize,
    },
    /// Broadcasting compares axes from the last one: each pair must be equal
    /// or one of them 1.
    #[error(
        "cannot broadcast {left:?} with {right:?}: axis {axis} from the end has {left_len} and {right_len}"
    )]
    Broadcast {
        left: Vec<usize>,
        right: Vec<usize>,
        axis: usize,
        left_len: usize,
        right_len: usize,
    },
    /// A buffer that does not hold `rows * cols` values, or a reshape that
    /// changes the number of values.
    #[error("{what}: {expected} values needed, {actual} given")]
    Len {
        what: &'static str,
        expected: usize,
        actual: usize,
    },
    /// A tensor of another rank than the operation takes.
    #[error("{what}: rank {expected} needed, shape {shape:?} has rank {}", shape.len())]
    Rank {
        what: &'static str,
        expected: usize,
        shape: Vec<usize>,
    },
}
