//! Section 2.3.6's picture made real: two sheets of paper, a red one and a
//! blue one, crumpled together, and a small dense network that learns to
//! tell them apart by uncrumpling them, one step at a time.

use dfdx::optim::Adam;
use dfdx::prelude::*;

use crate::GeometryError;

/// The crumple: a smooth bumpy height over the square `[-1, 1]²`, between
/// about -1.3 and 1.3.
fn bumps(x: f32, y: f32) -> f32 {
    (2.5 * x).sin() * (2.0 * y + 0.5).cos() + 0.5 * (3.0 * x * y).sin()
}

/// Points in 3D, one per row.
pub type Points3<D = AutoDevice> = Tensor<(usize, Const<3>), f32, D>;

/// Two sheets sampled on the same `rows × cols` grid: first every point of
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
    /// Two flat sheets over `[-1, 1]²`, the blue one 0.24 above the red
    /// one, then crumpled together: both pushed up and down by the same
    /// bumps, up to about `amplitude` high. Where the bumps are taller than
    /// the gap, no plane separates the colours.
    pub fn crumpled_with(rows: usize, cols: usize, amplitude: f32) -> Result<Self, GeometryError> {
        if rows < 2 || cols < 2 {
            return Err(GeometryError::SheetTooSmall { rows, cols });
        }
        let mut points = Vec::with_capacity(2 * rows * cols);
        let mut labels = Vec::with_capacity(2 * rows * cols);
        for label in 0..2 {
            for i in 0..rows {
                let x = -1.0 + 2.0 * i as f32 / (rows - 1) as f32;
                for j in 0..cols {
                    let y = -1.0 + 2.0 * j as f32 / (cols - 1) as f32;
                    let z = 0.24 * label as f32 - 0.12 + amplitude * bumps(x, y);
                    points.push([x, y, z]);
                    labels.push(label);
                }
            }
        }
        Ok(Self {
            rows,
            cols,
            points,
            labels,
        })
    }

    /// The chapter's example: an 18 × 18 grid per sheet, bumps 0.7 high.
    pub fn crumpled() -> Self {
        Self::crumpled_with(18, 18, 0.7).expect("the grid is large enough")
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

    /// The labels one-hot encoded, `(n, 2)`: the target probabilities
    /// `cross_entropy_with_logits_loss` expects.
    pub fn targets<D: Device<f32>>(&self, dev: &D) -> Tensor<(usize, Const<2>), f32, D> {
        let flat: Vec<f32> = self
            .labels
            .iter()
            .flat_map(|&l| if l == 0 { [1.0, 0.0] } else { [0.0, 1.0] })
            .collect();
        dev.tensor_from_vec(flat, (self.len(), Const::<2>))
    }
}

/// One uncrumpling step: every point moves by a displacement that
/// `Dense(H, relu)` then `Dense(3)` compute from where the point is,
/// `x + W₂ relu(W₁ x + b₁) + b₂`. A bent map of 3D space into 3D space,
/// close to doing nothing while its weights are small, so that what each
/// step does can be drawn and stays a small move ("조금씩 펼치기").
pub type Unfold<const H: usize> = Residual<((Linear<3, H>, ReLU), Linear<H, 3>)>;

/// The network of section 2.3.6: three uncrumpling steps, then a linear
/// classifier that gives the two logits (red, blue).
pub type Uncrumpler = (Unfold<16>, Unfold<16>, Unfold<16>, Linear<3, 2>);

/// [`Uncrumpler`] built on device `D`.
pub type UncrumplerOn<D> = <Uncrumpler as BuildOnDevice<D, f32>>::Built;

/// The baseline: a linear classifier on the raw points.
pub type LinearClassifier = Linear<3, 2>;

/// The step size of Adam in [`fit`].
pub const LEARNING_RATE: f64 = 1e-2;

/// The decoupled weight decay in [`fit`]: it pulls every weight towards
/// zero, so each step moves the points no more than it must.
pub const WEIGHT_DECAY: f64 = 0.1;

// ANCHOR: manifold_fit
/// Trains `model` on all of `sheets` at once (one full batch per step) for
/// `steps` steps of Adam ([`LEARNING_RATE`], [`WEIGHT_DECAY`]), minimizing
/// the cross-entropy; returns the loss of every step.
pub fn fit<D, M>(model: &mut M, sheets: &Sheets, dev: &D, steps: usize) -> Vec<f32>
where
    D: Device<f32>,
    M: TensorCollection<f32, D>
        + ModuleMut<
            Tensor<(usize, Const<3>), f32, D, OwnedTape<f32, D>>,
            Output = Tensor<(usize, Const<2>), f32, D, OwnedTape<f32, D>>,
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
        let logits = model.forward_mut(x.clone().traced(grads));
        let loss = cross_entropy_with_logits_loss(logits, y.clone());
        losses.push(loss.as_vec()[0]);
        grads = loss.backward();
        opt.update(model, &grads)
            .expect("every parameter takes part in the loss");
        model.zero_grads(&mut grads);
    }
    losses
}
// ANCHOR_END: manifold_fit

