//! The MNIST loader: on the real files the project ships, and on damaged
//! files built here, one problem at a time.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use dfdx::shapes::{HasShape, Rank2, Shape};
use dfdx::tensor::{AsArray, Cpu};
use dfdx::tensor_ops::ReshapeTo;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use nnblocks_tensors::mnist::{Mnist, MnistError, MnistFile, PIXELS, Verify};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// The real data, loaded once for all the tests of this file.
static MNIST: LazyLock<Mnist> = LazyLock::new(|| match Mnist::load() {
    Ok(mnist) => mnist,
    Err(err) => panic!("{err}"),
});

// ---------------------------------------------------------------- real data

#[test]
fn real_data_has_the_shapes_of_keras_mnist() {
    let mnist = &*MNIST;
    assert_eq!(mnist.train_images.shape(), (60000, 28, 28));
    assert_eq!(mnist.train_labels.shape(), (60000,));
    assert_eq!(mnist.test_images.shape(), (10000, 28, 28));
    assert_eq!(mnist.test_labels.shape(), (10000,));
    assert_eq!(mnist.train_images.pixels().len(), 60000 * 28 * 28);
    assert_eq!(mnist.test_images.pixels().len(), 10000 * 28 * 28);
}

#[test]
fn real_labels_are_the_known_ones() {
    let mnist = &*MNIST;
    assert_eq!(mnist.train_labels[0], 5);
    assert_eq!(mnist.train_labels[4], 9, "the book's fifth image is a 9");
    assert_eq!(mnist.train_labels[..10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    assert_eq!(mnist.test_labels[..10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    // Keras prints array([5, 0, 4, ..., 5, 6, 8]) and array([7, 2, 1, ..., 4, 5, 6]).
    assert_eq!(
        format!("{:?}", mnist.train_labels),
        "Labels { shape: (60000,), labels: [5, 0, 4, ..., 5, 6, 8] }"
    );
    assert_eq!(
        format!("{:?}", mnist.test_labels),
        "Labels { shape: (10000,), labels: [7, 2, 1, ..., 4, 5, 6] }"
    );
    assert_eq!(
        format!("{:?}", mnist.train_images),
        "Images { shape: (60000, 28, 28), .. }"
    );
}

#[test]
fn real_pixel_means_are_the_known_ones() {
    let mean = |pixels: &[u8]| {
        let sum: u64 = pixels.iter().map(|&p| u64::from(p)).sum();
        sum as f64 / pixels.len() as f64 / 255.0
    };
    assert_eq!(
        format!("{:.5}", mean(MNIST.train_images.pixels())),
        "0.13066"
    );
    assert_eq!(
        format!("{:.5}", mean(MNIST.test_images.pixels())),
        "0.13251"
    );
}

#[test]
fn images_index_as_rows_of_pixels() {
    let images = &MNIST.train_images;
    let pixels = images.pixels();
    for (i, row, col) in [(0, 0, 0), (4, 14, 15), (59999, 27, 27), (12345, 9, 20)] {
        assert_eq!(images[i][row][col], pixels[i * PIXELS + row * 28 + col]);
    }
    assert_eq!(images[10..100].len(), 90);
    // The fifth training image (a 9) has ink; its corner has none.
    assert!(images[4].iter().flatten().any(|&p| p > 200));
    assert_eq!(images[4][0][0], 0);
}

#[test]
fn real_data_converts_to_cpu_tensors() {
    let dev = Cpu::default();
    let mnist = &*MNIST;

    let images = mnist.test_images.to_tensor(&dev);
    assert_eq!(images.shape().concrete(), [10000, 28, 28]);
    assert_eq!(images.as_vec(), mnist.test_images.pixels());

    let flat = mnist.test_images.to_flat_f32(&dev);
    assert_eq!(flat.shape().concrete(), [10000, 784]);
    let values = flat.as_vec();
    for (&x, &p) in values.iter().zip(mnist.test_images.pixels()) {
        assert_eq!(x, f32::from(p) / 255.0);
    }
    assert_eq!(values.iter().copied().fold(f32::MIN, f32::max), 1.0);
    assert_eq!(values.iter().copied().fold(f32::MAX, f32::min), 0.0);

    let labels = mnist.test_labels.to_tensor(&dev);
    assert_eq!(labels.shape().concrete(), [10000]);
    assert_eq!(labels.as_vec(), &mnist.test_labels[..]);

    let one_hot = mnist.test_labels.to_one_hot(&dev);
    assert_eq!(one_hot.shape().concrete(), [10000, 10]);
    let one_hot = one_hot.as_vec();
    for (row, &label) in one_hot.chunks_exact(10).zip(mnist.test_labels.iter()) {
        let mut expected = [0.0f32; 10];
        expected[usize::from(label)] = 1.0;
        assert_eq!(row, expected);
    }

    let moved = mnist.train_images.clone().into_tensor(&dev);
    assert_eq!(moved.shape().concrete(), [60000, 28, 28]);
    let fifth = moved
        .slice((4..5, .., ..))
        .reshape_like(&Rank2::<28, 28>::default());
    assert_eq!(fifth.array(), mnist.train_images[4]);
}

#[test]
fn default_dir_is_the_repository_data_dir() {
    let dir = Mnist::default_dir();
    assert!(dir.ends_with("data/mnist"), "{}", dir.display());
    for file in MnistFile::ALL {
        assert!(dir.join(file.file_name()).is_file(), "{}", file.file_name());
    }
}

// ------------------------------------------------------------- file builders

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

/// An IDX image file: its header says `count` images of `rows`x`cols`,
/// followed by `body`.
fn idx_images(count: u32, rows: u32, cols: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for word in [0x0803, count, rows, cols] {
        out.extend(u32::to_be_bytes(word));
    }
    out.extend(body);
    out
}

/// An IDX label file: its header says `count` labels, followed by `body`.
fn idx_labels(count: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for word in [0x0801, count] {
        out.extend(u32::to_be_bytes(word));
    }
    out.extend(body);
    out
}

/// A temporary copy of the real data directory, with `replace` written over
/// some of its files.
fn real_dir_with(replace: &[(MnistFile, Vec<u8>)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for file in MnistFile::ALL {
        std::fs::copy(
            Mnist::default_dir().join(file.file_name()),
            dir.path().join(file.file_name()),
        )
        .unwrap();
    }
    write_files(dir.path(), replace);
    dir
}

/// A temporary directory holding only `files`.
fn dir_with(files: &[(MnistFile, Vec<u8>)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    write_files(dir.path(), files);
    dir
}

fn write_files(dir: &Path, files: &[(MnistFile, Vec<u8>)]) {
    for (file, bytes) in files {
        std::fs::write(dir.join(file.file_name()), bytes).unwrap();
    }
}

/// A small, valid data set in the MNIST format (not the canonical one):
/// 3 training and 2 test images.
fn small_set() -> Vec<(MnistFile, Vec<u8>)> {
    let pixels = |n: usize, seed: usize| -> Vec<u8> {
        (0..n * PIXELS)
            .map(|i| ((i * 7 + seed) % 256) as u8)
            .collect()
    };
    vec![
        (
            MnistFile::TrainImages,
            gzip(&idx_images(3, 28, 28, &pixels(3, 1))),
        ),
        (MnistFile::TrainLabels, gzip(&idx_labels(3, &[3, 1, 4]))),
        (
            MnistFile::TestImages,
            gzip(&idx_images(2, 28, 28, &pixels(2, 2))),
        ),
        (MnistFile::TestLabels, gzip(&idx_labels(2, &[1, 5]))),
    ]
}

fn load_err(dir: &TempDir, verify: Verify) -> MnistError {
    match Mnist::load_dir_with(dir.path(), verify) {
        Ok(_) => panic!("loading {} should fail", dir.path().display()),
        Err(err) => err,
    }
}

fn path_of(dir: &TempDir, file: MnistFile) -> PathBuf {
    dir.path().join(file.file_name())
}

// -------------------------------------------------------------- error paths

#[test]
fn missing_file_is_named_with_the_files_to_provide() {
    let dir = dir_with(&[]);
    let err = load_err(&dir, Verify::Canonical);
    let path = path_of(&dir, MnistFile::TrainImages);
    assert!(matches!(err, MnistError::NotFound { .. }), "{err:?}");
    assert_eq!(err.path(), path);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: file not found (expected the MNIST file here; pass a directory with \
             train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz \
             and t10k-labels-idx1-ubyte.gz to Mnist::load_dir)",
            path.display()
        )
    );
}

#[test]
fn missing_test_labels_are_named() {
    let mut files = small_set();
    files.retain(|(file, _)| *file != MnistFile::TestLabels);
    let dir = dir_with(&files);
    let err = load_err(&dir, Verify::FormatOnly);
    assert!(matches!(err, MnistError::NotFound { .. }), "{err:?}");
    assert_eq!(err.path(), path_of(&dir, MnistFile::TestLabels));
}

#[test]
fn uncompressed_idx_file_is_not_gzip() {
    let dir = dir_with(&[(MnistFile::TrainImages, idx_images(1, 28, 28, &[0; PIXELS]))]);
    let err = load_err(&dir, Verify::Canonical);
    assert!(matches!(err, MnistError::NotGzip { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a gzip file (it starts with 00 00 08 03, like an uncompressed IDX file; \
             compress it with gzip)",
            path_of(&dir, MnistFile::TrainImages).display()
        )
    );
}

#[test]
fn html_page_and_empty_file_are_not_gzip() {
    let dir = dir_with(&[(MnistFile::TrainImages, b"<!DOCTYPE html>".to_vec())]);
    let err = load_err(&dir, Verify::Canonical);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a gzip file (it starts with 3c 21 44 4f, not with the gzip magic bytes 1f 8b)",
            path_of(&dir, MnistFile::TrainImages).display()
        )
    );

    let dir = dir_with(&[(MnistFile::TrainImages, Vec::new())]);
    let err = load_err(&dir, Verify::Canonical);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a gzip file (the file is empty)",
            path_of(&dir, MnistFile::TrainImages).display()
        )
    );
}

#[test]
fn truncated_pixels_are_counted() {
    let file = idx_images(60000, 28, 28, &[7; 1000]);
    let dir = dir_with(&[(MnistFile::TrainImages, gzip(&file))]);
    let err = load_err(&dir, Verify::Canonical);
    assert!(matches!(err, MnistError::Truncated { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: truncated: expected 47040000 pixel bytes after the header, found 1000",
            path_of(&dir, MnistFile::TrainImages).display()
        )
    );
}

#[test]
fn header_claiming_billions_of_images_is_truncated_not_a_crash() {
    let file = idx_images(u32::MAX, 28, 28, &[7; 10]);
    let mut files = small_set();
    files[0] = (MnistFile::TrainImages, gzip(&file));
    let dir = dir_with(&files);
    let err = load_err(&dir, Verify::FormatOnly);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: truncated: expected {} pixel bytes after the header, found 10",
            path_of(&dir, MnistFile::TrainImages).display(),
            u64::from(u32::MAX) * 784
        )
    );
}

