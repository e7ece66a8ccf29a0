//! Classifying the whole salon at once: every rule over every customer, the owner's
//! overrides on top, the reasons behind each class, and the salon-wide figures (class
//! distribution, revenue share, the Pareto curve).

use std::collections::HashMap;

use jiff::Span;
use jiff::civil::Date;

use super::abc::{self, AbcClass, ValueClass};
use super::composite::{self, Composite};
use super::grade::{self, Grade, Graded};
use super::lifecycle::{self, Lifecycle, Stage};
use super::overrides::{Class, ClassSet, Dimension, Override};
use super::rfm::{self, Rfm, Segment};
use super::{Facts, Policy};
use crate::money::Fen;

/// One customer's classes, computed and in effect, with what decided them.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    pub id: String,
    pub computed: ClassSet,
    /// The computed classes with the active overrides applied.
    pub effective: ClassSet,
    /// The overrides in effect today.
    pub overrides: Vec<Override>,
    pub abc: AbcClass,
    pub stage: Stage,
    pub rfm: Rfm,
    pub graded: Graded,
    pub composite: Composite,
    pub since: Date,
    pub period_visits: u32,
    pub debt: Fen,
}

impl Classified {
    pub fn overridden(&self, dimension: Dimension) -> Option<&Override> {
        self.overrides.iter().find(|o| o.class.dimension() == dimension)
    }

    /// Why she is where she is, one reason per dimension plus the composite score.
    pub fn why(&self, policy: &Policy) -> Vec<Why> {
        let value = match (self.abc.rank, self.abc.top_bp()) {
            (Some(rank), Some(top_bp)) => Why::ValueRanked {
                spend: self.abc.spend,
                months: policy.period_months,
                rank,
                of: self.abc.ranked,
                top_bp,
                class: self.abc.class,
                a_bp: policy.a_share_bp,
                ab_bp: policy.ab_share_bp,
                a_count: self.abc.a_count,
                ab_count: self.abc.ab_count,
            },
            _ => Why::ValueProbation {
                spend: self.abc.spend,
                months: policy.period_months,
                since: self.since,
                until: self.since.checked_add(Span::new().months(policy.probation_months)).unwrap_or(Date::MAX),
                by_spend: self.abc.by_spend,
                spend_rank: self.abc.spend_rank,
                of_all: self.abc.of_all,
            },
        };
        vec![
            value,
            Why::Lifecycle {
                stage: self.stage.lifecycle,
                treatments: self.stage.treatments,
                days_since_last: self.stage.days_since_last,
                usual_interval: self.stage.usual_interval,
                new_days: policy.new_days,
                silent_days: policy.silent_days,
                lost_days: policy.lost_days,
                cadence_pct: policy.cadence_factor_pct,
            },
            Why::Grade {
                grade: self.graded.grade,
                by_activity: self.graded.by_activity,
                spend: self.abc.spend,
                visits: self.period_visits,
                months: policy.period_months,
                debt: self.debt,
                debt_limit: policy.grades.debt_limit,
                lowered: self.graded.lowered_for_debt,
            },
            Why::Segment {
                segment: self.rfm.segment,
                scores: self.rfm.scores,
                past_cadence: self.rfm.past_cadence,
                usual_interval: self.stage.usual_interval,
                days_since_last: self.stage.days_since_last,
                treatment_days: self.rfm.treatment_days,
            },
            Why::Composite { index: self.composite.index, rank: self.composite.rank, values: self.composite.values },
        ]
    }
}

