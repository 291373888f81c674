#!/usr/bin/env python3
"""The MNIST network of the book's section 2.1 in Keras, timed like
`cargo bench -p nnblocks-dense --bench fit` times nnblocks: same data (the
repository's data/mnist files), same model (Dense 512 relu, Dense 10
softmax), same compile (rmsprop, sparse categorical cross-entropy,
accuracy) and same fit (5 epochs, batches of 128), seed 0.

Needs Python 3 with TensorFlow and Keras 3 (`pip install tensorflow-cpu`);
installs nothing. Prints one line per repetition and the peak resident
memory of the process, in the format of the Rust bench:

    keras fit: 19.52 s, train loss 0.0379, test acc 0.9794, 25.1 GFLOP/s = 12.9% of 195 GFLOP/s
    keras peak RSS: 1090 MB

Usage: python3 scripts/keras_mnist.py [--reps N] [--epochs N]
"""

import argparse
import gzip
import os
import resource
import struct
import time

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "mnist")
# See crates/dense/benches/fit.rs: forward of both layers, weight gradients
# of both, input gradient of the second; per sample.
FLOP_PER_SAMPLE = 2.0 * (784 * 512 * 2 + 512 * 10 * 3)
PEAK_GFLOPS = 195.0


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()

    import keras
    import tensorflow as tf
    from keras import layers

    # The book's preprocessing; the uint8 images are freed once converted.
    train_images = read_idx("train-images-idx3-ubyte.gz")
    x_train = train_images.reshape((60000, 28 * 28)).astype("float32") / 255
    del train_images
    test_images = read_idx("t10k-images-idx3-ubyte.gz")
    x_test = test_images.reshape((10000, 28 * 28)).astype("float32") / 255
    del test_images
    y_train = read_idx("train-labels-idx1-ubyte.gz")
    y_test = read_idx("t10k-labels-idx1-ubyte.gz")

    flop = FLOP_PER_SAMPLE * len(x_train) * args.epochs
    print(f"keras {keras.__version__} on tensorflow {tf.__version__}: {args.epochs} epochs, "
          f"batch 128, {flop / 1e9:.1f} GFLOP per fit", flush=True)
    for _ in range(args.reps):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([
            layers.Dense(512, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer="rmsprop",
                      loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        start = time.perf_counter()
        history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=128, verbose=0)
        seconds = time.perf_counter() - start
        _, test_acc = model.evaluate(x_test, y_test, verbose=0)
        gflops = flop / seconds / 1e9
        print(f"keras fit: {seconds:.2f} s, train loss {history.history['loss'][-1]:.4f}, "
              f"test acc {test_acc:.4f}, {gflops:.1f} GFLOP/s = "
              f"{100 * gflops / PEAK_GFLOPS:.1f}% of {PEAK_GFLOPS:.0f} GFLOP/s", flush=True)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"keras peak RSS: {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
