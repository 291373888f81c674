//! How long loading MNIST takes: decompress the four gzip files, check them
//! (IDX headers, lengths, SHA-256), and build the tensors the book trains on.
//!
//! `cargo bench -p nnblocks-tensors` (about 20 s).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use dfdx::tensor::Cpu;
use nnblocks_tensors::mnist::{Mnist, Verify};

fn load(c: &mut Criterion) {
    let dir = Mnist::default_dir();
    let dev = Cpu::default();
    let mut group = c.benchmark_group("mnist");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    group.bench_function("load (inflate + SHA-256)", |b| {
        b.iter(|| Mnist::load_dir(&dir).unwrap())
    });
    group.bench_function("load, format checks only", |b| {
        b.iter(|| Mnist::load_dir_with(&dir, Verify::FormatOnly).unwrap())
    });
    group.bench_function("load + f32 and one-hot tensors", |b| {
        b.iter(|| {
            let mnist = Mnist::load_dir(&dir).unwrap();
            (
                mnist.train_images.to_flat_f32(&dev),
                mnist.train_labels.to_one_hot(&dev),
                mnist.test_images.to_flat_f32(&dev),
                mnist.test_labels.to_one_hot(&dev),
            )
        })
    });
    group.bench_function("load + u8 tensors", |b| {
        b.iter(|| {
            let mnist = Mnist::load_dir(&dir).unwrap();
            (
                mnist.train_images.into_tensor(&dev),
                mnist.train_labels.to_tensor(&dev),
                mnist.test_images.into_tensor(&dev),
                mnist.test_labels.to_tensor(&dev),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
