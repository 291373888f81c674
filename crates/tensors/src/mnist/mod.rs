//! The MNIST data set, read from its original IDX files.
//!
//! ```
//! use nnblocks_tensors::mnist::Mnist;
//!
//! let mnist = Mnist::load()?;
//! assert_eq!(mnist.train_images.shape(), (60000, 28, 28));
//! assert_eq!(mnist.train_labels[4], 9);
//! # Ok::<(), nnblocks_tensors::mnist::MnistError>(())
//! ```
//!
//! [`Mnist::load`] reads the four gzip-compressed IDX files that the project
//! ships in `data/mnist` ([`Mnist::default_dir`]); [`Mnist::load_dir`] reads
//! them from another directory. Either checks each file's gzip stream, IDX
//! magic number, dimensions and length, and the SHA-256 of its decompressed
//! bytes against the canonical MNIST files, and says in a [`MnistError`]
//! exactly what is wrong with which file. [`Mnist::load_dir_with`] and
//! [`Verify::FormatOnly`] accept any data in the same format (for example
//! Fashion-MNIST, or a small set made for a test).
//!
//! The images and labels stay `u8`, as in the files (and as Keras returns
//! them). [`Images`] derefs to a slice of 28x28 [`Image`]s and [`Labels`] to a
//! slice of `u8`, and both convert to `dfdx` tensors on any device:
//! [`Images::to_tensor`] keeps the raw `(n, 28, 28)` `u8` layout,
//! [`Images::to_flat_f32`] gives the network's input `(n, 784)` `f32` in
//! `[0, 1]`, and [`Labels::to_one_hot`] the targets `(n, 10)` that
//! `dfdx`'s cross-entropy expects.

mod error;
mod idx;

use std::fmt;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use dfdx::shapes::Const;
use dfdx::tensor::{Tensor, TensorFromVec};

pub use error::MnistError;
use idx::{Canonical, Kind};

/// Rows and columns of an MNIST image.
pub const SIDE: usize = 28;
/// Pixels of an MNIST image (28 x 28).
pub const PIXELS: usize = SIDE * SIDE;
/// Number of classes: the digits 0 to 9.
pub const CLASSES: usize = 10;

/// One 28x28 grayscale image, rows of pixels from 0 (white) to 255 (black).
pub type Image = [[u8; SIDE]; SIDE];

/// The repository's `data/mnist`, as seen from this crate's source at
/// compile time. [`Mnist::default_dir`] resolves it.
pub const DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/mnist");

/// The four files of MNIST and the facts that identify the canonical ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MnistFile {
    TrainImages,
    TrainLabels,
    TestImages,
    TestLabels,
}

impl MnistFile {
    /// All four, in the order they are loaded (and errors are reported).
    pub const ALL: [MnistFile; 4] = [
        MnistFile::TrainImages,
        MnistFile::TrainLabels,
        MnistFile::TestImages,
        MnistFile::TestLabels,
    ];

    /// The file name in a data directory, e.g. `train-images-idx3-ubyte.gz`.
    pub const fn file_name(self) -> &'static str {
        match self {
            MnistFile::TrainImages => "train-images-idx3-ubyte.gz",
            MnistFile::TrainLabels => "train-labels-idx1-ubyte.gz",
            MnistFile::TestImages => "t10k-images-idx3-ubyte.gz",
            MnistFile::TestLabels => "t10k-labels-idx1-ubyte.gz",
        }
    }

    /// How many images or labels the canonical file holds.
    pub const fn count(self) -> u32 {
        match self {
            MnistFile::TrainImages | MnistFile::TrainLabels => 60_000,
            MnistFile::TestImages | MnistFile::TestLabels => 10_000,
        }
    }

    /// SHA-256 (lowercase hex) of the canonical file, decompressed.
    pub const fn sha256(self) -> &'static str {
        match self {
            MnistFile::TrainImages => {
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
            }
            MnistFile::TrainLabels => {
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
            }
            MnistFile::TestImages => {
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
            }
            MnistFile::TestLabels => {
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
            }
        }
    }

    fn kind(self) -> Kind {
        match self {
            MnistFile::TrainImages | MnistFile::TestImages => Kind::Images,
            MnistFile::TrainLabels | MnistFile::TestLabels => Kind::Labels,
        }
    }

    fn canonical(self) -> Canonical {
        Canonical {
            count: self.count(),
            sha256: self.sha256(),
        }
    }
}

