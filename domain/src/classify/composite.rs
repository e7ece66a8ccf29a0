//! The composite index (000 篇3 §1.3): each indicator is scaled to 0–1 against the salon's
//! highest value, weighted by the AHP weights the owner derived, and summed to an index
//! 0–100; customers are ranked by it (ties by customer number).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Facts;

/// The indicators the owner compares, in the order of the AHP matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Indicator {
    Spend,
    Frequency,
    Referrals,
    CardBalance,
    Tenure,
}

impl Indicator {
    pub const ALL: [Indicator; 5] =
        [Indicator::Spend, Indicator::Frequency, Indicator::Referrals, Indicator::CardBalance, Indicator::Tenure];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Composite {
    pub id: String,
    /// 0–100.
    pub index: f64,
    /// 1 = highest index.
    pub rank: usize,
    /// Each indicator's raw value (fen, visits, referrals, fen, days), for the explanation.
    pub values: [i64; 5],
}

/// Scores every customer with `weights` (one per [`Indicator`], summing to 1; from
/// [`super::ahp::weights`]). The result is in the order of `customers`.
pub fn classify(customers: &[Facts], weights: &[f64; 5], today: Date) -> Vec<Composite> {
    let mut referred: BTreeMap<&str, i64> = BTreeMap::new();
    for referrer in customers.iter().filter_map(|c| c.referrer.as_deref()) {
        *referred.entry(referrer).or_default() += 1;
    }
    let referrals = |id: &str| referred.get(id).copied().unwrap_or(0);
    let values: Vec<[i64; 5]> = customers
        .iter()
        .map(|c| {
            [
                c.period_spend.as_fen(),
                i64::from(c.period_visits),
                referrals(&c.id),
                c.card_value.as_fen(),
                i64::from((today - c.since).get_days().max(0)),
            ]
        })
        .collect();
    let max: Vec<i64> = (0..5).map(|k| values.iter().map(|v| v[k]).max().unwrap_or(0)).collect();
    let mut out: Vec<Composite> = customers
        .iter()
        .zip(&values)
        .map(|(c, v)| {
            let index: f64 = (0..5)
                .map(|k| if max[k] > 0 { weights[k] * v[k].max(0) as f64 / max[k] as f64 } else { 0.0 })
                .sum::<f64>()
                * 100.0;
            Composite { id: c.id.clone(), index, rank: 0, values: *v }
        })
        .collect();
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|&a, &b| {
        out[b].index.total_cmp(&out[a].index).then_with(|| customers[a].number.cmp(&customers[b].number))
    });
    for (rank, index) in order.into_iter().enumerate() {
        out[index].rank = rank + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Fen;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);

    fn customer(n: u8, spend: i64, visits: u32, referrer: Option<u8>) -> Facts {
        Facts {
            period_spend: Fen::yuan(spend),
            period_visits: visits,
            referrer: referrer.map(|r| format!("{r}")),
            ..Facts::sample(&format!("{n}"), &format!("AAAA-{n:04}"), date(2025, 11, 24))
        }
    }

    #[test]
    fn the_index_follows_the_weights_and_counts_referrals() {
        let customers = vec![customer(1, 10_000, 2, None), customer(2, 2_000, 20, None), customer(3, 0, 0, Some(2))];
        // All weight on spend: 1 first. All weight on frequency: 2 first.
        let by_spend = classify(&customers, &[1.0, 0.0, 0.0, 0.0, 0.0], TODAY);
        assert_eq!((by_spend[0].rank, by_spend[0].index), (1, 100.0));
        let by_frequency = classify(&customers, &[0.0, 1.0, 0.0, 0.0, 0.0], TODAY);
        assert_eq!(by_frequency[1].rank, 1);
        let by_referrals = classify(&customers, &[0.0, 0.0, 1.0, 0.0, 0.0], TODAY);
        assert_eq!(by_referrals[1].values[2], 1, "customer 2 referred customer 3");
        assert_eq!(by_referrals[1].rank, 1);
        // Equal tenure: ties are broken by number.
        let by_tenure = classify(&customers, &[0.0, 0.0, 0.0, 0.0, 1.0], TODAY);
        assert_eq!(by_tenure.iter().map(|c| c.rank).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn an_empty_salon_and_all_zero_indicators_are_fine() {
        assert!(classify(&[], &[0.2; 5], TODAY).is_empty());
        let opened_today = Facts { since: TODAY, ..customer(1, 0, 0, None) };
        let zeros = classify(&[opened_today], &[0.2; 5], TODAY);
        assert_eq!((zeros[0].index, zeros[0].rank), (0.0, 1));
    }
}
