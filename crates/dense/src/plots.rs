//! The figures of sections 2.1 and 2.5 that take more than a few lines to
//! draw: the training loop (the book's figure 2.26), the training curves and
//! MNIST digits with their predicted and true labels.

use std::error::Error;

use nnblocks_figures::{Curve, Figure, FigureError, Root, style};
use nnblocks_tensors::mnist::{Image, SIDE};
use plotters::prelude::*;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type DrawResult = Result<(), Box<dyn Error>>;

const WHITE_BOX: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// A labelled box centred at `c`, `w` x `h` pixels.
fn node(
    root: &Root<'_>,
    c: (i32, i32),
    w: i32,
    h: i32,
    text: &str,
    fill: RGBColor,
    ink: RGBColor,
) -> DrawResult {
    let (x0, y0) = (c.0 - w / 2, c.1 - h / 2);
    root.draw(&Rectangle::new(
        [(x0, y0), (x0 + w, y0 + h)],
        style::fill(fill),
    ))?;
    root.draw(&Rectangle::new(
        [(x0, y0), (x0 + w, y0 + h)],
        ink.stroke_width(style::THIN_WIDTH),
    ))?;
    root.draw(&Text::new(
        text.to_string(),
        c,
        style::centered(style::label()),
    ))?;
    Ok(())
}

/// An arrow along `points`, with its head at the last point.
fn arrow(root: &Root<'_>, points: &[(i32, i32)], color: RGBColor) -> DrawResult {
    root.draw(&PathElement::new(points.to_vec(), color.stroke_width(2)))?;
    let (tip, before) = (points[points.len() - 1], points[points.len() - 2]);
    let (dx, dy) = ((tip.0 - before.0) as f64, (tip.1 - before.1) as f64);
    let len = dx.hypot(dy).max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let back = (tip.0 as f64 - 10.0 * ux, tip.1 as f64 - 10.0 * uy);
    let side = |s: f64| {
        (
            (back.0 - 5.0 * uy * s) as i32,
            (back.1 + 5.0 * ux * s) as i32,
        )
    };
    root.draw(&Polygon::new(
        vec![tip, side(1.0), side(-1.0)],
        style::fill(color),
    ))?;
    Ok(())
}

/// The book's figure 2.26: the layers turn the input into predictions, the
/// loss function compares them with the targets, and the optimizer uses the
/// loss score to update the layers' weights.
pub fn training_loop() -> Result<Figure, FigureError> {
    Figure::svg(760, 500).draw(|root| {
        let (lx, wx, ox) = (230, 500, 660);
        let (bw, bh) = (200, 44);
        let ink = style::INK;
        let (blue, light) = (style::BLUE, style::LIGHT_BLUE);
        node(root, (lx, 36), bw, bh, "입력 X", style::LIGHT_GRAY, ink)?;
        node(root, (lx, 116), bw, bh, "층 (데이터 변환)", light, blue)?;
        node(root, (lx, 196), bw, bh, "층 (데이터 변환)", light, blue)?;
        node(root, (wx, 116), 130, bh, "가중치", WHITE_BOX, blue)?;
        node(root, (wx, 196), 130, bh, "가중치", WHITE_BOX, blue)?;
        node(root, (lx, 286), bw, bh, "예측 Y′", style::LIGHT_GRAY, ink)?;
        node(
            root,
            (wx, 286),
            170,
            bh,
            "정답 타깃 Y",
            style::LIGHT_GRAY,
            ink,
        )?;
        node(
            root,
            (365, 366),
            bw,
            bh,
            "손실 함수",
            style::LIGHT_RED,
            style::RED,
        )?;
        node(
            root,
            (365, 452),
            bw,
            bh,
            "손실 점수",
            style::LIGHT_GRAY,
            ink,
        )?;
        node(
            root,
            (ox, 452),
            150,
            bh,
            "옵티마이저",
            style::LIGHT_GREEN,
            style::GREEN,
        )?;
        let gray = style::GRAY;
        arrow(root, &[(lx, 58), (lx, 94)], gray)?;
        arrow(root, &[(lx, 138), (lx, 174)], gray)?;
        arrow(root, &[(lx, 218), (lx, 264)], gray)?;
        arrow(root, &[(wx - 65, 116), (lx + bw / 2, 116)], blue)?;
        arrow(root, &[(wx - 65, 196), (lx + bw / 2, 196)], blue)?;
        arrow(root, &[(lx, 308), (lx, 337), (300, 337), (300, 344)], gray)?;
        arrow(root, &[(wx, 308), (wx, 337), (430, 337), (430, 344)], gray)?;
        arrow(root, &[(365, 388), (365, 430)], gray)?;
        arrow(root, &[(465, 452), (ox - 75, 452)], gray)?;
        let green = style::GREEN;
        root.draw(&PathElement::new(
            vec![(ox, 430), (ox, 116)],
            green.stroke_width(2),
        ))?;
        arrow(root, &[(ox, 116), (wx + 65, 116)], green)?;
        arrow(root, &[(ox, 196), (wx + 65, 196)], green)?;
        let label = style::label()
            .color(&green)
            .pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new("가중치 업데이트", (ox - 10, 366), label))?;
        Ok(())
    })
}

