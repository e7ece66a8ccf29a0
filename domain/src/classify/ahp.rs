//! The analytic hierarchy process (000 篇3 §1.3): the owner compares indicators pairwise on
//! Saaty's 1–9 scale, the weights are the principal eigenvector of the comparison matrix, and
//! a matrix whose consistency ratio is above 0.1 is refused with the numbers that say why.
//!
//! Weights are proportions, not money, so floating point is fine here; everything is
//! deterministic (fixed iteration count, no randomness).

use serde::{Deserialize, Serialize};

/// Saaty's random consistency index for n = 1..=10.
const RANDOM_INDEX: [f64; 10] = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];
/// Most indicators one matrix compares.
pub const MAX_INDICATORS: usize = 10;
/// The largest consistency ratio accepted (Saaty's rule of thumb).
pub const MAX_CONSISTENCY_RATIO: f64 = 0.1;

/// One judgement: how much more important the row indicator is than the column indicator,
/// `1/9 ..= 9` as a fraction `num/den` with one side 1 (so `3` is 3/1 and `1/5` is 1/5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    pub num: u8,
    pub den: u8,
}

impl Judgement {
    pub fn new(num: u8, den: u8) -> Option<Self> {
        let valid = |v: u8| (1..=9).contains(&v);
        (valid(num) && valid(den) && (num == 1 || den == 1)).then_some(Judgement { num, den })
    }

    fn value(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }
}

/// Why a comparison matrix is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AhpError {
    /// Fewer than 2 or more than [`MAX_INDICATORS`] indicators.
    Size { n: usize },
    /// The judgements do not fill the upper triangle (`n(n-1)/2` of them, row by row).
    Judgements { expected: usize, got: usize },
    /// Too inconsistent: e.g. A > B, B > C but C > A. `ratio` is above 0.1.
    Inconsistent { ratio: f64, lambda_max: f64 },
}

/// The weights derived from a matrix, with its consistency figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhpWeights {
    /// One weight per indicator, summing to 1.
    pub weights: Vec<f64>,
    pub lambda_max: f64,
    /// Consistency index (λmax − n) / (n − 1).
    pub index: f64,
    /// Consistency ratio: index / random index; 0 for n ≤ 2.
    pub ratio: f64,
}

// The reciprocal fill writes [i][j] and [j][i] together: index loops say that best.
#[allow(clippy::needless_range_loop)]
/// Derives weights from the upper triangle of a reciprocal comparison matrix, given row by
/// row: for n indicators, `(0,1), (0,2) … (0,n-1), (1,2) …`.
pub fn weights(n: usize, upper: &[Judgement]) -> Result<AhpWeights, AhpError> {
    if !(2..=MAX_INDICATORS).contains(&n) {
        return Err(AhpError::Size { n });
    }
    let expected = n * (n - 1) / 2;
    if upper.len() != expected {
        return Err(AhpError::Judgements { expected, got: upper.len() });
    }
    let mut matrix = vec![vec![1.0f64; n]; n];
    let mut judgements = upper.iter();
    for i in 0..n {
        for j in i + 1..n {
            let value = judgements.next().map(|j| j.value()).unwrap_or(1.0);
            matrix[i][j] = value;
            matrix[j][i] = 1.0 / value;
        }
    }
    // Power iteration: a positive reciprocal matrix has a simple dominant eigenvalue, and the
    // iteration converges fast; 200 rounds are far more than a 10×10 matrix needs.
    let mut w = vec![1.0 / n as f64; n];
    for _ in 0..200 {
        let mut next: Vec<f64> = (0..n).map(|i| (0..n).map(|j| matrix[i][j] * w[j]).sum()).collect();
        let sum: f64 = next.iter().sum();
        next.iter_mut().for_each(|v| *v /= sum);
        w = next;
    }
    let lambda_max = (0..n).map(|i| (0..n).map(|j| matrix[i][j] * w[j]).sum::<f64>() / w[i]).sum::<f64>() / n as f64;
    let index = ((lambda_max - n as f64) / (n as f64 - 1.0)).max(0.0);
    let random = RANDOM_INDEX[n - 1];
    let ratio = if random > 0.0 { index / random } else { 0.0 };
    if ratio > MAX_CONSISTENCY_RATIO {
        return Err(AhpError::Inconsistent { ratio, lambda_max });
    }
    Ok(AhpWeights { weights: w, lambda_max, index, ratio })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(num: u8, den: u8) -> Judgement {
        Judgement::new(num, den).expect("valid judgement")
    }

    #[track_caller]
    fn close(a: f64, b: f64, tolerance: f64) {
        assert!((a - b).abs() <= tolerance, "{a} is not within {tolerance} of {b}");
    }

    /// Saaty's textbook 3×3 example (The Analytic Hierarchy Process, 1980): A is moderately
    /// more important than B (3) and strongly more than C (5), B moderately more than C (3).
    /// Published: weights 0.637, 0.258, 0.105; λmax 3.039; CR 0.033.
    #[test]
    fn the_published_worked_example_gives_its_weights_and_consistency() {
        let result = weights(3, &[j(3, 1), j(5, 1), j(3, 1)]).expect("consistent");
        close(result.weights[0], 0.637, 0.001);
        close(result.weights[1], 0.258, 0.001);
        close(result.weights[2], 0.105, 0.001);
        close(result.lambda_max, 3.039, 0.001);
        close(result.ratio, 0.033, 0.001);
        close(result.weights.iter().sum(), 1.0, 1e-9);
    }

    #[test]
    fn equal_judgements_give_equal_weights_and_perfect_consistency() {
        let result = weights(4, &[j(1, 1); 6]).expect("consistent");
        for w in &result.weights {
            close(*w, 0.25, 1e-9);
        }
        close(result.ratio, 0.0, 1e-9);
    }

    #[test]
    fn a_circular_matrix_is_refused_with_its_ratio() {
        // A ≫ B, B ≫ C, but C ≫ A.
        match weights(3, &[j(9, 1), j(1, 9), j(9, 1)]) {
            Err(AhpError::Inconsistent { ratio, .. }) => assert!(ratio > 0.1, "ratio {ratio}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn malformed_input_is_refused() {
        assert_eq!(weights(1, &[]), Err(AhpError::Size { n: 1 }));
        assert_eq!(weights(11, &[]), Err(AhpError::Size { n: 11 }));
        assert_eq!(weights(3, &[j(1, 1)]), Err(AhpError::Judgements { expected: 3, got: 1 }));
        assert_eq!(Judgement::new(0, 1), None);
        assert_eq!(Judgement::new(10, 1), None);
        assert_eq!(Judgement::new(3, 3), None, "one side is always 1");
    }

    /// The 50/20/10/10/10 high-value weighting from the securities deck (002) is reachable:
    /// the first indicator 5× each of the last three and 2.5× the second is not on the 1–9
    /// integer scale, but the nearest judgements keep the ranking and stay consistent.
    #[test]
    fn a_dominant_first_indicator_gets_about_half_the_weight() {
        let upper = [j(3, 1), j(5, 1), j(5, 1), j(5, 1), j(2, 1), j(2, 1), j(2, 1), j(1, 1), j(1, 1), j(1, 1)];
        let result = weights(5, &upper).expect("consistent");
        assert!(result.weights[0] > 0.45 && result.weights[0] < 0.55, "{:?}", result.weights);
        assert!(result.weights[1] > result.weights[2]);
        close(result.weights[2], result.weights[4], 1e-9);
    }
}
