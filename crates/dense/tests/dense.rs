use dfdx::prelude::*;
use nnblocks_dense::fused::Params;
use nnblocks_dense::model::glorot_limit;
use nnblocks_dense::scratch::{self, Activation, BatchGenerator, NaiveDense, NaiveSequential};
use nnblocks_dense::{DenseError, Engine, Fit, Loss, Metric, Model, Rmsprop, build_network, plots};
use nnblocks_tensors::mnist::Mnist;

fn compiled(dev: &Cpu) -> Model<Cpu> {
    let mut model = Model::new(build_network(dev, 0));
    model.compile(
        Rmsprop::default(),
        Loss::SparseCategoricalCrossentropy,
        Metric::Accuracy,
    );
    model
}

#[test]
fn the_network_has_keras_initialization() {
    let dev = Cpu::seed_from_u64(0);
    let net = build_network(&dev, 0);
    assert_eq!(net.num_trainable_params(), 407_050);
    let w1 = net.0.weight.as_vec();
    let limit = glorot_limit(784, 512);
    assert!((limit - (6.0_f32 / 1296.0).sqrt()).abs() < 1e-7);
    assert!(w1.iter().all(|w| w.abs() <= limit));
    // Uniform on [-l, l]: mean |w| is l / 2, mean w is 0.
    let mean_abs = w1.iter().map(|w| w.abs()).sum::<f32>() / w1.len() as f32;
    let mean = w1.iter().sum::<f32>() / w1.len() as f32;
    assert!((mean_abs / limit - 0.5).abs() < 0.01, "{mean_abs}");
    assert!(mean.abs() < 1e-3);
    assert!(net.0.bias.as_vec().iter().all(|&b| b == 0.0));
    assert!(net.2.bias.as_vec().iter().all(|&b| b == 0.0));
    // The same seed gives the same weights, another seed others.
    assert_eq!(
        build_network(&dev, 0).2.weight.as_vec(),
        net.2.weight.as_vec()
    );
    assert_ne!(
        build_network(&dev, 1).2.weight.as_vec(),
        net.2.weight.as_vec()
    );
}

#[test]
fn rmsprop_follows_keras() {
    let opt = Rmsprop::default();
    let (mut w, g, mut v) = (vec![1.0_f32], vec![0.5_f32], vec![0.0_f32]);
    opt.update_slices(&mut w, &g, &mut v);
    assert!((v[0] - 0.025).abs() < 1e-7);
    let expected = 1.0 - 1e-3 * 0.5 / (0.025_f32 + 1e-7).sqrt();
    assert!((w[0] - expected).abs() < 1e-7, "{} vs {expected}", w[0]);
    // The first step moves every weight by about lr / sqrt(1 - rho) whatever
    // the gradient's size: the point of RMSprop.
    let (mut w, g, mut v) = (vec![0.0_f32; 2], vec![0.1_f32, 10.0], vec![0.0_f32; 2]);
    opt.update_slices(&mut w, &g, &mut v);
    assert!((w[0] / w[1] - 1.0).abs() < 0.01, "{w:?}");
}

#[test]
fn rmsprop_on_slices_and_on_tensors_agree() {
    let dev = Cpu::seed_from_u64(3);
    let opt = Rmsprop::default();
    // Large enough for the multi-threaded path.
    let n = 100_000;
    let mut w: Tensor<(usize,), f32, Cpu> = dev.sample_normal_like(&(n,));
    let g: Tensor<(usize,), f32, Cpu> = dev.sample_normal_like(&(n,));
    let mut v: Tensor<(usize,), f32, Cpu> = dev.sample_uniform_like(&(n,));
    let (mut ws, gs, mut vs) = (w.as_vec(), g.as_vec(), v.as_vec());
    for _ in 0..3 {
        opt.update_slices(&mut ws, &gs, &mut vs);
        opt.update_tensor(&mut w, g.clone(), &mut v);
    }
    let max_diff = ws
        .iter()
        .zip(w.as_vec())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(max_diff < 1e-6, "{max_diff}");
    assert!(vs.iter().zip(v.as_vec()).all(|(a, b)| (a - b).abs() < 1e-6));
}

