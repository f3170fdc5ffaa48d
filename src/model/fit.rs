//! Fitting binary classifiers with linfa (the only module that names linfa): logistic
//! regression and multinomial naive Bayes, both exported to the same linear form
//! `score = sigmoid(w·x + b)` so that serving needs no linfa types.

use linfa::DatasetView;
use linfa::prelude::*;
use linfa_bayes::{MultinomialNb, NaiveBayes};
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// A classifier family with its hyperparameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Classifier {
    /// L2-regularised logistic regression; `alpha` is the penalty on the weights.
    Logistic { alpha: f64 },
    /// Multinomial naive Bayes with additive smoothing `alpha`.
    MultinomialNb { alpha: f64 },
}

impl Classifier {
    /// The family name stored in the model file.
    pub fn family(&self) -> &'static str {
        match self {
            Classifier::Logistic { .. } => "logistic",
            Classifier::MultinomialNb { .. } => "multinomial_nb",
        }
    }
}

/// A fitted binary classifier in linear form.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub weights: Vec<f32>,
    pub bias: f32,
}

impl Linear {
    /// The margin `w·x + b` of a sparse vector.
    pub fn margin(&self, x: &crate::features::SparseVector) -> f32 {
        x.entries
            .iter()
            .map(|&(column, value)| self.weights[column as usize] * value)
            .sum::<f32>()
            + self.bias
    }

    /// The margin `w·x + b` of each row of `x`.
    pub fn margins(&self, x: ArrayView2<f32>) -> Vec<f32> {
        let w = Array1::from(self.weights.clone());
        (x.dot(&w) + self.bias).to_vec()
    }
}

/// Fits `classifier` to rows `x` with binary targets `y`.
pub fn fit(classifier: Classifier, x: ArrayView2<f32>, y: &[bool]) -> Result<Linear, String> {
    let positives = y.iter().filter(|&&v| v).count();
    if positives == 0 || positives == y.len() {
        // One class only: a constant answer, far on that side.
        let bias = if positives == 0 { -10.0 } else { 10.0 };
        return Ok(Linear {
            weights: vec![0.0; x.ncols()],
            bias,
        });
    }
    match classifier {
        Classifier::Logistic { alpha } => fit_logistic(x, y, alpha),
        Classifier::MultinomialNb { alpha } => fit_naive_bayes(x, y, alpha),
    }
}

fn fit_logistic(x: ArrayView2<f32>, y: &[bool], alpha: f64) -> Result<Linear, String> {
    let targets = Array1::from(y.to_vec());
    let data = DatasetView::new(x.view(), targets.view());
    let fitted = LogisticRegression::default()
        .alpha(alpha as f32)
        .max_iterations(100)
        .gradient_tolerance(1e-4)
        .fit(&data)
        .map_err(|e| format!("logistic regression: {e}"))?;
    // linfa's positive class is the larger one; flip so the score is P(label).
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok(Linear {
        weights: fitted.params().iter().map(|&w| sign * w).collect(),
        bias: sign * fitted.intercept(),
    })
}

fn fit_naive_bayes(x: ArrayView2<f32>, y: &[bool], alpha: f64) -> Result<Linear, String> {
    let targets: Array1<usize> = y.iter().map(|&v| usize::from(v)).collect();
    let data = DatasetView::new(x.view(), targets.view());
    let fitted = MultinomialNb::params()
        .alpha(alpha as f32)
        .fit(&data)
        .map_err(|e| format!("naive Bayes: {e}"))?;
    // The log-odds of naive Bayes are linear in x: probe the joint log-likelihood with the zero
    // vector (bias) and unit vectors (weights), in blocks to bound memory.
    let n = x.ncols();
    let log_odds = |rows: ArrayView2<f32>| -> Array1<f32> {
        let jll = fitted.joint_log_likelihood(rows);
        &jll[&1usize] - &jll[&0usize]
    };
    let bias = log_odds(Array2::zeros((1, n)).view())[0];
    let mut weights = Vec::with_capacity(n);
    const BLOCK: usize = 512;
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        let mut probe = Array2::<f32>::zeros((end - start, n));
        for i in start..end {
            probe[[i - start, i]] = 1.0;
        }
        let odds = log_odds(probe.view());
        weights.extend(odds.iter().map(|&v| v - bias));
    }
    Ok(Linear { weights, bias })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn toy() -> (Array2<f32>, Vec<bool>) {
        let x = array![
            [1.0, 0.0, 0.1],
            [0.9, 0.1, 0.0],
            [0.8, 0.0, 0.2],
            [0.0, 1.0, 0.1],
            [0.1, 0.9, 0.0],
            [0.0, 0.8, 0.3],
            [0.0, 0.9, 0.1]
        ];
        (x, vec![true, true, true, false, false, false, false])
    }

    #[test]
    fn both_families_learn_the_positive_direction() {
        let (x, y) = toy();
        for c in [
            Classifier::Logistic { alpha: 0.01 },
            Classifier::MultinomialNb { alpha: 1.0 },
        ] {
            let model = fit(c, x.view(), &y).unwrap();
            assert!(model.weights[0] > model.weights[1], "{c:?}: {model:?}");
            let m = model.margins(x.view());
            for (margin, &label) in m.iter().zip(&y) {
                assert_eq!(*margin > 0.0, label, "{c:?}: {m:?}");
            }
        }
    }

    #[test]
    fn single_class_gives_a_constant() {
        let (x, _) = toy();
        let model = fit(Classifier::Logistic { alpha: 1.0 }, x.view(), &[false; 7]).unwrap();
        assert!(model.margins(x.view()).iter().all(|&m| m < -5.0));
    }
}
