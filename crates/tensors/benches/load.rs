//! How long loading MNIST takes: inflate the four gzip files, check them
//! (IDX headers, lengths, SHA-256), and build the tensors the book trains on;
//! and how the two gzip backends compare on the largest file.
//!
//! `cargo bench -p nnblocks-tensors` (about 40 s).

use std::io::Read;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use dfdx::tensor::AutoDevice;
use nnblocks_tensors::mnist::{Mnist, MnistFile, Verify};

fn load(c: &mut Criterion) {
    let dir = Mnist::default_dir();
    let dev = AutoDevice::default();
    let mut group = c.benchmark_group("mnist");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    group.bench_function("load (inflate, checks, SHA-256)", |b| {
        b.iter(|| Mnist::load_dir(&dir).unwrap())
    });
    group.bench_function("load, format checks only (no SHA-256)", |b| {
        b.iter(|| Mnist::load_dir_with(&dir, Verify::FormatOnly).unwrap())
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
    group.bench_function("load + f32 images and one-hot labels", |b| {
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
    group.finish();
}

/// Inflating train-images-idx3-ubyte.gz (9.7 MB into 47 MB) with each
/// backend, into a buffer of the final size: why the loader uses zlib-rs.
fn gzip_backends(c: &mut Criterion) {
    let path = Mnist::default_dir().join(MnistFile::TrainImages.file_name());
    let gz = std::fs::read(path).unwrap();
    let len = 47_040_016;
    let mut group = c.benchmark_group("inflate train-images");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    group.bench_function("zlib-rs", |b| {
        b.iter(|| {
            let mut out = vec![0u8; len];
            let mut inflate = zlib_rs::Inflate::new(true, 16 + 15);
            let status = inflate
                .decompress(&gz, &mut out, zlib_rs::InflateFlush::Finish)
                .unwrap();
            assert_eq!(status, zlib_rs::Status::StreamEnd);
            out
        })
    });
    group.bench_function("flate2 (miniz_oxide)", |b| {
        b.iter(|| {
            let mut out = vec![0u8; len];
            flate2::bufread::GzDecoder::new(&gz[..])
                .read_exact(&mut out)
                .unwrap();
            out
        })
    });
    group.finish();
}

criterion_group!(benches, load, gzip_backends);
criterion_main!(benches);
