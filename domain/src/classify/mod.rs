//! Customer classification (DOMAIN.md §4): pure functions of the customer files, a policy
//! and `today`. Each rule lives in its own module and returns the facts that decided the
//! class, so the app can say why a customer is where she is.
//!
//! - [`abc`]: value classes A/B/C by spend over a rolling period (Pareto), with probation.
//! - [`lifecycle`]: potential (kinds 1–4), new (paying / free card), regular, silent, lost.
//! - [`rfm`]: recency, frequency, monetary quintiles and a named segment, with personal cadence.
//! - [`grade`]: grades A/B/C/D by thresholds on spend, visits and debt (001 范本).
//! - [`ahp`]: weights from pairwise comparisons, with the consistency ratio.
//! - [`composite`]: an AHP-weighted index over spend, frequency, referrals, card balance and
//!   tenure, and the rank it gives.

pub mod abc;
pub mod ahp;
pub mod composite;
pub mod filter;
pub mod grade;
pub mod lifecycle;
pub mod overrides;
pub mod policy;
pub mod rfm;
pub mod run;
pub mod snapshot;

pub use policy::{Policy, PolicyErrors, PolicyField, PolicyForm};

use jiff::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::customer::{Account, CustomerFile, MoneyKind, Source, SourceValue};
use crate::money::Fen;

/// Treatment days a customer needs before her own cadence (her usual interval) counts: two
/// intervals between three different days.
pub const CADENCE_MIN_DAYS: usize = 3;

/// What a visit was, for the lifecycle rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VisitKind {
    /// Services done, paid or on a card (or on a free card).
    Treatment,
    /// Only products bought.
    Products,
    /// Nothing paid, no session, no product: a consultation.
    Consultation,
}

/// The part of a file classification reads, independent of the policy and of `today`: kept
/// in the customer's list entry, so classifying the salon never opens a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ledger {
    /// The day she became a customer: the file's creation, her "member since" date or her
    /// first recorded visit, card or payment, whichever is earliest (imported files keep
    /// their history).
    pub since: Date,
    /// Every non-voided visit: day, amount paid, kind; oldest first.
    pub visits: Vec<(Date, Fen, VisitKind)>,
    /// Every non-voided card bought: day and price.
    pub cards: Vec<(Date, Fen)>,
    pub topped_up: bool,
    pub debt: Fen,
    pub free_card: bool,
    pub referrer: Option<String>,
    pub card_value: Fen,
}

impl Ledger {
    pub fn of(file: &CustomerFile, today: Date) -> Self {
        Ledger::with(file, &file.account(today), today)
    }

    /// The ledger from a file whose account on `today` is already at hand.
    pub fn with(file: &CustomerFile, account: &Account, today: Date) -> Self {
        let profile = &file.customer.profile;
        let free_card = matches!(profile.source(), Some(SourceValue::BuiltIn(Source::FreeCard | Source::FamilyCard)));
        let mut since = file.customer.created_on().min(today);
        let visits: Vec<(Date, Fen, VisitKind)> = file
            .visits
            .iter()
            .filter(|v| !v.voided)
            .map(|visit| {
                let services = !visit.items.trim().is_empty();
                let treated = services && (visit.amount > Fen::ZERO || !visit.card_uses.is_empty() || free_card);
                let kind = if treated {
                    VisitKind::Treatment
                } else if !visit.products.trim().is_empty() {
                    VisitKind::Products
                } else {
                    VisitKind::Consultation
                };
                (visit.at.date(), visit.amount, kind)
            })
            .collect();
        let cards: Vec<(Date, Fen)> = file.cards.iter().filter(|c| !c.voided).map(|c| (c.bought_on, c.price)).collect();
        let money = file.money.iter().filter(|m| !m.voided);
        let firsts = visits.iter().map(|v| v.0).chain(cards.iter().map(|c| c.0)).chain(money.clone().map(|m| m.on));
        for day in firsts.chain(profile.member_since()) {
            since = since.min(day);
        }
        Ledger {
            since,
            visits,
            cards,
            topped_up: money.clone().any(|m| m.kind == MoneyKind::TopUp),
            debt: account.debt,
            free_card,
            referrer: profile.referrer().map(|id| id.as_str().to_owned()),
            card_value: account.liability,
        }
    }
}

