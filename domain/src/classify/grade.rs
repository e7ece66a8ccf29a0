//! Grades A/B/C/D (001 客户分类管理制度范本, 第四–七条): by how much a customer spends, how
//! often she comes, and her credit. Each grade has a spend and a visit threshold over the
//! rolling period; she gets the best grade whose thresholds she meets, one grade lower when
//! her debt is above the policy's limit.

use serde::{Deserialize, Serialize};

use super::Facts;
use crate::money::Fen;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

/// Spend and visits needed for a grade, over the policy's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bar {
    pub spend: Fen,
    pub visits: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub a: Bar,
    pub b: Bar,
    pub c: Bar,
    /// Debt above this costs one grade.
    pub debt_limit: Fen,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            a: Bar { spend: Fen::yuan(20_000), visits: 12 },
            b: Bar { spend: Fen::yuan(8_000), visits: 6 },
            c: Bar { spend: Fen::yuan(2_000), visits: 2 },
            debt_limit: Fen::yuan(2_000),
        }
    }
}

impl Thresholds {
    /// Each grade's bar must be at least the next one's, or the grades contradict each other.
    pub fn is_ordered(&self) -> bool {
        let at_least = |hi: &Bar, lo: &Bar| hi.spend >= lo.spend && hi.visits >= lo.visits;
        at_least(&self.a, &self.b) && at_least(&self.b, &self.c) && self.debt_limit >= Fen::ZERO
    }
}

/// A grade and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graded {
    pub grade: Grade,
    /// The grade spend and visits alone would give.
    pub by_activity: Grade,
    /// Lowered for debt above the limit.
    pub lowered_for_debt: bool,
}

pub fn classify(facts: &Facts, thresholds: &Thresholds) -> Graded {
    let meets = |bar: &Bar| facts.period_spend >= bar.spend && facts.period_visits >= bar.visits;
    let by_activity = if meets(&thresholds.a) {
        Grade::A
    } else if meets(&thresholds.b) {
        Grade::B
    } else if meets(&thresholds.c) {
        Grade::C
    } else {
        Grade::D
    };
    let lowered_for_debt = facts.debt > thresholds.debt_limit && by_activity != Grade::D;
    let grade = match (by_activity, lowered_for_debt) {
        (grade, false) => grade,
        (Grade::A, true) => Grade::B,
        (Grade::B, true) => Grade::C,
        (_, true) => Grade::D,
    };
    Graded { grade, by_activity, lowered_for_debt }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn facts(spend_yuan: i64, visits: u32, debt_yuan: i64) -> Facts {
        Facts {
            period_spend: Fen::yuan(spend_yuan),
            period_visits: visits,
            debt: Fen::yuan(debt_yuan),
            ..Facts::sample("x", "AAAA-0001", date(2024, 1, 1))
        }
    }

    fn grade(spend: i64, visits: u32, debt: i64) -> Grade {
        classify(&facts(spend, visits, debt), &Thresholds::default()).grade
    }

    #[test]
    fn each_grade_needs_both_its_spend_and_its_visits() {
        assert_eq!(grade(20_000, 12, 0), Grade::A, "exactly on the A bar");
        assert_eq!(grade(19_999, 12, 0), Grade::B);
        assert_eq!(grade(50_000, 11, 0), Grade::B, "big spender, not frequent enough for A");
        assert_eq!(grade(8_000, 6, 0), Grade::B);
        assert_eq!(grade(2_000, 2, 0), Grade::C);
        assert_eq!(grade(1_999, 30, 0), Grade::D);
        assert_eq!(grade(0, 0, 0), Grade::D);
    }

    #[test]
    fn debt_above_the_limit_costs_one_grade() {
        assert_eq!(grade(20_000, 12, 2_000), Grade::A, "at the limit is fine");
        let lowered = classify(&facts(20_000, 12, 2_001), &Thresholds::default());
        assert_eq!((lowered.grade, lowered.by_activity, lowered.lowered_for_debt), (Grade::B, Grade::A, true));
        assert_eq!(grade(0, 0, 5_000), Grade::D, "D stays D");
    }

    #[test]
    fn thresholds_must_be_ordered() {
        assert!(Thresholds::default().is_ordered());
        let mut wrong = Thresholds::default();
        wrong.b.visits = 20;
        assert!(!wrong.is_ordered());
    }
}
