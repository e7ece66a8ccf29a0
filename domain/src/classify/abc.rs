//! Value classes by the Pareto rule (001 客户ABC分类管理法): rank the customers by spend over
//! the rolling period; the top 5% are A, the rest of the top 20% are B, everyone else C.
//! Customers younger than the probation period are C "in probation" and are not ranked.
//!
//! Counts are rounded half up (`round(n × share)`), so a salon of ten has one A customer and
//! a salon of one has none. Equal spend is ranked by customer number, so every device gives
//! the same answer. A customer who spent nothing is never A or B.
//!
//! A salon that starts with Meike has every customer in probation at first. So that the owner
//! still sees who matters, every customer is also ranked by spend alone, probation or not:
//! `by_spend` is the class she would have if she were evaluated today.

use jiff::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{Facts, Policy};
use crate::money::Fen;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ValueClass {
    A,
    B,
    C,
}

/// One customer's value class and the facts that put her there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbcClass {
    pub id: String,
    pub class: ValueClass,
    pub spend: Fen,
    /// Still in probation: C whatever she spent, not ranked.
    pub probation: bool,
    /// 1-based rank among ranked customers.
    pub rank: Option<usize>,
    /// How many customers were ranked.
    pub ranked: usize,
    /// How many of the ranked customers the shares make A, and A or B.
    pub a_count: usize,
    pub ab_count: usize,
    /// Her class by spend alone, ranked among every customer, probation or not: what she
    /// would be if evaluated today.
    pub by_spend: ValueClass,
    /// Her 1-based rank by spend among every customer.
    pub spend_rank: usize,
    /// How many customers that ranking has (all of them).
    pub of_all: usize,
}

impl AbcClass {
    /// Her rank as a share from the top, in basis points (rank 31 of 2,140 → 145 = 1.45%).
    pub fn top_bp(&self) -> Option<u32> {
        let rank = self.rank?;
        Some(((rank as u64 * 10_000).div_ceil(self.ranked.max(1) as u64)) as u32)
    }
}

fn share(count: usize, bp: u32) -> usize {
    ((count as u64 * u64::from(bp) + 5_000) / 10_000) as usize
}

/// Customers in rank order (best spend first), and how many of them are A, and A or B.
struct Ranking {
    order: Vec<usize>,
    a_count: usize,
    ab_count: usize,
}

impl Ranking {
    fn of(order: Vec<usize>, policy: &Policy) -> Ranking {
        let a_count = share(order.len(), policy.a_share_bp);
        let ab_count = share(order.len(), policy.ab_share_bp).max(a_count);
        Ranking { order, a_count, ab_count }
    }

    fn class_at(&self, position: usize, spend: Fen) -> ValueClass {
        match position {
            _ if spend <= Fen::ZERO => ValueClass::C,
            p if p < self.a_count => ValueClass::A,
            p if p < self.ab_count => ValueClass::B,
            _ => ValueClass::C,
        }
    }
}