/// The facts that put a customer in a class, for the app to say in the user's language.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// "spend ¥8,400 in 12 months, rank 31 of 2,140 → top 1.45% → A (A is the top 5%)".
    ValueRanked {
        spend: Fen,
        months: i8,
        rank: usize,
        of: usize,
        top_bp: u32,
        class: ValueClass,
        a_bp: u32,
        ab_bp: u32,
        /// How many ranked customers those shares make A, and A or B (a small salon may have
        /// none: 5% of 9 rounds to 0).
        a_count: usize,
        ab_count: usize,
    },
    /// Too new to rank: C, in probation until `until`; by spend alone she would be `by_spend`
    /// (rank `spend_rank` of all `of_all` customers).
    ValueProbation {
        spend: Fen,
        months: i8,
        since: Date,
        until: Date,
        by_spend: ValueClass,
        spend_rank: usize,
        of_all: usize,
    },
    Lifecycle {
        stage: Lifecycle,
        treatments: usize,
        days_since_last: Option<i32>,
        usual_interval: Option<i32>,
        new_days: i32,
        silent_days: i32,
        lost_days: i32,
        cadence_pct: u32,
    },
    Grade {
        grade: Grade,
        by_activity: Grade,
        spend: Fen,
        visits: u32,
        months: i8,
        debt: Fen,
        debt_limit: Fen,
        lowered: bool,
    },
    Segment {
        segment: Segment,
        scores: Option<(u8, u8, u8)>,
        past_cadence: bool,
        usual_interval: Option<i32>,
        days_since_last: Option<i32>,
        /// Days she had a treatment on; below [`super::CADENCE_MIN_DAYS`] no habit is judged.
        treatment_days: usize,
    },
    Composite {
        index: f64,
        rank: usize,
        values: [i64; 5],
    },
}

/// The whole salon classified on one day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Classification {
    /// In the order the customers were given.
    pub customers: Vec<Classified>,
    by_id: HashMap<String, usize>,
}

/// How many customers a class holds and what they spent in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassShare {
    pub class: Class,
    pub customers: usize,
    pub revenue: Fen,
    /// Of all customers / of all revenue, in basis points.
    pub customers_bp: u32,
    pub revenue_bp: u32,
}

fn bp(part: i64, whole: i64) -> u32 {
    if whole <= 0 { 0 } else { ((part.max(0) as i128 * 10_000 + whole as i128 / 2) / whole as i128) as u32 }
}

/// Classifies every customer. `customers` pairs each one's facts with her stored overrides
/// (expired ones are ignored).
pub fn classify(customers: &[(Facts, Vec<Override>)], policy: &Policy, today: Date) -> Classification {
    let facts: Vec<Facts> = customers.iter().map(|(f, _)| f.clone()).collect();
    let abc = abc::classify(&facts, policy, today);
    let rfm = rfm::classify(&facts, policy, today);
    let composite = composite::classify(&facts, &policy.weights(), today);
    let mut out = Vec::with_capacity(facts.len());
    for ((((f, overrides), abc), rfm), composite) in customers.iter().zip(abc).zip(rfm).zip(composite) {
        let stage = lifecycle::classify(f, policy, today);
        let graded = grade::classify(f, &policy.grades);
        let computed =
            ClassSet { value: abc.class, lifecycle: stage.lifecycle, grade: graded.grade, segment: rfm.segment };
        let active: Vec<Override> = overrides.iter().filter(|o| o.is_active(today)).cloned().collect();
        let mut effective = computed;
        for o in &active {
            effective.set(o.class);
        }
        out.push(Classified {
            id: f.id.clone(),
            computed,
            effective,
            overrides: active,
            abc,
            stage,
            rfm,
            graded,
            composite,
            since: f.since,
            period_visits: f.period_visits,
            debt: f.debt,
        });
    }
    let by_id = out.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
    Classification { customers: out, by_id }
}

impl Classification {
    pub fn get(&self, id: &str) -> Option<&Classified> {
        self.by_id.get(id).map(|&i| &self.customers[i])
    }

