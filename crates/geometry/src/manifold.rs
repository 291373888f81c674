//! Section 2.3.6's picture made real: two sheets of paper, a red one and a
//! blue one, laid one on the other, crumpled together into a ball, and a
//! small dense network that learns to tell them apart by uncrumpling the
//! ball into two flat sheets, one step at a time.

use std::f32::consts::PI;

use dfdx::optim::Adam;
use dfdx::prelude::*;

use crate::GeometryError;

/// Half the side of each square sheet of paper, before it is crumpled.
pub const HALF_SIDE: f32 = 2.5;

/// How far apart the two sheets lie, everywhere, crumpled or not.
pub const GAP: f32 = 0.2;

/// How far round a ball the sheets go at `curl = 1`: the middle of the
/// paper sits at the top and its edge comes within 0.1 π of the bottom.
const WRAP: f32 = 0.9 * PI;

/// The wrinkles: a smooth bumpy height over the paper `[-1, 1]²`, between
/// about -1.5 and 1.5.
fn wrinkles(u: f32, v: f32) -> f32 {
    (4.0 * u + 1.0).sin() * (3.5 * v).cos()
        + 0.5 * (5.0 * (u + v)).sin()
        + 0.5 * (6.0 * (u - 0.7 * v) + 0.5).cos()
}

/// `sin(t) / t`, 1 at 0.
fn sinc(t: f32) -> f32 {
    if t.abs() < 1e-4 { 1.0 } else { t.sin() / t }
}

/// Where the paper point `(u, v)` of `[-1, 1]²`, `h` above the middle of
/// the pair of sheets (along the paper's normal), goes when the pair is
/// wrapped `curl` of the way round a ball and then wrinkled `crumple` high.
///
/// The square's rings `max(|u|, |v|) = s` become circles of latitude
/// `curl · 0.9π · s` below the top of a sphere whose radius keeps the
/// paper's length, so `curl = 0` leaves the paper flat in the plane
/// `z = h`, and `curl = 1` closes it into a ball with a small hole at the
/// bottom.
fn crumple_point(u: f32, v: f32, h: f32, curl: f32, crumple: f32) -> [f32; 3] {
    let s = u.abs().max(v.abs()) * HALF_SIDE;
    let rho = u.hypot(v).max(1e-9) * HALF_SIDE;
    let k = curl * WRAP / HALF_SIDE;
    // Height above the middle of the pair, along the normal: the side
    // plus the wrinkles, which both sheets share.
    let h = h + crumple * wrinkles(u, v);
    let theta = k * s;
    // The sphere point of latitude `theta` in the direction of (u, v), and
    // its outward normal, written so that `k = 0` is the flat paper.
    let along = s * sinc(theta);
    let drop = -k * s * s / 2.0 * sinc(theta / 2.0).powi(2);
    let (cos_a, sin_a) = (u * HALF_SIDE / rho, v * HALF_SIDE / rho);
    let (nx, nz) = (theta.sin(), theta.cos());
    [
        (along + h * nx) * cos_a,
        (along + h * nx) * sin_a,
        drop + h * nz,
    ]
}

/// Points in 3D, one per row.
pub type Points3<D = AutoDevice> = Tensor<(usize, Const<3>), f32, D>;

/// Two sheets sampled on the same `side × side` grid: first every point of
/// the red sheet (label 0), row by row, then those of the blue sheet
/// (label 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Sheets {
    /// Grid points along each sheet.
    pub rows: usize,
    /// Grid points across each sheet.
    pub cols: usize,
    /// Where every grid point is, red sheet first.
    pub points: Vec<[f32; 3]>,
    /// 0 for a red point, 1 for a blue one.
    pub labels: Vec<usize>,
}

