//! The shape every transform of section 2.3.5 is applied to, and its outline.

use crate::GeometryError;

/// The corners of a capital letter F, counter-clockwise, inside the box
/// `[0.4, 1.1] × [0.2, 1.2]` of the first quadrant. It has no symmetry, so
/// a rotation, a reflection or a shear is visible at a glance.
pub fn letter_f() -> Vec<[f32; 2]> {
    vec![
        [0.4, 0.2],
        [0.65, 0.2],
        [0.65, 0.6],
        [0.95, 0.6],
        [0.95, 0.8],
        [0.65, 0.8],
        [0.65, 0.98],
        [1.1, 0.98],
        [1.1, 1.2],
        [0.4, 1.2],
    ]
}

/// The closed outline of the polygon `corners`, with points every `step`
/// (at most) along each edge, starting at the first corner and ending just
/// before it. A linear map sends the corners' outline to the outline of the
/// mapped corners, but a non-linear one such as `relu` bends the edges in
/// between: map the outline, not the corners.
pub fn outline(corners: &[[f32; 2]], step: f32) -> Result<Vec<[f32; 2]>, GeometryError> {
    if corners.len() < 3 {
        return Err(GeometryError::TooFewCorners(corners.len()));
    }
    let mut out = Vec::new();
    for (i, &[x0, y0]) in corners.iter().enumerate() {
        let [x1, y1] = corners[(i + 1) % corners.len()];
        let length = (x1 - x0).hypot(y1 - y0);
        let n = ((length / step).ceil() as usize).max(1);
        for k in 0..n {
            let t = k as f32 / n as f32;
            out.push([x0 + t * (x1 - x0), y0 + t * (y1 - y0)]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_keeps_the_corners_and_fills_the_edges() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        let points = outline(&square, 0.25).unwrap();
        assert_eq!(points.len(), 16);
        assert_eq!(points[0], [0.0, 0.0]);
        assert_eq!(points[2], [0.5, 0.0]);
        assert_eq!(points[4], [1.0, 0.0]);
        assert_eq!(points[15], [0.0, 0.25]);
    }

    #[test]
    fn outline_rejects_a_segment() {
        assert_eq!(
            outline(&[[0.0, 0.0], [1.0, 1.0]], 0.1),
            Err(GeometryError::TooFewCorners(2))
        );
    }

    #[test]
    fn letter_f_is_counter_clockwise_and_in_the_first_quadrant() {
        let f = letter_f();
        // Shoelace formula: a positive area means counter-clockwise.
        let twice_area: f32 = (0..f.len())
            .map(|i| {
                let ([x0, y0], [x1, y1]) = (f[i], f[(i + 1) % f.len()]);
                x0 * y1 - x1 * y0
            })
            .sum();
        assert!(twice_area > 0.0);
        assert!(f.iter().all(|&[x, y]| x > 0.0 && y > 0.0));
    }
}