fn small_data(dev: &Cpu, n: usize) -> (Tensor<(usize, Const<784>), f32, Cpu>, Vec<u8>) {
    let mnist = Mnist::load().expect("the MNIST files");
    let x = mnist.train_images.to_flat_f32(dev).slice((0..n, ..));
    (x, mnist.train_labels[..n].to_vec())
}

#[test]
fn the_fused_step_computes_what_the_tape_computes() {
    let dev = Cpu::seed_from_u64(0);
    let (x, y) = small_data(&dev, 1000);
    let mut histories = Vec::new();
    let mut weights = Vec::new();
    for engine in [Engine::Auto, Engine::Tape] {
        let mut model = compiled(&dev);
        let fit = Fit {
            epochs: 2,
            batch_size: 100,
            verbose: false,
            engine,
            ..Fit::default()
        };
        histories.push(model.fit(&x, &y, fit).unwrap());
        weights.push((
            model.network.0.weight.as_vec(),
            model.network.2.bias.as_vec(),
        ));
    }
    let (a, b) = (&histories[0], &histories[1]);
    assert_eq!(a.steps_per_epoch, 10);
    assert_eq!(a.updates(), 20);
    for (la, lb) in a.loss.iter().zip(&b.loss) {
        assert!((la - lb).abs() < 1e-4, "{la} vs {lb}");
    }
    assert!(
        a.accuracy
            .iter()
            .zip(&b.accuracy)
            .all(|(p, q)| (p - q).abs() <= 0.002)
    );
    assert!(
        a.loss[1] < a.loss[0],
        "training lowers the loss: {:?}",
        a.loss
    );
    let w_diff = weights[0]
        .0
        .iter()
        .zip(&weights[1].0)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f32::max);
    assert!(w_diff < 1e-4, "{w_diff}");
    let b_diff = weights[0]
        .1
        .iter()
        .zip(&weights[1].1)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f32::max);
    assert!(b_diff < 1e-4, "{b_diff}");
}

#[test]
fn the_dense_fallback_of_the_fused_step_matches_the_tape() {
    // Inputs without zeros take the fused step's gemm path.
    let dev = Cpu::seed_from_u64(5);
    let x: Tensor<(usize, Const<784>), f32, Cpu> =
        dev.sample_like(&(300, Const), rand::distributions::Uniform::new(0.1, 1.0));
    let y: Vec<u8> = (0..300).map(|i| (i * 7 % 10) as u8).collect();
    let mut losses = Vec::new();
    for engine in [Engine::Auto, Engine::Tape] {
        let mut model = compiled(&dev);
        let fit = Fit {
            epochs: 2,
            batch_size: 64,
            verbose: false,
            engine,
            ..Fit::default()
        };
        losses.push(model.fit(&x, &y, fit).unwrap().loss);
    }
    for (a, b) in losses[0].iter().zip(&losses[1]) {
        assert!((a - b).abs() < 1e-3 * b.max(1.0), "{losses:?}");
    }
}

#[test]
fn a_second_fit_continues_the_first() {
    let dev = Cpu::seed_from_u64(0);
    let (x, y) = small_data(&dev, 512);
    let quiet = Fit {
        epochs: 1,
        batch_size: 128,
        verbose: false,
        ..Fit::default()
    };
    let mut once = compiled(&dev);
    let first = once.fit(&x, &y, quiet).unwrap();
    let second = once.fit(&x, &y, Fit { seed: 1, ..quiet }).unwrap();
    assert!(second.loss[0] < first.loss[0]);
    // Compiling again resets the optimizer's state but keeps the weights.
    let before = once.network.0.weight.as_vec();
    once.compile(
        Rmsprop::default(),
        Loss::SparseCategoricalCrossentropy,
        Metric::Accuracy,
    );
    assert_eq!(once.network.0.weight.as_vec(), before);
    let _ = Params::zeros();
}

