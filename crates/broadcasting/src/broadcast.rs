//! Broadcasting: how an element-wise operation pairs a smaller tensor with a
//! larger one.
//!
//! The section's rule: a tensor of shape `(n, ..., m)` meets one of shape
//! `(a, ..., n, ..., m)` by gaining the leading axes `a ... n-1` and being
//! repeated along them, without copying memory. NumPy also stretches axes
//! of length 1 ([`broadcast_shape`]). `dfdx` has the first rule only and
//! asks for the new axes in the type: `y.broadcast::<Rank2<32, 10>, Axis<0>>()`
//! (the axes are inferred when the shapes leave one choice); an axis of
//! length 1 is reshaped away first. The three functions below compute the
//! section's three pictured examples that way, on any device.

use dfdx::prelude::*;

use crate::ShapeError;

/// The axes the section's rule adds to `small` to meet `big`: `0..k` where
/// `k = big.len() - small.len()`, provided `small` is the tail of `big`.
pub fn added_axes(big: &[usize], small: &[usize]) -> Result<Vec<usize>, ShapeError> {
    let k = big.len().checked_sub(small.len()).ok_or(ShapeError::Rank {
        what: "added_axes: 작은 텐서의 축이 더 많습니다",
        expected: big.len(),
        shape: small.to_vec(),
    })?;
    for (axis, (&b, &s)) in big.iter().rev().zip(small.iter().rev()).enumerate() {
        if b != s {
            return Err(ShapeError::Broadcast {
                left: big.to_vec(),
                right: small.to_vec(),
                axis,
                left_len: b,
                right_len: s,
            });
        }
    }
    Ok((0..k).collect())
}

/// NumPy's broadcasting rule: align the shapes at their last axes; each pair
/// of lengths must be equal or one of them 1, and the result takes the
/// larger; missing leading axes count as 1.
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> Result<Vec<usize>, ShapeError> {
    let rank = a.len().max(b.len());
    let at = |s: &[usize], from_end: usize| {
        s.len()
            .checked_sub(from_end + 1)
            .map_or(1, |index| s[index])
    };
    let mut out = vec![0; rank];
    for from_end in 0..rank {
        let (x, y) = (at(a, from_end), at(b, from_end));
        out[rank - 1 - from_end] = match (x, y) {
            _ if x == y => x,
            (1, _) => y,
            (_, 1) => x,
            _ => {
                return Err(ShapeError::Broadcast {
                    left: a.to_vec(),
                    right: b.to_vec(),
                    axis: from_end,
                    left_len: x,
                    right_len: y,
                });
            }
        };
    }
    Ok(out)
}

/// Rows 0, 1, 2, 3 of a `(4, 3)` tensor, each filled with its row number.
pub fn rows_0123<D: Device<f32>>(dev: &D) -> Tensor<Rank2<4, 3>, f32, D> {
    dev.tensor([[0.0; 3], [1.0; 3], [2.0; 3], [3.0; 3]])
}

/// `(4, 3) + (3,)`: the vector `[1, 2, 3]` is repeated down the rows.
/// Returns the vector and the sum.
#[allow(clippy::type_complexity)]
pub fn add_row<D: Device<f32>>(dev: &D) -> (Tensor<Rank1<3>, f32, D>, Tensor<Rank2<4, 3>, f32, D>) {
    let y = dev.tensor([1.0, 2.0, 3.0]);
    let sum = rows_0123(dev) + y.clone().broadcast::<Rank2<4, 3>, Axis<0>>();
    (y, sum)
}

/// `(4, 3) + (4, 1)`: the column `[1, 2, 3, 4]` is repeated across the
/// columns. In `dfdx` the axis of length 1 is reshaped away, then the column
/// gains axis 1. Returns the column and the sum.
#[allow(clippy::type_complexity)]
pub fn add_column<D: Device<f32>>(
    dev: &D,
) -> (Tensor<Rank2<4, 1>, f32, D>, Tensor<Rank2<4, 3>, f32, D>) {
    let y = dev.tensor([[1.0], [2.0], [3.0], [4.0]]);
    let column = y.clone().reshape::<Rank1<4>>();
    let sum = rows_0123(dev) + column.broadcast::<Rank2<4, 3>, Axis<1>>();
    (y, sum)
}

