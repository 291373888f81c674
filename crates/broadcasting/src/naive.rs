//! The section's operations written by hand: one loop iteration per entry,
//! shapes checked at run time.
//!
//! These are the `naive_*` functions of the book, in Rust. Unlike Python
//! loops they are compiled, so they are not slow for being loops; what they
//! lack is what a tuned library does for large operands (blocking for the
//! caches, SIMD on every core), which the benchmark `benches/ops.rs` measures.

use crate::{Matrix, ShapeError};

fn mismatch(op: &'static str, x: &Matrix, y: &Matrix) -> ShapeError {
    ShapeError::Mismatch {
        op,
        left: vec![x.rows(), x.cols()],
        right: vec![y.rows(), y.cols()],
    }
}

fn contraction(op: &'static str, left: Vec<usize>, right: Vec<usize>) -> ShapeError {
    ShapeError::Contraction {
        op,
        left_len: *left.last().unwrap_or(&0),
        right_len: right[0],
        left,
        right,
    }
}

/// `relu(x) = max(x, 0)` entry by entry.
pub fn relu(x: &Matrix) -> Matrix {
    let mut out = x.clone();
    for i in 0..x.rows() {
        for j in 0..x.cols() {
            out[(i, j)] = out[(i, j)].max(0.0);
        }
    }
    out
}

/// `x + y` entry by entry; the shapes must be equal.
pub fn add(x: &Matrix, y: &Matrix) -> Result<Matrix, ShapeError> {
    if x.shape() != y.shape() {
        return Err(mismatch("add", x, y));
    }
    let mut out = x.clone();
    for i in 0..x.rows() {
        for j in 0..x.cols() {
            out[(i, j)] += y[(i, j)];
        }
    }
    Ok(out)
}

/// A matrix plus a vector added to each of its rows: broadcasting by hand.
/// The vector must be as long as a row.
pub fn add_matrix_vector(x: &Matrix, y: &[f32]) -> Result<Matrix, ShapeError> {
    if x.cols() != y.len() {
        return Err(ShapeError::Broadcast {
            left: vec![x.rows(), x.cols()],
            right: vec![y.len()],
            axis: 0,
            left_len: x.cols(),
            right_len: y.len(),
        });
    }
    let mut out = x.clone();
    for i in 0..x.rows() {
        for j in 0..x.cols() {
            out[(i, j)] += y[j];
        }
    }
    Ok(out)
}

/// The dot product of two vectors of the same length: the sum of the
/// products of their entries.
pub fn vector_dot(x: &[f32], y: &[f32]) -> Result<f32, ShapeError> {
    if x.len() != y.len() {
        return Err(contraction("vector_dot", vec![x.len()], vec![y.len()]));
    }
    let mut z = 0.0;
    for i in 0..x.len() {
        z += x[i] * y[i];
    }
    Ok(z)
}

/// Matrix times vector: entry `i` is the dot product of row `i` of `x` with
/// `y`, by a double loop.
pub fn matrix_vector_dot(x: &Matrix, y: &[f32]) -> Result<Vec<f32>, ShapeError> {
    if x.cols() != y.len() {
        return Err(contraction(
            "matrix_vector_dot",
            vec![x.rows(), x.cols()],
            vec![y.len()],
        ));
    }
    let mut z = vec![0.0; x.rows()];
    for i in 0..x.rows() {
        for j in 0..x.cols() {
            z[i] += x[(i, j)] * y[j];
        }
    }
    Ok(z)
}

/// [`matrix_vector_dot`] again, as one [`vector_dot`] per row.
pub fn matrix_vector_dot_by_rows(x: &Matrix, y: &[f32]) -> Result<Vec<f32>, ShapeError> {
    if x.cols() != y.len() {
        return Err(contraction(
            "matrix_vector_dot_by_rows",
            vec![x.rows(), x.cols()],
            vec![y.len()],
        ));
    }
    (0..x.rows()).map(|i| vector_dot(x.row(i), y)).collect()
}

/// Matrix times matrix: entry `(i, j)` is the dot product of row `i` of `x`
/// with column `j` of `y`, by a triple loop. Defined when `x` has as many
/// columns as `y` has rows; the result is `(x.rows(), y.cols())`.
pub fn matrix_dot(x: &Matrix, y: &Matrix) -> Result<Matrix, ShapeError> {
    if x.cols() != y.rows() {
        return Err(contraction(
            "matrix_dot",
            vec![x.rows(), x.cols()],
            vec![y.rows(), y.cols()],
        ));
    }
    let mut z = Matrix::zeros(x.rows(), y.cols());
    for i in 0..x.rows() {
        for j in 0..y.cols() {
            let mut sum = 0.0;
            for k in 0..x.cols() {
                sum += x[(i, k)] * y[(k, j)];
            }
            z[(i, j)] = sum;
        }
    }
    Ok(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: usize, cols: usize, data: &[f32]) -> Matrix {
        Matrix::from_vec(rows, cols, data.to_vec()).unwrap()
    }

    #[test]
    fn relu_and_add_by_hand() {
        let x = m(2, 2, &[-1.0, 2.0, 0.5, -3.0]);
        assert_eq!(relu(&x).as_slice(), &[0.0, 2.0, 0.5, 0.0]);
        let y = m(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        assert_eq!(add(&x, &y).unwrap().as_slice(), &[0.0, 3.0, 1.5, -2.0]);
        assert_eq!(
            add(&x, &Matrix::zeros(2, 3)),
            Err(ShapeError::Mismatch {
                op: "add",
                left: vec![2, 2],
                right: vec![2, 3]
            })
        );
    }

    #[test]
    fn adds_a_vector_to_each_row() {
        let x = m(2, 3, &[0.0, 0.0, 0.0, 10.0, 10.0, 10.0]);
        let z = add_matrix_vector(&x, &[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(z.as_slice(), &[1.0, 2.0, 3.0, 11.0, 12.0, 13.0]);
        assert!(add_matrix_vector(&x, &[1.0, 2.0]).is_err());
    }

    #[test]
    fn dot_products_by_hand() {
        assert_eq!(vector_dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), Ok(32.0));
        let err = vector_dot(&[1.0; 3], &[1.0; 4]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "vector_dot: 두 모양이 맞지 않습니다: [3], [4] (왼쪽의 마지막 축 3 ≠ 오른쪽의 첫 축 4)"
        );
        let x = m(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let y = [1.0, 0.0, -1.0];
        assert_eq!(matrix_vector_dot(&x, &y), Ok(vec![-2.0, -2.0]));
        assert_eq!(matrix_vector_dot_by_rows(&x, &y), Ok(vec![-2.0, -2.0]));
        assert!(matrix_vector_dot(&x, &[1.0; 2]).is_err());
        assert!(matrix_vector_dot_by_rows(&x, &[1.0; 2]).is_err());
    }

    #[test]
    fn matrix_dot_follows_the_shape_rule() {
        let x = m(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let y = m(3, 2, &[7.0, 8.0, 9.0, 10.0, 11.0, 12.0]);
        let z = matrix_dot(&x, &y).unwrap();
        assert_eq!(z.shape(), (2, 2));
        assert_eq!(z.as_slice(), &[58.0, 64.0, 139.0, 154.0]);
        // Not commutative: (3, 2) . (2, 3) is (3, 3).
        assert_eq!(matrix_dot(&y, &x).unwrap().shape(), (3, 3));
        let err = matrix_dot(&x, &x).unwrap_err();
        assert!(matches!(
            err,
            ShapeError::Contraction {
                left_len: 3,
                right_len: 2,
                ..
            }
        ));
    }
}