#[test]
fn truncated_header_is_reported() {
    let file = &idx_images(60000, 28, 28, &[])[..10];
    let dir = dir_with(&[(MnistFile::TrainImages, gzip(file))]);
    let err = load_err(&dir, Verify::Canonical);
    assert!(matches!(err, MnistError::TruncatedHeader { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: truncated: expected a 16-byte IDX header, found 10 bytes",
            path_of(&dir, MnistFile::TrainImages).display()
        )
    );
}

#[test]
fn truncated_gz_download_is_reported() {
    let real = std::fs::read(Mnist::default_dir().join("train-labels-idx1-ubyte.gz")).unwrap();
    let cut = real[..real.len() / 2].to_vec();
    let dir = real_dir_with(&[(MnistFile::TrainLabels, cut)]);
    let err = load_err(&dir, Verify::Canonical);
    assert!(matches!(err, MnistError::Gzip { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: corrupt gzip data: the compressed data end before the end of the gzip stream \
             (the .gz file is truncated)",
            path_of(&dir, MnistFile::TrainLabels).display()
        )
    );
}

#[test]
fn damaged_gzip_trailer_is_reported() {
    let mut gz = gzip(&idx_labels(2, &[1, 2]));
    let crc_at = gz.len() - 8;
    gz[crc_at] ^= 0xff;
    let mut files = small_set();
    files[1] = (MnistFile::TrainLabels, gz);
    let dir = dir_with(&files);
    let err = load_err(&dir, Verify::FormatOnly);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: corrupt gzip data: CRC-32 mismatch in the gzip trailer (incorrect data check)",
            path_of(&dir, MnistFile::TrainLabels).display()
        )
    );
}

