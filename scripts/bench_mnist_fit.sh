#!/usr/bin/env bash
# The MNIST fit of the book's section 2.1, in nnblocks, in Keras and (when
# $TORCH_PYTHON is given) in PyTorch, on this machine's CPUs, in one run: they
# alternate, each repetition in a fresh process (so that each peak-memory
# figure is its own), and a summary gives medians and ratios.
#
# Needs: this repository's Rust toolchain (cargo), and a Python 3 that can
# import TensorFlow and Keras 3 (for example `python3 -m venv /tmp/keras &&
# /tmp/keras/bin/pip install tensorflow-cpu`), named by $PYTHON (default
# python3); optionally a Python that can import torch, named by $TORCH_PYTHON.
# Installs nothing; says what is missing and stops.
#
# Usage: PYTHON=/tmp/keras/bin/python [TORCH_PYTHON=/tmp/torch/bin/python] \
#            scripts/bench_mnist_fit.sh [REPS]   (REPS default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
python=${PYTHON:-python3}
torch_python=${TORCH_PYTHON:-}

if ! "$python" -c 'import tensorflow, keras, numpy' 2>/dev/null; then
    echo "error: '$python' cannot import tensorflow, keras and numpy." >&2
    echo "Install them in a virtual environment (pip install tensorflow-cpu) and set PYTHON to its python." >&2
    exit 2
fi
if [ -n "$torch_python" ] && ! "$torch_python" -c 'import torch' 2>/dev/null; then
    echo "error: TORCH_PYTHON='$torch_python' cannot import torch (pip install torch)." >&2
    exit 2
fi

echo "building the nnblocks bench (cargo bench --no-run) ..."
bench=$(cargo bench -p nnblocks-dense --bench fit --no-run --message-format=json 2>/dev/null |
    "$python" -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "fit":
        print(m["executable"])')
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for i in $(seq 1 "$reps"); do
    echo "--- repetition $i/$reps, load: $(cut -d' ' -f1-3 /proc/loadavg)"
    NNBLOCKS_BENCH_REPS=1 "$bench" --bench | tee -a "$log"
    "$python" scripts/keras_mnist.py --reps 1 2>/dev/null | tee -a "$log"
    if [ -n "$torch_python" ]; then
        "$torch_python" scripts/torch_mnist.py --device cpu --reps 1 2>/dev/null | tee -a "$log"
    fi
done
echo "--- load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$log" <<'PY'
import re, statistics, sys
runs = {"nnblocks": [], "keras": [], "torch": []}
rss = {"nnblocks": [], "keras": [], "torch": []}
for line in open(sys.argv[1]):
    m = re.match(r"(nnblocks|keras|torch) fit: ([\d.]+) s,.* test acc ([\d.]+)", line)
    if m:
        runs[m[1]].append((float(m[2]), float(m[3])))
    m = re.match(r"(nnblocks|keras|torch) peak RSS: (\d+) MB", line)
    if m:
        rss[m[1]].append(int(m[2]))
runs = {name: r for name, r in runs.items() if r}
flop = 2.0 * (784 * 512 * 2 + 512 * 10 * 3) * 60000 * 5
print("\nsummary (5 epochs, batch 128, seed 0)")
for name in runs:
    t = [s for s, _ in runs[name]]
    acc = [a for _, a in runs[name]]
    med = statistics.median(t)
    print(f"  {name:8} fit {min(t):6.2f}-{max(t):6.2f} s (median {med:.2f}), "
          f"{flop / med / 1e9:5.1f} GFLOP/s = {100 * flop / med / 1e9 / 195:4.1f}% of 195, "
          f"test acc {min(acc):.4f}-{max(acc):.4f}, peak RSS {max(rss[name])} MB")
ours = statistics.median(s for s, _ in runs["nnblocks"])
for name, label in [("keras", "Keras"), ("torch", "PyTorch")]:
    if name in runs:
        ratio = statistics.median(s for s, _ in runs[name]) / ours
        print(f"  nnblocks fit is {ratio:.2f}x faster than {label} (ratio of medians)")
PY
