//! Reading one gzip-compressed IDX file: inflate, check the header, the
//! length and (for the canonical files) the SHA-256, in one pass.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};
use zlib_rs::{Inflate, InflateFlush, Status};

use super::error::{IMAGES_MAGIC, LABELS_MAGIC, MnistError};
use super::{PIXELS, SIDE};

/// Inflate and hash in pieces of this size, so that each piece is hashed
/// while it is still in the cache.
const CHUNK: usize = 256 * 1024;

/// The largest expansion that deflate allows (its theoretical maximum ratio
/// is 1032:1). Used to bound the first allocation by what the compressed file
/// can hold, whatever size a damaged header claims.
const MAX_DEFLATE_RATIO: usize = 1032;

/// The two kinds of IDX file in MNIST.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Images,
    Labels,
}

impl Kind {
    fn magic(self) -> u32 {
        match self {
            Kind::Images => IMAGES_MAGIC,
            Kind::Labels => LABELS_MAGIC,
        }
    }

    /// Magic number plus one big-endian `u32` per dimension.
    fn header_len(self) -> usize {
        match self {
            Kind::Images => 16,
            Kind::Labels => 8,
        }
    }

    /// Bytes per item: 784 pixels per image, one byte per label.
    fn item_len(self) -> usize {
        match self {
            Kind::Images => PIXELS,
            Kind::Labels => 1,
        }
    }

    /// What one byte of the body is, for messages.
    fn byte_name(self) -> &'static str {
        match self {
            Kind::Images => "pixel",
            Kind::Labels => "label",
        }
    }

    /// What one item is, in the plural, for messages.
    fn items_name(self) -> &'static str {
        match self {
            Kind::Images => "images",
            Kind::Labels => "labels",
        }
    }
}

/// What a canonical MNIST file must be: its item count and the SHA-256 (hex)
/// of its decompressed bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Canonical {
    pub count: u32,
    pub sha256: &'static str,
}

/// Reads the IDX file of `kind` at `path` (gzip-compressed) and returns its
/// body: the pixels of all images (row-major) or all labels. With
/// `canonical`, also checks the item count and the SHA-256.
pub(crate) fn read(
    path: &Path,
    kind: Kind,
    canonical: Option<Canonical>,
) -> Result<Vec<u8>, MnistError> {
    let compressed = fs::read(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => MnistError::NotFound {
            path: path.to_owned(),
        },
        _ => MnistError::Io {
            path: path.to_owned(),
            source,
        },
    })?;
    if !compressed.starts_with(&[0x1f, 0x8b]) {
        return Err(MnistError::NotGzip {
            path: path.to_owned(),
            first_bytes: compressed.iter().take(4).copied().collect(),
        });
    }

    let gzip_error = |reason: String| MnistError::Gzip {
        path: path.to_owned(),
        reason,
    };
    let mut gz = Gunzip::new(&compressed);
    let mut hasher = canonical.map(|_| Sha256::new());

    // The header: the magic number first, then the dimensions.
    let header_len = kind.header_len();
    let mut header = [0u8; 16];
    let found = gz.fill(&mut header[..4]).map_err(gzip_error)?;
    if found < 4 {
        return Err(MnistError::TruncatedHeader {
            path: path.to_owned(),
            expected: header_len,
            found,
        });
    }
    let magic = be_u32(&header, 0);
    if magic != kind.magic() {
        return Err(MnistError::WrongMagic {
            path: path.to_owned(),
            found: magic,
            expected: kind.magic(),
        });
    }
    let found = 4 + gz.fill(&mut header[4..header_len]).map_err(gzip_error)?;
    if found < header_len {
        return Err(MnistError::TruncatedHeader {
            path: path.to_owned(),
            expected: header_len,
            found,
        });
    }
    if let Some(hasher) = &mut hasher {
        hasher.update(&header[..header_len]);
    }

    let count = be_u32(&header, 4);
    if kind == Kind::Images {
        let (rows, cols) = (be_u32(&header, 8), be_u32(&header, 12));
        if (rows, cols) != (SIDE as u32, SIDE as u32) {
            return Err(MnistError::WrongImageSize {
                path: path.to_owned(),
                rows,
                cols,
            });
        }
    }
    if let Some(canonical) = canonical
        && count != canonical.count
    {
        return Err(MnistError::WrongCount {
            path: path.to_owned(),
            what: kind.items_name(),
            found: count,
            expected: canonical.count,
        });
    }

    // The body, exactly as long as the header says.
    let expected = u64::from(count) * kind.item_len() as u64;
    let expected_len = usize::try_from(expected).unwrap_or(usize::MAX);
    let first_alloc = expected_len.min(compressed.len().saturating_mul(MAX_DEFLATE_RATIO));
    let mut body = vec![0u8; first_alloc];
    let mut filled = 0;
    while filled < expected_len && !gz.done {
        if filled == body.len() {
            // Only when the header claims more than the compressed file can
            // hold: grow as data actually arrive.
            let grown = body.len().saturating_mul(2).max(CHUNK).min(expected_len);
            body.resize(grown, 0);
        }
        let end = (filled + CHUNK).min(body.len());
        let n = gz.fill(&mut body[filled..end]).map_err(gzip_error)?;
        if let Some(hasher) = &mut hasher {
            hasher.update(&body[filled..filled + n]);
        }
        filled += n;
    }
    if filled < expected_len {
        return Err(MnistError::Truncated {
            path: path.to_owned(),
            what: kind.byte_name(),
            expected,
            found: filled as u64,
        });
    }
    // Read to the end of the stream: this counts trailing bytes and lets
    // zlib check the gzip trailer (CRC-32 and length).
    let extra = gz.drain().map_err(gzip_error)?;
    if extra > 0 {
        return Err(MnistError::TrailingBytes {
            path: path.to_owned(),
            what: kind.byte_name(),
            expected,
            extra,
        });
    }
    gz.finish().map_err(gzip_error)?;

    if let (Some(hasher), Some(canonical)) = (hasher, canonical) {
        let found = hex(&hasher.finalize());
        if found != canonical.sha256 {
            return Err(MnistError::Sha256Mismatch {
                path: path.to_owned(),
                expected: canonical.sha256.to_owned(),
                found,
            });
        }
    }
    Ok(body)
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// A gzip stream decoded with zlib-rs (`window_bits` 16 + 15: a gzip header,
/// a deflate stream with a 32 KiB window, and the CRC-32/length trailer,
/// which zlib checks).
struct Gunzip<'a> {
    inflate: Inflate,
    input: &'a [u8],
    /// The end of the gzip stream has been reached (and its trailer checked).
    done: bool,
}