    /// Customers and period revenue per class of `dimension` (classes in effect), every class
    /// listed, empty ones too.
    pub fn distribution(&self, dimension: Dimension) -> Vec<ClassShare> {
        let total_customers = self.customers.len() as i64;
        let total_revenue: i64 = self.customers.iter().map(|c| c.abc.spend.as_fen()).sum();
        dimension
            .classes()
            .into_iter()
            .map(|class| {
                let members = self.customers.iter().filter(|c| c.effective.get(dimension) == class);
                let (count, revenue) = members.fold((0usize, 0i64), |(n, r), c| (n + 1, r + c.abc.spend.as_fen()));
                ClassShare {
                    class,
                    customers: count,
                    revenue: Fen::new(revenue),
                    customers_bp: bp(count as i64, total_customers),
                    revenue_bp: bp(revenue, total_revenue),
                }
            })
            .collect()
    }

    /// The customers still in probation (C for now), and how many of them are A, B and C by
    /// spend alone: what the owner would see if they were evaluated today.
    pub fn in_probation(&self) -> (usize, [usize; 3]) {
        let mut by_spend = [0; 3];
        let mut count = 0;
        for c in self.customers.iter().filter(|c| c.abc.probation) {
            count += 1;
            by_spend[c.abc.by_spend as usize] += 1;
        }
        (count, by_spend)
    }

    /// The Pareto curve: customers sorted by period spend, largest first, and the share of
    /// revenue the top `k` bring, as (customers bp, revenue bp) points from (0, 0) to
    /// (10000, 10000), at most `points + 1` of them.
    pub fn pareto(&self, points: usize) -> Vec<(u32, u32)> {
        let mut spends: Vec<i64> = self.customers.iter().map(|c| c.abc.spend.as_fen().max(0)).collect();
        spends.sort_unstable_by(|a, b| b.cmp(a));
        let total: i64 = spends.iter().sum();
        let n = spends.len();
        let mut curve = vec![(0, 0)];
        if n == 0 {
            return curve;
        }
        let points = points.clamp(1, n);
        let mut running = 0i64;
        let mut next = 1;
        for (k, spend) in spends.iter().enumerate() {
            running += spend;
            if (k + 1) * points >= next * n {
                curve.push((bp(k as i64 + 1, n as i64), bp(running, total)));
                next += 1;
            }
        }
        curve
    }