/// What classification needs to know about one customer on one day, under one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub id: String,
    pub number: String,
    /// The day she became a customer.
    pub since: Date,
    /// Spend in the rolling period: visits paid and cards bought, whatever the means.
    pub period_spend: Fen,
    /// Days she came in the rolling period (two services on one afternoon are one visit).
    pub period_visits: u32,
    /// Every day with at least one non-voided treatment (services done), oldest first, each
    /// day once: face and eyes on one afternoon are one visit, not two.
    pub treatments: Vec<Date>,
    /// Visits where only products were bought.
    pub product_visits: u32,
    /// Visits with nothing paid, no card session and no product: consultations.
    pub consultations: u32,
    pub has_card: bool,
    pub topped_up: bool,
    pub debt: Fen,
    /// Came on a free card or a family card.
    pub free_card: bool,
    /// The customer who referred her (id), if any.
    pub referrer: Option<String>,
    /// What her open card sessions are worth.
    pub card_value: Fen,
}

impl Facts {
    /// The first day of the rolling period ending `today` (exclusive).
    pub fn period_start(policy: &Policy, today: Date) -> Date {
        today.checked_sub(Span::new().months(policy.period_months)).unwrap_or(Date::MIN)
    }

    pub fn of(file: &CustomerFile, policy: &Policy, today: Date) -> Self {
        let id = file.customer.id.as_str();
        Facts::of_ledger(id, &file.customer.number.to_string(), &Ledger::of(file, today), policy, today)
    }

    pub fn of_ledger(id: &str, number: &str, ledger: &Ledger, policy: &Policy, today: Date) -> Self {
        let start = Facts::period_start(policy, today);
        let in_period = |day: Date| day > start && day <= today;
        let mut facts = Facts {
            id: id.to_owned(),
            number: number.to_owned(),
            since: ledger.since,
            period_spend: Fen::ZERO,
            period_visits: 0,
            treatments: Vec::new(),
            product_visits: 0,
            consultations: 0,
            has_card: !ledger.cards.is_empty(),
            topped_up: ledger.topped_up,
            debt: ledger.debt,
            free_card: ledger.free_card,
            referrer: ledger.referrer.clone(),
            card_value: ledger.card_value,
        };
        // Visit days in the period, counted as the visits go by: they come oldest first, so a
        // day is new when it differs from the one before (any other order is counted apart).
        let (mut days, mut last, mut in_order) = (0u32, None::<Date>, true);
        for &(day, amount, kind) in &ledger.visits {
            if in_period(day) {
                facts.period_spend = facts.period_spend + amount;
                match last {
                    Some(previous) if previous == day => {}
                    Some(previous) if previous > day => in_order = false,
                    _ => days += 1,
                }
                last = Some(day);
            }
            match kind {
                VisitKind::Treatment => facts.treatments.push(day),
                VisitKind::Products => facts.product_visits += 1,
                VisitKind::Consultation => facts.consultations += 1,
            }
        }
        for &(day, price) in &ledger.cards {
            if in_period(day) {
                facts.period_spend = facts.period_spend + price;
            }
        }
        facts.period_visits = if in_order {
            days
        } else {
            let mut all: Vec<Date> = ledger.visits.iter().map(|v| v.0).filter(|d| in_period(*d)).collect();
            all.sort_unstable();
            all.dedup();
            all.len() as u32
        };
        facts.treatments.sort_unstable();
        facts.treatments.dedup();
        facts
    }

    /// Days since her last treatment, if she had one.
    pub fn days_since_last(&self, today: Date) -> Option<i32> {
        self.treatments.last().map(|last| (today - *last).get_days())
    }

    /// Her own average number of days between treatment days, once she came on at least
    /// [`CADENCE_MIN_DAYS`] different days; before that she has no cadence of her own and only
    /// the salon's windows apply.
    pub fn usual_interval(&self) -> Option<i32> {
        if self.treatments.len() < CADENCE_MIN_DAYS {
            return None;
        }
        let (first, last) = (self.treatments.first()?, self.treatments.last()?);
        let span = (*last - *first).get_days();
        Some(span / (self.treatments.len() as i32 - 1))
    }

