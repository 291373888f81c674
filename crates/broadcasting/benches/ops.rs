//! Hand-written loops against `dfdx`, side by side.
//!
//! - `add + relu (20, 100) x1000`: the book's experiment, 1000 repetitions of
//!   `relu(x + y)` on two `(20, 100)` matrices.
//! - `matmul n`: `(n, n) . (n, n)` by the naive triple loop and by `dfdx`
//!   (`gemm`, both cores). Throughput is reported in elements/s where an
//!   element is a flop (`2 n^3` per product), so `Gelem/s` reads as GFLOP/s;
//!   compare it with the peak printed first. The naive loop stops at 512
//!   (at 1024 one product takes seconds).
//!
//! `cargo bench -p nnblocks-broadcasting` (about 2 minutes).

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use dfdx::prelude::*;
use nnblocks_broadcasting::peak::{Peak, matmul_flops};
use nnblocks_broadcasting::{Matrix, naive, vectorized};

fn add_relu(c: &mut Criterion) {
    let dev = AutoDevice::seed_from_u64(0);
    let x: Tensor<Rank2<20, 100>, f32, _> = dev.sample_uniform();
    let y: Tensor<Rank2<20, 100>, f32, _> = dev.sample_uniform();
    let (xm, ym) = (
        Matrix::from_tensor(&x).unwrap(),
        Matrix::from_tensor(&y).unwrap(),
    );
    let mut group = c.benchmark_group("add + relu (20, 100) x1000");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("naive loops", |b| {
        b.iter(|| {
            let mut z = Matrix::zeros(20, 100);
            for _ in 0..1000 {
                z = naive::relu(&naive::add(black_box(&xm), black_box(&ym)).unwrap());
            }
            z
        })
    });
    group.bench_function("dfdx", |b| {
        b.iter(|| {
            let mut z = dev.zeros();
            for _ in 0..1000 {
                z = vectorized::add_relu(black_box(x.clone()), black_box(y.clone()));
            }
            z
        })
    });
    group.finish();
}

fn matmul(c: &mut Criterion) {
    match Peak::this_machine() {
        Ok(peak) => eprintln!(
            "peak: {} cores x {} f32 lanes x {} FMA units x 2 flops x {:.3} GHz = {:.1} GFLOP/s",
            peak.cores,
            peak.lanes,
            peak.fma_units,
            peak.ghz,
            peak.gflops()
        ),
        Err(err) => eprintln!("peak unknown: {err}"),
    }
    let dev = AutoDevice::seed_from_u64(0);
    let mut group = c.benchmark_group("matmul");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in [64, 128, 256, 512, 1024] {
        let x = dev.sample_normal_like(&(n, n));
        let y = dev.sample_normal_like(&(n, n));
        group.throughput(Throughput::Elements(matmul_flops(n, n, n) as u64));
        group.bench_with_input(BenchmarkId::new("dfdx", n), &n, |b, _| {
            b.iter(|| vectorized::matrix_dot(black_box(x.clone()), black_box(y.clone())))
        });
        if n <= 512 {
            let (xm, ym) = (
                Matrix::from_tensor(&x).unwrap(),
                Matrix::from_tensor(&y).unwrap(),
            );
            group.bench_with_input(BenchmarkId::new("naive", n), &n, |b, _| {
                b.iter(|| naive::matrix_dot(black_box(&xm), black_box(&ym)).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, add_relu, matmul);
criterion_main!(benches);
