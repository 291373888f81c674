//! The element-wise loops of the fused training step (the fused kernels of
//! the first layer follow the same pattern in `fused`), compiled three times
//! (AVX-512, AVX2 with FMA, and plain) and picked at run time from what the
//! CPU supports: the crate itself is built for any x86-64, whose baseline
//! (SSE2) has neither FMA nor 256-bit registers.
//!
//! Every kernel of the crate picks its path through [`level`], once per
//! process. Setting the environment variable `NNBLOCKS_PORTABLE_KERNELS` to
//! anything but `0` (an empty value counts as unset) makes it pick the plain
//! path on any CPU, so that CI can run the whole book with the kernels an ARM
//! or Apple machine runs and check that every stored output still matches
//! within its snippet's tolerance. (The `gemm` crate that the dense products
//! call keeps choosing its own kernels from the CPU; no switch reaches it.)

use std::ffi::OsStr;
use std::sync::OnceLock;

/// The environment variable that forces the plain path of every kernel of
/// this crate: set to anything but `0` (empty counts as unset), read once.
pub const PORTABLE_KERNELS_VAR: &str = "NNBLOCKS_PORTABLE_KERNELS";

/// An instruction set our kernels are compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Plain,
}

impl Isa {
    /// Every instruction set of this architecture, fastest first.
    pub(crate) const ALL: &[Isa] = &[
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2,
        Isa::Plain,
    ];

    /// Whether this CPU has every feature the kernels of `self` are compiled
    /// with (`#[target_feature]`).
    fn runs_here(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            Isa::Plain => true,
        }
    }
}

/// An instruction set that this CPU runs. Only this module makes one, and
/// only after checking the CPU ([`Level::new`]), so holding a `Level` is the
/// proof that the `unsafe` calls of the `#[target_feature]` kernels rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Level(Isa);

impl Level {
    /// The plain path, which every CPU runs.
    pub(crate) const PLAIN: Level = Level(Isa::Plain);

    /// `isa`, if this CPU runs it.
    pub(crate) fn new(isa: Isa) -> Option<Level> {
        isa.runs_here().then_some(Level(isa))
    }

    /// The fastest instruction set this CPU runs.
    fn detected() -> Level {
        Isa::ALL
            .iter()
            .find_map(|&isa| Level::new(isa))
            .unwrap_or(Level::PLAIN)
    }

    pub(crate) fn isa(self) -> Isa {
        self.0
    }
}

/// Whether a value of [`PORTABLE_KERNELS_VAR`] (`None`: unset) asks for the
/// plain path: anything but empty or `0`.
fn portable_requested(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0")
}

/// The level the kernels use, given the value of [`PORTABLE_KERNELS_VAR`]
/// and the level detected on this CPU.
pub(crate) fn level_from(portable: Option<&OsStr>, detected: Level) -> Level {
    if portable_requested(portable) {
        Level::PLAIN
    } else {
        detected
    }
}

/// The level every kernel of the crate uses: the fastest this CPU runs, or
/// the plain one under [`PORTABLE_KERNELS_VAR`]; decided on the first call.
pub(crate) fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        level_from(
            std::env::var_os(PORTABLE_KERNELS_VAR).as_deref(),
            Level::detected(),
        )
    })
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
    rmsprop_at(level(), w, g, v, lr, rho, eps)
}

/// [`rmsprop`] on the path of `level`.
fn rmsprop_at(level: Level, w: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, rho: f32, eps: f32) {
    assert!(w.len() == g.len() && g.len() == v.len());
    match level.isa() {
        // SAFETY: `rmsprop_avx512` only requires AVX-512F, and a `Level` of
        // `Isa::Avx512` exists only where `is_x86_feature_detected!("avx512f")`
        // said yes (`Level::new`).
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::rmsprop_avx512(w, g, v, lr, rho, eps) },
        // SAFETY: `rmsprop_avx2` only requires AVX2 and FMA, and a `Level` of
        // `Isa::Avx2` exists only where `is_x86_feature_detected!` found both
        // (`Level::new`).
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { x86::rmsprop_avx2(w, g, v, lr, rho, eps) },
        Isa::Plain => rmsprop_body::<false>(w, g, v, lr, rho, eps),
    }
}

/// Runs `check` at every level this CPU supports, and says on the test's
/// standard error (written directly, so that the harness does not swallow
/// it) which levels it skips.
#[cfg(test)]
pub(crate) fn for_each_level(what: &str, mut check: impl FnMut(Level)) {
    use std::io::Write;
    for &isa in Isa::ALL {
        match Level::new(isa) {
            Some(level) => check(level),
            None => {
                let _ = writeln!(
                    std::io::stderr(),
                    "note: {what}: {isa:?} not checked, this CPU does not run it"
                );
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = writeln!(
            std::io::stderr(),
            "note: {what}: only the plain path is compiled on this architecture"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_level_computes_the_same_update() {
        // 50 values: whole vectors of 16 and 8 lanes, and a remainder.
        let g: Vec<f32> = (0..50).map(|i| (i as f32 - 25.0) * 0.01).collect();
        let (mut w0, mut v0) = (vec![1.0_f32; 50], vec![0.01_f32; 50]);
        rmsprop_body::<false>(&mut w0, &g, &mut v0, 1e-3, 0.9, 1e-7);
        for_each_level("rmsprop", |level| {
            let (mut w, mut v) = (vec![1.0_f32; 50], vec![0.01_f32; 50]);
            rmsprop_at(level, &mut w, &g, &mut v, 1e-3, 0.9, 1e-7);
            for (a, b) in w.iter().zip(&w0).chain(v.iter().zip(&v0)) {
                assert!(
                    (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                    "{level:?}: {a} vs {b}"
                );
            }
        });
    }

    #[test]
    fn the_portable_switch_forces_the_plain_level() {
        let os = |s: &'static str| Some(OsStr::new(s));
        for &isa in Isa::ALL {
            let Some(detected) = Level::new(isa) else {
                continue;
            };
            for on in ["1", "yes", "true", " "] {
                assert_eq!(level_from(os(on), detected), Level::PLAIN, "{on:?}");
            }
            for off in [None, os(""), os("0")] {
                assert_eq!(level_from(off, detected), detected, "{off:?}");
            }
        }
        assert_eq!(Level::new(Isa::Plain), Some(Level::PLAIN));
    }

    #[test]
    fn the_cached_level_follows_the_environment() {
        // Reads the variable without changing it, so that it holds whether
        // or not the tests run with `NNBLOCKS_PORTABLE_KERNELS=1`.
        let forced = portable_requested(std::env::var_os(PORTABLE_KERNELS_VAR).as_deref());
        let expected = if forced {
            Level::PLAIN
        } else {
            Level::detected()
        };
        assert_eq!(level(), expected);
        assert_eq!(level(), level());
    }
}