#[test]
fn one_epoch_on_mnist_learns_the_digits() {
    let dev = Cpu::seed_from_u64(0);
    let mnist = Mnist::load().unwrap();
    let mut model = compiled(&dev);
    let x_train = mnist.train_images.to_flat_f32(&dev);
    let fit = Fit {
        epochs: 1,
        batch_size: 128,
        verbose: false,
        ..Fit::default()
    };
    let history = model.fit(&x_train, &mnist.train_labels, fit).unwrap();
    assert_eq!(history.steps_per_epoch, 469);
    assert!(
        history.loss[0] < 0.35 && history.accuracy[0] > 0.9,
        "{history:?}"
    );
    let x_test = mnist.test_images.to_flat_f32(&dev);
    let eval = model.evaluate(&x_test, &mnist.test_labels).unwrap();
    assert!(eval.accuracy > 0.95 && eval.loss < 0.2, "{eval:?}");
    let probs = model.predict(&x_test.slice((0..3, ..))).as_vec();
    assert_eq!(probs.len(), 30);
    for row in probs.chunks(10) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}

#[test]
fn bad_calls_are_errors() {
    let dev = Cpu::seed_from_u64(0);
    let (x, y) = small_data(&dev, 10);
    let mut model = Model::new(build_network(&dev, 0));
    let fit = Fit {
        verbose: false,
        ..Fit::default()
    };
    assert_eq!(model.fit(&x, &y, fit).unwrap_err(), DenseError::NotCompiled);
    assert_eq!(model.evaluate(&x, &y).unwrap_err(), DenseError::NotCompiled);
    model.compile(
        Rmsprop::default(),
        Loss::SparseCategoricalCrossentropy,
        Metric::Accuracy,
    );
    assert_eq!(
        model.fit(&x, &y[..9], fit).unwrap_err(),
        DenseError::LengthMismatch {
            inputs: 10,
            labels: 9
        }
    );
    let mut bad = y.clone();
    bad[3] = 10;
    assert_eq!(
        model.fit(&x, &bad, fit).unwrap_err(),
        DenseError::BadLabel {
            index: 3,
            label: 10
        }
    );
    let zero = Fit {
        batch_size: 0,
        ..fit
    };
    assert_eq!(
        model.fit(&x, &y, zero).unwrap_err(),
        DenseError::ZeroBatchSize
    );
    let none = dev.tensor_from_vec(Vec::<f32>::new(), (0, Const::<784>));
    assert_eq!(model.evaluate(&none, &[]).unwrap_err(), DenseError::Empty);
}

#[test]
fn the_batch_generator_cuts_mnist_into_469_batches() {
    let dev = Cpu::seed_from_u64(0);
    let labels = vec![1_u8; 60_000];
    let images: scratch::Matrix<Cpu> = dev.zeros_like(&(60_000, 2));
    let batches = BatchGenerator::new(&images, &labels, 128);
    assert_eq!(batches.num_batches, 469);
    let sizes: Vec<usize> = batches
        .map(|(x, y)| {
            assert_eq!(x.shape().0, y.len());
            y.len()
        })
        .collect();
    assert_eq!(sizes.len(), 469);
    assert_eq!(sizes[0], 128);
    assert_eq!(sizes[468], 96);
}

