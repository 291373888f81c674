//! The element-wise loops of the fused training step (the fused kernels of
//! the first layer follow the same pattern in `fused`), compiled three times
//! (AVX-512, AVX2 with FMA, and plain) and picked at run time from what the
//! CPU supports: the crate itself is built for any x86-64, whose baseline
//! (SSE2) has neither FMA nor 256-bit registers.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Plain,
}

pub(crate) fn level() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Level::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Level::Avx2;
        }
    }
    Level::Plain
}

#[inline(always)]
fn rmsprop_body<const FMA: bool>(
    w: &mut [f32],
    g: &[f32],
    v: &mut [f32],
    lr: f32,
    rho: f32,
    eps: f32,
) {
    for ((w, &g), v) in w.iter_mut().zip(g).zip(v.iter_mut()) {
        let a = if FMA {
            (g * g).mul_add(1.0 - rho, rho * *v)
        } else {
            rho * *v + (1.0 - rho) * (g * g)
        };
        *v = a;
        *w -= lr * g / (a + eps).sqrt();
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    #[target_feature(enable = "avx512f")]
    pub fn rmsprop_avx512(w: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, rho: f32, eps: f32) {
        super::rmsprop_body::<true>(w, g, v, lr, rho, eps)
    }
    #[target_feature(enable = "avx2,fma")]
    pub fn rmsprop_avx2(w: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, rho: f32, eps: f32) {
        super::rmsprop_body::<true>(w, g, v, lr, rho, eps)
    }
}

/// Keras's RMSprop update of `w` with gradient `g` and squared average `v`.
pub fn rmsprop(w: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, rho: f32, eps: f32) {
    assert!(w.len() == g.len() && g.len() == v.len());
    match level() {
        // SAFETY: `level` checked that the CPU has these features.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { x86::rmsprop_avx512(w, g, v, lr, rho, eps) },
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { x86::rmsprop_avx2(w, g, v, lr, rho, eps) },
        Level::Plain => rmsprop_body::<false>(w, g, v, lr, rho, eps),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_computes_the_same_update() {
        let g: Vec<f32> = (0..50).map(|i| (i as f32 - 25.0) * 0.01).collect();
        let (mut w1, mut v1) = (vec![1.0_f32; 50], vec![0.01_f32; 50]);
        let (mut w2, mut v2) = (w1.clone(), v1.clone());
        rmsprop(&mut w1, &g, &mut v1, 1e-3, 0.9, 1e-7);
        rmsprop_body::<false>(&mut w2, &g, &mut v2, 1e-3, 0.9, 1e-7);
        for (a, b) in w1.iter().zip(&w2).chain(v1.iter().zip(&v2)) {
            assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
        }
    }
}
