//! What a run produces for one cell: its text, figures, published values
//! and arrays, as the runner read them and the store keeps them.

/// What one cell printed and drew, and the values it published.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Output {
    pub text: String,
    pub figures: Vec<FigureFile>,
    /// `nnblocks_figures::value(name, number)` calls, in order.
    pub values: Vec<Value>,
    /// `nnblocks_figures::array(name, ...)` files, by name.
    pub arrays: Vec<ArrayFile>,
}

/// Numbers a cell published for the page's JavaScript, as the file it wrote.
#[derive(Clone, PartialEq, Eq)]
pub struct ArrayFile {
    pub name: String,
    /// `f16`, `f32` or `f64`: little-endian numbers of that width.
    pub ext: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for ArrayFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ArrayFile({}.{}, {} bytes)",
            self.name,
            self.ext,
            self.bytes.len()
        )
    }
}

impl ArrayFile {
    /// The numbers, or `None` when the length does not fit the width.
    pub fn numbers(&self) -> Option<Vec<f64>> {
        let width = match self.ext.as_str() {
            "f16" => 2,
            "f32" => 4,
            "f64" => 8,
            _ => return None,
        };
        if !self.bytes.len().is_multiple_of(width) {
            return None;
        }
        Some(
            (self.bytes.chunks(width))
                .map(|b| match b.len() {
                    2 => f16_value(u16::from_le_bytes([b[0], b[1]])),
                    4 => f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    _ => f64::from_le_bytes(b.try_into().expect("8 bytes")),
                })
                .collect(),
        )
    }
}

/// The value of IEEE 754 half-precision `bits`. (The figure crate, which
/// writes them, has its own copy: the engine does not depend on plotters.)
fn f16_value(bits: u16) -> f64 {
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

/// A number a snippet published for the prose, as it printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub name: String,
    pub number: String,
}

impl Output {
    /// The values as the store keeps them: `name = number` lines.
    pub fn values_text(&self) -> String {
        (self.values.iter())
            .map(|v| format!("{} = {}\n", v.name, v.number))
            .collect()
    }
}

/// One figure a cell showed, as the file it wrote.
#[derive(Clone, PartialEq, Eq)]
pub struct FigureFile {
    /// `svg` or `png`.
    pub ext: String,
    pub bytes: Vec<u8>,
}

impl Output {
    /// An output with this text and no figure.
    pub fn from_text(text: &str) -> Self {
        Output {
            text: text.into(),
            ..Output::default()
        }
    }
}

impl std::fmt::Debug for FigureFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FigureFile({}, {} bytes)", self.ext, self.bytes.len())
    }
}