#[test]
fn the_naive_model_learns_with_plain_gradient_descent() {
    let dev = Cpu::seed_from_u64(0);
    let (x, y) = small_data(&dev, 256);
    let x: scratch::Matrix<Cpu> = x.reshape_like(&(256, 784));
    let mut model = NaiveSequential::new(vec![
        NaiveDense::new(&dev, 784, 64, Activation::Relu),
        NaiveDense::new(&dev, 64, 10, Activation::Softmax),
    ]);
    assert_eq!(model.weights().len(), 2);
    let w = model.layers[0].w.as_vec();
    assert!(w.iter().all(|&v| (0.0..0.1).contains(&v)));
    let before = scratch::evaluate(&model, &x, &y);
    let first = scratch::one_training_step(&mut model, x.clone(), &y, 1e-3);
    let second = scratch::one_training_step(&mut model, x.clone(), &y, 1e-3);
    assert!(second < first, "{first} -> {second}");
    let losses = scratch::fit(&mut model, &x, &y, 40, 64, 1e-3);
    assert_eq!(losses.len(), 160);
    assert!(losses[159] < 0.85 * first, "{first} -> {}", losses[159]);
    let after = scratch::evaluate(&model, &x, &y);
    assert!(after > before, "{before} -> {after}");
    // The gradient reaches the bias: it moved from zero.
    assert!(model.layers[1].b.as_vec().iter().any(|&b| b != 0.0));
}

#[test]
fn figures_draw() {
    let fig = plots::training_loop().unwrap();
    let svg = fig.as_str().unwrap();
    for label in ["입력 X", "손실 함수", "옵티마이저", "가중치 업데이트"] {
        assert!(svg.contains(label), "{label}");
    }
    let mnist = Mnist::load().unwrap();
    let fig = plots::digits_with_predictions(
        &mnist.test_images[..3],
        &[7, 2, 0],
        &mnist.test_labels[..3],
    )
    .unwrap();
    assert_eq!(fig.size(), (3 * (84 + 18) + 18, 84 + 80));
}

#[test]
fn training_curves_label_whole_epochs() {
    let loss = [0.26, 0.1, 0.07, 0.05, 0.04];
    let accuracy = [0.92, 0.97, 0.98, 0.985, 0.99];
    let fig = plots::training_curves(&loss, &accuracy).unwrap();
    let svg = fig.as_str().unwrap();
    for epoch in 1..=5 {
        // Each whole epoch labels both charts' x axes.
        assert_eq!(svg.matches(&format!(">\n{epoch}\n<")).count(), 2, "{epoch}");
    }
    for fraction in ["2.0", "5.0", "0.5", "5.5"] {
        assert!(!svg.contains(&format!(">\n{fraction}\n<")), "{fraction}");
    }
}

#[test]
fn the_pad_forward_pass_computes_what_predict_computes() {
    use nnblocks_dense::pad;
    let dev = Cpu::seed_from_u64(0);
    let mnist = Mnist::load().unwrap();
    let mut model = compiled(&dev);
    let (x, labels) = small_data(&dev, 1000);
    let fit = Fit {
        epochs: 1,
        batch_size: 128,
        verbose: false,
        ..Fit::default()
    };
    model.fit(&x, &labels, fit).unwrap();
    let params = pad::parameters(&model.network);
    assert_eq!(params.len(), pad::PARAMETERS);
    assert_eq!(params.len(), model.network.num_trainable_params());
    // The order the page reads: W1 as [512][784], b1, W2 as [10][512], b2.
    let w1 = model.network.0.weight.as_vec();
    let b2 = model.network.2.bias.as_vec();
    assert_eq!(params[785], f64::from(w1[785]));
    assert_eq!(params[pad::PARAMETERS - 1], f64::from(b2[9]));
    let w2 = model.network.2.weight.as_vec();
    assert_eq!(params[784 * 512 + 512 + 513], f64::from(w2[513]));

    let x_test = mnist.test_images.to_flat_f32(&dev).slice((0..20, ..));
    let expected = model.predict(&x_test).as_vec();
    for (i, image) in mnist.test_images[..20].iter().enumerate() {
        let pixels = pad::pixels(image);
        assert_eq!(pixels.len(), 784);
        let probs = pad::probabilities(&params, &pixels);
        assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for (p, e) in probs.iter().zip(&expected[i * 10..(i + 1) * 10]) {
            assert!((p - f64::from(*e)).abs() < 1e-5, "image {i}: {p} vs {e}");
        }
    }
}
