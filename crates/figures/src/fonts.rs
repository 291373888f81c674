//! The embedded NanumGothic fonts and their registration with plotters.
//!
//! Plotters is built with its `ab_glyph` text renderer, which knows no system
//! fonts: every family a figure names must be registered before any text is
//! measured or drawn. SVG output needs this as well, because plotters lays out
//! labels and legends from the measured width of their text.

use std::sync::{Once, OnceLock};

use ab_glyph::FontRef;

use plotters::style::{FontStyle, register_font};

use crate::style::FONT_FAMILY;

static REGULAR: &[u8] = include_bytes!("../fonts/NanumGothic.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/NanumGothicBold.ttf");

/// Every family name NanumGothic answers to: the house family stack, the
/// font's own name, and plotters' generic families, so that plotters' default
/// text (`"sans-serif"`) and a reader's `"serif"` or `"monospace"` also render
/// Korean in PNG figures.
const FAMILIES: [&str; 5] = [
    FONT_FAMILY,
    "NanumGothic",
    "sans-serif",
    "serif",
    "monospace",
];

/// Registers the fonts once per process; cheap to call again.
///
/// Plotters resolves a font when a `FontDesc` is made, not when it is used,
/// so this runs when a canvas or a house font is made as well as before
/// drawing; a `FontDesc` made before any of those cannot measure text.
pub(crate) fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for family in FAMILIES {
            for (style, bytes) in [(FontStyle::Normal, REGULAR), (FontStyle::Bold, BOLD)] {
                if register_font(family, style, bytes).is_err() {
                    panic!(
                        "the embedded font for {family:?} ({}) is not a valid font",
                        style.as_str()
                    );
                }
            }
        }
    });
}

/// NanumGothic for drawing glyphs directly: bold for [`FontStyle::Bold`],
/// regular for every other style.
pub(crate) fn glyphs(style: FontStyle) -> &'static FontRef<'static> {
    static FONTS: OnceLock<[FontRef<'static>; 2]> = OnceLock::new();
    let [regular, bold] = FONTS.get_or_init(|| {
        [REGULAR, BOLD]
            .map(|bytes| FontRef::try_from_slice(bytes).expect("the embedded fonts are valid"))
    });
    match style {
        FontStyle::Bold => bold,
        _ => regular,
    }
}
