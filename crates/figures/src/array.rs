//! [`array`]: numbers a snippet publishes for the page's JavaScript, such
//! as a trained network's weights for a page that runs it.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::figure::{FIGURE_DIR_VAR, FigureError, MARKER_DELIMITER};

/// How each number of an [`array`] is stored: little-endian IEEE 754
/// half, single or double precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// 2 bytes a number, about 3 significant digits: weights for a page.
    F16,
    /// 4 bytes a number.
    F32,
    /// 8 bytes a number: exact for an f64 computation.
    F64,
}

impl Precision {
    /// The file extension: `f16`, `f32` or `f64`.
    pub fn extension(self) -> &'static str {
        match self {
            Precision::F16 => "f16",
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }

    /// `x` as a reader of the file gets it back: a Rust computation that
    /// must agree with the page uses these numbers.
    ///
    /// ```
    /// use nnblocks_figures::Precision;
    /// assert_eq!(Precision::F16.round(0.1), 0.0999755859375);
    /// assert_eq!(Precision::F64.round(0.1), 0.1);
    /// ```
    pub fn round(self, x: f64) -> f64 {
        match self {
            Precision::F16 => f16_to_f64(f16_bits(x as f32)),
            Precision::F32 => f64::from(x as f32),
            Precision::F64 => x,
        }
    }

    fn encode(self, x: f64, out: &mut Vec<u8>) {
        match self {
            Precision::F16 => out.extend_from_slice(&f16_bits(x as f32).to_le_bytes()),
            Precision::F32 => out.extend_from_slice(&(x as f32).to_le_bytes()),
            Precision::F64 => out.extend_from_slice(&x.to_le_bytes()),
        }
    }
}

/// Publishes `values` as the array `name`, stored at `precision`, for the
/// JavaScript of the page around the snippet.
///
/// In the book (when the engine sets `NNBLOCKS_FIGURE_DIR`), it writes
/// `NAME.f16` (or `.f32`, `.f64`) there and prints the marker
/// `"\u{1e}array:NAME.EXT\u{1e}"`; the engine stores the file with the
/// snippet's output, checks it number by number under the snippet's
/// tolerance, and puts
/// `<span class="nb-array" data-name="NAME" data-src="..." hidden>` after the
/// snippet's output for the page to fetch. Run anywhere else, it saves the
/// file in the current directory and says so.
///
/// A name is lowercase ASCII letters, digits and `-`, starting with a
/// letter. Every number must be finite at `precision` (f16 ends at 65504).
pub fn array(
    name: &str,
    precision: Precision,
    values: impl IntoIterator<Item = f64>,
) -> Result<(), FigureError> {
    let bytes = encode(name, precision, values)?;
    let file = format!("{name}.{}", precision.extension());
    let (dir, message) = match std::env::var_os(FIGURE_DIR_VAR) {
        Some(dir) if !dir.is_empty() => (
            PathBuf::from(dir),
            format!("{MARKER_DELIMITER}array:{file}{MARKER_DELIMITER}"),
        ),
        _ => (PathBuf::new(), format!("array saved to {file}\n")),
    };
    let path = dir.join(&file);
    std::fs::write(&path, bytes).map_err(|source| FigureError::Write { path, source })?;
    let mut out = io::stdout().lock();
    out.write_all(message.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| FigureError::Write {
            path: PathBuf::from("<stdout>"),
            source,
        })
}

/// The file's bytes, after checking the name and every number.
fn encode(
    name: &str,
    precision: Precision,
    values: impl IntoIterator<Item = f64>,
) -> Result<Vec<u8>, FigureError> {
    let named = name.starts_with(|c: char| c.is_ascii_lowercase())
        && (name.chars()).all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !named {
        return Err(FigureError::Array(format!(
            "array name `{name}`: use lowercase letters, digits and `-`, starting with a letter"
        )));
    }
    let mut bytes = Vec::new();
    for (i, x) in values.into_iter().enumerate() {
        if !precision.round(x).is_finite() {
            return Err(FigureError::Array(format!(
                "array `{name}`: number {i} is {x}, not finite as {}",
                precision.extension()
            )));
        }
        precision.encode(x, &mut bytes);
    }
    Ok(bytes)
}

/// The IEEE 754 half-precision bits nearest to `x` (ties to even).
fn f16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        // Infinity stays infinity; NaN stays NaN.
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        // Subnormal (or zero): shift the full mantissa into place.
        if e < -10 {
            return sign;
        }
        let full = man | 0x80_0000;
        let shift = (14 - e) as u32;
        return sign | round_shift(full, shift) as u16;
    }
    // Rounding may carry into the exponent, which is what IEEE wants.
    sign | (((e as u32) << 10) + round_shift(man, 13)) as u16
}

/// `value >> shift`, rounded to nearest, ties to even.
fn round_shift(value: u32, shift: u32) -> u32 {
    let kept = value >> shift;
    let rest = value & ((1 << shift) - 1);
    let half = 1 << (shift - 1);
    if rest > half || (rest == half && kept & 1 == 1) {
        kept + 1
    } else {
        kept
    }
}

/// The value of half-precision `bits`.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let man = f64::from(bits & 0x3ff);
    sign * match exp {
        0 => man * 2f64.powi(-24),
        0x1f if man == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        _ => (1.0 + man / 1024.0) * 2f64.powi(exp - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_rounds_to_nearest_even() {
        for (x, bits) in [
            (0.0, 0x0000),
            (-0.0, 0x8000),
            (1.0, 0x3c00),
            (-2.0, 0xc000),
            (65504.0, 0x7bff),
            (65520.0, 0x7c00), // rounds up to infinity
            (6.0e-8, 0x0001),  // the smallest subnormal
            (0.333_333_34, 0x3555),
            (1.0 + 1.0 / 2048.0, 0x3c00), // a tie: stays even
            (1.0 + 3.0 / 2048.0, 0x3c02), // a tie: goes to even
        ] {
            assert_eq!(f16_bits(x), bits, "{x}");
        }
        for bits in [0x0001, 0x03ff, 0x0400, 0x3c00, 0x3555, 0x7bff, 0xc000] {
            assert_eq!(f16_bits(f16_to_f64(bits) as f32), bits);
        }
    }

    #[test]
    fn arrays_are_little_endian_and_checked() {
        let bytes = encode("w-1", Precision::F16, [1.0, -2.0]).unwrap();
        assert_eq!(bytes, [0x00, 0x3c, 0x00, 0xc0]);
        let bytes = encode("w", Precision::F32, [1.0]).unwrap();
        assert_eq!(bytes, 1.0f32.to_le_bytes());
        assert_eq!(
            encode("w", Precision::F64, [0.1]).unwrap(),
            0.1f64.to_le_bytes()
        );
        assert!(encode("W", Precision::F64, [0.0]).is_err());
        assert!(encode("w_1", Precision::F64, [0.0]).is_err());
        let err = encode("w", Precision::F16, [1.0, 1e6]).unwrap_err();
        assert!(err.to_string().contains("number 1 is 1000000"), "{err}");
    }
}