#[test]
fn bytes_after_the_gzip_stream_are_reported() {
    let mut files = small_set();
    files[3].1.extend(b"junk");
    let dir = dir_with(&files);
    let err = load_err(&dir, Verify::FormatOnly);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: corrupt gzip data: 4 unexpected bytes after the end of the gzip stream",
            path_of(&dir, MnistFile::TestLabels).display()
        )
    );
}

#[test]
fn trailing_label_bytes_are_counted() {
    let file = idx_labels(60000, &[1; 60003]);
    let dir = real_dir_with(&[(MnistFile::TrainLabels, gzip(&file))]);
    let err = load_err(&dir, Verify::Canonical);
    assert!(matches!(err, MnistError::TrailingBytes { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: 3 unexpected trailing bytes after the 60000 label bytes that the header announces",
            path_of(&dir, MnistFile::TrainLabels).display()
        )
    );
}

#[test]
fn labels_file_in_place_of_images_has_the_wrong_magic() {
    let labels = std::fs::read(Mnist::default_dir().join("train-labels-idx1-ubyte.gz")).unwrap();
    let dir = dir_with(&[(MnistFile::TrainImages, labels)]);
    let err = load_err(&dir, Verify::Canonical);
    assert!(
        matches!(
            err,
            MnistError::WrongMagic {
                found: 0x801,
                expected: 0x803,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: wrong magic number 0x00000801, expected 0x00000803 (an IDX image file)",
            path_of(&dir, MnistFile::TrainImages).display()
        )
    );
}

#[test]
fn images_file_in_place_of_labels_has_the_wrong_magic() {
    let mut files = small_set();
    files[3].1 = files[2].1.clone();
    let dir = dir_with(&files);
    let err = load_err(&dir, Verify::FormatOnly);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: wrong magic number 0x00000803, expected 0x00000801 (an IDX label file)",
            path_of(&dir, MnistFile::TestLabels).display()
        )
    );
}

