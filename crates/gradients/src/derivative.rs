//! The derivative of a scalar function f(x) (2.4.1): the tape's exact
//! derivative next to the finite difference (f(p + ε) - f(p)) / ε, and the
//! tangent line at a point.
//!
//! A function here is a Rust function of a traced rank-1 tensor, applied
//! element by element, so one forward and one backward pass give f and f' at
//! every sample point: the gradient of `sum(f(x))` with respect to `x[i]` is
//! f'(x[i]).

use dfdx::prelude::*;

use crate::Traced;

/// The chapter's continuous, smooth function: f(x) = 0.8 sin(1.5 x) + 0.15 x².
pub fn smooth<D: Device<f64>>(x: Traced<D>) -> Traced<D> {
    let wave = (x.with_empty_tape() * 1.5).sin() * 0.8;
    wave + x.square() * 0.15
}

/// `f` and its derivative `f'` at every point of `xs`, from one forward and
/// one backward pass on `dev`.
///
/// ```
/// use dfdx::prelude::*;
/// use nnblocks_gradients::derivative::values_and_derivatives;
///
/// let dev = AutoDevice::default();
/// let (ys, dys) = values_and_derivatives(&dev, &[0.0, 1.0], |x| x.cos());
/// assert_eq!(ys, [1.0, 1.0_f64.cos()]);
/// assert!((dys[1] + 1.0_f64.sin()).abs() < 1e-12); // cos' = -sin
/// ```
pub fn values_and_derivatives<D, F>(dev: &D, xs: &[f64], f: F) -> (Vec<f64>, Vec<f64>)
where
    D: Device<f64>,
    F: FnOnce(Traced<D>) -> Traced<D>,
{
    let x = dev.tensor_from_vec(xs.to_vec(), (xs.len(),));
    let y = f(x.leaky_trace());
    let values = y.as_vec();
    let grads = y.sum().backward();
    (values, grads.get(&x).as_vec())
}

/// The values of `f` at every point of `xs` (a forward pass on a tape that is
/// thrown away).
pub fn values<D, F>(dev: &D, xs: &[f64], f: F) -> Vec<f64>
where
    D: Device<f64>,
    F: FnOnce(Traced<D>) -> Traced<D>,
{
    let x = dev.tensor_from_vec(xs.to_vec(), (xs.len(),));
    f(x.leaky_trace()).as_vec()
}

/// The slope of the secant from `p` to `p + eps`: (f(p + ε) - f(p)) / ε, the
/// quotient whose limit as ε → 0 is the derivative.
pub fn finite_difference<D, F>(dev: &D, f: F, p: f64, eps: f64) -> f64
where
    D: Device<f64>,
    F: FnOnce(Traced<D>) -> Traced<D>,
{
    let ys = values(dev, &[p, p + eps], f);
    (ys[1] - ys[0]) / eps
}

/// The tangent line of a function at a point: the local linear approximation
/// f(x) ≈ f(p) + a (x - p), with the derivative a as its slope.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tangent {
    /// The point of contact.
    pub p: f64,
    /// f(p).
    pub value: f64,
    /// The derivative f'(p).
    pub slope: f64,
}

impl Tangent {
    /// The tangent of `f` at `p`, its slope from the tape.
    pub fn of<D, F>(dev: &D, f: F, p: f64) -> Self
    where
        D: Device<f64>,
        F: FnOnce(Traced<D>) -> Traced<D>,
    {
        let (ys, dys) = values_and_derivatives(dev, &[p], f);
        Self {
            p,
            value: ys[0],
            slope: dys[0],
        }
    }

    /// The line's height at `x`.
    pub fn at(&self, x: f64) -> f64 {
        self.value + self.slope * (x - self.p)
    }
}

/// `n` evenly spaced points from `start` to `end`, both included.
pub fn linspace(start: f64, end: f64, n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![start],
        _ => (0..n)
            .map(|i| start + (end - start) * i as f64 / (n - 1) as f64)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(x: f64) -> (f64, f64) {
        let f = 0.8 * (1.5 * x).sin() + 0.15 * x * x;
        let df = 1.2 * (1.5 * x).cos() + 0.3 * x;
        (f, df)
    }

    #[test]
    fn tape_derivative_of_smooth_matches_calculus() {
        let dev = Cpu::default();
        let xs = linspace(-3.0, 3.0, 13);
        let (ys, dys) = values_and_derivatives(&dev, &xs, smooth);
        for ((x, y), dy) in xs.iter().zip(&ys).zip(&dys) {
            let (f, df) = exact(*x);
            assert!((y - f).abs() < 1e-12, "f({x}) = {y}, expected {f}");
            assert!((dy - df).abs() < 1e-12, "f'({x}) = {dy}, expected {df}");
        }
    }

    #[test]
    fn finite_differences_converge_to_the_derivative() {
        let dev = Cpu::default();
        let (_, df) = exact(1.0);
        let errors: Vec<f64> = [1e-1, 1e-2, 1e-3, 1e-4]
            .iter()
            .map(|&eps| (finite_difference(&dev, smooth, 1.0, eps) - df).abs())
            .collect();
        assert!(errors.windows(2).all(|w| w[1] < w[0]), "{errors:?}");
        assert!(errors[3] < 1e-3);
    }

    #[test]
    fn tangent_touches_and_has_the_slope() {
        let dev = Cpu::default();
        let t = Tangent::of(&dev, smooth, 0.5);
        let (f, df) = exact(0.5);
        assert!((t.at(0.5) - f).abs() < 1e-12);
        assert!((t.at(1.5) - t.at(0.5) - df).abs() < 1e-12);
    }

    #[test]
    fn linspace_includes_both_ends() {
        assert_eq!(linspace(0.0, 1.0, 3), [0.0, 0.5, 1.0]);
        assert_eq!(linspace(2.0, 5.0, 1), [2.0]);
        assert!(linspace(0.0, 1.0, 0).is_empty());
    }
}
