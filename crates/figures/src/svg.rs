//! The book's SVG writer: plotters' SVG output, plus paths at sub-pixel
//! precision.
//!
//! Plotters hands a backend whole-pixel coordinates, so a curve sampled at
//! many points comes out as a staircase. This writer produces exactly what
//! plotters' own `SVGBackend` writes for every plotters call (a test compares
//! the bytes), and adds [`Svg::draw_fine_path`], which writes a polyline at
//! hundredths of a pixel; [`Curve`](crate::Curve) draws through it.

use std::fmt::Write as _;

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

type Result = std::result::Result<(), DrawingErrorKind<std::io::Error>>;

/// An SVG document being written into a string.
pub(crate) struct Svg<'a> {
    buf: &'a mut String,
    size: (u32, u32),
    closed: bool,
}

impl<'a> Svg<'a> {
    pub(crate) fn new(buf: &'a mut String, size: (u32, u32)) -> Self {
        let (w, h) = size;
        let mut svg = Self {
            buf,
            size,
            closed: false,
        };
        svg.tag(
            "svg",
            &[
                ("width", w.to_string()),
                ("height", h.to_string()),
                ("viewBox", format!("0 0 {w} {h}")),
                ("xmlns", "http://www.w3.org/2000/svg".into()),
            ],
            false,
        );
        svg
    }

    /// A polyline through `points`, given in pixels with fractions.
    pub(crate) fn draw_fine_path<S: BackendStyle>(&mut self, points: &[(f64, f64)], style: &S) {
        if style.color().alpha == 0.0 {
            return;
        }
        let points = points.iter().fold(String::new(), |mut s, &(x, y)| {
            write!(s, "{},{} ", fine(x), fine(y)).ok();
            s
        });
        self.polyline(points, style);
    }

    fn polyline<S: BackendStyle>(&mut self, points: String, style: &S) {
        self.tag(
            "polyline",
            &[
                ("fill", "none".into()),
                ("opacity", opacity(style.color())),
                ("stroke", color(style.color())),
                ("stroke-width", style.stroke_width().to_string()),
                ("points", points),
            ],
            true,
        );
    }

    /// Writes `<name attr="value" ...>`, self-closed if `close`.
    fn tag(&mut self, name: &str, attrs: &[(&str, String)], close: bool) {
        self.buf.push('<');
        self.buf.push_str(name);
        for (key, value) in attrs {
            write!(self.buf, " {key}=\"").ok();
            escape_into(self.buf, value);
            self.buf.push('"');
        }
        self.buf.push_str(if close { "/>\n" } else { ">\n" });
    }
}