/// Training curves: the loss (left) and the accuracy (right) after each
/// epoch, one point per epoch, the epochs labelled 1, 2, 3, ...
pub fn training_curves(loss: &[f32], accuracy: &[f32]) -> Result<Figure, FigureError> {
    let epochs: Vec<f64> = (1..=loss.len()).map(|e| e as f64).collect();
    let last = epochs.len() as f64;
    Figure::svg(760, 340).draw(|root| {
        let (left, right) = root.split_horizontally(380);
        let series = [
            (&left, loss, "손실", 0.0..0.3, style::RED),
            (&right, accuracy, "정확도", 0.9..1.0, style::BLUE),
        ];
        for (area, values, name, range, color) in series {
            let mut chart = style::chart(area).build_cartesian_2d(0.5..last + 0.5, range)?;
            // Ticks fall on whole epochs: label them without a fraction.
            style::mesh(&mut chart)
                .x_labels(epochs.len())
                .x_label_formatter(&|e| format!("{e:.0}"))
                .x_desc("에포크")
                .y_desc(name)
                .draw()?;
            let points = epochs.iter().zip(values).map(|(&e, &v)| (e, f64::from(v)));
            chart.draw_series(Curve::new(&chart, points.clone(), style::line(color)))?;
            chart.draw_series(points.map(|p| Circle::new(p, 4, style::fill(color))))?;
        }
        Ok(())
    })
}

/// MNIST digits side by side, each with the model's prediction and the true
/// label under it; a wrong prediction is red.
pub fn digits_with_predictions(
    images: &[Image],
    predicted: &[usize],
    truth: &[u8],
) -> Result<Figure, FigureError> {
    const SCALE: i32 = 3;
    const CELL: i32 = SIDE as i32 * SCALE;
    const GAP: i32 = 18;
    let n = images.len() as i32;
    let width = (n * (CELL + GAP) + GAP) as u32;
    Figure::png(width, (CELL + 80) as u32).draw(|root| {
        root.fill(&WHITE)?;
        for (k, image) in images.iter().enumerate() {
            let x0 = GAP + k as i32 * (CELL + GAP);
            for (r, row) in image.iter().enumerate() {
                for (c, &p) in row.iter().enumerate() {
                    let v = 255 - p;
                    let (x, y) = (x0 + c as i32 * SCALE, GAP / 2 + r as i32 * SCALE);
                    root.draw(&Rectangle::new(
                        [(x, y), (x + SCALE, y + SCALE)],
                        RGBColor(v, v, v).filled(),
                    ))?;
                }
            }
            root.draw(&Rectangle::new(
                [(x0, GAP / 2), (x0 + CELL, GAP / 2 + CELL)],
                style::GRID.stroke_width(1),
            ))?;
            let right = predicted[k] == usize::from(truth[k]);
            let color = if right { style::INK } else { style::RED };
            let center = x0 + CELL / 2;
            let text = style::centered(style::label()).color(&color);
            root.draw(&Text::new(
                format!("예측 {}", predicted[k]),
                (center, CELL + 30),
                text,
            ))?;
            let muted = style::centered(style::label()).color(&style::MUTED);
            root.draw(&Text::new(
                format!("정답 {}", truth[k]),
                (center, CELL + 58),
                muted,
            ))?;
        }
        Ok(())
    })
}