#[test]
fn images_of_another_size_are_rejected() {
    let file = idx_images(2, 28, 27, &[0; 2 * 28 * 27]);
    let mut files = small_set();
    files[2] = (MnistFile::TestImages, gzip(&file));
    let dir = dir_with(&files);
    let err = load_err(&dir, Verify::FormatOnly);
    assert!(matches!(err, MnistError::WrongImageSize { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: wrong image size 28x27 in the header, expected 28x28",
            path_of(&dir, MnistFile::TestImages).display()
        )
    );
}

#[test]
fn canonical_check_wants_60000_training_labels() {
    let file = idx_labels(59999, &[1; 59999]);
    let dir = real_dir_with(&[(MnistFile::TrainLabels, gzip(&file))]);
    let err = load_err(&dir, Verify::Canonical);
    assert!(matches!(err, MnistError::WrongCount { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: wrong number of labels in the header: 59999, expected 60000",
            path_of(&dir, MnistFile::TrainLabels).display()
        )
    );
}

#[test]
fn corrupted_label_fails_the_sha256() {
    let real = std::fs::read(Mnist::default_dir().join("t10k-labels-idx1-ubyte.gz")).unwrap();
    let mut labels = gunzip(&real);
    labels[8 + 100] = (labels[8 + 100] + 1) % 10; // still a digit, still well formed
    let found = Sha256::digest(&labels)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let dir = real_dir_with(&[(MnistFile::TestLabels, gzip(&labels))]);
    let err = load_err(&dir, Verify::Canonical);
    assert!(matches!(err, MnistError::Sha256Mismatch { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: SHA-256 mismatch: expected \
             ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2, found {found} \
             (the decompressed data are not those of the canonical MNIST file)",
            path_of(&dir, MnistFile::TestLabels).display()
        )
    );
    // The same file is fine for a format-only load.
    let mnist = Mnist::load_dir_with(dir.path(), Verify::FormatOnly).unwrap();
    assert_eq!(mnist.test_labels[100], labels[8 + 100]);
}

#[test]
fn images_and_labels_counts_must_agree() {
    let mut files = small_set();
    files[1] = (MnistFile::TrainLabels, gzip(&idx_labels(2, &[3, 1])));
    let dir = dir_with(&files);
    let err = load_err(&dir, Verify::FormatOnly);
    assert!(matches!(err, MnistError::CountMismatch { .. }), "{err:?}");
    assert_eq!(err.path(), path_of(&dir, MnistFile::TrainLabels));
    assert_eq!(
        err.to_string(),
        format!(
            "{}: 2 labels, but {} has 3 images (the two counts must agree)",
            path_of(&dir, MnistFile::TrainLabels).display(),
            path_of(&dir, MnistFile::TrainImages).display()
        )
    );
}

#[test]
fn labels_must_be_digits() {
    let mut files = small_set();
    files[3] = (MnistFile::TestLabels, gzip(&idx_labels(2, &[1, 10])));
    let dir = dir_with(&files);
    let err = load_err(&dir, Verify::FormatOnly);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: label 10 at index 1 is not a digit 0-9",
            path_of(&dir, MnistFile::TestLabels).display()
        )
    );
}

#[test]
fn small_set_loads_format_only_but_not_as_canonical() {
    let files = small_set();
    let dir = dir_with(&files);
    let mnist = Mnist::load_dir_with(dir.path(), Verify::FormatOnly).unwrap();
    assert_eq!(mnist.train_images.shape(), (3, 28, 28));
    assert_eq!(mnist.test_images.shape(), (2, 28, 28));
    assert_eq!(mnist.train_labels[..], [3, 1, 4]);
    assert_eq!(mnist.test_labels[..], [1, 5]);
    assert_eq!(
        mnist.test_images[1][2][3],
        ((784 + 2 * 28 + 3) * 7 + 2) as u8
    );

    let err = load_err(&dir, Verify::Canonical);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: wrong number of images in the header: 3, expected 60000",
            path_of(&dir, MnistFile::TrainImages).display()
        )
    );
}

/// Not a test: with `--features cuda` (and dfdx's `ci-check` where there is
/// no GPU), this proves that every conversion type-checks on CUDA.
#[cfg(feature = "cuda")]
#[allow(dead_code)]
fn conversions_type_check_on_cuda(mnist: Mnist, dev: &dfdx::tensor::Cuda) {
    let _ = mnist.train_images.to_tensor(dev);
    let _ = mnist.train_images.to_flat_f32(dev);
    let _ = mnist.train_labels.to_tensor(dev);
    let _ = mnist.train_labels.to_one_hot(dev);
    let _ = mnist.test_images.try_to_flat_f32(dev);
    let _ = mnist.test_images.into_tensor(dev);
}
