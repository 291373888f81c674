//! A plain row-major matrix for the hand-written loops.

use std::fmt;
use std::ops::{Index, IndexMut};

use dfdx::shapes::{HasShape, Shape};
use dfdx::tensor::{Storage, Tensor, TensorFromVec};

use crate::ShapeError;

/// A rank-2 tensor of `f32` with its shape known only at run time, stored
/// row after row, like a NumPy array: what the hand-written loops of
/// [`crate::naive`] index with `x[(i, j)]`.
///
/// It converts to and from `dfdx` tensors on any device, so the two sides of
/// the section can be fed the same numbers and compared.
#[derive(Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl Matrix {
    /// A `rows x cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// A `rows x cols` matrix holding `data` row after row.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f32>) -> Result<Self, ShapeError> {
        if data.len() != rows * cols {
            return Err(ShapeError::Len {
                what: "Matrix::from_vec",
                expected: rows * cols,
                actual: data.len(),
            });
        }
        Ok(Self { rows, cols, data })
    }

    /// The values of a rank-2 `dfdx` tensor, from any device.
    pub fn from_tensor<S: Shape, D: Storage<f32>, T>(
        tensor: &Tensor<S, f32, D, T>,
    ) -> Result<Self, ShapeError> {
        let shape = tensor.shape().concrete();
        let shape = shape.as_ref();
        if shape.len() != 2 {
            return Err(ShapeError::Rank {
                what: "Matrix::from_tensor",
                expected: 2,
                shape: shape.to_vec(),
            });
        }
        Self::from_vec(shape[0], shape[1], tensor.as_vec())
    }

    /// A `dfdx` tensor of shape `(rows, cols)` on `device`, its dimensions
    /// known at run time. `.realize::<Rank2<R, C>>()` gives it a compile-time
    /// shape.
    pub fn to_tensor<D: TensorFromVec<f32>>(&self, device: &D) -> Tensor<(usize, usize), f32, D> {
        device.tensor_from_vec(self.data.clone(), (self.rows, self.cols))
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Column `j`, copied (the values are `cols` apart in memory).
    pub fn column(&self, j: usize) -> Vec<f32> {
        (0..self.rows).map(|i| self[(i, j)]).collect()
    }

    /// All values, row after row.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// The same values read as a `rows x cols` matrix: a reshape, which
    /// keeps the order of the values and their number.
    pub fn reshape(self, rows: usize, cols: usize) -> Result<Self, ShapeError> {
        Self::from_vec(rows, cols, self.data).map_err(|_| ShapeError::Len {
            what: "Matrix::reshape",
            expected: rows * cols,
            actual: self.rows * self.cols,
        })
    }

    /// The transpose: entry `(i, j)` becomes `(j, i)`.
    pub fn transpose(&self) -> Self {
        let mut t = Self::zeros(self.cols, self.rows);
        for i in 0..self.rows {
            for j in 0..self.cols {
                t[(j, i)] = self[(i, j)];
            }
        }
        t
    }

    /// The rows as vectors.
    pub fn to_rows(&self) -> Vec<Vec<f32>> {
        (0..self.rows).map(|i| self.row(i).to_vec()).collect()
    }
}

impl Index<(usize, usize)> for Matrix {
    type Output = f32;

    fn index(&self, (i, j): (usize, usize)) -> &f32 {
        assert!(
            j < self.cols,
            "column {j} of a matrix with {} columns",
            self.cols
        );
        &self.data[i * self.cols + j]
    }
}

impl IndexMut<(usize, usize)> for Matrix {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut f32 {
        assert!(
            j < self.cols,
            "column {j} of a matrix with {} columns",
            self.cols
        );
        &mut self.data[i * self.cols + j]
    }
}

impl fmt::Debug for Matrix {
    /// Like the nested arrays `dfdx`'s `array()` prints: `[[0.0, 1.0], ...]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries((0..self.rows).map(|i| self.row(i)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dfdx::prelude::*;

    #[test]
    fn round_trips_through_a_tensor() {
        let dev = Cpu::default();
        let m = Matrix::from_vec(2, 3, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let t = m.to_tensor(&dev);
        assert_eq!(t.shape(), &(2, 3));
        assert_eq!(t[[1, 0]], 3.0);
        assert_eq!(Matrix::from_tensor(&t).unwrap(), m);
        assert_eq!(m[(1, 2)], 5.0);
        assert_eq!(m.column(1), vec![1.0, 4.0]);
    }

    #[test]
    fn rejects_wrong_lengths_and_ranks() {
        assert_eq!(
            Matrix::from_vec(2, 3, vec![0.0; 5]),
            Err(ShapeError::Len {
                what: "Matrix::from_vec",
                expected: 6,
                actual: 5
            })
        );
        let dev = Cpu::default();
        let v: Tensor<Rank1<3>, f32, _> = dev.zeros();
        assert!(matches!(
            Matrix::from_tensor(&v),
            Err(ShapeError::Rank { expected: 2, .. })
        ));
        let m = Matrix::zeros(3, 2);
        assert!(m.clone().reshape(4, 2).is_err());
        assert_eq!(m.reshape(6, 1).unwrap().shape(), (6, 1));
    }

    #[test]
    fn transposes() {
        let m = Matrix::from_vec(3, 2, (0..6).map(|v| v as f32).collect()).unwrap();
        let t = m.transpose();
        assert_eq!(t.shape(), (2, 3));
        assert_eq!(t.to_rows(), vec![vec![0.0, 2.0, 4.0], vec![1.0, 3.0, 5.0]]);
        assert_eq!(format!("{m:?}"), "[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]");
    }

    #[test]
    #[should_panic(expected = "column 2 of a matrix with 2 columns")]
    fn index_checks_columns() {
        let _ = Matrix::zeros(3, 2)[(0, 2)];
    }
}
