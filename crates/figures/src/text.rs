//! Text in PNG figures, rasterized with ab_glyph directly.
//!
//! Plotters' own bitmap text drops each glyph's left side bearing, which
//! spreads narrow glyphs apart ("1," comes out as "1 ,"), and puts the
//! baseline lower than SVG output does. This draws the same text at the same
//! size plotters measures it with, with glyphs at their proper positions and
//! the baseline where the SVG backend's `dy` puts it, so PNG and SVG figures
//! agree. All text uses the embedded NanumGothic, bold for a bold style.

use ab_glyph::{Font, GlyphId, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendCoord, BackendTextStyle, DrawingBackend, DrawingErrorKind};

use crate::fonts;

/// Where the baseline sits below a top-anchored text's anchor, in ems: the
/// SVG backend's `dy="0.76em"`.
const TOP_BASELINE_EM: f32 = 0.76;
/// NanumGothic's x-height, in ems; the SVG backend moves centred text by half
/// an ex.
const X_HEIGHT_EM: f32 = 0.5;

/// Draws `text` on `backend` the way plotters' `draw_text` would.
pub(crate) fn draw<DB: DrawingBackend, S: BackendTextStyle>(
    backend: &mut DB,
    text: &str,
    style: &S,
    (x0, y0): BackendCoord,
) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
    let color = style.color();
    if color.alpha == 0.0 || text.is_empty() {
        return Ok(());
    }
    let font = fonts::glyphs(style.style());
    // The scale plotters measures text with, so layouts computed from its
    // estimates fit what is drawn.
    let font = font.as_scaled(PxScale::from(style.size() as f32));
    let em = font.scale().y * font.font().units_per_em().unwrap_or(1000.0)
        / font.font().height_unscaled();

    let ids: Vec<GlyphId> = text.chars().map(|c| font.glyph_id(c)).collect();
    let mut pens = Vec::with_capacity(ids.len());
    let mut pen = 0.0f32;
    for (i, &id) in ids.iter().enumerate() {
        if i > 0 {
            pen += font.kern(ids[i - 1], id);
        }
        pens.push(pen);
        pen += font.h_advance(id);
    }
    let width = pen;

    let anchor = style.anchor();
    let dx = match anchor.h_pos {
        HPos::Left => 0.0,
        HPos::Center => -width / 2.0,
        HPos::Right => -width,
    };
    let baseline = match anchor.v_pos {
        VPos::Top => TOP_BASELINE_EM * em,
        VPos::Center => X_HEIGHT_EM / 2.0 * em,
        VPos::Bottom => -X_HEIGHT_EM / 2.0 * em,
    };

    let transform = style.transform();
    let (w, h) = backend.get_size();
    for (&id, &pen) in ids.iter().zip(&pens) {
        let glyph = id.with_scale_and_position(font.scale(), point(dx + pen, baseline));
        let Some(outline) = font.outline_glyph(glyph) else {
            continue; // a space
        };
        let bounds = outline.px_bounds();
        let mut pixels = Vec::new();
        outline.draw(|gx, gy, coverage| {
            if coverage > 0.0 {
                pixels.push((gx, gy, coverage));
            }
        });
        for (gx, gy, coverage) in pixels {
            let (ox, oy) = (
                bounds.min.x as i32 + gx as i32,
                bounds.min.y as i32 + gy as i32,
            );
            let (ox, oy) = transform.transform(ox, oy);
            let (x, y) = (x0 + ox, y0 + oy);
            if x >= 0 && y >= 0 && x < w as i32 && y < h as i32 {
                backend.draw_pixel((x, y), color.mix(f64::from(coverage.min(1.0))))?;
            }
        }
    }
    Ok(())
}