impl Sheets {
    /// Two sheets of paper, [`GAP`] apart, the blue one outside, wrapped
    /// `curl` of the way round a ball (0: flat, 1: a ball) and wrinkled
    /// together `crumple` high, each sampled on a `side × side` grid.
    /// Once the wrinkles or the ball bend the pair more than the gap, no
    /// plane separates the colours.
    pub fn crumpled_with(side: usize, curl: f32, crumple: f32) -> Result<Self, GeometryError> {
        if side < 2 {
            return Err(GeometryError::SheetTooSmall {
                rows: side,
                cols: side,
            });
        }
        let at = |i: usize| -1.0 + 2.0 * i as f32 / (side - 1) as f32;
        let mut points = Vec::with_capacity(2 * side * side);
        let mut labels = Vec::with_capacity(2 * side * side);
        for label in 0..2 {
            let h = GAP * (label as f32 - 0.5);
            for i in 0..side {
                for j in 0..side {
                    points.push(crumple_point(at(i), at(j), h, curl, crumple));
                    labels.push(label);
                }
            }
        }
        Ok(Self {
            rows: side,
            cols: side,
            points,
            labels,
        })
    }

    /// The chapter's ball: a 24 × 24 grid per sheet, wrapped all the way
    /// round and wrinkled 0.12 high.
    pub fn crumpled() -> Self {
        Self::crumpled_with(24, 1.0, 0.12).expect("the grid is large enough")
    }

    /// How many points both sheets have.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether there are no points (never, for sheets built here).
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The same grid and colours at new positions: what a layer made of the
    /// sheets. `points` must have one position per point.
    pub fn moved_to(&self, points: Vec<[f32; 3]>) -> Result<Self, GeometryError> {
        if points.len() != self.len() {
            return Err(GeometryError::LengthMismatch {
                predictions: points.len(),
                labels: self.len(),
            });
        }
        Ok(Self {
            points,
            ..self.clone()
        })
    }

    /// The grid cells as the indices of their four corners, in order around
    /// the cell, with the label of their sheet.
    pub fn cells(&self) -> impl Iterator<Item = ([usize; 4], usize)> + '_ {
        let (rows, cols) = (self.rows, self.cols);
        (0..2).flat_map(move |sheet| {
            (0..rows - 1).flat_map(move |i| {
                (0..cols - 1).map(move |j| {
                    let at = |i: usize, j: usize| sheet * rows * cols + i * cols + j;
                    (
                        [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)],
                        sheet,
                    )
                })
            })
        })
    }

    /// The points as a `(n, 3)` tensor on `dev`.
    pub fn inputs<D: Device<f32>>(&self, dev: &D) -> Points3<D> {
        let flat: Vec<f32> = self.points.iter().flatten().copied().collect();
        dev.tensor_from_vec(flat, (self.len(), Const::<3>))
    }

    /// The heights the trained map should put the points at, `(n, 1)`:
    /// -1 for red, +1 for blue.
    pub fn targets<D: Device<f32>>(&self, dev: &D) -> Tensor<(usize, Const<1>), f32, D> {
        let flat: Vec<f32> = self.labels.iter().map(|&l| 2.0 * l as f32 - 1.0).collect();
        dev.tensor_from_vec(flat, (self.len(), Const::<1>))
    }
}

/// One uncrumpling step: every point moves by a displacement that
/// `Dense(H, relu)` then `Dense(3)` compute from where the point is,
/// `x + W₂ relu(W₁ x + b₁) + b₂`. A bent map of 3D space into 3D space,
/// close to doing nothing while its weights are small, so that what each
/// step does can be drawn and stays a small move ("조금씩 펼치기").
pub type Unfold<const H: usize> = Residual<((Linear<3, H>, ReLU), Linear<H, 3>)>;

/// The network of section 2.3.6: three uncrumpling steps. The height (the
/// third coordinate) of where the last one puts a point is its score: below
/// zero red, above zero blue.
pub type Uncrumpler = (Unfold<32>, Unfold<32>, Unfold<32>);

/// [`Uncrumpler`] built on device `D`.
pub type UncrumplerOn<D> = <Uncrumpler as BuildOnDevice<D, f32>>::Built;

/// The baseline: one affine map of 3D space, so that the score is an
/// affine function of the point and the border between the colours a plane.
pub type LinearMap = Linear<3, 3>;

/// How many steps of [`fit`] the chapter trains the network for.
pub const STEPS: usize = 1500;

