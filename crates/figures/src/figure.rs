//! [`Figure`]: rendering a drawing to SVG or PNG bytes, and showing it.

use std::error::Error;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use plotters::drawing::IntoDrawingArea;
use plotters::style::WHITE;

use crate::backend::{Backend, Root};
use crate::fonts;

/// The environment variable through which the book engine collects figures.
pub const FIGURE_DIR_VAR: &str = "NNBLOCKS_FIGURE_DIR";

/// The byte that brackets a figure marker on standard output.
pub(crate) const MARKER_DELIMITER: char = '\u{1e}';

/// What a figure is rendered as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Vector graphics, for diagrams and charts.
    Svg,
    /// A raster image, for pixel data such as MNIST digits.
    Png,
}

impl Format {
    /// The file extension, without a dot: `"svg"` or `"png"`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// Why a figure could not be drawn, saved or shown.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// The drawing closure returned an error.
    #[error("drawing the figure failed: {0}")]
    Draw(#[source] Box<dyn Error>),
    /// Plotters failed while finishing the drawing.
    #[error("finishing the figure failed: {0}")]
    Present(String),
    /// The canvas has a zero or too large side.
    #[error("a {width}x{height} canvas is not drawable")]
    Size {
        /// The requested width in pixels.
        width: u32,
        /// The requested height in pixels.
        height: u32,
    },
    /// The pixels could not be encoded as PNG.
    #[error("encoding the PNG failed: {0}")]
    Encode(#[from] image::ImageError),
    /// An array's name or numbers cannot be published.
    #[error("{0}")]
    Array(String),
    /// Writing the file or the marker failed.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The file or stream written to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// An empty canvas of a given size and format, waiting for its drawing.
///
/// Made by [`Figure::svg`], [`Figure::png`] or [`Figure::canvas`]; turned into a
/// [`Figure`] by [`Canvas::draw`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "a canvas does nothing until `.draw(...)` is called"]
pub struct Canvas {
    format: Format,
    width: u32,
    height: u32,
}

impl Canvas {
    /// Draws the figure: `draw` gets the whole canvas, already filled white,
    /// and draws on it with plotters. Inside it, `?` works on plotters' errors
    /// and on any other error.
    ///
    /// ```
    /// use nnblocks_figures::Figure;
    /// use plotters::prelude::*;
    ///
    /// let fig = Figure::svg(200, 100).draw(|root| {
    ///     root.draw(&Rectangle::new([(10, 10), (190, 90)], BLUE.filled()))?;
    ///     Ok(())
    /// })?;
    /// assert!(fig.as_str().unwrap().starts_with("<svg"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn draw<F>(self, draw: F) -> Result<Figure, FigureError>
    where
        F: FnOnce(&Root<'_>) -> Result<(), Box<dyn Error>>,
    {
        let Canvas {
            format,
            width,
            height,
        } = self;
        let size = (width, height);
        let pixels = usize::try_from(u64::from(width) * u64::from(height) * 3).ok();
        let pixels = match pixels {
            Some(n) if width > 0 && height > 0 && width <= MAX_SIDE && height <= MAX_SIDE => n,
            _ => return Err(FigureError::Size { width, height }),
        };
        fonts::register();
        let bytes = match format {
            Format::Svg => {
                let mut svg = String::new();
                render(Backend::svg(&mut svg, size), draw)?;
                svg.into_bytes()
            }
            Format::Png => {
                let mut rgb = vec![0u8; pixels];
                render(Backend::bitmap(&mut rgb, size), draw)?;
                encode_png(rgb, width, height)?
            }
        };
        Ok(Figure {
            format,
            width,
            height,
            bytes,
        })
    }
}

/// The largest canvas side accepted, in pixels.
const MAX_SIDE: u32 = 16_384;

fn render<F>(backend: Backend<'_>, draw: F) -> Result<(), FigureError>
where
    F: FnOnce(&Root<'_>) -> Result<(), Box<dyn Error>>,
{
    let root = backend.into_drawing_area();
    root.fill(&WHITE)
        .map_err(|e| FigureError::Present(e.to_string()))?;
    draw(&root).map_err(FigureError::Draw)?;
    root.present()
        .map_err(|e| FigureError::Present(e.to_string()))
}

fn encode_png(rgb: Vec<u8>, width: u32, height: u32) -> Result<Vec<u8>, FigureError> {
    use image::ImageEncoder;
    use image::codecs::png::PngEncoder;

    let mut png = Vec::new();
    PngEncoder::new(&mut png).write_image(&rgb, width, height, image::ExtendedColorType::Rgb8)?;
    Ok(png)
}

/// A rendered figure: the bytes of an SVG document or a PNG image.
///
/// ```no_run
/// use nnblocks_figures::{Curve, Figure, style};
/// use plotters::prelude::*;
///
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let fig = Figure::svg(640, 400).draw(|root| {
///         let mut chart = style::chart(root)
///             .caption("사인 곡선", style::title())
///             .build_cartesian_2d(-3.2..3.2, -1.2..1.2)?;
///         style::mesh(&mut chart).x_desc("x").y_desc("sin x").draw()?;
///         let xs = (-320..=320).map(|i| f64::from(i) / 100.0);
///         chart.draw_series(Curve::new(&chart, xs.map(|x| (x, x.sin())), style::line(style::BLUE)))?;
///         Ok(())
///     })?;
///     fig.show()?;
///     Ok(())
/// }
/// ```
///
/// The same drawing always gives byte-identical output.
#[derive(Clone, PartialEq, Eq)]
pub struct Figure {
    format: Format,
    width: u32,
    height: u32,
    bytes: Vec<u8>,
}

impl fmt::Debug for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Figure")
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Figure {
    /// A `width` x `height` pixel SVG canvas: the format for diagrams and
    /// charts.
    pub fn svg(width: u32, height: u32) -> Canvas {
        Self::canvas(Format::Svg, width, height)
    }

    /// A `width` x `height` pixel PNG canvas: the format for pixel data such
    /// as images of digits.
    pub fn png(width: u32, height: u32) -> Canvas {
        Self::canvas(Format::Png, width, height)
    }

    /// A `width` x `height` pixel canvas in the given format.
    pub fn canvas(format: Format, width: u32, height: u32) -> Canvas {
        // Registered here too, in case text styles are made before `draw`.
        fonts::register();
        Canvas {
            format,
            width,
            height,
        }
    }

    /// The format the figure was rendered in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The figure's width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The file contents: an SVG document or a PNG image.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The SVG document as text; `None` for a PNG figure.
    pub fn as_str(&self) -> Option<&str> {
        match self.format {
            Format::Svg => std::str::from_utf8(&self.bytes).ok(),
            Format::Png => None,
        }
    }

    /// Takes the file contents out of the figure.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Writes the figure to `path` as it is; the extension is not checked.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), FigureError> {
        let path = path.as_ref();
        std::fs::write(path, &self.bytes).map_err(|source| FigureError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// Shows the figure: in the book, it appears below the code that made it.
    ///
    /// Each call numbers the figure, 1 for the first one a program shows,
    /// and saves it as `figure-<n>.svg` or `figure-<n>.png`:
    ///
    /// - When the book is built, the `NNBLOCKS_FIGURE_DIR` environment
    ///   variable names the directory to save into, and `show` prints the
    ///   marker `"\u{1e}figure:figure-<n>.<ext>\u{1e}"` (no newline) to
    ///   standard output, through the same handle `println!` uses, and
    ///   flushes it. The book engine replaces the marker with the figure.
    /// - Run anywhere else, `show` saves into the current directory and
    ///   prints `figure saved to figure-<n>.<ext>` on a line of its own.
    ///
    /// An empty `NNBLOCKS_FIGURE_DIR` counts as unset.
    pub fn show(&self) -> Result<(), FigureError> {
        let number = next_figure_number();
        let destination = match std::env::var_os(FIGURE_DIR_VAR) {
            Some(dir) if !dir.is_empty() => Destination::Book(PathBuf::from(dir)),
            _ => Destination::WorkingDir(PathBuf::new()),
        };
        let stdout = io::stdout();
        let mut out = stdout.lock();
        self.emit(number, &destination, &mut out).map(drop)
    }

    /// The file name `show` gives this figure as figure number `number`.
    fn file_name(&self, number: u32) -> String {
        format!("figure-{number}.{}", self.format.extension())
    }

    /// The body of [`Figure::show`], with the figure number, the
    /// destination and standard output passed in; returns the file written.
    fn emit(
        &self,
        number: u32,
        destination: &Destination,
        out: &mut dyn Write,
    ) -> Result<PathBuf, FigureError> {
        let name = self.file_name(number);
        let (path, message) = match destination {
            Destination::Book(dir) => (
                dir.join(&name),
                format!("{MARKER_DELIMITER}figure:{name}{MARKER_DELIMITER}"),
            ),
            Destination::WorkingDir(dir) => (dir.join(&name), format!("figure saved to {name}\n")),
        };
        self.save(&path)?;
        out.write_all(message.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|source| FigureError::Write {
                path: PathBuf::from("<stdout>"),
                source,
            })?;
        Ok(path)
    }
}

/// Where [`Figure::show`] saves, and so what it prints.
#[derive(Debug)]
enum Destination {
    /// The book engine's directory, from `NNBLOCKS_FIGURE_DIR`.
    Book(PathBuf),
    /// A reader's run: this directory, normally the current one (empty path).
    WorkingDir(PathBuf),
}

/// The next figure number of this process, starting at 1.
fn next_figure_number() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(format: Format) -> Figure {
        Figure::canvas(format, 8, 6).draw(|_| Ok(())).unwrap()
    }

    #[test]
    fn book_destination_writes_the_file_and_prints_only_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        let fig = tiny(Format::Svg);
        let mut out = Vec::new();
        let path = fig
            .emit(1, &Destination::Book(dir.path().to_owned()), &mut out)
            .unwrap();
        assert_eq!(path, dir.path().join("figure-1.svg"));
        assert_eq!(std::fs::read(&path).unwrap(), fig.as_bytes());
        assert_eq!(out, "\u{1e}figure:figure-1.svg\u{1e}".as_bytes());

        let png = tiny(Format::Png);
        let mut out = Vec::new();
        png.emit(2, &Destination::Book(dir.path().to_owned()), &mut out)
            .unwrap();
        assert_eq!(out, "\u{1e}figure:figure-2.png\u{1e}".as_bytes());
        assert_eq!(
            std::fs::read(dir.path().join("figure-2.png")).unwrap(),
            png.as_bytes()
        );
    }

    #[test]
    fn working_dir_destination_prints_where_the_file_went() {
        let dir = tempfile::tempdir().unwrap();
        let fig = tiny(Format::Png);
        let mut out = Vec::new();
        let path = fig
            .emit(3, &Destination::WorkingDir(dir.path().to_owned()), &mut out)
            .unwrap();
        assert_eq!(path, dir.path().join("figure-3.png"));
        assert_eq!(std::fs::read(&path).unwrap(), fig.as_bytes());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "figure saved to figure-3.png\n"
        );
    }

    #[test]
    fn an_unwritable_directory_is_an_error_and_prints_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let mut out = Vec::new();
        let err = tiny(Format::Svg)
            .emit(1, &Destination::Book(missing), &mut out)
            .unwrap_err();
        assert!(matches!(err, FigureError::Write { .. }), "{err}");
        assert!(out.is_empty());
    }

    #[test]
    fn figure_numbers_count_up() {
        // No other unit test takes a number, so this sees the first ones.
        assert_eq!(next_figure_number(), 1);
        assert_eq!(next_figure_number(), 2);
    }
}
