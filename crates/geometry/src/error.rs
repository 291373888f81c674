//! What can go wrong in this crate.

/// Why a geometric object could not be built or measured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeometryError {
    /// A sheet grid needs at least two points along each side.
    #[error("a sheet needs at least 2x2 grid points, got {rows}x{cols}")]
    SheetTooSmall {
        /// Grid points along the sheet.
        rows: usize,
        /// Grid points across the sheet.
        cols: usize,
    },
    /// Predictions and labels must pair up one to one.
    #[error("{predictions} predictions for {labels} labels")]
    LengthMismatch {
        /// How many predictions there were.
        predictions: usize,
        /// How many labels there were.
        labels: usize,
    },
    /// A polygon needs at least three corners.
    #[error("a polygon needs at least 3 corners, got {0}")]
    TooFewCorners(usize),
}
