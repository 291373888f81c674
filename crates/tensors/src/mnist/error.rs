//! What can be wrong with an MNIST file, said about that file.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// Why MNIST could not be loaded. Every variant names the file it is about
/// (its [`path`](MnistError::path)), and its message says exactly what is
/// wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MnistError {
    /// The file does not exist.
    #[error(
        "{path}: file not found (expected the MNIST file here; pass a directory with \
         train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz \
         and t10k-labels-idx1-ubyte.gz to Mnist::load_dir)"
    )]
    NotFound { path: PathBuf },

    /// The file exists but could not be read.
    #[error("{path}: cannot read the file: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The file does not start with the gzip magic bytes `1f 8b`.
    #[error("{path}: not a gzip file ({})", describe_start(.first_bytes))]
    NotGzip {
        path: PathBuf,
        /// The first bytes of the file (at most four).
        first_bytes: Vec<u8>,
    },

    /// The gzip data are damaged or cut short.
    #[error("{path}: corrupt gzip data: {reason}")]
    Gzip { path: PathBuf, reason: String },

    /// The decompressed data end inside the IDX header.
    #[error("{path}: truncated: expected a {expected}-byte IDX header, found {found} bytes")]
    TruncatedHeader {
        path: PathBuf,
        expected: usize,
        found: usize,
    },

    /// The IDX magic number is not the one of this kind of file.
    #[error("{path}: wrong magic number {found:#010x}, expected {expected:#010x} ({})", describe_magic(*.expected))]
    WrongMagic {
        path: PathBuf,
        found: u32,
        expected: u32,
    },

    /// The images are not 28x28 pixels.
    #[error("{path}: wrong image size {rows}x{cols} in the header, expected 28x28")]
    WrongImageSize { path: PathBuf, rows: u32, cols: u32 },

    /// The header announces another number of images or labels than the
    /// canonical MNIST file holds.
    #[error("{path}: wrong number of {what} in the header: {found}, expected {expected}")]
    WrongCount {
        path: PathBuf,
        /// `"images"` or `"labels"`.
        what: &'static str,
        found: u32,
        expected: u32,
    },

    /// The data end before the size the header announces.
    #[error("{path}: truncated: expected {expected} {what} bytes after the header, found {found}")]
    Truncated {
        path: PathBuf,
        /// `"pixel"` or `"label"`.
        what: &'static str,
        expected: u64,
        found: u64,
    },

    /// There are more data than the header announces.
    #[error(
        "{path}: {extra} unexpected trailing bytes after the {expected} {what} bytes that the header announces"
    )]
    TrailingBytes {
        path: PathBuf,
        /// `"pixel"` or `"label"`.
        what: &'static str,
        expected: u64,
        extra: u64,
    },

    /// The decompressed file is well formed but is not the canonical MNIST
    /// file.
    #[error(
        "{path}: SHA-256 mismatch: expected {expected}, found {found} (the decompressed data are \
         not those of the canonical MNIST file)"
    )]
    Sha256Mismatch {
        path: PathBuf,
        expected: String,
        found: String,
    },

    /// The images file and the labels file of a set hold different counts.
    #[error(
        "{labels_path}: {labels} labels, but {images_path} has {images} images (the two counts must agree)"
    )]
    CountMismatch {
        images_path: PathBuf,
        images: usize,
        labels_path: PathBuf,
        labels: usize,
    },

    /// A label is not a digit from 0 to 9.
    #[error("{path}: label {value} at index {index} is not a digit 0-9")]
    LabelOutOfRange {
        path: PathBuf,
        index: usize,
        value: u8,
    },
}

impl MnistError {
    /// The file this error is about (for [`MnistError::CountMismatch`], the
    /// labels file).
    pub fn path(&self) -> &Path {
        match self {
            Self::NotFound { path }
            | Self::Io { path, .. }
            | Self::NotGzip { path, .. }
            | Self::Gzip { path, .. }
            | Self::TruncatedHeader { path, .. }
            | Self::WrongMagic { path, .. }
            | Self::WrongImageSize { path, .. }
            | Self::WrongCount { path, .. }
            | Self::Truncated { path, .. }
            | Self::TrailingBytes { path, .. }
            | Self::Sha256Mismatch { path, .. }
            | Self::LabelOutOfRange { path, .. } => path,
            Self::CountMismatch { labels_path, .. } => labels_path,
        }
    }
}

/// The magic number of IDX image files: unsigned bytes, 3 dimensions.
pub(crate) const IMAGES_MAGIC: u32 = 0x0000_0803;
/// The magic number of IDX label files: unsigned bytes, 1 dimension.
pub(crate) const LABELS_MAGIC: u32 = 0x0000_0801;

fn describe_magic(magic: u32) -> &'static str {
    match magic {
        IMAGES_MAGIC => "an IDX image file",
        LABELS_MAGIC => "an IDX label file",
        _ => "an IDX file",
    }
}

fn describe_start(first_bytes: &[u8]) -> String {
    if first_bytes.is_empty() {
        return "the file is empty".to_owned();
    }
    let mut hex = String::new();
    for (i, byte) in first_bytes.iter().enumerate() {
        let sep = if i == 0 { "" } else { " " };
        let _ = write!(hex, "{sep}{byte:02x}");
    }
    if first_bytes.starts_with(&[0, 0, 8]) {
        format!("it starts with {hex}, like an uncompressed IDX file; compress it with gzip")
    } else {
        format!("it starts with {hex}, not with the gzip magic bytes 1f 8b")
    }
}
