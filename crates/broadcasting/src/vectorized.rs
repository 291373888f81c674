//! The same operations with `dfdx`: whole tensors at once, on any device,
//! with shapes in the types.
//!
//! Most are one `dfdx` call; these functions name them after the section's
//! vocabulary and fill the two gaps of `dfdx` 0.13, which has no dot product
//! of two vectors (its `matmul` of two vectors is the outer product) and no
//! matrix-vector product (it multiplies a vector by a matrix on the left).

use dfdx::prelude::*;

/// `relu(x + y)`: the element-wise pair of the book's timing experiment.
pub fn add_relu<S: Shape, D: Device<f32>>(
    x: Tensor<S, f32, D>,
    y: Tensor<S, f32, D>,
) -> Tensor<S, f32, D> {
    (x + y).relu()
}

/// The dot product of two vectors of the same length `N`.
pub fn vector_dot<const N: usize, D: Device<f32>>(
    x: Tensor<Rank1<N>, f32, D>,
    y: Tensor<Rank1<N>, f32, D>,
) -> Tensor<Rank0, f32, D> {
    (x * y).sum()
}

/// Matrix `(M, K)` times vector `(K,)`: the vector as a `(K, 1)` column,
/// multiplied, and the `(M, 1)` result read as a vector.
pub fn matrix_vector<const M: usize, const K: usize, D: Device<f32>>(
    x: Tensor<Rank2<M, K>, f32, D>,
    y: Tensor<Rank1<K>, f32, D>,
) -> Tensor<Rank1<M>, f32, D> {
    x.matmul(y.reshape::<Rank2<K, 1>>()).reshape()
}

/// Matrix times matrix with run-time sizes: `(m, k) . (k, n) -> (m, n)`. The
/// inner sizes are checked when the product runs (`dfdx` panics if they
/// differ); with `Const` sizes they are checked by the compiler.
pub fn matrix_dot<D: Device<f32>>(
    x: Tensor<(usize, usize), f32, D>,
    y: Tensor<(usize, usize), f32, D>,
) -> Tensor<(usize, usize), f32, D> {
    x.matmul(y)
}

#[cfg(test)]
mod tests {
    //! Each hand-written loop of [`crate::naive`] against `dfdx` on the same
    //! random inputs.

    use super::*;
    use crate::{Matrix, naive};

    fn assert_close(a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "{x} vs {y}");
        }
    }

    #[test]
    fn add_and_relu_match_the_loops() {
        let dev = Cpu::seed_from_u64(0);
        let x: Tensor<Rank2<20, 100>, f32, _> = dev.sample_normal();
        let y: Tensor<Rank2<20, 100>, f32, _> = dev.sample_normal();
        let (xm, ym) = (
            Matrix::from_tensor(&x).unwrap(),
            Matrix::from_tensor(&y).unwrap(),
        );
        let by_hand = naive::relu(&naive::add(&xm, &ym).unwrap());
        let z = add_relu(x, y);
        // Element-wise f32 arithmetic is exact to the bit either way.
        assert_eq!(by_hand.as_slice(), z.as_vec().as_slice());
        assert!(z.as_vec().contains(&0.0));
        assert!(z.as_vec().iter().all(|&v| v >= 0.0));
    }

    #[test]
    fn broadcast_add_matches_the_loop() {
        let dev = Cpu::seed_from_u64(1);
        let x: Tensor<Rank2<32, 10>, f32, _> = dev.sample_uniform();
        let y: Tensor<Rank1<10>, f32, _> = dev.sample_uniform();
        let by_hand =
            naive::add_matrix_vector(&Matrix::from_tensor(&x).unwrap(), &y.as_vec()).unwrap();
        let z = x + y.broadcast::<Rank2<32, 10>, _>();
        assert_eq!(by_hand.as_slice(), z.as_vec().as_slice());
    }

    #[test]
    fn dot_products_match_the_loops() {
        let dev = Cpu::seed_from_u64(2);
        let x: Tensor<Rank1<32>, f32, _> = dev.sample_uniform();
        let y: Tensor<Rank1<32>, f32, _> = dev.sample_uniform();
        let by_hand = naive::vector_dot(&x.as_vec(), &y.as_vec()).unwrap();
        assert_close(&[vector_dot(x, y).array()], &[by_hand]);

        let a: Tensor<Rank2<7, 5>, f32, _> = dev.sample_normal();
        let v: Tensor<Rank1<5>, f32, _> = dev.sample_normal();
        let am = Matrix::from_tensor(&a).unwrap();
        let by_hand = naive::matrix_vector_dot(&am, &v.as_vec()).unwrap();
        let by_rows = naive::matrix_vector_dot_by_rows(&am, &v.as_vec()).unwrap();
        assert_eq!(by_hand, by_rows);
        assert_close(&matrix_vector(a, v).as_vec(), &by_hand);
    }

    #[test]
    fn matrix_products_match_the_loops() {
        let dev = Cpu::seed_from_u64(3);
        for (m, k, n) in [(2, 3, 4), (17, 33, 9), (64, 64, 64)] {
            let x = dev.sample_normal_like(&(m, k));
            let y = dev.sample_normal_like(&(k, n));
            let by_hand = naive::matrix_dot(
                &Matrix::from_tensor(&x).unwrap(),
                &Matrix::from_tensor(&y).unwrap(),
            )
            .unwrap();
            let z = matrix_dot(x, y);
            assert_eq!(z.shape(), &(m, n));
            assert_close(&z.as_vec(), by_hand.as_slice());
        }
    }
}