/// How much [`Mnist::load_dir_with`] checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Verify {
    /// The files must be the canonical MNIST: 60,000 and 10,000 items and
    /// the SHA-256 of each decompressed file. The default.
    #[default]
    Canonical,
    /// Any data in the MNIST format: gzip, IDX magic numbers, 28x28 images,
    /// exact lengths, labels 0-9, as many labels as images. No checksums.
    FormatOnly,
}

/// MNIST: 60,000 training and 10,000 test images of handwritten digits,
/// with their labels, as `(train_images, train_labels), (test_images,
/// test_labels)` in Keras.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mnist {
    pub train_images: Images,
    pub train_labels: Labels,
    pub test_images: Images,
    pub test_labels: Labels,
}

impl Mnist {
    /// Loads and verifies the MNIST files of the repository's `data/mnist`.
    pub fn load() -> Result<Self, MnistError> {
        Self::load_dir(Self::default_dir())
    }

    /// Loads and verifies the canonical MNIST files from `dir`, which holds
    /// `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
    /// `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz`.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Self, MnistError> {
        Self::load_dir_with(dir, Verify::Canonical)
    }

    /// Loads the four files from `dir`, checking as much as `verify` says.
    /// The training and test sets are read on two threads; when several
    /// files are bad, the error is about the first in [`MnistFile::ALL`].
    pub fn load_dir_with(dir: impl AsRef<Path>, verify: Verify) -> Result<Self, MnistError> {
        let dir = dir.as_ref();
        let (train, test) = std::thread::scope(|scope| {
            let test =
                scope.spawn(|| load_set(dir, MnistFile::TestImages, MnistFile::TestLabels, verify));
            let train = load_set(dir, MnistFile::TrainImages, MnistFile::TrainLabels, verify);
            let test = test
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (train, test)
        });
        let (train_images, train_labels) = train?;
        let (test_images, test_labels) = test?;
        Ok(Self {
            train_images,
            train_labels,
            test_images,
            test_labels,
        })
    }

    /// The repository's `data/mnist` directory (canonicalized when it
    /// exists), located from this crate's source directory at compile time.
    pub fn default_dir() -> PathBuf {
        std::fs::canonicalize(DATA_DIR).unwrap_or_else(|_| PathBuf::from(DATA_DIR))
    }
}

fn load_set(
    dir: &Path,
    images_file: MnistFile,
    labels_file: MnistFile,
    verify: Verify,
) -> Result<(Images, Labels), MnistError> {
    let canonical = |file: MnistFile| match verify {
        Verify::Canonical => Some(file.canonical()),
        Verify::FormatOnly => None,
    };
    let images_path = dir.join(images_file.file_name());
    let labels_path = dir.join(labels_file.file_name());
    let pixels = idx::read(&images_path, images_file.kind(), canonical(images_file))?;
    let labels = idx::read(&labels_path, labels_file.kind(), canonical(labels_file))?;
    if let Some(index) = labels
        .iter()
        .position(|&label| usize::from(label) >= CLASSES)
    {
        return Err(MnistError::LabelOutOfRange {
            path: labels_path,
            index,
            value: labels[index],
        });
    }
    let images = Images { pixels };
    if images.len() != labels.len() {
        return Err(MnistError::CountMismatch {
            images_path,
            images: images.len(),
            labels_path,
            labels: labels.len(),
        });
    }
    Ok((images, Labels { labels }))
}

