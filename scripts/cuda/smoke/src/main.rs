//! Exercises every CUDA library the book's dfdx code links: the driver
//! (libcuda: context, memory, PTX modules built by nvcc at build time),
//! cuBLAS (matmul forward and backward) and NVRTC (`to_dtype` compiles its
//! kernel at run time), and compares each result with the CPU.
use dfdx::prelude::*;
use std::time::Instant;

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn main() {
    let t = Instant::now();
    let gpu = Cuda::seed_from_u64(0);
    println!("cuda device up in {:.2?}", t.elapsed());
    let cpu = Cpu::seed_from_u64(0);

    let a: Vec<f32> = (0..256 * 512)
        .map(|i| ((i % 97) as f32 - 48.0) / 50.0)
        .collect();
    let b: Vec<f32> = (0..512 * 128)
        .map(|i| ((i % 89) as f32 - 44.0) / 40.0)
        .collect();
    let mut ok = true;
    let mut check = |what: &str, d: f32, tol: f32| {
        let pass = d <= tol;
        ok &= pass;
        println!(
            "{what:<28} max |gpu - cpu| = {d:.3e}  {}",
            if pass { "ok" } else { "MISMATCH" }
        );
    };

    // cuBLAS + element-wise PTX kernels (relu, softmax, sum) + backward.
    let run_cpu = {
        let x = cpu.tensor_from_vec(a.clone(), (Const::<256>, Const::<512>));
        let w = cpu.tensor_from_vec(b.clone(), (Const::<512>, Const::<128>));
        let grads = x.alloc_grads();
        let y = x.trace(grads).matmul(w).relu().softmax::<Axis<1>>();
        let out = y.as_vec();
        let g = y.sum().backward();
        (out, g.get(&x).as_vec())
    };
    let t = Instant::now();
    let (out, grad) = {
        let x = gpu.tensor_from_vec(a.clone(), (Const::<256>, Const::<512>));
        let w = gpu.tensor_from_vec(b.clone(), (Const::<512>, Const::<128>));
        let grads = x.alloc_grads();
        let y = x.trace(grads).matmul(w).relu().softmax::<Axis<1>>();
        let out = y.as_vec();
        let g = y.sum().backward();
        (out, g.get(&x).as_vec())
    };
    println!("gpu forward + backward in {:.2?}", t.elapsed());
    check("matmul/relu/softmax", max_diff(&out, &run_cpu.0), 1e-4);
    check("backward (grad of x)", max_diff(&grad, &run_cpu.1), 1e-3);

    // NVRTC: to_dtype compiles its kernel at run time (with cuda_fp16.h).
    let x = gpu.tensor_from_vec(a[..1000].to_vec(), (1000,));
    let back = x.to_dtype::<f64>().to_dtype::<f32>().as_vec();
    check(
        "nvrtc to_dtype f32->f64->f32",
        max_diff(&back, &a[..1000]),
        0.0,
    );

    if !ok {
        std::process::exit(1);
    }
    println!("all ok");
}
