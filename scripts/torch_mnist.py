#!/usr/bin/env python3
"""The MNIST network of the book's section 2.1 in PyTorch, the twin of
scripts/keras_mnist.py, timed like `cargo bench -p nnblocks-dense --bench fit`
times nnblocks: same data (the repository's data/mnist files), same model
(Linear 784-512 relu, Linear 512-10; the softmax is folded into the
cross-entropy), Keras' initialisation (glorot_uniform weights, zero biases)
and Keras' rmsprop defaults (lr 1e-3, rho 0.9, eps 1e-7), sparse categorical
cross-entropy, 5 epochs of batches of 128, shuffled each epoch, seed 0.

To be fair to the GPU the whole training set is put on the device once and
the batches are cut there from a torch.randperm permutation (no DataLoader);
the clock stops after torch.cuda.synchronize(). A short untimed warm-up (20
steps on a throwaway model) comes first, so that CUDA context and cuBLAS
initialisation are not counted. The train loss is the mean over the samples
of the last epoch, as in Keras' history.

Needs Python 3 with PyTorch (`pip install torch`); installs nothing, and
does not need NumPy. Prints one line per repetition and the peak resident
memory of the process (and, on CUDA, the peak GPU memory), in the format of
the Rust bench (figures illustrative):

    torch fit: 2.31 s, 0.46 s/epoch, train loss 0.0379, test acc 0.9794, device cuda (NVIDIA H100 80GB HBM3)
    torch peak RSS: 1090 MB
    torch peak GPU memory: 260 MB

Usage: python3 scripts/torch_mnist.py [--device cuda|cpu] [--reps N] [--epochs N]
"""

import argparse
import gzip
import os
import resource
import struct
import sys
import time

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "mnist")
FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
FILES += ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
# See crates/dense/benches/fit.rs: forward of both layers, weight gradients
# of both, input gradient of the second; per sample.
FLOP_PER_SAMPLE = 2.0 * (784 * 512 * 2 + 512 * 10 * 3)
BATCH = 128


def die(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def read_idx(torch, name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        data = bytearray(f.read())
    (magic,) = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    values = torch.frombuffer(data, dtype=torch.uint8, offset=4 + 4 * dims)
    return values.reshape(shape)


def new_model(torch, device):
    model = torch.nn.Sequential(
        torch.nn.Linear(28 * 28, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)
    ).to(device)
    for layer in (model[0], model[2]):
        torch.nn.init.xavier_uniform_(layer.weight)  # Keras' glorot_uniform
        torch.nn.init.zeros_(layer.bias)
    # Keras' RMSprop defaults: rho 0.9, epsilon 1e-7, no momentum, not centered.
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    return model, opt


def fit(torch, model, opt, x, y, epochs, max_steps=None):
    """Trains in place; returns the mean loss over the samples of the last epoch."""
    n, steps = len(x), 0
    for _ in range(epochs):
        perm = torch.randperm(n, device=x.device)
        total = torch.zeros((), device=x.device)
        for start in range(0, n, BATCH):
            idx = perm[start : start + BATCH]
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.detach() * len(idx)
            steps += 1
            if max_steps is not None and steps >= max_steps:
                return total / (start + len(idx))
    return total / n


def sync(torch, device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", help="cuda (default if available) or cpu")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()

    for name in FILES:
        path = os.path.normpath(os.path.join(DATA, name))
        if not os.path.isfile(path):
            die(f"missing data file {path}")
    try:
        import torch
    except ImportError as e:
        die(f"cannot import torch ({e}); install it with `pip install torch`")

    default = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(args.device or default)
    if device.type == "cuda" and not torch.cuda.is_available():
        die("--device cuda, but PyTorch sees no CUDA GPU here")
    if device.type == "cuda":
        where = f"device cuda ({torch.cuda.get_device_name(device)})"
    else:
        where = f"device {device.type} ({torch.get_num_threads()} threads)"

    # The book's preprocessing, then one copy of each set on the device; the
    # uint8 images are freed once converted.
    train_images = read_idx(torch, "train-images-idx3-ubyte.gz")
    x_train = (train_images.reshape(60000, 28 * 28).float() / 255).to(device)
    del train_images
    test_images = read_idx(torch, "t10k-images-idx3-ubyte.gz")
    x_test = (test_images.reshape(10000, 28 * 28).float() / 255).to(device)
    del test_images
    y_train = read_idx(torch, "train-labels-idx1-ubyte.gz").long().to(device)
    y_test = read_idx(torch, "t10k-labels-idx1-ubyte.gz").long().to(device)

    flop = FLOP_PER_SAMPLE * len(x_train) * args.epochs
    print(
        f"torch {torch.__version__}: {args.epochs} epochs, batch {BATCH}, "
        f"{flop / 1e9:.1f} GFLOP per fit, {where}",
        flush=True,
    )

    # Untimed warm-up: CUDA context, cuBLAS handles, kernels, allocator.
    model, opt = new_model(torch, device)
    fit(torch, model, opt, x_train, y_train, 1, max_steps=20).item()
    del model, opt
    sync(torch, device)

    for _ in range(args.reps):
        torch.manual_seed(0)
        model, opt = new_model(torch, device)
        sync(torch, device)
        start = time.perf_counter()
        loss = fit(torch, model, opt, x_train, y_train, args.epochs)
        sync(torch, device)
        seconds = time.perf_counter() - start
        with torch.no_grad():
            test_acc = (model(x_test).argmax(1) == y_test).float().mean().item()
        print(
            f"torch fit: {seconds:.2f} s, {seconds / args.epochs:.2f} s/epoch, "
            f"train loss {loss.item():.4f}, test acc {test_acc:.4f}, {where}",
            flush=True,
        )
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"torch peak RSS: {peak_kb / 1024:.0f} MB")
    if device.type == "cuda":
        peak = torch.cuda.max_memory_allocated(device)
        print(f"torch peak GPU memory: {peak / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
