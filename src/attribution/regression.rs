//! The arithmetic of the weekly model: carry-over (adstock), a baseline that can move (a linear
//! trend with hinges at knots), taking that baseline out of every series (least squares, by
//! Gram-Schmidt), and least squares on what is left (the Frisch-Waugh-Lovell theorem makes that
//! the same as fitting everything at once).

/// Weeks of carry-over in the adstock.
pub const LAGS: usize = 4;

/// The normalised weighted average of this and the last `LAGS` weeks, weights decay^s (Meridian's
/// form: a steady level of activity carries over as that level).
pub fn adstock(x: &[f64], decay: f64) -> Vec<f64> {
    (0..x.len())
        .map(|t| {
            let (mut sum, mut weights) = (0.0, 0.0);
            for s in 0..=LAGS.min(t) {
                let w = decay.powi(s as i32);
                sum += w * x[t - s];
                weights += w;
            }
            sum / weights
        })
        .collect()
}

/// The baseline's columns over `weeks` weeks: a constant, a linear trend, and a hinge
/// max(0, t - knot) at each of `knots` knots spread evenly through the weeks (Meridian's time
/// knots, as a piecewise-linear trend).
pub fn baseline(weeks: usize, knots: usize) -> Vec<Vec<f64>> {
    let mut columns = vec![vec![1.0; weeks], (0..weeks).map(|t| t as f64).collect()];
    for k in 1..=knots {
        let knot = weeks as f64 * k as f64 / (knots + 1) as f64;
        columns.push((0..weeks).map(|t| (t as f64 - knot).max(0.0)).collect());
    }
    columns
}

/// An orthonormal basis of the baseline's columns over the chosen rows (a row may repeat, as in a
/// bootstrap sample).
pub struct Residualizer {
    rows: Vec<usize>,
    basis: Vec<Vec<f64>>,
}

impl Residualizer {
    pub fn new(columns: &[Vec<f64>], rows: &[usize]) -> Residualizer {
        let mut basis: Vec<Vec<f64>> = Vec::new();
        for column in columns {
            let mut v: Vec<f64> = rows.iter().map(|&r| column[r]).collect();
            for q in &basis {
                let dot: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
                v.iter_mut().zip(q).for_each(|(a, b)| *a -= dot * b);
            }
            let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
            // A column the others already span (too few rows for the knots) adds nothing.
            if norm > 1e-9 {
                basis.push(v.into_iter().map(|a| a / norm).collect());
            }
        }
        Residualizer {
            rows: rows.to_vec(),
            basis,
        }
    }

    /// What is left of a series over the rows once the baseline is taken out.
    pub fn residuals(&self, series: &[f64]) -> Vec<f64> {
        let mut v: Vec<f64> = self.rows.iter().map(|&r| series[r]).collect();
        for q in &self.basis {
            let dot: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(q).for_each(|(a, b)| *a -= dot * b);
        }
        v
    }

    /// How many independent columns the baseline has over these rows.
    pub fn rank(&self) -> usize {
        self.basis.len()
    }
}

