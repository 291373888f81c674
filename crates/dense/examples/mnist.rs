//! Trains the chapter's network on MNIST like `model.fit(...)` in Keras and
//! evaluates it: `cargo run --release -p nnblocks-dense --example mnist [epochs] [tape]`.

use dfdx::prelude::*;
use nnblocks_dense::{Engine, Fit, Loss, Metric, Model, Rmsprop, build_network};
use nnblocks_tensors::Mnist;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let epochs = args.next().map_or(Ok(5), |a| a.parse())?;
    let engine = match args.next().as_deref() {
        Some("tape") => Engine::Tape,
        _ => Engine::Auto,
    };
    let dev = AutoDevice::seed_from_u64(0);
    let mnist = Mnist::load()?;
    let x_train = mnist.train_images.to_flat_f32(&dev);
    let x_test = mnist.test_images.to_flat_f32(&dev);
    let mut model = Model::new(build_network(&dev, 0));
    model.compile(
        Rmsprop::default(),
        Loss::SparseCategoricalCrossentropy,
        Metric::Accuracy,
    );
    let fit = Fit {
        epochs,
        batch_size: 128,
        engine,
        ..Fit::default()
    };
    let history = model.fit(&x_train, &mnist.train_labels, fit)?;
    let total: f64 = history.durations.iter().map(|d| d.as_secs_f64()).sum();
    let eval = model.evaluate(&x_test, &mnist.test_labels)?;
    println!(
        "fit: {total:.2} s, test loss {:.4}, test accuracy {:.4}",
        eval.loss, eval.accuracy
    );
    Ok(())
}
