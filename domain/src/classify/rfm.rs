//! RFM: recency, frequency and monetary scores 1–5 by quintile over the ranked customers, and
//! a named segment. A customer with at least three treatment days who is past her own usual
//! interval (by the policy's factor) is "at risk" whatever her scores.
//!
//! Scores compare customers with each other, so in a young salon one visit can score 5 on
//! every axis. Segments that speak of a habit (champion, loyal) therefore also need the habit:
//! treatments on at least [`CADENCE_MIN_DAYS`] different days. Before that a recent customer
//! is promising, whatever her scores.
//!
//! Quintiles by rank: the best fifth scores 5, the next 4 ... Ties share the better score
//! (equal values never land in different quintiles), so a salon where everyone spent the
//! same scores everyone 5.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{CADENCE_MIN_DAYS, Facts, Policy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Segment {
    Champion,
    Loyal,
    Promising,
    AtRisk,
    Hibernating,
    NeedsAttention,
    /// Never had a treatment: nothing to score.
    NoHistory,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rfm {
    pub id: String,
    /// Scores 1–5; `None` without any treatment.
    pub scores: Option<(u8, u8, u8)>,
    pub segment: Segment,
    pub past_cadence: bool,
    /// Days she had a treatment on: champion and loyal need [`CADENCE_MIN_DAYS`] of them.
    pub treatment_days: usize,
}

impl Rfm {
    /// Enough history for the segments that describe a habit.
    pub fn established(&self) -> bool {
        self.treatment_days >= CADENCE_MIN_DAYS
    }
}

/// Scores `values` (higher is better) into quintiles 1–5; ties get the same, better score.
fn quintiles(values: &[i64]) -> Vec<u8> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[b].cmp(&values[a]));
    let mut scores = vec![0u8; n];
    let mut position = 0;
    while position < n {
        let value = values[order[position]];
        let score = 5 - ((position * 5) / n.max(1)) as u8;
        while position < n && values[order[position]] == value {
            scores[order[position]] = score;
            position += 1;
        }
    }
    scores
}

pub fn classify(customers: &[Facts], policy: &Policy, today: Date) -> Vec<Rfm> {
    let scored: Vec<usize> = (0..customers.len()).filter(|&i| !customers[i].treatments.is_empty()).collect();
    // Recency: fewer days since the last treatment is better, so score the negation.
    let recency: Vec<i64> =
        scored.iter().map(|&i| -i64::from(customers[i].days_since_last(today).unwrap_or(i32::MAX))).collect();
    let frequency: Vec<i64> = scored.iter().map(|&i| i64::from(customers[i].period_visits)).collect();
    let monetary: Vec<i64> = scored.iter().map(|&i| customers[i].period_spend.as_fen()).collect();
    let (r, f, m) = (quintiles(&recency), quintiles(&frequency), quintiles(&monetary));
    let mut out: Vec<Rfm> = customers
        .iter()
        .map(|c| Rfm {
            id: c.id.clone(),
            scores: None,
            segment: Segment::NoHistory,
            past_cadence: false,
            treatment_days: 0,
        })
        .collect();
    for (k, &i) in scored.iter().enumerate() {
        let scores = (r[k], f[k], m[k]);
        let past_cadence = customers[i].past_cadence(policy, today);
        let treatment_days = customers[i].treatments.len();
        let established = treatment_days >= CADENCE_MIN_DAYS;
        let segment = match scores {
            _ if past_cadence => Segment::AtRisk,
            (r, f, m) if established && r >= 4 && f >= 4 && m >= 4 => Segment::Champion,
            (r, f, _) if established && r >= 3 && f >= 4 => Segment::Loyal,
            (r, _, _) if !established && r >= 3 => Segment::Promising,
            // No habit yet and not recent: asleep, not "at risk" of losing a habit she never had.
            _ if !established => Segment::Hibernating,
            (r, f, _) if r >= 4 && f <= 2 => Segment::Promising,
            (r, f, _) if r <= 2 && f >= 3 => Segment::AtRisk,
            (r, f, _) if r <= 2 && f <= 2 => Segment::Hibernating,
            _ => Segment::NeedsAttention,
        };
        out[i] = Rfm { id: customers[i].id.clone(), scores: Some(scores), segment, past_cadence, treatment_days };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Fen;
    use jiff::Span;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);

    #[test]
    fn quintiles_split_ten_values_two_by_two_and_ties_share_the_better_score() {
        assert_eq!(quintiles(&[10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
        assert_eq!(quintiles(&[7, 7, 7]), [5, 5, 5]);
        assert_eq!(quintiles(&[3, 1, 3, 2, 1]), [5, 2, 5, 3, 2]);
        assert!(quintiles(&[]).is_empty());
    }

    fn customer(n: u8, days_ago: &[i64], visits: u32, spend: i64) -> Facts {
        Facts {
            period_spend: Fen::yuan(spend),
            period_visits: visits,
            treatments: days_ago.iter().map(|d| TODAY.checked_sub(Span::new().days(*d)).expect("date")).collect(),
            ..Facts::sample(&format!("{n}"), &format!("AAAA-{n:04}"), date(2024, 1, 1))
        }
    }

    #[test]
    fn segments_follow_the_scores_and_her_own_cadence() {
        let mut customers = vec![
            customer(1, &[30, 20, 10, 2], 12, 9_000),
            customer(2, &[300, 280], 2, 300),
            customer(3, &[5], 1, 200),
            customer(4, &[90, 80, 70, 60], 4, 2_000),
            customer(5, &[], 0, 0),
        ];
        // Five ordinary customers, so the quintiles have people to split.
        customers.extend((6..=10).map(|n| customer(n, &[100, 70, 40], 3, 1_000)));
        let result = classify(&customers, &Policy::default(), TODAY);
        assert_eq!(result[0].segment, Segment::Champion);
        assert_eq!(result[1].segment, Segment::Hibernating);
        assert_eq!(result[2].segment, Segment::Promising);
        assert!(result[3].past_cadence, "every 10 days, then 60 days away");
        assert_eq!(result[3].segment, Segment::AtRisk);
        assert_eq!(result[4].segment, Segment::NoHistory);
        assert_eq!(result[4].scores, None);
    }

    #[test]
    fn one_visit_is_never_loyal_however_it_scores() {
        // A salon that opened this week: everyone came once, so everyone scores at the top.
        let customers: Vec<Facts> = (1..=5).map(|n| customer(n, &[1], 1, 300 * i64::from(n))).collect();
        let result = classify(&customers, &Policy::default(), TODAY);
        assert!(result.iter().all(|r| r.scores.is_some_and(|(r, f, _)| r == 5 && f == 5)), "{result:?}");
        assert!(result.iter().all(|r| r.segment == Segment::Promising), "{result:?}");
        assert!(!result[4].established());
        // Her third visit day makes the habit: the same top scores now mean champion.
        let mut regular = customers.clone();
        regular[4] = customer(5, &[30, 15, 1], 3, 1_500);
        let result = classify(&regular, &Policy::default(), TODAY);
        assert_eq!(result[4].segment, Segment::Champion);
        // One visit long ago among recent regulars: frequency ties give her a good F, but she
        // has no habit to be at risk of losing.
        let mut salon: Vec<Facts> = (1..=9).map(|n| customer(n, &[40, 20, 3], 3, 900)).collect();
        salon.push(customer(10, &[120], 1, 300));
        let result = classify(&salon, &Policy::default(), TODAY);
        assert_eq!(result[9].segment, Segment::Hibernating, "{:?}", result[9]);
    }
}
