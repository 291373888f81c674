//! The chapter's three gradient-tape cells (N55-N57 of the reference) on
//! dfdx, with the gradients they must give.

use dfdx::prelude::*;

#[test]
fn gradient_of_an_affine_scalar_function_is_its_slope() {
    let dev = Cpu::default();
    let x: Tensor<Rank0, f32, _> = dev.tensor(0.0);
    let y = x.leaky_trace() * 2.0 + 3.0;
    assert_eq!(y.backward().get(&x).array(), 2.0);
}

#[test]
fn gradient_of_a_matrix_function_has_the_matrix_shape() {
    let dev = Cpu::default();
    let x: Tensor<Rank2<2, 2>, f32, _> = dev.zeros();
    let y = x.leaky_trace() * 2.0 + 3.0;
    assert_eq!(y.sum().backward().get(&x).array(), [[2.0; 2]; 2]);
}

#[test]
fn gradients_of_a_dense_layer_are_column_sums_and_batch_counts() {
    let dev = Cpu::seed_from_u64(0);
    let w: Tensor<Rank2<2, 2>, f32, _> = dev.sample_uniform();
    let b: Tensor<Rank1<2>, f32, _> = dev.zeros();
    let x: Tensor<Rank2<2, 2>, f32, _> = dev.sample_uniform();
    let y = x.leaky_trace().matmul(w.clone()) + b.clone().broadcast::<Rank2<2, 2>, Axis<0>>();
    let grads = y.sum().backward();
    let xs = x.array();
    let grad_w = grads.get(&w).array();
    for (i, row) in grad_w.iter().enumerate() {
        let column_sum = xs[0][i] + xs[1][i];
        assert_eq!(*row, [column_sum; 2]);
    }
    assert_eq!(grads.get(&b).array(), [2.0, 2.0]);
}