    /// The share of period revenue the top `customers_bp` of customers bring (the 80/20 check).
    pub fn top_share(&self, customers_bp: u32) -> u32 {
        let mut spends: Vec<i64> = self.customers.iter().map(|c| c.abc.spend.as_fen().max(0)).collect();
        spends.sort_unstable_by(|a, b| b.cmp(a));
        let take = (spends.len() as u64 * u64::from(customers_bp)).div_ceil(10_000) as usize;
        bp(spends.iter().take(take).sum(), spends.iter().sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::overrides::OverrideForm;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);

    fn customer(n: usize, spend_yuan: i64) -> Facts {
        let mut f = Facts::sample(&format!("{n:032x}"), &format!("AAAA-{n:04}"), date(2024, 1, 1));
        f.period_spend = Fen::yuan(spend_yuan);
        f.period_visits = 3;
        f.treatments = vec![date(2026, 10, 1), date(2026, 11, 1), date(2026, 11, 20)];
        f
    }

    #[test]
    fn the_explanation_gives_spend_rank_share_and_class() {
        let mut salon: Vec<(Facts, Vec<Override>)> = (0..2_140).map(|n| (customer(n, 100), Vec::new())).collect();
        for (k, (f, _)) in salon.iter_mut().take(31).enumerate() {
            f.period_spend = Fen::yuan(20_000 - k as i64 * 100);
        }
        salon[30].0.period_spend = Fen::yuan(8_400);
        let policy = Policy::default();
        let classes = classify(&salon, &policy, TODAY);
        let her = classes.get(&salon[30].0.id).expect("classified");
        match &her.why(&policy)[0] {
            Why::ValueRanked { spend, months, rank, of, top_bp, class, .. } => {
                assert_eq!((*spend, *months, *rank, *of, *class), (Fen::yuan(8_400), 12, 31, 2_140, ValueClass::A));
                assert_eq!(*top_bp, 145, "31 of 2,140 is the top 1.45%");
            }
            other => panic!("expected a ranked reason, got {other:?}"),
        }
    }

    #[test]
    fn an_active_override_wins_and_the_computed_class_stays_visible() {
        let policy = Policy::default();
        let form = OverrideForm { class: "a".into(), reason: "开业老客".into(), until: "2026-12-31".into() };
        let o = form.validate(Dimension::Value, TODAY).expect("valid");
        let salon = vec![(customer(1, 100), vec![o.clone()]), (customer(2, 50_000), Vec::new())];
        let classes = classify(&salon, &policy, TODAY);
        let her = &classes.customers[0];
        assert_eq!(her.computed.value, ValueClass::C);
        assert_eq!(her.effective.value, ValueClass::A);
        assert_eq!(her.overridden(Dimension::Value), Some(&o));
        let later = classify(&salon, &policy, date(2027, 1, 1));
        assert_eq!(later.customers[0].effective.value, ValueClass::C, "an expired override no longer applies");
        assert!(later.customers[0].overrides.is_empty());
    }

    #[test]
    fn distribution_and_pareto_add_up() {
        let policy = Policy::default();
        let salon: Vec<(Facts, Vec<Override>)> =
            (0..100).map(|n| (customer(n, (100 - n as i64) * 10), Vec::new())).collect();
        let classes = classify(&salon, &policy, TODAY);
        let shares = classes.distribution(Dimension::Value);
        assert_eq!(shares.iter().map(|s| s.customers).collect::<Vec<_>>(), vec![5, 15, 80]);
        assert_eq!(shares.iter().map(|s| s.revenue.as_fen()).sum::<i64>(), (1..=100).sum::<i64>() * 1_000);
        // The top 5 spend 1000+990+…+960 of 50,500 yuan.
        assert_eq!(shares[0].revenue_bp, bp(4_900, 50_500));
        let curve = classes.pareto(10);
        assert_eq!(curve.len(), 11);
        assert_eq!(curve.first(), Some(&(0, 0)));
        assert_eq!(curve.last(), Some(&(10_000, 10_000)));
        assert!(curve.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1), "{curve:?}");
        assert_eq!(classes.top_share(2_000), bp((81..=100).sum::<i64>(), (1..=100).sum()));
    }

    #[test]
    fn a_salon_that_starts_today_says_who_is_in_probation_and_their_class_by_spend() {
        let policy = Policy::default();
        let salon: Vec<(Facts, Vec<Override>)> = (0..10)
            .map(|n| {
                let mut f = customer(n, 100 * (n as i64 + 1));
                f.since = TODAY;
                (f, Vec::new())
            })
            .collect();
        let classes = classify(&salon, &policy, TODAY);
        assert_eq!(classes.in_probation(), (10, [1, 1, 8]), "all ten in probation; by spend one A and one B");
        let top = classes.get(&salon[9].0.id).expect("classified");
        match &top.why(&policy)[0] {
            Why::ValueProbation { by_spend, spend_rank, of_all, until, .. } => {
                assert_eq!((*by_spend, *spend_rank, *of_all), (ValueClass::A, 1, 10));
                assert_eq!(*until, date(2027, 5, 24));
            }
            other => panic!("expected probation, got {other:?}"),
        }
        assert_eq!(classes.distribution(Dimension::Value)[0].customers, 0, "no A yet: probation is C");
    }

    #[test]
    fn an_empty_salon_has_empty_figures() {
        let classes = classify(&[], &Policy::default(), TODAY);
        assert!(classes.customers.is_empty());
        assert!(classes.distribution(Dimension::Grade).iter().all(|s| s.customers == 0 && s.revenue_bp == 0));
        assert_eq!(classes.pareto(10), vec![(0, 0)]);
        assert_eq!(classes.top_share(2_000), 0);
    }
}
