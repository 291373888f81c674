//! `cargo bench -p nnblocks-dense --bench fit`: the chapter's `fit` (5 epochs,
//! batches of 128, seed 0) timed end to end, as `scripts/bench_mnist_fit.sh`
//! runs it side by side with the same model in Keras.
//!
//! Prints one line per repetition, `nnblocks fit: 7.12 s, train loss 0.0379,
//! test acc 0.9796, 141 GFLOP/s = 72.3% of 195 GFLOP/s, 1.42 s/epoch`, and the
//! process's peak resident memory at the end. Built with `--features cuda`
//! it trains on the GPU (`AutoDevice`), as `scripts/cuda/device-check.sh`
//! runs it; the share of the CPU's peak is then left out.
//! Environment: `NNBLOCKS_BENCH_REPS` (default 3), `NNBLOCKS_BENCH_ENGINE=tape`
//! to time dfdx's tape instead of the fused step, `NNBLOCKS_BENCH_EPOCHS`.
//! (A criterion harness would repeat a 7-second fit ten times or more and
//! report nothing Keras can be compared with; this is the measurement the
//! comparison needs.)

use std::time::Instant;

use dfdx::prelude::*;
use nnblocks_dense::{Engine, Fit, Loss, Metric, Model, Rmsprop, build_network};
use nnblocks_tensors::Mnist;

/// FLOPs of one sample's training step that a dense layer needs: forward of
/// both layers, weight gradients of both, input gradient of the second.
const FLOP_PER_SAMPLE: f64 = 2.0 * (784.0 * 512.0 * 2.0 + 512.0 * 10.0 * 3.0);
/// 2 cores x 2 FMA units x 8 f32 lanes (AVX2) x 2 FLOP x ~3.05 GHz.
const PEAK_GFLOPS: f64 = 195.0;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size of this process, from /proc (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // of the sort and only wants to know that this compiles and runs.
    if !std::env::args().any(|a| a == "--bench") {
        println!("fit bench: run with `cargo bench -p nnblocks-dense --bench fit`");
        return Ok(());
    }
    let reps = env("NNBLOCKS_BENCH_REPS", 3);
    let epochs = env("NNBLOCKS_BENCH_EPOCHS", 5);
    let engine = match std::env::var("NNBLOCKS_BENCH_ENGINE").as_deref() {
        Ok("tape") => Engine::Tape,
        _ => Engine::Auto,
    };
    let dev = AutoDevice::seed_from_u64(0);
    // As in scripts/keras_mnist.py: keep the f32 inputs and the labels, free
    // the u8 images once converted.
    let Mnist {
        train_images,
        train_labels,
        test_images,
        test_labels,
    } = Mnist::load()?;
    let x_train = train_images.to_flat_f32(&dev);
    drop(train_images);
    let x_test = test_images.to_flat_f32(&dev);
    drop(test_images);
    let flop = FLOP_PER_SAMPLE * x_train.shape().0 as f64 * epochs as f64;
    let device = if cfg!(feature = "cuda") {
        "cuda".to_string()
    } else {
        format!("cpu, {} threads", rayon::current_num_threads())
    };
    println!(
        "nnblocks {engine:?}: {epochs} epochs, batch 128, {device}, {:.1} GFLOP per fit",
        flop / 1e9
    );
    for _ in 0..reps {
        let mut model = Model::new(build_network(&dev, 0));
        model.compile(
            Rmsprop::default(),
            Loss::SparseCategoricalCrossentropy,
            Metric::Accuracy,
        );
        let fit = Fit {
            epochs,
            batch_size: 128,
            verbose: false,
            engine,
            ..Fit::default()
        };
        let start = Instant::now();
        let history = model.fit(&x_train, &train_labels, fit)?;
        let seconds = start.elapsed().as_secs_f64();
        let eval = model.evaluate(&x_test, &test_labels)?;
        let gflops = flop / seconds / 1e9;
        let share = if cfg!(feature = "cuda") {
            String::new()
        } else {
            format!(
                " = {:.1}% of {PEAK_GFLOPS} GFLOP/s",
                100.0 * gflops / PEAK_GFLOPS
            )
        };
        println!(
            "nnblocks fit: {seconds:.2} s, train loss {:.4}, test acc {:.4}, {gflops:.1} GFLOP/s{share}, {:.2} s/epoch",
            history.loss.last().unwrap_or(&f32::NAN),
            eval.accuracy,
            seconds / epochs as f64
        );
    }
    if let Some(mb) = peak_rss_mb() {
        println!("nnblocks peak RSS: {mb:.0} MB");
    }
    Ok(())
}