/// The step size of Adam in [`fit`].
pub const LEARNING_RATE: f64 = 1e-2;

/// The decoupled weight decay in [`fit`]: it pulls every weight towards
/// zero, so each step moves the points no more than it must.
pub const WEIGHT_DECAY: f64 = 0.01;

/// The heights of `points`, `(n, 1)`: their third coordinate.
fn heights<D: Device<f32>, T: Tape<f32, D>>(
    points: Tensor<(usize, Const<3>), f32, D, T>,
) -> Tensor<(usize, Const<1>), f32, D, T> {
    let pick: Tensor<Rank2<3, 1>, f32, D> = points.device().tensor([[0.0], [0.0], [1.0]]);
    points.matmul(pick)
}

// ANCHOR: manifold_fit
/// Trains `model` on all of `sheets` at once (one full batch per step) for
/// `steps` steps of Adam ([`LEARNING_RATE`], [`WEIGHT_DECAY`]), minimizing
/// the mean squared error between the height where it puts each point and
/// the point's target, -1 (red) or +1 (blue); returns the loss of every step.
pub fn fit<D, M>(model: &mut M, sheets: &Sheets, dev: &D, steps: usize) -> Vec<f32>
where
    D: Device<f32>,
    M: TensorCollection<f32, D>
        + ModuleMut<
            Tensor<(usize, Const<3>), f32, D, OwnedTape<f32, D>>,
            Output = Tensor<(usize, Const<3>), f32, D, OwnedTape<f32, D>>,
        >,
{
    let x = sheets.inputs(dev);
    let y = sheets.targets(dev);
    let mut grads = model.alloc_grads();
    let mut opt = Adam::new(
        &*model,
        AdamConfig {
            lr: LEARNING_RATE,
            weight_decay: Some(WeightDecay::Decoupled(WEIGHT_DECAY)),
            ..Default::default()
        },
    );
    let mut losses = Vec::with_capacity(steps);
    for _ in 0..steps {
        let moved = model.forward_mut(x.clone().traced(grads));
        let loss = mse_loss(heights(moved), y.clone());
        losses.push(loss.as_vec()[0]);
        grads = loss.backward();
        opt.update(model, &grads)
            .expect("every parameter takes part in the loss");
        model.zero_grads(&mut grads);
    }
    losses
}
// ANCHOR_END: manifold_fit

/// The share of points that land on their own colour's side of height 0:
/// below it for red, above it for blue. `moved` holds where a trained map
/// put each point.
pub fn accuracy<D: Device<f32>>(
    moved: &Tensor<(usize, Const<3>), f32, D>,
    labels: &[usize],
) -> Result<f32, GeometryError> {
    let moved = moved.as_vec();
    if moved.len() != 3 * labels.len() {
        return Err(GeometryError::LengthMismatch {
            predictions: moved.len() / 3,
            labels: labels.len(),
        });
    }
    let correct = moved
        .chunks_exact(3)
        .zip(labels)
        .filter(|(p, label)| usize::from(p[2] > 0.0) == **label)
        .count();
    Ok(correct as f32 / labels.len() as f32)
}