/// The share of points whose larger logit is their own colour's.
pub fn accuracy<D: Device<f32>>(
    logits: &Tensor<(usize, Const<2>), f32, D>,
    labels: &[usize],
) -> Result<f32, GeometryError> {
    let logits = logits.as_vec();
    if logits.len() != 2 * labels.len() {
        return Err(GeometryError::LengthMismatch {
            predictions: logits.len() / 2,
            labels: labels.len(),
        });
    }
    let correct = logits
        .chunks_exact(2)
        .zip(labels)
        .filter(|(l, label)| usize::from(l[1] > l[0]) == **label)
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

    #[test]
    fn crumpled_sheets_keep_their_gap_but_not_their_level() {
        let s = Sheets::crumpled_with(5, 7, 0.7).unwrap();
        assert_eq!(s.len(), 2 * 5 * 7);
        assert_eq!(s.labels.iter().filter(|&&l| l == 1).count(), 5 * 7);
        let (red, blue) = s.points.split_at(5 * 7);
        for (r, b) in red.iter().zip(blue) {
            assert_eq!((r[0], r[1]), (b[0], b[1]));
            assert!((b[2] - r[2] - 0.24).abs() < 1e-6);
        }
        // Some red point lies above some blue point: no horizontal plane
        // separates the sheets.
        let highest_red = red.iter().map(|p| p[2]).fold(f32::MIN, f32::max);
        let lowest_blue = blue.iter().map(|p| p[2]).fold(f32::MAX, f32::min);
        assert!(
            highest_red > lowest_blue + 0.5,
            "{highest_red} vs {lowest_blue}"
        );
    }

    #[test]
    fn too_small_a_grid_is_an_error() {
        assert_eq!(
            Sheets::crumpled_with(1, 5, 1.0),
            Err(GeometryError::SheetTooSmall { rows: 1, cols: 5 })
        );
    }

    #[test]
    fn cells_cover_both_grids() {
        let s = Sheets::crumpled_with(3, 4, 1.0).unwrap();
        let cells: Vec<_> = s.cells().collect();
        assert_eq!(cells.len(), 2 * 2 * 3);
        assert_eq!(cells[0], ([0, 4, 5, 1], 0));
        assert_eq!(cells.last().unwrap().0, [12 + 6, 12 + 10, 12 + 11, 12 + 7]);
        assert_eq!(cells.last().unwrap().1, 1);
    }

    #[test]
    fn accuracy_counts_the_larger_logit() {
        let dev = Cpu::default();
        let logits = dev.tensor_from_vec(vec![2.0, 1.0, 0.0, 3.0, 1.0, 0.5], (3, Const::<2>));
        assert_eq!(accuracy(&logits, &[0, 1, 1]), Ok(2.0 / 3.0));
        assert!(matches!(
            accuracy(&logits, &[0, 1]),
            Err(GeometryError::LengthMismatch {
                predictions: 3,
                labels: 2
            })
        ));
    }

    #[test]
    fn the_network_separates_what_a_plane_cannot() {
        let sheets = Sheets::crumpled();
        let dev = Cpu::seed_from_u64(0);
        let x = sheets.inputs(&dev);

        let mut linear = dev.build_module::<LinearClassifier, f32>();
        fit(&mut linear, &sheets, &dev, 400);
        let linear_acc = accuracy(&linear.forward(x.clone()), &sheets.labels).unwrap();

        let mut net = dev.build_module::<Uncrumpler, f32>();
        let losses = fit(&mut net, &sheets, &dev, 400);
        let net_acc = accuracy(&net.forward(x), &sheets.labels).unwrap();

        assert!(linear_acc < 0.75, "a plane got {linear_acc}");
        assert!(net_acc > 0.99, "the network got {net_acc}");
        assert!(losses.last() < losses.first());

        // The last step's output, fed to the classifier, gives the logits.
        let [_, _, last] = layer_by_layer(&net, &sheets, &dev);
        let logits = net.3.forward(last.inputs(&dev));
        assert_eq!(accuracy(&logits, &sheets.labels).unwrap(), net_acc);
    }
}