/// A set of 28x28 grayscale images, stored as in the IDX file: `u8` pixels,
/// image after image, row after row.
///
/// It derefs to `[Image]`: `images.len()`, `images[4]` (an [`Image`],
/// `[[u8; 28]; 28]`), `images[10..100]`, `images.iter()`.
#[derive(Clone, PartialEq, Eq)]
pub struct Images {
    /// `len() * PIXELS` bytes.
    pixels: Vec<u8>,
}

impl Images {
    /// `(number of images, 28, 28)`, like NumPy's `shape`.
    pub fn shape(&self) -> (usize, usize, usize) {
        (self.len(), SIDE, SIDE)
    }

    /// All pixels, image after image, row after row.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixels, without copying.
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }

    /// A `u8` tensor of shape `(n, 28, 28)` on `device`: the images as they
    /// are (copies the pixels; see [`Images::into_tensor`]).
    ///
    /// # Panics
    /// If the device cannot allocate the tensor (as `dfdx`'s own
    /// constructors); [`Images::try_to_tensor`] returns the error instead.
    pub fn to_tensor<D: TensorFromVec<u8>>(&self, device: &D) -> ImagesTensor<D> {
        self.try_to_tensor(device)
            .unwrap_or_else(|err| device_panic(err))
    }

    /// Fallible [`Images::to_tensor`].
    pub fn try_to_tensor<D: TensorFromVec<u8>>(
        &self,
        device: &D,
    ) -> Result<ImagesTensor<D>, D::Err> {
        device.try_tensor_from_vec(self.pixels.clone(), self.tensor_shape())
    }

    /// Like [`Images::to_tensor`], but moves the pixels into the tensor
    /// (without a copy on the CPU).
    pub fn into_tensor<D: TensorFromVec<u8>>(self, device: &D) -> ImagesTensor<D> {
        let shape = self.tensor_shape();
        device
            .try_tensor_from_vec(self.pixels, shape)
            .unwrap_or_else(|err| device_panic(err))
    }

    /// The network's input: an `f32` tensor of shape `(n, 784)` on `device`,
    /// each image flattened row after row and each pixel divided by 255, so
    /// in `[0, 1]` (Keras: `reshape((n, 28 * 28)).astype("float32") / 255`).
    ///
    /// # Panics
    /// If the device cannot allocate the tensor;
    /// [`Images::try_to_flat_f32`] returns the error instead.
    pub fn to_flat_f32<D: TensorFromVec<f32>>(&self, device: &D) -> FlatImagesTensor<D> {
        self.try_to_flat_f32(device)
            .unwrap_or_else(|err| device_panic(err))
    }

    /// Fallible [`Images::to_flat_f32`].
    pub fn try_to_flat_f32<D: TensorFromVec<f32>>(
        &self,
        device: &D,
    ) -> Result<FlatImagesTensor<D>, D::Err> {
        // A division, not a multiplication by 1/255, to give the same f32s
        // as NumPy's `x / 255`.
        let data: Vec<f32> = self.pixels.iter().map(|&p| f32::from(p) / 255.0).collect();
        device.try_tensor_from_vec(data, (self.len(), Const::<PIXELS>))
    }

    fn tensor_shape(&self) -> (usize, Const<SIDE>, Const<SIDE>) {
        (self.len(), Const, Const)
    }
}

/// The `u8` tensor of [`Images::to_tensor`]: `(n, 28, 28)`.
pub type ImagesTensor<D> = Tensor<(usize, Const<SIDE>, Const<SIDE>), u8, D>;
/// The `f32` tensor of [`Images::to_flat_f32`]: `(n, 784)`.
pub type FlatImagesTensor<D> = Tensor<(usize, Const<PIXELS>), f32, D>;
/// The `u8` tensor of [`Labels::to_tensor`]: `(n,)`.
pub type LabelsTensor<D> = Tensor<(usize,), u8, D>;
/// The `f32` tensor of [`Labels::to_one_hot`]: `(n, 10)`.
pub type OneHotTensor<D> = Tensor<(usize, Const<CLASSES>), f32, D>;