impl<'a> Gunzip<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self {
            inflate: Inflate::new(true, 16 + 15),
            input,
            done: false,
        }
    }

    fn consumed(&self) -> usize {
        usize::try_from(self.inflate.total_in()).unwrap_or(usize::MAX)
    }

    /// Inflates into `out` until it is full or the stream ends; returns how
    /// many bytes were written (fewer than `out.len()` only at the end).
    fn fill(&mut self, out: &mut [u8]) -> Result<usize, String> {
        let mut written = 0;
        while written < out.len() && !self.done {
            let consumed = self.consumed();
            let input = self.input.get(consumed..).unwrap_or_default();
            let produced_before = self.inflate.total_out();
            let status = self
                .inflate
                .decompress(input, &mut out[written..], InflateFlush::NoFlush)
                .map_err(|err| describe_inflate_error(err, self.inflate.error_message()))?;
            let produced =
                usize::try_from(self.inflate.total_out() - produced_before).unwrap_or(usize::MAX);
            written += produced;
            match status {
                Status::StreamEnd => self.done = true,
                Status::Ok | Status::BufError => {
                    if produced == 0 && self.consumed() == consumed {
                        // No progress although there is room for output:
                        // the compressed data have run out.
                        return Err(if consumed >= self.input.len() {
                            "the compressed data end before the end of the gzip stream \
                             (the .gz file is truncated)"
                                .to_owned()
                        } else {
                            "the inflater makes no progress".to_owned()
                        });
                    }
                }
            }
        }
        Ok(written)
    }

    /// Inflates the rest of the stream, counting the bytes.
    fn drain(&mut self) -> Result<u64, String> {
        let mut scratch = vec![0u8; 64 * 1024];
        let mut extra = 0u64;
        while !self.done {
            extra += self.fill(&mut scratch)? as u64;
        }
        Ok(extra)
    }

    /// After the end of the stream: no bytes may follow the gzip member.
    fn finish(self) -> Result<(), String> {
        let left = self.input.len().saturating_sub(self.consumed());
        if left > 0 {
            return Err(format!(
                "{left} unexpected bytes after the end of the gzip stream"
            ));
        }
        Ok(())
    }
}

fn describe_inflate_error(err: zlib_rs::InflateError, message: Option<&str>) -> String {
    let message = message.unwrap_or(err.as_str());
    match message {
        "incorrect data check" => {
            "CRC-32 mismatch in the gzip trailer (incorrect data check)".to_owned()
        }
        "incorrect length check" => {
            "length mismatch in the gzip trailer (incorrect length check)".to_owned()
        }
        other => other.to_owned(),
    }
}
