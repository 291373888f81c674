#!/usr/bin/env bash
# A real `cargo build --features cuda` of the workspace and of the book's
# snippet registry on a machine WITHOUT a GPU (see docs/CUDA.md).
#
# - CUDA 13.0 pieces come from NVIDIA's PyPI wheels (pip download, no install),
#   unpacked under target/cuda-toolkit/root (gitignored), pinned to 13.0 to
#   match the lent GPU machines (driver 580 = CUDA 13.0; a newer nvcc would
#   emit PTX that driver cannot load).
# - libcuda.so (the driver) is not in any wheel: a stub with the SONAME
#   libcuda.so.1 exporting every cu* function cudarc 0.9.15 declares is
#   compiled here; at run time the GPU machine's real driver is used.
# - dfdx's build.rs asks `nvidia-smi` for the compute capability: a fake one
#   answers $CUDA_COMPUTE_CAP (default 90, H100/H200).
# - Builds go to target/cuda (CARGO_TARGET_DIR), never over the CPU build.
#
# Usage: scripts/cuda/build.sh [--no-registry]
# Env:   CUDA_COMPUTE_CAP (default 90)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT_DIR=$PWD

CAP=${CUDA_COMPUTE_CAP:-90}
TK=$ROOT_DIR/target/cuda-toolkit
CUDA=$TK/root                 # what CUDA_ROOT points at: bin/ include/ lib/ nvvm/
WHEELS=$TK/wheels
FAKE=$TK/fake-bin
OUT=$ROOT_DIR/target/cuda     # CARGO_TARGET_DIR of the CUDA builds
say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Pinned CUDA 13.0 wheels (nvcc 13.0 is what the GPU machines have).
PKGS=(
    nvidia-cuda-nvcc==13.0.88     # nvcc, ptxas, fatbinary
    nvidia-nvvm==13.0.88          # cicc + libnvvm (nvcc's front half)
    nvidia-cuda-crt==13.0.88      # include/crt (nvcc's host headers)
    nvidia-cuda-cccl==13.0.85     # include/nv/target (cuda_fp16.h needs it), include/cccl
    nvidia-cuda-runtime==13.0.96  # include/cuda.h, cuda_runtime.h, libcudart
    nvidia-cuda-nvrtc==13.0.88    # libnvrtc.so.13 (dfdx compiles some kernels at run time)
    nvidia-cublas==13.0.2.14      # libcublas.so.13, libcublasLt.so.13 (420 MB wheel)
)

