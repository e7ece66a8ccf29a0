//! Where a customer stands in her life with the salon (000 篇1; 001; 003): potential
//! customers of four kinds, new customers (paying directly or arrived on a free or family
//! card), regular members, and silent or lost ones.
//!
//! A treatment is a visit where services were done and paid or taken from a card (or given on
//! a free card). Rules, first match wins:
//! 1. no treatment, no card, no top-up: potential kind 1 (bought products), 3 (only
//!    consulted), or 4 (not reached yet);
//! 2. the last treatment longer ago than `lost_days`: lost;
//! 3. longer ago than `silent_days`, or past her own cadence: silent;
//! 4. the first treatment within `new_days`: new (paying, or on a free card);
//! 5. exactly one treatment and no card or top-up: potential kind 2 (one single treatment);
//! 6. otherwise: regular member.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{Facts, Policy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Lifecycle {
    /// 1 bought products only; 2 one single treatment; 3 only consulted; 4 not reached yet.
    Potential(u8),
    New {
        free_card: bool,
    },
    Regular,
    Silent,
    Lost,
}

/// The stage and the numbers behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub lifecycle: Lifecycle,
    pub treatments: usize,
    pub days_since_last: Option<i32>,
    /// Her usual interval between treatments, when she has three or more.
    pub usual_interval: Option<i32>,
}

pub fn classify(facts: &Facts, policy: &Policy, today: Date) -> Stage {
    let since = facts.days_since_last(today);
    let first = facts.treatments.first().map(|d| (today - *d).get_days());
    let committed = facts.has_card || facts.topped_up;
    let lifecycle = match (facts.treatments.len(), since) {
        (0, _) if !committed && facts.product_visits > 0 => Lifecycle::Potential(1),
        (0, _) if !committed && facts.consultations > 0 => Lifecycle::Potential(3),
        (0, _) if !committed => Lifecycle::Potential(4),
        (_, Some(days)) if days > policy.lost_days => Lifecycle::Lost,
        (_, Some(days)) if days > policy.silent_days || facts.past_cadence(policy, today) => Lifecycle::Silent,
        _ if first.is_some_and(|days| days <= policy.new_days) || (facts.treatments.is_empty() && committed) => {
            Lifecycle::New { free_card: facts.free_card }
        }
        (1, _) if !committed => Lifecycle::Potential(2),
        _ => Lifecycle::Regular,
    };
    Stage {
        lifecycle,
        treatments: facts.treatments.len(),
        days_since_last: since,
        usual_interval: facts.usual_interval(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Span;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);

    fn ago(days: i64) -> Date {
        TODAY.checked_sub(Span::new().days(days)).expect("date")
    }

    /// A customer whose treatments were these many days ago, oldest first.
    fn facts(treatments: &[i64]) -> Facts {
        Facts { treatments: treatments.iter().map(|d| ago(*d)).collect(), ..Facts::sample("x", "AAAA-0001", ago(400)) }
    }

    fn stage(f: &Facts) -> Lifecycle {
        classify(f, &Policy::default(), TODAY).lifecycle
    }

    #[test]
    fn potential_kinds_come_from_what_she_did_without_a_treatment() {
        assert_eq!(stage(&facts(&[])), Lifecycle::Potential(4));
        assert_eq!(stage(&Facts { product_visits: 1, ..facts(&[]) }), Lifecycle::Potential(1));
        assert_eq!(stage(&Facts { consultations: 2, ..facts(&[]) }), Lifecycle::Potential(3));
        assert_eq!(stage(&facts(&[120])), Lifecycle::Silent, "one treatment 120 days ago: silent first");
        assert_eq!(stage(&facts(&[60])), Lifecycle::Potential(2), "one treatment, past the new window");
    }

    #[test]
    fn new_customers_within_the_window_and_how_they_came() {
        assert_eq!(stage(&facts(&[30])), Lifecycle::New { free_card: false }, "day 30 is still new");
        assert_eq!(stage(&facts(&[31, 10])), Lifecycle::Regular, "first visit 31 days ago");
        assert_eq!(stage(&Facts { free_card: true, ..facts(&[3]) }), Lifecycle::New { free_card: true });
        assert_eq!(
            stage(&Facts { has_card: true, ..facts(&[]) }),
            Lifecycle::New { free_card: false },
            "bought a card, no session yet"
        );
    }

    #[test]
    fn silent_and_lost_by_the_policy_and_by_her_own_cadence() {
        assert_eq!(stage(&facts(&[300, 200, 90])), Lifecycle::Regular, "90 days: the window's edge");
        assert_eq!(stage(&facts(&[300, 200, 91])), Lifecycle::Silent);
        assert_eq!(stage(&facts(&[400, 181])), Lifecycle::Lost);
        assert_eq!(stage(&facts(&[400, 180])), Lifecycle::Silent, "180 days: silent, not yet lost");
        // Every 7 days for months, then 15 days without a visit: more than twice her cadence.
        let weekly = facts(&[71, 64, 57, 50, 43, 36, 29, 22, 15]);
        assert_eq!(stage(&weekly), Lifecycle::Silent);
        assert_eq!(classify(&weekly, &Policy::default(), TODAY).usual_interval, Some(7));
        assert_eq!(
            stage(&facts(&[70, 63, 56, 49, 42, 35, 28, 21, 14])),
            Lifecycle::Regular,
            "exactly twice is not past"
        );
    }
}
