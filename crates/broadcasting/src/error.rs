//! Shape errors of the hand-written operations and of the broadcasting rule.

use thiserror::Error;

/// Two operands whose shapes do not fit an operation: what the hand-written
/// loops of [`crate::naive`] check at run time, and what `dfdx` rejects at
/// compile time.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ShapeError {
    /// An element-wise operation needs operands of the same shape.
    #[error("{op}: 두 모양이 다릅니다: {left:?}, {right:?}")]
    Mismatch {
        op: &'static str,
        left: Vec<usize>,
        right: Vec<usize>,
    },
    /// A dot product needs the last axis of the left operand as long as the
    /// first axis of the right one.
    #[error(
        "{op}: 두 모양이 맞지 않습니다: {left:?}, {right:?} (왼쪽의 마지막 축 {left_len} ≠ 오른쪽의 첫 축 {right_len})"
    )]
    Contraction {
        op: &'static str,
        left: Vec<usize>,
        right: Vec<usize>,
        left_len: usize,
        right_len: usize,
    },
    /// Broadcasting compares axes from the last one: each pair must be equal
    /// or one of them 1.
    /// The message counts axes from the end starting at 1 (the reader's
    /// "last axis" is the first from the end); `axis` itself starts at 0.
    #[error(
        "브로드캐스팅할 수 없는 모양: {left:?}, {right:?} (뒤에서 {n}번째 축의 길이 {left_len} ≠ {right_len}, 어느 쪽도 1이 아님)",
        n = .axis + 1
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
    #[error("{what}: 값이 {expected}개 필요한데 {actual}개가 주어졌습니다")]
    Len {
        what: &'static str,
        expected: usize,
        actual: usize,
    },
    /// A tensor of another rank than the operation takes.
    #[error(
        "{what}: 랭크 {expected} 텐서가 필요한데 모양 {shape:?}의 랭크는 {}입니다",
        shape.len()
    )]
    Rank {
        what: &'static str,
        expected: usize,
        shape: Vec<usize>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_in_the_readers_language() {
        let mismatch = ShapeError::Mismatch {
            op: "add",
            left: vec![2, 2],
            right: vec![2, 3],
        };
        assert_eq!(
            mismatch.to_string(),
            "add: 두 모양이 다릅니다: [2, 2], [2, 3]"
        );
        let len = ShapeError::Len {
            what: "Matrix::from_vec",
            expected: 6,
            actual: 5,
        };
        assert_eq!(
            len.to_string(),
            "Matrix::from_vec: 값이 6개 필요한데 5개가 주어졌습니다"
        );
        let rank = ShapeError::Rank {
            what: "Matrix::from_tensor",
            expected: 2,
            shape: vec![2, 3, 4],
        };
        assert_eq!(
            rank.to_string(),
            "Matrix::from_tensor: 랭크 2 텐서가 필요한데 모양 [2, 3, 4]의 랭크는 3입니다"
        );
        let broadcast = ShapeError::Broadcast {
            left: vec![2, 3, 4],
            right: vec![4, 3],
            axis: 0,
            left_len: 4,
            right_len: 3,
        };
        assert_eq!(
            broadcast.to_string(),
            "브로드캐스팅할 수 없는 모양: [2, 3, 4], [4, 3] (뒤에서 1번째 축의 길이 4 ≠ 3, 어느 쪽도 1이 아님)"
        );
    }
}