/// A coordinate in hundredths of a pixel, without trailing zeros.
fn fine(v: f64) -> String {
    let s = format!("{:.2}", v + 0.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn color(c: BackendColor) -> String {
    let (r, g, b) = c.rgb;
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// A shape's `fill` and `stroke`: the colour goes to one, `none` to the other.
fn paint(c: BackendColor, filled: bool) -> (String, String) {
    if filled {
        (color(c), "none".into())
    } else {
        ("none".into(), color(c))
    }
}

fn opacity(c: BackendColor) -> String {
    c.alpha.to_string()
}

fn escape_into(buf: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '<' => buf.push_str("&lt;"),
            '>' => buf.push_str("&gt;"),
            '&' => buf.push_str("&amp;"),
            '"' => buf.push_str("&quot;"),
            '\'' => buf.push_str("&apos;"),
            other => buf.push(other),
        }
    }
}

fn whole_points(path: impl IntoIterator<Item = BackendCoord>) -> String {
    path.into_iter().fold(String::new(), |mut s, (x, y)| {
        write!(s, "{x},{y} ").ok();
        s
    })
}

impl DrawingBackend for Svg<'_> {
    type ErrorType = std::io::Error;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result {
        Ok(())
    }

    fn present(&mut self) -> Result {
        if !self.closed {
            self.buf.push_str("</svg>\n");
            self.closed = true;
        }
        Ok(())
    }

    fn draw_pixel(&mut self, (x, y): BackendCoord, c: BackendColor) -> Result {
        if c.alpha == 0.0 {
            return Ok(());
        }
        self.tag(
            "rect",
            &[
                ("x", x.to_string()),
                ("y", y.to_string()),
                ("width", "1".into()),
                ("height", "1".into()),
                ("stroke", "none".into()),
                ("opacity", opacity(c)),
                ("fill", color(c)),
            ],
            true,
        );
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.tag(
            "line",
            &[
                ("opacity", opacity(style.color())),
                ("stroke", color(style.color())),
                ("stroke-width", style.stroke_width().to_string()),
                ("x1", from.0.to_string()),
                ("y1", from.1.to_string()),
                ("x2", to.0.to_string()),
                ("y2", to.1.to_string()),
            ],
            true,
        );
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        (x0, y0): BackendCoord,
        (x1, y1): BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (fill, stroke) = paint(style.color(), fill);
        self.tag(
            "rect",
            &[
                ("x", x0.to_string()),
                ("y", y0.to_string()),
                ("width", (x1 - x0).to_string()),
                ("height", (y1 - y0).to_string()),
                ("opacity", opacity(style.color())),
                ("fill", fill),
                ("stroke", stroke),
            ],
            true,
        );
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result {
        if style.color().alpha != 0.0 {
            self.polyline(whole_points(path), style);
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.tag(
            "polygon",
            &[
                ("opacity", opacity(style.color())),
                ("fill", color(style.color())),
                ("points", whole_points(path)),
            ],
            true,
        );
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        (cx, cy): BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (fill, stroke) = paint(style.color(), fill);
        self.tag(
            "circle",
            &[
                ("cx", cx.to_string()),
                ("cy", cy.to_string()),
                ("r", radius.to_string()),
                ("opacity", opacity(style.color())),
                ("fill", fill),
                ("stroke", stroke),
                ("stroke-width", style.stroke_width().to_string()),
            ],
            true,
        );
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        (x, y): BackendCoord,
    ) -> Result {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let anchor = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "middle",
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => "0.76em",
            VPos::Center => "0.5ex",
            VPos::Bottom => "-0.5ex",
        };
        let mut attrs = vec![
            ("x", x.to_string()),
            ("y", y.to_string()),
            ("dy", dy.into()),
            ("text-anchor", anchor.into()),
            ("font-family", style.family().as_str().into()),
            // Plotters' text sizes are 1.24 times the CSS font size.
            ("font-size", (style.size() / 1.24).to_string()),
            ("opacity", opacity(c)),
            ("fill", color(c)),
        ];
        match style.style() {
            FontStyle::Normal => {}
            FontStyle::Bold => attrs.push(("font-weight", "bold".into())),
            other => attrs.push(("font-style", other.as_str().into())),
        }
        let degrees = match style.transform() {
            FontTransform::Rotate90 => Some(90),
            FontTransform::Rotate180 => Some(180),
            FontTransform::Rotate270 => Some(270),
            FontTransform::None => None,
        };
        if let Some(d) = degrees {
            attrs.push(("transform", format!("rotate({d}, {x}, {y})")));
        }
        self.tag("text", &attrs, false);
        escape_into(self.buf, text);
        self.buf.push_str("\n</text>\n");
        Ok(())
    }

    fn blit_bitmap(&mut self, (x, y): BackendCoord, (w, h): (u32, u32), src: &[u8]) -> Result {
        use image::ImageEncoder;
        use image::codecs::png::PngEncoder;

        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(src, w, h, image::ExtendedColorType::Rgb8)
            .map_err(|e| DrawingErrorKind::DrawingError(std::io::Error::other(e)))?;
        self.tag(
            "image",
            &[
                ("x", x.to_string()),
                ("y", y.to_string()),
                ("width", w.to_string()),
                ("height", h.to_string()),
                ("href", format!("data:png;base64,{}", base64(&png))),
            ],
            true,
        );
        Ok(())
    }
}

/// Standard base64 with padding, as SVG data URIs take it.
fn base64(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(DIGITS[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Svg, base64, fine};
    use crate::style;
    use plotters::coord::Shift;
    use plotters::prelude::*;

    /// Every kind of plotters call the book makes: a chart with its mesh,
    /// rotated axis text, a legend, series, shapes, filled and outlined.
    fn scene<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>) {
        root.fill(&WHITE).unwrap();
        let (left, right) = root.split_horizontally(300);
        let mut chart = style::chart(&left)
            .caption("제목 <&>", style::title())
            .build_cartesian_2d(-3.2..3.2, -1.2..1.2)
            .unwrap();
        style::mesh(&mut chart)
            .x_desc("입력 x")
            .y_desc("출력 y")
            .draw()
            .unwrap();
        let xs = (-32..=32).map(|i| f64::from(i) / 10.0);
        chart
            .draw_series(LineSeries::new(
                xs.map(|x| (x, x.sin())),
                style::line(style::BLUE),
            ))
            .unwrap()
            .label("sin x")
            .legend(style::legend_line(style::BLUE));
        chart
            .draw_series(
                [(0.5, 0.5), (1.0, -0.5)].map(|p| Circle::new(p, 4, style::fill(style::RED))),
            )
            .unwrap();
        style::legend(&mut chart).draw().unwrap();
        right
            .draw(&Rectangle::new(
                [(10, 10), (90, 60)],
                style::LIGHT_BLUE.filled(),
            ))
            .unwrap();
        right
            .draw(&Rectangle::new(
                [(10, 10), (90, 60)],
                style::INK.stroke_width(1),
            ))
            .unwrap();
        right
            .draw(&Polygon::new(
                vec![(100, 100), (150, 120), (120, 160)],
                style::GREEN.mix(0.5),
            ))
            .unwrap();
        right
            .draw(&Circle::new((200, 50), 20, style::ORANGE.stroke_width(2)))
            .unwrap();
        right
            .draw(&Text::new(
                "가운데",
                (150, 200),
                style::centered(style::label()),
            ))
            .unwrap();
        right
            .draw(&PathElement::new(
                vec![(0, 250), (250, 250)],
                style::GRAY.stroke_width(1),
            ))
            .unwrap();
        root.present().unwrap();
    }

    #[test]
    fn plotters_calls_come_out_as_plotters_writes_them() {
        let size = (600, 300);
        let mut ours = String::new();
        scene(&Svg::new(&mut ours, size).into_drawing_area());
        let mut theirs = String::new();
        scene(&plotters::backend::SVGBackend::with_string(&mut theirs, size).into_drawing_area());
        assert!(
            ours.contains("<polyline") && ours.contains("<polygon") && ours.contains("rotate(")
        );
        assert_eq!(ours, theirs);
    }

    #[test]
    fn fine_coordinates_keep_hundredths_and_drop_trailing_zeros() {
        assert_eq!(fine(12.0), "12");
        assert_eq!(fine(12.5), "12.5");
        assert_eq!(fine(12.254), "12.25");
        assert_eq!(fine(-0.001), "0");
        assert_eq!(fine(-3.1), "-3.1");
    }

    #[test]
    fn base64_pads_like_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
