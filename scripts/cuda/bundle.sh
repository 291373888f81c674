#!/usr/bin/env bash
# Prepares, on this machine, everything a lent GPU machine needs to check the
# book on CUDA (it has no Rust toolchain and no network): builds with
# scripts/cuda/build.sh, then packs into target/device/
#
#   plan.json        the device plan: every runnable snippet and its CPU store key
#   bundle.tar.xz    stripped x86-64 binaries:
#                      nnblocks             the engine (CPU build), runs `device-check`
#                      nnblocks-registry    every snippet of the book, built --features cuda
#                      fit-cuda, fit-cpu    the MNIST fit benchmark on the GPU and on the CPU
#                      nnblocks-cuda-smoke  driver, cuBLAS and NVRTC against the CPU
#                      build-root           this checkout's path, baked into the binaries
#                      commit               the commit they were built from
#
# Carry `target/device` (the device tool's `carry`) and run
# scripts/cuda/device-check.sh there; see docs/CUDA.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT_DIR=$PWD
D=$ROOT_DIR/target/device
say() { printf '\n== %s\n' "$*" >&2; }

bash scripts/cuda/build.sh

say "CPU builds: the engine and the fit benchmark"
cargo build --bin nnblocks
cpu_fit=$(cargo build -p nnblocks-dense --bench fit --message-format=json |
    sed -n 's/.*"executable":"\([^"]*\/fit-[^"]*\)".*/\1/p' | tail -1)

say "packing $D"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/bin"
pack() { strip -o "$stage/bin/$2" "$1"; }
pack target/debug/nnblocks nnblocks
pack target/cuda/debug/nnblocks-registry nnblocks-registry
pack target/cuda/fit-cuda fit-cuda
pack "$cpu_fit" fit-cpu
pack target/cuda/debug/nnblocks-cuda-smoke nnblocks-cuda-smoke
# Where the binaries look for data/mnist and for NVRTC's headers (dfdx bakes
# target/cuda-toolkit/root/include in): device-check.sh links it there.
echo "$ROOT_DIR" > "$stage/bin/build-root"
# Which commit the plan's store keys belong to (a stale bundle shows as NOT STORED).
git describe --always --dirty > "$stage/bin/commit" 2>/dev/null || echo unknown > "$stage/bin/commit"
ls -l "$stage/bin" >&2
tar -C "$stage" -cJf "$D/bundle.tar.xz.tmp" bin
mv "$D/bundle.tar.xz.tmp" "$D/bundle.tar.xz"
du -b "$D/plan.json" "$D/bundle.tar.xz" >&2
total=$(du -cb "$D/plan.json" "$D/bundle.tar.xz" | tail -1 | cut -f1)
say "target/device: $((total / 1024 / 1024)) MiB to carry (limit 64 MiB)"