/// The sheets as each uncrumpling step of `net` leaves them: after the
/// first, the second and the third.
pub fn layer_by_layer<D: Device<f32>>(
    net: &UncrumplerOn<D>,
    sheets: &Sheets,
    dev: &D,
) -> [Sheets; 3] {
    let x0 = sheets.inputs(dev);
    let x1 = net.0.forward(x0);
    let x2 = net.1.forward(x1.clone());
    let x3 = net.2.forward(x2.clone());
    [x1, x2, x3].map(|x| {
        let points = x
            .as_vec()
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        sheets
            .moved_to(points)
            .expect("one output row per input row")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(p: [f32; 3], q: [f32; 3]) -> f32 {
        (0..3).map(|k| (p[k] - q[k]).powi(2)).sum::<f32>().sqrt()
    }

    #[test]
    fn uncurled_unwrinkled_sheets_are_flat_and_a_gap_apart() {
        let s = Sheets::crumpled_with(5, 0.0, 0.0).unwrap();
        assert_eq!(s.len(), 2 * 5 * 5);
        assert_eq!(s.labels.iter().filter(|&&l| l == 1).count(), 5 * 5);
        for (p, &label) in s.points.iter().zip(&s.labels) {
            let h = GAP * (label as f32 - 0.5);
            assert!((p[2] - h).abs() < 1e-6, "{p:?}");
            assert!(p[0].hypot(p[1]) <= HALF_SIDE + 1e-5, "{p:?}");
        }
    }

    #[test]
    fn crumpled_sheets_keep_their_gap_and_close_into_a_ball() {
        let s = Sheets::crumpled_with(9, 1.0, 0.12).unwrap();
        let (red, blue) = s.points.split_at(81);
        // The same paper point on both sheets: one gap apart, along the normal.
        for (r, b) in red.iter().zip(blue) {
            assert!((distance(*r, *b) - GAP).abs() < 1e-4, "{r:?} {b:?}");
        }
        // The middle of the paper is at the top, its edge near the bottom:
        // a ball about 2 × 0.9 wide and as tall, not a wavy sheet.
        let (lo, hi) = red.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
            (lo.min(p[2]), hi.max(p[2]))
        });
        let widest = red.iter().map(|p| p[0].abs()).fold(0.0, f32::max);
        assert!(hi - lo > 1.5 && widest < 1.2, "{lo}..{hi}, {widest}");
    }

    #[test]
    fn too_small_a_grid_is_an_error() {
        assert_eq!(
            Sheets::crumpled_with(1, 1.0, 0.1),
            Err(GeometryError::SheetTooSmall { rows: 1, cols: 1 })
        );
    }

    #[test]
    fn cells_cover_both_grids() {
        let s = Sheets::crumpled_with(3, 1.0, 0.1).unwrap();
        let cells: Vec<_> = s.cells().collect();
        assert_eq!(cells.len(), 2 * 2 * 2);
        assert_eq!(cells[0], ([0, 3, 4, 1], 0));
        assert_eq!(cells.last().unwrap().0, [9 + 4, 9 + 7, 9 + 8, 9 + 5]);
        assert_eq!(cells.last().unwrap().1, 1);
    }

    #[test]
    fn accuracy_reads_the_sign_of_the_height() {
        let dev = Cpu::default();
        let moved = dev.tensor_from_vec(
            vec![0.0, 0.0, -1.0, 5.0, 5.0, 0.5, 1.0, 1.0, -0.2],
            (3, Const::<3>),
        );
        assert_eq!(accuracy(&moved, &[0, 1, 1]), Ok(2.0 / 3.0));
        assert!(matches!(
            accuracy(&moved, &[0, 1]),
            Err(GeometryError::LengthMismatch {
                predictions: 3,
                labels: 2
            })
        ));
    }

    #[test]
    fn the_network_flattens_what_a_plane_cannot_separate() {
        let sheets = Sheets::crumpled();
        let dev = Cpu::seed_from_u64(0);
        let x = sheets.inputs(&dev);

        let mut linear = dev.build_module::<LinearMap, f32>();
        fit(&mut linear, &sheets, &dev, 300);
        let linear_acc = accuracy(&linear.forward(x.clone()), &sheets.labels).unwrap();

        let mut net = dev.build_module::<Uncrumpler, f32>();
        let losses = fit(&mut net, &sheets, &dev, STEPS);
        let net_acc = accuracy(&net.forward(x), &sheets.labels).unwrap();

        assert!(linear_acc < 0.75, "a plane got {linear_acc}");
        assert!(net_acc > 0.99, "the network got {net_acc}");
        assert!(losses.last() < losses.first());

        // After the last step each sheet lies flat, near its own height.
        let [_, _, last] = layer_by_layer(&net, &sheets, &dev);
        for (p, &label) in last.points.iter().zip(&last.labels) {
            let target = 2.0 * label as f32 - 1.0;
            assert!((p[2] - target).abs() < 0.5, "{p:?} for {label}");
        }
    }
}
