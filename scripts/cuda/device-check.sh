#!/usr/bin/env bash
# The book on a GPU: runs on a lent GPU machine (no cargo, no network), from
# the repository root, with target/device carried from scripts/cuda/bundle.sh.
#
#   1. the machine, and the CUDA 13 libraries the binaries link
#      (libcublas.so.13, libnvrtc.so.13) found on it; every symbol resolves?
#   2. the smoke program: driver, cuBLAS, NVRTC against the CPU
#   3. every runnable snippet of the book on CUDA against the committed CPU
#      outputs (nnblocks device-check): snippet | match | time
#   4. the MNIST fit (784-512-10, rmsprop, batch 128, 5 epochs): nnblocks on
#      the GPU, nnblocks on this machine's CPUs, PyTorch on the same GPU
#
# Writes everything to $OUT (the device tool's folder) or target/device/out.
# Usage: bash scripts/cuda/device-check.sh
set -uo pipefail
D=target/device
R=${OUT:-$D/out}
mkdir -p "$R"
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*"; exit 1; }
# The device tool stops a command at 600 s: finish before, so the tables get
# written. Each step gets at most its own limit, and never the seconds kept
# for the steps after it (the fit comes last but must not be starved).
DEADLINE=$((SECONDS + ${NNBLOCKS_DEVICE_SECONDS:-570}))
limit() { # LIMIT KEEP: seconds for this step
    local left=$((DEADLINE - SECONDS - $2))
    echo $(($1 < left ? $1 : left > 10 ? left : 10))
}

main() {
failed=""   # the steps that failed; the exit status says whether any did
[ -f "$D/bundle.tar.xz" ] && [ -f "$D/plan.json" ] ||
    fail "no $D/bundle.tar.xz or $D/plan.json: run scripts/cuda/bundle.sh on the build machine and carry target/device"

step "1. machine"
nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader
echo "$(nproc) CPUs; repository at $PWD"
python3 -c 'import tarfile; tarfile.open("target/device/bundle.tar.xz").extractall("target/device", filter="data")' ||
    fail "cannot unpack $D/bundle.tar.xz"
B=$D/bin
echo "bundle built from commit $(cat "$B/commit") at $(cat "$B/build-root")"

# The binaries were built at $(cat build-root): they read data/mnist and
# NVRTC's include dir below it. Make that path lead here.
built=$(cat "$B/build-root")
if [ "$built" != "$PWD" ]; then
    [ -e "$built" ] && fail "$built exists and is not this checkout"
    mkdir -p "$(dirname "$built")" && ln -s "$PWD" "$built"
fi
inc=target/cuda-toolkit/root/include
site=$(python3 -c 'import nvidia, os; print(os.path.join(list(nvidia.__path__)[0], "cu13"))' 2>/dev/null)
if [ ! -e "$inc/cuda_fp16.h" ]; then
    for cand in /usr/local/cuda/include "$site/include"; do
        if [ -e "$cand/cuda_fp16.h" ]; then mkdir -p "$(dirname "$inc")" && ln -sfn "$cand" "$inc"; break; fi
    done
fi
echo "NVRTC headers: $inc -> $(readlink -f "$inc")"

libs=""
for lib in libcublas.so.13 libnvrtc.so.13; do
    dir=""
    for cand in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib "$site/lib"; do
        if [ -e "$cand/$lib" ]; then dir=$cand; break; fi
    done
    [ -n "$dir" ] || fail "$lib not found (looked in /usr/local/cuda and $site)"
    echo "$lib: $dir"
    case ":$libs:" in *":$dir:"*) ;; *) libs=${libs:+$libs:}$dir ;; esac
done
# The driver's libcuda.so.1 is normally on the loader's path already; if
# not, look where driver mounts put it (never cuda/compat or the stubs).
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1 '; then
    for cand in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
        if [ -e "$cand/libcuda.so.1" ]; then libs=$libs:$cand; echo "libcuda.so.1: $cand"; break; fi
    done
fi
export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for bin in nnblocks-cuda-smoke nnblocks-registry fit-cuda; do
    missing=$(ldd -r "$B/$bin" 2>&1 | grep -E 'not found|undefined symbol')
    echo "$bin: ${missing:-every library and symbol resolves}"
done

step "2. smoke: driver, cuBLAS, NVRTC against the CPU"
timeout "$(limit 90 330)" "$B/nnblocks-cuda-smoke"
rc=$?; echo "smoke exit: $rc"; [ "$rc" = 0 ] || failed="$failed smoke"

step "3. every snippet of the book on CUDA against the CPU store"
timeout "$(limit 420 150)" "$B/nnblocks" --root "$PWD" device-check "$D/plan.json" "$B/nnblocks-registry" "$R/snippets.md" 2>"$R/snippets-progress.log"
rc=$?; echo "book check exit: $rc (table in $R/snippets.md)"; [ "$rc" = 0 ] || failed="$failed snippets"

step "4. MNIST fit: nnblocks on the GPU, on $(nproc) CPUs, PyTorch on the GPU"
NNBLOCKS_BENCH_REPS=3 timeout "$(limit 120 90)" "$B/fit-cuda" --bench | tee "$R/fit.txt"
[ "${PIPESTATUS[0]}" = 0 ] || failed="$failed fit-cuda"
NNBLOCKS_BENCH_REPS=2 timeout "$(limit 60 60)" "$B/fit-cpu" --bench | sed 's/^nnblocks /nnblocks-cpu /' | tee -a "$R/fit.txt"
timeout "$(limit 150 5)" python3 scripts/torch_mnist.py --device cuda --reps 3 | tee -a "$R/fit.txt"
python3 - "$R/fit.txt" <<'PY'
import re, statistics, sys
runs, device = {}, {}
for line in open(sys.argv[1]):
    m = re.match(r"(nnblocks-cpu|nnblocks|torch) fit: ([\d.]+) s,.*test acc ([\d.]+)", line)
    if m:
        runs.setdefault(m[1], []).append((float(m[2]) / 5, float(m[3])))
    m = re.match(r"(nnblocks-cpu|nnblocks|torch)[ :].*batch 128, .*?(cuda|cpu)", line)
    if m:
        device[m[1]] = m[2]
def warm(name):  # the first repetition loads kernels and warms caches
    r = runs.get(name, [])
    return statistics.median(s for s, _ in (r[1:] or r)) if r else None
print("\n| fit (5 epochs, batch 128) | s/epoch, median of warm reps | test acc |")
print("| --- | ---: | ---: |")
labels = [("nnblocks", f"nnblocks on {device.get('nnblocks', '?')}"),
          ("nnblocks-cpu", "nnblocks on the CPUs"), ("torch", f"PyTorch on {device.get('torch', '?')}")]
for name, label in labels:
    s = warm(name)
    acc = runs[name][-1][1] if name in runs else float("nan")
    print(f"| {label} | {s:.3f} |" if s else f"| {label} | (no run) |", f"{acc:.4f} |")
g, c, t = warm("nnblocks"), warm("nnblocks-cpu"), warm("torch")
if g:
    print(f"\ntarget under 1 s/epoch on the GPU: {'met' if g < 1 else 'NOT met'} ({g:.3f})")
    if c: print(f"GPU vs CPU (nnblocks): {c / g:.2f}x faster on the GPU")
    if t: print(f"nnblocks vs PyTorch on the GPU: {g / t:.2f}x PyTorch's time per epoch")
PY
[ -z "$failed" ] || fail "failed:$failed"
echo "every step passed"
}

# Everything also goes to the log; the pipeline ends only once tee is done.
main 2>&1 | tee "$R/device-check.log"