    /// Past her own cadence: more days since the last treatment than her usual interval
    /// times the policy's factor.
    pub fn past_cadence(&self, policy: &Policy, today: Date) -> bool {
        match (self.usual_interval(), self.days_since_last(today)) {
            (Some(usual), Some(since)) => {
                i64::from(since) * 100 > i64::from(usual.max(1)) * i64::from(policy.cadence_factor_pct)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
impl Facts {
    /// A customer with no history, for the rules' tests to fill in.
    pub(crate) fn sample(id: &str, number: &str, since: Date) -> Facts {
        Facts {
            id: id.to_owned(),
            number: number.to_owned(),
            since,
            period_spend: Fen::ZERO,
            period_visits: 0,
            treatments: Vec::new(),
            product_visits: 0,
            consultations: 0,
            has_card: false,
            topped_up: false,
            debt: Fen::ZERO,
            free_card: false,
            referrer: None,
            card_value: Fen::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator;
    use crate::ids::DeviceId;
    use jiff::Span;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);

    fn salon_facts(n: usize) -> Vec<Facts> {
        let policy = Policy::default();
        generator::salon(5, n, TODAY)
            .iter()
            .map(|c| {
                let file = c.build(DeviceId::from_random([1; 16])).expect("build").0.file().expect("file");
                Facts::of(&file, &policy, TODAY)
            })
            .collect()
    }

    fn ledger(visit_days_ago: &[i64]) -> Ledger {
        let day = |d: i64| TODAY.checked_sub(Span::new().days(d)).expect("date");
        let oldest = visit_days_ago.iter().copied().max().unwrap_or(0);
        Ledger {
            since: day(oldest),
            visits: visit_days_ago.iter().map(|d| (day(*d), Fen::yuan(300), VisitKind::Treatment)).collect(),
            cards: Vec::new(),
            topped_up: false,
            debt: Fen::ZERO,
            free_card: false,
            referrer: None,
            card_value: Fen::ZERO,
        }
    }

    #[test]
    fn several_visits_on_one_day_are_one_visit_day_and_give_no_cadence_of_her_own() {
        let policy = Policy::default();
        // Face, eyes and a massage yesterday afternoon: one visit.
        let facts = Facts::of_ledger("c", "AAAA-0001", &ledger(&[1, 1, 1]), &policy, TODAY);
        assert_eq!(facts.treatments.len(), 1, "one visit day");
        assert_eq!(facts.period_visits, 1);
        assert_eq!(facts.usual_interval(), None, "one day is no rhythm");
        assert!(!facts.past_cadence(&policy, TODAY));
        let stage = lifecycle::classify(&facts, &policy, TODAY);
        assert_eq!(stage.lifecycle, lifecycle::Lifecycle::New { free_card: false }, "she came yesterday: new");
        let segment = rfm::classify(std::slice::from_ref(&facts), &policy, TODAY).remove(0).segment;
        assert_ne!(segment, rfm::Segment::AtRisk);
        // Two days, each with two services: still too few days for a cadence.
        let two_days = Facts::of_ledger("c", "AAAA-0001", &ledger(&[9, 9, 2, 2]), &policy, TODAY);
        assert_eq!((two_days.treatments.len(), two_days.usual_interval()), (2, None));
        // Three different days: her cadence is between the days, not the services.
        let three_days = Facts::of_ledger("c", "AAAA-0001", &ledger(&[20, 20, 10, 10, 10, 0]), &policy, TODAY);
        assert_eq!(three_days.usual_interval(), Some(10));
        assert_eq!(three_days.period_visits, 3);
        let mut shuffled = ledger(&[20, 20, 10, 10, 10, 0]);
        shuffled.visits.reverse();
        let counted = Facts::of_ledger("c", "AAAA-0001", &shuffled, &policy, TODAY);
        assert_eq!((counted.period_visits, counted.usual_interval()), (3, Some(10)), "any order counts the same");
    }

    #[test]
    fn a_generated_salon_classifies_deterministically_with_a_pareto_shape() {
        let facts = salon_facts(400);
        let policy = Policy::default();
        let classes = abc::classify(&facts, &policy, TODAY);
        assert_eq!(classes, abc::classify(&salon_facts(400), &policy, TODAY), "same files, same classes");
        let ranked = classes.iter().filter(|c| !c.probation).count();
        let a: Vec<&abc::AbcClass> = classes.iter().filter(|c| c.class == abc::ValueClass::A).collect();
        assert_eq!(a.len(), (ranked * 5 + 50) / 100);
        let total: i64 = classes.iter().filter(|c| !c.probation).map(|c| c.spend.as_fen()).sum();
        let top: i64 = a.iter().map(|c| c.spend.as_fen()).sum();
        assert!(top * 5 > total, "the top 5% bring over a fifth of the revenue ({top} of {total})");
        let stages: Vec<lifecycle::Lifecycle> =
            facts.iter().map(|f| lifecycle::classify(f, &policy, TODAY).lifecycle).collect();
        for kind in [lifecycle::Lifecycle::Regular, lifecycle::Lifecycle::Lost, lifecycle::Lifecycle::Potential(4)] {
            assert!(stages.contains(&kind), "a realistic salon has {kind:?} customers");
        }
        let segments = rfm::classify(&facts, &policy, TODAY);
        assert!(segments.iter().any(|s| s.segment == rfm::Segment::Champion));
    }
}