/// `(3, 4, 2) + (4, 2)`: `0..24` in a `(3, 4, 2)` block plus `0..8` as a
/// `(4, 2)` matrix, repeated along axis 0. Returns the block, the matrix and
/// the sum.
#[allow(clippy::type_complexity)]
pub fn add_matrix_to_stack<D: Device<f32>>(
    dev: &D,
) -> (
    Tensor<Rank3<3, 4, 2>, f32, D>,
    Tensor<Rank2<4, 2>, f32, D>,
    Tensor<Rank3<3, 4, 2>, f32, D>,
) {
    let x = dev.tensor_from_vec(
        (0..24).map(|v| v as f32).collect(),
        Rank3::<3, 4, 2>::default(),
    );
    let y = dev.tensor_from_vec((0..8).map(|v| v as f32).collect(), Rank2::<4, 2>::default());
    let sum = x.clone() + y.clone().broadcast::<Rank3<3, 4, 2>, Axis<0>>();
    (x, y, sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sections_rule_adds_leading_axes() {
        assert_eq!(added_axes(&[64, 3, 32, 10], &[32, 10]), Ok(vec![0, 1]));
        assert_eq!(added_axes(&[32, 10], &[10]), Ok(vec![0]));
        assert_eq!(added_axes(&[4, 3], &[4, 3]), Ok(vec![]));
        assert!(matches!(
            added_axes(&[32, 10], &[32]),
            Err(ShapeError::Broadcast {
                axis: 0,
                left_len: 10,
                right_len: 32,
                ..
            })
        ));
        assert!(added_axes(&[10], &[32, 10]).is_err());
    }

    #[test]
    fn numpys_rule_also_stretches_ones() {
        assert_eq!(broadcast_shape(&[4, 3], &[3]), Ok(vec![4, 3]));
        assert_eq!(broadcast_shape(&[4, 3], &[4, 1]), Ok(vec![4, 3]));
        assert_eq!(broadcast_shape(&[3, 4, 2], &[4, 2]), Ok(vec![3, 4, 2]));
        assert_eq!(broadcast_shape(&[4, 1], &[1, 3]), Ok(vec![4, 3]));
        assert_eq!(
            broadcast_shape(&[64, 3, 32, 10], &[32, 10]),
            Ok(vec![64, 3, 32, 10])
        );
        let err = broadcast_shape(&[4, 3], &[4]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "브로드캐스팅할 수 없는 모양: [4, 3], [4] (뒤에서 1번째 축의 길이 3 ≠ 4, 어느 쪽도 1이 아님)"
        );
    }

    #[test]
    fn the_three_pictured_examples() {
        let dev = Cpu::default();
        let (_, sum) = add_row(&dev);
        assert_eq!(
            sum.array(),
            [
                [1.0, 2.0, 3.0],
                [2.0, 3.0, 4.0],
                [3.0, 4.0, 5.0],
                [4.0, 5.0, 6.0]
            ]
        );
        let (_, sum) = add_column(&dev);
        assert_eq!(sum.array(), [[1.0; 3], [3.0; 3], [5.0; 3], [7.0; 3]]);
        let (x, y, sum) = add_matrix_to_stack(&dev);
        let sum = sum.array();
        assert_eq!(sum[0], [[0.0, 2.0], [4.0, 6.0], [8.0, 10.0], [12.0, 14.0]]);
        assert_eq!(sum[2][3][1], x.array()[2][3][1] + y.array()[3][1]);
    }

    #[test]
    fn maximum_with_a_broadcast_matrix() {
        let dev = Cpu::seed_from_u64(0);
        let x: Tensor<Rank4<64, 3, 32, 10>, f32, _> = dev.sample_uniform();
        let y: Tensor<Rank2<32, 10>, f32, _> = dev.sample_uniform();
        let z = x.clone().maximum(y.clone().broadcast());
        assert_eq!(z.shape().concrete(), [64, 3, 32, 10]);
        let (x, y, z) = (x.array(), y.array(), z.array());
        assert_eq!(z[63][2][31][9], x[63][2][31][9].max(y[31][9]));
        assert_eq!(z[5][1][7][3], x[5][1][7][3].max(y[7][3]));
    }
}
