//! What can go wrong in this crate. The messages are in Korean: readers of
//! the book see them in outputs.

/// Why a geometric object could not be built or measured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeometryError {
    /// A sheet grid needs at least two points along each side.
    #[error("종이 한 장에는 격자점이 적어도 2×2개 있어야 하는데 {rows}×{cols}개입니다")]
    SheetTooSmall {
        /// Grid points along the sheet.
        rows: usize,
        /// Grid points across the sheet.
        cols: usize,
    },
    /// Predictions and labels must pair up one to one.
    #[error("예측은 {predictions}개인데 레이블은 {labels}개입니다")]
    LengthMismatch {
        /// How many predictions there were.
        predictions: usize,
        /// How many labels there were.
        labels: usize,
    },
    /// A polygon needs at least three corners.
    #[error("다각형에는 꼭짓점이 적어도 3개 있어야 하는데 {0}개입니다")]
    TooFewCorners(usize),
}