/// Ordinary least squares of `y` on `columns` with no intercept (the baseline is already out),
/// by the normal equations (there are a handful of columns). Returns the slopes, which may be
/// negative, and the residual sum of squares. A column the others span gets a slope of zero.
pub fn ols(columns: &[Vec<f64>], y: &[f64]) -> (Vec<f64>, f64) {
    let m = columns.len();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, z)| x * z).sum::<f64>();
    // The augmented matrix [X'X | X'y], solved by Gauss-Jordan with partial pivoting.
    let mut a: Vec<Vec<f64>> = (0..m)
        .map(|i| {
            let mut row: Vec<f64> = (0..m).map(|j| dot(&columns[i], &columns[j])).collect();
            row.push(dot(&columns[i], y));
            row
        })
        .collect();
    let scale = (0..m).map(|i| a[i][i]).fold(0.0, f64::max).max(1e-300);
    let mut solved = vec![false; m];
    for col in 0..m {
        let Some(pivot) = (col..m).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
        else {
            continue;
        };
        if a[pivot][col].abs() <= 1e-10 * scale {
            continue;
        }
        a.swap(col, pivot);
        let p = a[col][col];
        a[col].iter_mut().for_each(|v| *v /= p);
        for i in 0..m {
            if i != col {
                let f = a[i][col];
                if f != 0.0 {
                    let pivot_row = a[col].clone();
                    a[i].iter_mut()
                        .zip(&pivot_row)
                        .for_each(|(v, q)| *v -= f * q);
                }
            }
        }
        solved[col] = true;
    }
    let beta: Vec<f64> = (0..m)
        .map(|i| if solved[i] { a[i][m] } else { 0.0 })
        .collect();
    let mut residual = y.to_vec();
    for (b, column) in beta.iter().zip(columns) {
        residual
            .iter_mut()
            .zip(column)
            .for_each(|(e, x)| *e -= b * x);
    }
    let sse = residual.iter().map(|e| e * e).sum();
    (beta, sse)
}

/// Pearson's correlation of two series (0 when either does not vary).
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        ab += (x - ma) * (y - mb);
        aa += (x - ma) * (x - ma);
        bb += (y - mb) * (y - mb);
    }
    if aa <= 0.0 || bb <= 0.0 {
        0.0
    } else {
        ab / (aa * bb).sqrt()
    }
}

/// The share of a series' variation (around its mean) that the baseline explains.
pub fn explained_by(residualizer: &Residualizer, series: &[f64]) -> f64 {
    let n = series.len() as f64;
    let mean = series.iter().sum::<f64>() / n;
    let total: f64 = series.iter().map(|v| (v - mean).powi(2)).sum();
    if total <= 0.0 {
        return 1.0;
    }
    let left: f64 = residualizer.residuals(series).iter().map(|v| v * v).sum();
    1.0 - left / total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adstock_is_a_normalised_weighted_average() {
        let x = adstock(&[10.0, 0.0, 0.0], 0.5);
        // Week 2: (0 + 0.5 x 0 + 0.25 x 10) / 1.75.
        assert!((x[2] - 2.5 / 1.75).abs() < 1e-12);
        assert_eq!(x[0], 10.0);
    }

    #[test]
    fn taking_out_a_trend_leaves_what_is_not_a_trend() {
        // 3 + 2t plus a wiggle of +1, -1, -1, +1 (which no line follows): the line goes, the
        // wiggle stays, exactly.
        let rows: Vec<usize> = (0..8).collect();
        let r = Residualizer::new(&baseline(8, 0), &rows);
        let wiggle = [1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0];
        let series: Vec<f64> = (0..8).map(|t| 3.0 + 2.0 * t as f64 + wiggle[t]).collect();
        let left = r.residuals(&series);
        assert!(left.iter().zip(&wiggle).all(|(a, b)| (a - b).abs() < 1e-9));
        let line_only: Vec<f64> = (0..8).map(|t| 3.0 + 2.0 * t as f64).collect();
        assert!(r.residuals(&line_only).iter().all(|v| v.abs() < 1e-9));
        assert!(correlation(&left, &wiggle) > 0.99);
        assert!(explained_by(&r, &line_only) > 1.0 - 1e-12);
    }

    #[test]
    fn ols_solves_an_exact_fit() {
        let a = vec![1.0, -1.0, 2.0, -2.0, 0.5];
        let b = vec![0.5, 1.0, -1.0, 0.0, 2.0];
        let y: Vec<f64> = a.iter().zip(&b).map(|(x, z)| 2.0 * x - z).collect();
        let (beta, sse) = ols(&[a, b], &y);
        assert!(
            (beta[0] - 2.0).abs() < 1e-9 && (beta[1] + 1.0).abs() < 1e-9,
            "{beta:?}"
        );
        assert!(sse < 1e-18);
    }
}