/// Classifies every customer. The result is in the order of `customers`.
pub fn classify(customers: &[Facts], policy: &Policy, today: Date) -> Vec<AbcClass> {
    let end_of_probation =
        |since: Date| since.checked_add(Span::new().months(policy.probation_months)).unwrap_or(Date::MAX);
    let mut all: Vec<usize> = (0..customers.len()).collect();
    all.sort_by(|&a, &b| {
        let (a, b) = (&customers[a], &customers[b]);
        b.period_spend.cmp(&a.period_spend).then_with(|| a.number.cmp(&b.number)).then_with(|| a.id.cmp(&b.id))
    });
    // The evaluated customers in the same order: one sort serves both rankings.
    let evaluated: Vec<usize> =
        all.iter().copied().filter(|&i| end_of_probation(customers[i].since) <= today).collect();
    let (evaluated, everyone) = (Ranking::of(evaluated, policy), Ranking::of(all, policy));
    let mut out: Vec<AbcClass> = customers
        .iter()
        .map(|c| AbcClass {
            id: c.id.clone(),
            class: ValueClass::C,
            spend: c.period_spend,
            probation: true,
            rank: None,
            ranked: evaluated.order.len(),
            a_count: evaluated.a_count,
            ab_count: evaluated.ab_count,
            by_spend: ValueClass::C,
            spend_rank: 0,
            of_all: customers.len(),
        })
        .collect();
    for (position, &index) in evaluated.order.iter().enumerate() {
        let entry = &mut out[index];
        entry.probation = false;
        entry.rank = Some(position + 1);
        entry.class = evaluated.class_at(position, entry.spend);
    }
    for (position, &index) in everyone.order.iter().enumerate() {
        let entry = &mut out[index];
        entry.spend_rank = position + 1;
        entry.by_spend = everyone.class_at(position, entry.spend);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);

    fn customer(n: usize, spend_yuan: i64, since: Date) -> Facts {
        Facts {
            period_spend: Fen::yuan(spend_yuan),
            ..Facts::sample(&format!("{n:032x}"), &format!("AAAA-{n:04}"), since)
        }
    }

    fn old() -> Date {
        date(2024, 1, 1)
    }

    fn classes(customers: &[Facts]) -> Vec<ValueClass> {
        classify(customers, &Policy::default(), TODAY).into_iter().map(|c| c.class).collect()
    }

    #[test]
    fn exactly_five_and_twenty_percent_of_a_hundred() {
        let customers: Vec<Facts> = (1..=100).map(|n| customer(n, 1_000 * n as i64, old())).collect();
        let result = classify(&customers, &Policy::default(), TODAY);
        let count = |class| result.iter().filter(|c| c.class == class).count();
        assert_eq!((count(ValueClass::A), count(ValueClass::B), count(ValueClass::C)), (5, 15, 80));
        // The top spender is rank 1; the 5th is the last A, the 6th the first B.
        assert_eq!(result[99].rank, Some(1));
        assert_eq!(result[95].class, ValueClass::A);
        assert_eq!(result[94].class, ValueClass::B);
        assert_eq!(result[80].class, ValueClass::B);
        assert_eq!(result[79].class, ValueClass::C);
        assert_eq!(result[99].top_bp(), Some(100), "rank 1 of 100 is the top 1%");
    }

    #[test]
    fn small_salons_round_half_up() {
        assert_eq!(classes(&[customer(1, 500, old())]), [ValueClass::C], "one customer: 5% of 1 rounds to none");
        let ten: Vec<Facts> = (1..=10).map(|n| customer(n, 100 * n as i64, old())).collect();
        let result = classes(&ten);
        assert_eq!(result.iter().filter(|c| **c == ValueClass::A).count(), 1, "5% of 10 rounds up to 1");
        assert_eq!(result.iter().filter(|c| **c == ValueClass::B).count(), 1, "20% of 10 is 2, minus the A");
        assert!(classes(&[]).is_empty(), "an empty salon");
    }

    #[test]
    fn ties_are_broken_by_customer_number_on_every_device() {
        let mut customers: Vec<Facts> = (1..=20).map(|n| customer(n, 800, old())).collect();
        let forward = classes(&customers);
        assert_eq!(forward[0], ValueClass::A, "all equal: the lowest number is first");
        assert_eq!(forward.iter().filter(|c| **c == ValueClass::A).count(), 1);
        customers.reverse();
        let backward = classes(&customers);
        assert_eq!(backward[19], ValueClass::A, "the same customer, whatever the input order");
    }

    #[test]
    fn customers_in_probation_are_c_and_not_ranked() {
        let probation_edge = TODAY.checked_sub(Span::new().months(6)).expect("date");
        let customers = vec![
            customer(1, 50_000, TODAY.checked_sub(Span::new().days(10)).expect("date")),
            customer(2, 50_000, probation_edge),
            customer(3, 100, old()),
        ];
        let result = classify(&customers, &Policy::default(), TODAY);
        assert!(result[0].probation && result[0].class == ValueClass::C && result[0].rank.is_none());
        assert!(!result[1].probation, "exactly six months old: evaluated");
        assert_eq!(result[1].ranked, 2);
    }

    #[test]
    fn a_salon_that_starts_today_still_sees_who_spends_most() {
        // Twenty customers whose files and first visits are all this week: all in probation.
        let week = TODAY.checked_sub(Span::new().days(3)).expect("date");
        let customers: Vec<Facts> = (1..=20).map(|n| customer(n, 100 * n as i64, week)).collect();
        let result = classify(&customers, &Policy::default(), TODAY);
        assert!(result.iter().all(|c| c.probation && c.class == ValueClass::C), "in probation: C for now");
        let top = &result[19];
        assert_eq!((top.spend_rank, top.of_all, top.by_spend), (1, 20, ValueClass::A), "by spend she is A");
        let by_spend = |class| result.iter().filter(|c| c.by_spend == class).count();
        assert_eq!((by_spend(ValueClass::A), by_spend(ValueClass::B), by_spend(ValueClass::C)), (1, 3, 16));
        // Evaluated customers keep their own ranking: probation customers do not take places.
        let mut mixed = customers.clone();
        mixed.push(customer(21, 50, old()));
        let result = classify(&mixed, &Policy::default(), TODAY);
        assert_eq!((result[20].rank, result[20].ranked), (Some(1), 1));
        assert_eq!((result[20].a_count, result[20].ab_count), (0, 0), "one ranked customer: 5% and 20% of 1 is none");
        assert_eq!(result[20].by_spend, ValueClass::C, "and by spend she is last of 21");
    }

    #[test]
    fn nobody_who_spent_nothing_is_a_or_b() {
        let customers: Vec<Facts> = (1..=10).map(|n| customer(n, 0, old())).collect();
        assert!(classes(&customers).iter().all(|c| *c == ValueClass::C));
    }
}