# 1. Download the wheels (idempotent: pip skips files already there).
say "1/5 CUDA 13.0 wheels from PyPI into $WHEELS"
mkdir -p "$WHEELS"
have_all=1
for p in "${PKGS[@]}"; do
    name=${p%%==*}; ver=${p##*==}
    ls "$WHEELS/${name//-/_}-$ver-"*.whl >/dev/null 2>&1 || have_all=0
done
if [ $have_all = 0 ]; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 --platform manylinux_2_12_x86_64 \
        --python-version 3.11 -d "$WHEELS" "${PKGS[@]}"
else
    echo "all ${#PKGS[@]} wheels already downloaded" >&2
fi

# 2. Unpack them into one CUDA root (the wheels' nvidia/cu13/ trees merge).
say "2/5 unpack into $CUDA"
stamp="$CUDA/.wheels"
want=$(cd "$WHEELS" && ls ./*.whl | sort | tr '\n' ' ')
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    rm -rf "$CUDA" "$TK/unpack"
    mkdir -p "$TK/unpack"
    for w in "$WHEELS"/*.whl; do
        # Skip what the build never uses (nvblas, static libs, the .alt nvrtc).
        unzip -q -o "$w" 'nvidia/cu13/*' -x '*/libnvblas*' '*.a' '*nvrtc*.alt.*' -d "$TK/unpack" \
            2>&1 | { grep -v 'caution: excluded filename not matched' || true; }
    done
    mv "$TK/unpack/nvidia/cu13" "$CUDA"
    rm -rf "$TK/unpack"
    echo "$want" > "$stamp"
else
    echo "already unpacked" >&2
fi
# The linker wants unversioned names; the wheels ship only SONAME files.
for so in "$CUDA"/lib/*.so.*; do
    base=$(basename "$so"); plain=${base%%.so.*}.so
    [ -e "$CUDA/lib/$plain" ] || ln -s "$base" "$CUDA/lib/$plain"
done

# 3. The libcuda stub: every cu* function of cudarc's driver bindings, each
#    returning CUDA_ERROR_STUB_LIBRARY (34). SONAME libcuda.so.1, like the driver.
say "3/5 libcuda.so stub in $CUDA/lib64/stubs"
SYS=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/cudarc-0.9.15/src/driver/sys.rs 2>/dev/null | head -1 || true)
if [ -z "$SYS" ]; then
    cargo fetch --quiet
    SYS=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/cudarc-0.9.15/src/driver/sys.rs | head -1)
fi
mkdir -p "$CUDA/lib64/stubs"
if [ ! -f "$CUDA/lib64/stubs/libcuda.so" ] || [ "$SYS" -nt "$CUDA/lib64/stubs/libcuda.so" ]; then
    grep -oE 'pub fn cu[A-Za-z0-9_]+' "$SYS" | awk '{print $3}' | sort -u |
        awk '{print "int " $1 "(void) { return 34; }"}' > "$TK/libcuda_stub.c"
    cc -shared -fPIC -O0 -Wl,-soname,libcuda.so.1 -o "$CUDA/lib64/stubs/libcuda.so" "$TK/libcuda_stub.c"
fi
echo "$(wc -l < "$TK/libcuda_stub.c") stub functions" >&2

# 4. A fake nvidia-smi for dfdx's build.rs (it only runs
#    `nvidia-smi --query-gpu=compute_cap --format=csv`).
say "4/5 fake nvidia-smi answering compute_cap ${CAP:0:1}.${CAP:1}"
mkdir -p "$FAKE"
cat > "$FAKE/nvidia-smi" <<EOF
#!/bin/sh
# Fake, for building without a GPU (scripts/cuda/build.sh).
printf 'compute_cap\n%s\n' "${CAP:0:1}.${CAP:1}"
EOF
chmod +x "$FAKE/nvidia-smi"

export PATH="$CUDA/bin:$FAKE:$PATH"
export CUDA_ROOT="$CUDA"
export CUDA_COMPUTE_CAP="$CAP"
export CARGO_TARGET_DIR="$OUT"
echo "PATH+=$CUDA/bin:$FAKE  CUDA_ROOT=$CUDA_ROOT  CUDA_COMPUTE_CAP=$CAP  CARGO_TARGET_DIR=$OUT" >&2
nvcc --version | tail -2 >&2

# 5. The builds.
say "5/5 cargo build --features cuda"
features=$(bash .ci/cuda-features | sed 's/,dfdx\/ci-check//')
echo "+ cargo build --workspace --features $features" >&2
cargo build --workspace --features "$features"

# A tiny program that really uses the CUDA device (driver, cuBLAS, NVRTC) and
# compares with the CPU: the first thing to run on a GPU.
echo "+ cargo build --manifest-path scripts/cuda/smoke/Cargo.toml" >&2
cargo build --manifest-path scripts/cuda/smoke/Cargo.toml
smoke=$OUT/debug/nnblocks-cuda-smoke
say "built $smoke ($(du -h "$smoke" | cut -f1))"
readelf -d "$smoke" | grep NEEDED >&2
# What the binary asks of the driver and the CUDA 13 libraries: on the GPU,
# check each against `nm -D` of the real libcuda.so.1.
nm -D --undefined-only "$smoke" | awk '$2 ~ /^(cu|nvrtc|cublas)/ {print $2}' > "$OUT/smoke-cuda-symbols.txt"
echo "$(wc -l < "$OUT/smoke-cuda-symbols.txt") CUDA symbols listed in $OUT/smoke-cuda-symbols.txt" >&2

# The MNIST fit benchmark on CUDA (AutoDevice is Cuda with the feature).
echo "+ cargo build -p nnblocks-dense --bench fit --features nnblocks-dense/cuda" >&2
fit=$(cargo build -p nnblocks-dense --bench fit --features nnblocks-dense/cuda \
    --message-format=json | sed -n 's/.*"executable":"\([^"]*\/fit-[^"]*\)".*/\1/p' | tail -1)
cp "$fit" "$OUT/fit-cuda"
say "built $OUT/fit-cuda ($(du -h "$OUT/fit-cuda" | cut -f1))"

if [ "${1:-}" != "--no-registry" ]; then
    # The book's registry (every snippet in one binary) and the plan of the
    # device check, written by the engine as the CPU build sees the book
    # (same program ids, CPU store keys); then compiled here for CUDA.
    reg=$ROOT_DIR/target/nnblocks/registry
    echo "+ (CPU) cargo run -q -- device-plan target/device/plan.json   # also writes $reg" >&2
    (unset CARGO_TARGET_DIR; cargo run -q -- device-plan target/device/plan.json)
    echo "+ cargo build --manifest-path $reg/Cargo.toml --features cuda --bin nnblocks-registry" >&2
    cargo build --manifest-path "$reg/Cargo.toml" --features cuda --bin nnblocks-registry
    bin=$OUT/debug/nnblocks-registry
    say "built $bin ($(du -h "$bin" | cut -f1))"
    echo "dynamic libraries it needs:" >&2
    readelf -d "$bin" | grep NEEDED >&2
    readelf -d "$bin" | grep -q libcuda || die "the registry links no CUDA library: a snippet still names Cpu?"
    echo "CUDA include dir baked in for run-time nvrtc: $CUDA/include" >&2
fi