impl Deref for Images {
    type Target = [Image];

    fn deref(&self) -> &[Image] {
        let (rows, _) = self.pixels.as_chunks::<SIDE>();
        let (images, _) = rows.as_chunks::<SIDE>();
        images
    }
}

impl fmt::Debug for Images {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Images")
            .field("shape", &self.shape())
            .finish_non_exhaustive()
    }
}

/// The labels of a set of images: one digit 0-9 per image, as `u8`.
///
/// It derefs to `[u8]`: `labels.len()`, `labels[4]`, `labels.iter()`.
#[derive(Clone, PartialEq, Eq)]
pub struct Labels {
    /// Every label is below [`CLASSES`].
    labels: Vec<u8>,
}

impl Labels {
    /// `(number of labels,)`, like NumPy's `shape`.
    pub fn shape(&self) -> (usize,) {
        (self.len(),)
    }

    /// A `u8` tensor of shape `(n,)` on `device`.
    ///
    /// # Panics
    /// If the device cannot allocate the tensor;
    /// [`Labels::try_to_tensor`] returns the error instead.
    pub fn to_tensor<D: TensorFromVec<u8>>(&self, device: &D) -> LabelsTensor<D> {
        self.try_to_tensor(device)
            .unwrap_or_else(|err| device_panic(err))
    }

    /// Fallible [`Labels::to_tensor`].
    pub fn try_to_tensor<D: TensorFromVec<u8>>(
        &self,
        device: &D,
    ) -> Result<LabelsTensor<D>, D::Err> {
        device.try_tensor_from_vec(self.labels.clone(), (self.len(),))
    }

    /// The targets for cross-entropy: an `f32` tensor of shape `(n, 10)` on
    /// `device`, 1 at each label's digit and 0 elsewhere (Keras:
    /// `to_categorical`).
    ///
    /// # Panics
    /// If the device cannot allocate the tensor;
    /// [`Labels::try_to_one_hot`] returns the error instead.
    pub fn to_one_hot<D: TensorFromVec<f32>>(&self, device: &D) -> OneHotTensor<D> {
        self.try_to_one_hot(device)
            .unwrap_or_else(|err| device_panic(err))
    }

    /// Fallible [`Labels::to_one_hot`].
    pub fn try_to_one_hot<D: TensorFromVec<f32>>(
        &self,
        device: &D,
    ) -> Result<OneHotTensor<D>, D::Err> {
        let mut data = vec![0.0f32; self.len() * CLASSES];
        for (row, &label) in data.chunks_exact_mut(CLASSES).zip(&self.labels) {
            row[usize::from(label)] = 1.0;
        }
        device.try_tensor_from_vec(data, (self.len(), Const::<CLASSES>))
    }
}

impl Deref for Labels {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.labels
    }
}

impl fmt::Debug for Labels {
    /// The shape and the first and last three labels, like NumPy's
    /// `array([5, 0, 4, ..., 5, 6, 8], dtype=uint8)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Preview<'a>(&'a [u8]);
        impl fmt::Debug for Preview<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                if self.0.len() <= 6 {
                    return f.debug_list().entries(self.0).finish();
                }
                let (head, tail) = (&self.0[..3], &self.0[self.0.len() - 3..]);
                write!(f, "[")?;
                for label in head {
                    write!(f, "{label}, ")?;
                }
                write!(f, "...")?;
                for label in tail {
                    write!(f, ", {label}")?;
                }
                write!(f, "]")
            }
        }
        f.debug_struct("Labels")
            .field("shape", &self.shape())
            .field("labels", &Preview(&self.labels))
            .finish()
    }
}

#[cold]
fn device_panic(err: impl fmt::Display) -> ! {
    panic!("cannot create the MNIST tensor on the device: {err}")
}
