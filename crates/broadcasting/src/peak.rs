//! The theoretical f32 throughput of this machine's CPU, to read a matrix
//! product's GFLOP/s against.
//!
//! With AVX2 and FMA, a core can start two fused multiply-adds per cycle
//! (two FMA units) on 8 `f32` lanes each, and an FMA counts as 2 flops, so
//! `peak = cores x 8 x 2 x 2 x clock` (32 flops per cycle per core). The
//! clock is the one the kernel reports (`cpu MHz` in `/proc/cpuinfo`); a
//! core that turbo-boosts runs faster, so a measurement can exceed the peak
//! computed from the base clock. `gemm`, which `dfdx` multiplies matrices
//! with, uses AVX2 and FMA on stable Rust (its AVX-512 kernels need nightly).

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why the peak could not be read.
#[derive(Debug, Error)]
pub enum PeakError {
    #[error("{path}: 파일을 읽을 수 없습니다: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: `cpu MHz` 줄이 없습니다")]
    NoClock { path: PathBuf },
}

/// The factors of the theoretical peak.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Peak {
    /// Cores the program may use.
    pub cores: usize,
    /// Clock in GHz.
    pub ghz: f64,
    /// `f32` lanes of one SIMD register (8 with AVX2).
    pub lanes: usize,
    /// Fused multiply-add units per core (2 on recent x86 cores).
    pub fma_units: usize,
}

impl Peak {
    /// AVX2 + FMA with `cores` cores at `ghz`.
    pub fn avx2_fma(cores: usize, ghz: f64) -> Self {
        Self {
            cores,
            ghz,
            lanes: 8,
            fma_units: 2,
        }
    }

    /// This machine: its usable cores and the clock of `/proc/cpuinfo`,
    /// assuming AVX2 + FMA.
    pub fn this_machine() -> Result<Self, PeakError> {
        Self::from_cpuinfo_file(Path::new("/proc/cpuinfo"))
    }

    /// Like [`Peak::this_machine`], with the clock read from `path`.
    pub fn from_cpuinfo_file(path: &Path) -> Result<Self, PeakError> {
        let text = std::fs::read_to_string(path).map_err(|source| PeakError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mhz = cpuinfo_mhz(&text).ok_or_else(|| PeakError::NoClock {
            path: path.to_path_buf(),
        })?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self::avx2_fma(cores, mhz / 1000.0))
    }

    /// Floating-point operations per second at the peak, in GFLOP/s.
    pub fn gflops(&self) -> f64 {
        // An FMA is a multiplication and an addition: 2 flops.
        self.cores as f64 * self.lanes as f64 * self.fma_units as f64 * 2.0 * self.ghz
    }
}

/// The first `cpu MHz` of a `/proc/cpuinfo` text.
pub fn cpuinfo_mhz(text: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "cpu MHz").then(|| value.trim().parse().ok())?
    })
}

/// The flops of a `(m, k) . (k, n)` matrix product: `m x n` dot products of
/// length `k`, each `k` multiplications and `k` additions.
pub fn matmul_flops(m: usize, k: usize, n: usize) -> f64 {
    2.0 * m as f64 * k as f64 * n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_of_two_avx2_cores() {
        let peak = Peak::avx2_fma(2, 2.3);
        assert!((peak.gflops() - 147.2).abs() < 1e-9);
        assert_eq!(matmul_flops(1024, 1024, 1024), 2_147_483_648.0);
    }

    #[test]
    fn reads_the_clock() {
        let text = "processor\t: 0\nmodel name\t: Xeon\ncpu MHz\t\t: 2299.998\n\nprocessor\t: 1\ncpu MHz\t\t: 2100.000\n";
        assert_eq!(cpuinfo_mhz(text), Some(2299.998));
        assert_eq!(cpuinfo_mhz("processor : 0\n"), None);
        assert_eq!(cpuinfo_mhz("cpu MHz : fast\n"), None);
    }

    #[test]
    fn says_what_is_missing() {
        let err = Peak::from_cpuinfo_file(Path::new("/nonexistent/cpuinfo")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/nonexistent/cpuinfo: 파일을 읽을 수 없습니다")
        );
    }
}
